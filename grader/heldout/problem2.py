"""Held-out cases for problem 2, run by `regquiz grade` only (never by a student's `check`).

Each case calls the student's function and the reference solution (the `reference`
fixture) on the same random inputs.  ISTA's iterates from w = 0 are unique even when the
Lasso's minimiser is not (rank-deficient X), so they are compared directly; at
convergence only the objective value is.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from regquiz.checks import CheckFailed, Student, as_array, expect_reference

ITERATES = {"rtol": 1e-6, "atol": 1e-9}  # many floating-point steps: a little more slack


def _problem(rng: np.random.Generator, n: int, d: int, rank: int) -> tuple[np.ndarray, np.ndarray]:
    X = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, d))
    w_true = rng.normal(size=d) * (rng.random(d) < 0.5)
    y = X @ w_true + 0.3 * rng.normal(size=n)
    return X, y


def _objective(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float) -> float:
    return float(np.sum((y - X @ w) ** 2) / (2 * X.shape[0]) + lam * np.sum(np.abs(w)))


def test_soft_threshold_random(student: Student, reference: ModuleType,
                               rng: np.random.Generator) -> None:
    for shape, scale in [((5,), 1.0), ((2, 3, 4), 1e6), ((4, 1), 1e-6)]:
        mu = scale * rng.normal(size=shape)
        lam = float(scale * rng.uniform(0.2, 1.0))
        expect_reference(student.call("soft_threshold", mu, lam), reference.soft_threshold(mu, lam),
                         case=f"soft_threshold on an array of shape {shape}, values of size {scale:g}")
    for scalar in (float(rng.normal()), np.float64(rng.normal())):
        lam = float(rng.uniform(0.0, 1.0))
        expect_reference(student.call("soft_threshold", scalar, lam),
                         reference.soft_threshold(scalar, lam),
                         case="soft_threshold of a scalar")


def test_scalar_optimum_random(student: Student, reference: ModuleType,
                               rng: np.random.Generator) -> None:
    for lam in (0.0, 2.0, float(rng.uniform(0.01, 2.0)), float(rng.uniform(2.0, 50.0))):
        expect_reference(student.call("l1_l2_scalar_optimum", lam),
                         reference.l1_l2_scalar_optimum(lam), names=("w_l1", "w_l2"),
                         case="l1_l2_scalar_optimum" + (" with lam = 0" if lam == 0 else ""))


def test_lasso_iterates(student: Student, reference: ModuleType, rng: np.random.Generator) -> None:
    X, y = _problem(rng, 30, 6, 6)
    lam = float(rng.uniform(0.05, 0.3))
    lr = float(rng.uniform(0.2, 0.9)) / float(np.linalg.eigvalsh(X.T @ X / 30).max())
    for n_iter in (int(rng.integers(2, 6)), 25):
        expect_reference(student.call("lasso_ista", X, y, lam, n_iter, lr),
                         reference.lasso_ista(X, y, lam, n_iter, lr),
                         case=f"lasso_ista, {n_iter} iterations with a given lr", **ITERATES)


def test_lasso_lam_zero(student: Student, reference: ModuleType, rng: np.random.Generator) -> None:
    X, y = _problem(rng, 20, 4, 4)
    expect_reference(student.call("lasso_ista", X, y, 0.0, 30, None),
                     reference.lasso_ista(X, y, 0.0, 30, None),
                     case="lasso_ista with lam = 0 (plain gradient descent)", **ITERATES)


def test_lasso_rank_deficient(student: Student, reference: ModuleType,
                              rng: np.random.Generator) -> None:
    X, y = _problem(rng, 25, 8, 3)  # rank 3: many minimisers, one ISTA path from w = 0
    lam = float(rng.uniform(0.05, 0.2))
    expect_reference(student.call("lasso_ista", X, y, lam, 20, None),
                     reference.lasso_ista(X, y, lam, 20, None),
                     case="lasso_ista on a rank-deficient X, 20 iterations", **ITERATES)
    got = student.call("lasso_ista", X, y, lam, 300, None)
    w = as_array(got, shape=(8,), why="one weight per column of X")
    best = _objective(X, y, reference.lasso_ista(X, y, lam, 300, None), lam)
    if not _objective(X, y, w, lam) <= best + 1e-8 * (1 + abs(best)):
        raise CheckFailed("held-out case: lasso_ista on a rank-deficient X, 300 iterations\n"
                          "the Lasso objective of the answer is higher than the reference "
                          "solution's")
