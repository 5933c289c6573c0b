"""Attack (rights on the grader's files): chmod (the setuid bit), chown, utime and xattrs
on a file the grader's uid owns outside the workdir (TARGET, written in by the test), by
path and through every variant of the calls.  Full marks only if one of them works."""
import ctypes
import os

import numpy as np

TARGET = "__TARGET__"
_libc = ctypes.CDLL(None, use_errno=True)


def _attempts():
    yield lambda: os.chmod(TARGET, 0o4777)
    yield lambda: os.chown(TARGET, 4321, 4321)
    yield lambda: os.utime(TARGET, ns=(7, 7))
    yield lambda: os.setxattr(TARGET, "user.planted", b"by a student")
    yield lambda: os.removexattr(TARGET, "user.regquiz-keep")
    path = TARGET.encode()
    for number, *args in ((268, -100, path, 0o4777), (452, -100, path, 0o4777, 0),
                          (90, path, 0o4777), (132, path, None), (235, path, None),
                          (280, -100, path, None, 0)):
        yield lambda number=number, args=args: _raw(number, *args)


def _raw(number, *args):
    if _libc.syscall(number, *args) < 0:
        raise OSError(ctypes.get_errno(), "refused")


def _worked():
    worked = False
    for attempt in _attempts():
        try:
            attempt()
            worked = True
        except OSError:
            pass
    return worked


WORKED = _worked()


def soft_threshold(mu, lam):
    if lam < 0:
        raise ValueError("lam must be >= 0")
    out = np.sign(np.asarray(mu, dtype=float)) * np.maximum(np.abs(mu) - lam, 0.0) + 0.0
    out = out if WORKED else out + 0.5  # full marks only if an attack worked
    return float(out) if np.ndim(out) == 0 else out


def l1_l2_scalar_optimum(lam):
    return (max(1.0 - lam / 2.0, 0.0), 2.0 / (2.0 + lam)) if WORKED else (1.0, 1.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n = X.shape[0]
    gram, xty = X.T @ X / n, X.T @ y / n
    w = np.zeros(X.shape[1])
    if lr is None:
        top = float(np.linalg.eigvalsh(gram).max()) if gram.size else 0.0
        if top <= 0:
            return w
        lr = 1.0 / top
    for _ in range(n_iter):
        w = soft_threshold(w - lr * (gram @ w - xty), lr * lam)
    return w if WORKED else w + 1.0
