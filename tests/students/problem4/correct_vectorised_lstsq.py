"""Correct: vectorised GD; ridge as least squares on the augmented system [X/√N; √lam·I] w = [y/√N; 0]."""
import numpy as np


def gd_linear_regression(X, y, lr, n_steps):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    gram = X.T @ X / n
    xty = X.T @ y / n
    w = np.zeros(X.shape[1])
    for _ in range(n_steps):
        w -= lr * (gram @ w - xty)
    return w


def ridge_regression(X, y, lam):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    A = np.vstack([X / np.sqrt(n), np.sqrt(lam) * np.eye(d)])
    b = np.concatenate([y / np.sqrt(n), np.zeros(d)])
    w, *_ = np.linalg.lstsq(A, b, rcond=None)
    return w


def gd_filter_factors(eigvals, lr, n_steps):
    s = np.asarray(eigvals, dtype=np.float64)
    return 1.0 - np.power(1.0 - lr * s, n_steps)


def ridge_filter_factors(eigvals, lam):
    s = np.asarray(eigvals, dtype=np.float64)
    denom = s + lam
    return np.where(denom == 0, 0.0, s / np.where(denom == 0, 1.0, denom))


def early_stopping_lambda(lr, n_steps):
    with np.errstate(divide="ignore"):
        return np.float64(1.0) / np.float64(lr * n_steps)
