"""`check` runs the suites without pytest, `grade` inside a pytest session: same verdicts."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO, STUDENTS
from regquiz.errors import ManifestError
from regquiz.manifest import load_manifest
from regquiz.runner import Job, run_checks
from regquiz.sandbox.forkserver import ForkServer
from regquiz.sandbox.launch import confinement_mode
from regquiz.session import GradingSession, run_directly, suite_tests

MANIFEST = load_manifest()


def _every_fixture_student() -> list[Job]:
    jobs = []
    for problem in MANIFEST.problems:
        files = [REPO / "solutions" / problem.filename, REPO / "exercises" / problem.filename,
                 *sorted((STUDENTS / problem.id).glob("*.py"))]
        jobs += [Job(problem, path, str(path)) for path in files]
    return jobs


def _comparable(message: str) -> str:
    # Students who draw from the global generator differ in how many mask entries differ.
    return re.sub(r"\(\d+ of \d+ entries differ\)", "(… entries differ)", message)


def test_both_paths_give_every_fixture_student_the_same_verdicts() -> None:
    jobs = _every_fixture_student()
    assert len(jobs) > 100
    with ForkServer(confinement_mode(required=False)) as server:
        in_session = run_checks(jobs, seed=99, fork_server=server)
        direct = run_checks(jobs, seed=99, fork_server=server, under_pytest=False)
    for job, a, b in zip(jobs, in_session, direct, strict=True):
        assert [(t.name, t.status, t.score, _comparable(t.message)) for t in a.tests] == \
               [(t.name, t.status, t.score, _comparable(t.message)) for t in b.tests], job.shown_as
    assert sum(r.score for r in direct) > 0
    assert {r.score == r.max_score for r in direct} == {True, False}


def test_the_direct_path_imports_no_pytest(tmp_path: Path) -> None:
    """What makes `check` fast: a cold check never imports pytest."""
    import subprocess

    code = ("import sys\nfrom pathlib import Path\nfrom regquiz.runner import Job, run_checks\n"
            "from regquiz.manifest import load_manifest\n"
            "p = load_manifest().problem('problem4')\n"
            f"path = Path({str(REPO / 'solutions' / 'problem4.py')!r})\n"
            "[r] = run_checks([Job(p, path, str(path))], seed=1, under_pytest=False)\n"
            "assert r.passed, r\n"
            "print(sorted(m for m in sys.modules if m == 'pytest' or m.startswith('_pytest')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={"REGQUIZ_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_suite_tests_are_the_manifest_checks_in_definition_order() -> None:
    for problem in MANIFEST.problems:
        module = __import__(f"regquiz.suites.{problem.id}", fromlist=["x"])
        names = [name.removeprefix("test_") for name, _, _ in suite_tests(module)]
        assert sorted(names) == sorted(check.name for check in problem.checks)
        lines = [function.__code__.co_firstlineno for _, function, _ in suite_tests(module)]
        assert lines == sorted(lines)


def test_a_suite_asking_for_an_unknown_fixture_is_reported() -> None:
    module = ModuleType("regquiz.suites.fake")

    def test_needs_tmp_path(tmp_path: Path) -> None:
        pass

    test_needs_tmp_path.__module__ = module.__name__
    module.test_needs_tmp_path = test_needs_tmp_path  # type: ignore[attr-defined]
    with pytest.raises(ManifestError, match="tmp_path"):
        list(suite_tests(module))


def test_an_unloadable_suite_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "regquiz.suites.problem1", None)  # import raises
    session = GradingSession([], seed=1)
    with pytest.raises(ManifestError, match="graded suite of problem1 could not be loaded"):
        run_directly(session, ["problem1"])
