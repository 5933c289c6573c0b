"""Mistake: inverted_dropout returns the scaled mask m/(1 - p) instead of the 0/1 mask (the scaling belongs in out only)."""
import numpy as np


def inverted_dropout(a, p, rng):
    if p < 0 or p >= 1:
        raise ValueError(f"dropout rate p={p} outside [0, 1)")
    mask = rng.binomial(1, 1 - p, size=np.shape(a))
    mask = mask / (1 - p)
    return np.multiply(a, mask), mask


def dropout_backward(grad_out, mask, p):
    return np.multiply(grad_out, mask) * (1.0 / (1 - p))


def dropout_moments(mu, sigma2, p):
    mean = mu * (1 - p) / (1 - p)
    second = (mu**2 + sigma2) * (1 - p) / (1 - p) ** 2   # E[a^2] E[m^2] / (1 - p)^2
    return mean, second - mean**2


def dropout_expected_output(w, h, p):
    w, h = np.asarray(w, dtype=float), np.asarray(h, dtype=float)
    n = w.size
    if n > 16:
        raise ValueError("n > 16")
    masks = (np.arange(2**n)[:, None] >> np.arange(n)) & 1          # (2^n, n)
    kept = masks.sum(axis=1)
    probs = (1 - p) ** kept * p ** (n - kept)
    outputs = masks @ (w * h) / (1 - p)
    return np.float64(probs @ outputs)
