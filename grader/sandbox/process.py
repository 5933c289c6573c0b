"""The parent's handle on one sandbox child: start it, call into it, enforce limits, close it.

Student code runs only in the child (``child.py``): an isolated interpreter (``-I -S``) in
its own session and private workdir (a copy of the submission's own .py files), confined by
the kernel (``confine.py``), with an address-space, CPU-time and file-size limit, a scrubbed
environment (no REGQUIZ_HOME), and a wall-clock deadline enforced from here.  Whatever
happens in there comes back as a :class:`CallOutcome`, never as an exception, and
everything the child sends is data: decoded by ``wire``, its text cleaned of control
characters.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from ..errors import EnvironmentBroken
from . import launch, platform, reaper, wire
from .launch import CHILD_SCRIPT, STARTUP_ALLOWANCE, sandbox_environment
from .pipes import Deadline, FdChannel
from .workdir import fill_workdir, remove_tree

if TYPE_CHECKING:
    from .forkserver import ForkedChild, ForkServer
    from .portable import PortableChild, SparePool, StreamChannel

MAX_FRAME_BYTES = 64 * 1024 * 1024  # a reply's arrays, in raw bytes
MAX_HEADER_BYTES = 4 * 1024 * 1024  # its JSON line: checked before decoding (a 64 MiB list of
# small numbers would cost the parent gigabytes as Python objects)
MAX_OUTPUT_CHARS = 2000
LIMIT_NAMES = ("wall", "cpu", "memory", "processes")  # what `limits` may report, in this order


@dataclass(frozen=True)
class Limits:
    """What one student process may use."""

    time_budget: float = 10.0  # wall seconds of student code for the whole problem
    call_time: float = 2.0  # wall seconds for a single call
    memory_bytes: int = 1024**3  # SPEC §4 allows at most 2 GiB; less fails a memory bomb sooner
    file_bytes: int = 64 * 1024**2


@dataclass(frozen=True)
class CallOutcome:
    """What became of one call: a value, an exception, a timeout or a dead process."""

    status: Literal["ok", "raised", "timeout", "crashed", "missing", "unloadable"]
    value: Any = None
    error: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


class _Timeout(Exception):
    pass


class StudentProcess:
    """One child process running one student module; restarted after a crash or a timeout."""

    def __init__(self, source: Path, module: str, functions: list[str], limits: Limits,
                 home: Path | None = None, server: ForkServer | SparePool | None = None,
                 confinement: str = "try") -> None:
        self.source = source
        # The student's own folder: its other .py files are copied beside the module
        # (helper modules import); nothing else of it is reachable.
        self.home = home or self.source.parent
        self.module = module
        self.functions = functions
        self.limits = limits
        self.server = server  # forks the child from a warm process instead of spawning one
        self.mode = server.mode if server is not None else confinement
        self.confinement = launch.described(self.mode)  # what confines the child: its own report
        self.spent = 0.0  # wall seconds charged to this student so far
        self.output = ""
        # the limits in force: what the platform gives until the child says what it applied
        self.enforced: tuple[str, ...] = () if platform.portable() else ("wall", "cpu", "memory")
        self._proc: subprocess.Popen[bytes] | ForkedChild | PortableChild | None = None
        self._channel: FdChannel | StreamChannel | None = None  # frames to and from the child
        self._output: Any = None  # the file the child's prints go to, held open until close
        self._loaded: dict[str, Any] | None = None
        self._workdir: str | None = None
        self._buffer = bytearray()
        self._buffers: list[bytes] = []  # the arrays of the last frame read
        self._next_id = 0
        self.confine_seconds: float | None = None  # what confining the child cost, as it says
        self._start_retried = False
        self._unusable: CallOutcome | None = None  # a load failure repeats for every call
        self._hung: set[str] = set()  # functions that timed out once are not called again
        self._killers: set[str] = set()  # … nor those that once killed the process

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the child; it imports numpy and loads the module while we do other work."""
        if platform.portable():
            self._start_portable()
            return
        reaper.become_subreaper()
        root = self.server.root if self.server is not None else None
        self._workdir = tempfile.mkdtemp(prefix="regquiz-sandbox-", dir=root)
        module_path = fill_workdir(Path(self._workdir), self.source, self.home, self.module)
        channel = self._channel = FdChannel()
        request_r, response_w = channel.child_request, channel.child_response
        config: dict[str, Any] = {
            "sys_path": [str(self._workdir)],
            "workdir": str(self._workdir),
            "source": str(module_path),
            "module": self.module,
            "functions": self.functions,
            "limits": {
                "memory_bytes": self.limits.memory_bytes,
                "cpu_seconds": max(1, int(self.remaining) + 1),
                "file_bytes": self.limits.file_bytes,
            },
        }
        # what the child prints goes to a file with no name (O_TMPFILE), outside the workdir:
        # it is read through this descriptor at close, and no path of the child's is opened
        output = self._output = tempfile.TemporaryFile()  # noqa: SIM115 - held until close
        if self.server is not None:
            config["env"] = {"HOME": self._workdir, "TMPDIR": self._workdir}
            server = cast("ForkServer", self.server)  # (a SparePool serves the portable backend)
            self._proc = server.spawn(config, [request_r, response_w, output.fileno()])
        else:
            config["sys_path"] = [*launch.library_paths(), str(self._workdir)]
            config["confine"] = launch.confine_settings(self.mode)
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(CHILD_SCRIPT), str(request_r),
                 str(response_w), json.dumps(config)],
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                pass_fds=(request_r, response_w), cwd=self._workdir,
                env=sandbox_environment(self._workdir), start_new_session=True,
            )
            reaper.LIVE.add(self._proc.pid)
        channel.started()
        self._loaded = None

    def _start_portable(self) -> None:
        """Start (or take the warm spare) a portable child and send it its config."""
        from . import portable

        pool = self.server if isinstance(self.server, portable.SparePool) else None
        child = pool.take() if pool is not None else portable.launch(None)
        self._proc, self._channel = child, child.channel
        self._workdir, self._output = child.workdir, child.output
        module_path = fill_workdir(Path(child.workdir), self.source, self.home, self.module)
        cpu_seconds = max(1, int(self.remaining) + 1)
        child.limit(self.limits.memory_bytes)
        self.enforced = child.enforced
        home = child.workdir
        config: dict[str, Any] = {
            "sys_path": [*launch.library_paths(), home], "workdir": home,
            "source": str(module_path), "module": self.module, "functions": self.functions,
            "env": {"HOME": home, "TMPDIR": home, "TEMP": home, "TMP": home},
            "limits": {"memory_bytes": self.limits.memory_bytes, "cpu_seconds": cpu_seconds,
                       "file_bytes": self.limits.file_bytes, "address_space": False},
        }
        try:
            portable.send_config(child, config, time.monotonic() + STARTUP_ALLOWANCE)
        except Deadline:
            pass  # a child that takes no config answers nothing: _ensure_loaded reports it
        self._loaded = None

    def close(self) -> None:
        """Kill the child and everything it started; keep what it printed; remove the workdir."""
        if self._proc is None and self._workdir is None:
            return
        if getattr(self._proc, "portable", False):
            self._close_portable()
        elif self._proc is not None:
            reaper.kill_group(self._proc)
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._buffer.clear()
        self._proc = None
        if self._output is not None:
            self.output += self._relative(wire.clean_text(
                _read_tail(self._output), keep_newlines=True, limit=4 * MAX_OUTPUT_CHARS))
            self.output = self.output[-MAX_OUTPUT_CHARS:]
            self._output.close()
            self._output = None
        if self._workdir:
            remove_tree(self._workdir)
            self._workdir = None

    def _close_portable(self) -> None:
        from .portable import PortableChild

        child = self._proc
        assert isinstance(child, PortableChild)
        child.end()
        refill = getattr(self.server, "refill", None)
        if refill is not None:
            refill()  # the next spare starts while the student reads this result

    def __enter__(self) -> StudentProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def remaining(self) -> float:
        """Seconds of the time budget not yet spent."""
        return self.limits.time_budget - self.spent

    # -- calls ---------------------------------------------------------------------------

    def call(self, function: str, args: list[Any]) -> CallOutcome:
        """Call `function(*args)` in the child and wait for the outcome."""
        if self._unusable is not None:
            return self._unusable
        if function in self._hung:
            return CallOutcome("timeout", detail=f"{function}() did not return in time in an "
                               "earlier check, so it is not called again")
        if function in self._killers:
            return CallOutcome("crashed", detail=f"{function}() ended the process running your "
                               "code in an earlier check, so it is not called again")
        if self.remaining <= 0:
            return CallOutcome("timeout", detail=self._budget_text())
        if self.server is not None and self._proc is not None and not self.server.spawned(self._proc):
            self.close()  # another student killed the fork server, and this child with it
            self._loaded = None
        if self._proc is None:
            self.start()
        loaded = self._ensure_loaded()
        if loaded is not None:
            return loaded
        assert self._loaded is not None
        if not self._loaded["functions"].get(function):
            return CallOutcome("missing", detail=f"{self.source.name} defines no function {function}()")
        self._next_id += 1
        buffers: list[bytes] = []
        encoded = wire.encode(args, buffers)
        frame = wire.pack({"id": self._next_id, "function": function, "args": encoded}, buffers)
        started = time.monotonic()
        deadline = started + min(self.limits.call_time, self.remaining)
        try:
            self._write(frame, deadline)
            reply = self._read(deadline)
        except _Timeout:
            self.spent += time.monotonic() - started
            self.close()
            self._hung.add(function)
            limit = min(self.limits.call_time, self.limits.time_budget)
            return CallOutcome("timeout", detail=f"no answer within {limit:g} s (endless loop?)")
        self.spent += time.monotonic() - started
        if self.server is not None and not self.server.spawned(self._proc):
            self.close()
            self._killers.add(function)
            return CallOutcome("crashed", detail=f"{function}() killed the process that started "
                               "it (the grader's fork server), so it is not called again")
        if reply is None:
            self._killers.add(function)
            return self._crashed()
        if reply.get("id") != self._next_id:
            self.close()
            return CallOutcome("crashed", detail="the process running your code answered out of turn")
        if reply.get("op") == "raised":
            return CallOutcome("raised", error=self._relative_error(reply.get("error")))
        try:
            return CallOutcome("ok", value=wire.decode(reply.get("value"), self._buffers))
        except wire.WireError as exc:
            return CallOutcome("crashed", detail=f"returned data that cannot be read ({exc})")
        except Exception:  # noqa: BLE001 - whatever the child's data makes numpy raise
            return CallOutcome("crashed", detail="returned data that cannot be read")

    def _ensure_loaded(self) -> CallOutcome | None:
        if self._loaded is not None:
            return None
        assert self._proc is not None
        # The interpreter and numpy starting up are not the student's time, and the
        # allowance counts from now: a child started early, while an earlier student's
        # slow calls ran, has had all that time already (a "ready" waiting in the pipe is
        # read before any deadline is judged).
        try:
            reply = self._read(time.monotonic() + STARTUP_ALLOWANCE)
            failure = "" if reply is not None else "its process ended before it was ready"
        except _Timeout:
            reply, failure = None, f"it was not ready within {STARTUP_ALLOWANCE:g} s"
        if failure:  # no student code has run: the sandbox itself failed to start
            self.close()
            if not self._start_retried:  # an overloaded moment: one fresh start
                self._start_retried = True
                self.start()
                return self._ensure_loaded()
            said = [line for line in self.output.splitlines() if line.strip()]
            detail = failure + (f"; it said: {said[-1][:200]}" if said else "")
            raise EnvironmentBroken(f"the sandbox could not start twice: {detail}; no student "
                                    "code was run and nothing was recorded (is the machine "
                                    "overloaded, or is numpy broken? try again, or reinstall "
                                    "with: pip install --force-reinstall regquiz numpy)")
        assert reply is not None
        if reply.get("op") == "environment":
            self.close()
            raise EnvironmentBroken(launch.broken_sandbox(reply.get("message")))
        if reply.get("op") == "ready":
            if type(reply.get("confinement")) is str:
                self.confinement = wire.clean_text(reply["confinement"], limit=80)
            # Loading runs the student's top-level code, so it is charged to the budget.
            started = time.monotonic()
            try:
                reply = self._read(started + min(self.limits.call_time, self.remaining))
            except _Timeout:
                self.close()
                self._unusable = CallOutcome("timeout", detail="loading your file did not finish in "
                                   f"{self.limits.call_time:g} s (an endless loop at the top level?)")
                return self._unusable
            self.spent += time.monotonic() - started
        if reply is None or reply.get("op") != "loaded":
            self._unusable = self._crashed(while_loading=True)
            return self._unusable
        if reply.get("error"):
            self.close()
            self._unusable = CallOutcome("unloadable", error=self._relative_error(reply["error"]))
            return self._unusable
        if type(reply.get("confine_seconds")) is float:
            self.confine_seconds = reply["confine_seconds"]
        applied = reply.get("limits")
        if type(applied) is list:  # the child's word counts only for the limits it sets itself
            named = {name for name in applied if name in ("cpu", "memory", "processes")}
            if getattr(self._proc, "portable", False):  # memory: the watchdog's or the job's
                named = (named - {"memory"}) | set(self.enforced)
            else:
                named |= {"wall"}
            self.enforced = tuple(name for name in LIMIT_NAMES if name in named)
        functions = reply.get("functions")
        reply["functions"] = functions if type(functions) is dict else {}
        self._loaded = reply
        return None

    def _relative(self, text: str) -> str:
        """`text` with the private workdir's path taken out (it changes from run to run)."""
        return text.replace(f"{self._workdir}/", "") if self._workdir else text

    def _relative_error(self, error: object) -> dict[str, Any]:
        cleaned = _clean_error(error)
        cleaned["message"] = self._relative(cleaned["message"])
        return cleaned

    def _crashed(self, while_loading: bool = False) -> CallOutcome:
        proc = self._proc
        assert proc is not None
        try:
            code = proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        exceeded = getattr(proc, "memory_exceeded", None)
        self.close()
        when = "while loading your file" if while_loading else "during the call"
        if exceeded:
            return CallOutcome("crashed", detail=f"the process running your code was stopped by "
                               f"the memory limit ({exceeded // 2**20} MiB) {when}: it used more "
                               "memory than that")
        return CallOutcome("crashed", detail=f"the process running your code {_death(code)} {when}")

    def _budget_text(self) -> str:
        return (f"the time budget of {self.limits.time_budget:g} s for this problem is used up "
                "(earlier calls were too slow or never returned)")

    # -- pipes ---------------------------------------------------------------------------

    def _write(self, data: bytes, deadline: float) -> None:
        assert self._channel is not None
        try:
            self._channel.write(data, deadline)
        except Deadline:
            raise _Timeout from None

    def _read(self, deadline: float) -> dict[str, Any] | None:
        """The next frame's header (its arrays land in self._buffers); None at end of file."""
        while (end := self._buffer.find(b"\n", 0, MAX_HEADER_BYTES + 1)) < 0:
            if len(self._buffer) > MAX_HEADER_BYTES:
                return self._oversized()
            if not self._receive(deadline):
                return None
        try:
            header = json.loads(bytes(self._buffer[:end]))
            if not isinstance(header, dict):
                raise TypeError("a frame header must be an object")
            needed = end + 1 + sum(header.get("buffers", []))
        except (ValueError, TypeError, AttributeError, RecursionError, MemoryError):
            self.close()  # (RecursionError: a header nested deeper than json can parse)
            return {"op": "garbled"}
        if needed > MAX_FRAME_BYTES:
            return self._oversized()
        while len(self._buffer) < needed:
            if not self._receive(deadline):
                return None
        payload = bytes(self._buffer[end + 1:needed])
        del self._buffer[:needed]
        try:
            self._buffers = wire.split_buffers(header, payload)
        except wire.WireError:
            self.close()
            return {"op": "garbled"}
        return header

    def _receive(self, deadline: float) -> bool:
        """Append what the child sent to the buffer; False at end of file (or no channel)."""
        if self._channel is None:
            return False
        try:
            chunk = self._channel.receive(deadline)
        except Deadline:
            raise _Timeout from None
        self._buffer += chunk
        return bool(chunk)

    def _oversized(self) -> dict[str, Any]:
        self.close()
        return {"op": "raised", "id": self._next_id, "error": {
            "type": "ResultTooLarge", "mro": ["ResultTooLarge"], "where": [],
            "message": f"the reply is larger than the sandbox accepts ({MAX_HEADER_BYTES // 2**20} "
                       f"MiB of structure, {MAX_FRAME_BYTES // 2**20} MiB of arrays)"}}




def _clean_error(error: object) -> dict[str, Any]:
    """A child's exception report with only the expected keys, its text made safe to print."""
    if type(error) is not dict:
        return {"type": "an unreadable exception", "mro": [], "message": "", "where": []}
    mro, where = error.get("mro"), error.get("where")
    return {"type": wire.clean_text(error.get("type"), limit=120),
            "mro": [wire.clean_text(name, limit=120) for name in mro[:64]]
            if type(mro) is list else [],
            "message": wire.clean_text(error.get("message")),
            "where": [wire.clean_text(line, limit=300) for line in where[:3]]
            if type(where) is list else [],
            "denied": error.get("denied") is True}


def _death(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
        why = {"SIGSEGV": " (a segmentation fault)", "SIGXCPU": " (its CPU time ran out)",
               "SIGKILL": " (killed, perhaps for using too much memory)"}.get(str(name), "")
        return f"was killed by {name}{why}"
    return f"exited with code {code} (did it call sys.exit() or os._exit()?)"


def _read_tail(handle: Any) -> str:
    """The end of what the child printed, read through the descriptor the parent opened."""
    try:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4 * MAX_OUTPUT_CHARS))
        return handle.read(4 * MAX_OUTPUT_CHARS).decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""
