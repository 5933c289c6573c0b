"""Correct: plain vectorised numpy, the textbook formulas."""
import numpy as np


def sgd_l2_step(w, grad, lr, lam):
    return w - lr * (grad + lam * w)


def sgd_weight_decay_step(w, grad, lr, lam):
    return (1 - lr * lam) * w - lr * grad


def _adam(w, g, m, v, t, beta1, beta2):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return m, v, m_hat, v_hat


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, m_hat, v_hat = _adam(w, grad + lam * w, m, v, t, beta1, beta2)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v, m_hat, v_hat = _adam(w, grad, m, v, t, beta1, beta2)
    return w - lr * (m_hat / (np.sqrt(v_hat) + eps) + lam * w), m, v
