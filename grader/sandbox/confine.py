"""Kernel-enforced confinement of a sandbox child: Landlock, seccomp-bpf, no privileges.

Applied in the child after numpy has loaded and before the student's module is read, on
Linux x86-64 (standard library only; ctypes, no libseccomp or liblandlock needed):

* **Landlock** (unprivileged LSM, kernel ≥ 5.13): read-only access to the paths the parent
  lists (the standard library without site-packages, numpy's own folders, the system's
  shared libraries), and in the child's private workdir only what a student's scratch
  files need (``WORKDIR_RIGHTS``: read, list, make, write, truncate and remove regular
  files), nothing else: no folders, FIFOs, sockets, devices or symbolic links there (the
  parent reads and removes that folder after the child), no renames across folders.
  ABI ≥ 4 also refuses every TCP bind and connect; ABI ≥ 6 scopes signals and abstract Unix
  sockets to the child's own domain.
* **seccomp** (the BPF program of ``seccomp.py``, one decision per system call): no new
  processes, no network, signals only to itself, no ptrace, io_uring, namespaces or
  mounts; none of what Landlock does not guard (modes, owners, times and xattrs of any
  file, SysV and POSIX IPC, inotify and fanotify, special files, bound socket names).
* ``no_new_privs`` and, for a root child, every capability dropped: a root child with
  CAP_SYS_RESOURCE could otherwise lift the rlimits.

The parent decides (``probe`` here, the rules in ``launch.read_rules``); the child only
applies (``Confinement``).
Landlock confines only the calling thread, so the child refuses when threads already run.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from typing import Any

try:
    from . import platform, seccomp
except ImportError:  # loaded by path in a sandbox child (see child.py), beside its siblings
    platform = sys.modules["_regquiz_sandbox_platform"]
    seccomp = sys.modules["_regquiz_sandbox_seccomp"]

# "1": behave as if the kernel had no confinement (launch.DISABLE_ENV; repeated here because
# a sandbox child loads this module without the rest of regquiz)
DISABLE_ENV = "REGQUIZ_DISABLE_CONFINEMENT"

# -- Landlock (include/uapi/linux/landlock.h) -----------------------------------------------
_NR_LANDLOCK_CREATE_RULESET, _NR_LANDLOCK_ADD_RULE, _NR_LANDLOCK_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
_READ_DIR_RIGHTS = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
_READ_FILE_RIGHTS = FS_EXECUTE | FS_READ_FILE
_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
FS_REMOVE_DIR, FS_REMOVE_FILE, FS_MAKE_CHAR, FS_MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
FS_MAKE_REG, FS_MAKE_SOCK, FS_MAKE_FIFO, FS_MAKE_BLOCK, FS_MAKE_SYM = (1 << 8, 1 << 9, 1 << 10,
                                                                      1 << 11, 1 << 12)
# What an honest student does in its workdir: scratch files (open "w" truncates: TRUNCATE,
# handled from ABI 3).  Not EXECUTE (execve is refused anyway), not REFER (there is no
# other folder to move a file to), not IOCTL_DEV (no device can be there), no MAKE_* but
# MAKE_REG, no REMOVE_DIR.  Older ABIs: what they do not handle stays allowed (TRUNCATE) or
# is refused whatever the rules say (ABI 1 refuses every rename across folders).
WORKDIR_RIGHTS = (FS_READ_FILE | FS_READ_DIR | FS_WRITE_FILE | FS_TRUNCATE | FS_MAKE_REG
                  | FS_REMOVE_FILE)

# -- privileges (include/uapi/linux/prctl.h, capability.h) -------------------------------
_PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT, _PR_GET_SECCOMP = 38, 47, 21
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_NR_CAPSET, _CAPABILITY_VERSION_3 = 126, 0x20080522


class ConfinementError(Exception):
    """Confinement was required and could not be applied."""


class Probe:
    """What the kernel offers this process: enough to confine a child, or why not."""

    def __init__(self, available: bool, landlock_abi: int, reason: str = "") -> None:
        self.available = available
        self.landlock_abi = landlock_abi
        self.reason = reason

    def __repr__(self) -> str:
        return f"Probe({self.available}, {self.landlock_abi}, {self.reason!r})"

    @property
    def description(self) -> str:
        """What a child would be confined by, e.g. ``landlock-v7+seccomp``."""
        return f"landlock-v{self.landlock_abi}+seccomp" if self.available else "none"


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _syscall(libc: Any, number: int, *args: int | ctypes.c_void_p | Any) -> int:
    return int(libc.syscall(ctypes.c_long(number), *[
        arg if not isinstance(arg, int) else ctypes.c_long(arg) for arg in args]))


def landlock_abi(libc: Any | None = None) -> int:
    """The kernel's Landlock ABI version (0: none, or the syscall is filtered)."""
    if not platform.LINUX or os.uname().machine != "x86_64":
        return 0
    try:
        version = _syscall(libc or _libc(), _NR_LANDLOCK_CREATE_RULESET, ctypes.c_void_p(None),
                           0, _CREATE_RULESET_VERSION)
    except (OSError, AttributeError):
        return 0
    return max(version, 0)


_PROBES: dict[str | None, Probe] = {}  # by the value of DISABLE_ENV (tests switch it)


def probe() -> Probe:
    """Whether sandbox children can be confined here (asked of the kernel once per process)."""
    switch = os.environ.get(DISABLE_ENV)
    if switch not in _PROBES:
        _PROBES[switch] = _probe()
    return _PROBES[switch]


def _probe() -> Probe:
    if os.environ.get(DISABLE_ENV) == "1":
        return Probe(False, 0, f"confinement is switched off ({DISABLE_ENV}=1)")
    if not platform.LINUX:
        return Probe(False, 0, f"confinement needs Linux (Landlock and seccomp); this is "
                               f"{platform.name()}")
    if os.uname().machine != "x86_64":
        return Probe(False, 0, f"confinement is implemented for x86-64 Linux; this machine "
                               f"is {os.uname().machine}")
    libc = _libc()
    abi = landlock_abi(libc)
    if abi < 1:
        return Probe(False, 0, "the kernel offers no Landlock (Linux ≥ 5.13 with "
                               "CONFIG_SECURITY_LANDLOCK and lsm=landlock, not filtered by a "
                               "container's seccomp profile)")
    if libc.prctl(_PR_GET_SECCOMP, 0, 0, 0, 0) < 0:
        return Probe(False, abi, "the kernel offers no seccomp filters (CONFIG_SECCOMP_FILTER)")
    return Probe(True, abi)


def _inside(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


# -- applying it: only in the child --------------------------------------------------------


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class Confinement:
    """The opened rules of one sandbox interpreter; applied to a child, or shared by a server.

    A spawned child applies everything itself: no privileges, one Landlock layer (the fine
    rules and its workdir), the seccomp filter.  A fork server (`shared_root`: the folder
    its children's workdirs are made in) first confines itself (``confine_server``): no
    privileges and the fine layer with the whole root; every child it forks inherits that
    and stacks a small layer of its own (the top folders the libraries live in, and its own
    workdir), which keeps it out of its siblings' workdirs, then the seccomp filter.  A
    forked child so pays a handful of system calls instead of hundreds.
    """

    def __init__(self, rules: dict[str, list[list[str]]], *, shared_root: str | None = None) -> None:
        self._libc = _libc()
        self.abi = landlock_abi(self._libc)
        self._fs = _handled_fs(self.abi)
        self._fine = _open_rules(rules.get("fine", []))
        self._root = os.path.realpath(shared_root) if shared_root else None
        self._coarse = _open_rules(_beside_root(rules.get("coarse", []), self._root)) \
            if self._root else []
        self._server_confined = ""  # what confine_server applied
        # Built here, once per interpreter: in a forked child every allocation and first
        # touch costs copy-on-write faults, so the child only fills in its pid.
        program = seccomp.program(0)
        self._filter = ctypes.create_string_buffer(program, len(program))
        prog = struct.pack("<HxxxxxxQ", len(program) // 8, ctypes.addressof(self._filter))
        self._fprog = ctypes.create_string_buffer(prog, len(prog))
        self._cap_header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
        self._cap_data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable × 2: empty
        self._attr = _RulesetAttr(self._fs, NET_BIND_TCP | NET_CONNECT_TCP if self.abi >= 4 else 0,
                                  SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if self.abi >= 6 else 0)
        self._beneath = _PathBeneathAttr()

    def confine_server(self, *, required: bool) -> str:
        """In a fork server: drop privileges and apply the shared layer to this process.

        What was applied ("landlock-v7" or ""); ConfinementError when `required` and it failed.
        """
        if self._root is None:
            raise ConfinementError("confine_server needs a shared root")
        try:
            _single_threaded()
            _no_new_privileges(self._libc, self._cap_header, self._cap_data)
            if self.abi < 1:
                raise ConfinementError("the kernel offers no Landlock")
            self._restrict_to(self._root, self._fine)
            self._server_confined = f"landlock-v{self.abi}"
        except (ConfinementError, OSError) as exc:
            if required:
                raise ConfinementError(str(exc)) from None
        finally:
            _close(self._fine)
            self._fine = []
        return self._server_confined

    def apply(self, workdir: str, *, required: bool, forked: bool = False) -> str:
        """Confine this process to `workdir`; what was applied (``landlock-v7+seccomp``, ``none``).

        Raises ConfinementError when `required` and any part failed.  A `forked` child is
        single-threaded by construction (fork copies only the calling thread).
        """
        applied: list[str] = []
        try:
            if not forked:
                _single_threaded()
            if not self._server_confined:
                _no_new_privileges(self._libc, self._cap_header, self._cap_data)
            if self.abi >= 1 and (self._server_confined or self._root is None):
                self._restrict_to(workdir, [*self._fine, *self._coarse])
                applied.append(f"landlock-v{self.abi}")
            elif required:
                raise ConfinementError("Landlock could not be applied")
            seccomp.install(self._libc, self._filter, self._fprog, os.getpid())
            applied.append("seccomp")
        except (ConfinementError, seccomp.SeccompError, OSError) as exc:
            if required:
                raise ConfinementError(str(exc)) from None
        finally:
            self.close()
        return "+".join(applied) or "none"

    def close(self) -> None:
        """Close every descriptor still held (a confined child needs none of them)."""
        _close(self._fine)
        _close(self._coarse)
        self._fine, self._coarse = [], []

    def _restrict_to(self, folder: str, rules: list[tuple[int, int]]) -> None:
        """One Landlock layer on this process: `rules`, and WORKDIR_RIGHTS in `folder`.

        A fork server's `folder` is the root of its children's workdirs (the parent makes
        them), so the same rights there bound every child's first layer too.
        """
        own = os.open(folder, os.O_PATH | os.O_CLOEXEC | os.O_DIRECTORY)
        try:
            layer = self._ruleset([*rules, (own, WORKDIR_RIGHTS)])
        finally:
            os.close(own)
        try:
            if _syscall(self._libc, _NR_LANDLOCK_RESTRICT_SELF, layer, 0) < 0:
                raise ConfinementError(f"landlock_restrict_self failed ({_errno_text()})")
        finally:
            os.close(layer)

    def _ruleset(self, rules: list[tuple[int, int]]) -> int:
        """A new Landlock ruleset holding `rules` ((descriptor, rights) pairs); its descriptor."""
        size = 8 if self.abi < 4 else 16 if self.abi < 6 else 24
        libc = self._libc
        ruleset = _syscall(libc, _NR_LANDLOCK_CREATE_RULESET, ctypes.byref(self._attr), size, 0)
        if ruleset < 0:
            raise ConfinementError(f"landlock_create_ruleset failed ({_errno_text()})")
        beneath = self._beneath
        pointer, add_rule = ctypes.byref(beneath), libc.syscall
        number, kind = ctypes.c_long(_NR_LANDLOCK_ADD_RULE), ctypes.c_long(_RULE_PATH_BENEATH)
        zero, ruleset_arg = ctypes.c_long(0), ctypes.c_long(ruleset)
        for fd, rights in rules:
            beneath.allowed_access = rights & self._fs
            beneath.parent_fd = fd
            if add_rule(number, ruleset_arg, kind, pointer, zero) < 0:
                os.close(ruleset)
                raise ConfinementError(f"landlock_add_rule failed ({_errno_text()})")
        return ruleset


def _beside_root(rules: list[list[str]], root: str | None) -> list[list[str]]:
    """For each rule's path, its highest ancestor that does not contain `root`, as a folder.

    The second layer of a forked child only has to keep `root` (its siblings' workdirs)
    out; the first layer already narrows every folder granted here to the fine rules.
    """
    if root is None:
        return rules
    folders: dict[str, None] = {}
    for path, _ in rules:
        parts = path.rstrip("/").split("/")
        for end in range(2, len(parts) + 1):
            candidate = "/".join(parts[:end])
            if not _inside(candidate, root):
                folders.setdefault(candidate, None)
                break
    return [[folder, "any"] for folder in folders]


def _handled_fs(abi: int) -> int:
    """Every filesystem right the kernel's Landlock ABI knows (all handled: denied unless granted)."""
    rights = (1 << 13) - 1  # ABI 1: EXECUTE … MAKE_SYM
    rights |= FS_REFER if abi >= 2 else 0
    rights |= FS_TRUNCATE if abi >= 3 else 0
    rights |= FS_IOCTL_DEV if abi >= 5 else 0
    return rights


def _open_rules(rules: list[list[str]]) -> list[tuple[int, int]]:
    opened = []
    for path, kind in rules:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue  # vanished since the parent listed it: nothing to grant
        rights = {"dir": _READ_DIR_RIGHTS, "file": _READ_FILE_RIGHTS, "rw-file": _FILE_RIGHTS,
                  "any": _READ_DIR_RIGHTS | _FILE_RIGHTS}.get(kind, _READ_FILE_RIGHTS)
        opened.append((fd, rights))
    return opened


def _close(opened: list[tuple[int, int]]) -> None:
    for fd, _ in opened:
        try:
            os.close(fd)
        except OSError:
            pass


def _errno_text() -> str:
    code = ctypes.get_errno()
    return f"{os.strerror(code)}, errno {code}"


def _single_threaded() -> None:
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:
        return
    if threads > 1:
        raise ConfinementError(f"{threads} threads are running; Landlock would confine only one")


def _no_new_privileges(libc: Any, header: Any, data: Any) -> None:
    """no_new_privs (needed for unprivileged seccomp and Landlock); drop every capability."""
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise ConfinementError(f"prctl(PR_SET_NO_NEW_PRIVS) failed ({_errno_text()})")
    if os.geteuid() != 0 and not _has_capabilities():
        return
    # Empty effective, permitted and inheritable sets, no ambient ones.  The bounding set
    # only limits what an execve could grant, and seccomp refuses every execve.
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if _syscall(libc, _NR_CAPSET, ctypes.byref(header), ctypes.byref(data)) != 0:
        raise ConfinementError(f"capset failed ({_errno_text()})")


def _has_capabilities() -> bool:
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith((b"CapEff:", b"CapPrm:")) and int(line.split()[1], 16):
                    return True
    except (OSError, ValueError):
        return True
    return False
