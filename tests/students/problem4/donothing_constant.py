"""Do-nothing student: every function returns the constant 0.5 (must score 0)."""

import numpy as np


def gd_linear_regression(X, y, lr, n_steps):
    return 0.5


def ridge_regression(X, y, lam):
    return 0.5


def gd_filter_factors(eigvals, lr, n_steps):
    return 0.5


def ridge_filter_factors(eigvals, lam):
    return 0.5


def early_stopping_lambda(lr, n_steps):
    return 0.5
