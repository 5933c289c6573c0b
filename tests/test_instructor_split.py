"""regquiz.instructor holds what only instructors run; no student command imports it."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

# What a student's commands load: the CLI itself, check's runner and sandbox, watch, quiz,
# hints, plots, records and the kernel side of the nbgrader notebooks.
STUDENT_MODULES = ["regquiz.cli", "regquiz.runner", "regquiz.session", "regquiz._plugin",
                   "regquiz.submission", "regquiz.watch", "regquiz.watch_screen",
                   "regquiz.quiz", "regquiz.quiz_session", "regquiz.hints", "regquiz.render",
                   "regquiz.records", "regquiz.notebook", "regquiz.plots",
                   "regquiz.plots.command"]

_LOADED = ("import importlib, json, sys\n"
           "for name in sys.argv[1:]: importlib.import_module(name)\n"
           "print(json.dumps(sorted(m for m in sys.modules if m.startswith('regquiz.instructor'))))")


def _python(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False,
                          cwd=cwd, env={**os.environ, "MPLBACKEND": "Agg"})


def test_student_modules_do_not_import_the_instructor_package() -> None:
    run = _python("-c", _LOADED, *STUDENT_MODULES)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


def test_regquiz_check_runs_without_importing_the_instructor_package(tmp_path: Path) -> None:
    script = ("import sys\n"
              "from regquiz.cli import cli\n"
              "try:\n"
              "    cli(['check', 'problem1', '--file', sys.argv[1], '--json'])\n"
              "except SystemExit as exc:\n"
              "    code = exc.code\n"
              "bad = sorted(m for m in sys.modules if m.startswith('regquiz.instructor'))\n"
              "print('INSTRUCTOR-MODULES', bad, 'EXIT', code, file=sys.stderr)\n")
    run = _python("-c", script, str(REPO / "solutions" / "problem1.py"), cwd=tmp_path)
    assert "INSTRUCTOR-MODULES [] EXIT 0" in run.stderr, run.stderr[-2000:]
    assert json.loads(run.stdout)["passed"] is True


def test_old_nbgrader_configs_still_find_autograde_preprocessors() -> None:
    """As nbgrader loads a config: a fresh interpreter importing the old and the new path."""
    if importlib.util.find_spec("nbgrader") is None:
        pytest.skip("needs the instructors' extra (nbgrader)")
    script = ("from regquiz.nbgrader_autograde import autograde_preprocessors as old, "
              "sanitize_preprocessors as old_sanitize\n"
              "from regquiz.instructor import nbgrader_autograde as new\n"
              "assert old is new.autograde_preprocessors\n"
              "assert old_sanitize is new.sanitize_preprocessors\n"
              "print(sorted(step.__name__ for step in old() + old_sanitize()))\n")
    run = _python("-c", script)
    assert run.returncode == 0, run.stderr[-2000:]
    steps = run.stdout
    assert "'RegquizExecute'" in steps and "'RestoreHiddenTests'" in steps
    assert "'Execute'" not in steps and "'OverwriteCells'" not in steps
