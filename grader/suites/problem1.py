"""Graded checks for problem 1: L2 regularization vs weight decay, for SGD and for Adam.

Every test is worth the points the manifest gives `test_<name>`.  Inputs are drawn from the
`rng` fixture (seeded, replayable).  Besides direct comparisons with the update formulas, the
suite checks properties that need no reference: the two SGD updates agree, Adam with L2 is
Adam on the gradient grad + λ·w, with λ = 0 Adam-with-L2 and AdamW coincide, and with a
constant gradient every bias-corrected Adam step has the same size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regquiz.checks import (Returned, Student, as_array, close, closed_form, expect_close, fail,
                            matches, parts, show)

MOMENTS = ("w", "m", "v")
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def _moments(g: np.ndarray, m: np.ndarray, v: np.ndarray, beta1: float,
             beta2: float) -> tuple[np.ndarray, np.ndarray]:
    return beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g


def _adaptive_step(m_new: np.ndarray, v_new: np.ndarray, t: int, beta1: float, beta2: float,
                   eps: float) -> np.ndarray:
    m_hat = m_new / (1 - beta1**t)
    v_hat = v_new / (1 - beta2**t)
    return m_hat / (np.sqrt(v_hat) + eps)


def _adam_l2(w: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float,
             lam: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Arrays:
    m_new, v_new = _moments(grad + lam * w, m, v, beta1, beta2)
    return w - lr * _adaptive_step(m_new, v_new, t, beta1, beta2, eps), m_new, v_new


def _adamw(w: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float,
           lam: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Arrays:
    m_new, v_new = _moments(grad, m, v, beta1, beta2)
    step = _adaptive_step(m_new, v_new, t, beta1, beta2, eps)
    return w - lr * (step + lam * w), m_new, v_new


def _state(rng: np.random.Generator,
           shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weights, a gradient and non-trivial moments, as after a few earlier steps."""
    w = rng.normal(size=shape)
    grad = rng.normal(size=shape)
    m = 0.5 * rng.normal(size=shape)
    v = rng.uniform(0.05, 1.0, size=shape)
    return w, grad, m, v


def _triple(returned: Returned, shape: tuple[int, ...], why: str) -> Arrays:
    """The (w, m, v) an Adam step returned, as arrays of the inputs' shape."""
    w, m, v = (as_array(returned, value=item, shape=shape, part=name, why=why)
               for item, name in zip(parts(returned, 3, names=MOMENTS, why=why), MOMENTS))
    return w, m, v


def _culprit(first: str, first_ok: bool, second: str, second_ok: bool) -> str:
    """Which of two functions that must agree strays from the formula, as a clause."""
    if first_ok and not second_ok:
        return f"; {first} matches the formula here, so {second} is the one that is off"
    if second_ok and not first_ok:
        return f"; {second} matches the formula here, so {first} is the one that is off"
    return ""


# -- SGD -----------------------------------------------------------------------------------


def _sgd_slip(got: Returned, w: np.ndarray, grad: np.ndarray, lr: float, lam: float) -> str:
    """A clause naming a recognised slip in an SGD step with L2, when the answer is exactly it."""
    values = as_array(got, shape=w.shape, why="the weights keep the shape they came in")
    if matches(values, w - lr * (grad - lam * w)):
        return ("; your step moves the weights away from 0: the penalty's gradient λ·w enters "
                "your update with the wrong sign, so the penalty grows the weights instead of "
                "shrinking them")
    if matches(values, w - lr * grad - lam * w):
        return ("; your penalty term λ·w is not multiplied by the learning rate: a step of size "
                "lr scales the whole gradient of the penalised loss, the penalty's part included")
    return ""


def test_sgd_l2_step_formula(student: Student, rng: np.random.Generator) -> None:
    why = ("one SGD step on the whole penalised loss L_data + (λ/2)·||w||², data term and "
           "penalty together" + closed_form(student, "sgd_l2_step", "w − lr·(grad + λ·w)"))
    w, grad = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    got = student.call("sgd_l2_step", w, grad, 0.1, 0.1)
    expect_close(got, np.array([0.94, -2.03]), why=why + _sgd_slip(got, w, grad, 0.1, 0.1))
    w, grad = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    lr, lam = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.1, 0.5))
    got = student.call("sgd_l2_step", w, grad, lr, lam)
    expect_close(got, w - lr * (grad + lam * w),
                 why=why + "; the weights keep the shape they came in"
                 + _sgd_slip(got, w, grad, lr, lam))


def test_sgd_weight_decay_formula(student: Student, rng: np.random.Generator) -> None:
    w, grad = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    lr, lam = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.1, 0.5))
    got = student.call("sgd_weight_decay_step", w, grad, lr, lam)
    why = ("shrink the OLD w by the decay factor and take the gradient step from the same "
           "old w" + closed_form(
               student, "sgd_weight_decay_step", "(1 − lr·λ)·w − lr·grad"))
    values = as_array(got, shape=w.shape, why=why)
    if matches(values, (1 - lr * lam) * (w - lr * grad)):
        why = ("you decayed the weights after the gradient step, so the gradient step itself "
               "gets shrunk too, by the decay factor: the result is not the L2 step; decay and "
               "step must both start from the same w")
    why += _sgd_slip(got, w, grad, lr, lam)
    expect_close(got, (1 - lr * lam) * w - lr * grad, why=why)


def test_sgd_l2_equals_weight_decay(student: Student, rng: np.random.Generator) -> None:
    w, grad = rng.normal(size=7), rng.normal(size=7)
    lr, lam = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.1, 0.5))
    l2 = student.call("sgd_l2_step", w, grad, lr, lam)
    l2_values = as_array(l2, shape=w.shape, why="one updated weight per weight")
    decay = student.call("sgd_weight_decay_step", w, grad, lr, lam)
    decay_values = as_array(decay, shape=w.shape, why="one updated weight per weight")
    want = w - lr * (grad + lam * w)
    expect_close(decay, l2_values, reveal=True,
                 why="sgd_l2_step returned these numbers for the same inputs, and for SGD the two "
                     "updates are one (Practice Problem 1)"
                     + _culprit("sgd_l2_step", close(l2_values, want),
                                "sgd_weight_decay_step", close(decay_values, want)))


def _adam_slip(function: str, got: Returned, args: tuple[Any, ...], reference: Any) -> str:
    """A clause naming a recognised slip in an Adam step, when the answer is exactly it."""
    w, grad, m, v, t, lr, lam, *rest = args
    items = parts(got, 3, names=MOMENTS, why="each step returns (w, m, v)")
    if any(np.shape(item) != np.shape(w) for item in items):
        return ""
    w_got, m_got, v_got = (np.asarray(item, dtype=np.float64) for item in items)
    w_want, m_want, v_want = reference(*args)
    if matches(m_got, v_want) and matches(v_got, m_want) and not matches(m_want, v_want):
        return "; you returned (w, v, m), which feeds v in as m on the next step"
    if function != "adamw_step" or lam == 0:
        return ""
    plain = _adamw(w, grad, m, v, t, lr, 0.0, *rest)[0]
    if matches(w_got, plain - lam * w):
        return "; you subtracted λ·w without lr, the paper's form"
    if matches(w_got, (1 - lr * lam) * plain):
        return "; you decayed the already-updated weights, (1 − lr·λ)·(w − lr·step)"
    return ""


def _first_step(student: Student, rng: np.random.Generator, function: str,
                reference: Any, *, why: str) -> None:
    """Step t = 1 from zero moments: a fixed example, then random inputs."""
    w, grad, zero = np.array([1.0]), np.array([0.5]), np.zeros(1)
    args = (w, grad, zero, zero, 1, 0.1, 0.1, 0.9, 0.999, 1e-8)
    got = student.call(function, *args)
    expect_close(got, reference(*args), names=MOMENTS,
                 why=why + _adam_slip(function, got, args, reference))
    w, grad, zero = rng.normal(size=5), rng.normal(size=5), np.zeros(5)
    lr, lam = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.1, 0.5))
    args = (w, grad, zero, zero, 1, lr, lam, 0.9, 0.999, 1e-8)
    got = student.call(function, *args)
    expect_close(got, reference(*args), names=MOMENTS,
                 why=why + _adam_slip(function, got, args, reference))


def _chained_steps(student: Student, rng: np.random.Generator, function: str,
                   reference: Any, *, update: str) -> None:
    """Four steps fed into each other with non-default betas and eps, then one late step."""
    shape = (4,)
    w, m, v = rng.normal(size=shape), np.zeros(shape), np.zeros(shape)
    lr, lam, beta1, beta2, eps = float(rng.uniform(0.05, 0.2)), 0.1, 0.8, 0.99, 1e-4
    for t in range(1, 5):
        grad = rng.normal(size=shape)
        got = student.call(function, w, grad, m, v, t, lr, lam, beta1, beta2, eps)
        expect_close(got, reference(w, grad, m, v, t, lr, lam, beta1, beta2, eps), names=MOMENTS,
                     why=f"step t = {t} of a run from m = v = 0, each step fed the (w, m, v) "
                         "the one before returned, with bias-corrected moments, t counted from "
                         "1; use the beta1, beta2 and eps you are given"
                         + closed_form(student, function, f"{update}, with m̂ = m/(1 − β₁ᵗ), "
                                       "v̂ = v/(1 − β₂ᵗ)"))
        w, m, v = _triple(got, shape, why="each step returns (w, m, v), fed into the next step")
    t = int(rng.integers(20, 60))
    w, grad, m, v = _state(rng, (5,))
    got = student.call(function, w, grad, m, v, t, lr, lam, 0.9, 0.999, 1e-8)
    expect_close(got, reference(w, grad, m, v, t, lr, lam), names=MOMENTS,
                 why=f"at a later step t = {t} the bias corrections are 1 − β₁ᵗ and 1 − β₂ᵗ "
                     "with this very t (β₂ᵗ is still far from 0, so the correction matters)")


# -- Adam with L2 (coupled) -------------------------------------------------------------------


def test_adam_l2_first_step(student: Student, rng: np.random.Generator) -> None:
    _first_step(student, rng, "adam_l2_step", _adam_l2,
                why="step t = 1 from m = v = 0 of Adam on the penalised loss L_data + "
                    "(λ/2)·||w||², returning (w, m, v)" + closed_form(
                        student, "adam_l2_step", "g = grad + λ·w, m = (1 − β₁)·g, "
                        "v = (1 − β₂)·g², the bias corrections turn them back into g and g², so "
                        "w_new = w − lr·g/(|g| + eps)"))


def test_adam_l2_chained_steps(student: Student, rng: np.random.Generator) -> None:
    _chained_steps(student, rng, "adam_l2_step", _adam_l2,
                   update="m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g² with g = grad + λ·w, then "
                          "w − lr·m̂/(√v̂ + eps)")


def test_adam_l2_is_adam_on_penalised_gradient(student: Student, rng: np.random.Generator) -> None:
    w, grad, m, v = _state(rng, (5,))
    lr, lam, t = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.2, 0.5)), 3
    coupled = student.call("adam_l2_step", w, grad, m, v, t, lr, lam, 0.9, 0.999, 1e-8)
    plain = student.call("adam_l2_step", w, grad + lam * w, m, v, t, lr, 0.0, 0.9, 0.999, 1e-8)
    want = _triple(plain, w.shape, why="Adam returns (w, m, v), each shaped like w")
    expect_close(coupled, want, names=MOMENTS,
                 why="these are what adam_l2_step returned for the gradient grad + λ·w with "
                     "lam = 0: L2 in Adam only replaces the gradient by grad + λ·w, which then "
                     "flows through m, v and the division by √v̂ like any gradient; adding λ·w "
                     "after the moments is AdamW, not Adam with L2")


# -- properties of both Adam variants ------------------------------------------------------------


def test_adam_returns_w_m_v(student: Student, rng: np.random.Generator) -> None:
    # Every gradient negative and larger than λ·|w|: whatever the details, m must come out
    # negative and v positive, so the order can be judged apart from the formulas.
    shape = (4,)
    w = rng.uniform(-0.5, 0.5, size=shape)
    grad = -rng.uniform(1.0, 2.0, size=shape)
    m, v = -rng.uniform(0.1, 1.0, size=shape), rng.uniform(0.1, 1.0, size=shape)
    lr, lam, t = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.1, 0.5)), 2
    why = ("the step returns the tuple (w, m, v) in this order, so that a training loop can write "
           "w, m, v = step(w, grad, m, v, t, …); here every gradient is negative, so the new m "
           "(an average of gradients) must be negative and the new v (an average of squares) "
           "positive")
    for name, formula in (("adam_l2_step", _adam_l2), ("adamw_step", _adamw)):
        got = student.call(name, w, grad, m, v, t, lr, lam, 0.9, 0.999, 1e-8)
        _, second, third = _triple(got, shape, why=why)
        if not (np.all(second < 0) and np.all(third > 0)):
            _, m_want, v_want = formula(w, grad, m, v, t, lr, lam)
            swapped = np.all(second > 0) and np.all(third < 0)
            wanted = (f"(w, m, v) with m = {show(m_want)} and v = {show(v_want)}" if got.revealed
                      else "(w, m, v) with every entry of m below 0 and every entry of v above 0")
            fail(got, expected=wanted,
                 why=why + ("; you returned (w, v, m), which feeds v in as m on the next step"
                            if swapped else ""))


def test_adam_bias_correction_constant_gradient(student: Student, rng: np.random.Generator) -> None:
    shape = (4,)
    grad = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)
    lr, eps = float(rng.uniform(0.05, 0.2)), 1e-8
    move = lr * grad / (np.abs(grad) + eps)
    for name in ("adam_l2_step", "adamw_step"):
        w, m, v = rng.normal(size=shape), np.zeros(shape), np.zeros(shape)
        for t in range(1, 6):
            got = student.call(name, w, grad, m, v, t, lr, 0.0, 0.9, 0.999, eps)
            why = ("with λ = 0, m = v = 0 at the start and the same gradient g every step, "
                   "bias-corrected moments make every step the same size, whatever t is (here "
                   f"t = {t}, counted from 1): each step moves every weight by about ±lr; "
                   "without the corrections, or with β^(t+1), the early steps come out too "
                   "large or too small")
            fading = (1 - 0.9**t) * grad, (1 - 0.999**t) * grad**2  # m and v after t steps of g
            expect_close(got, (w - move, *fading), names=MOMENTS, why=why)
            w, m, v = _triple(got, shape, why=why)


def test_adam_eps_outside_sqrt(student: Student, rng: np.random.Generator) -> None:
    shape = (4,)
    w = rng.normal(size=shape)
    grad = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(1.0, 5.0, size=shape) * 1e-9
    zero = np.zeros(shape)
    lr, lam, eps = 0.1, 0.0, 1e-8  # λ = 0 keeps the check on the adaptive step alone
    for name, formula in (("adam_l2_step", _adam_l2), ("adamw_step", _adamw)):
        got = student.call(name, w, grad, zero, zero, 1, lr, lam, 0.9, 0.999, eps)
        expect_close(got, formula(w, grad, zero, zero, 1, lr, lam, 0.9, 0.999, eps), names=MOMENTS,
                     why="eps is added after the square root, m̂/(√v̂ + eps): with gradients "
                         "of 1e-9 to 5e-9 and eps = 1e-8 the first step moves each weight by "
                         "lr·g/(|g| + 1e-8), 0.09 to 0.33 of lr; √(v̂ + eps) ≈ 1e-4 would "
                         "make it thousands of times smaller")


# -- AdamW (decoupled) -------------------------------------------------------------------------


def test_adamw_first_step(student: Student, rng: np.random.Generator) -> None:
    _first_step(student, rng, "adamw_step", _adamw,
                why="step t = 1 from m = v = 0 of AdamW: the moments see grad only, and the "
                    "decay of the old w sits beside the adaptive step" + closed_form(
                        student, "adamw_step", "m̂ = grad and v̂ = grad², so "
                        "w − lr·(grad/(|grad| + eps) + λ·w)"))


def test_adamw_chained_steps(student: Student, rng: np.random.Generator) -> None:
    _chained_steps(student, rng, "adamw_step", _adamw,
                   update="m ← β₁m + (1 − β₁)·grad, v ← β₂v + (1 − β₂)·grad², then "
                          "w − lr·(m̂/(√v̂ + eps) + λ·w)")


def test_adamw_moments_see_grad_only(student: Student, rng: np.random.Generator) -> None:
    w, grad, m, v = _state(rng, (5,))
    w = 3.0 * w  # large weights: λ·w in the moments would show plainly
    lr, lam, t = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.2, 0.5)), 4
    got = student.call("adamw_step", w, grad, m, v, t, lr, lam, 0.9, 0.999, 1e-8)
    w_got = _triple(got, w.shape, why="AdamW returns (w, m, v), each shaped like w")[0]
    expect_close(got, (w_got, *_moments(grad, m, v, 0.9, 0.999)), names=MOMENTS,
                 why="AdamW's moments are exactly Adam's moments of the data gradient alone, "
                     "β₁m + (1 − β₁)·grad and β₂v + (1 − β₂)·grad², whatever λ is: the decay "
                     "is decoupled, it never enters m or v nor gets divided by √v̂")


def test_adamw_decay_uses_lr_and_old_w(student: Student, rng: np.random.Generator) -> None:
    w, grad, m, v = _state(rng, (5,))
    lr, lam, t = float(rng.uniform(0.1, 0.2)), float(rng.uniform(0.2, 0.5)), 3
    undecayed = student.call("adamw_step", w, grad, m, v, t, lr, 0.0, 0.9, 0.999, 1e-8)
    w_plain, m_plain, v_plain = _triple(undecayed, w.shape,
                                        why="AdamW returns (w, m, v), each shaped like w")
    got = student.call("adamw_step", w, grad, m, v, t, lr, lam, 0.9, 0.999, 1e-8)
    w_got = _triple(got, w.shape, why="AdamW returns (w, m, v), each shaped like w")[0]
    why = (f"λ enters AdamW only through the decay term, never m or v: the new w must be what "
           f"λ = 0 gave ({show(w_plain)}) minus lr·λ·w with the OLD w, and m, v what λ = 0 gave. "
           "Multiplying the decay by lr is torch.optim.AdamW's convention, the one used here; "
           "Loshchilov & Hutter's paper scales λ by the schedule multiplier only, so its λ is "
           "not this λ")
    if close(w_got, w_plain - lam * w):
        why += "; you subtracted λ·w without lr, the paper's form"
    elif close(w_got, (1 - lr * lam) * w_plain):
        why += "; you decayed the already-updated weights, (1 − lr·λ)·(w − lr·step)"
    expect_close(got, (w_plain - lr * lam * w, m_plain, v_plain), names=MOMENTS, why=why)


def test_adam_l2_and_adamw_agree_without_decay(student: Student, rng: np.random.Generator) -> None:
    w, grad, m, v = _state(rng, (5,))
    lr, t = float(rng.uniform(0.05, 0.2)), int(rng.integers(2, 10))
    coupled = student.call("adam_l2_step", w, grad, m, v, t, lr, 0.0, 0.9, 0.999, 1e-8)
    want = _triple(coupled, w.shape, why="Adam returns (w, m, v), each shaped like w")
    got = student.call("adamw_step", w, grad, m, v, t, lr, 0.0, 0.9, 0.999, 1e-8)
    values = _triple(got, w.shape, why="AdamW returns (w, m, v), each shaped like w")
    formula = _adamw(w, grad, m, v, t, lr, 0.0)
    expect_close(got, want, names=MOMENTS,
                 why="these are what adam_l2_step returned for the same inputs: with λ = 0 there "
                     "is nothing to couple or decouple, so Adam with L2 and AdamW are the same "
                     "plain Adam step"
                     + _culprit("adam_l2_step", all(map(close, want, formula)),
                                "adamw_step", all(map(close, values, formula))))
