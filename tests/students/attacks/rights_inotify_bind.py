"""Attack (watching and squatting): inotify, fanotify and dnotify watches on the folder
that holds the classmates' workdirs, and Unix socket names bound (abstract, autobound,
a path) for later students to find.  Full marks only if one of them works."""
import ctypes
import fcntl
import os
import signal
import socket

import numpy as np

_libc = ctypes.CDLL(None, use_errno=True)
_WORKDIRS = os.path.dirname(os.getcwd())


def _inotify():
    fd = _libc.inotify_init1(0)
    if fd < 0 or _libc.inotify_add_watch(fd, _WORKDIRS.encode(), 0xFFF) < 0:
        raise OSError(ctypes.get_errno(), "refused")


def _fanotify():
    if _libc.fanotify_init(0, 0) < 0:
        raise OSError(ctypes.get_errno(), "refused")


def _dnotify():
    signal.signal(signal.SIGIO, signal.SIG_IGN)  # each event would raise it
    fcntl.fcntl(os.open(".", os.O_RDONLY), fcntl.F_NOTIFY, fcntl.DN_CREATE | fcntl.DN_MULTISHOT)


_KEPT = []


def _bind(address):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(address)
    sock.listen(8)
    _KEPT.append(sock)


def _worked():
    worked = False
    for attempt in (_inotify, _fanotify, _dnotify, lambda: _bind("\0regquiz-squatted"),
                    lambda: _bind(""), lambda: _bind("squat.sock")):
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
