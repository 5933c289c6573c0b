"""Problem 3 — dropout.

Read first: section 5 (dropout), worked example 2 (dropout as ensemble
averaging) and practice problem 3 of the subject "16-08 Regularization".

You will learn:
  * to implement inverted dropout, forward and backward, with the random
    generator you are handed;
  * why the survivors are divided by 1 − p;
  * to derive the exact mean and variance of a dropout unit (practice
    problem 3 of the source text asks you to show a variance that holds
    only in a special case: find out which);
  * to check expectation linearity by averaging over every possible mask.

Stuck? `regquiz hint problem3 FUNCTION` gives hints one at a time, from a
nudge to the formula; `regquiz quiz --problem problem3` asks why it works.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def inverted_dropout(
    a: ArrayLike, p: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Training-time inverted dropout: returns ``(out, mask)``.

    Every entry is dropped independently with probability p (the drop rate):
    the mask entries are mᵢ ~ Bernoulli(1 − p), 1 = kept, 0 = dropped, and the
    output is outᵢ = aᵢ·mᵢ/(1 − p) (section 5). All randomness must come from
    ``rng``, a numpy Generator (any method of it will do), so that the same
    generator state gives the same mask and the same output.

    Contract:
      * ``a`` any shape; ``out`` and ``mask`` have that shape, and ``mask``
        holds only 0.0 and 1.0;
      * returns the pair ``(out, mask)`` (a tuple, a list or a numpy array of
        two are all fine);
      * p = 0 keeps everything; ValueError unless 0 ≤ p < 1.
    """
    raise NotImplementedError("inverted_dropout: implement me — see the docstring")


def dropout_backward(grad_out: ArrayLike, mask: ArrayLike, p: float) -> np.ndarray:
    """Backward pass of inverted dropout.

    Given ``grad_out`` = ∂L/∂out for the forward pass that produced ``mask``
    with drop rate ``p``, return ∂L/∂a (section 5, "gradient through
    dropout"). Derive it from the forward pass with the chain rule.

    Contract:
      * ``grad_out`` and ``mask`` (as returned by ``inverted_dropout``) have
        the same shape; the result has that shape;
      * dropped units receive an exact 0.

    Try by hand: grad_out = [1.0, 1.0, 1.0], mask = [1.0, 0.0, 1.0], p = 0.5.
    """
    raise NotImplementedError("dropout_backward: implement me — see the docstring")


def dropout_moments(mu: float, sigma2: float, p: float) -> tuple[float, float]:
    """Practice problem 3: the exact mean and variance of a dropout unit.

    Let a be a random activation with mean μ and variance σ², and m ~
    Bernoulli(1 − p) independent of a. Return the mean and the variance of

        d = a·m/(1 − p)

    as exact numbers (no sampling). The variance asked for is the total
    variance Var(d), not its increase Var(d) − σ² over the variance without
    dropout. The source text's statement of this problem asks you to show
    Var(d) = Var(a)·p/(1 − p), and its answer ticks that off: that claim
    holds only in a special case, not for every μ. Derive Var(d) yourself
    from E[d] and E[d²], and find the case where the claim is right.

    Contract:
      * scalars μ, σ² ≥ 0 and 0 ≤ p < 1 in;
      * returns the pair ``(mean, var)`` of numbers (a tuple, a list or a numpy
        array of two are all fine).

    Try by hand: (μ, σ², p) = (0, 1, 0.5), then (1, 1, 0.5).
    """
    raise NotImplementedError("dropout_moments: implement me — see the docstring")


def dropout_expected_output(w: ArrayLike, h: ArrayLike, p: float) -> float:
    """Worked example 2: E[y] for y = Σᵢ wᵢ·hᵢ·mᵢ/(1 − p), by enumeration.

    Go through all 2ⁿ masks m ∈ {0, 1}ⁿ, where each unit is kept independently
    with probability 1 − p, and return the expected output: every mask's y
    weighted by that mask's probability. The point is to see the result of the
    enumeration for yourself, not to use a shortcut.

    Contract:
      * ``w`` and ``h`` are 1-D of the same length n; returns a number;
      * n > 16 raises ValueError (too many masks to enumerate).

    The worked example asks: n = 2, p = 0.5, e.g. w = [1.0, 2.0] and
    h = [3.0, 4.0]. How does E[y] compare with the output without dropout?
    """
    raise NotImplementedError("dropout_expected_output: implement me — see the docstring")
