"""Correct: mu - clip(mu, -lam, lam); returns 0-d arrays for scalars; also rejects negative lr / n_iter with ValueError."""
import numpy as np


def soft_threshold(mu, lam):
    if not lam >= 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    mu = np.asarray(mu, dtype=np.float64)
    return mu - np.clip(mu, -lam, lam)


def l1_l2_scalar_optimum(lam):
    if lam < 0:
        raise ValueError("lam must be >= 0")
    return soft_threshold(1.0, lam / 2.0), np.asarray(1.0 / (1.0 + 0.5 * lam))


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if n_iter < 0:
        raise ValueError("n_iter must be >= 0")
    if lr is None:
        s = np.linalg.svd(X / np.sqrt(X.shape[0]), compute_uv=False)
        if s[0] == 0:
            return np.zeros(X.shape[1])
        lr = 1.0 / s[0] ** 2
    elif lr <= 0:
        raise ValueError("lr must be > 0")
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        z = w + lr * (X.T @ (y - X @ w)) / X.shape[0]
        w = soft_threshold(z, lr * lam)
    return w
