"""The pytest plugin of a grading session: drives session.GradingSession from inside pytest.

A session grades a batch of jobs (one problem of one submission each).  The ``student``
fixture is parametrized over the jobs of the module's problem, the items run job by job,
and the runner is told when a job's last test has run (it closes that sandbox).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from .checks import Student
from .errors import EnvironmentBroken
from .session import GradingSession, manifest_name as _manifest_name, verdict


class GradingPlugin:
    """Hands each suite its student and a seeded generator; records a verdict per test."""

    def __init__(self, students: Sequence[Student], seed: int,
                 references: Mapping[str, ModuleType] | None = None,
                 on_job_done: Callable[[int], None] | None = None) -> None:
        self.session = GradingSession(students, seed, references, on_job_done)
        self.students = students
        self.references = self.session.references
        self.outcomes = self.session.outcomes
        self.collect_errors: list[str] = []
        self._last_item_of_job: dict[str, int] = {}

    @property
    def broken(self) -> EnvironmentBroken | None:
        """An EnvironmentBroken that ended the session; the runner re-raises it."""
        return self.session.broken

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
        """A generator seeded from the run's seed and the test's name (replayable)."""
        return self.session.generator(str(getattr(request.node, "originalname", request.node.name)))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        """Run a test that needs only this plugin's fixtures directly.

        Those fixtures are plain values without teardown, and the verdict is all the runner
        reads, so pytest's setup/call/teardown reports (about a fifth of a batch's time) are
        skipped.  Any other test takes pytest's own protocol.
        """
        if not isinstance(item, pytest.Function) or not set(item.fixturenames) <= _OWN_FIXTURES:
            return None  # (`request` is listed where a fixture is parametrized indirectly)
        test_name = str(getattr(item, "originalname", item.name))
        fixtures = [name for name in item.fixturenames if name != "request"]
        if not self.session.run_test(_job_of(item), item.obj, test_name, item.path.stem,
                                     fixtures, heldout=_heldout(item)):
            item.session.shouldstop = str(self.session.broken)
            return True
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
        if job is not None:
            self.session.job_done(job)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> pytest.TestReport:
        """Record the verdict; a plain report instead of pytest's own.

        pytest would render every failure's traceback with source (tens of milliseconds
        each, most of a batch's time); nobody reads it: the verdict carries the message.
        """
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, EnvironmentBroken):
            self.session.broken = error
            item.session.shouldstop = str(error)
        elif call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            self.outcomes[(_job_of(item), manifest_name(item))] = verdict(
                error, heldout=_heldout(item))
        return pytest.TestReport(
            item.nodeid, item.location, {}, "passed" if error is None else "failed",
            None if error is None else f"{type(error).__name__}: {error}",
            "call" if call.when == "collect" else call.when,
            duration=call.duration, start=call.start, stop=call.stop)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Settle every job's verdicts: gate dependent checks, point failures at a hint."""
        self.session.settle()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr))


_OWN_FIXTURES = {"student", "rng", "reference", "request"}


def _job_of(item: pytest.Item) -> int:
    callspec = getattr(item, "callspec", None)
    return int(callspec.params["student"]) if callspec is not None else -1


def _heldout(item: pytest.Item) -> bool:
    return item.path.parent.name == "heldout"


def manifest_name(item: pytest.Item) -> str:
    """The manifest's name of a test: `heldout_<name>` for a held-out case."""
    return _manifest_name(str(getattr(item, "originalname", item.name)), heldout=_heldout(item))
