"""The closed forms the graded checks use, named and called like the exercises' functions.

They stand in for the reference where there is no solutions/ folder (the students' wheel),
and they give the figures their fixed comparison curves.  numpy only, no matplotlib.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def sgd_l2_step(w: ArrayLike, grad: ArrayLike, lr: float, lam: float) -> np.ndarray:
    """One SGD step on L_data + (lam/2)·||w||²."""
    w = np.asarray(w, dtype=np.float64)
    return w - lr * (np.asarray(grad, dtype=np.float64) + lam * w)


def sgd_weight_decay_step(w: ArrayLike, grad: ArrayLike, lr: float, lam: float) -> np.ndarray:
    """(1 − lr·lam)·w − lr·grad, decay and step from the same w."""
    w = np.asarray(w, dtype=np.float64)
    return (1.0 - lr * lam) * w - lr * np.asarray(grad, dtype=np.float64)


def _adam(w: np.ndarray, g: np.ndarray, m: ArrayLike, v: ArrayLike, t: int, lr: float,
          beta1: float, beta2: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adam's moments and bias-corrected step for the gradient g (no decay)."""
    m_new = beta1 * np.asarray(m, dtype=np.float64) + (1.0 - beta1) * g
    v_new = beta2 * np.asarray(v, dtype=np.float64) + (1.0 - beta2) * g * g
    step = (m_new / (1.0 - beta1**t)) / (np.sqrt(v_new / (1.0 - beta2**t)) + eps)
    return w - lr * step, m_new, v_new


def adam_l2_step(w: ArrayLike, grad: ArrayLike, m: ArrayLike, v: ArrayLike, t: int, lr: float,
                 lam: float, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adam on the L2-penalised gradient grad + lam·w (the penalty passes through the moments)."""
    w = np.asarray(w, dtype=np.float64)
    return _adam(w, np.asarray(grad, dtype=np.float64) + lam * w, m, v, t, lr, beta1, beta2, eps)


def adamw_step(w: ArrayLike, grad: ArrayLike, m: ArrayLike, v: ArrayLike, t: int, lr: float,
               lam: float, beta1: float = 0.9, beta2: float = 0.999,
               eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AdamW: Adam on grad alone, then the decoupled decay lr·lam·w of the old w."""
    w = np.asarray(w, dtype=np.float64)
    moved, m_new, v_new = _adam(w, np.asarray(grad, dtype=np.float64), m, v, t, lr,
                                beta1, beta2, eps)
    return moved - lr * lam * w, m_new, v_new


def soft_threshold(mu: ArrayLike, lam: float) -> np.ndarray:
    """sign(mu)·max(|mu| − lam, 0), elementwise, with exact zeros in the dead zone."""
    mu = np.asarray(mu, dtype=np.float64)
    return np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0) + 0.0


def ridge_shrinkage(mu: ArrayLike, lam: float) -> np.ndarray:
    """argmin_w ½(w − mu)² + (lam/2)·w² = mu/(1 + lam): shrinks, never reaches zero."""
    return np.asarray(mu, dtype=np.float64) / (1.0 + lam)


def lasso_ista(X: ArrayLike, y: ArrayLike, lam: float, n_iter: int = 1000,
               lr: float | None = None) -> np.ndarray:
    """ISTA from w = 0 on (1/2N)·||y − Xw||² + lam·||w||₁, step 1/L by default."""
    X = np.asarray(X, dtype=np.float64)
    gram = X.T @ X / X.shape[0]
    xty = X.T @ np.asarray(y, dtype=np.float64) / X.shape[0]
    w = np.zeros(X.shape[1])
    if lr is None:
        largest = float(np.linalg.eigvalsh(gram).max()) if gram.size else 0.0
        if largest <= 0.0:
            return w
        lr = 1.0 / largest
    for _ in range(n_iter):
        w = soft_threshold(w - lr * (gram @ w - xty), lr * lam)
    return w


def inverted_dropout(a: ArrayLike, p: float,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(a·m/(1 − p), m) with m ~ Bernoulli(1 − p) drawn from rng."""
    a = np.asarray(a, dtype=np.float64)
    mask = (rng.random(a.shape) >= p).astype(np.float64)
    return a * mask / (1.0 - p), mask


def dropout_moments(mu: float, sigma2: float, p: float) -> tuple[float, float]:
    """Mean μ and variance σ²/(1 − p) + μ²·p/(1 − p) of a·m/(1 − p)."""
    return float(mu), float(sigma2 / (1.0 - p) + mu * mu * p / (1.0 - p))


def source_text_dropout_variance(sigma2: float, p: float) -> float:
    """The source text's σ²·p/(1 − p): only the excess over σ², and only when μ = 0."""
    return float(sigma2 * p / (1.0 - p))


def gd_filter_factors(eigvals: ArrayLike, lr: float, n_steps: int) -> np.ndarray:
    """1 − (1 − lr·s)^t for each eigenvalue s."""
    return 1.0 - (1.0 - lr * np.asarray(eigvals, dtype=np.float64)) ** n_steps


def ridge_filter_factors(eigvals: ArrayLike, lam: float) -> np.ndarray:
    """s/(s + lam) for each eigenvalue s (0 where s + lam = 0)."""
    s = np.asarray(eigvals, dtype=np.float64)
    return np.divide(s, s + lam, out=np.zeros_like(s), where=(s + lam) != 0)


def early_stopping_lambda(lr: float, n_steps: int) -> float:
    """The L2 strength that stopping after t steps imitates: 1/(lr·t)."""
    return float("inf") if lr * n_steps == 0 else float(1.0 / (lr * n_steps))


def smooth_labels(y: ArrayLike, num_classes: int, eps: float) -> np.ndarray:
    """This subject's smoothing: 1 − eps on the true class, eps/(K − 1) elsewhere."""
    labels = np.asarray(y, dtype=np.intp)
    rows = np.full((labels.shape[0], num_classes), eps / (num_classes - 1))
    rows[np.arange(labels.shape[0]), labels] = 1.0 - eps
    return rows


def smooth_labels_uniform(y: ArrayLike, num_classes: int, eps: float) -> np.ndarray:
    """torch's and Keras's smoothing: (1 − eps)·onehot + eps/K."""
    labels = np.asarray(y, dtype=np.intp)
    rows = np.full((labels.shape[0], num_classes), eps / num_classes)
    rows[np.arange(labels.shape[0]), labels] += 1.0 - eps
    return rows


def row_entropy(row: ArrayLike) -> float:
    """−Σ q·log q in nats over the positive entries (0·log 0 = 0): the floor of CE against q."""
    q = np.asarray(row, dtype=np.float64).ravel()
    positive = q[q > 0]
    return float(-(positive * np.log(positive)).sum())


def min_cross_entropy(num_classes: int, eps: float) -> float:
    """The entropy of one row of smooth_labels: the lowest reachable mean cross-entropy."""
    return row_entropy(smooth_labels(np.zeros(1, dtype=np.intp), num_classes, eps))


def source_text_floor(eps: float) -> float:
    """The source text's −log(1 − eps): it forgets the off-class terms of the entropy."""
    return float(-np.log1p(-eps))
