"""Hostile: monkeypatches numpy's comparisons to always agree, then returns wrong values everywhere.

Replaced at import and again in every call: np.allclose, np.isclose, np.array_equal,
np.array_equiv, np.testing.assert_allclose / assert_array_equal / assert_array_almost_equal /
assert_almost_equal / assert_equal / assert_approx_equal, and math.isclose.

soft_threshold returns mu + 1, l1_l2_scalar_optimum returns (42.0, 42.0), lasso_ista returns ones.
Expected score: 0 (the verdict must be computed where this module never ran).
"""
import math

import numpy as np
import numpy.testing


def _always_true(*args, **kwargs):
    return True


def _never_fails(*args, **kwargs):
    return None


def _patch():
    np.allclose = _always_true
    np.isclose = _always_true
    np.array_equal = _always_true
    np.array_equiv = _always_true
    math.isclose = _always_true
    for name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
                 "assert_almost_equal", "assert_equal", "assert_approx_equal"):
        setattr(np.testing, name, _never_fails)


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
