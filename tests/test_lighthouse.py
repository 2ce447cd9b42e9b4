"""Lighthouse on a real ``kg serve``: six page types within the budgets, on Lighthouse's mobile profile.

Lighthouse (``lighthouse@12.2.3``, pinned in ``package.json``) drives Debian's Chromium against
a server started the way a user starts it, default settings.  The budgets fail the run:
performance ≥ 90, accessibility 100, best practices ≥ 95, SEO ≥ 95.  Each page's scores and
transfer size are written to ``tests/artifacts/lighthouse.json`` (``docs/web.md`` explains them).

Lighthouse sometimes cannot record a trace at all ("NO_NAVSTART"); such a run has no scores and is
repeated, up to twice.  A run with scores is never repeated.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browsers import CHROMIUM
from tests.kg_server import KgServer, kg_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = {
    "home": "/", "meeting": "/id/meeting/it-arkitekturraadet/2023-11-30", "product": "/id/product/dcat-ap-dk",
    "catalog": "/catalog", "search": "/search?q=ladepunkt", "sparql": "/sparql",
}
#: The lowest score (0–100) each category may have.
BUDGETS = {"performance": 90, "accessibility": 100, "best-practices": 95, "seo": 95}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KgServer]:
    if not LIGHTHOUSE.exists() or not CHROMIUM.exists():
        missing = "lighthouse (npm ci)" if not LIGHTHOUSE.exists() else "Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is not installed: the setup must install it")
        pytest.skip(f"{missing} is not installed")
    with kg_serve(tmp_path_factory.mktemp("lighthouse")) as running:
        yield running


def _lighthouse(url: str, out: Path) -> dict[str, object]:
    for _ in range(3):
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
             "--only-categories=performance,accessibility,best-practices,seo",
             "--chrome-flags=--headless --no-sandbox --disable-gpu"],
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, check=False, timeout=180,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        report = json.loads(out.read_text(encoding="utf-8"))
        if not report.get("runtimeError"):
            return report  # type: ignore[no-any-return]
    raise AssertionError(f"Lighthouse could not measure {url}: {report['runtimeError']}")


def test_every_page_type_holds_its_budgets(server: KgServer, tmp_path: Path) -> None:
    figures: dict[str, dict[str, object]] = {}
    failures: list[str] = []
    for name, path in PAGES.items():
        report = _lighthouse(server.url + path, tmp_path / f"{name}.json")
        categories = report["categories"]  # type: ignore[index]
        audits = report["audits"]  # type: ignore[index]
        scores = {c: round((categories[c]["score"] or 0) * 100) for c in BUDGETS}  # type: ignore[index]
        below = [a for a, v in audits.items()  # type: ignore[attr-defined]
                 if v.get("score") is not None and v["score"] < 1
                 and v.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
        figures[name] = {"path": path, **scores,
                         "transfer_bytes": int(audits["total-byte-weight"]["numericValue"]),  # type: ignore[index]
                         "first_contentful_paint": audits["first-contentful-paint"]["displayValue"],  # type: ignore[index]
                         "audits_below_full_marks": below}
        failures += [f"{name} ({path}): {c} {scores[c]} < {low}; audits below full marks: {below}"
                     for c, low in BUDGETS.items() if scores[c] < low]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "lighthouse.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    assert not failures, "\n".join(failures)
