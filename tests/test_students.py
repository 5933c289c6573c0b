"""Fixture students: every correct variant earns full marks, every mistake loses points."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, STUDENTS, failing, grade_file
from regquiz.manifest import load_manifest

PROBLEMS = load_manifest().ids


def _fixtures(prefix: str) -> list[Path]:
    return sorted(path for problem in PROBLEMS
                  for path in (STUDENTS / problem).glob(f"{prefix}_*.py"))


@pytest.mark.parametrize("problem", PROBLEMS)
def test_reference_solution_earns_full_marks(problem: str) -> None:
    result = grade_file(problem, REPO / "solutions" / f"{problem}.py")
    assert result.score == result.max_score, failing(result)
    assert result.passed


@pytest.mark.parametrize("problem", PROBLEMS)
def test_untouched_stub_earns_nothing(problem: str) -> None:
    result = grade_file(problem, REPO / "exercises" / f"{problem}.py")
    assert result.score == 0
    assert {test.status for test in result.tests} == {"fail"}
    assert all("still the stub" in test.message for test in result.tests)


@pytest.mark.parametrize("path", _fixtures("correct"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_correct_variant_earns_full_marks(path: Path) -> None:
    result = grade_file(path.parent.name, path)
    assert result.score == result.max_score, failing(result)


@pytest.mark.parametrize("path", _fixtures("wrong"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_mistake_loses_points_with_a_message(path: Path) -> None:
    result = grade_file(path.parent.name, path)
    assert result.score < result.max_score
    lost = [test for test in result.tests if test.status != "pass"]
    assert all(test.message for test in lost)


@pytest.mark.parametrize("path", _fixtures("donothing"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_module_that_does_nothing_scores_exactly_zero(path: Path) -> None:
    result = grade_file(path.parent.name, path)
    assert result.score == 0, [test.name for test in result.tests if test.score]
    assert all(test.message for test in result.tests)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_enough_fixture_students(problem: str) -> None:
    assert len(list((STUDENTS / problem).glob("correct_*.py"))) >= 3
    assert len(list((STUDENTS / problem).glob("wrong_*.py"))) >= 6
    kinds = {path.stem for path in (STUDENTS / problem).glob("donothing_*.py")}
    assert kinds == {f"donothing_{kind}" for kind in
                     ("first_argument", "zeros", "ones", "none", "constant")}
