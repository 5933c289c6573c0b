"""The pytest plugin of a grading session: fixtures for the suites, verdicts for the runner.

A session grades a batch of jobs (one problem of one submission each).  The ``student``
fixture is parametrized over the jobs of the module's problem, the items run job by job,
and ``on_job_done`` is told when a job's last test has run (the runner closes its sandbox).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from .checks import CheckFailed, Student, StudentCodeProblem
from .errors import EnvironmentBroken
from .results import HELDOUT_PREFIX, Status


class GradingPlugin:
    """Hands each suite its student and a seeded generator; records a verdict per test."""

    def __init__(self, students: Sequence[Student], seed: int,
                 references: Mapping[str, ModuleType] | None = None,
                 on_job_done: Callable[[int], None] | None = None) -> None:
        self.students = students
        self.seed = seed
        self.references = references or {}
        self.on_job_done = on_job_done
        # (job index, test name) -> verdict; held-out names carry HELDOUT_PREFIX
        self.outcomes: dict[tuple[int, str], tuple[Status, str]] = {}
        self.collect_errors: list[str] = []
        self.broken: EnvironmentBroken | None = None  # ends the session; the runner re-raises it
        self._last_item_of_job: dict[str, int] = {}
        self._seeds: dict[str, np.random.SeedSequence] = {}  # test name -> its seed sequence

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "student" not in metafunc.fixturenames:
            return
        problem = Path(str(metafunc.definition.path)).stem
        jobs = [i for i, student in enumerate(self.students) if student.problem.id == problem]
        metafunc.parametrize("student", jobs, indirect=True, ids=[str(i) for i in jobs])

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> Student:
        """The proxy to the student's module of this job."""
        return self.students[request.param]

    @pytest.fixture
    def reference(self, request: pytest.FixtureRequest) -> ModuleType:
        """The reference solution of this suite's problem (trusted; held-out suites only)."""
        return self.references[Path(str(request.path)).stem]

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A generator seeded from the run's seed and the test's name (replayable).

        The name without the job parameter: every submission gets the same inputs.
        """
        return self._generator(request.node)

    def _generator(self, node: pytest.Item) -> np.random.Generator:
        """default_rng(rng_seed(...)), with the seed sequence's hashing done once per name."""
        name = str(getattr(node, "originalname", node.name))
        sequence = self._seeds.get(name)
        if sequence is None:
            from .runner import rng_seed

            sequence = self._seeds[name] = np.random.SeedSequence(rng_seed(self.seed, name))
        return np.random.Generator(np.random.PCG64(sequence))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        """Run a test that needs only this plugin's fixtures directly.

        Those fixtures are plain values without teardown, and the verdict is all the runner
        reads, so pytest's setup/call/teardown reports (about a fifth of a batch's time) are
        skipped.  Any other test takes pytest's own protocol.
        """
        if not isinstance(item, pytest.Function) or not set(item.fixturenames) <= _OWN_FIXTURES:
            return None  # (`request` is listed where a fixture is parametrized indirectly)
        job = _job_of(item)
        values = {"student": lambda: self.students[job], "rng": lambda: self._generator(item),
                  "reference": lambda: self.references[item.path.stem]}
        try:
            item.obj(**{name: values[name]() for name in item.fixturenames if name != "request"})
            error: Exception | None = None
        except EnvironmentBroken as exc:
            self.broken = exc
            item.session.shouldstop = str(exc)
            return True
        except Exception as exc:  # noqa: BLE001 - every failure of a check becomes a verdict
            error = exc
        name = manifest_name(item)
        self.outcomes[(job, name)] = verdict(error, heldout=name.startswith(HELDOUT_PREFIX))
        self._finished(item.nodeid)  # (item.location, pytest's argument, costs ~0.2 ms to build)
        return True

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=_job_of)  # stable: a job's visible checks, then its held-out cases
        self._last_item_of_job = {item.nodeid: _job_of(item) for item in items}
        seen: set[int] = set()
        for item in reversed(items):
            if _job_of(item) in seen:
                del self._last_item_of_job[item.nodeid]
            seen.add(_job_of(item))

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self._finished(nodeid)

    def _finished(self, nodeid: str) -> None:
        """Tell the runner when the last test of a job has run."""
        job = self._last_item_of_job.get(nodeid)
        if job is not None and self.on_job_done is not None:
            self.on_job_done(job)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> pytest.TestReport:
        """Record the verdict; a plain report instead of pytest's own.

        pytest would render every failure's traceback with source (tens of milliseconds
        each, most of a batch's time); nobody reads it: the verdict carries the message.
        """
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, EnvironmentBroken):
            self.broken = error
            item.session.shouldstop = str(error)
        elif call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            name = manifest_name(item)
            self.outcomes[(_job_of(item), name)] = verdict(
                error, heldout=name.startswith(HELDOUT_PREFIX))
        return pytest.TestReport(
            item.nodeid, item.location, {}, "passed" if error is None else "failed",
            None if error is None else f"{type(error).__name__}: {error}",
            "call" if call.when == "collect" else call.when,
            duration=call.duration, start=call.start, stop=call.stop)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Settle every job's verdicts: gate dependent checks, point failures at a hint."""
        from .verdicts import settle

        for job, student in enumerate(self.students):
            names = [check.name for check in student.problem.checks
                     if (job, check.name) in self.outcomes]
            settled = settle(student.problem, {name: self.outcomes[(job, name)] for name in names})
            for name in names:
                self.outcomes[(job, name)] = settled[name]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr))


_OWN_FIXTURES = {"student", "rng", "reference", "request"}


def _job_of(item: pytest.Item) -> int:
    callspec = getattr(item, "callspec", None)
    return int(callspec.params["student"]) if callspec is not None else -1


def manifest_name(item: pytest.Item) -> str:
    """The manifest's name of a test: `heldout_<name>` for a held-out case."""
    name = str(getattr(item, "originalname", item.name)).removeprefix("test_")
    return HELDOUT_PREFIX + name if item.path.parent.name == "heldout" else name


HELDOUT_CASE = "held-out case:"  # how expect_reference's messages begin (they show no values)
_HELDOUT_TEXT = {
    "fail": "the answer differs from the reference solution on this held-out case",
    "stub": "this function is still the stub on this held-out case",
    "error": "your code raised an exception or crashed on this held-out case",
    "timeout": "your code did not finish in time on this held-out case",
    "judge": "the held-out check could not judge the answer (a problem in the course's "
             "grader, not necessarily in your code)",
}


def verdict(exc: BaseException | None, *, heldout: bool = False) -> tuple[Status, str]:
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


def _heldout_verdict(exc: BaseException | None) -> tuple[Status, str]:
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
