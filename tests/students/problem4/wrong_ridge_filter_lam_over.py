"""Mistake: ridge_filter_factors returns lam/(s + lam) (the shrinkage, not the kept fraction).

Everything else in this module is correct.
"""
import numpy as np


def gd_linear_regression(X, y, lr, n_steps):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    for _ in range(n_steps):
        grad = -X.T @ (y - X @ w) / n
        w = w - lr * grad
    return w


def ridge_regression(X, y, lam):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)


def gd_filter_factors(eigvals, lr, n_steps):
    s = np.asarray(eigvals, dtype=float)
    return 1.0 - (1.0 - lr * s) ** n_steps


def ridge_filter_factors(eigvals, lam):
    s = np.asarray(eigvals, dtype=float)
    return lam / (s + lam)


def early_stopping_lambda(lr, n_steps):
    return 1.0 / (lr * n_steps)
