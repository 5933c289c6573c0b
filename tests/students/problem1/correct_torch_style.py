"""Correct: written like torch.optim (decay the weights first, then addcdiv with folded bias corrections)."""
import numpy as np


def sgd_l2_step(w, grad, lr, lam):
    d_p = grad + lam * w          # torch.optim.SGD(weight_decay=lam)
    return w + (-lr) * d_p


def sgd_weight_decay_step(w, grad, lr, lam):
    w = w * (1 - lr * lam)        # decay from the old w ...
    return w - lr * grad          # ... and the step from the old w's gradient


def adam_l2_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    grad = grad + lam * w
    m = m * beta1 + grad * (1 - beta1)
    v = v * beta2 + grad * grad * (1 - beta2)
    bc1, bc2 = 1 - beta1**t, 1 - beta2**t
    denom = np.sqrt(v) / np.sqrt(bc2) + eps
    return w - (lr / bc1) * m / denom, m, v


def adamw_step(w, grad, m, v, t, lr, lam, beta1=0.9, beta2=0.999, eps=1e-8):
    new_w = w * (1 - lr * lam)    # torch.optim.AdamW: param.mul_(1 - lr * weight_decay)
    m = m * beta1 + grad * (1 - beta1)
    v = v * beta2 + grad * grad * (1 - beta2)
    bc1, bc2 = 1 - beta1**t, 1 - beta2**t
    denom = np.sqrt(v) / np.sqrt(bc2) + eps
    return new_w - (lr / bc1) * m / denom, m, v
