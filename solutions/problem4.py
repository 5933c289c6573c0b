"""Problem 4 — early stopping vs L2.

Read first: section 7 (early stopping) and practice problem 4 of the subject
"16-08 Regularization".

You will learn:
  * to run gradient descent on least squares and to solve ridge regression,
    both with the same (1/2N) scaling of the loss;
  * to describe both in the eigenbasis of XᵀX/N, where each one only rescales
    every eigen-direction by a "filter factor", and to derive those factors;
  * to read off the L2 strength that stopping after t steps imitates.

Stuck? `regquiz hint problem4 FUNCTION` gives hints one at a time, from a
nudge to the formula; `regquiz quiz --problem problem4` asks why it works.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def gd_linear_regression(X: ArrayLike, y: ArrayLike, lr: float, n_steps: int) -> np.ndarray:
    """Gradient descent on L(w) = (1/2N)·||y − Xw||², from w = 0, for n_steps steps.

    The gradient is ∇L(w) = −Xᵀ(y − Xw)/N, so each step is

        w ← w + lr·Xᵀ(y − Xw)/N

    Stopping after t steps is a regulariser: writing XᵀX/N = V·diag(s)·Vᵀ, the
    iterate is w_t = V·diag(1 − (1 − lr·s)^t)·Vᵀ·w_ls, with w_ls the
    least-squares solution. Directions with small eigenvalue s have barely
    been fitted yet (see ``gd_filter_factors``). Convergence needs
    0 < lr < 2/s_max.

    Shapes: ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,).
    n_steps = 0 returns the zero vector.

    Corresponds to section 7 and practice problem 4.

    Example: gd_linear_regression([[1.0], [1.0]], [2.0, 2.0], lr=0.5, n_steps=2)
    -> [1.5]   (w goes 0 → 1 → 1.5 on its way to 2)

    Contract:
      * ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,);
      * exactly ``n_steps`` updates; n_steps = 0 returns the zero vector.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    gram = X.T @ X / n
    xty = X.T @ y / n
    w = np.zeros(X.shape[1])
    for _ in range(n_steps):
        w = w - lr * (gram @ w - xty)
    return w


def ridge_regression(X: ArrayLike, y: ArrayLike, lam: float) -> np.ndarray:
    """Ridge regression: argmin_w (1/2N)·||y − Xw||² + (λ/2)·||w||².

    Setting the gradient −Xᵀ(y − Xw)/N + λ·w to zero gives the linear system

        (XᵀX/N + λ·I)·w = Xᵀy/N

    which has a unique solution for every λ > 0. Solve it (np.linalg.solve);
    do not form a matrix inverse. With λ = 0 it is ordinary least squares,
    unique when X has full column rank.

    Scaling note: sklearn's Ridge minimises ||y − Xw||² + α·||w||², which is
    this problem with α = N·λ.

    In the eigenbasis of XᵀX/N the solution is w = V·diag(s/(s + λ))·Vᵀ·w_ls
    (see ``ridge_filter_factors``).

    Shapes: ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,).

    Corresponds to practice problem 4 (the L2 side of the comparison).

    Example: ridge_regression([[1.0], [1.0]], [2.0, 2.0], lam=1.0) -> [1.0]

    Contract:
      * ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,);
      * λ ≥ 0; for λ > 0 the minimiser is unique even when XᵀX is singular;
        with λ = 0 the checks use an X of full column rank.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if lam == 0:
        # Minimum-norm least squares: also the limit of ridge as λ → 0⁺.
        return np.linalg.lstsq(X, y, rcond=None)[0]
    n, d = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)


def gd_filter_factors(eigvals: ArrayLike, lr: float, n_steps: int) -> np.ndarray:
    """Filter factors of gradient descent from w = 0: f(s) = 1 − (1 − lr·s)^t.

    For each eigenvalue s of XᵀX/N, f(s) is the fraction of the least-squares
    solution's component along that eigenvector reached after t = n_steps
    steps. Large s (lr·s·t ≫ 1, with lr·s < 2): f ≈ 1, already fitted. Small s:
    f ≈ lr·s·t, still near 0. As t → ∞, f → 1 whenever 0 < lr·s < 2.

    Shapes: ``eigvals`` any shape (usually (d,)); returns a float64 array of
    the same shape, elementwise. t = 0 gives all zeros.

    Corresponds to practice problem 4.

    Example: gd_filter_factors([1.0, 0.01], lr=0.5, n_steps=2)
    -> [0.75, 0.009975]

    Contract:
      * ``eigvals`` any shape (usually (d,)); returns a float64 array of that
        shape, elementwise;
      * s = 0 gives 0 (that direction is never fitted); t = 0 gives zeros.
    """
    s = np.asarray(eigvals, dtype=np.float64)
    return 1.0 - (1.0 - lr * s) ** n_steps


def ridge_filter_factors(eigvals: ArrayLike, lam: float) -> np.ndarray:
    """Filter factors of ridge regression: f(s) = s/(s + λ).

    For each eigenvalue s of XᵀX/N, f(s) is the fraction of the least-squares
    component kept by ridge. Large s (s ≫ λ): f ≈ 1. Small s (s ≪ λ):
    f ≈ s/λ. Comparing with gradient descent's f ≈ lr·s·t for small s shows
    that stopping after t steps behaves like ridge with λ = 1/(lr·t).

    Shapes: ``eigvals`` any shape; returns a float64 array of the same shape,
    elementwise. Where s + λ = 0 (s = 0 and λ = 0) the factor is 0: that
    direction carries no data and the minimum-norm solution leaves it at 0.

    Corresponds to practice problem 4.

    Example: ridge_filter_factors([1.0, 0.0], lam=1.0) -> [0.5, 0.0];
    ridge_filter_factors([3.0], lam=1.0) -> [0.75]

    Contract:
      * ``eigvals`` any shape; returns a float64 array of that shape,
        elementwise;
      * where s + λ = 0 (s = 0 and λ = 0) the factor is 0: that direction
        carries no data and the minimum-norm solution leaves it at 0.
    """
    s = np.asarray(eigvals, dtype=np.float64)
    denom = s + lam
    return np.divide(s, denom, out=np.zeros_like(s), where=denom != 0)


def early_stopping_lambda(lr: float, n_steps: int) -> float:
    """The L2 strength that early stopping after t steps imitates: λ = 1/(lr·t).

    Matching the small-eigenvalue behaviour of the two filter factors,
    lr·s·t ≈ s/λ, gives λ = 1/(lr·t): the number of steps acts as an inverse
    regularisation strength. Training longer (larger t) means weaker
    regularisation; stopping early means stronger. The match is approximate —
    exact only in the small-s limit — but it is the right order of magnitude
    across the spectrum.

    Input: scalars lr > 0 and t ≥ 0. Output: a float; t = 0 (not trained at
    all, w = 0) returns inf.

    Corresponds to section 7 and practice problem 4.

    Example: early_stopping_lambda(0.1, 50) -> 0.2

    Contract:
      * scalars lr > 0 and t = n_steps ≥ 1 in; returns a number.
    """
    if lr * n_steps == 0:
        return float("inf")
    return float(1.0 / (lr * n_steps))
