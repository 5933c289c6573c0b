"""Do-nothing student: every function returns its first argument (must score 0)."""

import numpy as np


def inverted_dropout(a, p, rng):
    return a


def dropout_backward(grad_out, mask, p):
    return grad_out


def dropout_moments(mu, sigma2, p):
    return mu


def dropout_expected_output(w, h, p):
    return w
