"""Run the graded suites in this (trusted) process, against sandboxed students.

One session serves every problem of a run; each problem's student module runs in its own
child process, started before the suites are even imported so that the child's numpy
import overlaps ours.  `grade` runs the session inside pytest (held-out suites, a batch of
submissions); `check` and `watch` run the same test functions directly (session.py), since
importing pytest was a third of a cold check.  Points come from the manifest, never from
the suites.
"""

from __future__ import annotations

import os
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .errors import ManifestError
from .manifest import Problem, load_manifest
from .paths import HELDOUT_DIR, SUITES_DIR
from .results import HELDOUT_PREFIX, CheckResult, Status, TestResult
from .sandbox.process import Limits, StudentProcess

if TYPE_CHECKING:
    from .sandbox.forkserver import ForkServer
    from .sandbox.portable import SparePool


@dataclass(frozen=True)
class Job:
    """One problem to grade from one source file (a .py; notebooks are converted first)."""

    problem: Problem
    source: Path
    shown_as: str  # the path the user named, for messages and records


def run_checks(jobs: Sequence[Job], *, seed: int,
               references: Mapping[str, ModuleType] | None = None,
               fork_server: ForkServer | SparePool | None = None,
               confinement: str | None = None,
               under_pytest: bool = True) -> list[CheckResult]:
    """Grade every job with its problem's suite; one CheckResult per job, in order.

    With `references` (problem id -> reference module) the held-out cases run too, after
    the visible checks, named `heldout_<name>`.  With a `fork_server` the sandboxes are
    forked from it (under its confinement mode) instead of spawned under `confinement`
    (launch.confinement_mode's "require", "try" or "off"; default: what `check` uses).
    `under_pytest=False` runs the visible checks without a pytest session (no held-out
    cases then): the same test functions and verdicts, without pytest's start-up.
    """
    if references is not None and not under_pytest:
        raise ValueError("held-out cases run only in a pytest session")
    from .precompile import source_error

    broken = {index: error for index, job in enumerate(jobs)
              if (error := source_error(job.source, job.shown_as))}
    if broken:  # no child for a file that does not compile: its error is said once
        rest = iter(run_checks([job for index, job in enumerate(jobs) if index not in broken],
                               seed=seed, references=references, fork_server=fork_server,
                               confinement=confinement, under_pytest=under_pytest)
                    if len(broken) < len(jobs) else [])
        from .sandbox.launch import described

        mode = getattr(fork_server, "mode", None) or confinement or "try"
        return [_not_compiled(job, broken[index], seed, heldout=references is not None,
                              confinement=described(mode))
                if index in broken else next(rest) for index, job in enumerate(jobs)]
    if confinement is None:
        from .sandbox.launch import confinement_mode

        confinement = confinement_mode(required=False)
    manifest = load_manifest()
    processes = []
    for job in jobs:
        limits = Limits(time_budget=job.problem.time_limit, call_time=manifest.call_time_limit)
        functions = [function.name for function in job.problem.functions]
        processes.append(StudentProcess(job.source, job.problem.id, functions, limits,
                                        home=Path(job.shown_as).parent, server=fork_server,
                                        confinement=confinement))
    # `check` starts every sandbox at once (their numpy imports overlap ours); a batch of
    # submissions keeps only a few alive: each is closed after its job's last test.
    ahead = len(jobs) if len(jobs) <= len(manifest.problems) else _BATCH_AHEAD
    started = [0]

    def start_more(done: int) -> None:
        while started[0] < len(jobs) and started[0] <= done + ahead:
            processes[started[0]].start()
            started[0] += 1

    def job_done(index: int) -> None:
        processes[index].close()
        start_more(index)

    try:
        start_more(-1)
        if under_pytest:
            outcomes = _run_suites(jobs, processes, seed, references, job_done)
        else:
            outcomes = _run_directly(jobs, processes, seed, job_done)
    finally:
        for process in processes:
            process.close()
    results = []
    for index, (job, process) in enumerate(zip(jobs, processes)):
        tests = []
        for name, points in _graded_names(job.problem, heldout=references is not None):
            status, message = outcomes.get((index, name), ("error", "not run"))
            score = points if status == "pass" else 0
            tests.append(TestResult(name, status, score, points, message))
        results.append(CheckResult(job.problem.id, job.problem.title, seed, job.shown_as,
                                   tuple(tests), output=process.output,
                                   confinement=process.confinement,
                                   limits=process.enforced))
    return results


def _not_compiled(job: Job, error: str, seed: int, *, heldout: bool,
                  confinement: str) -> CheckResult:
    """Every check of a file that does not compile: 0 points, the error once in `error`."""
    from .precompile import NOT_RUN, first_line

    message = NOT_RUN + first_line(error)
    tests = tuple(TestResult(name, "error", 0, points, message)
                  for name, points in _graded_names(job.problem, heldout=heldout))
    return CheckResult(job.problem.id, job.problem.title, seed, job.shown_as, tests,
                       confinement=confinement, error=error)


_BATCH_AHEAD = 2  # sandboxes started ahead of the job being graded, in a batch


def _graded_names(problem: Problem, *, heldout: bool) -> list[tuple[str, int]]:
    names = [(check.name, check.points) for check in problem.checks]
    if heldout:
        names += [(HELDOUT_PREFIX + check.name, check.points) for check in problem.heldout]
    return names


def _run_directly(jobs: Sequence[Job], processes: Sequence[StudentProcess], seed: int,
                  job_done: Callable[[int], None]) -> dict[tuple[int, str], tuple[Status, str]]:
    from .checks import Student
    from .session import GradingSession, run_directly

    students = [Student(job.problem, process, job.shown_as)
                for job, process in zip(jobs, processes)]
    session = GradingSession(students, seed, on_job_done=job_done)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as in _run_suites: the checks judge NaNs themselves
        run_directly(session, [job.problem.id for job in jobs])
    if session.broken is not None:
        raise session.broken
    _check_against_manifest(jobs, session.outcomes, heldout=False)
    return session.outcomes


def _run_suites(jobs: Sequence[Job], processes: Sequence[StudentProcess], seed: int,
                references: Mapping[str, ModuleType] | None,
                job_done: Callable[[int], None]) -> dict[tuple[int, str], tuple[Status, str]]:
    import pytest

    from ._plugin import GradingPlugin
    from .checks import Student

    students = [Student(job.problem, process, job.shown_as)
                for job, process in zip(jobs, processes)]
    plugin = GradingPlugin(students, seed, references=references, on_job_done=job_done)
    problems = list(dict.fromkeys(job.problem for job in jobs))
    suites = [str(SUITES_DIR / problem.filename) for problem in problems]
    if references is not None:
        suites += [str(HELDOUT_DIR / problem.filename) for problem in problems if problem.heldout]
    args = [*suites, "-c", str(SUITES_DIR / "pytest.ini"), "--rootdir", str(SUITES_DIR.parent),
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
    _check_against_manifest(jobs, plugin.outcomes, heldout=references is not None)
    return plugin.outcomes


def _check_against_manifest(jobs: Sequence[Job], outcomes: Mapping[tuple[int, str], object], *,
                            heldout: bool) -> None:
    """Every job ran exactly the checks its manifest entry declares."""
    ran_by_job: dict[int, set[str]] = {}
    for job_index, name in outcomes:
        ran_by_job.setdefault(job_index, set()).add(name)
    for index, job in enumerate(jobs):
        declared = {name for name, _ in _graded_names(job.problem, heldout=heldout)}
        ran = ran_by_job.get(index, set())
        if declared != ran:
            raise ManifestError(f"the suite of {job.problem.id} and the manifest disagree: "
                                f"only in the manifest {sorted(declared - ran)}, "
                                f"only in the suite {sorted(ran - declared)}")


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


def fresh_seed() -> int:
    """A random seed for a run's inputs (os.urandom: `secrets` costs a cold check ~6 ms)."""
    return int.from_bytes(os.urandom(4), "big") % 2**31


def rng_seed(seed: int, test_name: str) -> list[int]:
    """The entropy for one test's generator: the run's seed and the test's name."""
    return [seed, zlib.crc32(test_name.encode())]
