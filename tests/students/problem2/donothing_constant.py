"""Do-nothing student: every function returns the constant 0.5 (must score 0)."""

import numpy as np


def soft_threshold(mu, lam):
    return 0.5


def l1_l2_scalar_optimum(lam):
    return 0.5


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    return 0.5
