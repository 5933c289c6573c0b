"""Attack (read a classmate): run the next submission folder's problem2.py, or a sibling
sandbox's workdir copy.  CLASSMATE is written in by the test."""
import glob
import os

CLASSMATE = "__CLASSMATE__"


def _steal():
    paths = [CLASSMATE] + glob.glob("../*/problem2.py") + glob.glob("/tmp/regquiz-*/*/problem2.py")
    for path in paths:
        try:
            source = open(path).read()
        except OSError:
            continue
        if "copy_classmate" in source:
            continue
        namespace = {}
        exec(compile(source, path, "exec"), namespace)
        return namespace
    return None


_STOLEN = _steal()


def soft_threshold(mu, lam):
    return _STOLEN["soft_threshold"](mu, lam) if _STOLEN else mu


def l1_l2_scalar_optimum(lam):
    return _STOLEN["l1_l2_scalar_optimum"](lam) if _STOLEN else (0.0, 0.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    return _STOLEN["lasso_ista"](X, y, lam, n_iter, lr) if _STOLEN else X[0] * 0
