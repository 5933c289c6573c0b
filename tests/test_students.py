"""Fixture students: every correct variant earns full marks, every mistake loses points."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, STUDENTS, failing, grade_file
from regquiz.manifest import load_manifest

PROBLEMS = load_manifest().ids
CLOSED_FORMS = ("closed form:", "sign(μ)·max", "σ²/(1 − p) +", "1 − (1 − lr·s)^t", "1/(lr·t)",
                "0.545", "(softmax(z) − targets)", "w ← ", "2/(2 + λ)", "s/(s + λ)",
                "w₁h₁ + w₂h₂", "ε·log(ε/(K − 1))")


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
    for test in lost:  # no hint seen yet: the message names the function, not its closed form
        assert test.message.splitlines()[-2].startswith("work on"), test.name
        assert test.message.splitlines()[-1].startswith("hint      regquiz hint "), test.name
        given = [fragment for fragment in CLOSED_FORMS if fragment in test.message]
        assert not given, f"{test.name} states {given} before the last hint"


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
