"""The core of a grading session, shared by both ways of running the suites.

A suite is a module of plain ``test_*`` functions whose only fixtures are ``student``,
``rng`` and ``reference``.  :class:`GradingSession` supplies those fixtures, runs one test
function, turns what it raised into a verdict and, once every test ran, settles the
verdicts (gating, hint pointers).  ``_plugin.py`` drives it from inside pytest (``grade``,
Gradescope, nbgrader); :func:`run_directly` drives it without pytest (``check`` and
``watch``, where importing pytest would be a third of a cold check).  Both run the same
functions, in the same order, with the same generators, so they give the same verdicts
(tests/test_runner_paths.py compares them).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from .checks import CheckFailed, Student, StudentCodeProblem
from .errors import EnvironmentBroken, ManifestError
from .results import HELDOUT_PREFIX, Status

Verdict = tuple[Status, str]
FIXTURES = frozenset({"student", "rng", "reference"})
TEST_PREFIX = "test_"  # the suites' pytest.ini says python_functions = test_*


class GradingSession:
    """Fixtures and verdicts for a batch of jobs (one problem of one submission each)."""

    def __init__(self, students: Sequence[Student], seed: int,
                 references: Mapping[str, ModuleType] | None = None,
                 on_job_done: Callable[[int], None] | None = None) -> None:
        self.students = students
        self.seed = seed
        self.references = references or {}
        self.on_job_done = on_job_done
        # (job index, manifest name) -> verdict; held-out names carry HELDOUT_PREFIX
        self.outcomes: dict[tuple[int, str], Verdict] = {}
        self.broken: EnvironmentBroken | None = None  # ends the session; the runner re-raises it
        self._seeds: dict[str, np.random.SeedSequence] = {}  # test name -> its seed sequence

    def generator(self, test_name: str) -> np.random.Generator:
        """A generator seeded from the run's seed and the test's name (replayable).

        The name without any job parameter: every submission gets the same inputs.  The
        seed sequence's hashing is done once per name.
        """
        sequence = self._seeds.get(test_name)
        if sequence is None:
            from .runner import rng_seed

            sequence = self._seeds[test_name] = np.random.SeedSequence(
                rng_seed(self.seed, test_name))
        return np.random.Generator(np.random.PCG64(sequence))

    def run_test(self, job: int, function: Callable[..., Any], test_name: str, suite: str,
                 fixtures: Sequence[str], *, heldout: bool) -> bool:
        """Run one test function for `job` and keep its verdict; False once grading must stop."""
        values = {"student": lambda: self.students[job], "rng": lambda: self.generator(test_name),
                  "reference": lambda: self.references[suite]}
        try:
            function(**{name: values[name]() for name in fixtures})
            error: Exception | None = None
        except EnvironmentBroken as exc:
            self.broken = exc
            return False
        except Exception as exc:  # noqa: BLE001 - every failure of a check becomes a verdict
            error = exc
        name = manifest_name(test_name, heldout=heldout)
        self.outcomes[(job, name)] = verdict(error, heldout=heldout)
        return True

    def job_done(self, job: int) -> None:
        """Tell the runner a job's last test has run (it closes that sandbox)."""
        if self.on_job_done is not None:
            self.on_job_done(job)

    def settle(self) -> None:
        """Settle every job's verdicts: gate dependent checks, point failures at a hint."""
        from .verdicts import settle

        for job, student in enumerate(self.students):
            names = [check.name for check in student.problem.checks
                     if (job, check.name) in self.outcomes]
            settled = settle(student.problem, {name: self.outcomes[(job, name)] for name in names})
            for name in names:
                self.outcomes[(job, name)] = settled[name]


def manifest_name(test_name: str, *, heldout: bool) -> str:
    """The manifest's name of a test function: `heldout_<name>` for a held-out case."""
    name = test_name.removeprefix(TEST_PREFIX)
    return HELDOUT_PREFIX + name if heldout else name


def suite_tests(module: ModuleType) -> Iterator[tuple[str, Callable[..., Any], tuple[str, ...]]]:
    """(name, function, fixture names) of a suite's tests, in the order they are defined.

    What pytest collects from a suite under its pytest.ini: the module's own functions named
    test_*, in definition order.  A parameter that is not one of the three fixtures is a
    bug in the suite, reported as such.
    """
    for name, function in vars(module).items():
        if not name.startswith(TEST_PREFIX) or not inspect.isfunction(function) \
                or function.__module__ != module.__name__:
            continue
        fixtures = tuple(inspect.signature(function).parameters)
        unknown = set(fixtures) - FIXTURES
        if unknown:
            raise ManifestError(f"the graded suite {module.__name__} asks for fixtures regquiz "
                                f"does not provide: {sorted(unknown)}")
        yield name, function, fixtures


def run_directly(session: GradingSession, problems: Sequence[str]) -> None:
    """Run every job's visible checks without pytest: job by job, tests in suite order.

    `problems[i]` is job i's problem id; its suite is imported once per process.
    """
    for job, problem in enumerate(problems):
        module = load_suite(problem)
        for name, function, fixtures in suite_tests(module):
            if not session.run_test(job, function, name, problem, fixtures, heldout=False):
                return
        session.job_done(job)
    session.settle()


def load_suite(problem: str) -> ModuleType:
    """The graded suite module of `problem` (imported once per process)."""
    try:
        return importlib.import_module(f"{__package__}.suites.{problem}")
    except Exception as exc:  # noqa: BLE001 - a broken suite is the course's bug, said in one line
        raise ManifestError(f"the graded suite of {problem} could not be loaded (a bug in "
                            f"regquiz, please report it): {type(exc).__name__}: {exc}") from None


HELDOUT_CASE = "held-out case:"  # how expect_reference's messages begin (they show no values)
_HELDOUT_TEXT = {
    "fail": "the answer differs from the reference solution on this held-out case",
    "stub": "this function is still the stub on this held-out case",
    "error": "your code raised an exception or crashed on this held-out case",
    "timeout": "your code did not finish in time on this held-out case",
    "judge": "the held-out check could not judge the answer (a problem in the course's "
             "grader, not necessarily in your code)",
}


def verdict(exc: BaseException | None, *, heldout: bool = False) -> Verdict:
    """(status, message) for what a test raised.

    A held-out case's message never carries its inputs, the reference's answer or
    anything the student's code wrote (which may quote the inputs it was given): only the
    case's own description from expect_reference, or a fixed sentence per status.
    """
    if heldout:
        return _heldout_verdict(exc)
    if exc is None:
        return "pass", ""
    if isinstance(exc, StudentCodeProblem):
        return exc.status, exc.message
    if isinstance(exc, CheckFailed):
        return "fail", str(exc)
    if isinstance(exc, AssertionError):
        return "fail", str(exc) or "a check of the answer failed"
    return "error", f"the check could not judge the answer: {type(exc).__name__}: {exc}"


def _heldout_verdict(exc: BaseException | None) -> Verdict:
    if exc is None:
        return "pass", ""
    if isinstance(exc, StudentCodeProblem):
        key = "stub" if exc.status == "fail" else "timeout" if exc.status == "timeout" else "error"
        return exc.status, _HELDOUT_TEXT[key]
    if isinstance(exc, CheckFailed) and str(exc).startswith(HELDOUT_CASE):
        return "fail", str(exc)
    if isinstance(exc, AssertionError):
        return "fail", _HELDOUT_TEXT["fail"]
    return "error", _HELDOUT_TEXT["judge"]
