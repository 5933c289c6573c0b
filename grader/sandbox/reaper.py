"""Process hygiene for the sandbox: kill a child's whole group and any orphan it left.

A confined child cannot start a process at all (seccomp refuses fork, vfork, clone and
execve), so there is nothing to reap but the child itself.  Unconfined (another platform,
or `--unconfined`) student code may fork, start subprocesses or leave the process group
with setsid(): this process then registers as a child subreaper (Linux), so such orphans
are reparented to it; they carry the sandbox's environment mark, which tells them apart
from our own children.
Under a root grader, whatever still runs as a child's own uid is killed with it.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
from typing import Any, Protocol

from . import platform

LIVE: set[int] = set()  # sandbox children of this process that are still running
SANDBOX_MARK = "REGQUIZ_SANDBOX"  # inherited by everything a sandbox starts
MARK_VALUE = f"{os.getpid()}-{os.urandom(6).hex()}"
_SUBREAPER: list[bool] = []


def become_subreaper() -> None:
    """Let orphans of student code (even ones that left our process group) come to us."""
    if _SUBREAPER or platform.portable():
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _SUBREAPER.append(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        _SUBREAPER.append(False)


class Killable(Protocol):
    """A sandbox process: a spawned Popen or a child of the fork server."""

    @property
    def pid(self) -> int: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


def kill_group(proc: Killable, *, student: bool = True) -> None:
    """SIGKILL the process's group (its session), reap it, then any orphan it left.

    Under a root grader, a `student` child ran as a uid of its own (uids.py): anything
    left with that uid is killed too, before the child is reaped (isolate's habit).
    """
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if student and not platform.portable() and os.geteuid() == 0:
        _kill_uid(proc.pid)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    LIVE.discard(proc.pid)
    if _SUBREAPER and _SUBREAPER[0]:
        _kill_orphans()


def _kill_uid(pid: int) -> None:
    """Kill every process that runs as the uid the child `pid` dropped to (while it is a zombie,
    so its pid, and the uid with it, cannot be taken by another child meanwhile)."""
    from . import uids

    try:
        uid = uids.uid_of(pid, *uids.uid_range())
    except uids.UidError:
        return
    if uid is None:
        return  # a range smaller than pid_max: the uid is not known from here
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or entry.name == str(pid):
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            handle = os.pidfd_open(int(entry.name))
        except OSError as exc:
            if exc.errno == errno.ENOSYS:  # a kernel before 5.3: by pid (a narrow reuse race)
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except OSError:
                    pass
            continue
        try:  # the descriptor pins this very process: check its uid again, then kill
            if os.stat(entry.path).st_uid == uid:
                signal.pidfd_send_signal(handle, signal.SIGKILL)
        except OSError:
            pass
        finally:
            os.close(handle)


def kill_tree(pid: int, *, started: float, group: bool) -> None:
    """The portable backend's kill: `pid`, its group, then strays that carry the sandbox mark.

    Through psutil, not /proc (macOS and Windows have none).  With a process group (macOS)
    killpg takes every descendant that stayed in it; one that left it and lost its parent
    (a double fork with setsid) is found by the sandbox mark in its environment, among the
    processes started after the child (`started`, epoch seconds).  Without (Windows, where
    the Job object is the first line) the descendants are killed as a tree.
    """
    try:
        import psutil
    except ImportError:
        psutil = None
    if group and hasattr(os, "killpg"):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    elif psutil is not None:
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        for process in tree:
            try:
                process.kill()
            except psutil.Error:
                pass
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    if group and psutil is not None:
        _kill_marked(psutil, after=pid, since=started - 1.0)


def _kill_marked(psutil: Any, *, after: int, since: float) -> None:
    """Kill strays started after process `after` (and `since`) that carry this run's mark.

    Process ids grow with time, so only the ids above `after` are looked at (a few, not the
    whole process table); live sandbox children of this process are spared.
    """
    keep = {os.getpid(), *LIVE}
    for candidate in psutil.pids():
        if candidate <= after or candidate in keep:
            continue
        try:
            process = psutil.Process(candidate)
            if process.create_time() >= since and \
                    process.environ().get(SANDBOX_MARK) == MARK_VALUE:
                process.kill()
        except psutil.Error:
            continue


def _kill_orphans() -> None:
    """Kill and reap processes that were reparented to us: a sandbox's escaped descendants."""
    mark = f"{SANDBOX_MARK}={MARK_VALUE}".encode()
    for _ in range(20):
        orphans = [pid for pid in _children() if pid not in LIVE and _carries(pid, mark)]
        if not orphans:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass


def _carries(pid: int, mark: bytes) -> bool:
    """Whether the process started inside one of our sandboxes (its environment says so)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return mark in handle.read().split(b"\0")
    except OSError:
        return False


def _children() -> list[int]:
    """This process's children, from /proc (the fast per-thread list where the kernel has it)."""
    pids: list[int] = []
    try:
        for task in os.scandir("/proc/self/task"):
            with open(f"{task.path}/children", "rb") as handle:
                pids += [int(pid) for pid in handle.read().split()]
        return pids
    except OSError:
        pass
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            pids.append(int(entry.name))
    return pids
