"""`regquiz gradescope OUT.zip`: the zip's layout and its run_autograder on a temporary root."""

from __future__ import annotations

import contextlib
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


def test_zip_pins_the_installed_versions(tmp_path: Path) -> None:
    from importlib import metadata

    out = tmp_path / "autograder.zip"
    assert CliRunner().invoke(cli, ["gradescope", str(out)]).exit_code == 0
    pins = zipfile.ZipFile(out).read("constraints.txt").decode()
    for name in ("numpy", "pytest", "click", "platformdirs", "watchfiles", "pluggy"):
        assert f"{name}=={metadata.version(name)}\n" in pins
    assert f"# python {sys.version_info[0]}.{sys.version_info[1]}." in pins
    assert "nbgrader" not in pins and "matplotlib" not in pins  # extras are not for grading


def _interpreter(minor: int) -> str | None:
    """The real executable of a python3.MINOR on PATH or under pyenv, or None.

    A pyenv shim picks its Python by the name it is called with, so the test links the
    interpreter itself (its sys.executable), not the shim.
    """
    candidates = [shutil.which(f"python3.{minor}")]
    for root in (Path.home() / ".pyenv" / "versions", Path("/root/.pyenv/versions")):
        with contextlib.suppress(OSError):
            candidates += [str(path) for path in sorted(root.glob(f"3.{minor}.*/bin/python3.{minor}"))]
    for candidate in filter(None, candidates):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            asked = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[1], "
                                    "sys.executable)"], capture_output=True, text=True,
                                   timeout=30, check=True).stdout.split(maxsplit=1)
            if asked and asked[0] == str(minor):
                return asked[1].strip()
    return None


def _unpacked(tmp_path: Path, python: str) -> tuple[Path, dict[str, str]]:
    """The zip unpacked under tmp_path/root and an environment with `python` as python3."""
    out = tmp_path / "autograder.zip"
    assert CliRunner().invoke(cli, ["gradescope", str(out)]).exit_code == 0
    root = tmp_path / "root"
    zipfile.ZipFile(out).extractall(root / "source")
    first = tmp_path / "first-on-path"
    (tmp_path / "bin").mkdir()
    first.mkdir()
    (first / "python3").symlink_to(python)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), REGQUIZ_BIN_DIR=str(tmp_path / "bin"),
               PIP_NO_CACHE_DIR="1", PATH=f"{first}{os.pathsep}/usr/bin{os.pathsep}/bin")
    env.pop("VIRTUAL_ENV", None)
    return root, env


def _grade_in_image(root: Path, env: dict[str, str], files: list[Path]) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    for file in files:
        shutil.copy(file, submission / file.name)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow
def test_setup_sh_on_python310_then_run_autograder(tmp_path: Path) -> None:
    """Gradescope's default image (Ubuntu 22.04) has Python 3.10: setup.sh, then grading."""
    python = _interpreter(10)
    if python is None:
        pytest.skip("no python3.10 on this machine")
    root, env = _unpacked(tmp_path, python)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert "regquiz setup: Python 3.10." in setup.stdout
    assert (root / "venv" / "bin" / "regquiz").exists()
    assert os.path.realpath(tmp_path / "bin" / "regquiz") == str(root / "venv" / "bin" / "regquiz")
    version = subprocess.run([str(root / "venv" / "bin" / "python"), "-c",
                              "import sys, regquiz; print(sys.version_info[:2], regquiz.__file__)"],
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith("(3, 10)") and str(root / "source") in version

    full = _grade_in_image(root, env, sorted((REPO / "solutions").glob("problem*.py")))
    assert full["tests"] and full["score"] == sum(test["max_score"] for test in full["tests"])
    stub = _grade_in_image(root, env, sorted((REPO / "exercises").glob("problem*.py")))
    assert stub["tests"] and stub["score"] == 0
    assert sum(test["max_score"] for test in stub["tests"]) == full["score"]


def test_setup_sh_says_when_python_is_too_old(tmp_path: Path) -> None:
    python = next((found for minor in (9, 8, 7) if (found := _interpreter(minor))), None)
    if python is None:
        pytest.skip("no Python older than 3.10 on this machine")
    root, env = _unpacked(tmp_path, python)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=60)
    assert setup.returncode == 1
    [line] = setup.stderr.strip().splitlines()
    assert line.startswith("regquiz setup: ") and "too old" in line
    assert "needs Python 3.10 or newer" in line and "Ubuntu 22.04" in line
    assert not (root / "venv").exists()
