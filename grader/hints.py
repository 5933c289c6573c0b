"""`regquiz hint`: which function's ladder to climb, and the rung shown next.

The default function is the first one not yet passing in the latest recorded check of the
problem (every check that calls it passed); the rungs seen are kept per function in the
records, so a failing check can show a closed form once its function's last rung was seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .manifest import Problem
from .verdicts import function_passes

if TYPE_CHECKING:
    from .records import Records

# (problem id, function) pairs whose last hint rung the user has seen: only their failing
# checks state closed forms (checks.closed_form).  Set by `regquiz check`, which reads the
# records on the trusted side; empty for `grade`, the Gradescope and nbgrader runners.
# Kept here, not in checks.py, so that `check` sets it before numpy is imported.
REVEALED: set[tuple[str, str]] = set()


@contextmanager
def revealing(pairs: Iterable[tuple[str, str]]) -> Iterator[None]:
    """Within this block, messages state the closed forms of these (problem, function) pairs."""
    saved = set(REVEALED)
    REVEALED.update(pairs)
    try:
        yield
    finally:
        REVEALED.clear()
        REVEALED.update(saved)


@dataclass(frozen=True)
class HintShown:
    """One rung as shown: the function, its 1-based number, and why that function was chosen."""

    problem: Problem
    function: str
    rung: int
    again: bool  # the last rung, seen before
    chosen_because: str  # '' when the user named the function


def default_function(problem: Problem, records: Records) -> tuple[str, str]:
    """(function, why it was chosen) when the user named none."""
    statuses = records.latest_statuses(problem.id)
    names = [function.name for function in problem.functions]
    if statuses is None:
        return names[0], "no check of this problem is recorded yet, so the first function"
    for name in names:
        if not function_passes(problem, name, statuses):
            return name, "the first function not yet passing in your latest check"
    seen = records.rungs_seen(problem.id)
    for ladder in problem.hints:
        if seen.get(ladder.function, 0) < len(ladder.rungs):
            return ladder.function, "every function passed in your latest check; this is the " \
                "first whose hints you have not all seen"
    return names[0], "every function passed in your latest check"


def next_hint(problem: Problem, function: str | None, records: Records, *,
              reset: bool = False) -> HintShown:
    """Record and return the next rung of `function` (or of the default function)."""
    if function is not None:
        ladder = problem.ladder(function)  # UnknownFunction (exit 2) names the functions
        because = ""
    else:
        name, because = default_function(problem, records)
        ladder = problem.ladder(name)
    if reset:
        records.reset_hints(problem.id, function)
    before = records.rungs_seen(problem.id).get(ladder.function, 0)
    rung = records.take_rung(problem.id, ladder.function, len(ladder.rungs))
    return HintShown(problem, ladder.function, rung, before >= len(ladder.rungs), because)


def closed_forms_revealed(problems: Sequence[Problem]) -> AbstractContextManager[None]:
    """`revealing` the pairs of `problems` the user has earned (SPEC §7), read from the records.

    Earned: passed in a recorded check, or its last rung seen.  Without a database yet
    nothing is created before grading; a broken one reveals nothing here and is reported
    when the check is recorded.
    """
    from .reveal import earned_in_records

    return revealing(earned_in_records(problems))
