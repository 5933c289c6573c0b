"""Settling a job's verdicts: dependent checks earn nothing until their direct checks pass.

The manifest says which functions each check calls (`[problems.exercises]`) and which direct
checks a comparison or an edge case relies on (`[problems.requires]`).  After a job's checks
have run, a check whose requirements did not all pass becomes a failure that names them, and
every message of a check that did not pass ends with the function to work on and the exact
`regquiz hint` command for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from .manifest import Check, Problem
from .results import Status

Verdict = tuple[Status, str]


def settle(problem: Problem, verdicts: Mapping[str, Verdict]) -> dict[str, Verdict]:
    """The verdicts of one job's visible checks after gating, with a hint pointer on failures.

    Names that are not visible checks of `problem` (held-out cases) pass through unchanged.
    """
    settled = dict(verdicts)
    for check in problem.checks:  # manifest order: a requirement is settled before its users
        if check.name not in settled:
            continue
        status, message = settled[check.name]
        missing = [name for name in check.requires if settled.get(name, ("error", ""))[0] != "pass"]
        if status == "pass" and missing:
            status, message = "fail", _held_back(problem, missing)
        settled[check.name] = (status, message)
    for check in problem.checks:
        status, message = settled.get(check.name, ("pass", ""))
        if status != "pass":
            function = function_to_work_on(problem, check, settled)
            settled[check.name] = (status, f"{message}\n{pointer(problem.id, function)}".lstrip("\n"))
    return settled


def pointer(problem_id: str, function: str) -> str:
    """The last two lines of a failing check's message: the function, then its hint command."""
    return f"work on   {function}\nhint      regquiz hint {problem_id} {function}"


def function_to_work_on(problem: Problem, check: Check, verdicts: Mapping[str, Verdict]) -> str:
    """The first function of `check` whose own direct checks do not all pass, else its first."""
    for function in check.functions:
        direct = [c for c in problem.checks_of(function) if c.functions == (function,)]
        if any(verdicts.get(c.name, ("error", ""))[0] != "pass" for c in direct):
            return function
    return check.functions[0] if check.functions else problem.functions[0].name


def _held_back(problem: Problem, missing: list[str]) -> str:
    functions = list(dict.fromkeys(f for name in missing for f in problem.check(name).functions))
    plural = len(missing) > 1
    return (f"held back this check passed, but its points count only once "
            f"{' and '.join(missing)} pass{'' if plural else 'es'}: "
            f"{'they test' if plural else 'it tests'} {' and '.join(functions)} directly, and "
            "a comparison or an edge case says nothing while those are wrong")


def function_passes(problem: Problem, function: str, statuses: Mapping[str, str]) -> bool:
    """Whether every recorded check that calls `function` passed."""
    return all(statuses.get(check.name) == "pass" for check in problem.checks_of(function))
