"""Graded checks for problem 2: soft-thresholding, Worked Example 1 and ISTA for the Lasso.

Every test is worth the points the manifest gives `test_<name>`.  Inputs are drawn from the
`rng` fixture (seeded, replayable); the answers are judged by optimality conditions where
they exist, so a student cannot pass by echoing the worked examples.
"""

from __future__ import annotations

import numpy as np

from regquiz.checks import (Student, as_array, as_float, closed_form, expect_close, fail,
                            matches, parts)
from regquiz.reveal import number

SOFT = "S_λ(μ) = sign(μ)·max(|μ| − λ, 0)"


def _soft(mu: np.ndarray, threshold: float) -> np.ndarray:
    return np.sign(mu) * np.maximum(np.abs(mu) - threshold, 0.0)


def _lasso_problem(rng: np.random.Generator, n: int = 40, d: int = 8):
    X = rng.normal(size=(n, d))
    w_true = np.zeros(d)
    w_true[:3] = rng.choice([-1.0, 1.0], size=3) * rng.uniform(1.0, 2.0, size=3)
    y = X @ w_true + 0.3 * rng.normal(size=n)
    return X, y


def _largest_eigenvalue(X: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(X.T @ X / X.shape[0]).max())


# -- soft_threshold ------------------------------------------------------------------------


def test_soft_threshold_examples(student: Student) -> None:
    for mu, lam, want in [(1.5, 0.5, 1.0), (-2.0, 0.5, -1.5), (0.3, 0.5, 0.0), (-0.5, 0.5, 0.0)]:
        got = student.call("soft_threshold", mu, lam)
        expect_close(got, want, why="the minimiser of ½(w − μ)² + λ·|w| for these numbers; a "
                     "scalar in gives one number out" + closed_form(student, "soft_threshold", SOFT))


def test_soft_threshold_optimality(student: Student, rng: np.random.Generator) -> None:
    mu = rng.uniform(-3.0, 3.0, size=(3, 4))
    lam = float(rng.uniform(0.3, 1.5))
    # Always entries strictly inside [−λ, λ] (where the answer is 0), above λ and below −λ.
    chosen = rng.choice(mu.size, size=5, replace=False)
    mu.flat[chosen[:3]] = rng.uniform(-0.9, 0.9, size=3) * lam
    mu.flat[chosen[3:]] = np.array([1.0, -1.0]) * (lam + rng.uniform(0.2, 1.0, size=2))
    got = student.call("soft_threshold", mu, lam)
    why = "an array in gives an array of the same shape out, elementwise"
    w = as_array(got, shape=mu.shape, why=why)
    moved = w != 0
    # Subgradient condition of ½(w − μ)² + λ|w|: w − μ + λ·sign(w) = 0 where w ≠ 0 …
    residual = np.where(moved, w - mu + lam * np.sign(w), 0.0)
    if np.any(np.abs(residual) > 1e-9 * (1 + np.abs(mu))):
        i = tuple(int(k) for k in np.unravel_index(np.argmax(np.abs(residual)), mu.shape))
        fail(got, expected=f"entry {i} = {_soft(mu, lam)[i]:.10g} (μ = {mu[i]:.10g}, λ = {lam:.10g})",
             why="where the answer w is not zero, optimality of ½(w − μ)² + λ|w| demands "
                 "that the derivative w − μ + λ·sign(w) vanish there"
                 + closed_form(student, "soft_threshold", SOFT))
    # … and 0 ∈ [−μ − λ, −μ + λ], i.e. |μ| ≤ λ, where w = 0.
    if np.any(~moved & (np.abs(mu) > lam + 1e-12)):
        i = tuple(int(k) for k in np.unravel_index(np.argmax(~moved & (np.abs(mu) > lam)), mu.shape))
        fail(got, expected=f"entry {i} = {_soft(mu, lam)[i]:.10g} (μ = {mu[i]:.10g}, λ = {lam:.10g})",
             why="w = 0 is optimal only when the subgradient of the objective at 0 contains 0; "
                 "for this entry it does not, so the minimiser is not 0"
                 + closed_form(student, "soft_threshold", SOFT))


def test_soft_threshold_exact_zeros(student: Student, rng: np.random.Generator) -> None:
    lam = float(rng.uniform(0.5, 1.0))
    mu = np.concatenate([rng.uniform(-lam, lam, size=6), [lam, -lam, 0.0], [lam + 1.0]])
    got = student.call("soft_threshold", mu, lam)
    w = as_array(got, shape=mu.shape, why="elementwise on a vector")
    inside = np.abs(mu) <= lam
    if np.any(w[inside] != 0.0):
        fail(got, expected=f"exact zeros in the first 9 entries (|μ| ≤ λ = {lam:.10g})",
             why="the L1 proximal step sets small weights to exactly zero; that is where the "
                 "Lasso's sparsity comes from (a tiny non-zero is not zero)")
    expect_close(got, _soft(mu, lam), why="the last entry lies outside [−λ, λ], so its "
                 "minimiser is not 0" + closed_form(student, "soft_threshold", SOFT))


def test_soft_threshold_lam_zero(student: Student, rng: np.random.Generator) -> None:
    mu = rng.normal(size=5)
    got = student.call("soft_threshold", mu, 0.0)
    expect_close(got, mu, why="with λ = 0 there is no penalty: the minimiser of ½(w − μ)² is μ")


def test_soft_threshold_rejects_negative_lam(student: Student) -> None:
    student.expect_raises("ValueError", "soft_threshold", 1.0, -0.5,
                          why="this exercise's convention: λ < 0 is refused. It is a choice, "
                              "not a necessity: ½(w − μ)² − |λ|·|w| still has minimisers, at "
                              "μ + |λ|·sign(μ), but a negative L1 strength rewards large weights "
                              "and is almost certainly a caller's mistake")


# -- Worked Example 1 ------------------------------------------------------------------------


def test_worked_example_1(student: Student) -> None:
    why = ("Worked Example 1: the minimisers of (w − 1)² + λ|w| and of (w − 1)² + (λ/2)w², "
           "for λ = 0.5 and λ = 2, returned as the pair (w_l1, w_l2)"
           + closed_form(student, "l1_l2_scalar_optimum", "w_l1 = max(1 − λ/2, 0), w_l2 = 2/(2 + λ)"))
    for lam, want in [(0.5, (0.75, 0.8)), (2.0, (0.0, 0.5))]:
        got = student.call("l1_l2_scalar_optimum", lam)
        expect_close(got, want, why=why, names=("w_l1", "w_l2"))


def test_l1_l2_optimality(student: Student, rng: np.random.Generator) -> None:
    for lam in (float(rng.uniform(0.05, 1.9)), float(rng.uniform(2.1, 6.0))):
        got = student.call("l1_l2_scalar_optimum", lam)
        why = "the pair (w_l1, w_l2) for any λ ≥ 0, not only the worked example's"
        w_l1, w_l2 = parts(got, 2, names=("w_l1", "w_l2"), why=why)
        w_l1 = as_float(got, value=w_l1, part="w_l1", why=why)
        w_l2 = as_float(got, value=w_l2, part="w_l2", why=why)
        l1_ok = (abs(2 * (w_l1 - 1) + lam) < 1e-9) if w_l1 > 0 else (w_l1 == 0 and lam >= 2)
        if not l1_ok:
            fail(got, expected=f"w_l1 = {max(1 - lam / 2, 0):.10g}",
                 why=f"w_l1 must make 0 a (sub)gradient of (w − 1)² + λ|w| at w_l1, here with "
                     f"λ = {lam:.6g}" + closed_form(student, "l1_l2_scalar_optimum",
                                                   "w_l1 = max(1 − λ/2, 0)"))
        if abs(2 * (w_l2 - 1) + lam * w_l2) > 1e-9:
            fail(got, expected=f"w_l2 = {2 / (2 + lam):.10g}",
                 why=f"the derivative of (w − 1)² + (λ/2)w² must vanish at w_l2, here with "
                     f"λ = {lam:.6g}" + closed_form(student, "l1_l2_scalar_optimum",
                                                   "w_l2 = 2/(2 + λ)"))


# -- lasso_ista --------------------------------------------------------------------------------


def test_lasso_first_step(student: Student, rng: np.random.Generator) -> None:
    X, y = _lasso_problem(rng)
    lam, lr = 0.2, 0.1
    got = student.call("lasso_ista", X, y, lam, 1, lr)
    n = X.shape[0]
    expect_close(got, _soft(lr * X.T @ y / n, lr * lam),
                 why="n_iter = 1 is exactly one proximal-gradient step from w = 0 on "
                     "(1/2N)||y − Xw||² + λ||w||₁ with this lr" + closed_form(
                         student, "lasso_ista", "soft_threshold(lr·Xᵀy/N, lr·λ): the threshold "
                         "is scaled by the step"))


def test_lasso_recurrence(student: Student, rng: np.random.Generator) -> None:
    X, y = _lasso_problem(rng)
    lam, lr, t = 0.15, 0.05, 5
    before = student.call("lasso_ista", X, y, lam, t, lr)
    w_t = as_array(before, shape=(X.shape[1],), why="one weight per column of X")
    after = student.call("lasso_ista", X, y, lam, t + 1, lr)
    gradient = -X.T @ (y - X @ w_t) / X.shape[0]
    expect_close(after, _soft(w_t - lr * gradient, lr * lam),
                 why=f"the result after t + 1 iterations must be one proximal-gradient step "
                     f"from your result after t = {t}" + closed_form(
                         student, "lasso_ista", "w ← soft_threshold(w − lr·∇, lr·λ) with "
                         "∇ = −Xᵀ(y − Xw)/N"))


def test_lasso_default_step(student: Student, rng: np.random.Generator) -> None:
    X, y = _lasso_problem(rng)
    X = 3.0 * X  # a scale at which a wrong L visibly changes the iterates
    lam, n_iter = 0.3, 3
    lr = 1.0 / _largest_eigenvalue(X)
    want = np.zeros(X.shape[1])
    for _ in range(n_iter):
        want = _soft(want + lr * X.T @ (y - X @ want) / X.shape[0], lr * lam)
    got = student.call("lasso_ista", X, y, lam, n_iter, None)
    why = f"lr=None means 1/L with L the largest eigenvalue of XᵀX/N (here L = {1 / lr:.6g})"
    values = as_array(got, shape=want.shape, why="one weight per column of X")
    slow, slow_lr = np.zeros(X.shape[1]), lr / X.shape[0]  # 1/L from XᵀX, without the 1/N
    for _ in range(n_iter):
        slow = _soft(slow + slow_lr * X.T @ (y - X @ slow) / X.shape[0], slow_lr * lam)
    if matches(values, slow):
        why += (f"; yours are the iterates with L taken from XᵀX instead of XᵀX/N, N = "
                f"{X.shape[0]} times too large: forgetting the 1/N makes every step N times "
                "smaller")
    expect_close(got, want, why=why)


def test_lasso_kkt(student: Student, rng: np.random.Generator) -> None:
    X, y = _lasso_problem(rng)
    lam = float(rng.uniform(0.15, 0.3))
    got = student.call("lasso_ista", X, y, lam, 1000)
    w = as_array(got, shape=(X.shape[1],), why="one weight per column of X")
    correlation = X.T @ (y - X @ w) / X.shape[0]
    active = w != 0
    worst_active = np.max(np.abs(correlation - lam * np.sign(w))[active], initial=0.0)
    worst_zero = np.max(np.abs(correlation[~active]) - lam, initial=-np.inf)
    if not active.any() or active.all():
        fail(got, expected="a sparse w: some weights exactly 0, some not",
             why=f"with λ = {number(lam, 4)} the Lasso solution of this problem keeps a few "
                 "strong features and sets the rest to exactly 0 (the proximal step makes exact "
                 "zeros)")
    if worst_active > 1e-6 or worst_zero > 1e-6:
        fail(got, expected="a w meeting the Lasso's KKT conditions after 1000 iterations",
             why="at the minimiser Xᵀ(y − Xw)/N equals λ·sign(wⱼ) where wⱼ ≠ 0 and lies in "
                 "[−λ, λ] where wⱼ = 0; worst violation "
                 f"{number(max(worst_active, worst_zero))}")
