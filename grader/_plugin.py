"""The pytest plugin of a grading session: fixtures for the suites, verdicts for the runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .checks import CheckFailed, Student, StudentCodeProblem
from .errors import EnvironmentBroken
from .results import Status


class GradingPlugin:
    """Hands each suite its student and a seeded generator; records a verdict per test."""

    def __init__(self, students: dict[str, Student], seed: int) -> None:
        self.students = students
        self.seed = seed
        self.outcomes: dict[tuple[str, str], tuple[Status, str]] = {}
        self.collect_errors: list[str] = []
        self.broken: EnvironmentBroken | None = None  # ends the session; the runner re-raises it

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> Student:
        """The proxy to the student's module of this suite's problem."""
        return self.students[Path(str(request.path)).stem]

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A generator seeded from the run's seed and the test's name (replayable)."""
        from .runner import rng_seed

        return np.random.default_rng(rng_seed(self.seed, request.node.name))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, EnvironmentBroken):
            self.broken = error
            item.session.shouldstop = str(error)
        elif call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            key = (Path(str(item.path)).stem, item.name.removeprefix("test_"))
            self.outcomes[key] = verdict(call.excinfo.value if call.excinfo else None)
        return report

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(str(report.longrepr))


def verdict(exc: BaseException | None) -> tuple[Status, str]:
    """(status, message) for what a test raised."""
    if exc is None:
        return "pass", ""
    if isinstance(exc, StudentCodeProblem):
        return exc.status, exc.message
    if isinstance(exc, CheckFailed):
        return "fail", str(exc)
    if isinstance(exc, AssertionError):
        return "fail", str(exc) or "a check of the answer failed"
    return "error", f"the check could not judge the answer: {type(exc).__name__}: {exc}"
