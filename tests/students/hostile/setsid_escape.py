"""Hostile: at import, double-forks a grandchild that calls os.setsid() (leaving the sandbox's process group) and sleeps.

Everything is then implemented correctly. The grader must still leave no process behind: the
grandchild's pid is appended to /tmp/regquiz-setsid-escape.pids for the test to check.
"""
import os
import time

import numpy as np

_pid = os.fork()
if _pid == 0:
    os.setsid()
    if os.fork() == 0:
        with open("/tmp/regquiz-setsid-escape.pids", "a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(300)
    os._exit(0)
os.waitpid(_pid, 0)


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("lam must be >= 0")
    out = np.sign(mu) * np.maximum(np.abs(np.asarray(mu, dtype=float)) - lam, 0.0) + 0.0
    return float(out) if np.ndim(out) == 0 else out


def l1_l2_scalar_optimum(lam):
    return max(1.0 - lam / 2.0, 0.0), 2.0 / (2.0 + lam)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    if lr is None:
        lr = 1.0 / np.linalg.eigvalsh(X.T @ X / n).max()
    for _ in range(n_iter):
        w = soft_threshold(w + lr * X.T @ (y - X @ w) / n, lr * lam)
    return w
