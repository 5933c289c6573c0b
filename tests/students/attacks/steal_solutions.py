"""Attack (read the answer key): find the course folder and run its solutions/problem2.py.

Tries the grading process's cwd and command line through /proc, the editable-install
finder in site-packages, a walk from /, and the course path the test writes into
COURSE (the strongest attacker knows it).  Full marks only if one of them works.
"""
import glob
import os
import sys

COURSE = "__COURSE__"


def _candidates():
    yield os.path.join(COURSE, "solutions", "problem2.py")
    for pid in (os.getppid(), 1):
        yield f"/proc/{pid}/cwd/solutions/problem2.py"
    for folder in sys.path:
        for finder in glob.glob(os.path.join(folder, "__editable__*finder.py")):
            try:
                text = open(finder).read()
            except OSError:
                continue
            for token in text.split("'"):
                if token.endswith("grader"):
                    yield os.path.join(os.path.dirname(token), "solutions", "problem2.py")
    for root, dirs, files in os.walk("/"):
        if "solutions" in dirs:
            yield os.path.join(root, "solutions", "problem2.py")
        if root.count("/") > 3:
            dirs[:] = []


def _steal():
    for path in _candidates():
        try:
            source = open(path).read()
        except OSError:
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
