"""shapes/dcat-ap-dk.ttl: a conforming catalogue, and for every shape a change that breaks exactly it."""

from __future__ import annotations

import pytest

from tests.shape_cases import cases, check_case, named_property_shapes, run

CONCERN = "dcat-ap-dk"


def test_good_catalogue_conforms_without_warnings() -> None:
    assert run(CONCERN) == []


def test_every_shape_has_a_case() -> None:
    covered = {c["shape"] for c in cases(CONCERN)}
    assert named_property_shapes(CONCERN) - covered == set()


@pytest.mark.parametrize("case", cases(CONCERN), ids=lambda c: str(c["shape"]))
def test_case(case: dict[str, object]) -> None:
    check_case(CONCERN, case)
