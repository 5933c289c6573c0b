"""The data behind each `regquiz plot` figure, asserted numerically (never the pixels).

Solutions, real mistakes from tests/students and broken functions are all called through the
sandbox, as `plot` calls them; nothing here needs matplotlib.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, STUDENTS
from plot_helpers import (PROBLEMS, SIZE, mpl, problem2_with, reference_data, run, student_data,
                          write_student)
from regquiz import paths
from regquiz.manifest import load_manifest
from regquiz.plots import problems
from regquiz.plots.draw import png_size
from regquiz.sandbox import Limits

__all__ = ["mpl"]  # a fixture


def test_every_problem_of_the_manifest_has_a_figure() -> None:
    assert set(problems.BUILDERS) == set(PROBLEMS)


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_the_solution_as_a_student_equals_the_reference(problem_id: str) -> None:
    data = student_data(problem_id, REPO / "solutions" / f"{problem_id}.py")
    assert data.failures == () and data.failure_line == ""
    assert data.reference_from == "solutions"
    students = data.series_of("student")
    compared = 0
    for series in students:
        twin = data.twin(series)
        if twin is None:
            continue
        np.testing.assert_allclose(series.x, twin.x, rtol=0, atol=0)
        np.testing.assert_allclose(series.y, twin.y, rtol=1e-9, atol=1e-12)
        compared += 1
    assert students and compared >= len(students) - 1  # problem3's Monte Carlo has no twin
    assert all("reference" in s.label for s in data.series_of("reference") if s.label)


def test_problem1_sgd_forms_coincide_and_adam_forms_do_not() -> None:
    data = reference_data("problem1")
    l2, decay = data.find("SGD + L2 (reference)"), data.find("SGD + weight decay (reference)")
    np.testing.assert_allclose(np.c_[l2.x, l2.y], np.c_[decay.x, decay.y], rtol=0, atol=1e-12)
    adam, adamw = data.find("Adam + L2 (reference)"), data.find("AdamW (reference)")
    assert np.hypot(adam.x[-1] - adamw.x[-1], adam.y[-1] - adamw.y[-1]) > 0.5
    minimum = problems.P1_CURVATURE * problems.P1_CENTRE / (problems.P1_CURVATURE + problems.P1_LAM)
    assert (l2.x[0], l2.y[0]) == tuple(problems.P1_START)
    np.testing.assert_allclose([l2.x[-1], l2.y[-1]], minimum, atol=1e-3)
    np.testing.assert_allclose([adam.x[-1], adam.y[-1]], minimum, atol=1e-2)  # L2 is a loss
    assert len(l2.x) == problems.P1_SGD[1] + 1 and len(adam.x) == problems.P1_ADAM[1] + 1


def test_problem2_dead_zone_ridge_and_exact_lasso_zeros() -> None:
    data = reference_data("problem2")
    for lam in problems.P2_LAMS:
        soft = data.find(f"soft_threshold, λ = {lam:g} (reference)")
        dead = np.abs(soft.x) <= lam
        assert np.all(soft.y[dead] == 0.0) and np.all(soft.y[~dead] != 0.0)
        np.testing.assert_allclose(soft.y[~dead], soft.x[~dead] - lam * np.sign(soft.x[~dead]))
    ridge = [s for s in data.series_of("context") if s.style == "dashed"]
    assert len(ridge) == len(problems.P2_LAMS)
    for series, lam in zip(ridge, problems.P2_LAMS):
        np.testing.assert_allclose(series.y, series.x / (1 + lam))
    coefficients = [s for s in data.panels[1].series if s.style == "line"]
    path = np.array([s.y for s in coefficients]).T  # one row per λ
    assert np.count_nonzero(path[0] == 0.0) == 0  # the smallest λ: nothing is zero
    assert np.count_nonzero(path[-1] == 0.0) >= 3  # the largest: most are exactly zero
    zeros = data.find("exactly 0.0 (reference)")
    assert zeros.style == "points" and zeros.x.size == np.count_nonzero(path == 0.0)


def test_problem3_exact_variance_monte_carlo_band_and_the_wrong_formula() -> None:
    data = reference_data("problem3")
    p, mu, s2 = problems.P3_P, problems.P3_MU, problems.P3_SIGMA2
    exact = data.find("dropout_moments variance (reference)")
    np.testing.assert_allclose(exact.y, s2 / (1 - p) + mu**2 * p / (1 - p), rtol=1e-12)
    assert exact.y[p == 0.5] == pytest.approx(3.0)
    wrong = data.find("source text's σ²·p/(1 − p) (wrong)")
    assert wrong.kind == "context" and wrong.style == "dashed"
    np.testing.assert_allclose(wrong.y, s2 * p / (1 - p))
    monte_carlo = data.find(f"Monte Carlo, inverted_dropout (±{problems.P3_BAND:g} SE) (reference)")
    assert monte_carlo.band is not None
    low, high = monte_carlo.band
    assert np.all(low <= exact.y) and np.all(exact.y <= high)
    half_width = (high - low) / 2
    assert np.all(half_width[1:] > 0) and np.all(half_width < 0.1 * exact.y)


def test_monte_carlo_standard_error_is_that_of_the_sample_variance() -> None:
    out = np.random.default_rng(0).normal(size=100_000) * 2.0
    variance, error = problems.monte_carlo_variance(out)
    assert variance == pytest.approx(4.0, rel=0.02)
    assert error == pytest.approx(np.sqrt((3 * 16 - 16) / out.size), rel=0.05)  # m₄ = 3σ⁴


def test_problem4_filter_factors_and_the_matching_lambda() -> None:
    data = reference_data("problem4")
    s, lr = problems.P4_EIGVALS, problems.P4_LR
    for t in problems.P4_STEPS:
        gd = data.find(f"gradient descent, t = {t} (reference)")
        np.testing.assert_allclose(gd.y, 1 - (1 - lr * s) ** t, rtol=1e-12)
        ridge = data.find(f"ridge at the matching λ for t = {t} (reference)")
        np.testing.assert_allclose(ridge.y, s / (s + 1 / (lr * t)), rtol=1e-12)
    markers = [m for m in data.panels[0].markers if m.kind == "reference"]
    assert [m.x for m in markers] == pytest.approx([1 / (lr * t) for t in problems.P4_STEPS])
    assert all(m.y == 0.5 for m in markers)
    assert data.panels[0].xscale == "log"


def test_problem5_floors_the_marked_point_and_the_source_texts_value() -> None:
    data = reference_data("problem5")
    eps = problems.P5_EPS
    subject = data.find("min_cross_entropy (this subject: ε/(K − 1)) (reference)")
    uniform = data.find("entropy of smooth_labels_uniform (torch: ε/K) (reference)")
    k = problems.P5_K
    with np.errstate(divide="ignore", invalid="ignore"):
        want = -np.nan_to_num((1 - eps) * np.log(1 - eps)) - np.nan_to_num(eps * np.log(eps / (k - 1)))
    np.testing.assert_allclose(subject.y, want, atol=1e-12)
    at = subject.y[np.isclose(eps, 0.1)][0]
    assert at == pytest.approx(0.5448, abs=1e-4)
    top = 1 - 0.1 + 0.1 / k
    assert uniform.y[np.isclose(eps, 0.1)][0] == pytest.approx(
        -top * np.log(top) - (k - 1) * (0.1 / k) * np.log(0.1 / k))
    assert np.all(uniform.y[1:] < subject.y[1:])
    wrong = data.find("source text's −log(1 − ε) (wrong)")
    np.testing.assert_allclose(wrong.y, -np.log(1 - eps))
    labels = {m.label for m in data.panels[0].markers}
    assert "K = 10, ε = 0.1" in labels and "−log 0.9 ≈ 0.105" in labels  # no floor: not earned


def test_the_legend_names_results_only_once_they_are_earned() -> None:
    from regquiz.plots.command import reference_source

    for problem_id, earned, label in [
            ("problem4", "early_stopping_lambda", "ridge, λ = 1/(lr·t) = 0.1 (reference)"),
            ("problem5", "min_cross_entropy", "K = 10, ε = 0.1: 0.545 nats")]:
        problem = load_manifest().problem(problem_id)
        trusted, origin = reference_source(problem)
        for given, shown in [(frozenset(), False), (frozenset({earned}), True)]:
            data = problems.build_figure(problem_id, problem.title, None, trusted, origin, given)
            words = {s.label for p in data.panels for s in p.series} | {
                m.label for p in data.panels for m in p.markers}
            assert (label in words) is shown, (problem_id, given)


def test_without_solutions_the_checks_closed_forms_give_the_same_figures(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from_solutions = {pid: reference_data(pid) for pid in PROBLEMS}
    monkeypatch.setattr(paths, "solutions_dir", lambda: None)  # as in the students' wheel
    for pid in PROBLEMS:
        fallback = reference_data(pid)
        assert (from_solutions[pid].reference_from, fallback.reference_from) == ("solutions",
                                                                                 "formulas")
        for ours, theirs in zip(from_solutions[pid].panels, fallback.panels, strict=True):
            assert [s.label for s in ours.series] == [s.label for s in theirs.series]
            for a, b in zip(ours.series, theirs.series):
                np.testing.assert_allclose(a.y, b.y, rtol=1e-12, atol=1e-14)


def test_a_ridge_like_soft_threshold_differs_from_the_reference(tmp_path: Path) -> None:
    path = write_student(tmp_path, "problem2", problem2_with("return np.asarray(mu) / (1 + lam)"))
    data = student_data("problem2", path)
    assert data.failures == ()
    for lam in problems.P2_LAMS:
        yours = data.find(f"soft_threshold, λ = {lam:g} (yours)")
        reference = data.twin(yours)
        assert reference is not None
        dead = (np.abs(yours.x) <= lam) & (yours.x != 0)
        assert np.all(yours.y[dead] != 0.0)  # no dead zone
        assert np.abs(yours.y - reference.y).max() > 0.3


MUTANTS = [  # (problem, fixture student, the key of the series that must move off the reference)
    ("problem1", "wrong_decay_after_step", "SGD + weight decay"),
    ("problem1", "wrong_adam_l2_is_adamw", "Adam + L2"),
    ("problem2", "wrong_hard_threshold", "soft_threshold, λ = 1"),
    ("problem4", "wrong_gd_filter_t_plus_one", "gradient descent, t = 10"),
    ("problem4", "wrong_ridge_filter_lam_over", "ridge at the matching λ for t = 100"),
    ("problem5", "wrong_uniform_uses_k_minus_1", "entropy of smooth_labels_uniform (torch: ε/K)"),
    ("problem5", "wrong_floor_from_source_text", "min_cross_entropy (this subject: ε/(K − 1))"),
]


@pytest.mark.parametrize(("problem_id", "mutant", "key"), MUTANTS)
def test_a_real_mistake_is_drawn_off_the_reference(problem_id: str, mutant: str,
                                                   key: str) -> None:
    data = student_data(problem_id, STUDENTS / problem_id / f"{mutant}.py")
    [yours] = [s for s in data.series_of("student") if s.key == key]
    twin = data.twin(yours)
    assert twin is not None
    gap = np.hypot(yours.x - twin.x, yours.y - twin.y).max()
    assert gap > 1e-3 * max(1.0, float(np.abs(twin.y).max())), (mutant, gap)
    assert data.failures == ()  # wrong, not broken: it is drawn, and exit 0


def test_a_subgradient_lasso_never_lands_on_zero() -> None:
    data = student_data("problem2", STUDENTS / "problem2" / "wrong_lasso_subgradient.py")
    assert data.find("exactly 0.0 (yours)").x.size == 0
    assert data.find("exactly 0.0 (reference)").x.size >= 10


def test_the_source_texts_floor_lands_on_the_dashed_curve() -> None:
    data = student_data("problem5", STUDENTS / "problem5" / "wrong_floor_from_source_text.py")
    np.testing.assert_allclose(data.find("min_cross_entropy (this subject: ε/(K − 1)) (yours)").y,
                               data.find("source text's −log(1 − ε) (wrong)").y)


def test_a_wrong_early_stopping_lambda_moves_its_markers() -> None:
    data = student_data("problem4", STUDENTS / "problem4" / "wrong_early_stopping_lr_times_t.py")
    yours = [m.x for m in data.panels[0].markers if m.kind == "student"]
    assert yours == pytest.approx([problems.P4_LR * t for t in problems.P4_STEPS])


def test_dropout_without_the_inverted_scaling_leaves_the_band(tmp_path: Path) -> None:
    data = student_data("problem3", STUDENTS / "problem3" / "wrong_no_scaling.py")
    monte_carlo = data.find(f"Monte Carlo, inverted_dropout (±{problems.P3_BAND:g} SE) (yours)")
    exact = data.find("dropout_moments variance (reference)")
    assert monte_carlo.band is not None
    half_width = (monte_carlo.band[1] - monte_carlo.band[0]) / 2
    far = np.abs(monte_carlo.y - exact.y) > 5 * half_width
    assert np.all(far[problems.P3_P >= 0.2])


def test_the_source_texts_variance_lands_on_the_dashed_curve() -> None:
    data = student_data("problem3", STUDENTS / "problem3" / "wrong_variance_from_source_text.py")
    yours = data.find("dropout_moments variance (yours)")
    np.testing.assert_allclose(yours.y, data.find("source text's σ²·p/(1 − p) (wrong)").y)
    assert np.abs(yours.y - data.find("dropout_moments variance (reference)").y).min() >= 1.0


STUDENT_FAILURES = [
    ("return np.zeros(3)", "soft_threshold returned shape (3,) where shape (301,) was expected"),
    ("raise ValueError('no')", "soft_threshold raised ValueError"),
    ("raise type('not a name!', (Exception,), {})()", "soft_threshold raised an exception"),
    ("return np.full(np.shape(mu), np.nan)",
     "soft_threshold returned values that are not finite (nan or inf)"),
    ("return [str(x) for x in mu]", "soft_threshold returned something that is not an array of "
                                    "numbers"),
    ("import os; os._exit(3)", "soft_threshold ended the process running it"),
]


@pytest.mark.parametrize(("body", "said"), STUDENT_FAILURES)
def test_a_failing_function_is_named_and_the_others_still_drawn(body: str, said: str,
                                                               tmp_path: Path) -> None:
    path = write_student(tmp_path, "problem2", problem2_with(body))
    data = student_data("problem2", path)
    assert [str(f) for f in data.failures] == [said]
    assert said in data.failure_line
    assert data.find("lasso_ista coefficients (yours)").kind == "student"
    assert not [s for s in data.series_of("student") if "soft_threshold" in s.label]


def test_a_function_that_never_returns_times_out_quickly(tmp_path: Path) -> None:
    import time

    path = write_student(tmp_path, "problem2", problem2_with("import time; time.sleep(3600)"))
    started = time.monotonic()
    data = student_data("problem2", path, limits=Limits(time_budget=4.0, call_time=0.5))
    assert time.monotonic() - started < 4.0
    assert [str(f) for f in data.failures] == ["soft_threshold did not return in time"]
    assert data.find("lasso_ista coefficients (yours)").kind == "student"  # in a fresh child


def test_a_missing_function_and_an_unloadable_file(tmp_path: Path) -> None:
    path = write_student(tmp_path, "problem2", "import numpy as np\n\ndef soft_threshold(mu, lam):"
                         "\n    return np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0)\n")
    data = student_data("problem2", path)
    assert [str(f) for f in data.failures] == ["lasso_ista is not defined in your file"]
    (tmp_path / "broken").mkdir()
    broken = write_student(tmp_path / "broken", "problem2", "def soft_threshold(:\n")
    data = student_data("problem2", broken)
    assert [str(f) for f in data.failures] == ["your file could not be loaded (SyntaxError)"]
    assert data.series_of("student") == [] and data.series_of("reference")


def test_no_reference_draws_only_the_students_curves(tmp_path: Path, mpl: None) -> None:
    for problem_id in PROBLEMS:
        data = student_data(problem_id, REPO / "solutions" / f"{problem_id}.py", reference=False)
        assert data.reference_from == "" and data.failures == ()
        kinds = {s.kind for s in data.series_of("student") + data.series_of("reference")
                 + data.series_of("context")}
        assert kinds == {"student"}, problem_id
        assert all(m.kind == "student" for panel in data.panels for m in panel.markers)
    out = tmp_path / "mine.png"
    result = run("plot", "problem3", "--file", str(REPO / "solutions" / "problem3.py"),
                 "--no-reference", "--out", str(out))
    assert result.exit_code == 0 and png_size(out.read_bytes()) == SIZE
