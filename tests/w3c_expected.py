"""The W3C SPARQL tests kg is expected to fail, each with its reason; the list is ``w3c_expected.toml``.

Two kinds of reason, and nothing else:

* ``engine``: kg answers exactly what its engine (pyoxigraph 0.5.13) answers on the same input, and
  the engine differs from the suite; the reason names the behaviour and its upstream reference.
  ``tests/test_sparql_w3c_suites.py`` checks kg's answer against the bare engine's for each.
* ``policy``: kg refuses the request on purpose (403, problem type ``policy``) before any engine
  sees it; the test checks the refusal is that one.

A listed test that passes fails the run: the list must shrink when the engine is upgraded.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

LIST = Path(__file__).with_suffix(".toml")


def _load(path: Path) -> dict[str, tuple[str, str]]:
    """Each listed test's kind and reason.  The file states each reason once, with the tests it
    explains, since one behaviour of the engine or one rule of kg's explains several; a test listed
    under two reasons is an error rather than one reason silently winning."""
    expected: dict[str, tuple[str, str]] = {}
    for reason in tomllib.loads(path.read_text(encoding="utf-8"))["reason"]:
        for name in reason["tests"]:
            if name in expected:
                raise ValueError(f"{path}: {name} is listed under two reasons")
            expected[name] = (reason["kind"], reason["text"])
    return expected


EXPECTED: dict[str, tuple[str, str]] = _load(LIST)
