"""The only code that runs in a sandbox child: it loads one student module, answers calls.

Run as a script (``python -I -S child.py REQ_FD RESP_FD CONFIG``, ``… child.py serve
CONTROL_FD CONFIG`` for the fork server, or ``… child.py portable`` for the portable backend,
which reads its config as the first frame on stdin), never imported by the grading process.  It needs
only the standard library and numpy, and loads its siblings ``wire`` (the codec),
``seccomp`` and ``confine`` (Landlock, privileges) by path under private names, so that a
student's own ``wire.py`` cannot stand in for them.  Order in a child: numpy is imported, the process is
confined (``config["confine"]``), "ready" is sent, and only then is the student's module
read from the workdir and run.  Under a root grader (``config["confine"]["root"]``) confining
starts with the drop to an own uid (``uids``): the allowlisted modules are imported while
still root, the workdir is given to the uid (and, without Landlock, chrooted into), then
groups, gid, uid and RLIMIT_NPROC, and only then no_new_privs, Landlock and seccomp.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

if __package__:
    from . import wire
else:  # run as a script: the siblings by path, under names no student module can take
    from importlib.machinery import SourceFileLoader  # (importlib.util costs ~3 ms more)

    def _sibling(name: str) -> Any:
        private = f"_regquiz_sandbox_{name}"
        module = type(sys)(private)
        module.__file__ = os.path.join(os.path.dirname(__file__), f"{name}.py")
        sys.modules[private] = module
        SourceFileLoader(private, module.__file__).exec_module(module)
        return module

    wire = _sibling("wire")

confine: Any = None  # Landlock and seccomp (Linux only): loaded by _load_confinement
uids: Any = None  # a root grader's uid drop (Linux only): loaded by _load_confinement


def _load_confinement() -> None:
    """The confinement siblings, for the Linux backend (the portable child never loads them)."""
    global confine, uids
    if __package__:
        from . import confine as module
        from . import uids as dropping
    else:
        _sibling("platform")  # before confine, which takes them from sys.modules
        _sibling("seccomp")
        module = _sibling("confine")
        dropping = _sibling("uids")
    confine, uids = module, dropping

PROTOCOL_FD_FLOOR = 600  # protocol pipes move above this, out of reach of os.closerange(0, 256)
# Denials the kernel answers for the sandbox: the report says why, not only "Permission denied"
SANDBOX_ERRNOS = (1, 13)  # EPERM, EACCES


def _apply_limits(limits: dict[str, int]) -> list[str]:
    """Set the rlimits that exist here; the names of those in force ("cpu", "memory")."""
    try:
        import resource
    except ImportError:  # Windows: the Job object and the parent's deadlines limit the child
        return []

    def cap(which: str, soft: int, hard: int) -> bool:
        try:
            resource.setrlimit(getattr(resource, which), (soft, hard))
        except (ValueError, OSError, AttributeError):
            return False  # a tighter limit is already in force, or the OS refuses this one
        return True

    applied = []
    # The portable backend leaves the address space alone (macOS refuses or ignores
    # RLIMIT_AS): its memory limit is the parent's watchdog.
    if limits.get("address_space", True) and \
            cap("RLIMIT_AS", limits["memory_bytes"], limits["memory_bytes"]):
        applied.append("memory")
    if cap("RLIMIT_CPU", limits["cpu_seconds"], limits["cpu_seconds"] + 1):
        applied.append("cpu")
    cap("RLIMIT_FSIZE", limits["file_bytes"], limits["file_bytes"])
    cap("RLIMIT_CORE", 0, 0)
    return applied


def _error_info(exc: BaseException, source: str) -> dict[str, Any]:
    import traceback

    frames = [
        f"line {frame.lineno}, in {frame.name}: {(frame.line or '').strip()}"
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == source
    ]
    try:
        message = str(exc)[:wire.MAX_TEXT]
    except BaseException:  # noqa: BLE001 - a student's exception may break str()
        message = "<str() of the exception failed>"
    info: dict[str, Any] = {
        "type": type(exc).__name__,
        "mro": [cls.__name__ for cls in type(exc).__mro__],
        "message": message,
        "where": frames[-3:],
    }
    if isinstance(exc, PermissionError) and exc.errno in SANDBOX_ERRNOS and _CONFINED:
        info["denied"] = True
    return info


_CONFINED: list[str] = []  # what confined this process, once it is
_TASKS_CAPPED: list[bool] = []  # whether it runs as an own uid with RLIMIT_NPROC


class _Channel:
    def __init__(self, request_fd: int, response_fd: int) -> None:
        def lifted(fd: int, offset: int) -> int:
            # dup2 to a fixed high number (a fresh interpreter has nothing there): unlike
            # fcntl's F_DUPFD, it exists on every platform
            high = PROTOCOL_FD_FLOOR + offset
            if fd != high:
                os.dup2(fd, high, inheritable=False)
                os.close(fd)
            return high

        request_fd, response_fd = lifted(request_fd, 0), lifted(response_fd, 1)
        self.requests = os.fdopen(request_fd, "rb", buffering=1 << 20)
        self.responses = os.fdopen(response_fd, "wb", buffering=1 << 20)
        self.pid = os.getpid()
        self.cost = 0.0  # seconds spent confining this process (reported for the benchmark)

    def send(self, message: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        if os.getpid() != self.pid:  # a process the student forked must never answer
            os._exit(0)
        self.responses.write(wire.pack(message, buffers or []))
        self.responses.flush()

    def receive(self) -> tuple[dict[str, Any], list[bytes]] | None:
        line = self.requests.readline()
        if not line:
            return None
        header = json.loads(line)
        payload = self.requests.read(sum(header.get("buffers", [])))
        return header, wire.split_buffers(header, payload)


def main(argv: list[str]) -> None:
    """Load the student's module, then answer call requests until the parent hangs up."""
    if argv[1] == "portable":
        sys.path.extend(json.loads(argv[2]))  # numpy's site-packages, for the import below
        _portable_main(no_error_dialogs="--no-error-dialogs" in argv)
        return
    _load_confinement()
    if argv[1] == "serve":
        serve(int(argv[2]), json.loads(argv[3]))
        return
    channel = _Channel(int(argv[1]), int(argv[2]))
    config = json.loads(argv[3])
    sys.path.extend(config["sys_path"])
    try:
        import numpy  # noqa: F401 - fail here, clearly, rather than inside student code
    except ImportError as exc:
        channel.send({"op": "environment", "message": f"numpy cannot be imported: {exc}"})
        return
    settings = config["confine"]
    root = settings.get("root") if settings["mode"] != "off" else None
    if root:
        # as root: the dropped uid may not reach the standard library
        uids.preload(uids.mentioned(config["workdir"]))
    described = _confine(confine.Confinement(settings["rules"]), config, settings["mode"],
                         channel, root=root) if settings["mode"] != "off" else "none"
    if described is None:
        return
    channel.send({"op": "ready", "confinement": described})
    _run_student(channel, config)


def _confine(confinement: Any, config: dict[str, Any], mode: str, channel: _Channel,
             forked: bool = False, root: dict[str, Any] | None = None) -> str | None:
    """Apply `confinement`; what it was, or None after telling the parent it failed.

    `root` (a root grader: the uid range and whether Landlock is used): first the drop to
    an own uid (and, without Landlock, the chroot into the workdir), see uids.py.
    """
    import time

    started = time.perf_counter()
    required = mode == "require"
    workdir, dropped = config["workdir"], False
    if root:
        try:
            workdir, dropped = _drop_root(root, config, channel, required=required)
        except (OSError, uids.UidError) as exc:
            channel.send({"op": "environment",
                          "message": f"student code cannot be confined: the uid drop failed ({exc})"})
            return None
    landlock = root is None or bool(root.get("landlock", True)) and confinement.abi >= 1
    try:
        if landlock:
            described = confinement.apply(workdir, required=required, forked=forked)
        else:  # uid+seccomp: no Landlock layer, the uid drop and the chroot instead
            confinement.abi = 0
            described = confinement.apply(workdir, required=False, forked=forked)
            if required and (described != "seccomp" or not dropped):
                raise confine.ConfinementError("the seccomp filter or the uid drop failed")
            if dropped and described == "seccomp":
                described = "uid+seccomp"
    except confine.ConfinementError as exc:
        channel.send({"op": "environment", "message": f"student code cannot be confined: {exc}"})
        return None
    if described != "none":
        _CONFINED.append(described)
    if dropped:
        _TASKS_CAPPED.append(True)  # RLIMIT_NPROC on the own uid: "processes" in the limits
    channel.cost = time.perf_counter() - started
    return described


def _drop_root(root: dict[str, Any], config: dict[str, Any], channel: _Channel, *,
               required: bool) -> tuple[str, bool]:
    """As root: own uid, its workdir, (chroot), drop; (the workdir's path now, dropped).

    A failure before anything changed leaves `check` (not `required`) to confine what it
    can as root; any later one is raised (OSError, UidError): the child must not go on.
    """
    workdir = config["workdir"]
    try:
        uid, lock = uids.choose(os.getpid(), *root["uids"])
        uids.give_workdir(workdir, uid)
    except (OSError, uids.UidError):
        if required:
            raise
        return workdir, False
    # Without Landlock, a chroot keeps world-readable files (an installed key) out of reach;
    # with it, a chroot is needed only where the uid could not pass the folders above the
    # workdir (a $TMPDIR under /root): its own paths must stay usable by name
    jailed = not root.get("landlock", True) or confine.landlock_abi() < 1 \
        or not uids.reachable(workdir)
    if jailed:
        uids.jail(workdir)
    else:
        os.chdir(workdir)
    uids.drop(uid)
    uids.release(lock)
    uids.close_descriptors((0, 1, 2, channel.requests.fileno(), channel.responses.fileno()))
    uids.after_drop(jailed=workdir if jailed else None)
    if jailed:
        config["source"] = "/" + os.path.basename(config["source"])
        config["workdir"] = workdir = "/"
    return workdir, True


def _portable_main(*, no_error_dialogs: bool) -> None:
    """The portable backend's child: frames on its own stdin and stdout, config first.

    Nothing here is POSIX-only.  What the student prints goes where stderr goes (the
    parent's output file); the protocol keeps private copies of stdin and stdout.
    """
    channel = _Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    if no_error_dialogs:  # Windows: a crash must not open a dialog and wait for a click
        import ctypes

        ctypes.windll.kernel32.SetErrorMode(0x0001 | 0x0002 | 0x8000)  # type: ignore[attr-defined]
    try:
        import numpy  # noqa: F401 - while the spare waits for its student
    except ImportError as exc:
        channel.send({"op": "environment", "message": f"numpy cannot be imported: {exc}"})
        return
    received = channel.receive()
    if received is None or type(received[0].get("config")) is not dict:
        return
    config = received[0]["config"]
    os.chdir(config["workdir"])
    os.environ.update(config["env"])
    sys.path.extend(path for path in config["sys_path"] if path not in sys.path)
    channel.send({"op": "ready", "confinement": "none"})
    _run_student(channel, config)


def _run_student(channel: _Channel, config: dict[str, Any]) -> None:
    applied = _apply_limits(config["limits"]) + (["processes"] if _TASKS_CAPPED else [])
    source, module_name = config["source"], config["module"]
    try:
        with open(source, "rb") as handle:
            text = handle.read()
    except OSError as exc:
        channel.send({"op": "loaded", "error": _error_info(exc, source)})
        return
    import linecache
    import types

    module = types.ModuleType(module_name)
    module.__file__ = source
    sys.modules[module_name] = module
    linecache.cache[source] = (len(text), None, text.decode("utf-8", "replace").splitlines(True),
                               source)
    try:
        exec(compile(text, source, "exec"), module.__dict__)  # noqa: S102 - that is the job
    except BaseException as exc:  # noqa: BLE001 - whatever the student's module does
        channel.send({"op": "loaded", "error": _error_info(exc, source)})
        return
    names = {name: callable(getattr(module, name, None)) for name in config["functions"]}
    channel.send({"op": "loaded", "error": None, "functions": names,
                  "confine_seconds": channel.cost, "limits": applied})
    while (received := channel.receive()) is not None:
        request, arguments = received
        buffers: list[bytes] = []
        try:
            function = getattr(module, request["function"])
            value = function(*wire.decode(request["args"], arguments))
            reply = {"op": "result", "id": request["id"], "value": wire.encode(value, buffers)}
        except BaseException as exc:  # noqa: BLE001 - sys.exit, KeyboardInterrupt … are results
            buffers = []
            reply = {"op": "raised", "id": request["id"], "error": _error_info(exc, source)}
        sys.stdout.flush()
        channel.send(reply, buffers)


# -- the fork server ------------------------------------------------------------------------
#
# `grade` runs many student modules; a fresh interpreter importing numpy for each costs
# ~0.2 s of CPU.  The fork server is a sandbox process (same isolated interpreter, same
# scrubbed environment, its own session) that imports numpy once, confines itself to the
# shared Landlock layer (its cwd is the root of its children's workdirs) and forks one child
# per student module.  The parent sends the child's config and its three descriptors
# (request pipe, response pipe, output file) over a Unix socket; the server answers with
# the pid and later reports its exit status.  The child makes its own session, applies the
# limits and its own layer and filter, then behaves exactly like a spawned child.
# Under a root grader the server stays root and unconfined (it runs no student code): it
# preloads the allowlist once, and each child drops to its own uid before its own layer (of
# its workdir alone) and filter.


def serve(control_fd: int, settings: dict[str, Any]) -> None:
    """Fork one student child per request on `control_fd` until the parent hangs up."""
    import select
    import signal
    import socket

    control = socket.socket(fileno=control_fd)
    sys.path.extend(settings["library_paths"])
    try:
        import numpy  # noqa: F401 - imported once, here, for every child
    except ImportError as exc:
        control.send(json.dumps({"op": "environment",
                                 "message": f"numpy cannot be imported: {exc}"}).encode())
        return
    import numpy.linalg  # noqa: F401 - numpy loads these lazily, ~15 ms each time in a child
    import numpy.random  # noqa: F401
    import __future__  # noqa: F401 - the stubs' own imports, which most submissions keep:
    import numpy.typing  # noqa: F401 - ~4 ms of CPU in every child that imports them itself
    import ctypes  # noqa: F401 - what every child needs, loaded once
    import fcntl  # noqa: F401
    import linecache  # noqa: F401
    import resource  # noqa: F401
    import time  # noqa: F401
    import traceback  # noqa: F401
    import types  # noqa: F401

    mode = settings["mode"]
    root = settings.get("root") if mode != "off" else None
    confinement = None
    if root:  # the server stays root (it forks and drops); its children confine themselves
        uids.preload()
        uids.reachable(os.path.join(os.getcwd(), "workdir"))  # the same for every child
        uids.capabilities()  # (loads the C library once)
        confinement = confine.Confinement({})
    elif mode != "off":
        confinement = confine.Confinement(settings["rules"], shared_root=os.getcwd())
        try:
            confinement.confine_server(required=mode == "require")
        except confine.ConfinementError as exc:
            control.send(json.dumps({"op": "environment", "message":
                                     f"student code cannot be confined: {exc}"}).encode())
            return
    import gc

    gc.freeze()  # a child's collections must not touch (and so copy) the server's objects
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    control.send(b'{"op": "ready"}')
    while True:
        ready, _, _ = select.select([control.fileno(), wake_r], [], [])
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
            _report_exits(control)
        if control.fileno() not in ready:
            continue
        message, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
        if not message:
            return  # the parent is gone
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in (wake_r, wake_w, control.detach()):
                os.close(fd)
            _forked_student(json.loads(message), fds, server, confinement, mode, root)
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"op": "spawned", "pid": pid}).encode())


def _report_exits(control: Any) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        control.send(json.dumps({"op": "exit", "pid": pid,
                                 "code": os.waitstatus_to_exitcode(status)}).encode())


def _forked_student(config: dict[str, Any], fds: list[int], server: int,
                    confinement: Any, mode: str, root: dict[str, Any] | None = None) -> None:
    """In the forked child: become a sandbox child like a spawned one; never returns."""
    try:
        # Die with the server: a student who kills the server (its parent) would otherwise
        # be adopted by the grading process and could kill that next.
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != server:
            return  # the server died before prctl took effect
        os.setsid()
        request_fd, response_fd, output_fd = fds
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(config["workdir"])
        os.environ.update(config["env"])
        sys.path.extend(config["sys_path"])
        import numpy

        # A fresh legacy global state, as a new process would have (seed() without an
        # argument costs 10-15 ms; an int from os.urandom a few microseconds).
        numpy.random.seed(int.from_bytes(os.urandom(4), "little"))
        channel = _Channel(request_fd, response_fd)
        described = "none" if confinement is None else _confine(
            confinement, config, mode, channel, forked=True, root=root)
        if described is None:
            return
        channel.send({"op": "ready", "confinement": described})
        _run_student(channel, config)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
