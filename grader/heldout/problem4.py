"""Held-out cases for problem 4, run by `regquiz grade` only (never by a student's `check`).

Each case calls the student's function and the reference solution (the `reference`
fixture) on the same random inputs.  On a rank-deficient X the gradient-descent iterates
from w = 0 are still unique, and so is ridge's answer for lam > 0.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from regquiz.checks import Student, expect_reference

ITERATES = {"rtol": 1e-6, "atol": 1e-9}


def _regression(rng: np.random.Generator, n: int, d: int,
                rank: int) -> tuple[np.ndarray, np.ndarray, float]:
    """X (n, d) of the given rank, y, and the largest eigenvalue of XᵀX/N."""
    X = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, d)) / np.sqrt(rank)
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return X, y, float(np.linalg.eigvalsh(X.T @ X / n).max())


def test_gd_random(student: Student, reference: ModuleType, rng: np.random.Generator) -> None:
    X, y, top = _regression(rng, 25, 4, 4)
    lr = float(rng.uniform(0.3, 1.5)) / top
    for n_steps in (0, 1, int(rng.integers(5, 40))):
        expect_reference(student.call("gd_linear_regression", X, y, lr, n_steps),
                         reference.gd_linear_regression(X, y, lr, n_steps),
                         case=f"gd_linear_regression, {n_steps} steps", **ITERATES)


def test_gd_rank_deficient(student: Student, reference: ModuleType,
                           rng: np.random.Generator) -> None:
    X, y, top = _regression(rng, 20, 6, 2)
    lr = 0.9 / top
    expect_reference(student.call("gd_linear_regression", X, y, lr, 50),
                     reference.gd_linear_regression(X, y, lr, 50),
                     case="gd_linear_regression on a rank-deficient X", **ITERATES)


def test_ridge_random(student: Student, reference: ModuleType, rng: np.random.Generator) -> None:
    X, y, _ = _regression(rng, 30, 5, 5)
    for lam in (float(10 ** rng.uniform(-4, 1)), 0.0):
        expect_reference(student.call("ridge_regression", X, y, lam),
                         reference.ridge_regression(X, y, lam), rtol=1e-6, atol=1e-9,
                         case="ridge_regression" + (" with lam = 0, X of full column rank"
                                                    if lam == 0 else ""))


def test_ridge_rank_deficient(student: Student, reference: ModuleType,
                              rng: np.random.Generator) -> None:
    X, y, _ = _regression(rng, 15, 8, 3)
    lam = float(10 ** rng.uniform(-2, 0))
    expect_reference(student.call("ridge_regression", X, y, lam),
                     reference.ridge_regression(X, y, lam), rtol=1e-6, atol=1e-9,
                     case="ridge_regression on a rank-deficient X (lam > 0: one answer)")


def test_filter_factors_random(student: Student, reference: ModuleType,
                               rng: np.random.Generator) -> None:
    s = np.concatenate([[0.0], np.exp(rng.uniform(-5, 1, size=6))])
    lr = 0.9 / float(s.max())
    for t in (0, 1, int(rng.integers(2, 200))):
        expect_reference(student.call("gd_filter_factors", s, lr, t),
                         reference.gd_filter_factors(s, lr, t),
                         case=f"gd_filter_factors with {t} steps (an eigenvalue 0 included)")
    lam = float(10 ** rng.uniform(-3, 1))
    expect_reference(student.call("ridge_filter_factors", s, lam),
                     reference.ridge_filter_factors(s, lam),
                     case="ridge_filter_factors (an eigenvalue 0 included)")


def test_early_stopping_lambda_random(student: Student, reference: ModuleType,
                                      rng: np.random.Generator) -> None:
    for lr, t in [(float(10 ** rng.uniform(-4, 0)), int(rng.integers(1, 10_000))), (1.0, 1)]:
        expect_reference(student.call("early_stopping_lambda", lr, t),
                         reference.early_stopping_lambda(lr, t), case="early_stopping_lambda")
