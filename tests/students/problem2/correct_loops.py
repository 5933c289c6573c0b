"""Correct: per-entry Python loops for the thresholding, case analysis for Worked Example 1, lists out."""
import numpy as np


def _soft(x, lam):
    if x > lam:
        return x - lam
    if x < -lam:
        return x + lam
    return 0.0


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("lam must be non-negative")
    if np.ndim(mu) == 0:
        return _soft(float(mu), lam)
    arr = np.asarray(mu, dtype=float)
    return np.array([_soft(x, lam) for x in arr.ravel()]).reshape(arr.shape)


def l1_l2_scalar_optimum(lam):
    # w > 0: 2(w - 1) + lam = 0; valid only if that w is positive, else the kink at 0 wins
    w_l1 = 1.0 - lam / 2.0
    if w_l1 <= 0:
        w_l1 = 0.0
    # 2(w - 1) + lam * w = 0
    w_l2 = 2.0 / (2.0 + lam)
    return (w_l1, w_l2)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    N, d = X.shape
    if lr is None:
        s_max = max(np.linalg.svd(X, compute_uv=False))
        if s_max == 0:
            return [0.0] * d
        lr = N / s_max**2
    w = [0.0] * d
    for _ in range(n_iter):
        r = X @ np.array(w) - y
        g = X.T @ r / N
        w = [_soft(w[j] - lr * g[j], lr * lam) for j in range(d)]
    return w
