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

import itertools

import numpy as np
from numpy.typing import ArrayLike


def inverted_dropout(
    a: ArrayLike, p: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Training-time inverted dropout: returns ``(out, mask)``.

    Every entry is dropped independently with probability p (the drop rate):

        mᵢ ~ Bernoulli(1 − p)     (1 = kept, 0 = dropped)
        outᵢ = aᵢ·mᵢ/(1 − p)

    Scaling the survivors by 1/(1 − p) makes E[outᵢ] = aᵢ, so at inference time
    the layer is simply the identity — nothing needs rescaling.

    All randomness must come from ``rng`` (a numpy Generator; ``rng.random`` or
    ``rng.binomial`` are both fine), so the same generator state gives the same
    mask and the same output.

    Shapes: ``a`` any shape; ``out`` and ``mask`` have that same shape, and
    ``mask`` holds only 0.0 and 1.0 (float64).

    Edge cases: p = 0 keeps everything (out equals a). Raises ValueError unless
    0 ≤ p < 1 (p = 1 would drop everything and divide by zero).

    Corresponds to section 5 (the forward pass during training).

    Example: with p = 0.5, a = [1.0, 2.0, 3.0] and a draw that keeps the first
    and third entries: mask = [1, 0, 1], out = [2.0, 0.0, 6.0].

    Contract:
      * ``a`` any shape; ``out`` and ``mask`` have that shape, and ``mask``
        holds only 0.0 and 1.0;
      * returns the pair ``(out, mask)`` (a tuple, a list or a numpy array of
        two are all fine);
      * p = 0 keeps everything; ValueError unless 0 ≤ p < 1.
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f"p must satisfy 0 <= p < 1, got {p}")
    a = np.asarray(a, dtype=np.float64)
    mask = (rng.random(a.shape) >= p).astype(np.float64)
    return a * mask / (1.0 - p), mask


def dropout_backward(grad_out: ArrayLike, mask: ArrayLike, p: float) -> np.ndarray:
    """Gradient of the loss w.r.t. the dropout layer's input.

    Since out = a·m/(1 − p) elementwise, the chain rule gives

        ∂L/∂a = ∂L/∂out · m/(1 − p)

    so dropped units (m = 0) receive zero gradient and kept units receive the
    upstream gradient multiplied by 1/(1 − p) — the same mask and the same
    scale as the forward pass.

    Shapes: ``grad_out`` and ``mask`` (as returned by ``inverted_dropout``)
    have the same shape; the result has that shape.

    Corresponds to section 5 (gradient through dropout).

    Example: dropout_backward([1.0, 1.0, 1.0], [1.0, 0.0, 1.0], p=0.5)
    -> [2.0, 0.0, 2.0]

    Contract:
      * ``grad_out`` and ``mask`` (as returned by ``inverted_dropout``) have
        the same shape; the result has that shape;
      * dropped units receive an exact 0.
    """
    grad_out = np.asarray(grad_out, dtype=np.float64)
    mask = np.asarray(mask, dtype=np.float64)
    return grad_out * mask / (1.0 - p)


def dropout_moments(mu: float, sigma2: float, p: float) -> tuple[float, float]:
    """Exact mean and variance of d = a·m/(1 − p) (practice problem 3).

    Here a has mean μ and variance σ², and m ~ Bernoulli(1 − p) is independent
    of a. Using E[m] = E[m²] = 1 − p:

        E[d]   = μ
        E[d²]  = (μ² + σ²)/(1 − p)
        Var(d) = E[d²] − μ² = σ²/(1 − p) + μ²·p/(1 − p)

    Watch out: the variance is NOT σ²·p/(1 − p). That expression is only the
    increase over σ² in the special case μ = 0 (then Var(d) = σ²/(1 − p) and
    Var(d) − σ² = σ²·p/(1 − p)). With μ ≠ 0 the mask also turns the mean into
    noise, which adds μ²·p/(1 − p).

    Input: scalars μ, σ² ≥ 0 and 0 ≤ p < 1. Output: ``(mean, var)`` as floats.

    Examples: dropout_moments(0.0, 1.0, 0.5) -> (0.0, 2.0);
    dropout_moments(1.0, 1.0, 0.5) -> (1.0, 3.0)

    Contract:
      * scalars μ, σ² ≥ 0 and 0 ≤ p < 1 in;
      * returns the pair ``(mean, var)`` of numbers (a tuple, a list or a numpy
        array of two are all fine).
    """
    return float(mu), float(sigma2 / (1.0 - p) + mu * mu * p / (1.0 - p))


def dropout_expected_output(w: ArrayLike, h: ArrayLike, p: float) -> float:
    """Worked example 2: E[y] for y = Σᵢ wᵢ·hᵢ·mᵢ/(1 − p), by brute force.

    Enumerate all 2ⁿ masks m ∈ {0, 1}ⁿ. A mask that keeps k of the n units has
    probability (1 − p)ᵏ·p^(n−k); weight each mask's output y by that
    probability and add up. The result always equals Σᵢ wᵢhᵢ, the output with
    dropout switched off — inverted dropout is unbiased ("expectation
    linearity" of this linear layer). The point of the exercise is to see this
    happen by enumeration, not to use the shortcut.

    Shapes: ``w`` and ``h`` are 1-D of the same length n. Returns a float.

    Raises ValueError if n > 16 (2ⁿ masks would be too many to enumerate).

    Example (worked example 2, p = 0.5, n = 2): the four masks give
    0, 2w₂h₂, 2w₁h₁ and 2w₁h₁ + 2w₂h₂, each with probability 1/4, so
    E[y] = w₁h₁ + w₂h₂; e.g. dropout_expected_output([1.0, 2.0], [3.0, 4.0], 0.5)
    -> 11.0

    Contract:
      * ``w`` and ``h`` are 1-D of the same length n; returns a number;
      * n > 16 raises ValueError (too many masks to enumerate).
    """
    wh = np.asarray(w, dtype=np.float64) * np.asarray(h, dtype=np.float64)
    n = len(wh)
    if n > 16:
        raise ValueError(f"at most 16 units can be enumerated, got {n}")
    masks = np.array(list(itertools.product((0.0, 1.0), repeat=n))).reshape(2**n, n)
    kept = masks.sum(axis=1)
    probs = (1.0 - p) ** kept * p ** (n - kept)
    outputs = masks @ wh / (1.0 - p)
    return float(probs @ outputs)
