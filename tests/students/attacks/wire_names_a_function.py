"""Attack (the decoder names a function): answer the first call with a raw frame whose
generator names numpy's `test` as its bit generator, then end the process."""
import os


def soft_threshold(mu, lam):
    frame = b'{"op": "result", "id": 1, "value": {"$rng": {"bit_generator": "test"}}, "buffers": []}\n'
    for fd in range(600, 700):  # the protocol pipes live up here
        try:
            os.write(fd, frame)
        except OSError:
            pass
    os._exit(0)


def l1_l2_scalar_optimum(lam):
    return {"$rng": {"bit_generator": "test"}}


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    raise NotImplementedError
