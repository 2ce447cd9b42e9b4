"""Bad input to the agenda ingest: one clear line naming the file, exit 1, the store untouched.

Also: warnings carry line numbers and ``--strict`` makes them fatal, and random text never
crashes the parser (hypothesis): it either returns a graph or raises AgendaError.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.namespace import DCTERMS

from kg.cli import main
from kg.config import Settings
from kg.ingest.agenda import AgendaError, read_agenda
from tests.conftest import ROOT

AGENDA = ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md"
FIXTURES = ROOT / "tests" / "fixtures" / "agendas"


def _docx_without_agenda(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Referat af et møde, men ingen dagsorden.")
    document.save(str(path))


BAD = {  # file name, content (bytes or a writer), what the message must say
    "empty.md": (b"", "empty file"),
    "blank.md": (b"\n  \n\t\n", "empty file"),
    "binary.md": (bytes(range(256)) * 4, "binary"),
    "latin1.md": ("Dato: 30-11-2023\n## 2.2. Møde på Fanø\n".encode("latin-1"), "not UTF-8"),
    "word-named.md": (b"PK\x03\x04" + b"\x00" * 64, "binary"),
    "notes.md": (b"# Noter\n\nBare noget tekst uden dato og punkter.\n", "no meeting date"),
    "no-items.md": (b"# IT-ARKITEKTURRAADET\n\n**Dato:** 30-11-2023 10:00\n\nIngen punkter.\n",
                    "no agenda items"),
    "bad-date.md": (b"**Dato:** 31-02-2023\n\n## 2.2. Et punkt\n", "no meeting date"),
    "corrupt.docx": (b"this is not a zip file at all", "not a readable Word document"),
    "truncated.docx": (None, "not a readable Word document"),
    "no-agenda.docx": (_docx_without_agenda, "no meeting date"),
    "agenda.pdf": (b"%PDF-1.4\n", "expected .md or .docx"),
}


def _write(tmp: Path, name: str) -> Path:
    content, _ = BAD[name]
    path = tmp / name
    if name == "truncated.docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types")
        path.write_bytes(buffer.getvalue()[:40])
    elif callable(content):
        content(path)
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_clear_error(name: str, tmp_path: Path, settings: Settings) -> None:
    path = _write(tmp_path, name)
    with pytest.raises(AgendaError) as caught:
        read_agenda(path, settings)
    message = str(caught.value)
    assert BAD[name][1] in message and "\n" not in message


def test_a_missing_file_and_a_bad_body_key(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(AgendaError, match="no such file"):
        read_agenda(tmp_path / "absent.md", settings)
    with pytest.raises(AgendaError, match="not a slug"):
        read_agenda(AGENDA, settings, body="It Arkitekturråd")


def _run(store_path: Path, *args: str) -> tuple[int, str]:
    runner = CliRunner()
    outcome = runner.invoke(main, ["--store", "embedded", "--store-path", str(store_path), *args])
    return outcome.exit_code, outcome.output


def _dump(store_path: Path) -> str:
    code, output = _run(store_path, "dump")
    assert code == 0, output
    return output


@pytest.fixture(scope="module")
def loaded_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store holding the seed agenda, loaded through the command line."""
    path = tmp_path_factory.mktemp("store")
    code, output = _run(path, "ingest", "agenda", str(AGENDA))
    assert code == 0, output
    assert "loaded" in output and "9 items" in output
    return path


@pytest.mark.parametrize("name", ["empty.md", "binary.md", "notes.md", "corrupt.docx", "no-agenda.docx"])
def test_the_command_fails_cleanly_and_leaves_the_store_alone(name: str, tmp_path: Path,
                                                              loaded_store_path: Path) -> None:
    before = _dump(loaded_store_path)
    path = _write(tmp_path, name)
    code, output = _run(loaded_store_path, "ingest", "agenda", str(path))
    assert code == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: ") and BAD[name][1] in lines[0]
    assert "Traceback" not in output
    assert _dump(loaded_store_path) == before


def test_warnings_have_line_numbers_and_strict_makes_them_fatal(loaded_store_path: Path,
                                                                settings: Settings) -> None:
    result = read_agenda(FIXTURES / "warnings.md", settings)
    assert result.warnings == [
        "line 21: item 1.1: the recommendation is addressed to 'Et Ukendt Organ', not to this document's "
        "body (IT-ARKITEKTURRÅDET); kept as a name",
        "line 24: item 1.1: recommendation 2 'udpeger en arbejdsgruppe' is of a kind the scheme does not "
        "list ('udpeger'); kept as 'andet'",
    ]
    assert result.missing == ["1.1 baggrund"]
    # text under a section before its first item, and under an item before its first part, is kept
    described = {str(o) for o in result.graph.objects(None, DCTERMS.description)}
    assert described == {"Tekst i afsnittet uden for noget punkt.", "Tekst før første del."}
    before = _dump(loaded_store_path)
    code, output = _run(loaded_store_path, "ingest", "agenda", str(FIXTURES / "warnings.md"), "--strict")
    assert code == 1 and "2 warning(s) and --strict; nothing loaded" in output
    assert "line 24: item 1.1" in output
    assert _dump(loaded_store_path) == before
    code, output = _run(loaded_store_path, "ingest", "agenda", str(FIXTURES / "warnings.md"), "--dry-run",
                        "--format", "ttl")
    assert code == 0 and "nothing loaded" in output and "besluit:Agendapunt" in output
    assert _dump(loaded_store_path) == before


# -- random text never crashes the parser ------------------------------------------------------

FRAGMENTS = [
    "# IT-ARKITEKTURRÅDET", "**Dato:** 30-11-2023 10:00", "**Sted:** KOMBIT", "# 1. Siden sidst",
    "## 1.1. Siden sidst", "## 2. Drøftelsessager", "### 2.2. Et punkt", "**2.9. Afrapportering**",
    "SAG-2022-04763 Torben Mathisen", "MOD-2023-00073 [Click here to enter text.](#)", "### **Baggrund**",
    "### Indstilling", "Sekretariatet indstiller, at It-Arkitekturrådet:", "- drøfter noget", "- ./.", "./.",
    "### **Sagsfremstilling**", "**Bilag:**", "Præsentation – September 2023", "1. Et produkt",
    "***Arkitekturboards møde 29. august 2023***",
    "#### *Arkitekturboards udtalelse fra mødet 29. august 2023*",
    "##### **Et produkt**", "Produktet blev godkendt med følgende bemærkninger:", "risici:<sup>1</sup>",
    "---",
    "1", "<https://example.org/x>", "1.1.\tSiden sidst .....\t3", "Her skrives baggrunde", "", "  ",
    "boardets 17. og 18. møde", "[link](https://example.org)", "<b>2.</b>\t<b>Drøftelsessager</b>\t<b>4</b>",
]


def _check(text: str, suffix: str = ".md") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"agenda{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            result = read_agenda(path, Settings(store="memory"))
        except AgendaError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        assert isinstance(result.graph, Graph) and len(result.graph) > 0
        result.graph.serialize(format="nt")


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_random_text_never_crashes(text: str) -> None:
    _check(text)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=40))
def test_random_agenda_like_text_never_crashes(lines: list[str]) -> None:
    _check("\n".join(lines))


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_as_word_never_crash(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agenda.docx"
        path.write_bytes(data)
        with pytest.raises(AgendaError):
            read_agenda(path, Settings(store="memory"))
