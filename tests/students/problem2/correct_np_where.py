"""Correct: np.where branches, optimum via soft_threshold(1, lam/2), ISTA on a precomputed Gram matrix with L = ||X||_2^2 / N."""
import numpy as np


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("negative threshold")
    mu = np.asarray(mu, dtype=np.float64)
    out = np.where(mu > lam, mu - lam, np.where(mu < -lam, mu + lam, 0.0))
    return out[()]  # numpy scalar for scalar input


def l1_l2_scalar_optimum(lam):
    # (w - 1)^2 + lam|w| = 2 * [1/2 (w - 1)^2 + (lam/2)|w|]
    w_l1 = soft_threshold(1.0, lam / 2.0)
    w_l2 = np.float64(1.0) / (1.0 + lam / 2.0)
    return w_l1, w_l2


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    N = X.shape[0]
    G = X.T @ X / N
    b = X.T @ y / N
    w = np.zeros(X.shape[1])
    if lr is None and not X.any():
        return w
    step = 1.0 / (np.linalg.norm(X, 2) ** 2 / N) if lr is None else lr
    for _ in range(n_iter):
        w = soft_threshold(w - step * (G @ w - b), step * lam)
    return w
