"""Turn what the user names (a .py file or a notebook) into a Python file the sandbox loads."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import BadSubmission, SubmissionNotFound

SUFFIXES = (".py", ".ipynb")


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
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise SubmissionNotFound(f"cannot read {path}: {exc.strerror}") from None


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

    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
        sources = [(number, cell.get("source", "")) for number, cell in enumerate(cells, start=1)
                   if cell.get("cell_type") == "code" and not _grading_cell(cell)]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise BadSubmission(f"{path} is not a readable Jupyter notebook (nbformat 4 JSON)") from None
    future: list[str] = []
    chunks = []
    for number, source in sources:
        text = "".join(map(str, source)) if isinstance(source, list) else str(source)
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


def _grading_cell(cell: dict[str, object]) -> bool:
    """An nbgrader test cell (graded, not a solution) or regquiz's locked grading cell."""
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(meta, dict):
        return False
    return (bool(meta.get("grade")) and not meta.get("solution")) \
        or meta.get("grade_id") == "regquiz_grading"
