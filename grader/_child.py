"""The sandbox child: loads one student module and answers calls with plain data.

Run as a script (``python -I -S _child.py REQ_FD RESP_FD CONFIG``), never imported by the
student.  It needs only the standard library and numpy.  The parent imports this module
too, for the wire codec, so both ends share one definition of the format.

Wire format: a frame is one JSON line (the header) followed by raw array bytes.  The
header's ``"buffers"`` lists the byte length of each array, in order; inside the header an
array is ``{"$nd": [dtype, shape, buffer_index]}`` (numeric dtypes only), a tuple
``{"$tuple": [...]}``, a random generator ``{"$rng": bit_generator_state}``, and anything
else a student returns ``{"$obj": description}``.  Nothing is ever pickled.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

NUMERIC_KINDS = "biuf"
MAX_DEPTH = 16
MAX_TEXT = 4000
MAX_ARRAY_BYTES = 32 * 1024 * 1024
PROTOCOL_FD_FLOOR = 600  # protocol pipes move above this, out of reach of os.closerange(0, 256)


class WireError(ValueError):
    """A message that does not follow the wire format."""


def encode(value: Any, buffers: list[bytes], depth: int = 0) -> Any:
    """Turn a value into JSON-ready plain data; array bytes are appended to `buffers`."""
    if depth > MAX_DEPTH:
        return {"$obj": "a structure nested too deeply"}
    kind = type(value)
    if kind is float:  # the common cases first: every call sends and returns these
        return value
    import numpy as np

    if kind is np.ndarray and value.dtype.kind in NUMERIC_KINDS and value.nbytes <= MAX_ARRAY_BYTES:
        buffers.append(value.tobytes(order="C"))
        return {"$nd": [value.dtype.str, list(value.shape), len(buffers) - 1]}
    if value is None or type(value) in (bool, str):
        return value if not isinstance(value, str) else value[:MAX_TEXT]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value) if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.random.Generator):
        return {"$rng": value.bit_generator.state}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in NUMERIC_KINDS:
            return {"$obj": f"a numpy array of dtype {array.dtype}"}
        if array.nbytes > MAX_ARRAY_BYTES:
            return {"$obj": f"an array of shape {array.shape} ({array.nbytes // 2**20} MiB), "
                            "too large to be a sensible answer"}
        buffers.append(array.tobytes(order="C"))
        return {"$nd": [array.dtype.str, list(array.shape), len(buffers) - 1]}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item, buffers, depth + 1) for item in value]}
    if isinstance(value, list):
        return [encode(item, buffers, depth + 1) for item in value]
    return {"$obj": describe(value)}


_ENCODER = json.JSONEncoder(check_circular=False)  # encode() guarantees a finite depth


def pack(message: dict[str, Any], buffers: list[bytes]) -> bytes:
    """One frame: the JSON header line, then the raw bytes of every buffer."""
    header = _ENCODER.encode({**message, "buffers": [len(buffer) for buffer in buffers]})
    return b"".join([header.encode(), b"\n", *buffers])


def split_buffers(header: dict[str, Any], payload: bytes) -> list[bytes]:
    """Cut the raw bytes after a header into its buffers (validated lengths)."""
    sizes = header.get("buffers", [])
    if not isinstance(sizes, list) or not all(isinstance(n, int) and n >= 0 for n in sizes):
        raise WireError("malformed buffer list")
    if sum(sizes) != len(payload):
        raise WireError("frame length does not match its buffers")
    buffers, start = [], 0
    for size in sizes:
        buffers.append(payload[start:start + size])
        start += size
    return buffers


def describe(value: Any) -> str:
    """A short description of an unsupported value, safe against a hostile __repr__."""
    kind = type(value).__name__
    try:
        text = repr(value)[:200]
    except BaseException:  # noqa: BLE001 - student code decides what repr() does
        text = "<repr failed>"
    return f"an object of type {kind}: {text}"


def decode(data: Any, buffers: list[bytes], depth: int = 0) -> Any:
    """Turn plain data back into values; strict, because the other end may be hostile."""
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item, buffers, depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise WireError(f"unexpected value {str(data)[:80]}")
    (tag, body), = data.items()
    if tag == "$tuple" and isinstance(body, list):
        return tuple(decode(item, buffers, depth + 1) for item in body)
    if tag == "$nd":
        return _decode_array(body, buffers)
    if tag == "$rng" and isinstance(body, dict):
        import numpy as np

        generator = np.random.Generator(getattr(np.random, str(body.get("bit_generator")))())
        generator.bit_generator.state = body
        return generator
    if tag == "$obj" and isinstance(body, str):
        return Opaque(body[:MAX_TEXT])
    raise WireError(f"unknown tag {tag!r}")


_DTYPES: dict[str, Any] = {}  # numeric dtypes by the text that named them (parsing costs)


def _decode_array(body: Any, buffers: list[bytes]) -> Any:
    import numpy as np

    if not (isinstance(body, list) and len(body) == 3):
        raise WireError("malformed array")
    dtype_text, shape, index = body
    dtype = _DTYPES.get(dtype_text) if type(dtype_text) is str else None
    if dtype is None:
        dtype = np.dtype(str(dtype_text))
        if dtype.kind in NUMERIC_KINDS and type(dtype_text) is str and len(_DTYPES) < 64:
            _DTYPES[dtype_text] = dtype
    if dtype.kind not in NUMERIC_KINDS or not isinstance(shape, list):
        raise WireError(f"refused array dtype {dtype}")
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise WireError("malformed array shape")
    if not isinstance(index, int) or not 0 <= index < len(buffers):
        raise WireError("array refers to a missing buffer")
    raw = buffers[index]
    count = 1
    for n in shape:
        count *= n
    if len(raw) != count * dtype.itemsize:
        raise WireError("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return array[()] if array.ndim == 0 else array


class Opaque:
    """A value the student returned that cannot cross the boundary (described, not rebuilt)."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"<{self.description}>"


# ---------------------------------------------------------------------------------------
# Everything below runs only in the child process.


def _apply_limits(limits: dict[str, int]) -> None:
    import resource

    def cap(which: int, soft: int, hard: int) -> None:
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass  # a tighter limit is already in force

    cap(resource.RLIMIT_AS, limits["memory_bytes"], limits["memory_bytes"])
    cap(resource.RLIMIT_CPU, limits["cpu_seconds"], limits["cpu_seconds"] + 1)
    cap(resource.RLIMIT_FSIZE, limits["file_bytes"], limits["file_bytes"])
    cap(resource.RLIMIT_CORE, 0, 0)


def _error_info(exc: BaseException, source: str) -> dict[str, Any]:
    import traceback

    frames = [
        f"line {frame.lineno}, in {frame.name}: {(frame.line or '').strip()}"
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename == source
    ]
    try:
        message = str(exc)[:MAX_TEXT]
    except BaseException:  # noqa: BLE001 - a student's exception may break str()
        message = "<str() of the exception failed>"
    return {
        "type": type(exc).__name__,
        "mro": [cls.__name__ for cls in type(exc).__mro__],
        "message": message,
        "where": frames[-3:],
    }


class _Channel:
    def __init__(self, request_fd: int, response_fd: int) -> None:
        import fcntl

        def lift(fd: int) -> int:
            high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, PROTOCOL_FD_FLOOR)
            os.close(fd)
            return high

        self.requests = os.fdopen(lift(request_fd), "rb", buffering=1 << 20)
        self.responses = os.fdopen(lift(response_fd), "wb", buffering=1 << 20)
        self.pid = os.getpid()

    def send(self, message: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        if os.getpid() != self.pid:  # a process the student forked must never answer
            os._exit(0)
        self.responses.write(pack(message, buffers or []))
        self.responses.flush()

    def receive(self) -> tuple[dict[str, Any], list[bytes]] | None:
        line = self.requests.readline()
        if not line:
            return None
        header = json.loads(line)
        payload = self.requests.read(sum(header.get("buffers", [])))
        return header, split_buffers(header, payload)


def main(argv: list[str]) -> None:
    """Load the student's module, then answer call requests until the parent hangs up."""
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
    channel.send({"op": "ready"})
    _run_student(channel, config)


def _run_student(channel: _Channel, config: dict[str, Any]) -> None:
    _apply_limits(config["limits"])
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
    channel.send({"op": "loaded", "error": None, "functions": names})
    while (received := channel.receive()) is not None:
        request, arguments = received
        buffers: list[bytes] = []
        try:
            function = getattr(module, request["function"])
            value = function(*decode(request["args"], arguments))
            reply = {"op": "result", "id": request["id"], "value": encode(value, buffers)}
        except BaseException as exc:  # noqa: BLE001 - sys.exit, KeyboardInterrupt … are results
            buffers = []
            reply = {"op": "raised", "id": request["id"], "error": _error_info(exc, source)}
        sys.stdout.flush()
        channel.send(reply, buffers)


# -- the fork server ------------------------------------------------------------------------
#
# `grade` runs many student modules; a fresh interpreter importing numpy for each costs
# ~0.2 s of CPU.  The fork server is a sandbox process (same isolated interpreter, same
# scrubbed environment, its own session) that imports numpy once and forks one child per
# student module.  The parent sends the child's config and its three descriptors (request
# pipe, response pipe, output file) over a Unix socket; the server answers with the pid and
# later reports its exit status.  The child makes its own session, applies the limits and
# then behaves exactly like a spawned child.


def serve(control_fd: int, library_paths: list[str]) -> None:
    """Fork one student child per request on `control_fd` until the parent hangs up."""
    import select
    import signal
    import socket

    control = socket.socket(fileno=control_fd)
    sys.path.extend(library_paths)
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
    import traceback  # noqa: F401
    import types  # noqa: F401

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
            _forked_student(json.loads(message), fds, server)
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


def _forked_student(config: dict[str, Any], fds: list[int], server: int) -> None:
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
        channel.send({"op": "ready"})
        _run_student(channel, config)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
