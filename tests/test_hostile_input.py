"""The hostile-input corpus: every bad file gives one clear error line, the right exit code, no traceback,
and leaves the store exactly as it was (dump before = dump after).

Cases are listed in ``tests/corpus/manifest.toml``; large, binary and file-system cases are made here.
"""

from __future__ import annotations

import os
import re
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))["case"]
BASE = "https://kg.example.org"


def _generate(name: str, folder: Path) -> Path:
    """Make a generated case in ``folder``."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name == "deep-jsonld.jsonld":
        depth = 100_000
        path.write_text('{"@id":"http://e/s","http://e/p":' * depth + '"x"' + "}" * depth, encoding="utf-8")
    elif name == "deep-xml.rdf":
        depth = 100_000
        path.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
                        + "<rdf:Description><e:p>" * depth + "x" + "</e:p></rdf:Description>" * depth
                        + "</rdf:RDF>", encoding="utf-8")
    elif name in {"directory-as-file.csv", "directory.ttl"}:
        path.mkdir()
    elif name == "symlink-loop.ttl":
        os.symlink(path.name, path)
    elif name == "truncated.xlsx":
        from openpyxl import Workbook

        whole = folder / "whole.xlsx"
        book = Workbook()
        book.active.append(["Foretrukken term (da)", "Definition (da)"])
        book.save(whole)
        path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    elif name == "cl-formula-without-value.xlsx":  # a formula saved without its value (openpyxl writes none)
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["Foretrukken term (da)", "Definition (da)"])
        book.active.append(["Stik", '="Grænseflade "&"mellem ladepunkt og køretøj"'])
        book.save(path)
    elif name == "agendas/zip-without-document.docx":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "not a Word document")
    elif name == "big-literal.nq":  # one 50 MB literal: over Oxigraph's 16 MiB cap on one token
        with path.open("w", encoding="utf-8") as out:
            out.write('<http://e/s> <http://e/p> "' + "x" * 50_000_000 + '" <http://e/g> .\n')
    else:
        raise AssertionError(f"no generator for {name}")
    return path


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An on-disk store holding one graph, so that 'unchanged' is not trivially true of an empty store."""
    work = tmp_path_factory.mktemp("hostile")
    good = work / "good.ttl"
    good.write_text('<http://e/s> <http://e/p> "kept" .\n', encoding="utf-8")
    result = _kg(work, "load", str(good))
    assert result.exit_code == 0, result.output
    yield work


def _kg(work: Path, *args: str) -> object:
    env = {"KG_QUALITY_AFTER_LOAD": "0", "KG_INFER_AFTER_LOAD": "0", "KG_CONFIG": str(work / "none.toml")}
    return CliRunner().invoke(main, ["--store-path", str(work / "store"), "--base-iri", BASE, *args], env=env)


def _dump(work: Path) -> bytes:
    out = work / "dump.nq"
    result = _kg(work, "dump", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return out.read_bytes()


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60
    for case in CASES:
        assert case.get("generate") or (CORPUS / case["file"]).is_file(), case["file"]


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_input_is_refused_cleanly(case: dict[str, object], store_dir: Path, tmp_path: Path) -> None:
    name = str(case["file"])
    path = _generate(name, tmp_path) if case.get("generate") else CORPUS / name
    before = _dump(store_dir)
    result = _kg(store_dir, *str(case["command"]).split(), str(path))
    output = result.output  # type: ignore[attr-defined]
    exception = result.exception  # type: ignore[attr-defined]
    assert exception is None or isinstance(exception, SystemExit), f"{name}: {exception!r}"
    assert "Traceback" not in output
    assert result.exit_code == case["exit"], f"{name}: exit {result.exit_code}: {output}"  # type: ignore[attr-defined]
    errors = [line for line in output.splitlines() if line.startswith(("Error:", "failed", "error"))]
    assert errors, output
    assert any(Path(name).name in line for line in errors), f"{name} is not named: {output}"
    assert any(re.search(str(case["error"]), line) for line in errors), f"{name}: {output}"
    assert _dump(store_dir) == before, f"{name} changed the store"


@pytest.mark.slow
def test_a_50_mb_literal_in_turtle_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """The decision: a term over Oxigraph's 16 MiB token cap is refused with one line, memory bounded."""
    import subprocess
    import sys

    path = tmp_path / "big.ttl"
    with path.open("w", encoding="utf-8") as out:
        out.write('<http://e/s> <http://e/p> """' + "x" * 50_000_000 + '""" .\n')
    env = {**os.environ, "KG_QUALITY_AFTER_LOAD": "0", "KG_INFER_AFTER_LOAD": "0", "KG_BASE_IRI": BASE}
    store = str(tmp_path / "store")
    command = [sys.executable, "-c", "from kg.cli import main; main()", "--store-path", store]
    # The load's own peak, taken by a small parent with wait4: not RUSAGE_CHILDREN (the largest child of
    # the whole session), and not a child forked from this test process (its peak would count the
    # gigabytes of the test process it was a copy of until exec).
    measure = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, "
               "stderr=subprocess.PIPE); err = p.stderr.read(); _, status, usage = os.wait4(p.pid, 0); "
               "sys.stderr.buffer.write(err); print(usage.ru_maxrss); "
               "sys.exit(os.waitstatus_to_exitcode(status))")
    proc = subprocess.run([sys.executable, "-c", measure, *command, "load", str(path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "big.ttl: a single term is too large to read" in proc.stderr and "Traceback" not in proc.stderr
    peak_mb = int(proc.stdout.strip()) / 1024
    assert peak_mb < 1500, f"peak memory {peak_mb:.0f} MB for a 50 MB literal"
