"""Not a submission: tests/test_rights.py calls attempt(NAME, ARG) in a sandbox child.

Each attempt tries one right that confinement takes (or, for the controls, one that an
unconfined child keeps) and answers "allowed" or the exception's type and errno, e.g.
"PermissionError 1".  Whatever an attempt makes, it removes again, so that the same
attempts can run unconfined as the controls.
"""
import ctypes
import fcntl
import os
import socket
import stat

_libc = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD = -100
_IPC_PRIVATE, _IPC_CREAT, _IPC_RMID = 0, 0o1000, 0


def _argument(value):
    if isinstance(value, str):
        return ctypes.c_char_p(value.encode())
    if isinstance(value, bytes):
        return ctypes.c_char_p(value)
    return ctypes.c_long(value)


def _syscall(number, *args):
    result = _libc.syscall(ctypes.c_long(number), *[_argument(a) for a in args])
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


def _raw(call):
    """call: [number, arg…]; "FD" stands for a descriptor of a scratch file in the workdir."""
    number, *args = call
    fd = os.open("scratch-fd.txt", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        return _syscall(number, *[fd if a == "FD" else a for a in args])
    finally:
        os.close(fd)
        os.unlink("scratch-fd.txt")


def _ipc(kind):
    """Make one private SysV object of `kind` and remove it at once."""
    if kind == "shm":
        ident = _syscall(29, _IPC_PRIVATE, 1 << 20, _IPC_CREAT | 0o600)
        _syscall(31, ident, _IPC_RMID, 0)
    elif kind == "msg":
        ident = _syscall(68, _IPC_PRIVATE, _IPC_CREAT | 0o600)
        _syscall(71, ident, _IPC_RMID, 0)
    else:
        ident = _syscall(64, _IPC_PRIVATE, 1, _IPC_CREAT | 0o600)
        _syscall(66, ident, 0, _IPC_RMID, 0)


def _inotify(path):
    fd = _syscall(294, os.O_CLOEXEC)  # inotify_init1
    try:
        _syscall(254, fd, path, 0xFFF)  # inotify_add_watch, IN_ALL_EVENTS
    finally:
        os.close(fd)


def _dnotify(_):
    fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.fcntl(fd, fcntl.F_NOTIFY, fcntl.DN_CREATE)
    finally:
        os.close(fd)


def _lease(_):
    with open("leased.txt", "w"):
        pass
    fd = os.open("leased.txt", os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    finally:
        os.close(fd)
        os.unlink("leased.txt")


def _bind(address):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(address)
    if isinstance(address, str) and not address.startswith("\0"):
        os.unlink(address)


def _listen(_):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.listen(1)  # unbound: EINVAL unconfined; refused before that when confined


def _made(path, make):
    make(path)
    if os.path.isdir(path) and not os.path.islink(path):
        os.rmdir(path)
    else:
        os.unlink(path)


def _whiteout(_):
    with open("white.txt", "w"):
        pass
    try:
        _syscall(316, _AT_FDCWD, "white.txt", _AT_FDCWD, "whited.txt", 4)  # RENAME_WHITEOUT
        for name in ("white.txt", "whited.txt"):
            os.unlink(name)
    finally:
        if os.path.exists("white.txt"):
            os.unlink("white.txt")


def _hard_link(path):
    with open("original.txt", "w"):
        pass
    try:
        _made(path, lambda p: os.link("original.txt", p))
    finally:
        os.unlink("original.txt")


ATTEMPTS = {
    "raw": _raw,
    "ipc": _ipc,
    "inotify": _inotify,
    "dnotify": _dnotify,
    "lease": _lease,
    "bind": _bind,
    "listen": _listen,
    "mkfifo": lambda path: _made(path, os.mkfifo),
    "mknod": lambda path: _made(path, lambda p: os.mknod(p, 0o600 | stat.S_IFCHR,
                                                         os.makedev(1, 5))),
    "mkdir": lambda path: _made(path, os.mkdir),
    "symlink": lambda path: _made(path, lambda p: os.symlink("/etc/passwd", p)),
    "hard_link": _hard_link,
    "whiteout": _whiteout,
    "chmod": lambda path: os.chmod(path, 0o600),
    "utime": lambda path: os.utime(path, ns=(1, 1)),
    "setxattr": lambda path: os.setxattr(path, "user.regquiz", b"control"),
    "scratch": lambda path: open(path, "w").write("scratch") and os.unlink(path),
}


def attempt(name, argument=None):
    return _try(lambda: ATTEMPTS[name](argument))


def listing():
    return sorted(os.listdir("."))
