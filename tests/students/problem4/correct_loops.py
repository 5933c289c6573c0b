"""Correct: explicit Python loops; ridge by np.linalg.solve; filter factors as lists."""
import numpy as np


def gd_linear_regression(X, y, lr, n_steps):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    w = np.zeros(d)
    for _ in range(int(n_steps)):
        grad = np.zeros(d)
        for i in range(n):
            residual = X[i] @ w - y[i]
            grad += residual * X[i]
        w = w - lr * grad / n
    return w


def ridge_regression(X, y, lam):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    A = np.zeros((d, d))
    b = np.zeros(d)
    for i in range(n):
        A += np.outer(X[i], X[i])
        b += y[i] * X[i]
    A = A / n
    for j in range(d):
        A[j, j] += lam
    return np.linalg.solve(A, b / n)


def gd_filter_factors(eigvals, lr, n_steps):
    out = []
    for s in np.asarray(eigvals, dtype=float).ravel().tolist():
        shrink = 1.0
        for _ in range(int(n_steps)):
            shrink *= 1.0 - lr * s
        out.append(1.0 - shrink)
    return out


def ridge_filter_factors(eigvals, lam):
    out = []
    for s in np.asarray(eigvals, dtype=float).ravel().tolist():
        out.append(s / (s + lam) if s + lam != 0 else 0.0)
    return out


def early_stopping_lambda(lr, n_steps):
    if n_steps == 0:
        return float("inf")  # never trained: infinitely strong regularisation
    return 1.0 / (lr * n_steps)
