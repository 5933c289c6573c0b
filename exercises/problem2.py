"""Problem 2 — soft-thresholding (the L1 proximal operator).

Read first: section 3 (L1 regularization), worked example 1 (L1 vs L2
sparsity) and practice problem 2 of the subject "16-08 Regularization".

You will learn:
  * to minimise ½(w − μ)² + λ·|w| by hand, with a subgradient where |w| has
    its kink, and why the answer is exactly zero on a whole interval;
  * to compare the L1 and L2 minimisers of worked example 1 and see that only
    L1 reaches zero;
  * to solve the Lasso by proximal gradient descent (ISTA) and get weights
    that are truly sparse.

Stuck? `regquiz hint problem2 FUNCTION` gives hints one at a time, from a
nudge to the formula; `regquiz quiz --problem problem2` asks why it works.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def soft_threshold(mu: ArrayLike, lam: float) -> float | np.ndarray:
    """The L1 proximal operator, elementwise.

    For each entry μ of ``mu``, return the minimiser w* of

        f(w) = ½(w − μ)² + λ·|w|

    Practice problem 2 asks you to derive w* in closed form (treat w > 0, w < 0
    and w = 0 separately; |w| has no derivative at 0).

    Contract:
      * ``mu`` a scalar (Python or numpy number, or a 0-d array) -> a Python
        float; ``mu`` an array or list of any shape -> a float64 array of the
        same shape, computed elementwise;
      * where the minimiser is 0 the result is an exact 0.0, not a tiny number;
      * lam = 0 is allowed; lam < 0 raises ValueError. That is this exercise's
        convention, not a necessity: with λ < 0 the objective still has
        minimisers, but a negative L1 strength rewards large weights and is
        almost surely a caller's mistake.

    Try by hand: μ = 1.5, −2.0, 0.3 and −0.5, each with λ = 0.5.
    """
    raise NotImplementedError("soft_threshold: implement me — see the docstring")


def l1_l2_scalar_optimum(lam: float) -> tuple[float, float]:
    """Worked example 1: the L1 and the L2 minimiser of a 1-D problem.

    Return the pair (w_l1, w_l2) of minimisers

        w_l1 = argmin_w (w − 1)² + λ·|w|
        w_l2 = argmin_w (w − 1)² + (λ/2)·w²

    for the given λ. Note the scalings: the data term has no ½ here, and the
    L2 penalty carries λ/2.

    Contract:
      * ``lam`` is a scalar λ ≥ 0;
      * returns the pair ``(w_l1, w_l2)`` of numbers (a tuple, a list or a numpy
        array of two are all fine).

    The worked example asks: λ = 0.5, then λ = 2. Which one reaches 0?
    """
    raise NotImplementedError("l1_l2_scalar_optimum: implement me — see the docstring")


def lasso_ista(
    X: ArrayLike,
    y: ArrayLike,
    lam: float,
    n_iter: int = 1000,
    lr: float | None = None,
) -> np.ndarray:
    """The Lasso by proximal gradient descent (ISTA), starting from w = 0.

    Minimise

        F(w) = (1/2N)·||y − Xw||² + λ·||w||₁,   N = the number of rows of X,

    the objective of sklearn's Lasso(alpha=λ, fit_intercept=False). Each of the
    ``n_iter`` iterations takes a gradient step of size ``lr`` on the smooth
    part and then applies the proximal operator of the L1 part for that step
    (your ``soft_threshold`` helps). A plain subgradient step would almost never
    land on exact zeros; the proximal step does.

    Contract:
      * ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,);
      * ``lr=None`` means lr = 1/L, with L the largest eigenvalue of XᵀX/N (the
        Lipschitz constant of the smooth part's gradient); if L = 0 (X is all
        zeros) the answer is w = 0;
      * exactly ``n_iter`` iterations from w = 0.

    Try by hand: X = the 2×2 identity, y = [3.0, 0.5], λ = 0.5, lr = None
    (what is L here?) and one iteration.
    """
    raise NotImplementedError("lasso_ista: implement me — see the docstring")
