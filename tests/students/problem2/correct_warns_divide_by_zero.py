"""Correct, but noisy: the sign comes from mu / |mu|, which divides 0 by 0 (numpy's
RuntimeWarning "invalid value encountered in divide") whenever mu has a zero entry; the NaN
it makes is thrown away by np.where, so the results are right.  A warning must not cost points."""
import numpy as np


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("lam must be >= 0")
    mu = np.asarray(mu, dtype=np.float64)
    sign = mu / np.abs(mu)  # NaN (and a RuntimeWarning) where mu == 0
    out = np.where(np.abs(mu) > lam, sign * (np.abs(mu) - lam), 0.0)
    return float(out) if out.ndim == 0 else out


def l1_l2_scalar_optimum(lam):
    return soft_threshold(1.0, lam / 2.0), 2.0 / (2.0 + lam)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    if lr is None:
        top = np.linalg.eigvalsh(X.T @ X / n).max()
        if top <= 0:
            return w
        lr = 1.0 / top
    for _ in range(n_iter):
        w = soft_threshold(w - lr * (X.T @ (X @ w - y) / n), lr * lam)
    return w
