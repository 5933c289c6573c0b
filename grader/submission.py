"""Turn what the user names (a .py file or a notebook) into a Python file the sandbox loads."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

from .errors import BadSubmission, SubmissionNotFound

SUFFIXES = (".py", ".ipynb")
MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a .py answer: far above any honest one
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024  # a notebook may carry its outputs' images
MAX_NOTEBOOK_DEPTH = 64  # JSON nesting; nbformat 4 needs about 8
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def check_readable(path: Path) -> None:
    """A clear one-line error unless `path` is a readable .py or .ipynb file of its folder.

    A symbolic link is refused when it leads out of the folder that holds it: graded code
    is the submission's own (a link to ../solutions/problem2.py is not).
    """
    if path.suffix not in SUFFIXES:
        raise BadSubmission(f"{path} is neither a .py file nor a notebook (.ipynb)")
    if path.is_symlink():
        folder = os.path.realpath(path.parent)
        target = os.path.realpath(path)
        if os.path.commonpath([folder, target]) != folder:
            raise BadSubmission(f"{path} is a symbolic link out of its folder; submit the file "
                                "itself")
    if not path.exists():
        raise SubmissionNotFound(f"no such file: {path}")
    if not path.is_file():
        raise SubmissionNotFound(f"{path} is not a file")
    limit = MAX_SOURCE_BYTES if path.suffix == ".py" else MAX_NOTEBOOK_BYTES
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise SubmissionNotFound(f"cannot read {path}: {exc.strerror}") from None
    if size > limit:
        raise BadSubmission(f"{path} is {size} bytes, over the {limit} bytes a "
                            f"{path.suffix} answer may have")
    read_capped(path, 0)


def as_python_file(path: Path, workdir: Path, module: str) -> Path:
    """`path` itself for a .py file; for a notebook, its code cells written to workdir."""
    check_readable(path)
    if path.suffix == ".py":
        return path
    target = workdir / f"{module}.py"
    target.write_text(notebook_code(path), encoding="utf-8")
    return target


def notebook_code(path: Path) -> str:
    """The code cells of a notebook as one module, the way Jupyter runs them cell by cell.

    IPython magics and shell lines become comments; a cell's `from __future__` imports move
    to the top of the module (Jupyter accepts them at the top of any cell, Python only at
    the top of a file), leaving `pass` in their place so that line numbers keep.  Each
    cell begins with precompile.CELL_MARK (its position in the notebook), by which a syntax
    error is reported by cell.  The cells that grade rather than answer are left out:
    nbgrader's test cells and the grading cell of `regquiz nbgrader`'s notebooks, so that a
    released or submitted nbgrader notebook can be checked and graded like any other.

    Read with the json module rather than nbformat: importing nbformat (and jsonschema)
    takes seconds here, and `check` must answer in well under one.
    """
    from .precompile import CELL_MARK, HOISTED_MARK

    sources = notebook_sources(path)
    future: list[str] = []
    chunks = []
    for number, text in sources:
        lines = []
        for line in text.splitlines():
            if line.lstrip().startswith(("%", "!")):
                lines.append(f"# {line}")
            elif line.startswith("from __future__ import"):
                future.append(line + HOISTED_MARK.format(number=number))
                lines.append(f"pass  # {line}")
            else:
                lines.append(line)
        chunks.append(CELL_MARK.format(number=number) + "\n" + "\n".join(lines))
    return "\n".join(future + ["\n\n".join(chunks)]) + "\n"


def read_capped(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of the regular file `path` (BadSubmission if it holds more).

    Opened without following a final link and without blocking (a FIFO put in the
    folder's place is refused by fstat, never waited on).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(os.path.realpath(path), flags)
    except OSError as exc:
        raise SubmissionNotFound(f"cannot read {path}: {exc.strerror}") from None
    with open(descriptor, "rb", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise BadSubmission(f"{path} is not a regular file")
        data = handle.read(limit + 1) if limit else b""
    if len(data) > limit:
        raise BadSubmission(f"{path} is over the {limit} bytes an answer may have")
    return data


def nesting_depth(data: bytes) -> int:
    """The deepest bracket nesting of JSON `data`, strings skipped (a scan, nothing parsed)."""
    depth = deepest = 0
    for byte in _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in (0x5B, 0x7B) else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_NOTEBOOK_DEPTH:
                break
    return deepest


def notebook_sources(path: Path) -> list[tuple[int, str]]:
    """(cell number, source) of the answer code cells, or BadSubmission with one line.

    The size and the nesting are bounded before the JSON is parsed, the shape (nbformat 4:
    a "cells" list of objects whose "source" is a string or a list of strings) is checked
    by hand, and whatever else goes wrong (RecursionError, MemoryError included) is that
    file's BadSubmission, never an exception out of a batch.
    """
    unreadable = f"{path} is not a readable Jupyter notebook (nbformat 4 JSON)"
    try:
        data = read_capped(path, MAX_NOTEBOOK_BYTES)
        if nesting_depth(data) > MAX_NOTEBOOK_DEPTH:
            raise BadSubmission(f"{unreadable}: nested deeper than {MAX_NOTEBOOK_DEPTH}")
        notebook = json.loads(data.decode("utf-8"))
        return _answer_cells(notebook)
    except (BadSubmission, SubmissionNotFound):
        raise
    except _ShapeError as exc:
        raise BadSubmission(f"{unreadable}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any failure here is this one file's
        raise BadSubmission(f"{unreadable} ({type(exc).__name__})") from None


class _ShapeError(ValueError):
    """A notebook's JSON that is not nbformat 4's shape."""


def _answer_cells(notebook: object) -> list[tuple[int, str]]:
    if not isinstance(notebook, dict):
        raise _ShapeError("not a JSON object")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise _ShapeError('"cells" is not a list')
    sources = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise _ShapeError(f"cell {number} is not an object")
        metadata = cell.get("metadata", {})
        if not isinstance(metadata, dict):
            raise _ShapeError(f'cell {number}: "metadata" is not an object')
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise _ShapeError(f'cell {number}: "source" is neither a string nor a list of strings')
        if cell.get("cell_type") == "code" and not _grading_cell(cell):
            sources.append((number, source))
    return sources


def _grading_cell(cell: dict[str, object]) -> bool:
    """An nbgrader test cell (graded, not a solution) or regquiz's locked grading cell."""
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(meta, dict):
        return False
    return (bool(meta.get("grade")) and not meta.get("solution")) \
        or meta.get("grade_id") == "regquiz_grading"
