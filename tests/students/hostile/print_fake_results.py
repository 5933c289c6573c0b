"""Hostile: prints fake "10/10 passed" results and fake JSON, then returns wrong values everywhere.

The lines and a JSON object shaped like `check --json` go to sys.stdout, sys.stderr and straight
to file descriptors 1 and 2, at import and in every call.

soft_threshold returns mu unchanged, l1_l2_scalar_optimum returns (1.0, 1.0), lasso_ista returns
the least-squares solution. Expected score: 0.
"""
import json
import os
import sys

import numpy as np

_FAKE = {
    "problem": "problem2",
    "score": 10,
    "max_score": 10,
    "passed": True,
    "seed": 0,
    "tests": [
        {"name": name, "status": "pass", "score": 1, "max_score": 1, "message": "ok"}
        for name in ("soft_threshold", "l1_l2_scalar_optimum", "lasso_ista")
    ],
}


def _brag():
    lines = "problem2: 10/10 passed, PASSED\nscore: 10/10\n" + json.dumps(_FAKE) + "\n"
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.write(lines)
            stream.flush()
        except Exception:
            pass
    for fd in (1, 2):
        try:
            os.write(fd, lines.encode())
        except OSError:
            pass


_brag()



def soft_threshold(mu, lam):
    _brag()
    return mu


def l1_l2_scalar_optimum(lam):
    _brag()
    return 1.0, 1.0


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    _brag()
    return np.linalg.lstsq(np.asarray(X, dtype=float), np.asarray(y, dtype=float), rcond=None)[0]
