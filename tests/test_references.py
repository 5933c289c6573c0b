"""RememberingReference: held-out answers are remembered only where that cannot change them."""

from __future__ import annotations

import types

import numpy as np

from regquiz.references import RememberingReference


def _module() -> tuple[types.ModuleType, list[str]]:
    calls: list[str] = []
    module = types.ModuleType("fake_reference")

    def double(x: np.ndarray, k: float = 2.0) -> tuple[np.ndarray, float]:
        calls.append("double")
        return x * k, float(k)

    def shrink_in_place(x: np.ndarray) -> np.ndarray:
        calls.append("shrink")
        x *= 0.5
        return x.copy()

    def draw(rng: np.random.Generator) -> float:
        calls.append("draw")
        return float(rng.random())

    def sign_of_zero(z: float) -> float:
        calls.append("sign")
        return float(np.copysign(1.0, z))

    module.__dict__.update(double=double, shrink_in_place=shrink_in_place, draw=draw,
                           sign_of_zero=sign_of_zero, CONSTANT=3)
    return module, calls


def test_same_question_is_answered_from_memory_with_copies() -> None:
    module, calls = _module()
    reference = RememberingReference(module)
    first = reference.double(np.arange(3.0), k=2.0)
    first[0][:] = -1  # a check that changes an answer must not change the next one
    second = reference.double(np.arange(3.0), k=2.0)
    assert calls == ["double"]
    assert second[0].tolist() == [0.0, 2.0, 4.0] and second[1] == 2.0
    reference.double(np.arange(3.0), k=3.0)
    reference.double(np.arange(3.0).reshape(1, 3), k=2.0)
    reference.double(np.arange(3, dtype=np.int64), k=2.0)
    assert calls == ["double"] * 4  # other values, shapes, dtypes: other questions
    assert reference.CONSTANT == 3


def test_calls_that_change_arguments_or_draw_randomness_always_run() -> None:
    module, calls = _module()
    reference = RememberingReference(module)
    x = np.ones(2)
    reference.shrink_in_place(x)
    y = np.ones(2)
    reference.shrink_in_place(y)
    assert calls == ["shrink", "shrink"] and y.tolist() == [0.5, 0.5]
    rng = np.random.default_rng(1)
    draws = [reference.draw(rng), reference.draw(rng)]
    assert calls.count("draw") == 2 and draws[0] != draws[1]


def test_negative_zero_is_another_question() -> None:
    module, _ = _module()
    reference = RememberingReference(module)
    assert reference.sign_of_zero(0.0) == 1.0
    assert reference.sign_of_zero(-0.0) == -1.0
