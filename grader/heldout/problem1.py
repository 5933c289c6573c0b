"""Held-out cases for problem 1, run by `regquiz grade` only (never by a student's `check`).

Each case calls the student's function and the reference solution (the `reference`
fixture, trusted code from solutions/) on the same random inputs and compares the answers.
Messages name the case, never the inputs or the expected values.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from regquiz.checks import Student, expect_reference

ADAM = ("adam_l2_step", "adamw_step")
STATE = ("w", "m", "v")


def _hyper(rng: np.random.Generator) -> tuple[float, float, float, float]:
    """lr, beta1, beta2, eps away from the defaults (a swapped or hard-coded one shows)."""
    return (float(rng.uniform(0.001, 0.05)), float(rng.uniform(0.5, 0.95)),
            float(rng.uniform(0.95, 0.9999)), float(10 ** rng.uniform(-9, -6)))


def test_sgd_steps_random(student: Student, reference: ModuleType, rng: np.random.Generator) -> None:
    for shape in [(7,), (3, 4)]:
        w, grad = 3 * rng.normal(size=shape), rng.normal(size=shape)
        lr, lam = float(rng.uniform(0.001, 0.5)), float(rng.uniform(0.0, 2.0))
        for name in ("sgd_l2_step", "sgd_weight_decay_step"):
            expect_reference(student.call(name, w, grad, lr, lam),
                             getattr(reference, name)(w, grad, lr, lam),
                             case=f"{name} on an array of shape {shape}")


def test_lam_zero(student: Student, reference: ModuleType, rng: np.random.Generator) -> None:
    w, grad = rng.normal(size=6), rng.normal(size=6)
    m, v = 0.1 * rng.normal(size=6), rng.uniform(0.0, 0.1, size=6)
    for name in ("sgd_l2_step", "sgd_weight_decay_step"):
        expect_reference(student.call(name, w, grad, 0.1, 0.0), getattr(reference, name)(
            w, grad, 0.1, 0.0), case=f"{name} with lam = 0")
    for name in ADAM:
        expect_reference(student.call(name, w, grad, m, v, 3, 0.01, 0.0),
                         getattr(reference, name)(w, grad, m, v, 3, 0.01, 0.0),
                         case=f"{name} with lam = 0", names=STATE)


def _trajectory(student: Student, reference: ModuleType, rng: np.random.Generator,
                name: str) -> None:
    """Five steps with random hyper-parameters and gradients, then a late step (t = 1000)."""
    shape = (2, 5)
    lr, beta1, beta2, eps = _hyper(rng)
    lam = float(rng.uniform(0.01, 0.5))
    w, m, v = rng.normal(size=shape), np.zeros(shape), np.zeros(shape)
    function = getattr(reference, name)
    for t in [*range(1, 6), 1000]:
        grad = rng.normal(size=shape) * 10 ** rng.uniform(-2, 2)
        want = function(w, grad, m, v, t, lr, lam, beta1, beta2, eps)
        expect_reference(student.call(name, w, grad, m, v, t, lr, lam, beta1, beta2, eps), want,
                         case=f"{name}, step t = {t} of a run with random β₁, β₂, eps",
                         names=STATE)
        w, m, v = want  # every step starts from the reference's state: no compounding
    grad = rng.normal(size=shape)
    expect_reference(student.call(name, w, grad, m, v, 1001, lr, lam),
                     function(w, grad, m, v, 1001, lr, lam),
                     case=f"{name} with the default β₁, β₂, eps", names=STATE)


def test_adam_l2_trajectory(student: Student, reference: ModuleType,
                            rng: np.random.Generator) -> None:
    _trajectory(student, reference, rng, "adam_l2_step")


def test_adamw_trajectory(student: Student, reference: ModuleType,
                          rng: np.random.Generator) -> None:
    _trajectory(student, reference, rng, "adamw_step")


def test_extreme_gradient_scales(student: Student, reference: ModuleType,
                                 rng: np.random.Generator) -> None:
    # Tiny gradients make eps matter (eps inside or outside the square root differ there);
    # huge ones test that nothing overflows.
    for scale in (1e-9, 1e6):
        w, grad = rng.normal(size=5), scale * rng.normal(size=5)
        m, v = np.zeros(5), np.zeros(5)
        for name in ADAM:
            expect_reference(student.call(name, w, grad, m, v, 1, 0.01, 0.1),
                             getattr(reference, name)(w, grad, m, v, 1, 0.01, 0.1),
                             case=f"{name} with gradients of size {scale:g}", names=STATE)
