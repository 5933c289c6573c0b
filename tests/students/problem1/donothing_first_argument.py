"""Do-nothing student: every function returns its first argument (must score 0)."""

import numpy as np


def sgd_l2_step(w, grad, lr, lam):
    return w


def sgd_weight_decay_step(w, grad, lr, lam):
    return w


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-08):
    return w


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-08):
    return w
