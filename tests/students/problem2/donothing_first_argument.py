"""Do-nothing student: every function returns its first argument (must score 0)."""

import numpy as np


def soft_threshold(mu, lam):
    return mu


def l1_l2_scalar_optimum(lam):
    return lam


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    return X
