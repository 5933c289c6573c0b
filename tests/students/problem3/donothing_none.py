"""Do-nothing student: every function returns None (must score 0)."""

import numpy as np


def inverted_dropout(a, p, rng):
    return None


def dropout_backward(grad_out, mask, p):
    return None


def dropout_moments(mu, sigma2, p):
    return None


def dropout_expected_output(w, h, p):
    return None
