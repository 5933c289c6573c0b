"""Mistake: soft_threshold subtracts lam*sign(mu) without clamping at 0: mu - lam*sign(mu) never gives an exact 0 for |mu| < lam."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def soft_threshold(mu: ArrayLike, lam: float) -> float | np.ndarray:
    """The L1 proximal operator: argmin_w ½(w − μ)² + λ·|w|, elementwise.

    Closed form (practice problem 2):

        S_λ(μ) = sign(μ)·max(|μ| − λ, 0)

    i.e. μ − λ when μ > λ, μ + λ when μ < −λ, and exactly 0 when |μ| ≤ λ
    (there the subgradient interval [−μ − λ, −μ + λ] of the objective at w = 0
    contains 0). The operator moves μ toward zero by λ and stops at zero.

    Input and output:
      * ``mu`` a scalar (Python or numpy number, or a 0-d array) -> a Python
        float;
      * ``mu`` an array (or list) of any shape -> a float64 array of the same
        shape, computed elementwise.
    Entries with |μ| ≤ λ come out as exact zeros (not merely tiny numbers).

    Raises ValueError if ``lam`` < 0. That is a convention: ½(w − μ)² − |λ|·|w|
    still has minimisers (at μ + |λ|·sign(μ)), but a negative strength rewards
    large weights.

    Examples: soft_threshold(1.5, 0.5) -> 1.0;  soft_threshold(-0.3, 0.5) -> 0.0;
    soft_threshold([2.0, -2.0, 0.2], 1.0) -> [1.0, -1.0, 0.0]

    Contract:
      * ``mu`` a scalar (Python or numpy number, or a 0-d array) -> a Python
        float; ``mu`` an array or list of any shape -> a float64 array of the
        same shape, computed elementwise;
      * where the minimiser is 0 the result is an exact 0.0, not a tiny number;
      * lam = 0 is allowed; lam < 0 raises ValueError. That is this exercise's
        convention, not a necessity: with λ < 0 the objective still has
        minimisers, but a negative L1 strength rewards large weights and is
        almost surely a caller's mistake.
    """
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    mu_arr = np.asarray(mu, dtype=np.float64)
    # "+ 0.0" turns a possible -0.0 (negative mu inside the dead zone) into +0.0.
    out = np.sign(mu_arr) * np.maximum(np.abs(mu_arr) - lam, 0.0) + 0.0
    if out.ndim == 0:
        return float(out)
    return out


def l1_l2_scalar_optimum(lam: float) -> tuple[float, float]:
    """Worked example 1: the L1 and the L2 minimiser of a 1-D problem.

    Returns ``(w_l1, w_l2)`` where

        w_l1 = argmin_w (w − 1)² + λ·|w|      = max(1 − λ/2, 0)
        w_l2 = argmin_w (w − 1)² + (λ/2)·w²   = 2/(2 + λ)

    Derivations: dividing the L1 objective by 2 gives ½(w − 1)² + (λ/2)·|w|,
    so w_l1 is the soft-threshold S_{λ/2}(1). Setting the derivative of the L2
    objective to zero gives 2(w − 1) + λ·w = 0.

    The lesson: w_l1 hits exactly 0 as soon as λ ≥ 2, whereas w_l2 only tends
    to 0 as λ → ∞ and is never zero for finite λ.

    Input: a scalar λ ≥ 0. Output: a pair of Python floats.

    Examples: l1_l2_scalar_optimum(0.5) -> (0.75, 0.8);
    l1_l2_scalar_optimum(2.0) -> (0.0, 0.5)

    Contract:
      * ``lam`` is a scalar λ ≥ 0;
      * returns the pair ``(w_l1, w_l2)`` of numbers (a tuple, a list or a numpy
        array of two are all fine).
    """
    w_l1 = max(1.0 - lam / 2.0, 0.0)
    w_l2 = 2.0 / (2.0 + lam)
    return float(w_l1), float(w_l2)


def lasso_ista(
    X: ArrayLike,
    y: ArrayLike,
    lam: float,
    n_iter: int = 1000,
    lr: float | None = None,
) -> np.ndarray:
    """Lasso by proximal gradient descent (ISTA), starting from w = 0.

    Objective (the same as sklearn's Lasso(alpha=λ, fit_intercept=False)):

        F(w) = (1/2N)·||y − Xw||² + λ·||w||₁,   N = number of rows of X

    Each of the ``n_iter`` iterations does a gradient step on the smooth part
    followed by the L1 proximal operator with threshold lr·λ:

        ∇ = −Xᵀ(y − Xw)/N
        w ← soft_threshold(w − lr·∇, lr·λ)

    Step size: ``lr=None`` means lr = 1/L, with L the largest eigenvalue of
    XᵀX/N (the Lipschitz constant of ∇); with that step F never increases. If
    L = 0 (X is all zeros) the data term is constant and the answer is w = 0.

    Why the prox step: a plain subgradient step w − lr·(∇ + λ·sign(w)) keeps
    jumping over zero and almost never lands on it; soft-thresholding sets a
    coordinate to exactly 0 whenever its gradient-step value is within lr·λ
    of zero, so the result is truly sparse.

    Shapes: ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,).

    Example: lasso_ista(np.eye(2), [3.0, 0.5], lam=0.5) -> [2.0, 0.0]
    (here L = 0.5, lr = 2, and one iteration already lands on the optimum).

    Contract:
      * ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,);
      * ``lr=None`` means lr = 1/L, with L the largest eigenvalue of XᵀX/N (the
        Lipschitz constant of the smooth part's gradient); if L = 0 (X is all
        zeros) the answer is w = 0;
      * exactly ``n_iter`` iterations from w = 0.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    gram = X.T @ X / n
    xty = X.T @ y / n
    w = np.zeros(X.shape[1])
    if lr is None:
        lipschitz = float(np.linalg.eigvalsh(gram).max()) if gram.size else 0.0
        if lipschitz <= 0.0:
            return w
        lr = 1.0 / lipschitz
    for _ in range(n_iter):
        w = soft_threshold(w - lr * (gram @ w - xty), lr * lam)
    return w


def soft_threshold(mu, lam):  # noqa: F811 - the mistake replaces the reference
    if lam < 0:
        raise ValueError("lam must be >= 0")
    mu = np.asarray(mu, dtype=float)
    out = mu - lam * np.sign(mu)
    return float(out) if out.ndim == 0 else out
