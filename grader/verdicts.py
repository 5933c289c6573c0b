"""Settling a job's verdicts: dependent checks earn nothing until their direct checks pass.

The manifest says which functions each check calls (`[problems.exercises]`) and which direct
checks a comparison or an edge case relies on (`[problems.requires]`).  After a job's checks
have run, a check whose requirements did not all pass becomes a failure that names them, and
every message of a check that did not pass ends with the function to work on and the exact
`regquiz hint` command for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .manifest import Check, Problem
from .results import STUB_NOTE, Status

Verdict = tuple[Status, str]


def settle(problem: Problem, verdicts: Mapping[str, Verdict]) -> dict[str, Verdict]:
    """The verdicts of one job's visible checks after gating, with a hint pointer on failures.

    A check whose required direct checks did not all pass is held back: whatever its own
    answer, it earns nothing and says only which requirement it waits for (a wrong answer is
    told once, by the direct check).  A stub stays a stub.  Names that are not visible checks
    of `problem` (held-out cases) pass through unchanged.
    """
    settled = dict(verdicts)
    held: dict[str, list[str]] = {}
    for check in problem.checks:  # manifest order: a requirement is settled before its users
        if check.name not in settled:
            continue
        status, message = settled[check.name]
        missing = [name for name in check.requires if settled.get(name, ("error", ""))[0] != "pass"]
        if missing and (status == "pass" or (status == "fail" and STUB_NOTE not in message)):
            held[check.name] = missing
            settled[check.name] = ("fail", _held_back(problem, missing, answered=status == "pass"))
    for check in problem.checks:
        status, message = settled.get(check.name, ("pass", ""))
        if status != "pass":
            if check.name in held:
                function = _first_failing_function(problem, held[check.name], settled)
            else:
                function = function_to_work_on(problem, check, settled, message)
            settled[check.name] = (status, f"{message}\n{pointer(problem.id, function)}".lstrip("\n"))
    return settled


def pointer(problem_id: str, function: str) -> str:
    """The last two lines of a failing check's message: the function, then its hint command."""
    return f"work on   {function}\nhint      regquiz hint {problem_id} {function}"


def function_to_work_on(problem: Problem, check: Check, verdicts: Mapping[str, Verdict],
                        message: str = "") -> str:
    """The function of `check` to fix first.

    The function whose call the failure shows, when its own direct checks fail too; else the
    first function of `check` whose direct checks do not all pass; else the function the
    failure shows; else the check's first function.
    """
    called = _called_function(message)
    failing = [function for function in check.functions
               if not _direct_checks_pass(problem, function, verdicts)]
    if called in failing:
        return called
    if failing:
        return failing[0]
    if called in check.functions:
        return called
    return check.functions[0] if check.functions else problem.functions[0].name


def _direct_checks_pass(problem: Problem, function: str, verdicts: Mapping[str, Verdict]) -> bool:
    direct = [c for c in problem.checks_of(function) if c.functions == (function,)]
    return all(verdicts.get(c.name, ("error", ""))[0] == "pass" for c in direct)


def _called_function(message: str) -> str:
    """The function named on the message's `called` line, or ''."""
    match = _CALLED.match(message)
    return match.group(1) if match else ""


_CALLED = re.compile(r"called\s+(\w+)\(")


def _first_failing_function(problem: Problem, missing: list[str],
                            verdicts: Mapping[str, Verdict]) -> str:
    """The first function tested by the first failing requirement of a held-back check."""
    functions = problem.check(missing[0]).functions
    for function in functions:
        if not _direct_checks_pass(problem, function, verdicts):
            return function
    return functions[0]


def _held_back(problem: Problem, missing: list[str], *, answered: bool) -> str:
    functions = list(dict.fromkeys(f for name in missing for f in problem.check(name).functions))
    plural = len(missing) > 1
    once = f"only once {' and '.join(missing)} pass{'' if plural else 'es'}"
    waits = f"this check passed, but its points count {once}" if answered else \
        f"this check is judged {once}"
    return (f"held back {waits}: "
            f"{'they test' if plural else 'it tests'} {' and '.join(functions)} directly, and "
            "a comparison or an edge case says nothing while those are wrong")


def function_passes(problem: Problem, function: str, statuses: Mapping[str, str]) -> bool:
    """Whether every recorded check that calls `function` passed."""
    return all(statuses.get(check.name) == "pass" for check in problem.checks_of(function))
