"""Correct: plain Python loops over the flattened entries, results returned as (nested) lists."""
import math

import numpy as np


def _flat(*arrays):
    return [np.ravel(a).tolist() for a in arrays]


def _shaped(values, like):
    return np.reshape(values, np.shape(like)).tolist()


def sgd_l2_step(w, grad, lr, lam):
    fw, fg = _flat(w, grad)
    return _shaped([wi - lr * (gi + lam * wi) for wi, gi in zip(fw, fg)], w)


def sgd_weight_decay_step(w, grad, lr, lam):
    out = []
    for wi, gi in zip(*_flat(w, grad)):
        out.append((1.0 - lr * lam) * wi - lr * gi)
    return _shaped(out, w)


def _adam_loop(w, grad, m, v, t, lr, lam, beta1, beta2, eps, coupled):
    new_w, new_m, new_v = [], [], []
    for wi, gi, mi, vi in zip(*_flat(w, grad, m, v)):
        g = gi + lam * wi if coupled else gi
        mi = beta1 * mi + (1.0 - beta1) * g
        vi = beta2 * vi + (1.0 - beta2) * g * g
        step = (mi / (1.0 - beta1**t)) / (math.sqrt(vi / (1.0 - beta2**t)) + eps)
        if not coupled:
            step += lam * wi
        new_w.append(wi - lr * step)
        new_m.append(mi)
        new_v.append(vi)
    return _shaped(new_w, w), _shaped(new_m, w), _shaped(new_v, w)


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_loop(w, grad, m, v, t, lr, lam, beta1, beta2, eps, coupled=True)


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_loop(w, grad, m, v, t, lr, lam, beta1, beta2, eps, coupled=False)
