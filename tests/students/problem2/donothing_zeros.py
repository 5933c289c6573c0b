"""Do-nothing student: every function returns zeros shaped like its first argument (must score 0)."""

import numpy as np


def soft_threshold(mu, lam):
    return np.zeros_like(np.asarray(mu, dtype=float))


def l1_l2_scalar_optimum(lam):
    return np.zeros_like(np.asarray(lam, dtype=float))


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    return np.zeros_like(np.asarray(X, dtype=float))
