"""Correct: no GD loop; closed form w_t = V·diag((1 − (1 − lr·s)^t)/s)·Vᵀ·Xᵀy/N via eigh; 0-d arrays.

Ridge the same way through the eigen-decomposition of XᵀX/N; scalars come back as 0-d arrays.
"""
import numpy as np


def _gd_gain(s, lr, t):
    """(1 − (1 − lr·s)^t)/s, computed without cancellation; its limit lr·t at s = 0."""
    s = np.asarray(s, dtype=float)
    x = lr * s
    small = np.abs(x) < 1.0
    # -expm1(t·log1p(−x)) = 1 − (1 − x)^t, accurate even when x is tiny.
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(small, -np.expm1(t * np.log1p(-np.where(small, x, 0.0))),
                          1.0 - (1.0 - x) ** t)
        gain = np.where(s != 0.0, factor / np.where(s != 0.0, s, 1.0), lr * t)
    return gain


def gd_linear_regression(X, y, lr, n_steps):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    s, V = np.linalg.eigh(X.T @ X / n)
    coeffs = V.T @ (X.T @ y / n)
    return V @ (_gd_gain(s, lr, int(n_steps)) * coeffs)


def ridge_regression(X, y, lam):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    s, V = np.linalg.eigh(X.T @ X / n)
    return V @ ((V.T @ (X.T @ y / n)) / (s + lam))


def gd_filter_factors(eigvals, lr, n_steps):
    s = np.asarray(eigvals, dtype=float)
    return s * _gd_gain(s, lr, int(n_steps))


def ridge_filter_factors(eigvals, lam):
    s = np.asarray(eigvals, dtype=float)
    return np.divide(s, s + lam, out=np.zeros_like(s), where=(s + lam) != 0)


def early_stopping_lambda(lr, n_steps):
    return np.array(np.inf if lr * n_steps == 0 else 1.0 / (lr * n_steps))
