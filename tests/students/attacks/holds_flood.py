"""Attack (sizes without a cap): every channel flooded — a huge print, an exception whose
message is 50 MB, answers that are wide nested tuples and long strings — so that the
parent's report, JSON and memory grow with what the child sends."""
import sys

sys.stdout.write("x" * 20_000_000 + "\n")
WIDE = tuple(("λ" * 3000,) * 12 for _ in range(4000))
DEEP = [1.5] * 3
for _ in range(14):
    DEEP = [DEEP] * 12


def soft_threshold(mu, lam):
    if isinstance(mu, float) and mu > 0:
        raise ValueError("y" * 50_000_000)
    return WIDE


def l1_l2_scalar_optimum(lam):
    return DEEP


def lasso_ista(X, y, lam, lr, n_steps):
    return WIDE


