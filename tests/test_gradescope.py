"""`regquiz gradescope OUT.zip`: the zip's layout and its run_autograder on a temporary root."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from regquiz.cli import cli

REPO = Path(__file__).resolve().parents[1]


def test_zip_layout(tmp_path: Path) -> None:
    out = tmp_path / "autograder.zip"
    result = CliRunner().invoke(cli, ["gradescope", str(out)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(out).namelist()
    for required in ("setup.sh", "run_autograder", "pyproject.toml", "solutions/problem2.py",
                     "grader/manifest.toml", "grader/heldout/problem2.py", "exercises/problem2.py"):
        assert required in names
    assert not any("__pycache__" in name for name in names)
    mode = zipfile.ZipFile(out).getinfo("run_autograder").external_attr >> 16
    assert mode & stat.S_IXUSR


@pytest.mark.parametrize("out", ["missing-dir/a.zip", "notzip.txt"])
def test_bad_out_is_one_line_exit_2(tmp_path: Path, out: str) -> None:
    result = subprocess.run([sys.executable, "-m", "regquiz", "gradescope", str(tmp_path / out)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("regquiz: error: ") and result.stderr.count("\n") == 1


def _run_autograder(tmp_path: Path, submission: Path | None) -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "autograder.zip"
    assert CliRunner().invoke(cli, ["gradescope", str(out)]).exit_code == 0
    root = tmp_path / "root"
    zipfile.ZipFile(out).extractall(root / "source")
    (root / "submission").mkdir()
    if submission is not None:
        shutil.copy(submission, root / "submission" / submission.name)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    script = root / "source" / "run_autograder"
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_grades_the_submission(tmp_path: Path) -> None:
    results = _run_autograder(tmp_path, REPO / "solutions" / "problem2.py")
    assert results["tests"] and results["score"] > 0
    assert all({"name", "score", "max_score", "output", "visibility"} <= set(test)
               for test in results["tests"])


def test_run_autograder_writes_results_when_grading_fails(tmp_path: Path) -> None:
    results = _run_autograder(tmp_path, None)
    assert results["score"] == 0 and results["tests"]
