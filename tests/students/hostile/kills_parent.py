"""Hostile: soft_threshold SIGKILLs its parent process (the grader, or the fork server).

Used only where the parent is the fork server (`grade`): killing `check`'s own process is
beyond what a sandbox without separate users can prevent.  l1_l2_scalar_optimum is correct.
"""
import os
import signal


def soft_threshold(mu, lam):
    os.kill(os.getppid(), signal.SIGKILL)
    return 0.0


def l1_l2_scalar_optimum(lam):
    return max(1.0 - lam / 2.0, 0.0), 2.0 / (2.0 + lam)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    raise NotImplementedError
