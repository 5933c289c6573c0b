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
    """The code cells of a notebook, in order, with IPython magics turned into comments.

    The cells that grade rather than answer are left out: nbgrader's test cells and the
    grading cell of `regquiz nbgrader`'s notebooks, so that a released or submitted nbgrader
    notebook can be checked and graded like any other.

    Read with the json module rather than nbformat: importing nbformat (and jsonschema)
    takes seconds here, and `check` must answer in well under one.
    """
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
        sources = [cell.get("source", "") for cell in cells
                   if cell.get("cell_type") == "code" and not _grading_cell(cell)]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise BadSubmission(f"{path} is not a readable Jupyter notebook (nbformat 4 JSON)") from None
    chunks = []
    for number, source in enumerate(sources, start=1):
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = [f"# {line}" if line.lstrip().startswith(("%", "!")) else line
                 for line in text.splitlines()]
        chunks.append(f"# --- code cell {number} ---\n" + "\n".join(lines))
    return "\n\n".join(chunks) + "\n"


def _grading_cell(cell: dict[str, object]) -> bool:
    """An nbgrader test cell (graded, not a solution) or regquiz's locked grading cell."""
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(meta, dict):
        return False
    return (bool(meta.get("grade")) and not meta.get("solution")) \
        or meta.get("grade_id") == "regquiz_grading"
