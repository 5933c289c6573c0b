"""Mistake: cross_entropy takes np.log of the (stable) softmax: probabilities that underflow to 0 give log 0 = −inf, so the loss is inf/nan for logits of 1e4.

Everything else in this module is correct.
"""
import numpy as np


def smooth_labels(y, num_classes, eps):
    y = np.asarray(y, dtype=int)
    out = np.full((len(y), num_classes), eps / (num_classes - 1))
    out[np.arange(len(y)), y] = 1.0 - eps
    return out


def smooth_labels_uniform(y, num_classes, eps):
    y = np.asarray(y, dtype=int)
    onehot = np.zeros((len(y), num_classes))
    onehot[np.arange(len(y)), y] = 1.0
    return (1.0 - eps) * onehot + eps / num_classes


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _num_rows(z):
    return z.shape[0] if np.ndim(z) == 2 else 1


def cross_entropy(logits, targets):
    targets = np.asarray(targets, dtype=float)
    probs = softmax(logits)
    per_row = -np.sum(targets * np.log(probs), axis=-1)
    return float(np.mean(per_row))


def cross_entropy_grad(logits, targets):
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets, dtype=float)
    return (np.exp(_log_softmax(logits)) - targets) / _num_rows(logits)


def min_cross_entropy(num_classes, eps):
    row = np.array([1.0 - eps] + [eps / (num_classes - 1)] * (num_classes - 1))
    row = row[row > 0]
    return float(-np.sum(row * np.log(row)))
