"""The outputs of `regquiz grade`: a terminal table, CSV, JSON and Gradescope's results.json."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ..render import defused
from ..results import HELDOUT_PREFIX, CheckResult, TestResult
from .grading import SubmissionResult
from .notes import display_names, submission_notes
# Shown to a student on Gradescope instead of a held-out case's message, which may quote
# held-out inputs: the status says what went wrong, never with which values.
_HELDOUT_OUTPUT = {
    "pass": "passed",
    "fail": "the answer differs from the reference solution on this held-out case",
    "error": "your code raised an error or crashed on this held-out case",
    "timeout": "your code did not finish in time on this held-out case",
}


def as_json(results: Sequence[SubmissionResult]) -> str:
    """SPEC §3: a list with one object per submission."""
    return json.dumps([result.to_dict() for result in results], indent=2)


def as_csv(results: Sequence[SubmissionResult]) -> str:
    """SPEC §3: submission (its folder's name), a score per problem, total, max_score, notes, seed.

    Every text cell is defused against spreadsheet formulas (see `defused`).
    """
    problems = [problem.problem for problem in results[0].problems] if results else []
    names = display_names([result.submission for result in results])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", *problems, "total", "max_score", "notes", "seed"])
    for name, result in zip(names, results):
        notes = " | ".join(f"{problem}: {note}" for problem, note in _notes(result))
        seed = result.problems[0].seed if result.problems else ""
        writer.writerow([defused(name), *(problem.score for problem in result.problems),
                         result.score, result.max_score, defused(notes), seed])
    return buffer.getvalue()


def as_table(results: Sequence[SubmissionResult]) -> str:
    """The terminal table: a row per submission, then one note per problem that went wrong."""
    problems = [problem.problem for problem in results[0].problems] if results else []
    names = display_names([result.submission for result in results])
    first = max([len("submission"), *(len(name) for name in names)])
    cells = [[f"{p.score}/{p.max_score}" for p in result.problems] for result in results]
    widths = [max([len(problem), *(len(row[i]) for row in cells)]) for i, problem in enumerate(problems)]
    totals = [f"{result.score}/{result.max_score}" for result in results]
    total_width = max([len("total"), *(len(total) for total in totals)])
    lines = ["  ".join([f"{'submission':<{first}}", *(f"{p:>{w}}" for p, w in zip(problems, widths)),
                        f"{'total':>{total_width}}"])]
    for name, row, total in zip(names, cells, totals):
        lines.append("  ".join([f"{name:<{first}}", *(f"{c:>{w}}" for c, w in zip(row, widths)),
                                f"{total:>{total_width}}"]))
    notes = [f"  {name}: {problem}: {note}" for name, result in zip(names, results)
             for problem, note in _notes(result)]
    if notes:
        lines += ["", "Notes:", *notes]
    full = sum(result.passed for result in results)
    lines += ["", f"{full} of {len(results)} submission(s) got full marks.",
              f"Student code was confined by: {confinement_of(results)}."]
    return "\n".join(lines)


def _notes(result: SubmissionResult) -> list[tuple[str, str]]:
    """(problem, note): the first real problem of each, then what --similarity found."""
    notes = submission_notes(result.problems)
    for alike in result.similar or ():
        notes.append((alike.problem, alike.note()))
    return notes


def confinement_of(results: Sequence[SubmissionResult]) -> str:
    """What confined the submissions' code, e.g. "landlock-v7+seccomp" (or "none")."""
    kinds = sorted({problem.confinement for result in results for problem in result.problems})
    return ", ".join(kinds) or "none"


def as_gradescope(result: SubmissionResult) -> str:
    """Gradescope's results.json for one submission."""
    tests = [_gradescope_test(problem, test) for problem in result.problems for test in problem.tests]
    seed = result.problems[0].seed if result.problems else 0
    errors = "".join(f"\n\n{problem.problem}: nothing ran:\n{problem.error}"
                     for problem in result.problems if problem.error)
    payload = {
        "score": result.score,
        "output": (f"Graded by regquiz with seed {seed}; student code was confined by "
                   f"{confinement_of([result])}. Held-out cases are shown once the "
                   "grades are published; replay the visible checks with "
                   f"`regquiz check PROBLEM --seed {seed}`." + errors),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(payload, indent=2)


def heldout_status(test: TestResult) -> str:
    """A held-out case's one-line status: what went wrong, never with which values."""
    if test.message.startswith(("missing:", "not run:")):
        return test.message.splitlines()[0] if test.message else _HELDOUT_OUTPUT[test.status]
    return _HELDOUT_OUTPUT[test.status]


def _gradescope_test(problem: CheckResult, test: TestResult) -> dict[str, Any]:
    heldout = test.name.startswith(HELDOUT_PREFIX)
    if heldout:
        output = heldout_status(test)
    else:
        output = test.message or "passed"
    return {"name": f"{problem.problem}: {test.name}", "score": test.score,
            "max_score": test.max_score, "status": "passed" if test.status == "pass" else "failed",
            "output": output, "visibility": "after_published" if heldout else "visible"}
