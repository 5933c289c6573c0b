"""Problem 1 — L2 regularization vs weight decay.

Read first: section 2 (L2 regularization), section 4 (L2 weight decay vs
AdamW) and practice problem 1 of the subject "16-08 Regularization".

You will learn:
  * to turn a (λ/2)·||w||² penalty into an SGD update, and to see for
    yourself when "shrink the weights, then step" is the same update;
  * to write one step of Adam on a penalised loss, moments and bias
    correction included;
  * why the penalty and weight decay part ways inside Adam, and what AdamW's
    decoupled decay changes.

Stuck? `regquiz hint problem1 FUNCTION` gives hints one at a time, from a
nudge to the formula; `regquiz quiz --problem problem1` asks why it works.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def sgd_l2_step(w: ArrayLike, grad: ArrayLike, lr: float, lam: float) -> np.ndarray:
    """One plain SGD step on the L2-penalised loss.

    The loss is L(w) = L_data(w) + (λ/2)·||w||², and ``grad`` is ∂L_data/∂w
    evaluated at the current ``w``. Take one step of stochastic gradient
    descent with learning rate ``lr`` on the whole of L (section 2, practice
    problem 1).

    Contract:
      * ``w`` and ``grad`` have the same shape (any shape); the result is a new
        float64 array of that shape (the inputs are not modified);
      * ``lr`` and ``lam`` are scalars; lam = 0 is plain SGD.

    Try by hand: w = [1.0, −2.0], grad = [0.5, 0.5], lr = 0.1, λ = 0.1.
    """
    raise NotImplementedError("sgd_l2_step: implement me — see the docstring")


def sgd_weight_decay_step(w: ArrayLike, grad: ArrayLike, lr: float, lam: float) -> np.ndarray:
    """One SGD step with weight decay.

    Weight decay does two things to the current weights: it shrinks them by a
    constant factor, and it takes the plain gradient step against ``grad``;
    both parts start from the same, current ``w`` (the step is not taken from
    the shrunk weights, nor the shrinking applied to the stepped ones). Find
    the shrink factor, in terms of lr and λ, that makes this step exactly the
    step of ``sgd_l2_step`` (practice problem 1); the checks compare the two.

    Contract:
      * ``w`` and ``grad`` have the same shape (any shape); the result is a new
        float64 array of that shape (the inputs are not modified);
      * ``grad`` is ∂L_data/∂w at ``w``, without any penalty term.
    """
    raise NotImplementedError("sgd_weight_decay_step: implement me — see the docstring")


def adam_l2_step(
    w: ArrayLike,
    grad: ArrayLike,
    m: ArrayLike,
    v: ArrayLike,
    t: int,
    lr: float,
    lam: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of Adam on the L2-penalised loss L_data(w) + (λ/2)·||w||².

    Adam (Kingma & Ba) keeps two moving averages, ``m`` of the gradient and
    ``v`` of its elementwise square, with decay rates beta1 and beta2,
    bias-corrects them for step ``t`` and moves each weight by lr times the
    corrected first moment over the square root of the corrected second moment
    plus eps (eps outside the square root). Here the gradient Adam is handed is
    that of the penalised loss, so λ acts through the moments (section 4). This
    is the convention of torch.optim.Adam(weight_decay=λ).

    Contract:
      * ``w``, ``grad``, ``m``, ``v`` have one shape; ``m`` and ``v`` are the
        moments after step t − 1 (zeros before the first step);
      * ``t`` is the 1-based number of this step (t = 1 for the first);
      * returns the triple ``(w, m, v)``, in this order: the new weights and the
        new moments (a tuple, a list or a numpy array of three are all fine).
    """
    raise NotImplementedError("adam_l2_step: implement me — see the docstring")


def adamw_step(
    w: ArrayLike,
    grad: ArrayLike,
    m: ArrayLike,
    v: ArrayLike,
    t: int,
    lr: float,
    lam: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of AdamW: Adam with decoupled weight decay.

    The moments ``m`` and ``v`` are updated from ``grad`` alone, exactly as in
    Adam with λ = 0 (bias-corrected, since they start at 0), and the weights
    are decayed by a separate term, proportional to λ and to the ``w`` passed
    in, placed beside Adam's adaptive step (section 4) and scaled by the
    learning rate. Multiplying the decay by lr is torch.optim.AdamW's convention,
    the one used here; the paper by Loshchilov & Hutter scales λ by the
    schedule multiplier only.

    Contract:
      * ``w``, ``grad``, ``m``, ``v`` have one shape; ``m`` and ``v`` are the
        moments after step t − 1 (zeros before the first step);
      * ``t`` is the 1-based number of this step (t = 1 for the first);
      * returns the triple ``(w, m, v)``, in this order (a tuple, a list or a
        numpy array of three are all fine).
    """
    raise NotImplementedError("adamw_step: implement me — see the docstring")
