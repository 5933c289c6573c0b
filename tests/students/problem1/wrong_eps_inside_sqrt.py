"""Mistake: adam_l2_step and adamw_step put eps inside the square root, sqrt(v_hat + eps) (visible with small gradients or a large eps)."""
import numpy as np


def sgd_l2_step(w, grad, lr, lam):
    return w - lr * (grad + lam * w)


def sgd_weight_decay_step(w, grad, lr, lam):
    return (1 - lr * lam) * w - lr * grad


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    g = grad + lam * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * (m_hat / np.sqrt(v_hat + eps) + lam * w), m, v
