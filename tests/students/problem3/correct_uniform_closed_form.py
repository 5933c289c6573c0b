"""Correct: mask from rng.uniform(...) >= p (bool to float), closed-form E[y] = w.h that still refuses n > 16, 0-d arrays out."""
import numpy as np


def inverted_dropout(a, p, rng):
    if not (0.0 <= p < 1.0):
        raise ValueError("p must satisfy 0 <= p < 1")
    keep = rng.uniform(0.0, 1.0, size=a.shape) >= p     # P(keep) = 1 - p
    mask = np.where(keep, 1.0, 0.0)
    scale = 1.0 / (1.0 - p)
    return a * mask * scale, mask


def dropout_backward(grad_out, mask, p):
    return np.where(np.asarray(mask) != 0, grad_out / (1 - p), 0.0)


def dropout_moments(mu, sigma2, p):
    return np.asarray(mu), np.asarray((sigma2 + p * mu**2) / (1 - p))


def dropout_expected_output(w, h, p):
    if len(w) > 16:
        raise ValueError("enumeration is limited to n <= 16")
    # E[m_i] / (1 - p) = 1: the masks average out to the inference-time output
    return np.asarray(np.dot(w, h))
