"""Do-nothing student: every function returns None (must score 0)."""

import numpy as np


def sgd_l2_step(w, grad, lr, lam):
    return None


def sgd_weight_decay_step(w, grad, lr, lam):
    return None


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-08):
    return None


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-08):
    return None
