"""Small result values shared by check, grade and the records, with their JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "error", "timeout"]
STUB_NOTE = "NotImplementedError: this function is still the stub"  # begins a stub's message line
HELDOUT_PREFIX = "heldout_"  # the held-out case `name` is reported as `heldout_<name>`

# What one submission can make a report hold, whatever its code does (SPEC §4: one student
# never costs another): a message, the messages and output of one problem, and the whole
# submission's, in characters.  Truncated text ends with a note that says so.
MAX_MESSAGE_CHARS = 4_000
MAX_CHECK_CHARS = 40_000
MAX_SUBMISSION_CHARS = 120_000


def truncated(text: str, limit: int) -> str:
    """`text`, or its first part and a note, within `limit` characters."""
    if len(text) <= limit:
        return text
    note = f" … [truncated: {len(text):,} characters, more than the {limit:,} a report keeps]"
    if len(note) >= limit:
        note = "…[truncated]"
        if len(note) >= limit:
            return text[:limit]
    return text[:limit - len(note)] + note


@dataclass(frozen=True)
class TestResult:
    """One graded check: its status, points and the message that explains it."""

    __test__ = False  # not a pytest test class, despite its name

    name: str
    status: Status
    score: int
    max_score: int
    message: str = ""

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE_CHARS:
            object.__setattr__(self, "message", truncated(self.message, MAX_MESSAGE_CHARS))

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

    def __post_init__(self) -> None:
        capped = capped_check(self, MAX_CHECK_CHARS)
        if capped is not self:
            for name in ("tests", "output", "error"):
                object.__setattr__(self, name, getattr(capped, name))

    @property
    def size(self) -> int:
        """The characters of student-influenced text this result holds."""
        return len(self.output) + len(self.error) + sum(len(test.message) for test in self.tests)

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


def capped_check(result: CheckResult, limit: int) -> CheckResult:
    """`result` with its output, error and messages cut to `limit` characters in all.

    Scores and statuses never change; the text is shared out in order (output last, as it
    is for information only), and each cut text says it was cut.
    """
    if result.size <= limit:
        return result
    left = limit
    error = truncated(result.error, max(0, left))
    left -= len(error)
    tests = []
    for test in result.tests:
        message = truncated(test.message, max(0, min(len(test.message), left)))
        left -= len(message)
        tests.append(test if message == test.message else
                     TestResult(test.name, test.status, test.score, test.max_score, message))
    output = truncated(result.output, max(0, left))
    return _rebuilt(result, tuple(tests), output, error)


def capped_submission(results: list[CheckResult],
                      limit: int = MAX_SUBMISSION_CHARS) -> list[CheckResult]:
    """One submission's results within `limit` characters of text in all (see capped_check)."""
    left, capped = limit, []
    for result in results:
        cut = capped_check(result, max(0, left))
        left -= cut.size
        capped.append(cut)
    return capped


def _rebuilt(result: CheckResult, tests: tuple[TestResult, ...], output: str,
             error: str) -> CheckResult:
    copy = object.__new__(CheckResult)  # (not through __init__: its cap would apply again)
    for name in result.__dataclass_fields__:
        object.__setattr__(copy, name, getattr(result, name))
    for name, value in (("tests", tests), ("output", output), ("error", error)):
        object.__setattr__(copy, name, value)
    return copy
