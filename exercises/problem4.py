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
    """Gradient descent on least squares, from w = 0.

    Run ``n_steps`` steps of gradient descent with step size ``lr`` on

        L(w) = (1/2N)·||y − Xw||²,   N = the number of rows of X,

    starting from w = 0, and return the last iterate (section 7).

    Contract:
      * ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,);
      * exactly ``n_steps`` updates; n_steps = 0 returns the zero vector.

    Try by hand: X = [[1.0], [1.0]], y = [2.0, 2.0], lr = 0.5, two steps.
    """
    raise NotImplementedError("gd_linear_regression: implement me — see the docstring")


def ridge_regression(X: ArrayLike, y: ArrayLike, lam: float) -> np.ndarray:
    """Ridge regression with the same scaling as ``gd_linear_regression``.

    Return

        argmin_w (1/2N)·||y − Xw||² + (λ/2)·||w||²

    exactly (no iterations). sklearn's Ridge minimises ||y − Xw||² + α·||w||²,
    which is this problem with α = N·λ.

    Contract:
      * ``X`` is (N, d), ``y`` is (N,); returns w of shape (d,);
      * λ ≥ 0; for λ > 0 the minimiser is unique even when XᵀX is singular;
        with λ = 0 the checks use an X of full column rank.

    Try by hand: X = [[1.0], [1.0]], y = [2.0, 2.0], λ = 1.
    """
    raise NotImplementedError("ridge_regression: implement me — see the docstring")


def gd_filter_factors(eigvals: ArrayLike, lr: float, n_steps: int) -> np.ndarray:
    """The filter factors of gradient descent from w = 0.

    Write XᵀX/N = V·diag(s)·Vᵀ and let w_ls be the least-squares solution.
    After t = n_steps steps of ``gd_linear_regression`` with step lr the
    iterate is w_t = V·diag(f(s))·Vᵀ·w_ls: along each eigenvector, the
    fraction f(s) of the least-squares coordinate has been fitted. Derive f(s)
    from the update in the eigenbasis and return it for every eigenvalue given
    (practice problem 4). The checks also compare it with your
    ``gd_linear_regression``.

    Contract:
      * ``eigvals`` any shape (usually (d,)); returns a float64 array of that
        shape, elementwise;
      * s = 0 gives 0 (that direction is never fitted); t = 0 gives zeros.
    """
    raise NotImplementedError("gd_filter_factors: implement me — see the docstring")


def ridge_filter_factors(eigvals: ArrayLike, lam: float) -> np.ndarray:
    """The filter factors of ridge regression.

    With XᵀX/N = V·diag(s)·Vᵀ and w_ls the least-squares solution, the ridge
    solution is V·diag(f(s))·Vᵀ·w_ls: along each eigenvector ridge keeps the
    fraction f(s) of the least-squares coordinate. Derive f(s) and return it
    for every eigenvalue given (practice problem 4). The checks also compare
    it with your ``ridge_regression``.

    Contract:
      * ``eigvals`` any shape; returns a float64 array of that shape,
        elementwise;
      * where s + λ = 0 (s = 0 and λ = 0) the factor is 0: that direction
        carries no data and the minimum-norm solution leaves it at 0.

    Try by hand: s = 3 with λ = 1, and s = λ.
    """
    raise NotImplementedError("ridge_filter_factors: implement me — see the docstring")


def early_stopping_lambda(lr: float, n_steps: int) -> float:
    """The L2 strength that early stopping after t steps imitates.

    Return the λ for which ``ridge_filter_factors(s, λ)`` agrees with
    ``gd_filter_factors(s, lr, t)`` to first order as s → 0 (both factors are
    close to 1 for large s; they differ in how they damp the small
    eigenvalues). This is the sense in which practice problem 4's stopping time
    "acts as an inverse regularization parameter".

    Contract:
      * scalars lr > 0 and t = n_steps ≥ 1 in; returns a number.

    Try by hand: lr = 0.1 and t = 50. What happens to λ if you train twice as long?
    """
    raise NotImplementedError("early_stopping_lambda: implement me — see the docstring")
