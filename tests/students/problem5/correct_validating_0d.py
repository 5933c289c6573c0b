"""Correct: one-hot via np.eye, softmax via log-sum-exp, scalars returned as 0-d arrays / numpy scalars; rejects nonsense (eps outside [0, 1], K < 2, labels out of range, shape mismatch) with ValueError."""
import numpy as np


def _check(y, num_classes, eps):
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"eps must be in [0, 1], got {eps!r}")
    if int(num_classes) != num_classes or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or (y.size and (y.min() < 0 or y.max() >= num_classes)):
            raise ValueError("labels must be a 1-D array of integers in [0, num_classes)")
        return y.astype(np.int64)
    return None


def smooth_labels(y, num_classes, eps):
    y = _check(y, num_classes, eps)
    off = eps / (num_classes - 1)
    return np.eye(num_classes)[y] * (1.0 - eps - off) + off


def smooth_labels_uniform(y, num_classes, eps):
    y = _check(y, num_classes, eps)
    return np.eye(num_classes)[y] * (1.0 - eps) + eps / num_classes


def _logsumexp(z):
    m = np.max(z, axis=-1, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    if z.ndim not in (1, 2):
        raise ValueError("softmax expects a vector or an (N, K) array")
    return np.exp(z - _logsumexp(z))


def cross_entropy(logits, targets):
    logits = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if logits.shape != targets.shape:
        raise ValueError(f"shape mismatch: {logits.shape} vs {targets.shape}")
    logits2 = logits.reshape(-1, logits.shape[-1])
    targets2 = targets.reshape(-1, targets.shape[-1])
    nll = np.sum(targets2 * (_logsumexp(logits2) - logits2), axis=1)
    return np.array(nll.mean())


def cross_entropy_grad(logits, targets):
    logits = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if logits.shape != targets.shape:
        raise ValueError(f"shape mismatch: {logits.shape} vs {targets.shape}")
    n = len(logits) if logits.ndim == 2 else 1
    return (softmax(logits) - targets) / n


def min_cross_entropy(num_classes, eps):
    _check(None, num_classes, eps)
    p = np.array([1.0 - eps] + [eps / (num_classes - 1)] * (num_classes - 1))
    safe = np.where(p > 0, p, 1.0)
    return np.float64(-np.sum(p * np.log(safe)))
