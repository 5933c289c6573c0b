"""Correct, compact: inverted_dropout returns (out, mask) as one stacked array, dropout_moments a list."""

import itertools

import numpy as np


def inverted_dropout(a, p, rng):
    if not 0 <= p < 1:
        raise ValueError("p must be in [0, 1)")
    a = np.asarray(a, dtype=float)
    mask = (rng.random(a.shape) >= p).astype(float)
    return np.stack([a * mask / (1 - p), mask])


def dropout_backward(grad_out, mask, p):
    return np.asarray(grad_out) * np.asarray(mask) / (1 - p)


def dropout_moments(mu, sigma2, p):
    return [mu, sigma2 / (1 - p) + mu**2 * p / (1 - p)]


def dropout_expected_output(w, h, p):
    w, h = np.asarray(w, dtype=float), np.asarray(h, dtype=float)
    if w.size > 16:
        raise ValueError("at most 16 units")
    total = 0.0
    for mask in itertools.product((0, 1), repeat=w.size):
        m = np.array(mask)
        total += (1 - p) ** m.sum() * p ** (w.size - m.sum()) * float(w @ (h * m)) / (1 - p)
    return total
