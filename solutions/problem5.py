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

import math

import numpy as np
from numpy.typing import ArrayLike


def smooth_labels(y: ArrayLike, num_classes: int, eps: float) -> np.ndarray:
    """Smoothed one-hot targets, this subject's convention.

    For a label c and K = num_classes classes, row i is

        ỹ_k = 1 − eps        if k = c
        ỹ_k = eps/(K − 1)    otherwise

    so the true class gets exactly 1 − eps and the remaining mass eps is
    spread over the K − 1 wrong classes; each row sums to 1. K ≥ 2.

    Do not confuse with ``smooth_labels_uniform`` (torch/Keras), which puts
    eps/K on EVERY class, so its true class gets 1 − eps + eps/K. The two
    agree only after rescaling eps (uniform with eps·K/(K − 1) equals this one
    with eps).

    Shapes: ``y`` is an int array (N,) of labels in 0 … K − 1; returns a
    float64 array (N, K). eps = 0 gives the plain one-hot matrix.

    Corresponds to section 8 and worked example 3.

    Example: smooth_labels([0, 2], 3, 0.1)
    -> [[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]]

    Contract:
      * ``y`` is (N,) of ints in [0, K); returns an (N, K) float64 array whose
        rows sum to 1;
      * ε = 0 gives the plain one-hot rows.
    """
    labels = np.asarray(y, dtype=np.intp)
    out = np.full((labels.shape[0], num_classes), eps / (num_classes - 1))
    out[np.arange(labels.shape[0]), labels] = 1.0 - eps
    return out


def smooth_labels_uniform(y: ArrayLike, num_classes: int, eps: float) -> np.ndarray:
    """Smoothed targets, uniform convention: (1 − eps)·onehot + eps/K.

    This mixes the one-hot row with the uniform distribution over all K
    classes: the true class gets 1 − eps + eps/K and every other class gets
    eps/K. It is what torch's CrossEntropyLoss(label_smoothing=eps) and Keras's
    label_smoothing=eps use. Each row sums to 1.

    Not the same numbers as ``smooth_labels`` for the same eps: there the true
    class gets exactly 1 − eps and the others eps/(K − 1).

    Shapes: ``y`` is an int array (N,) of labels in 0 … K − 1; returns a
    float64 array (N, K).

    Corresponds to section 8 (the convention used by the common libraries).

    Example: smooth_labels_uniform([0], 4, 0.2) -> [[0.85, 0.05, 0.05, 0.05]]

    Contract:
      * ``y`` is (N,) of ints in [0, K); returns an (N, K) float64 array whose
        rows sum to 1;
      * ε = 0 gives the plain one-hot rows.
    """
    labels = np.asarray(y, dtype=np.intp)
    out = np.full((labels.shape[0], num_classes), eps / num_classes)
    out[np.arange(labels.shape[0]), labels] += 1.0 - eps
    return out


def softmax(z: ArrayLike) -> np.ndarray:
    """Row-wise softmax over the last axis: softmax(z)_k = exp(z_k)/Σ_j exp(z_j).

    Numerically stable form: subtract each row's maximum first,
    exp(z_k − max z)/Σ_j exp(z_j − max z). The value is unchanged (the factor
    exp(−max z) cancels), but no exp ever overflows, so logits as large as
    ±1e4 give finite probabilities.

    Shapes: ``z`` is (K,) (one row) or (N, K); returns float64 of the same
    shape, every row non-negative and summing to 1.

    Corresponds to section 8 and worked example 3 (ŷ = softmax(z)).

    Examples: softmax([0.0, math.log(3)]) -> [0.25, 0.75];
    softmax([1e4, 0.0, -1e4]) -> [1.0, 0.0, 0.0]  (no nan, no inf)

    Contract:
      * ``z`` is (K,) or (N, K); returns probabilities of the same shape, each
        row summing to 1;
      * finite for |z| up to 1e4.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(logits: ArrayLike, targets: ArrayLike) -> float:
    """Mean cross-entropy between target rows and softmax(logits).

        L = (1/N)·Σᵢ [ −Σₖ targets_ik · log softmax(logits_i)_k ]

    The targets may be one-hot or smoothed (any rows of probabilities).
    Compute log softmax directly with log-sum-exp,

        log softmax(z)_k = z_k − max z − log Σ_j exp(z_j − max z),

    never as log(softmax(z)): for large logits softmax underflows to 0 and its
    log becomes −inf (and 0·(−inf) = nan).

    Shapes: ``logits`` and ``targets`` are both (N, K), or both (K,) for a
    single row (N = 1). Returns a Python float (in nats).

    Corresponds to section 8, worked example 3 and practice problem 5.

    Examples: cross_entropy(np.log([[0.7, 0.2, 0.1]]), [[1.0, 0.0, 0.0]])
    -> 0.3567 (= −log 0.7); cross_entropy([[1e4, 0.0]], [[0.0, 1.0]]) -> 1e4

    Contract:
      * ``logits`` and ``targets`` have one shape, (N, K) or (K,) (one row,
        N = 1); each target row is a probability distribution: non-negative
        entries that sum to 1; returns one number, in nats;
      * finite for |logits| up to 1e4.
    """
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return float(-(t * log_probs).sum(axis=-1).mean())


def cross_entropy_grad(logits: ArrayLike, targets: ArrayLike) -> np.ndarray:
    """Gradient of ``cross_entropy`` (the mean over rows) w.r.t. the logits.

        ∂L/∂logits = (softmax(logits) − targets)/N

    for target rows that sum to 1, with N the number of rows. Each row is
    "prediction minus target": positive where the model over-predicts and
    negative where it under-predicts. The 1/N comes from the mean.

    Beware: worked example 3 in the source text writes the gradient as just
    the target vector; the correct gradient is ŷ − y (prediction minus
    target), divided by N for a mean over N rows.

    Shapes: same as the logits, (N, K) or (K,) for one row (then N = 1).

    Corresponds to worked example 3 (true class = the first class, index 0,
    ŷ = [0.7, 0.2, 0.1]):
      cross_entropy_grad(np.log([[0.7, 0.2, 0.1]]), [[1.0, 0.0, 0.0]])
      -> [[-0.3, 0.2, 0.1]]
      cross_entropy_grad(np.log([[0.7, 0.2, 0.1]]), [[0.9, 0.05, 0.05]])
      -> [[-0.2, 0.15, 0.05]]   (smoothed, eps = 0.1, K = 3: a gentler push)

    Smoothing does not shrink every component: the true class's component
    moves by ε toward 0, but a wrong class predicted below ε/(K − 1) changes
    sign and can grow (ŷ = 0.01 with ε/(K − 1) = 0.05 goes from 0.01 to −0.04).
    Here both wrong classes sit above 0.05/2, so all three shrink.

    Contract:
      * ``logits`` and ``targets`` have one shape, (N, K) or (K,) (N = 1);
        each target row sums to 1 (your derivation may use it); returns an
        array of that shape.
    """
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    n = z.size // z.shape[-1]
    return (softmax(z) - t) / n


def min_cross_entropy(num_classes: int, eps: float) -> float:
    """The lowest mean training cross-entropy reachable with ``smooth_labels``.

    Cross-entropy splits as CE(ỹ, q) = H(ỹ) + KL(ỹ ‖ q) ≥ H(ỹ), with equality
    when the prediction q equals the target ỹ (finite logits log ỹ reach it
    when 0 < eps < 1). So the floor is the entropy of one smoothed row:

        H(ỹ) = −(1 − eps)·log(1 − eps) − eps·log(eps/(K − 1))

    in nats, with the convention 0·log 0 = 0 (so eps = 0 gives 0.0, and
    eps = 1 gives log(K − 1)).

    The tempting answer −log(1 − eps) (≈ 0.105 for eps = 0.1) is wrong: it
    keeps only the true-class term and forgets that the off-class targets
    eps/(K − 1) also contribute −ỹ_k·log q_k. For K = 10, eps = 0.1 the floor
    is ≈ 0.545 nats: even a perfect fit cannot go lower, and a model can be
    99% accurate (accuracy reads only the argmax) with a loss well above it.

    Input: K ≥ 2 and 0 ≤ eps ≤ 1. Output: a Python float.

    Corresponds to practice problem 5.

    Examples: min_cross_entropy(10, 0.1) -> 0.5448;
    min_cross_entropy(3, 0.1) -> 0.3944;  min_cross_entropy(10, 0.0) -> 0.0

    Contract:
      * K ≥ 2 and 0 ≤ ε < 1 in; returns one number;
      * ε = 0 gives 0.
    """
    entropy = 0.0
    if eps < 1:
        entropy -= (1.0 - eps) * math.log(1.0 - eps)
    if eps > 0:
        entropy -= eps * math.log(eps / (num_classes - 1))
    return float(entropy)
