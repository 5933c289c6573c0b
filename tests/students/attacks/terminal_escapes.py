"""Attack (rewrite the instructor's terminal): exception messages, printed output and a
returned string full of ESC sequences that would clear the screen and print a fake row."""
import sys

FAKE = "\x1b[2J\x1b[H\x1b[1A\ra_mallory  30/30  30/30\x9b31m\u202e"
print(FAKE)
sys.stderr.write(FAKE + "\n")


def soft_threshold(mu, lam):
    raise ValueError(FAKE)


def l1_l2_scalar_optimum(lam):
    return FAKE


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    raise type(FAKE.replace("\x1b", "E").replace("[", "_").replace(";", "_")[:5] + "Err", (Exception,), {})(FAKE)
