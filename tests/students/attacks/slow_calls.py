"""Attack (make the next sandbox miss its start-up deadline): every call takes just under
the 2 s call limit, so that the problem's 10 s budget goes by while later sandboxes wait."""
import time


def soft_threshold(mu, lam):
    time.sleep(1.9)
    return mu


def l1_l2_scalar_optimum(lam):
    time.sleep(1.9)
    return (0.0, 0.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    time.sleep(1.9)
    return X[0] * 0
