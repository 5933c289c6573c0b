"""Shared fixtures: every test gets its own REGQUIZ_HOME; helpers to grade fixture students."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regquiz.manifest import load_manifest
from regquiz.results import CheckResult
from regquiz.runner import Job, run_checks
from regquiz.sandbox import confine

if not confine.probe().available:
    # A machine that cannot confine (macOS, an old kernel): grade, Gradescope and nbgrader
    # would refuse every test's submission; the confinement tests themselves skip.
    os.environ.setdefault("REGQUIZ_UNCONFINED", "1")

REPO = Path(__file__).resolve().parent.parent
STUDENTS = Path(__file__).resolve().parent / "students"


@pytest.fixture(autouse=True)
def regquiz_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scores of a test go to a temporary folder, never to the user's data folder."""
    home = tmp_path / "regquiz-home"
    monkeypatch.setenv("REGQUIZ_HOME", str(home))
    return home


def grade_file(problem_id: str, path: Path, seed: int = 1234) -> CheckResult:
    """Run the graded suite of `problem_id` on one file, in this process, as `check` does.

    (Without a pytest session; tests/test_runner_paths.py proves a session gives the same.)
    """
    problem = load_manifest().problem(problem_id)
    [result] = run_checks([Job(problem, path, str(path))], seed=seed, under_pytest=False)
    return result


def failing(result: CheckResult) -> str:
    """The non-passing checks and their messages, for assertion output."""
    return "\n".join(f"{t.status} {t.name}: {t.message}" for t in result.tests if t.status != "pass")


def earn(problem_id: str) -> None:
    """Record every last hint rung of the problem as seen: its results are earned (SPEC §7)."""
    from regquiz.records import open_records

    problem = load_manifest().problem(problem_id)
    with open_records() as records:
        for ladder in problem.hints:
            for _ in ladder.rungs:
                records.take_rung(problem.id, ladder.function, len(ladder.rungs))
