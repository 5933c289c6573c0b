"""Do-nothing student: every function returns zeros shaped like its first argument (must score 0)."""

import numpy as np


def gd_linear_regression(X, y, lr, n_steps):
    return np.zeros_like(np.asarray(X, dtype=float))


def ridge_regression(X, y, lam):
    return np.zeros_like(np.asarray(X, dtype=float))


def gd_filter_factors(eigvals, lr, n_steps):
    return np.zeros_like(np.asarray(eigvals, dtype=float))


def ridge_filter_factors(eigvals, lam):
    return np.zeros_like(np.asarray(eigvals, dtype=float))


def early_stopping_lambda(lr, n_steps):
    return np.zeros_like(np.asarray(lr, dtype=float))
