"""Do-nothing student: every function returns the constant 0.5 (must score 0)."""

import numpy as np


def inverted_dropout(a, p, rng):
    return 0.5


def dropout_backward(grad_out, mask, p):
    return 0.5


def dropout_moments(mu, sigma2, p):
    return 0.5


def dropout_expected_output(w, h, p):
    return 0.5
