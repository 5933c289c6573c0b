"""Diagnostics that are only true: each tailored message appears for its mistake and no other.

Every tailored diagnosis of the graded suites is listed in DIAGNOSES with the fixture student
that makes exactly that mistake.  Every fixture file (solutions, stubs, correct variants,
do-nothing bodies and mistakes) is graded once, and each message must appear for its own
fixture and for none of the others.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, STUDENTS, grade_file
from regquiz.checks import CheckFailed, Returned
from regquiz.manifest import load_manifest
from regquiz.results import CheckResult

PROBLEMS = load_manifest().ids

# (problem, a fragment of the tailored message, the fixture student that triggers it)
DIAGNOSES = [
    ("problem1", "enters your update with the wrong sign", "wrong_penalty_sign"),
    ("problem1", "is not multiplied by the learning rate", "wrong_decay_without_lr"),
    ("problem1", "you decayed the weights after the gradient step", "wrong_decay_after_step"),
    ("problem1", "you returned (w, v, m)", "wrong_returns_w_v_m"),
    ("problem1", "you subtracted λ·w without lr", "wrong_adamw_decay_without_lr"),
    ("problem1", "you decayed the already-updated weights", "wrong_adamw_decay_on_updated_w"),
    ("problem2", "forgetting the 1/N makes every step", "wrong_lasso_L_without_n"),
    ("problem3", "as if each unit were kept with the drop probability", "wrong_mask_bernoulli_p"),
    ("problem3", "is the source text's claim", "wrong_variance_from_source_text"),
    ("problem3", "σ²/(1 − p) is right only when μ = 0", "wrong_variance_ignores_mean"),
    ("problem4", "one step too few", "wrong_gd_filter_t_minus_one"),
    ("problem4", "one step too many", "wrong_gd_filter_t_plus_one"),
    ("problem4", "the share of each coordinate that ridge takes away", "wrong_ridge_filter_lam_over"),
    ("problem4", "sklearn's Ridge(alpha=λ)", "wrong_ridge_sklearn_alpha"),
    ("problem4", "has λ/2 on the diagonal", "wrong_ridge_half_lambda"),
    ("problem4", "is the least-squares solution, as if λ were 0", "wrong_ridge_pinv_ignores_lambda"),
    ("problem5", "these are the numbers of smooth_labels_uniform",
     "wrong_smooth_labels_torch_convention"),
    ("problem5", "these are the numbers of smooth_labels (", "wrong_uniform_is_subject_convention"),
    ("problem5", "whose columns sum to 1", "wrong_softmax_axis0"),
    ("problem5", "exp(1e4) overflows to inf", "wrong_softmax_no_max_shift"),
    ("problem5", "log 0 = −inf", "wrong_cross_entropy_log_of_softmax"),
    ("problem5", "that is the SUM of the", "wrong_cross_entropy_sum_not_mean"),
    ("problem5", "you returned the targets y", "wrong_grad_is_y_from_source_text"),
    ("problem5", "is the derivative of −Σₖ yₖzₖ alone", "wrong_grad_minus_targets"),
    ("problem5", "the sign is flipped", "wrong_grad_sign"),
    ("problem5", "times too large: the loss is the MEAN", "wrong_grad_no_divide_by_n"),
    ("problem5", "counts only the true class", "wrong_floor_from_source_text"),
    ("problem5", "that is the entropy of the row made by", "wrong_min_ce_eps_over_k"),
]


def _files() -> list[tuple[str, Path]]:
    files = []
    for problem in PROBLEMS:
        files += [(problem, REPO / "solutions" / f"{problem}.py"),
                  (problem, REPO / "exercises" / f"{problem}.py")]
        files += [(problem, path) for path in sorted((STUDENTS / problem).glob("*.py"))]
    return files


@cache
def _graded(problem: str, path: Path) -> CheckResult:
    return grade_file(problem, path)


def _messages(result: CheckResult) -> str:
    return "\n".join(test.message for test in result.tests)


@pytest.mark.parametrize(("problem", "path"), _files(),
                         ids=[f"{problem}/{path.parent.name}/{path.stem}" for problem, path in _files()])
def test_a_tailored_message_appears_for_its_mistake_only(problem: str, path: Path) -> None:
    text = _messages(_graded(problem, path))
    for owner, fragment, fixture in DIAGNOSES:
        mine = owner == problem and path.parent == STUDENTS / problem and path.stem == fixture
        assert (fragment in text) == mine, (fragment, fixture, path.name)


def test_every_diagnosis_names_an_existing_mistake() -> None:
    for problem, _fragment, fixture in DIAGNOSES:
        assert (STUDENTS / problem / f"{fixture}.py").is_file(), fixture
        assert fixture.startswith("wrong_")


class _Local:
    """A stand-in for the sandbox proxy: calls a trusted function in this process."""

    def __init__(self, problem: str, functions: dict) -> None:
        self.problem = load_manifest().problem(problem)
        self.functions = functions

    def call(self, function: str, *args: object) -> Returned:
        return Returned(function, self.functions[function](*args))


def test_the_optimality_check_always_catches_an_unclamped_soft_threshold() -> None:
    from regquiz.suites import problem2

    student = _Local("problem2", {"soft_threshold": lambda mu, lam: mu - lam * np.sign(mu)})
    for seed in range(2000):
        with pytest.raises(CheckFailed):
            problem2.test_soft_threshold_optimality(student, np.random.default_rng(seed))


def test_a_check_whose_prerequisite_fails_is_held_and_points_at_that_function() -> None:
    result = _graded("problem5", STUDENTS / "problem5" / "wrong_grad_sign.py")
    tests = {test.name: test for test in result.tests}
    held = tests["cross_entropy_grad_finite_differences"]
    assert held.status == "fail" and held.score == 0
    assert held.message.startswith("held back this check is judged only once")
    assert "cross_entropy_grad_formula" in held.message
    assert held.message.splitlines()[-2] == "work on   cross_entropy_grad"
    assert "returned" not in held.message  # the mistake is told once, by the direct check


def test_the_pointer_names_the_function_whose_direct_check_failed() -> None:
    result = _graded("problem4", STUDENTS / "problem4" / "wrong_ridge_filter_lam_over.py")
    for test in result.tests:
        if test.status != "pass":
            assert test.message.splitlines()[-2] == "work on   ridge_filter_factors", test.name


def test_the_finiteness_check_comes_after_the_tailored_diagnoses() -> None:
    result = _graded("problem5", STUDENTS / "problem5" / "wrong_softmax_no_max_shift.py")
    [stable] = [test for test in result.tests if test.name == "softmax_stable"]
    assert "subtract each row's maximum" in stable.message
