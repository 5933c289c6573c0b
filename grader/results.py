"""Small result values shared by check, grade and the records, with their JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "error", "timeout"]
STUB_NOTE = "NotImplementedError: this function is still the stub"  # begins a stub's message line
HELDOUT_PREFIX = "heldout_"  # the held-out case `name` is reported as `heldout_<name>`


@dataclass(frozen=True)
class TestResult:
    """One graded check: its status, points and the message that explains it."""

    __test__ = False  # not a pytest test class, despite its name

    name: str
    status: Status
    score: int
    max_score: int
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §3 shape of one test."""
        return {"name": self.name, "status": self.status, "score": self.score,
                "max_score": self.max_score, "message": self.message}


@dataclass(frozen=True)
class CheckResult:
    """Every check of one problem for one submission file."""

    problem: str
    title: str
    seed: int
    source: str
    tests: tuple[TestResult, ...]
    output: str = ""  # what the student's code printed, for information only
    extra: dict[str, Any] = field(default_factory=dict)
    confinement: str = "none"  # what confined the student's code, e.g. "landlock-v7+seccomp"
    limits: tuple[str, ...] = ()  # the limits in force on it, e.g. ("wall", "cpu", "memory")
    error: str = ""  # why no check could run (a syntax error with its line), said once

    @property
    def score(self) -> int:
        """Points earned."""
        return sum(test.score for test in self.tests)

    @property
    def max_score(self) -> int:
        """Points available."""
        return sum(test.max_score for test in self.tests)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(test.status == "pass" for test in self.tests)

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §3 shape of `check --json`."""
        return {"problem": self.problem, "score": self.score, "max_score": self.max_score,
                "passed": self.passed, "seed": self.seed, "file": self.source,
                "tests": [test.to_dict() for test in self.tests], "output": self.output,
                "confinement": self.confinement, "limits": list(self.limits),
                **({"error": self.error} if self.error else {})}
