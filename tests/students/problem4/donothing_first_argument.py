"""Do-nothing student: every function returns its first argument (must score 0)."""

import numpy as np


def gd_linear_regression(X, y, lr, n_steps):
    return X


def ridge_regression(X, y, lam):
    return X


def gd_filter_factors(eigvals, lr, n_steps):
    return eigvals


def ridge_filter_factors(eigvals, lam):
    return eigvals


def early_stopping_lambda(lr, n_steps):
    return lr
