"""Mistake: dropout_expected_output hard-codes Worked Example 2 (w1*h1 + w2*h2): right for n = 2, wrong otherwise."""


def inverted_dropout(a, p, rng):
    if not 0 <= p < 1:
        raise ValueError("p must be in [0, 1)")
    mask = (rng.random(a.shape) < 1 - p).astype(float)
    return a * mask / (1 - p), mask


def dropout_backward(grad_out, mask, p):
    return grad_out * mask / (1 - p)


def dropout_moments(mu, sigma2, p):
    return mu, (sigma2 + mu**2 * p) / (1 - p)


def dropout_expected_output(w, h, p):
    if len(w) > 16:
        raise ValueError("n must be <= 16")
    return w[0] * h[0] + w[1] * h[1]
