"""Correct: copies its inputs, works in float64, and rejects nonsense (negative lr/lam, t < 1) with ValueError."""
import numpy as np


def _check(lr, lam, t=1):
    if lr < 0 or lam < 0:
        raise ValueError("lr and lam must be non-negative")
    if t < 1:
        raise ValueError("t is the 1-based step number")


def sgd_l2_step(w, grad, lr, lam):
    _check(lr, lam)
    w = np.array(w, dtype=np.float64)
    w -= lr * (np.asarray(grad, dtype=np.float64) + lam * w)
    return w


def sgd_weight_decay_step(w, grad, lr, lam):
    _check(lr, lam)
    w = np.array(w, dtype=np.float64)
    return np.subtract(np.multiply(1.0 - lr * lam, w), np.multiply(lr, grad))


def _moments(g, m, v, t, beta1, beta2):
    m = np.add(np.multiply(beta1, m), (1 - beta1) * g)
    v = np.add(np.multiply(beta2, v), (1 - beta2) * np.square(g))
    return m, v, m / (1 - np.power(beta1, t)), v / (1 - np.power(beta2, t))


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    _check(lr, lam, t)
    w = np.array(w, dtype=np.float64)
    m, v, m_hat, v_hat = _moments(grad + lam * w, m, v, t, beta1, beta2)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    _check(lr, lam, t)
    w = np.array(w, dtype=np.float64)
    m, v, m_hat, v_hat = _moments(np.asarray(grad, dtype=np.float64), m, v, t, beta1, beta2)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps) - lr * lam * w, m, v
