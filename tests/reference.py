"""Published reference material the conformance tests read: found through one setting, never copied.

The official DCAT-AP and DCAT-AP-DK shapes, the W3C SPARQL suites and the Protocol manifest are other
people's files.  They stay outside the repository; ``KG_REFERENCE_DIR`` names the folder that holds them
(default: ``../shared/reference`` beside the checkout, where it exists).  A test that needs a file that
is not there skips with one line saying what to set and where the file is published.  Where the folder
exists, no test may skip: :func:`fail_on_skips` turns a skip into a failure then (``KG_ALLOW_SKIPS`` lifts
that).  This module is the only place that knows where the material is.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Where each top-level folder of the reference material is published.
PUBLISHED = {
    "dcat-ap-2.1.1": "SEMIC, https://github.com/SEMICeu/DCAT-AP (releases/2.1.1)",
    "dcat-ap-3.0.1": "SEMIC, https://github.com/SEMICeu/DCAT-AP (releases/3.0.1/html/shacl)",
    "dcat-ap-dk-2.0.2": "Digitaliseringsstyrelsen, https://github.com/digst/DCAT-AP-DK (releases/v.2.0)",
    "dqv": "W3C, https://github.com/w3c/dwbp, and https://gitlab.com/piveau (piveau-vocabularies)",
    "w3c-sparql11-protocol": "W3C, https://github.com/w3c/rdf-tests (sparql/sparql11/protocol)",
    "w3c-rdf-tests": "W3C, https://github.com/w3c/rdf-tests (sparql/)",
}


def reference_dir() -> Path:
    """The folder ``KG_REFERENCE_DIR`` names, else ``../shared/reference`` beside the checkout."""
    configured = os.environ.get("KG_REFERENCE_DIR", "").strip()
    return Path(configured) if configured else ROOT.parent / "shared" / "reference"


def available() -> bool:
    """Whether the reference folder is there (then every conformance test must run)."""
    return reference_dir().is_dir()


def reference_path(*parts: str) -> Path:
    """A file of the reference material, or skip the test saying what is missing and where to get it."""
    path = reference_dir().joinpath(*parts)
    if not path.exists():
        source = PUBLISHED.get(parts[0], "the W3C and SEMIC publications") if parts else ""
        pytest.skip(f"reference material missing: {'/'.join(parts)} (set KG_REFERENCE_DIR to a folder "
                    f"holding it; published by {source})")
    return path


def _skips_fail() -> bool:
    return available() and not os.environ.get("KG_ALLOW_SKIPS")


def fail_on_skips(session: pytest.Session, exitstatus: int) -> None:
    """Where the reference material is present, a skipped test is a failure: nothing may go unchecked."""
    if not _skips_fail():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0:
        session.exitstatus = 1


def report_skips(reporter: pytest.TerminalReporter) -> None:
    """What was skipped, and whether that fails the run (the reasons are in pytest's own summary)."""
    skipped = reporter.stats.get("skipped", [])
    if not skipped:
        return
    if _skips_fail():
        reporter.write_line(f"{len(skipped)} test(s) skipped although the reference material is at "
                            f"{reference_dir()}: that fails the run", red=True)
    else:
        reporter.write_line(f"{len(skipped)} test(s) skipped: the reference material is not at "
                            f"{reference_dir()} (set KG_REFERENCE_DIR); the reasons are listed above",
                            yellow=True)
