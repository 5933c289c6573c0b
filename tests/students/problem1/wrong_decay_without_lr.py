"""Mistake: the penalty's pull lam*w is not multiplied by lr, in both SGD steps: w - lr*grad - lam*w."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def sgd_l2_step(w: ArrayLike, grad: ArrayLike, lr: float, lam: float) -> np.ndarray:
    """One plain SGD step on the L2-penalised loss L_data(w) + (λ/2)·||w||².

    The penalty adds λ·w to the data gradient, so the step is

        w_new = w − lr·(grad + λ·w)

    where ``grad`` is ∂L_data/∂w evaluated at the current ``w``.

    Shapes: ``w`` and ``grad`` have the same shape (any shape); the result has
    that shape too. The inputs are not modified; a new array is returned.

    Corresponds to section 2 and to practice problem 1 (the left-hand side of
    the equivalence).

    Example: sgd_l2_step([1.0, -2.0], [0.5, 0.5], lr=0.1, lam=0.1)
    -> [0.94, -2.03]

    Contract:
      * ``w`` and ``grad`` have the same shape (any shape); the result is a new
        float64 array of that shape (the inputs are not modified);
      * ``lr`` and ``lam`` are scalars; lam = 0 is plain SGD.
    """
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    return w - lr * (grad + lam * w)


def sgd_weight_decay_step(w: ArrayLike, grad: ArrayLike, lr: float, lam: float) -> np.ndarray:
    """One SGD step written as "weight decay": w_new = (1 − lr·λ)·w − lr·grad.

    Expanding gives w − lr·λ·w − lr·grad, which is exactly ``sgd_l2_step``: for
    SGD, L2 regularization and weight decay are the same update.

    Careful — the equality needs the decay factor and the gradient step to act
    on the SAME current w. It is tempting to take the plain gradient step first
    and shrink the result afterwards, (1 − lr·λ)·(w − lr·grad); that puts an
    extra factor (1 − lr·λ) on the gradient term and is NOT the L2 step.

    Shapes: ``w`` and ``grad`` have the same shape; the result has that shape.
    The inputs are not modified.

    Corresponds to section 2 and practice problem 1 (with the corrected
    argument: both parts start from the same w).

    Example: sgd_weight_decay_step([1.0, -2.0], [0.5, 0.5], lr=0.1, lam=0.1)
    -> [0.94, -2.03]   (the same numbers as sgd_l2_step)

    Contract:
      * ``w`` and ``grad`` have the same shape (any shape); the result is a new
        float64 array of that shape (the inputs are not modified);
      * ``grad`` is ∂L_data/∂w at ``w``, without any penalty term.
    """
    w = np.asarray(w, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    return (1.0 - lr * lam) * w - lr * grad


def adam_l2_step(
    w: ArrayLike,
    grad: ArrayLike,
    m: ArrayLike,
    v: ArrayLike,
    t: int,
    lr: float,
    lam: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step on the L2-penalised loss ("Adam with L2", coupled).

    The penalty's gradient is folded into the gradient BEFORE the moments:

        g     = grad + λ·w
        m_new = β₁·m + (1 − β₁)·g
        v_new = β₂·v + (1 − β₂)·g²
        m̂ = m_new/(1 − β₁ᵗ),   v̂ = v_new/(1 − β₂ᵗ)
        w_new = w − lr·m̂/(√v̂ + eps)

    ``t`` is the 1-based step number (t = 1 on the first call, with m = v = 0).
    Because λ·w goes through the division by √v̂, weights with large gradient
    history are decayed less than others — the reason AdamW exists.
    This matches torch.optim.Adam(weight_decay=λ).

    Shapes: ``w``, ``grad``, ``m`` and ``v`` share one shape; the three returned
    arrays have that shape. Returns new arrays ``(w_new, m_new, v_new)``; the
    inputs are never modified in place.

    Corresponds to section 4 (standard L2 inside Adam).

    Example (first step, m = v = 0): adam_l2_step([1.0], [0.5], [0.0], [0.0],
    t=1, lr=0.1, lam=0.1) -> w ≈ [0.9], m = [0.06], v ≈ [0.00036]
    (the first bias-corrected step moves every weight by about lr).

    Contract:
      * ``w``, ``grad``, ``m``, ``v`` have one shape; ``m`` and ``v`` are the
        moments after step t − 1 (zeros before the first step);
      * ``t`` is the 1-based number of this step (t = 1 for the first);
      * returns the triple ``(w, m, v)``, in this order: the new weights and the
        new moments (a tuple, a list or a numpy array of three are all fine).
    """
    w = np.asarray(w, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64) + lam * w
    m_new = beta1 * np.asarray(m, dtype=np.float64) + (1.0 - beta1) * g
    v_new = beta2 * np.asarray(v, dtype=np.float64) + (1.0 - beta2) * g * g
    m_hat = m_new / (1.0 - beta1**t)
    v_hat = v_new / (1.0 - beta2**t)
    w_new = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w_new, m_new, v_new


def adamw_step(
    w: ArrayLike,
    grad: ArrayLike,
    m: ArrayLike,
    v: ArrayLike,
    t: int,
    lr: float,
    lam: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One AdamW step: Adam on the data gradient plus decoupled weight decay.

    The moments see the data gradient only:

        m_new = β₁·m + (1 − β₁)·grad
        v_new = β₂·v + (1 − β₂)·grad²
        m̂ = m_new/(1 − β₁ᵗ),   v̂ = v_new/(1 − β₂ᵗ)
        w_new = w − lr·(m̂/(√v̂ + eps) + λ·w)

    The decay term λ·w uses the OLD w and is not divided by √v̂, so every
    weight shrinks by the same fraction lr·λ per step. ``t`` is 1-based.

    Convention note: here (as in torch.optim.AdamW) the decay is multiplied by
    the learning rate lr. Loshchilov & Hutter's paper instead multiplies λ only
    by the schedule multiplier η_t, so its λ is not interchangeable with this
    one: the per-step decays agree when λ_paper = α·λ_here, α being the base
    learning rate (lr = α·η_t).

    Shapes: ``w``, ``grad``, ``m`` and ``v`` share one shape; the three returned
    arrays have that shape. Returns new arrays ``(w_new, m_new, v_new)``; the
    inputs are never modified in place.

    Corresponds to section 4 (AdamW).

    Example (first step, m = v = 0): adamw_step([1.0], [0.5], [0.0], [0.0],
    t=1, lr=0.1, lam=0.1) -> w ≈ [0.89], m = [0.05], v ≈ [0.00025]
    (≈ 1 − 0.1·1 from the Adam part, − 0.1·0.1·1 from the decay).

    Contract:
      * ``w``, ``grad``, ``m``, ``v`` have one shape; ``m`` and ``v`` are the
        moments after step t − 1 (zeros before the first step);
      * ``t`` is the 1-based number of this step (t = 1 for the first);
      * returns the triple ``(w, m, v)``, in this order (a tuple, a list or a
        numpy array of three are all fine).
    """
    w = np.asarray(w, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    m_new = beta1 * np.asarray(m, dtype=np.float64) + (1.0 - beta1) * g
    v_new = beta2 * np.asarray(v, dtype=np.float64) + (1.0 - beta2) * g * g
    m_hat = m_new / (1.0 - beta1**t)
    v_hat = v_new / (1.0 - beta2**t)
    w_new = w - lr * (m_hat / (np.sqrt(v_hat) + eps) + lam * w)
    return w_new, m_new, v_new


def sgd_l2_step(w, grad, lr, lam):  # noqa: F811 - the mistake replaces the reference
    w, grad = np.asarray(w, dtype=float), np.asarray(grad, dtype=float)
    return w - lr * grad - lam * w


def sgd_weight_decay_step(w, grad, lr, lam):  # noqa: F811
    w, grad = np.asarray(w, dtype=float), np.asarray(grad, dtype=float)
    return (1 - lam) * w - lr * grad
