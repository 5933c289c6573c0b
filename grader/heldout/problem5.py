"""Held-out cases for problem 5, run by `regquiz grade` only (never by a student's `check`).

Each case calls the student's function and the reference solution (the `reference`
fixture) on the same random inputs, including logits far beyond exp's range.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from regquiz.checks import Student, expect_reference


def _labels(rng: np.random.Generator, k: int, n: int) -> np.ndarray:
    return rng.integers(0, k, size=n).astype(np.int64)


def _targets(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Rows of a mix of one-hot and smoothed and arbitrary distributions."""
    rows = rng.dirichlet(np.ones(k), size=n)
    rows[0] = np.eye(k)[rng.integers(k)]
    return rows


def test_smooth_labels_random(student: Student, reference: ModuleType,
                              rng: np.random.Generator) -> None:
    for k, eps in [(2, float(rng.uniform(0.01, 0.5))), (int(rng.integers(3, 13)), 0.0),
                   (int(rng.integers(3, 13)), float(rng.uniform(0.01, 0.5)))]:
        y = _labels(rng, k, 9)
        for name in ("smooth_labels", "smooth_labels_uniform"):
            expect_reference(student.call(name, y, k, eps), getattr(reference, name)(y, k, eps),
                             case=f"{name} with K = {k}, eps = {eps:.3g}")


def test_softmax_huge_logits(student: Student, reference: ModuleType,
                             rng: np.random.Generator) -> None:
    for scale in (1.0, 1e3, 1e4):
        z = scale * rng.normal(size=(5, 7))
        z[0] = scale  # a row of equal logits
        expect_reference(student.call("softmax", z), reference.softmax(z),
                         case=f"softmax of logits of size {scale:g}")


def test_cross_entropy_huge_logits(student: Student, reference: ModuleType,
                                   rng: np.random.Generator) -> None:
    for scale in (1.0, 1e4):
        logits, targets = scale * rng.normal(size=(6, 5)), _targets(rng, 6, 5)
        expect_reference(student.call("cross_entropy", logits, targets),
                         reference.cross_entropy(logits, targets),
                         case=f"cross_entropy with logits of size {scale:g}")


def test_cross_entropy_grad_random(student: Student, reference: ModuleType,
                                   rng: np.random.Generator) -> None:
    for scale in (1.0, 1e4):
        logits, targets = scale * rng.normal(size=(4, 6)), _targets(rng, 4, 6)
        expect_reference(student.call("cross_entropy_grad", logits, targets),
                         reference.cross_entropy_grad(logits, targets),
                         case=f"cross_entropy_grad with logits of size {scale:g}")


def test_min_cross_entropy_random(student: Student, reference: ModuleType,
                                  rng: np.random.Generator) -> None:
    for k, eps in [(int(rng.integers(2, 30)), float(rng.uniform(0.01, 0.6))), (7, 0.0)]:
        expect_reference(student.call("min_cross_entropy", k, eps),
                         reference.min_cross_entropy(k, eps),
                         case=f"min_cross_entropy with K = {k}" + (", eps = 0" if eps == 0 else ""))
