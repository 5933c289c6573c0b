"""`regquiz grade`: many submissions, the full suites and the held-out cases, in parallel.

A submission is a folder holding problemN.py or problemN.ipynb for some problems.  Each
problem file runs in the same sandbox as `check`; a missing or unreadable file scores 0
with a message.  Submissions are cut into batches; a worker process grades a batch in
one pytest session.  Nothing is recorded in the score database.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadSubmission, SubmissionNotFound, UsageError
from ..manifest import Problem, load_manifest
from ..results import HELDOUT_PREFIX, CheckResult, Status, TestResult, capped_submission

if TYPE_CHECKING:
    from ..runner import Job
    from .similarity import Alike
    from ..sandbox.forkserver import ForkServer
    from ..sandbox.portable import SparePool

MAX_BATCH = 32  # submissions per pytest session: enough to amortise its start-up


@dataclass(frozen=True)
class SubmissionResult:
    """Every graded problem of one submission folder."""

    submission: str
    problems: tuple[CheckResult, ...]
    similar: tuple[Alike, ...] | None = None  # with --similarity: what resembles what

    @property
    def score(self) -> int:
        """Points earned over every problem."""
        return sum(result.score for result in self.problems)

    @property
    def max_score(self) -> int:
        """Points available over every problem."""
        return sum(result.max_score for result in self.problems)

    @property
    def passed(self) -> bool:
        """True when every check and held-out case passed."""
        return all(result.passed for result in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §3 shape of one submission in `grade --json`."""
        shape = {"submission": self.submission, "score": self.score,
                 "max_score": self.max_score, "passed": self.passed,
                 "problems": [result.to_dict() for result in self.problems]}
        if self.similar is not None:
            shape["similar"] = [alike.to_dict() for alike in self.similar]
        return shape


def submission_folders(paths: Sequence[Path]) -> list[Path]:
    """The folders to grade, or a UsageError naming the first bad one."""
    if not paths:
        raise UsageError("name at least one submission folder")
    for path in paths:
        if not path.exists():
            raise SubmissionNotFound(f"no such folder: {path}")
        if not path.is_dir():
            raise UsageError(f"{path} is a file; a submission is a folder of problemN.py "
                             "or problemN.ipynb files")
    return list(paths)


def grade_submissions(folders: Sequence[Path], *, problems: Sequence[Problem], seed: int,
                      workers: int = 1, unconfined: bool = False,
                      progress: Callable[[int], None] | None = None) -> list[SubmissionResult]:
    """Grade every folder on `problems` (held-out cases included); results in input order.

    Student code must be confined (EnvironmentBroken where the kernel cannot) unless
    `unconfined` accepts running it with the grader's rights.  `progress(n)` is called as
    each batch of n submissions finishes.
    """
    from ..references import require_source
    from ..sandbox.launch import confinement_mode

    require_source()
    mode = confinement_mode(required=True, unconfined=unconfined)
    ids = [problem.id for problem in problems]
    batches = _batches([str(folder) for folder in folders], workers)
    if workers > 1 and len(batches) > 1:
        return _grade_in_parallel(batches, ids, seed, workers, mode, progress)
    from ..sandbox import warm_server

    graded = []
    with warm_server(mode) as server:
        for batch in batches:
            graded += grade_batch(batch, ids, seed, server=server, mode=mode)
            if progress is not None:
                progress(len(batch))
    return graded


def _batches(folders: list[str], workers: int) -> list[list[str]]:
    """About four batches per worker (the last ones finish together), at most MAX_BATCH each."""
    if not folders:
        return []
    size = max(1, min(MAX_BATCH, math.ceil(len(folders) / (4 * max(1, workers)))))
    return [folders[i:i + size] for i in range(0, len(folders), size)]


def _grade_in_parallel(batches: list[list[str]], ids: list[str], seed: int, workers: int,
                       mode: str, progress: Callable[[int], None] | None) -> list[SubmissionResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: a fresh, single-threaded interpreter per worker (fork from a process with
    # threads is unsafe); each worker imports numpy and pytest once for all its batches.
    context = multiprocessing.get_context("spawn")
    done: dict[int, list[SubmissionResult]] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=context,
                             initializer=_single_threaded_blas) as pool:
        futures = {pool.submit(_grade_batch_in_worker, batch, ids, seed, mode): index
                   for index, batch in enumerate(batches)}
        try:
            for future in as_completed(futures):
                index = futures[future]
                done[index] = future.result()
                if progress is not None:
                    progress(len(batches[index]))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [result for index in range(len(batches)) for result in done[index]]


def _single_threaded_blas() -> None:
    """Pool worker start-up, before numpy loads: one BLAS thread per worker.

    The workers are the parallelism and the checks' matrices are tiny; OpenBLAS's own
    threads would only spin after each call, taking CPU from the sandboxes.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"


def _grade_batch_in_worker(folders: Sequence[str], problem_ids: Sequence[str],
                           seed: int, mode: str) -> list[SubmissionResult]:
    """grade_batch in a pool worker, with the worker's fork server (kept for its next batch)."""
    from ..sandbox.forkserver import shared_server

    return grade_batch(folders, problem_ids, seed, server=shared_server(mode), mode=mode)


def grade_batch(folders: Sequence[str], problem_ids: Sequence[str], seed: int,
                server: ForkServer | SparePool | None = None,
                mode: str = "require") -> list[SubmissionResult]:
    """Grade a batch of submission folders in this process, in one pytest session.

    Sandboxes are forked from `server` (default: a fork server started for this batch
    under confinement `mode`).
    """
    from ..references import RememberingReference, load_references
    from ..runner import run_checks
    from ..sandbox import warm_server
    from ..sandbox.reaper import become_subreaper

    become_subreaper()
    manifest = load_manifest()
    problems = [manifest.problem(problem_id) for problem_id in problem_ids]
    references = {problem_id: RememberingReference(module)  # one memory per batch
                  for problem_id, module in load_references(problem_ids).items()}
    with tempfile.TemporaryDirectory(prefix="regquiz-grade-") as scratch:
        jobs: list[Job] = []
        slots: list[list[CheckResult | Job]] = []
        for number, folder in enumerate(folders):
            row: list[CheckResult | Job] = []
            for problem in problems:
                try:
                    job = _job(Path(folder), problem, Path(scratch, str(number)))
                except (SubmissionNotFound, BadSubmission) as exc:
                    row.append(_unanswered(problem, folder, seed, str(exc), mode))
                    continue
                except Exception as exc:  # noqa: BLE001 - one student's file costs only them
                    row.append(_unanswered(problem, folder, seed, unreadable_note(
                        Path(folder, problem.filename), exc), mode))
                    continue
                jobs.append(job)
                row.append(job)
            slots.append(row)
        graded: Iterator[CheckResult] = iter(())
        if jobs:
            with contextlib.ExitStack() as stack:
                if server is None:
                    server = stack.enter_context(warm_server(mode))
                graded = iter(run_checks(jobs, seed=seed, references=references,
                                         fork_server=server))
        # each submission's text is capped as a whole (scores untouched): one student's
        # flood cannot make the class's JSON, CSV notes or feedback large
        return [SubmissionResult(folder, tuple(capped_submission([
            next(graded) if not isinstance(item, CheckResult) else item for item in row])))
            for folder, row in zip(folders, slots)]


def _job(folder: Path, problem: Problem, workdir: Path) -> Job:
    from ..runner import Job
    from ..submission import as_python_file

    for suffix in (".py", ".ipynb"):
        path = folder / f"{problem.id}{suffix}"
        if path.exists():
            workdir.mkdir(parents=True, exist_ok=True)
            return Job(problem, as_python_file(path, workdir, problem.id), str(path))
    from .notes import MISSING, did_you_mean

    raise SubmissionNotFound(f"{MISSING}no {problem.id}.py or {problem.id}.ipynb in {folder}"
                             + did_you_mean(folder, problem.id))


def unreadable_note(path: Path, exc: BaseException) -> str:
    """The one line a submission file that could not be read at all gets."""
    return f"could not read {path}: {type(exc).__name__} (this file scores 0)"


def _unanswered(problem: Problem, folder: str, seed: int, message: str,
                mode: str) -> CheckResult:
    """A problem whose file is missing or unreadable: every test scores 0 with the reason."""
    status: Status = "fail" if message.startswith("missing:") else "error"
    tests = [TestResult(check.name, status, 0, check.points, message) for check in problem.checks]
    tests += [TestResult(HELDOUT_PREFIX + check.name, status, 0, check.points, message)
              for check in problem.heldout]
    from ..sandbox.launch import described

    return CheckResult(problem.id, problem.title, seed, os.path.join(folder, problem.filename),
                       tuple(tests), confinement=described(mode))
