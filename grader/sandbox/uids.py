"""A root grader's children: each drops to an unprivileged uid of its own before it is confined.

When the grader runs as root (Gradescope, a CI container, ``sudo``), a hole in Landlock or
seccomp would meet a root process.  So every sandbox child, still root, takes a uid of
its own from a range (``REGQUIZ_SANDBOX_UIDS="lo-hi"``, default
``2000000000-2004194303``: far above any normal user, and 2**22 uids, the kernel's
highest possible pid_max), gives its workdir to that uid, and drops to it for good:
``setgroups([])``, ``setresgid``, ``setresuid``, then ``RLIMIT_NPROC`` (threads count
too) before ``no_new_privs``, Landlock and seccomp (``confine``, which may refuse
``setuid`` and friends in its filter: hence the order).

Uniqueness without a lock: uid = lo + (pid mod span) when the span is at least the
kernel's ``pid_max`` (two live processes never share a pid).  With a smaller range, a child
holds a global lock (a root-only file) while it looks through ``/proc`` for a uid of the
range that no live process has, drops to it, and lets go: from then on its own process
marks the uid as taken.

The dropped uid owns nothing outside its workdir and, on a machine whose Python lives
under ``/root`` (mode 0700), cannot even reach the standard library: so the child imports
an allowlist of modules first (``PRELOADED``; the fork server does it once for all its
children) and, after the drop, any other import raises an ImportError that says so.
Without Landlock (``uid+seccomp``, or ``REGQUIZ_SANDBOX_NO_LANDLOCK=1`` as root) the child
also chroots into its workdir, so that world-readable files (an installed answer key, other
users' files) are not there to open by path.

Loaded by path in a child (see child.py), so: standard library only.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Any

UIDS_ENV = "REGQUIZ_SANDBOX_UIDS"  # "lo-hi": the uids a root grader's children drop to
NO_LANDLOCK_ENV = "REGQUIZ_SANDBOX_NO_LANDLOCK"  # "1": as root, confine by uid+seccomp only
DEFAULT_UIDS = (2_000_000_000, 2_000_000_000 + (1 << 22) - 1)
MAX_TASKS = 64  # RLIMIT_NPROC of a dropped child: its threads (OpenBLAS runs one)
_LOCK_DIR = "/run/regquiz-sandbox-uids"  # root-only, for ranges smaller than pid_max

# What an honest student imports: loaded as root, before the uid drop (and the chroot).
# A fork server loads all of it once; a spawned child (check as root) skips the DEFERRED
# ones unless a file in its workdir names them (see `mentioned`).
PRELOADED = (
    "numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.polynomial", "numpy.typing",
    "numpy.lib.stride_tricks", "numpy.lib.scimath", "numpy.ma", "numpy.testing",
    "__future__", "abc", "array", "ast", "asyncio", "base64", "binascii", "bisect", "bz2",
    "calendar", "cmath", "collections", "collections.abc", "concurrent.futures",
    "contextlib", "copy", "csv", "ctypes", "dataclasses", "datetime", "decimal", "difflib",
    "email", "enum", "errno", "fractions", "functools", "gc", "hashlib", "heapq", "hmac",
    "http.client", "importlib", "importlib.util", "inspect", "io", "itertools", "json",
    "keyword", "linecache", "locale", "logging", "lzma", "math", "multiprocessing", "numbers",
    "operator", "pathlib", "pickle", "pprint", "queue", "random", "re", "reprlib", "secrets",
    "shutil", "signal", "socket", "sqlite3", "ssl", "statistics", "string", "struct",
    "sys", "tempfile", "textwrap", "threading", "time", "timeit", "traceback", "types",
    "typing", "unicodedata", "unittest", "uuid", "warnings", "weakref",
    "xml.etree.ElementTree", "zlib", "zoneinfo", "_strptime", "curses", "tkinter",
    "encodings.ascii", "encodings.latin_1", "encodings.utf_16", "encodings.utf_32",
    "encodings.utf_8_sig", "encodings.cp1252", "encodings.idna", "resource", "fcntl",
    "select", "mmap", "atexit", "codecs", "glob", "fnmatch", "platform", "shlex", "graphlib",
    "tokenize", "dis", "getpass", "colorsys", "subprocess", "builtins", "os", "os.path",
)


# What an honest child rarely needs, skipped by a spawned child unless a file of its workdir
# spells the module's last name: after numpy, the whole list costs ~100 ms, the rest ~29 ms
# (numpy.random stays whatever the files say: the codec needs it for a Generator argument;
# so do the codecs, which Python looks up by name: idna for a host name).
DEFERRED = frozenset({
    "numpy.testing", "numpy.ma", "numpy.polynomial", "asyncio", "tkinter", "curses",
    "http.client", "socket", "ssl", "email", "xml.etree.ElementTree",
    "zoneinfo", "calendar", "multiprocessing", "concurrent.futures", "sqlite3", "unittest",
    "difflib", "decimal", "fractions", "statistics", "uuid", "getpass", "timeit", "lzma",
    "bz2", "csv", "logging", "graphlib", "dis", "tokenize", "platform", "secrets", "hmac",
    "pickle",
})
_SCAN_BYTES = 4 << 20  # read of the workdir's files for `mentioned`, in all


class UidError(Exception):
    """The uid drop could not be done (or verified)."""


def uid_range(value: str | None = None) -> tuple[int, int]:
    """The range ``REGQUIZ_SANDBOX_UIDS`` names (``lo-hi``, inclusive), else the default."""
    text = os.environ.get(UIDS_ENV, "") if value is None else value
    if not text.strip():
        return DEFAULT_UIDS
    try:
        low, high = (int(part) for part in text.split("-"))
    except ValueError:
        raise UidError(f"{UIDS_ENV}={text!r} is not a range like 2000000000-2004194303") from None
    if not 1000 <= low <= high < 2**32 - 1:
        raise UidError(f"{UIDS_ENV}={text!r}: the uids must lie between 1000 and 4294967294, "
                       "low first")
    return low, high


_PID_MAX: list[int] = []  # read once per process: a fork server's children take its answer
_REACHABLE: dict[str, bool] = {}  # by parent folder, likewise
_LIBC: list[Any] = []


def pid_max() -> int:
    """The kernel's pid_max (the largest possible, 2**22, if it cannot be read)."""
    if not _PID_MAX:
        try:
            fd = os.open("/proc/sys/kernel/pid_max", os.O_RDONLY | os.O_CLOEXEC)
            try:
                _PID_MAX.append(int(os.read(fd, 32)))
            finally:
                os.close(fd)
        except (OSError, ValueError):
            _PID_MAX.append(1 << 22)
    return _PID_MAX[0]


def lock_free(low: int, high: int) -> bool:
    """Whether uid = low + pid mod span is unique among live processes (span ≥ pid_max)."""
    return high - low + 1 >= pid_max()


def uid_of(pid: int, low: int, high: int) -> int | None:
    """The uid a child with `pid` took, where the range makes it lock-free; else None."""
    return low + pid % (high - low + 1) if lock_free(low, high) else None


def mentioned(workdir: str) -> frozenset[str]:
    """The DEFERRED modules whose last name (``ma`` of numpy.ma) a .py file in `workdir` spells.

    Read as root before any student code ran: the files are the parent's copies (the
    submission and its siblings, each capped).  A word anywhere counts (an import, an
    attribute such as ``np.ma``, a comment): naming too much costs milliseconds, too little
    an ImportError for an import the file never spelled.  Only names of the allowlist are
    ever imported, whatever the files say.
    """
    import re

    words: set[str] = set()
    budget = _SCAN_BYTES
    try:
        entries = sorted(os.scandir(workdir), key=lambda entry: entry.name)
    except OSError:
        return DEFERRED
    for entry in entries:
        if not entry.name.endswith(".py") or budget <= 0:
            continue
        try:
            fd = os.open(entry.path,
                         os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            data = os.read(fd, budget) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
        except OSError:
            data = b""
        finally:
            os.close(fd)
        budget -= len(data)
        words.update(re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", data))
    if budget <= 0:
        return DEFERRED  # more than was read: take everything rather than guess
    return frozenset(name for name in DEFERRED if name.rpartition(".")[2].encode() in words)


def preload(names: frozenset[str] | None = None) -> list[str]:
    """Import PRELOADED (those this Python has); the names that could not be imported.

    `names`: the DEFERRED modules to import too (None: all of them, as a fork server does).
    Also reads what every child of a fork server would otherwise read again (pid_max).
    """
    import importlib

    pid_max()

    missing = []
    for name in PRELOADED:
        if names is not None and name in DEFERRED and name not in names:
            continue
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a build without tkinter or curses
            missing.append(name)
    return missing


class _Unavailable:
    """The last finder on sys.meta_path of a dropped child: a clear ImportError."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        raise ModuleNotFoundError(
            f"No module named {name!r} here: the grader's sandbox offers numpy and the "
            "standard library's common modules (imported before your code ran: a rarer one "
            "such as asyncio only where your files spell its name), and your own files "
            "beside the graded one", name=name)


def choose(pid: int, low: int, high: int) -> tuple[int, int | None]:
    """A uid of the range no live process has: (uid, held lock descriptor or None).

    Lock-free where the range spans pid_max; else under a global lock released by
    `release` once this process has dropped to the uid (and so marks it as taken).
    """
    uid = uid_of(pid, low, high)
    if uid is not None:
        return uid, None
    import fcntl

    os.makedirs(_LOCK_DIR, mode=0o700, exist_ok=True)
    lock = os.open(os.path.join(_LOCK_DIR, "lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
                   | os.O_NOFOLLOW, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    taken = _live_uids()
    for offset in range(high - low + 1):
        candidate = low + (pid + offset) % (high - low + 1)
        if candidate not in taken:
            return candidate, lock
    os.close(lock)
    raise UidError(f"every uid of {UIDS_ENV} ({low}-{high}) is in use by a live process")


def release(lock: int | None) -> None:
    """Let go of `choose`'s lock (after the drop)."""
    if lock is not None:
        os.close(lock)


def _live_uids() -> set[int]:
    """The real uids of every live process, from /proc."""
    uids: set[int] = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uids.add(os.stat(entry.path).st_uid)
            except OSError:
                continue
    return uids


def give_workdir(workdir: str, uid: int) -> None:
    """Make `uid` the owner of the workdir and of the files in it (still empty of links)."""
    fd = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fchown(fd, uid, uid)
        for name in os.listdir(fd):
            os.chown(name, uid, uid, dir_fd=fd, follow_symlinks=False)
    finally:
        os.close(fd)


def drop(uid: int, *, tasks: int = MAX_TASKS) -> None:
    """Become `uid` for good (no groups, no capabilities) and cap its tasks; verified."""
    import resource

    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) \
            or os.getgroups():
        raise UidError("the uid drop did not take")
    if any(capabilities()):
        raise UidError("capabilities remain after the uid drop")


def capabilities() -> tuple[int, int, int]:
    """This process's (effective, permitted, inheritable) capability sets, by capget(2)."""
    import ctypes

    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    libc = _LIBC[0]
    if libc.syscall(ctypes.c_long(125), ctypes.byref(header), ctypes.byref(data)) != 0:
        raise UidError(f"capget failed (errno {ctypes.get_errno()})")
    return (data[0] | data[3] << 32, data[1] | data[4] << 32, data[2] | data[5] << 32)


def reachable(folder: str) -> bool:
    """Whether any uid may pass through every folder above `folder` (else: chroot into it)."""
    parent = os.path.dirname(os.path.abspath(folder))
    if parent not in _REACHABLE:
        _REACHABLE[parent] = _passable(parent)
    return _REACHABLE[parent]


def _passable(parent: str) -> bool:
    while True:
        try:
            if not os.stat(parent).st_mode & 0o001:
                return False
        except OSError:
            return False
        if parent == "/":
            return True
        parent = os.path.dirname(parent)


def jail(workdir: str) -> None:
    """chroot into `workdir` (still root); the process's view of the filesystem is that folder."""
    os.chroot(workdir)
    os.chdir("/")


def close_descriptors(keep: tuple[int, ...]) -> None:
    """Close every descriptor but `keep` (no directory outside a chroot stays in reach)."""
    import resource

    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    limit = limit if 0 < limit < 1 << 20 else 1 << 16
    start = 3
    for fd in sorted(set(keep)):
        if fd >= start:
            os.closerange(start, fd)
            start = fd + 1
    os.closerange(start, limit)


def after_drop(*, jailed: str | None) -> None:
    """The interpreter's paths once the drop is done: only the workdir, the clear ImportError.

    `jailed`: the workdir's path before the chroot (None: no chroot).
    """
    import tempfile

    home = "/" if jailed is not None else os.getcwd()
    sys.path[:] = [home]
    # The finders of the old paths, with their listings, are left behind, not freed: in a
    # forked child, freeing them would touch (and so copy) hundreds of the server's pages.
    sys.path_importer_cache = {}
    sys.meta_path.append(_Unavailable)  # type: ignore[arg-type]
    tempfile.tempdir = home
    for name in ("HOME", "TMPDIR", "TEMP", "TMP"):
        os.environ[name] = home
