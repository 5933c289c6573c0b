"""Hostile: monkeypatches pytest (approx, fail, raises) and builtins, then returns wrong values everywhere.

If pytest can be imported, pytest.approx becomes an object equal to everything and pytest.fail /
pytest.raises become no-ops; `approx` is put into builtins and builtins.all / builtins.any always
return True. Does not crash when pytest is missing.

soft_threshold returns mu + 1, l1_l2_scalar_optimum returns (42.0, 42.0), lasso_ista returns ones.
Expected score: 0.
"""
import builtins
import contextlib

import numpy as np


class _EqualToEverything:
    def __init__(self, *args, **kwargs):
        pass

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    __hash__ = object.__hash__


def _nothing(*args, **kwargs):
    return None


def _patch():
    try:
        import pytest
    except Exception:
        pytest = None
    if pytest is not None:
        pytest.approx = _EqualToEverything
        pytest.fail = _nothing
        pytest.raises = lambda *args, **kwargs: contextlib.nullcontext()
    builtins.approx = _EqualToEverything
    builtins.all = lambda *args, **kwargs: True
    builtins.any = lambda *args, **kwargs: True


_patch()



def soft_threshold(mu, lam):
    _patch()
    return np.asarray(mu, dtype=float) + 1.0


def l1_l2_scalar_optimum(lam):
    _patch()
    return 42.0, 42.0


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    _patch()
    return np.ones(np.shape(X)[1])
