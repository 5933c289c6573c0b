"""The only reader of manifest.toml: the problems, their functions, checks, points and hints."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._compat import tomllib
from .errors import ManifestError, UnknownFunction, UnknownProblem

MANIFEST_PATH = Path(__file__).with_name("manifest.toml")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TIME_LIMIT = 25.0  # SPEC §4: a check of one problem ends within 30 s, whatever the student does


@dataclass(frozen=True)
class Function:
    """A function the student implements, with its parameter names (for messages)."""

    name: str
    params: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """One graded test of a suite: `test_<name>` in the problem's suite module.

    `functions` are the student's functions it calls; `requires` the direct checks that
    must pass before it earns its points (it compares two of the student's functions, or
    its answer is one that a do-nothing body would give).
    """

    name: str
    points: int
    functions: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class HintLadder:
    """The hints of one function, from a nudge to the formula (at least three rungs)."""

    function: str
    rungs: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """One exercise: everything the CLI, the suites and the tests know about it."""

    id: str
    title: str
    section: str
    functions: tuple[Function, ...]
    checks: tuple[Check, ...]
    hints: tuple[HintLadder, ...]  # one ladder per function, in the functions' order
    time_limit: float
    heldout: tuple[Check, ...] = ()  # instructors' cases (grader/heldout/), run by `grade` only
    # (function, its answer texts): what no channel shows before it is earned (SPEC §7)
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def max_score(self) -> int:
        """The total of the points of every visible check (what `check` grades)."""
        return sum(check.points for check in self.checks)

    @property
    def graded_max_score(self) -> int:
        """The total of `grade`: the visible checks and the held-out cases."""
        return self.max_score + sum(check.points for check in self.heldout)

    @property
    def filename(self) -> str:
        """The file name of the stub, the solution and the suite."""
        return f"{self.id}.py"

    def function(self, name: str) -> Function:
        """The declared function called `name`."""
        for function in self.functions:
            if function.name == name:
                return function
        raise ManifestError(f"{self.id} declares no function {name!r}")

    def check(self, name: str) -> Check:
        """The visible check called `name`."""
        for check in self.checks:
            if check.name == name:
                return check
        raise ManifestError(f"{self.id} declares no check {name!r}")

    def ladder(self, function: str) -> HintLadder:
        """The hint ladder of `function`, or UnknownFunction naming the functions."""
        for ladder in self.hints:
            if ladder.function == function:
                return ladder
        names = tuple(ladder.function for ladder in self.hints)
        raise UnknownFunction(unknown_message(f"function of {self.id}", function, names))

    def checks_of(self, function: str) -> tuple[Check, ...]:
        """The visible checks that call `function`."""
        return tuple(check for check in self.checks if function in check.functions)

    @property
    def rung_count(self) -> int:
        """The rungs of every ladder together (what `list` counts hints out of)."""
        return sum(len(ladder.rungs) for ladder in self.hints)


@dataclass(frozen=True)
class Manifest:
    """Every problem, in order, and the limits shared by all of them."""

    problems: tuple[Problem, ...]
    call_time_limit: float

    @property
    def ids(self) -> tuple[str, ...]:
        """The problem ids in manifest order."""
        return tuple(problem.id for problem in self.problems)

    def problem(self, problem_id: str) -> Problem:
        """The problem called `problem_id`, or UnknownProblem naming what exists."""
        for problem in self.problems:
            if problem.id == problem_id:
                return problem
        raise UnknownProblem(unknown_message("problem", problem_id, self.ids))


def unknown_message(kind: str, given: str, known: tuple[str, ...]) -> str:
    """'unknown problem 'x': did you mean problem2? (choose from …)' in one line."""
    close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    suggestion = f" did you mean {close[0]}?" if close else ""
    return f"unknown {kind} {given!r}:{suggestion} (choose from {', '.join(known)})"


@functools.cache
def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Read and validate the manifest once per process."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"cannot read the manifest {path}: {exc}") from None
    problems = tuple(_problem(entry, path) for entry in raw.get("problems", []))
    ids = [problem.id for problem in problems]
    if not problems or len(set(ids)) != len(ids):
        raise ManifestError(f"{path}: problem ids must be present and unique, got {ids}")
    return Manifest(problems=problems, call_time_limit=float(raw.get("call_time_limit", 2.0)))


def _problem(entry: dict[str, Any], path: Path) -> Problem:
    where = f"{path}: problem {entry.get('id', '?')!r}"
    try:
        functions = tuple(Function(name, tuple(params))
                          for name, params in entry["functions"].items())
        exercises = {name: tuple(str(f) for f in names)
                     for name, names in entry.get("exercises", {}).items()}
        requires = {name: tuple(str(c) for c in names)
                    for name, names in entry.get("requires", {}).items()}
        problem = Problem(
            id=str(entry["id"]),
            title=str(entry["title"]),
            section=str(entry["section"]),
            functions=functions,
            checks=tuple(Check(name, int(points), exercises.get(name, ()), requires.get(name, ()))
                         for name, points in entry["checks"].items()),
            hints=tuple(HintLadder(str(name), tuple(str(rung) for rung in rungs))
                        for name, rungs in entry["hints"].items()),
            time_limit=float(entry["time_limit"]),
            heldout=tuple(Check(name, int(points))
                          for name, points in entry.get("heldout", {}).items()),
            answers=tuple((str(name), tuple(str(text) for text in texts))
                          for name, texts in entry.get("answers", {}).items()),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ManifestError(f"{where}: missing or malformed field ({exc})") from None
    if not ID_PATTERN.match(problem.id):
        raise ManifestError(f"{where}: the id must match {ID_PATTERN.pattern}")
    _validate_links(problem, exercises, requires, where)
    if not problem.checks or any(check.points <= 0 for check in problem.checks + problem.heldout):
        raise ManifestError(f"{where}: every check needs a positive number of points")
    if len({check.name for check in problem.heldout}) != len(problem.heldout):
        raise ManifestError(f"{where}: held-out case names must be unique")
    if not 0 < problem.time_limit <= MAX_TIME_LIMIT:
        raise ManifestError(f"{where}: time_limit must be in (0, {MAX_TIME_LIMIT}] seconds")
    return problem


def _validate_links(problem: Problem, exercises: dict[str, tuple[str, ...]],
                    requires: dict[str, tuple[str, ...]], where: str) -> None:
    """Hints, exercised functions and required checks name what the problem declares."""
    functions = [function.name for function in problem.functions]
    checks = [check.name for check in problem.checks]
    if [ladder.function for ladder in problem.hints] != functions:
        raise ManifestError(f"{where}: [problems.hints] needs one ladder per function, in the "
                            f"order of [problems.functions] ({', '.join(functions)})")
    if any(len(ladder.rungs) < 3 for ladder in problem.hints):
        raise ManifestError(f"{where}: every function needs at least three hints")
    if sorted(exercises) != sorted(checks):
        raise ManifestError(f"{where}: [problems.exercises] must name the functions of every "
                            "check, and only of checks")
    for check in problem.checks:
        if not check.functions or not set(check.functions) <= set(functions):
            raise ManifestError(f"{where}: check {check.name!r} must exercise declared functions")
        unknown = set(check.requires) - set(checks) | ({check.name} & set(check.requires))
        if unknown:
            raise ManifestError(f"{where}: check {check.name!r} requires unknown checks "
                                f"{sorted(unknown)}")
    if not {name for name, _ in problem.answers} <= set(functions):
        raise ManifestError(f"{where}: [problems.answers] names undeclared functions")
    if set(requires) - set(checks):
        raise ManifestError(f"{where}: [problems.requires] names unknown checks "
                            f"{sorted(set(requires) - set(checks))}")
    for function in functions:
        if not any(function in check.functions for check in problem.checks):
            raise ManifestError(f"{where}: no check exercises {function!r}")
