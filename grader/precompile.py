"""A submission's syntax error, found in the trusted process before any child starts.

compile() parses and runs nothing, so it is safe here; a hostile file may still make the
parser raise RecursionError, MemoryError or ValueError (null bytes), which become that
submission's error like a SyntaxError, never a crash of the run.  A notebook's error is
reported by its cell: the code `submission.notebook_code` writes marks where each cell
begins (CELL_MARK).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .sandbox.wire import clean_text

MAX_SOURCE_BYTES = 8 * 1024 * 1024  # a larger file is left to the sandbox's own limits
CELL_MARK = "# --- notebook cell {number} ---"
HOISTED_MARK = "  # regquiz: moved here from notebook cell {number}"
_CELL = re.compile(r"# --- notebook cell (\d+) ---$")
_HOISTED = re.compile(r"  # regquiz: moved here from notebook cell (\d+)$")
NOT_RUN = "not run: "  # begins every check's message when the file does not compile


def source_error(source: Path, shown: str) -> str | None:
    """None if the file compiles (or is too large to judge here); else its error, for people.

    `shown` is the file the student named (problemN.py or a notebook): the message names
    its base name, the notebook cell, the line, the line itself and a caret.
    """
    try:
        with open(source, "rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError:
        return None  # unreadable here: the sandbox reports it
    if len(data) > MAX_SOURCE_BYTES:
        return None
    return compile_error(data, shown)


def compile_error(data: bytes, shown: str) -> str | None:
    """None if `data` compiles; else `name, cell N, line L: Kind: message`, the line, a caret."""
    name = clean_text(os.path.basename(shown))[:120] or "your file"
    try:
        compile(data, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return _described(exc, data, name, notebook=shown.endswith(".ipynb"))
    except Exception as exc:  # noqa: BLE001 - RecursionError, MemoryError, ValueError, ...
        return f"{name}: cannot be compiled: {type(exc).__name__}"
    return None


def _described(exc: SyntaxError, data: bytes, name: str, *, notebook: bool) -> str:
    where = name
    if exc.lineno:
        where += _location(data, exc.lineno) if notebook else f", line {exc.lineno}"
    lines = [f"{where}: {type(exc).__name__}: {clean_text(str(exc.msg))[:300]}"]
    if exc.text:
        text = clean_text(exc.text.rstrip("\n"))[:200]
        stripped = text.lstrip()
        lines.append(f"    {stripped}")
        offset = (exc.offset or 0) - (len(text) - len(stripped))
        if 0 < offset <= len(stripped) + 1:
            lines.append("    " + " " * (offset - 1) + "^")
    return "\n".join(lines)


def _location(data: bytes, lineno: int) -> str:
    """", cell N, line L" for line `lineno` of the code written from a notebook."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    hoisted = _HOISTED.search(line)
    if hoisted:
        return f", cell {hoisted.group(1)} (a from __future__ import)"
    for index in range(min(lineno, len(lines)) - 1, -1, -1):
        mark = _CELL.match(lines[index])
        if mark:
            return f", cell {mark.group(1)}, line {lineno - index - 1}"
    return f", line {lineno}"


def first_line(message: str) -> str:
    """The error's first line (what a one-line note shows)."""
    return message.splitlines()[0] if message else ""
