"""`grade --feedback DIR`: one Markdown file per submission, ready to hand back.

Every visible check with its points and message; each held-out case with its one-line status
only (never its inputs or expected values, which the messages of held-out cases may quote).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..outputs import write_atomically
from ..results import HELDOUT_PREFIX, CheckResult
from ..sandbox.wire import clean_text
from .grade_report import heldout_status
from .grading import SubmissionResult
from .notes import display_names, problem_note

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def prepare_feedback_dir(folder: Path) -> None:
    """Create `folder` (before grading starts) or a UsageError saying why it cannot be."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--feedback {folder}: is a file; name a folder for the feedback files")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--feedback {folder}: cannot create it: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--feedback {folder}: not writable")


def write_feedback(folder: Path, results: Sequence[SubmissionResult]) -> list[Path]:
    """One `<submission>.md` per result in `folder`; the paths written."""
    written: list[Path] = []
    used: set[str] = set()
    for name, result in zip(display_names([r.submission for r in results]), results):
        stem = file_stem(name)
        while stem in used:  # two names that only differ in characters a file name drops
            stem += "_"
        used.add(stem)
        path = folder / f"{stem}.md"
        try:
            write_atomically(path, feedback_markdown(name, result))
        except OSError as exc:
            raise UsageError(f"--feedback: cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written


def file_stem(name: str) -> str:
    """A safe file name for a submission: its folder's name (a path's parts joined by `__`)."""
    parts = [part for part in re.split(r"[\\/]+", name) if part not in ("", ".", "..")]
    stem = "__".join(_UNSAFE.sub("_", part) for part in parts).strip("._") or "submission"
    return stem[:150]


def feedback_markdown(name: str, result: SubmissionResult) -> str:
    """The Markdown handed back to one student."""
    lines = [f"# Feedback: {_inline(name)}", "",
             f"**Score: {result.score}/{result.max_score}**", ""]
    for problem in result.problems:
        lines += _problem_section(problem)
    seed = result.problems[0].seed if result.problems else 0
    lines += [f"Graded by regquiz with seed {seed}. Replay the visible checks with "
              f"`regquiz check PROBLEM --seed {seed}`.", ""]
    return "\n".join(lines)


def _problem_section(problem: CheckResult) -> list[str]:
    lines = [f"## {problem.problem} — {_inline(problem.title)}: {problem.score}/{problem.max_score}",
             ""]
    if problem.error:
        lines += ["Nothing could run:", "", *_fenced(problem.error), ""]
    elif (note := problem_note(problem)):
        lines += [f"First problem: {_inline(note)}", ""]
    visible = [test for test in problem.tests if not test.name.startswith(HELDOUT_PREFIX)]
    heldout = [test for test in problem.tests if test.name.startswith(HELDOUT_PREFIX)]
    lines += ["### Checks", ""]
    for test in visible:
        lines.append(f"- **{test.status.upper()}** {test.score}/{test.max_score} `{test.name}`")
        if test.status != "pass" and test.message and not problem.error:
            lines += ["", *("  " + line for line in _fenced(test.message)), ""]
    if heldout:
        lines += ["", "### Held-out cases", ""]
        lines += [f"- **{test.status.upper()}** {test.score}/{test.max_score} "
                  f"`{test.name}`: {_inline(heldout_status(test))}" for test in heldout]
    return lines + [""]


def _fenced(text: str) -> list[str]:
    """`text` in a code fence longer than any backtick run inside it (no Markdown escapes)."""
    text = clean_text(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *text.splitlines(), fence]


def _inline(text: str) -> str:
    """One line of student-influenced text, safe inside Markdown prose."""
    flat = " ".join(clean_text(text).split())
    return re.sub(r"([\\`*_{}\[\]<>()#+!|])", r"\\\1", flat)
