"""A warm grader: what every cold `check` loads, loaded once, for `regquiz watch`.

A cold check pays for an interpreter, click, numpy, the suites and a sandbox child that
imports numpy again.  The warm grader keeps the suites imported and a warm server (sandbox.warm_server: on
Linux a fork server with numpy loaded, confined as for `grade`, so a re-check forks one
fresh confined child; elsewhere a spare child that imported numpy while the student typed)
and runs the same test functions as `check` (runner.run_checks, without a pytest session).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

from .manifest import Problem, load_manifest
from .results import CheckResult


class WarmGrader:
    """Use as `with WarmGrader() as grader: grader.grade(problem, path, seed)`."""

    def __init__(self) -> None:
        from .sandbox import warm_server
        from .sandbox.launch import confinement_mode

        self._server = warm_server(confinement_mode(required=False))
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> WarmGrader:
        self._server.start()  # its numpy import overlaps ours below
        try:
            from . import runner  # noqa: F401 - imported now rather than at the first save
            from .session import load_suite

            for problem in load_manifest().problems:
                load_suite(problem.id)
            self._scratch = tempfile.TemporaryDirectory(prefix="regquiz-watch-")
        except BaseException:
            self._server.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    @property
    def confinement(self) -> str:
        """The confinement mode of the children ("try" or "off", as for `check`)."""
        return self._server.mode

    def grade(self, problem: Problem, path: Path, source: bytes, seed: int) -> CheckResult:
        """Grade `source` (the bytes of `path` as read once) as `check --file path` would."""
        from .hints import closed_forms_revealed
        from .runner import Job, run_checks

        if self._scratch is None:
            raise RuntimeError("WarmGrader.grade is used inside its with block")
        snapshot = Path(self._scratch.name, f"{problem.id}.py")
        temporary = snapshot.with_name(f".{problem.id}.{os.getpid()}.tmp")
        temporary.write_bytes(source)
        os.replace(temporary, snapshot)
        # shown_as is the real path: its folder's helper modules are copied beside it.
        with closed_forms_revealed([problem]):
            [result] = run_checks([Job(problem, snapshot, str(path))], seed=seed,
                                  fork_server=self._server, under_pytest=False)
        return result
