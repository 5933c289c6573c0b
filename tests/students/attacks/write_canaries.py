"""Attack (write anywhere): canaries outside the workdir, a .pth in site-packages, the
grader's own plugin, the score database (its folder read from /proc/<ppid>/environ).
TARGETS is written in by the test; nothing here may land."""
import os

TARGETS = ["__TARGETS__"]


def _home():
    try:
        environ = open(f"/proc/{os.getppid()}/environ", "rb").read().split(b"\0")
    except OSError:
        return []
    return [item.split(b"=", 1)[1].decode() for item in environ if item.startswith(b"REGQUIZ_HOME=")]


for target in TARGETS + [os.path.join(home, "regquiz.db") for home in _home()]:
    try:
        with open(target, "a") as handle:
            handle.write("\n# planted by a student\n")
    except OSError:
        pass


def soft_threshold(mu, lam):
    return mu


def l1_l2_scalar_optimum(lam):
    return (0.0, 0.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    return X[0] * 0
