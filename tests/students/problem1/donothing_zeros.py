"""Do-nothing student: every function returns zeros shaped like its first argument (must score 0)."""

import numpy as np


def sgd_l2_step(w, grad, lr, lam):
    return np.zeros_like(np.asarray(w, dtype=float))


def sgd_weight_decay_step(w, grad, lr, lam):
    return np.zeros_like(np.asarray(w, dtype=float))


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-08):
    return np.zeros_like(np.asarray(w, dtype=float))


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-08):
    return np.zeros_like(np.asarray(w, dtype=float))
