"""A fork server for the sandbox: one warm process that forks a child per student module.

Used by `grade`, where hundreds of student modules each need a sandbox: spawning a fresh
interpreter that imports numpy costs ~0.2 s of CPU each, a fork a few milliseconds.  The
server is itself a sandbox process (``python -I -S``, scrubbed environment, its own
session, the sandbox mark, confined to the shared Landlock layer with its cwd as the root
of its children's workdirs); its children make their own session, apply the limits and
their own confinement and speak the same protocol as spawned children (see
``child.serve``).  It holds no student code and nothing the students may not see.
Under a root grader it stays root instead (its children drop to uids of their own, see
``uids``), and its root folder is 0711 so that a dropped child still reaches its workdir.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import Any

from ..errors import EnvironmentBroken
from . import launch, reaper
from .launch import CHILD_SCRIPT, STARTUP_ALLOWANCE, sandbox_environment
from .workdir import remove_tree

_MESSAGE_BYTES = 1 << 16


class ForkedChild:
    """A student child forked by the server: the parts of Popen the sandbox uses."""

    def __init__(self, pid: int, server: ForkServer) -> None:
        self.pid = pid
        self.generation = server.generation  # which incarnation of the server forked it
        self._server = server

    def wait(self, timeout: float | None = None) -> int:
        """Its exit code (negative: killed by that signal), as the server reports it."""
        seconds = 3600.0 if timeout is None else timeout
        if self.generation != self._server.generation:  # its server died: adopted by us
            code = _reap_adopted(self.pid, time.monotonic() + seconds)
        else:
            code = self._server.exit_code(self.pid, seconds)
        if code is None:
            raise subprocess.TimeoutExpired(f"sandbox child {self.pid}", timeout or 0.0)
        return code

    def kill(self) -> None:
        """SIGKILL the child itself."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class ForkServer:
    """Start with `with ForkServer(mode) as server:`; pass it to StudentProcess(server=...).

    `mode` is launch.confinement_mode()'s: "require", "try" or "off".
    """

    def __init__(self, mode: str = "try") -> None:
        self.mode = mode
        self._proc: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._workdir: str | None = None
        self._exits: dict[int, int] = {}
        self.generation = 0  # incremented by every start: a restarted server is a new one

    def __enter__(self) -> ForkServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Spawn the server and wait until it has imported numpy."""
        reaper.become_subreaper()
        self.generation += 1
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._socket = ours
        if self._workdir is None:  # kept across restarts: live children's workdirs are in it
            self._workdir = tempfile.mkdtemp(prefix="regquiz-forkserver-")
        root = launch.root_settings(self.mode)
        if root:  # a child's uid, once dropped, must still reach its workdir inside this root
            os.chmod(self._workdir, 0o711)
        settings = {"library_paths": launch.library_paths(), "mode": self.mode, "root": root,
                    "rules": launch.confinement_rules() if self.mode != "off" and not root
                    else {}}
        with theirs:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(CHILD_SCRIPT), "serve", str(theirs.fileno()),
                 json.dumps(settings)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), cwd=self._workdir,
                env=sandbox_environment(self._workdir), start_new_session=True)
        reaper.LIVE.add(self._proc.pid)
        reply = self._receive(time.monotonic() + STARTUP_ALLOWANCE)
        if reply is None or reply.get("op") != "ready":
            detail = reply.get("message") if reply else "it did not start"
            self._stop()
            raise EnvironmentBroken(launch.broken_sandbox(detail))

    def spawn(self, config: dict[str, Any], fds: list[int]) -> ForkedChild:
        """Fork a child for `config` with the descriptors (request, response, output).

        A student child can kill its parent, the server: then a new server is started.
        """
        for attempt in range(2):
            if attempt or self._socket is None or not self.alive():
                self._stop()
                self.start()
            if self._socket is None:
                continue
            try:
                socket.send_fds(self._socket, [json.dumps(config).encode()], fds)
                deadline = time.monotonic() + STARTUP_ALLOWANCE
                while (reply := self._receive(deadline)) is not None:
                    if reply.get("op") == "spawned":
                        return ForkedChild(int(reply["pid"]), self)
            except OSError:
                pass
        raise EnvironmentBroken("the sandbox's fork server stopped answering; is the machine "
                                "overloaded?")

    def exit_code(self, pid: int, timeout: float) -> int | None:
        """The exit code of child `pid` once it is reaped; None on timeout.

        Normally the server reaps it and reports; if the server died first, the child was
        reparented to this process (a subreaper), which reaps it itself.
        """
        deadline = time.monotonic() + timeout
        while pid not in self._exits:
            if self._socket is None:
                return _reap_adopted(pid, deadline)
            self._receive(deadline)
            if time.monotonic() >= deadline:
                return self._exits.pop(pid, None)
        return self._exits.pop(pid)

    def close(self) -> None:
        """Kill the server and remove its root (its children are killed by their StudentProcess)."""
        self._stop()
        if self._workdir is not None:
            remove_tree(self._workdir)
            self._workdir = None

    def _stop(self) -> None:
        """Kill the server process; its root stays for a restart."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._proc is not None:
            reaper.kill_group(self._proc, student=False)
            self._proc = None

    def alive(self) -> bool:
        """Whether the server still runs (a student child may have killed it)."""
        return self._proc is not None and self._proc.poll() is None

    def spawned(self, child: object) -> bool:
        """Whether `child` is a live incarnation's child (False once the server died)."""
        return (isinstance(child, ForkedChild) and child.generation == self.generation
                and self.alive())

    @property
    def root(self) -> str | None:
        """The folder the children's workdirs are made in (the server's cwd) while it runs."""
        return self._workdir

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        """The next message (exit reports are filed away and returned too); None at timeout/EOF."""
        if self._socket is None:
            return None
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self._socket], [], [], remaining)[0]:
            return None
        try:
            data = self._socket.recv(_MESSAGE_BYTES)
        except OSError:
            data = b""
        if not data:
            self._socket.close()
            self._socket = None
            return None
        try:
            message = json.loads(data)
            if type(message) is not dict:
                raise ValueError("not an object")
            if message.get("op") == "exit":
                self._exits[int(message["pid"])] = int(message["code"])
        except (ValueError, TypeError, KeyError, RecursionError):
            return {"op": "garbled"}
        return message


def _reap_adopted(pid: int, deadline: float) -> int | None:
    """Wait for an orphaned sandbox child that now belongs to this process."""
    while True:
        try:
            reaped, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return -signal.SIGKILL  # not ours (yet) or already reaped by the orphan sweep
        if reaped:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


_SHARED: dict[str, Any] = {}


def shared_server(mode: str) -> Any:
    """This process's warm server for `mode` (sandbox.warm_server), started on first use and
    stopped at exit."""
    if mode not in _SHARED:
        import atexit

        from . import warm_server

        server = warm_server(mode)
        server.start()
        atexit.register(server.close)
        _SHARED[mode] = server
    return _SHARED[mode]
