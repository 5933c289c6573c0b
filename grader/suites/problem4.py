"""Graded checks for problem 4: early stopping vs L2 regularization on linear least squares.

Every test is worth the points the manifest gives `test_<name>`.  Inputs are drawn from the
`rng` fixture (seeded, replayable).  Gradient descent is judged by its recurrence (step t + 1
from step t) and by one step from w = 0, ridge by its normal equations, and the filter factors
both by their formulas and by the identities that tie them to the student's own
`gd_linear_regression` and `ridge_regression` in the eigenbasis of XᵀX/N.
"""

from __future__ import annotations

import numpy as np

from regquiz.checks import (Returned, Student, as_array, as_float, close, closed_form, expect_close,
                            fail, matches, show)
from regquiz.reveal import number

INVERSE_STRENGTH = ("the number of steps acts as an inverse regularization strength: the "
                    "equivalent λ is the one whose ridge filter agrees with gradient descent's "
                    "to first order in s as s → 0, and training longer means a smaller λ")
GD_FILTER = "f(s) = 1 − (1 − lr·s)^t"
RIDGE_FILTER = "f(s) = s/(s + λ)"
GD_STEP = "w ← w + lr·Xᵀ(y − Xw)/N"


def _design(rng: np.random.Generator, n: int, eigvals: np.ndarray) -> np.ndarray:
    """An (n, d) X whose XᵀX/N has exactly the eigenvalues `eigvals` (random eigenvectors)."""
    d = len(eigvals)
    left, _ = np.linalg.qr(rng.normal(size=(n, d)))
    right, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return np.sqrt(n) * (left * np.sqrt(eigvals)) @ right.T


def _regression(rng: np.random.Generator, n: int,
                eigvals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = _design(rng, n, eigvals)
    y = X @ rng.normal(size=len(eigvals)) + 0.5 * rng.normal(size=n)
    return X, y


def _spread_spectrum(rng: np.random.Generator) -> np.ndarray:
    """Five eigenvalues from 0.02 to 2: some directions fit fast, some barely move."""
    return np.sort(np.exp(rng.uniform(np.log([0.02, 0.08, 0.3, 0.8, 1.5]),
                                      np.log([0.05, 0.2, 0.6, 1.2, 2.0]))))


def _eigen(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues s of XᵀX/N, its eigenvectors V (columns) and Vᵀ."""
    s, V = np.linalg.eigh(X.T @ X / X.shape[0])
    return s, V, V.T


def _gd_steps(X: np.ndarray, y: np.ndarray, lr: float, w: np.ndarray, steps: int) -> np.ndarray:
    for _ in range(steps):
        w = w + lr * X.T @ (y - X @ w) / X.shape[0]
    return w


def _weights(returned: Returned, d: int) -> np.ndarray:
    return as_array(returned, shape=(d,), why="one weight per column of X")


# -- gd_linear_regression --------------------------------------------------------------------


def test_gd_first_step(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 30, rng.uniform(0.3, 2.0, size=5))
    lr = 0.1
    got = student.call("gd_linear_regression", X, y, lr, 1)
    expect_close(got, lr * X.T @ y / X.shape[0],
                 why="n_steps = 1 is exactly one update from w = 0, against the gradient of "
                     "(1/2N)·||y − Xw||² (the 1/N is part of the loss)"
                     + closed_form(student, "gd_linear_regression", "w = lr·Xᵀy/N"))


def test_gd_recurrence(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 30, rng.uniform(0.3, 2.0, size=5))
    lr, t = float(rng.uniform(0.1, 0.4)), int(rng.integers(3, 9))
    before = student.call("gd_linear_regression", X, y, lr, t)
    w_t = _weights(before, X.shape[1])
    after = student.call("gd_linear_regression", X, y, lr, t + 1)
    with np.errstate(all="ignore"):
        w_next = _gd_steps(X, y, lr, w_t, 1)
    expect_close(after, w_next,
                 why=f"the result after t + 1 steps must be one gradient step on "
                     f"(1/2N)·||y − Xw||² from your result after t = {t}"
                     + closed_form(student, "gd_linear_regression", GD_STEP))
    got = student.call("gd_linear_regression", np.array([[1.0], [1.0]]), np.array([2.0, 2.0]),
                       0.5, 2)
    expect_close(got, np.array([1.5]), why="with one feature equal to 1, y = 2 and lr = 0.5 each "
                 "step halves the distance to 2, and n_steps = 2 is exactly two updates: "
                 "w goes 0 → 1 → 1.5")


def test_gd_long_run_is_least_squares(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 40, rng.uniform(0.5, 2.0, size=4))
    lr, t = float(rng.uniform(0.4, 0.6)), 200
    got = student.call("gd_linear_regression", X, y, lr, t)
    expect_close(got, np.linalg.solve(X.T @ X, X.T @ y),
                 why="with 0 < lr·s < 2 for every eigenvalue s of XᵀX/N, gradient descent "
                     "converges to the least-squares solution XᵀXw = Xᵀy; after 200 steps it is "
                     "there to rounding: t → ∞ is the unregularised end")


# -- ridge_regression ------------------------------------------------------------------------


def _ridge_diagnosis(w: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float) -> str:
    """A sentence naming a recognised mistake in a ridge answer, or ''."""
    n, d = X.shape
    gram, eye = X.T @ X, np.eye(d)
    suspects = [
        (np.linalg.solve(gram + lam * eye, X.T @ y),
         f"; yours solves (XᵀX + λI)·w = Xᵀy, sklearn's Ridge(alpha=λ), which is this problem "
         f"with λ/N = {number(lam / n, 4)} instead of λ: the loss here carries 1/N, so sklearn "
         f"needs alpha = N·λ = {number(n * lam, 4)}"),
        (np.linalg.solve(gram / n + lam / 2 * eye, X.T @ y / n),
         "; yours has λ/2 on the diagonal, but the gradient of (λ/2)·||w||² is λ·w"),
        (np.linalg.lstsq(X, y, rcond=None)[0],
         "; yours is the least-squares solution, as if λ were 0"),
    ]
    for candidate, sentence in suspects:
        if close(w, candidate):
            return sentence
    return ""


def _expect_ridge(got: Returned, X: np.ndarray, y: np.ndarray, lam: float, why: str) -> None:
    n, d = X.shape
    w = _weights(got, d)
    want = np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)
    expect_close(got, want, why=why + _ridge_diagnosis(w, X, y, lam))


def test_ridge_normal_equations(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 25, rng.uniform(0.2, 2.0, size=6))
    lam = float(rng.uniform(0.05, 0.3))
    got = student.call("ridge_regression", X, y, lam)
    _expect_ridge(got, X, y, lam,
                  why="the minimiser of (1/2N)·||y − Xw||² + (λ/2)·||w||² is where its gradient "
                      "vanishes" + closed_form(student, "ridge_regression",
                                               "(XᵀX/N + λI)·w = Xᵀy/N"))
    got = student.call("ridge_regression", np.array([[1.0], [1.0]]), np.array([2.0, 2.0]), 1.0)
    expect_close(got, np.array([1.0]), why="with one feature equal to 1, y = 2 and λ = 1 the "
                 "objective is (1/4)·2·(2 − w)² + w²/2, minimised at w = 1")


def test_ridge_lam_zero_is_least_squares(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 30, rng.uniform(0.3, 2.0, size=4))
    got = student.call("ridge_regression", X, y, 0.0)
    expect_close(got, np.linalg.solve(X.T @ X, X.T @ y),
                 why="with λ = 0 and X of full column rank, ridge is ordinary least squares: the "
                     "unique w with XᵀXw = Xᵀy")


def test_ridge_rank_deficient(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 20, rng.uniform(0.3, 2.0, size=4))
    X = np.column_stack([X, X[:, 0]])  # the first feature twice: XᵀX is singular
    lam = float(rng.uniform(0.1, 0.3))
    got = student.call("ridge_regression", X, y, lam)
    _expect_ridge(got, X, y, lam,
                  why="least squares has infinitely many solutions when a column repeats, but "
                      "XᵀX/N + λI is invertible for λ > 0, so ridge has exactly one; it splits the "
                      "weight of the duplicated feature evenly between its two copies")


# -- filter factors ----------------------------------------------------------------------------


def _gd_filter_slip(got: Returned, s: np.ndarray, lr: float, t: int) -> str:
    """A clause naming a miscounted number of steps, when the factors are exactly that."""
    factors = as_array(got, shape=s.shape, why="one factor per eigenvalue")
    for steps, slip in ((t - 1, "one step too few"), (t + 1, "one step too many")):
        if matches(factors, 1.0 - (1.0 - lr * s) ** steps):
            return (f"; yours are the fractions fitted after {steps} step{'' if steps == 1 else 's'} "
                    f"instead of t = {t}, "
                    f"{slip}: each of the t steps shrinks the remaining gap once, and the gap "
                    "starts as the whole coordinate")
    return ""


def test_gd_filter_factors_values(student: Student, rng: np.random.Generator) -> None:
    s = np.array([1.0, 0.01])
    got = student.call("gd_filter_factors", s, 0.5, 2)
    expect_close(got, np.array([0.75, 0.009975]),
                 why="the fraction of a least-squares coordinate that t = 2 steps with lr = 0.5 "
                     "have fitted along eigenvalues s = 1 and s = 0.01"
                     + closed_form(student, "gd_filter_factors", GD_FILTER)
                     + _gd_filter_slip(got, s, 0.5, 2))
    lr = float(rng.uniform(0.1, 0.5))
    s = np.concatenate([[0.0], rng.uniform(0.0, 1.0 / lr, size=6)])
    for t in (1, int(rng.integers(4, 30))):
        got = student.call("gd_filter_factors", s, lr, t)
        expect_close(got, 1.0 - (1.0 - lr * s) ** t,
                     why=f"the fraction fitted after t = {t} steps along each eigenvalue s "
                         "(0 for s = 0)" + closed_form(student, "gd_filter_factors", GD_FILTER)
                         + _gd_filter_slip(got, s, lr, t))


def test_gd_filter_factors_match_gd(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 40, _spread_spectrum(rng))
    lr, t = float(rng.uniform(0.25, 0.45)), int(rng.integers(5, 16))
    s, V, Vt = _eigen(X)
    coords = Vt @ (X.T @ y / X.shape[0])  # Vᵀ·Xᵀy/N = s·(Vᵀ·w_ls)
    gd = student.call("gd_linear_regression", X, y, lr, t)
    w_t = _weights(gd, X.shape[1])
    factors = student.call("gd_filter_factors", s, lr, t)
    f = as_array(factors, shape=s.shape, why="one factor per eigenvalue")
    with np.errstate(all="ignore"):  # a diverging answer must fail, not warn
        implied = (Vt @ w_t) * s / coords  # the fractions of w_ls the student's GD has reached
        if close(w_t, V @ (f / s * coords)):
            return
    why = ("in the eigenbasis of XᵀX/N = V·diag(s)·Vᵀ, t steps of GD from 0 give "
           "w_t = V·diag(f(s))·Vᵀ·w_ls: directions with small s are still far from their "
           "least-squares value, which is how stopping early regularises; so your "
           "gd_filter_factors must reproduce your gd_linear_regression"
           + closed_form(student, "gd_filter_factors", GD_FILTER))
    if not close(f, 1.0 - (1.0 - lr * s) ** t):
        expect_close(factors, 1.0 - (1.0 - lr * s) ** t,
                     why=why + f" (the factors your gd_linear_regression reached: {show(implied)})")
    expect_close(gd, V @ (f / s * coords), reveal=True,
                 why=why + f" (yours reached the fractions {show(implied)} of w_ls)")


def _ridge_filter_slip(got: Returned, s: np.ndarray, lam: float) -> str:
    """A clause naming the removed fraction returned for the kept one, when it is exactly that."""
    factors = as_array(got, shape=s.shape, why="one factor per eigenvalue")
    if matches(factors, lam / (s + lam)):
        return ("; yours fall from 1 towards 0 as s grows, the share of each coordinate that "
                "ridge takes away: the function asks for the share it keeps, which is near 1 "
                "along the directions the data pins down (large s)")
    return ""


def test_ridge_filter_factors_values(student: Student, rng: np.random.Generator) -> None:
    s = np.array([3.0])
    got = student.call("ridge_filter_factors", s, 1.0)
    expect_close(got, np.array([0.75]), why="the fraction of the least-squares coordinate ridge "
                 "keeps along eigenvalue s = 3 with λ = 1"
                 + closed_form(student, "ridge_filter_factors", RIDGE_FILTER)
                 + _ridge_filter_slip(got, s, 1.0))
    lam = float(rng.uniform(0.05, 1.0))
    s = np.concatenate([[0.0, lam], rng.uniform(0.0, 3.0, size=5)])
    got = student.call("ridge_filter_factors", s, lam)
    expect_close(got, s / (s + lam),
                 why="the fraction of each least-squares coordinate that ridge keeps (what is "
                     "kept, not what is removed; 0 for s = 0)"
                     + closed_form(student, "ridge_filter_factors", RIDGE_FILTER)
                     + _ridge_filter_slip(got, s, lam))


def test_ridge_filter_factors_match_ridge(student: Student, rng: np.random.Generator) -> None:
    X, y = _regression(rng, 40, _spread_spectrum(rng))
    lam = float(rng.uniform(0.05, 0.5))
    s, V, Vt = _eigen(X)
    coords = Vt @ (X.T @ y / X.shape[0])
    ridge = student.call("ridge_regression", X, y, lam)
    w = _weights(ridge, X.shape[1])
    factors = student.call("ridge_filter_factors", s, lam)
    f = as_array(factors, shape=s.shape, why="one factor per eigenvalue")
    with np.errstate(all="ignore"):
        implied = (Vt @ w) * s / coords
        if close(w, V @ (f / s * coords)):
            return
    why = ("in the eigenbasis of XᵀX/N = V·diag(s)·Vᵀ the ridge solution is "
           "V·diag(f(s))·Vᵀ·w_ls; so your ridge_filter_factors must reproduce your "
           "ridge_regression" + closed_form(student, "ridge_filter_factors", RIDGE_FILTER))
    if not close(f, s / (s + lam)):
        expect_close(factors, s / (s + lam),
                     why=why + f" (the factors your ridge_regression kept: {show(implied)})")
    expect_close(ridge, V @ (f / s * coords), reveal=True,
                 why=why + f" (yours kept the fractions {show(implied)} of w_ls)"
                 + _ridge_diagnosis(w, X, y, lam))


# -- early_stopping_lambda ---------------------------------------------------------------------


def test_early_stopping_lambda_values(student: Student, rng: np.random.Generator) -> None:
    got = student.call("early_stopping_lambda", 0.1, 50)
    expect_close(got, 0.2, why="the equivalent λ for lr = 0.1 and t = 50: "
                 f"{INVERSE_STRENGTH}" + closed_form(student, "early_stopping_lambda", "λ = 1/(lr·t)"))
    for _ in range(3):
        lr, t = float(rng.uniform(0.01, 0.5)), int(rng.integers(2, 500))
        got = student.call("early_stopping_lambda", lr, t)
        expect_close(got, 1.0 / (lr * t), why=INVERSE_STRENGTH
                     + closed_form(student, "early_stopping_lambda", "λ = 1/(lr·t)"))


def test_early_stopping_lambda_scaling(student: Student, rng: np.random.Generator) -> None:
    lr, t, k = float(rng.uniform(0.02, 0.3)), int(rng.integers(10, 100)), int(rng.integers(2, 6))
    base = student.call("early_stopping_lambda", lr, t)
    lam = as_float(base, why="one number, the equivalent L2 strength")
    longer = student.call("early_stopping_lambda", lr, k * t)
    expect_close(longer, lam / k,
                 why=f"training {k} times longer must divide the equivalent λ by {k} (your λ for "
                     f"t = {t} was {lam:.10g}): {INVERSE_STRENGTH}")
    bigger = student.call("early_stopping_lambda", k * lr, t)
    expect_close(bigger, lam / k,
                 why=f"a {k} times larger learning rate moves {k} times as far per step, so it "
                     f"must divide λ by {k} too (your λ for lr = {lr:.6g} was {lam:.10g}): only "
                     "the product lr·t, the total 'time' trained, matters")


def test_filters_agree_at_early_stopping_lambda(student: Student, rng: np.random.Generator) -> None:
    lr, t = float(rng.uniform(0.05, 0.2)), int(rng.integers(20, 100))
    returned = student.call("early_stopping_lambda", lr, t)
    lam = as_float(returned, why="one number, the equivalent L2 strength")
    # small: lr·t·s from 1e-4 to 1e-2, where the two factors differ by under 1 % in theory;
    # large: s from 10/(lr·t) to 1/lr, where both factors are above 0.9.
    small = np.exp(rng.uniform(np.log(1e-4), np.log(1e-2), size=4)) / (lr * t)
    large = np.exp(rng.uniform(np.log(10.0 / (lr * t)), np.log(1.0 / lr), size=3))
    s = np.concatenate([small, large])
    g = as_array(student.call("gd_filter_factors", s, lr, t), shape=s.shape,
                 why="one factor per eigenvalue")
    r = as_array(student.call("ridge_filter_factors", s, lam), shape=s.shape,
                 why="one factor per eigenvalue")
    with np.errstate(all="ignore"):
        near = (np.all(np.abs(g[:4] - r[:4]) <= 0.02 * np.abs(g[:4]))
                and np.all(np.abs(g[4:] - r[4:]) <= 0.1))
    if near:
        return
    right = close(np.asarray(lam), 1.0 / (lr * t))
    fail(returned, expected=f"λ such that ridge_filter_factors(s, λ) is within 2 % of "
         f"gd_filter_factors(s, lr={lr:.6g}, n_steps={t}) for the four small s (lr·t·s ≤ 0.01) "
         "and within 0.1 of it for the three large s (both near 1)",
         got=f"λ = {show(returned.value)}, and for s = {show(s)}\n"
             f"          gd_filter_factors    → {show(g)}\n"
             f"          ridge_filter_factors → {show(r)}"
             + ("\n          (your λ is right, so a filter-factor function is off: see "
                "its own checks)" if right else ""),
         why=f"matching the two filters is what defines the equivalent λ: {INVERSE_STRENGTH}; "
             "for s ≫ λ both have fitted nearly everything")
