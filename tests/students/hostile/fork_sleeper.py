"""Hostile: at import starts `sleep 300` (subprocess.Popen) and os.fork()s a child that sleeps 300 s.

Both keep the inherited stdout/stderr open. Everything is then implemented correctly.

The grader must leave no process behind. To let a test find them, the PIDs are appended as
lines "popen <pid>" and "fork <pid>" to the file named by $REGQUIZ_FORK_SLEEPER_PIDFILE, or to
/tmp/regquiz-fork-sleeper.pids when that variable is not set (errors writing it are ignored).
"""
import os
import subprocess
import time

import numpy as np


def _record(kind, pid):
    path = os.environ.get("REGQUIZ_FORK_SLEEPER_PIDFILE", "/tmp/regquiz-fork-sleeper.pids")
    try:
        with open(path, "a") as fh:
            fh.write(f"{kind} {pid}\n")
    except OSError:
        pass


_sleeper = subprocess.Popen(["sleep", "300"])
_record("popen", _sleeper.pid)

_child = os.fork()
if _child == 0:
    try:
        time.sleep(300)
    finally:
        os._exit(0)
_record("fork", _child)


def _soft_threshold(mu, lam):
    mu = np.asarray(mu, dtype=float)
    out = np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0) + 0.0
    return float(out) if out.ndim == 0 else out


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("lam must be >= 0")
    return _soft_threshold(mu, lam)


def l1_l2_scalar_optimum(lam):
    return max(1.0 - lam / 2.0, 0.0), 2.0 / (2.0 + lam)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    if lr is None:
        top = np.linalg.eigvalsh(X.T @ X / n).max()
        if top <= 0:
            return w
        lr = 1.0 / top
    for _ in range(n_iter):
        w = _soft_threshold(w - lr * (X.T @ (X @ w - y) / n), lr * lam)
    return w
