"""Problem 5 — label smoothing and cross-entropy.

Read first: section 8 (label smoothing), worked example 3 and practice
problem 5 of the subject "16-08 Regularization".

You will learn:
  * the two conventions of label smoothing, this subject's and torch's/Keras's;
  * to compute softmax and cross-entropy without overflow for huge logits;
  * to derive the gradient of the cross-entropy with respect to the logits
    (worked example 3 of the source text misprints it);
  * to find the lowest training loss that smoothed targets allow.
Practice problem 5 (is 99 % accuracy with a loss of 1.5 consistent?) has no
function to write: `regquiz quiz --problem problem5` asks it.

Stuck? `regquiz hint problem5 FUNCTION` gives hints one at a time, from a
nudge to the formula.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def smooth_labels(y: ArrayLike, num_classes: int, eps: float) -> np.ndarray:
    """Label smoothing, this subject's convention (section 8).

    Turn integer labels into smoothed target rows over K = ``num_classes``
    classes: take the mass ε away from the true class of each one-hot row and
    share it equally among the other K − 1 classes. Work out what each class
    then receives.

    Contract:
      * ``y`` is (N,) of ints in [0, K); returns an (N, K) float64 array whose
        rows sum to 1;
      * ε = 0 gives the plain one-hot rows.

    Try by hand: y = [3, 0], K = 10, ε = 0.1.
    """
    raise NotImplementedError("smooth_labels: implement me — see the docstring")


def smooth_labels_uniform(y: ArrayLike, num_classes: int, eps: float) -> np.ndarray:
    """Label smoothing, the torch/Keras convention.

    The convention of torch's CrossEntropyLoss(label_smoothing=ε) and of Keras:
    mix the one-hot row with the uniform distribution over all K classes,
    giving the uniform distribution the weight ε and the one-hot row the rest.
    Work out what the true class and every other class receive; it differs
    from ``smooth_labels``, because here the true class takes part in the
    uniform share too.

    Contract:
      * ``y`` is (N,) of ints in [0, K); returns an (N, K) float64 array whose
        rows sum to 1;
      * ε = 0 gives the plain one-hot rows.

    Try by hand: y = [0], K = 4, ε = 0.2.
    """
    raise NotImplementedError("smooth_labels_uniform: implement me — see the docstring")


def softmax(z: ArrayLike) -> np.ndarray:
    """Row-wise softmax: softmax(z)ₖ = exp(zₖ)/Σⱼ exp(zⱼ) along the last axis.

    It must stay finite and accurate for logits as large as |z| = 1e4, where
    exp alone overflows: find a way to compute the same numbers safely.

    Contract:
      * ``z`` is (K,) or (N, K); returns probabilities of the same shape, each
        row summing to 1;
      * finite for |z| up to 1e4.
    """
    raise NotImplementedError("softmax: implement me — see the docstring")


def cross_entropy(logits: ArrayLike, targets: ArrayLike) -> float:
    """Mean cross-entropy between target rows and the softmax of the logits.

    Return

        L = (1/N)·Σᵢ [−Σₖ targets_ik·log softmax(logits_i)ₖ]

    the mean over the N rows. It must stay finite for huge logits, where
    softmax underflows to exactly 0 and log 0 = −inf.

    Contract:
      * ``logits`` and ``targets`` have one shape, (N, K) or (K,) (one row,
        N = 1); each target row is a probability distribution: non-negative
        entries that sum to 1; returns one number, in nats;
      * finite for |logits| up to 1e4.
    """
    raise NotImplementedError("cross_entropy: implement me — see the docstring")


def cross_entropy_grad(logits: ArrayLike, targets: ArrayLike) -> np.ndarray:
    """The gradient of ``cross_entropy`` with respect to the logits.

    Return ∂L/∂logits for the mean loss L of ``cross_entropy``. Derive it
    (worked example 3 asks for it, and the source text misprints its answer);
    the checks also compare it with finite differences of your own
    ``cross_entropy``.

    Contract:
      * ``logits`` and ``targets`` have one shape, (N, K) or (K,) (N = 1);
        each target row sums to 1 (your derivation may use it); returns an
        array of that shape.

    Worked example 3 asks: logits whose softmax is [0.7, 0.2, 0.1], the true
    class first, with y = [1, 0, 0] and with ỹ = [0.9, 0.05, 0.05]. Does
    smoothing shrink every component?
    """
    raise NotImplementedError("cross_entropy_grad: implement me — see the docstring")


def min_cross_entropy(num_classes: int, eps: float) -> float:
    """The lowest mean training cross-entropy that smoothed targets allow.

    Return the infimum, over all logits, of ``cross_entropy`` against targets
    made by ``smooth_labels`` with K = ``num_classes`` classes and smoothing ε,
    in nats, using 0·log 0 = 0. The source text's answer to practice problem 5
    puts it at −log 0.9; find out whether that is right.

    Contract:
      * K ≥ 2 and 0 ≤ ε < 1 in; returns one number;
      * ε = 0 gives 0.

    Try by hand: K = 10, ε = 0.1.
    """
    raise NotImplementedError("min_cross_entropy: implement me — see the docstring")
