"""The plain-data codec both sides of the sandbox speak (standard library and numpy only).

A frame is one JSON line (the header) followed by raw array bytes.  The header's
``"buffers"`` lists the byte length of each array, in order.  Inside a header a value is
plain JSON or one of a fixed set of tags:

* ``{"$nd": [dtype, shape, buffer_index]}`` an array of a numeric dtype (``<f8``, ``|b1`` …);
* ``{"$tuple": [...]}`` a tuple;
* ``{"$rng": state}`` a numpy Generator, its ``bit_generator`` one of :data:`BIT_GENERATORS`;
* ``{"$obj": description}`` anything else a student returned, described, never rebuilt.

Nothing is pickled, and no value read from the child ever names a function, a module or an
attribute that the reader looks up: the generator's name picks an entry of a fixed table,
the dtype must match a fixed pattern.  Text from the child is cleaned of control characters
(:func:`clean_text`) before it can reach a terminal, a CSV cell or a JSON message.
"""

from __future__ import annotations

import json
import re
from typing import Any

NUMERIC_KINDS = "biuf"
MAX_DEPTH = 16
MAX_TEXT = 4000
MAX_ARRAY_BYTES = 32 * 1024 * 1024
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_DTYPE_TEXT = re.compile(r"[<>|=](?:b1|[iu][1248]|f[248])")
# C0 and C1 controls, DEL, and the Unicode bidirectional overrides (they reorder a line)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                                  "\u202a-\u202e\u2066-\u2069]")


class WireError(ValueError):
    """A message that does not follow the wire format."""


def clean_text(text: object, *, keep_newlines: bool = False, limit: int = MAX_TEXT) -> str:
    """Student-provided text made safe to print: control characters become spaces.

    With `keep_newlines` line breaks survive (printed output is shown line by line); every
    other C0/C1 control character, DEL and bidirectional override is replaced, so an ESC
    sequence cannot move the cursor, recolour or rewrite what the instructor sees.
    """
    string = text if type(text) is str else str.__str__(text) if isinstance(text, str) else ""
    string = string[:limit]
    pattern = _CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL
    return pattern.sub(" ", string.replace("\r\n", "\n") if keep_newlines else string)


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
    if value is None or kind is bool:
        return value
    if kind is str:
        return value[:MAX_TEXT]
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
    if not isinstance(sizes, list) or not all(type(n) is int and n >= 0 for n in sizes):
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
    try:
        kind = str(type(value).__name__)[:80]
    except BaseException:  # noqa: BLE001 - a metaclass may make even this fail
        kind = "?"
    try:
        text = repr(value)[:200]
    except BaseException:  # noqa: BLE001 - student code decides what repr() does
        text = "<repr failed>"
    return f"an object of type {kind}: {text}"


def decode(data: Any, buffers: list[bytes], depth: int = 0) -> Any:
    """Turn plain data back into values; strict, because the other end may be hostile.

    Raises WireError for anything outside the format (never another exception type).
    """
    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or type(data) in (bool, int, float):
        return data
    if type(data) is str:
        return clean_text(data)
    if type(data) is list:
        return [decode(item, buffers, depth + 1) for item in data]
    if type(data) is not dict or len(data) != 1:
        raise WireError("unexpected value in a frame")
    (tag, body), = data.items()
    if tag == "$tuple" and type(body) is list:
        return tuple(decode(item, buffers, depth + 1) for item in body)
    if tag == "$nd":
        return _decode_array(body, buffers)
    if tag == "$rng" and type(body) is dict:
        return _decode_generator(body)
    if tag == "$obj" and type(body) is str:
        return Opaque(clean_text(body))
    raise WireError("unknown tag in a frame")


def _decode_generator(state: dict[str, Any]) -> Any:
    """A numpy Generator from its state; the bit generator's name picks from a fixed table."""
    import numpy as np

    name = state.get("bit_generator")
    if type(name) is not str or name not in BIT_GENERATORS:
        raise WireError("refused bit generator")
    bit_generator = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM,
                     "MT19937": np.random.MT19937, "Philox": np.random.Philox,
                     "SFC64": np.random.SFC64}[name]()
    try:
        bit_generator.state = state
    except Exception as exc:  # noqa: BLE001 - numpy validates the state; any refusal is ours
        raise WireError("malformed generator state") from exc
    return np.random.Generator(bit_generator)


_DTYPES: dict[str, Any] = {}  # numeric dtypes by the text that named them (parsing costs)


def _decode_array(body: Any, buffers: list[bytes]) -> Any:
    import numpy as np

    if not (type(body) is list and len(body) == 3):
        raise WireError("malformed array")
    dtype_text, shape, index = body
    dtype = _DTYPES.get(dtype_text) if type(dtype_text) is str else None
    if dtype is None:  # only spellings that matched the pattern are ever remembered
        if type(dtype_text) is not str or not _DTYPE_TEXT.fullmatch(dtype_text):
            raise WireError("refused array dtype")
        dtype = _DTYPES[dtype_text] = np.dtype(dtype_text)
    if type(shape) is not list or len(shape) > 64:
        raise WireError("malformed array shape")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("malformed array shape")
    if type(index) is not int or not 0 <= index < len(buffers):
        raise WireError("array refers to a missing buffer")
    raw = buffers[index]
    count = 1
    for n in shape:
        count *= n
    if len(raw) != count * dtype.itemsize:
        raise WireError("array data does not match its shape")
    try:
        array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    except (ValueError, OverflowError, MemoryError) as exc:  # e.g. shape [0, 10**30]
        raise WireError("array shape cannot be built") from exc
    return array[()] if array.ndim == 0 else array


class Opaque:
    """A value the student returned that cannot cross the boundary (described, not rebuilt)."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"<{self.description}>"
