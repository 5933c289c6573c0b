"""Mistake: dropout_expected_output never raises ValueError for n > 16 (uses the closed form w.h for any n)."""
import numpy as np


def inverted_dropout(a, p, rng):
    if not 0 <= p < 1:
        raise ValueError("p must be in [0, 1)")
    mask = (rng.random(a.shape) < 1 - p).astype(float)
    return a * mask / (1 - p), mask


def dropout_backward(grad_out, mask, p):
    return grad_out * mask / (1 - p)


def dropout_moments(mu, sigma2, p):
    return mu, (sigma2 + mu**2 * p) / (1 - p)


def dropout_expected_output(w, h, p):
    # E[m_i] / (1 - p) = 1, so the average over all masks is w.h -- but n is never checked
    return float(np.dot(w, h))
