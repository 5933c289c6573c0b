"""Correct, compact: adam_l2_step returns (w, m, v) stacked in a numpy array, adamw_step a list."""

import numpy as np


def sgd_l2_step(w, grad, lr, lam):
    return np.asarray(w) - lr * (np.asarray(grad) + lam * np.asarray(w))


def sgd_weight_decay_step(w, grad, lr, lam):
    return (1 - lr * lam) * np.asarray(w) - lr * np.asarray(grad)


def _adam(g, m, v, t, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    step = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return step, m, v


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    step, m, v = _adam(grad + lam * w, m, v, t, beta1, beta2, eps)
    return np.array([w - lr * step, m, v])


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    step, m, v = _adam(grad, m, v, t, beta1, beta2, eps)
    return [w - lr * (step + lam * w), m, v]
