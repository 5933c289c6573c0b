"""Mistake: inverted_dropout forgets the inverted scaling 1/(1 - p) (out = a*mask)."""
import itertools


def inverted_dropout(a, p, rng):
    if not 0 <= p < 1:
        raise ValueError("p must be in [0, 1)")
    mask = (rng.random(a.shape) < 1 - p).astype(float)
    return a * mask, mask


def dropout_backward(grad_out, mask, p):
    return grad_out * mask / (1 - p)


def dropout_moments(mu, sigma2, p):
    return mu, (sigma2 + mu**2 * p) / (1 - p)


def dropout_expected_output(w, h, p):
    n = len(w)
    if n > 16:
        raise ValueError("n must be <= 16")
    total = 0.0
    for mask in itertools.product((0, 1), repeat=n):
        k = sum(mask)
        y = sum(wi * hi * mi for wi, hi, mi in zip(w, h, mask)) / (1 - p)
        total += (1 - p) ** k * p ** (n - k) * y
    return total
