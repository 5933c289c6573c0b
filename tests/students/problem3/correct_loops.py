"""Correct: one rng.random() per unit in a Python loop (replays from the same state), recursive mask enumeration."""
import numpy as np


def inverted_dropout(a, p, rng):
    if p < 0 or p >= 1:
        raise ValueError("p must be in [0, 1)")
    flat = np.asarray(a, dtype=float).ravel()
    out, mask = [], []
    for x in flat:
        m = 1.0 if rng.random() < 1 - p else 0.0
        mask.append(m)
        out.append(x * m / (1 - p))
    return np.reshape(out, a.shape), np.reshape(mask, a.shape)


def dropout_backward(grad_out, mask, p):
    g = np.asarray(grad_out, dtype=float).ravel()
    m = np.asarray(mask, dtype=float).ravel()
    return np.reshape([gi * mi / (1 - p) for gi, mi in zip(g, m)], np.shape(grad_out))


def dropout_moments(mu, sigma2, p):
    keep = 1 - p
    mean = mu
    var = sigma2 + (sigma2 + mu * mu) * p / keep   # = sigma2/(1-p) + mu^2 p/(1-p)
    return mean, var


def dropout_expected_output(w, h, p):
    n = len(w)
    if n > 16:
        raise ValueError("n must be <= 16")

    def expect(i, prob, partial):
        if i == n:
            return prob * partial / (1 - p)
        dropped = expect(i + 1, prob * p, partial)
        kept = expect(i + 1, prob * (1 - p), partial + w[i] * h[i])
        return dropped + kept

    return expect(0, 1.0, 0.0)
