"""The portable sandbox backend: macOS, Windows, and Linux when forced (see platform.py).

It needs nothing POSIX-only: no ``pass_fds``, no ``select`` on pipes, no ``SOCK_SEQPACKET``,
no ``/proc``.  The child (``child.py portable``) speaks the frame protocol over its own
stdin and stdout, and its first frame in is its config, so a child can be started before
anyone knows which student it will run (the warm spare of ``SparePool``).  A reader and a
writer thread per child turn the pipes into calls with deadlines.  Nothing confines the
child; its limits:

* wall clock: the parent's deadlines (process.py), as on Linux;
* CPU: ``RLIMIT_CPU``, set by the child where ``resource`` exists (macOS);
* memory: a Windows Job object (with one active process, so no subprocesses, and
  kill-on-close), else a watchdog thread here that kills the child once its resident memory
  passes the limit (psutil) and says so;
* processes it leaves behind: the Job object, or its process group and its descendants
  killed as a tree, and a last sweep for processes that carry this run's sandbox mark.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from . import launch as launching, platform, reaper
from .launch import CHILD_SCRIPT, sandbox_environment
from .pipes import Deadline
from .workdir import remove_tree

if TYPE_CHECKING:
    from .jobs import Job

_CHUNK = 1 << 16
_DIRECT_BYTES = 2048  # frames this small are written without the writer thread (see write)
_QUEUED_CHUNKS = 64  # a child that floods its stdout waits for us: at most 4 MiB queued here
WATCHDOG_PERIOD = 0.01  # seconds between two looks at the child's resident memory


class StreamChannel:
    """Frames over a child's stdin and stdout, with deadlines, through two threads."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self._in, self._out = proc.stdin, proc.stdout
        self._chunks: queue.Queue[bytes] = queue.Queue(_QUEUED_CHUNKS)
        self._frames: queue.Queue[bytes | None] = queue.Queue()
        self._written = threading.Semaphore(0)
        self._eof = False
        for target, label in ((self._read_loop, "reader"), (self._write_loop, "writer")):
            threading.Thread(target=target, daemon=True, name=f"regquiz-sandbox-{label}").start()

    def write(self, data: bytes, deadline: float) -> None:
        """Hand `data` to the child; Deadline if it does not take it in time.

        A small frame is written here: the child reads every request before it answers, so
        the pipe is empty whenever the parent writes, and any pipe holds 2 KiB.  A larger
        one goes through the writer thread, so that a child that stops reading costs only
        the deadline.
        """
        if len(data) <= _DIRECT_BYTES:
            try:
                self._in.write(data)
                self._in.flush()
            except (OSError, ValueError):
                pass  # the child is gone: the read that follows reports how
            return
        self._frames.put(data)
        if not self._written.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise Deadline

    def receive(self, deadline: float) -> bytes:
        """The next bytes from the child (b"" at its end); Deadline if none come in time.

        What has already arrived is returned even past the deadline.
        """
        if self._eof:
            return b""
        try:
            chunk = self._chunks.get_nowait()
        except queue.Empty:
            try:
                chunk = self._chunks.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise Deadline from None
        self._eof = not chunk
        return chunk

    def close(self) -> None:
        """Stop both threads (the child is killed by its owner)."""
        self._frames.put(None)
        for stream in (self._in, self._out):
            try:
                stream.close()
            except OSError:
                pass

    def _read_loop(self) -> None:
        fd = self._out.fileno()
        while True:
            try:
                chunk = os.read(fd, _CHUNK)
            except (OSError, ValueError):
                chunk = b""
            self._chunks.put(chunk)
            if not chunk:
                return

    def _write_loop(self) -> None:
        while (data := self._frames.get()) is not None:
            try:
                self._in.write(data)
                self._in.flush()
            except (OSError, ValueError):
                pass  # the child is gone: the read that follows reports how
            self._written.release()


@dataclass
class PortableChild:
    """A portable child's process, with what limits it from outside (Killable for reaper)."""

    portable = True  # (StudentProcess closes it through kill(), not the Linux reaper)

    proc: subprocess.Popen[bytes]
    channel: StreamChannel
    workdir: str
    output: IO[bytes]
    job: Job | None = None
    watchdog: Watchdog | None = None
    enforced: tuple[str, ...] = ()
    started: float = field(default_factory=time.time)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    def wait(self, timeout: float | None = None) -> int:
        """Its exit code (negative: killed by that signal)."""
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """Kill the child and everything it started (the whole tree, then the sweep)."""
        if self.watchdog is not None:
            self.watchdog.stop()
        if self.job is not None:
            self.job.terminate()
            self.job.close()
        reaper.kill_tree(self.proc.pid, started=self.started, group=not platform.WINDOWS)
        self.channel.close()

    def end(self) -> None:
        """Kill the tree and reap the child (its workdir and output stay for the caller)."""
        self.kill()
        try:
            self.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        reaper.LIVE.discard(self.pid)

    def limit(self, memory_bytes: int) -> None:
        """Put the memory limit in force before any student code runs; what is enforced."""
        enforced = ["wall"]  # and "cpu" once the child says it set RLIMIT_CPU (child.py)
        if self.job is not None and self.job.limit_memory(memory_bytes):
            enforced += ["memory", "processes"]
        else:
            self.watchdog = Watchdog.start(self.proc.pid, memory_bytes)
            if self.watchdog is not None:
                enforced.append("memory")
        self.enforced = tuple(enforced)

    @property
    def memory_exceeded(self) -> int | None:
        """The limit in bytes, if the watchdog or the Job object stopped the child for it."""
        if self.watchdog is not None and self.watchdog.fired:
            return self.watchdog.limit
        if self.job is not None and self.job.memory_exceeded():
            return self.job.memory_bytes
        return None


def launch(root: str | None) -> PortableChild:
    """Start a child in a fresh workdir under `root`; it imports numpy and waits for its config."""
    workdir = tempfile.mkdtemp(prefix="regquiz-sandbox-", dir=root)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - held until close; outside the workdir
    options: dict[str, Any] = {}
    command = [sys.executable, "-I", "-S", str(CHILD_SCRIPT), "portable",
               json.dumps(launching.library_paths())]
    if platform.WINDOWS:
        command.append("--no-error-dialogs")
        options["creationflags"] = (subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
                                    | 0x08000000)  # CREATE_NO_WINDOW
    else:
        options["start_new_session"] = True
    try:
        proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=output, cwd=workdir,
            env=sandbox_environment(workdir), **options)
    except BaseException:
        output.close()
        remove_tree(workdir)
        raise
    reaper.LIVE.add(proc.pid)
    job = None
    if platform.WINDOWS:
        from .jobs import Job

        job = Job.create(proc)
    return PortableChild(proc, StreamChannel(proc), workdir, output, job)


def send_config(child: PortableChild, config: dict[str, Any], deadline: float) -> None:
    """The child's first frame: what to load and how (after its limits are in force)."""
    from . import wire

    child.channel.write(wire.pack({"op": "config", "config": config}, []), deadline)


class Watchdog:
    """A thread that kills a child whose resident memory passes the limit (psutil)."""

    def __init__(self, process: Any, limit: int) -> None:
        self.limit = limit
        self.fired = False
        self._process = process
        self._stopped = threading.Event()
        threading.Thread(target=self._run, daemon=True, name="regquiz-sandbox-watchdog").start()

    @classmethod
    def start(cls, pid: int, limit: int) -> Watchdog | None:
        """A watchdog on `pid`, or None where psutil is missing (no memory limit then)."""
        try:
            import psutil
        except ImportError:
            return None
        try:
            return cls(psutil.Process(pid), limit)
        except psutil.Error:
            return None

    def stop(self) -> None:
        """Stop looking."""
        self._stopped.set()

    def _run(self) -> None:
        import psutil

        while not self._stopped.wait(WATCHDOG_PERIOD):
            try:
                resident = self._process.memory_info().rss
            except psutil.Error:
                return  # the child is gone
            if resident > self.limit:
                self.fired = True
                try:
                    self._process.kill()
                except psutil.Error:
                    pass
                return


class SparePool:
    """`watch` and `grade` outside Linux: one child kept started (numpy imported) ahead of need.

    The portable stand-in for the fork server: `take()` hands out the spare and the next
    one is started when a child is given back (`refill()`, from StudentProcess.close), so
    its start-up overlaps the student's editing rather than the check.
    """

    def __init__(self, mode: str = "off") -> None:
        self.mode = mode
        self._spare: PortableChild | None = None
        self._root: str | None = None
        self.generation = 1

    def __enter__(self) -> SparePool:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Make the pool's root and start the first spare."""
        if self._root is None:
            self._root = tempfile.mkdtemp(prefix="regquiz-spares-")
        self.refill()

    def take(self) -> PortableChild:
        """A started child, ready for its config."""
        spare, self._spare = self._spare, None
        if spare is not None and spare.proc.poll() is None:
            return spare
        if spare is not None:
            discard(spare)
        return launch(self._root)

    def refill(self) -> None:
        """Start the next spare unless one is waiting."""
        if self._spare is None and self._root is not None:
            self._spare = launch(self._root)

    def close(self) -> None:
        """Kill the spare and remove the root."""
        if self._spare is not None:
            discard(self._spare)
            self._spare = None
        if self._root is not None:
            remove_tree(self._root)
            self._root = None

    def alive(self) -> bool:
        """Always: the children do not depend on a server process."""
        return self._root is not None

    def spawned(self, child: object) -> bool:
        """Whether `child` still belongs to a live pool (children outlive nothing here)."""
        return True

    @property
    def root(self) -> str | None:
        """The folder the children's workdirs are made in."""
        return self._root


def discard(child: PortableChild) -> None:
    """Kill an unused child, reap it and remove its workdir."""
    child.end()
    child.output.close()
    remove_tree(child.workdir)
