"""Correct: sign(mu)*max(|mu| - lam, 0), closed-form Worked Example 1, ISTA with L from eigvalsh."""
import numpy as np


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("lam must be >= 0")
    out = np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0)
    return float(out) if np.ndim(mu) == 0 else out


def l1_l2_scalar_optimum(lam):
    return max(1.0 - lam / 2.0, 0.0), 2.0 / (2.0 + lam)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    N, d = X.shape
    if lr is None:
        L = np.linalg.eigvalsh(X.T @ X / N).max()
        if L <= 0:  # X == 0: nothing to fit
            return np.zeros(d)
        lr = 1.0 / L
    w = np.zeros(d)
    for _ in range(n_iter):
        grad = X.T @ (X @ w - y) / N
        w = soft_threshold(w - lr * grad, lr * lam)
    return w
