"""What `grade` says about each submission: display names, and the first real problem per problem."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..precompile import NOT_RUN, first_line
from ..results import CheckResult
from ..sandbox.wire import clean_text

MISSING = "missing: "  # begins the message of a problem whose file is not there
_LABELS = ("raised", "problem")  # the message lines that say what went wrong (checks.py)
_NOT_CAUSES = ("work on", "hint", "called", "at ")  # pointers, the call, a traceback line
MAX_LISTED = 500  # folder entries looked at for "did you mean"


def display_names(folders: Sequence[str]) -> list[str]:
    """Each folder's name; its path as given where two names collide (SPEC §3)."""
    names = [os.path.basename(os.path.normpath(folder)) or folder for folder in folders]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [clean_text(name if counts[name] == 1 else folder)
            for name, folder in zip(names, folders)]


def problem_note(result: CheckResult) -> str:
    """One line naming the first real problem (never a hint line); "" when there is none."""
    if result.error:
        return clean_text(first_line(result.error))[:300]
    if result.tests and all(test.message.startswith(MISSING) for test in result.tests):
        return clean_text(first_line(result.tests[0].message))[:300]
    troubled = [test for test in result.tests if test.status in ("error", "timeout")]
    if not troubled:
        return ""
    first = troubled[0]
    cause = cause_line(first.message) or first.status
    kinds = "a timeout" if all(t.status == "timeout" for t in troubled) else "an error or a timeout"
    return clean_text(f"{len(troubled)} of {len(result.tests)} check(s) ended in {kinds}; "
                      f"first {first.name}: {cause}")[:300]


def cause_line(message: str) -> str:
    """The line of a check's message that says what went wrong, without its label."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        label, _, rest = line.partition(" ")
        if label == "raised" and rest.strip():
            # the exception's type only: its message is the student's text, and a note sits
            # in the student's own row (a fake "30/30" there must not be possible)
            kind = re.match(r"[A-Za-z_][\w.]{0,59}", rest.strip())
            return f"raised {kind.group(0) if kind else 'an exception'} (its message is in the feedback)"
        if label in _LABELS and rest.strip():
            return rest.strip()
    for line in lines:
        if line.startswith(NOT_RUN) or not line.startswith(_NOT_CAUSES):
            return line
    return ""


def submission_notes(results: Sequence[CheckResult]) -> list[tuple[str, str]]:
    """(problem, note) for every problem of a submission that has one."""
    return [(result.problem, note) for result in results if (note := problem_note(result))]


def did_you_mean(folder: Path, problem_id: str) -> str:
    """ "; did you mean X?" for a misnamed or misplaced file of `problem_id`, else "".

    Looks at names only (case, `_`, `-`, spaces; one subfolder deep, e.g. exercises/):
    nothing is opened.
    """
    wanted = _squashed(problem_id)
    found: list[str] = []
    for entry, inside in _entries(folder):
        stem, dot, suffix = entry.rpartition(".")
        if dot and suffix.lower() in ("py", "ipynb") and _squashed(stem) == wanted:
            found.append(f"{inside}{entry}")
    if not found:
        return ""
    shown = clean_text(found[0])[:120]
    right = f"{problem_id}.{shown.rpartition('.')[2].lower()}"
    advice = f"move it up to {right}" if "/" in shown else f"rename it {right}"
    return f"; did you mean {shown} ({advice})?"


def _entries(folder: Path) -> list[tuple[str, str]]:
    """(name, its subfolder prefix) of the folder's files and its subfolders' files."""
    out: list[tuple[str, str]] = []
    try:
        with os.scandir(folder) as top:
            entries = [entry for _, entry in zip(range(MAX_LISTED), top)]
    except OSError:
        return out
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_file(follow_symlinks=False):
            out.append((entry.name, ""))
        elif entry.is_dir(follow_symlinks=False):
            try:
                with os.scandir(entry.path) as inner:
                    out += sorted((e.name, f"{entry.name}/") for _, e in zip(range(MAX_LISTED), inner)
                                  if e.is_file(follow_symlinks=False))
            except OSError:
                continue
    return out


def _squashed(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name).lower()
