"""Correct: ridge through the SVD of X (and pinv as a cross-check path); rejects nonsense (negative lr or lam, n_steps < 0) with ValueError."""
import numbers

import numpy as np


def _check_lr(lr):
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")


def _check_steps(n_steps, minimum):
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Real):
        raise ValueError(f"n_steps must be an integer, got {n_steps!r}")
    if int(n_steps) != n_steps:
        raise ValueError(f"n_steps must be an integer, got {n_steps!r}")
    if n_steps < minimum:
        raise ValueError(f"n_steps must be >= {minimum}, got {n_steps!r}")
    return int(n_steps)


def _check_lam(lam):
    if not lam >= 0:
        raise ValueError(f"lam must be >= 0, got {lam!r}")


def gd_linear_regression(X, y, lr, n_steps):
    _check_lr(lr)
    t = _check_steps(n_steps, 0)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError("X must be (N, d) and y (N,)")
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    step = 0
    while step < t:
        w = w + lr * (X.T @ (y - X @ w)) / n
        step += 1
    return w


def ridge_regression(X, y, lam):
    _check_lam(lam)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    if lam == 0:
        return np.linalg.pinv(X) @ y
    U, sv, Vt = np.linalg.svd(X, full_matrices=False)
    # (XᵀX/N + lam·I)⁻¹ Xᵀy/N = V diag(σ/(σ² + N·lam)) Uᵀ y
    return Vt.T @ ((sv / (sv**2 + n * lam)) * (U.T @ y))


def gd_filter_factors(eigvals, lr, n_steps):
    _check_lr(lr)
    t = _check_steps(n_steps, 0)
    s = np.asarray(eigvals, dtype=float)
    return 1 - (1 - lr * s) ** t


def ridge_filter_factors(eigvals, lam):
    _check_lam(lam)
    s = np.asarray(eigvals, dtype=float)
    if lam == 0:
        return (s != 0).astype(float)  # s/s = 1, and 0 for a direction without data
    return 1.0 - lam / (s + lam)


def early_stopping_lambda(lr, n_steps):
    _check_lr(lr)
    t = _check_steps(n_steps, 1)
    return float(1 / (lr * t))
