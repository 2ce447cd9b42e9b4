"""Every shapes file under shapes/: a conforming example, and for every shape a change that breaks exactly it.

The concerns are the shapes files themselves, so a new shapes file fails here until it has its fixtures
(``tests/shape_cases.py`` says what they hold).
"""

from __future__ import annotations

import pytest

from tests.shape_cases import ROOT, cases, check_case, named_property_shapes, run

CONCERNS = sorted(p.stem for p in (ROOT / "shapes").glob("*.ttl"))
CASES = [(concern, case) for concern in CONCERNS for case in cases(concern)]


def test_the_shapes_folder_is_read() -> None:
    assert {"dcat-ap-dk", "decisions", "conceptlists"} <= set(CONCERNS)


@pytest.mark.parametrize("concern", CONCERNS)
def test_the_good_example_conforms_without_any_result(concern: str) -> None:
    assert run(concern) == []


@pytest.mark.parametrize("concern", CONCERNS)
def test_every_shape_has_a_case(concern: str) -> None:
    covered = {c["shape"] for c in cases(concern)}
    assert named_property_shapes(concern) - covered == set()


@pytest.mark.parametrize(("concern", "case"), CASES, ids=[f"{c}:{case['shape']}" for c, case in CASES])
def test_case(concern: str, case: dict[str, object]) -> None:
    check_case(concern, case)
