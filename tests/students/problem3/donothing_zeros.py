"""Do-nothing student: every function returns zeros shaped like its first argument (must score 0)."""

import numpy as np


def inverted_dropout(a, p, rng):
    return np.zeros_like(np.asarray(a, dtype=float))


def dropout_backward(grad_out, mask, p):
    return np.zeros_like(np.asarray(grad_out, dtype=float))


def dropout_moments(mu, sigma2, p):
    return np.zeros_like(np.asarray(mu, dtype=float))


def dropout_expected_output(w, h, p):
    return np.zeros_like(np.asarray(w, dtype=float))
