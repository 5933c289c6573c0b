"""Attack (the parent follows paths in the workdir): output.txt and every name the parent might
open turned into a FIFO, or a link to /dev/zero, the solution or /proc/self/environ; a
1,000-deep folder tree, a link to a canary folder outside and a FIFO left behind.  Only
where the child may make them (unconfined, or the portable backend): the parent must
neither block, nor read what the links point to, nor fail to remove the tree."""
import os

SOLUTION = "__SOLUTION__"
CANARY = "__CANARY__"


def _plant():
    here = os.getcwd()
    for name, target in (("output.txt", None), ("results.json", "/dev/zero"),
                         ("stdout.txt", SOLUTION), ("environ.txt", "/proc/self/environ")):
        path = os.path.join(here, name)
        try:
            os.unlink(path)
        except OSError:
            pass
        try:
            if target is None:
                os.mkfifo(path)
            else:
                os.symlink(target, path)
        except OSError:
            pass
    try:
        os.symlink(CANARY, os.path.join(here, "canary-link"))
        fd = os.open(here, os.O_RDONLY)
        for _ in range(1000):
            os.mkdir("d", dir_fd=fd)
            deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = deeper
        os.mkfifo("fifo", dir_fd=fd)
        os.symlink(CANARY, "up", dir_fd=fd)
        os.close(fd)
    except (OSError, AttributeError, NotImplementedError):
        pass


_plant()
print("planted")


def soft_threshold(mu, lam):
    return mu


def l1_l2_scalar_optimum(lam):
    return (0.0, 0.0)
