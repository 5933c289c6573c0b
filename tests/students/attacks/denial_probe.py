"""Not a submission: tests/test_confinement.py calls attempt(NAME, ARG) in a sandbox child.

Each attempt does one thing that confinement must refuse (or, for the honest ones, allow)
and answers "allowed" or the exception's type and errno, e.g. "PermissionError 1".
"""
import ctypes
import os
import signal
import socket
import threading

_libc = ctypes.CDLL(None, use_errno=True)


def _syscall(number, *args):
    result = _libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return result


def _try(action):
    try:
        action()
    except OSError as exc:
        return f"{type(exc).__name__} {exc.errno}"
    return "allowed"


def _read(path):
    with open(path, "rb") as handle:
        handle.read(1)


def _write(path):
    with open(path, "w") as handle:
        handle.write("canary")


def _fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _udp(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(b"stolen", ("127.0.0.1", port))


def _tcp(port):
    socket.create_connection(("127.0.0.1", port), timeout=1).sendall(b"stolen")


def _unix_connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)


def _thread():
    box = []
    worker = threading.Thread(target=lambda: box.append(sum(range(10))))
    worker.start()
    worker.join()
    if box != [45]:
        raise OSError(0, "the thread did not run")


def _prlimit_parent():
    import resource

    resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (8, 8))


ATTEMPTS = {
    "read": _read,
    "write": _write,
    "listdir": os.listdir,
    "fork": lambda _: _fork(),
    "subprocess": lambda _: __import__("subprocess").run(["/bin/true"], check=True),
    "execv": lambda _: os.execv("/bin/true", ["/bin/true"]),
    "posix_spawn": lambda _: os.posix_spawn("/bin/true", ["/bin/true"], {}),
    "tcp": _tcp,
    "udp": _udp,
    "tcp6": lambda _: socket.socket(socket.AF_INET6, socket.SOCK_STREAM),
    "raw_icmp": lambda _: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
    "netlink": lambda _: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0),
    "unix_dgram": lambda _: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM),
    "unix_stream": lambda _: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close(),
    "socketpair": lambda _: [s.close() for s in socket.socketpair()],
    "unix_connect": _unix_connect,
    "kill_parent": lambda _: os.kill(os.getppid(), 0),
    "kill_pid": lambda pid: os.kill(pid, 0),
    "kill_all": lambda _: os.kill(-1, 0),
    "kill_self": lambda _: os.kill(os.getpid(), 0),
    "raise_signal": lambda _: (signal.signal(signal.SIGUSR1, lambda *a: None),
                               signal.raise_signal(signal.SIGUSR1)),
    "prlimit_parent": lambda _: _prlimit_parent(),
    "ptrace_attach": lambda _: _syscall(101, 16, os.getppid(), 0, 0),  # PTRACE_ATTACH
    "process_vm_readv": lambda _: _syscall(310, os.getppid(), 0, 0, 0, 0, 0),
    "io_uring_setup": lambda _: _syscall(425, 8, 0),
    "unshare_user": lambda _: _syscall(272, 0x10000000),
    "clone3": lambda _: _syscall(435, 0, 0),
    "thread": lambda _: _thread(),
    "numpy_submodules": lambda _: (__import__("numpy.fft").fft.fft([1.0, 2.0]),
                                   __import__("numpy.polynomial").polynomial.Polynomial([1.0])(2.0),
                                   __import__("numpy.linalg").linalg.inv([[2.0]])),
    "tempfile": lambda _: __import__("tempfile").NamedTemporaryFile().close(),
}


def attempt(name, argument=None):
    return _try(lambda: ATTEMPTS[name](argument))


def stdlib_imports(names):
    """Import each standard-library module; the names that failed.

    The names come from the test, as data.  An honest file spells what it imports, and a
    spawned root child preloads a rarer module only where a file of its workdir does, so
    this one spells those the tests ask for: decimal fractions statistics sqlite3 ssl lzma
    bz2 csv asyncio multiprocessing concurrent.futures zoneinfo uuid unittest
    xml.etree.ElementTree email http.client tkinter curses.
    """
    failed = []
    for name in names:
        try:
            __import__(name)
        except Exception as exc:  # noqa: BLE001
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    return failed
