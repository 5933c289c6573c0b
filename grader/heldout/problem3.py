"""Held-out cases for problem 3, run by `regquiz grade` only (never by a student's `check`).

The deterministic functions are compared with the reference solution (the `reference`
fixture) on random inputs.  Dropout's draws are the student's choice, so its cases judge
the returned mask by its relation to out, its replay from the same generator state and
its keep frequency (a Hoeffding bound: a correct solution fails with probability < 1e-11).
"""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np

from regquiz.checks import CheckFailed, Student, expect_reference, parts, as_array, close

DELTA = 1e-11


def _generator(rng: np.random.Generator) -> np.random.Generator:
    return np.random.default_rng(int(rng.integers(2**63)))


def _dropout(student: Student, a: np.ndarray, p: float, generator: np.random.Generator,
             case: str) -> tuple[np.ndarray, np.ndarray]:
    got = student.call("inverted_dropout", a, p, generator)
    why = f"held-out case: {case}; inverted_dropout returns (out, mask) shaped like a"
    out, mask = parts(got, 2, names=("out", "mask"), why=why)
    out = as_array(got, value=out, shape=a.shape, part="out", why=why)
    mask = as_array(got, value=mask, shape=a.shape, part="mask", why=why)
    if not np.all((mask == 0) | (mask == 1)) or not close(out, a * mask / (1 - p)):
        raise CheckFailed(f"held-out case: {case}\nexpected a mask of 0s and 1s and "
                          "out = a·mask/(1 − p)")
    return out, mask


def test_dropout_any_shape_and_replay(student: Student, rng: np.random.Generator) -> None:
    a = rng.normal(size=(4, 5, 6))
    out, mask = _dropout(student, a, 0.0, _generator(rng), "inverted_dropout with p = 0")
    if not (np.all(mask == 1) and np.array_equal(out, a)):
        raise CheckFailed("held-out case: inverted_dropout with p = 0 on a 3-d array\n"
                          "expected every unit kept and out equal to a")
    p = float(rng.uniform(0.2, 0.8))
    generator = _generator(rng)
    first = _dropout(student, a, p, generator, "inverted_dropout on a 3-d array")
    again = _dropout(student, a, p, generator, "inverted_dropout on a 3-d array")
    if not all(np.array_equal(x, y) for x, y in zip(first, again)):
        raise CheckFailed("held-out case: inverted_dropout twice from the same generator state\n"
                          "expected the same out and mask (all randomness from rng)")
    _, other = _dropout(student, a, p, _generator(rng), "inverted_dropout on a 3-d array")
    # Two independent correct masks of 120 units agree with probability ≤ 0.68**120 < 1e-20.
    if np.array_equal(first[1], other):
        raise CheckFailed("held-out case: inverted_dropout from two different generator states\n"
                          "expected different masks (the draws must come from rng)")


def test_dropout_high_drop_rate(student: Student, rng: np.random.Generator) -> None:
    n, p = 20_000, float(rng.uniform(0.85, 0.95))
    _, mask = _dropout(student, np.ones(n), p, _generator(rng), f"inverted_dropout with p = {p:.2f}")
    tolerance = math.sqrt(math.log(2 / DELTA) / (2 * n))  # Hoeffding on the kept fraction
    if abs(mask.mean() - (1 - p)) >= tolerance:
        raise CheckFailed(f"held-out case: inverted_dropout with p = {p:.2f} on {n} units\n"
                          f"expected a kept fraction within {tolerance:.3f} of 1 − p")


def test_backward_random(student: Student, reference: ModuleType,
                         rng: np.random.Generator) -> None:
    for p, shape in [(0.0, (6,)), (float(rng.uniform(0.1, 0.9)), (4, 5)), (0.95, (2, 3, 2))]:
        grad_out = rng.normal(size=shape)
        mask = (rng.random(shape) >= p).astype(np.float64)
        expect_reference(student.call("dropout_backward", grad_out, mask, p),
                         reference.dropout_backward(grad_out, mask, p),
                         case=f"dropout_backward with p = {p:.2f}, shape {shape}")


def test_moments_random(student: Student, reference: ModuleType, rng: np.random.Generator) -> None:
    cases = [(float(rng.normal(0, 3)), float(rng.uniform(0, 4)), float(rng.uniform(0.05, 0.9))),
             (-float(rng.uniform(0.5, 3)), float(rng.uniform(0, 4)), 0.0),
             (float(rng.normal()), 0.0, float(rng.uniform(0.05, 0.9)))]
    for mu, sigma2, p in cases:
        expect_reference(student.call("dropout_moments", mu, sigma2, p),
                         reference.dropout_moments(mu, sigma2, p), names=("mean", "var"),
                         case="dropout_moments" + (" with p = 0" if p == 0 else "")
                         + (" with σ² = 0" if sigma2 == 0 else ""))


def test_expected_output_random(student: Student, reference: ModuleType,
                                rng: np.random.Generator) -> None:
    for n, p in [(1, 0.0), (int(rng.integers(3, 9)), float(rng.uniform(0.05, 0.9))), (10, 0.5)]:
        w, h = rng.normal(size=n), rng.normal(size=n)
        expect_reference(student.call("dropout_expected_output", w, h, p),
                         reference.dropout_expected_output(w, h, p),
                         case=f"dropout_expected_output with {n} units, p = {p:.2f}")
