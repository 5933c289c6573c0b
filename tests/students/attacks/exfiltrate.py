"""Attack (reach the network): send its own source over TCP and UDP to a loopback listener
whose ports the test writes in, and open a raw ICMP socket."""
import socket

TCP_PORT, UDP_PORT = 0, 0  # __PORTS__

_SOURCE = open(__file__, "rb").read()[:200]
try:
    socket.create_connection(("127.0.0.1", TCP_PORT), timeout=1).sendall(_SOURCE)
except OSError:
    pass
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(_SOURCE, ("127.0.0.1", UDP_PORT))
except OSError:
    pass
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
except OSError:
    pass


def soft_threshold(mu, lam):
    return mu


def l1_l2_scalar_optimum(lam):
    return (0.0, 0.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    return X[0] * 0
