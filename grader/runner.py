"""Run the graded suites with pytest, in this (trusted) process, against sandboxed students.

One pytest session serves every problem of a run; each problem's student module runs in
its own child process, started before pytest is even imported so that the child's numpy
import overlaps ours.  Points come from the manifest, never from the suites.
"""

from __future__ import annotations

import os
import warnings
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ManifestError
from .manifest import Problem, load_manifest
from .paths import SUITES_DIR
from .results import CheckResult, Status, TestResult
from .sandbox import Limits, StudentProcess


@dataclass(frozen=True)
class Job:
    """One problem to grade from one source file (a .py; notebooks are converted first)."""

    problem: Problem
    source: Path
    shown_as: str  # the path the user named, for messages and records


def run_checks(jobs: Sequence[Job], *, seed: int) -> list[CheckResult]:
    """Grade every job with its problem's suite; one CheckResult per job, in order."""
    manifest = load_manifest()
    processes = []
    for job in jobs:
        limits = Limits(time_budget=job.problem.time_limit, call_time=manifest.call_time_limit)
        functions = [function.name for function in job.problem.functions]
        processes.append(StudentProcess(job.source, job.problem.id, functions, limits,
                                        home=Path(job.shown_as).parent))
    try:
        for process in processes:
            process.start()
        outcomes = _run_suites(jobs, processes, seed)
    finally:
        for process in processes:
            process.close()
    results = []
    for job, process in zip(jobs, processes):
        tests = []
        for check in job.problem.checks:
            status, message = outcomes.get((job.problem.id, check.name), ("error", "not run"))
            score = check.points if status == "pass" else 0
            tests.append(TestResult(check.name, status, score, check.points, message))
        results.append(CheckResult(job.problem.id, job.problem.title, seed, job.shown_as,
                                   tuple(tests), output=process.output))
    return results


def _run_suites(jobs: Sequence[Job], processes: Sequence[StudentProcess],
                seed: int) -> dict[tuple[str, str], tuple[Status, str]]:
    import pytest

    from ._plugin import GradingPlugin
    from .checks import Student

    students = {job.problem.id: Student(job.problem, process, job.shown_as)
                for job, process in zip(jobs, processes)}
    plugin = GradingPlugin(students, seed)
    suites = [str(SUITES_DIR / job.problem.filename) for job in jobs]
    args = [*suites, "-c", str(SUITES_DIR / "pytest.ini"), "--rootdir", str(SUITES_DIR),
            "--noconftest", "--assert=plain", "--import-mode=importlib", "--capture=no",
            "-p", "no:terminal"]
    for name in _UNUSED_PLUGINS:
        args += ["-p", f"no:{name}"]
    with _pytest_environment(), warnings.catch_warnings():
        # Arithmetic on a student's NaN or overflowing answer must not print numpy warnings
        # over the report: the checks judge such answers themselves.
        warnings.simplefilter("ignore")
        code = pytest.main(args, plugins=[plugin])
    if plugin.broken is not None:
        raise plugin.broken
    if code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt  # pytest swallowed the user's Ctrl-C; pass it on
    if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise ManifestError(f"the grading session could not run (pytest exit code {int(code)})")
    if plugin.collect_errors:
        raise ManifestError("a graded suite could not be loaded (a bug in regquiz, please "
                            "report it): " + plugin.collect_errors[0].splitlines()[-1])
    for job in jobs:
        declared = {check.name for check in job.problem.checks}
        ran = {name for problem, name in plugin.outcomes if problem == job.problem.id}
        if declared != ran:
            raise ManifestError(f"the suite of {job.problem.id} and the manifest disagree: "
                                f"only in the manifest {sorted(declared - ran)}, "
                                f"only in the suite {sorted(ran - declared)}")
    return plugin.outcomes


# Built-in plugins a grading session never needs; skipping them saves start-up time.
_UNUSED_PLUGINS = ("cacheprovider", "junitxml", "pastebin", "doctest", "legacypath", "tmpdir",
                   "monkeypatch", "recwarn", "stepwise", "warnings", "logging", "debugging",
                   "faulthandler", "unittest", "setuponly", "setupplan", "nose",
                   "unraisableexception", "threadexception")


@contextmanager
def _pytest_environment() -> Iterator[None]:
    """No third-party plugins and no user addopts may touch a grading session."""
    saved = {name: os.environ.get(name) for name in ("PYTEST_DISABLE_PLUGIN_AUTOLOAD",
                                                     "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def rng_seed(seed: int, test_name: str) -> list[int]:
    """The entropy for one test's generator: the run's seed and the test's name."""
    return [seed, zlib.crc32(test_name.encode())]
