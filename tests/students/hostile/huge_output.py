"""Hostile: soft_threshold returns an array of 3·10**7 float64 ones (240 MB), whatever the input.

l1_l2_scalar_optimum and lasso_ista are correct (lasso_ista uses a private
soft-threshold).
"""
import numpy as np


def _soft_threshold(mu, lam):
    mu = np.asarray(mu, dtype=float)
    out = np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0) + 0.0
    return float(out) if out.ndim == 0 else out


def soft_threshold(mu, lam):
    return np.ones(3 * 10**7, dtype=np.float64)


def l1_l2_scalar_optimum(lam):
    return max(1.0 - lam / 2.0, 0.0), 2.0 / (2.0 + lam)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    if lr is None:
        top = np.linalg.eigvalsh(X.T @ X / n).max()
        if top <= 0:
            return w
        lr = 1.0 / top
    for _ in range(n_iter):
        w = _soft_threshold(w - lr * (X.T @ (X @ w - y) / n), lr * lam)
    return w
