"""Hostile: soft_threshold returns a lying object (__eq__ always True) for a scalar, a generator for an array.

The object's __float__ / __int__ / __array__ lie (12345), its repr is "0.0", and its __reduce__
would raise SystemExit in whoever unpickles it; for an array the result is a generator of them.

l1_l2_scalar_optimum and lasso_ista are correct (lasso_ista uses a private
soft-threshold).
"""
import numpy as np


class Liar:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = object.__hash__

    def __bool__(self):
        return True

    def __float__(self):
        return 12345.0

    def __int__(self):
        return 12345

    def __index__(self):
        return 12345

    def __array__(self, dtype=None, copy=None):
        return np.full((), 12345.0, dtype=dtype or float)

    def __repr__(self):
        return "0.0"

    def __reduce__(self):
        return (exec, ("raise SystemExit('weird_return: a student object was unpickled')",))


def _soft_threshold(mu, lam):
    mu = np.asarray(mu, dtype=float)
    out = np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0) + 0.0
    return float(out) if out.ndim == 0 else out


def soft_threshold(mu, lam):
    if np.ndim(mu) == 0:
        return Liar()
    return (Liar() for _ in np.ravel(mu))


def l1_l2_scalar_optimum(lam):
    return max(1.0 - lam / 2.0, 0.0), 2.0 / (2.0 + lam)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    if lr is None:
        top = np.linalg.eigvalsh(X.T @ X / n).max()
        if top <= 0:
            return w
        lr = 1.0 / top
    for _ in range(n_iter):
        w = _soft_threshold(w - lr * (X.T @ (X @ w - y) / n), lr * lam)
    return w
