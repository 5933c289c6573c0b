"""Mistake: l1_l2_scalar_optimum returns (w_l2, w_l1) instead of (w_l1, w_l2)."""
import numpy as np


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("lam must be >= 0")
    return np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0)


def l1_l2_scalar_optimum(lam):
    return 1.0 / (1.0 + lam / 2.0), max(1.0 - lam / 2.0, 0.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    N, d = X.shape
    if lr is None:
        lr = 1.0 / np.linalg.eigvalsh(X.T @ X / N).max()
    w = np.zeros(d)
    for _ in range(n_iter):
        grad = X.T @ (X @ w - y) / N
        w = soft_threshold(w - lr * grad, lr * lam)
    return w
