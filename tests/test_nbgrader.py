"""`regquiz nbgrader`: the export, its errors and a real nbgrader 0.9 round trip (problem2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from regquiz.cli import cli

REPO = Path(__file__).resolve().parents[1]


def test_course_dir_that_is_a_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    done = subprocess.run([sys.executable, "-m", "regquiz", "nbgrader", str(tmp_path / "f")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_export_keeps_an_existing_config(tmp_path: Path) -> None:
    (tmp_path / "nbgrader_config.py").write_text("# mine\n")
    assert CliRunner().invoke(cli, ["nbgrader", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "nbgrader_config.py").read_text() == "# mine\n"
    assert (tmp_path / "source/regularization/problem5.ipynb").is_file()


@pytest.mark.slow
def test_round_trip(tmp_path: Path) -> None:
    if os.environ.get("CI") is None:
        pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook

    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix"], env=env,
                   check=True, capture_output=True)
    assert CliRunner().invoke(cli, ["nbgrader", str(tmp_path)]).exit_code == 0

    def nbgrader(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]

    nbgrader("generate_assignment", "regularization")
    release = (tmp_path / "release/regularization/problem2.ipynb").read_text()
    assert "BEGIN SOLUTION" not in release and "HIDDEN TESTS" not in release
    assert '_rq_verdict(\\"heldout_' not in release
    assert "np.where" not in release or "np.where" in (REPO / "exercises/problem2.py").read_text()
    wrong = REPO / "tests/students/problem2/wrong_hard_threshold.py"
    students = {"solver": None, "cheater": "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                "import numpy\nnumpy.testing.assert_allclose = lambda *a, **k: None\n",
                "wrong": wrong.read_text(), "untouched": "release"}
    for student, code in students.items():
        origin = "release" if code == "release" else "source"
        notebook = json.loads((tmp_path / origin / "regularization/problem2.ipynb").read_text())
        if code not in (None, "release"):
            notebook["cells"][1]["source"] = code
        folder = tmp_path / "submitted" / student / "regularization"
        folder.mkdir(parents=True)
        (folder / "problem2.ipynb").write_text(json.dumps(notebook))
    nbgrader("autograde", "regularization")
    graded = subprocess.run([sys.executable, "-m", "regquiz", "grade", str(REPO / "solutions"),
                             "--problem", "problem2", "--json", "--seed", "0"],
                            capture_output=True, text=True)
    expected = json.loads(graded.stdout)[0]["score"]
    (tmp_path / "wrong-as-file").mkdir()
    (tmp_path / "wrong-as-file" / "problem2.py").write_text(wrong.read_text())
    graded_wrong = subprocess.run([sys.executable, "-m", "regquiz", "grade",
                                   str(tmp_path / "wrong-as-file"),
                                   "--problem", "problem2", "--json", "--seed", "0"],
                                  capture_output=True, text=True)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        solver = gradebook.find_submission_notebook("problem2", "regularization", "solver")
        cheater = gradebook.find_submission_notebook("problem2", "regularization", "cheater")
        assert solver.score == expected == solver.max_score
        assert cheater.score == 0
        untouched = gradebook.find_submission_notebook("problem2", "regularization", "untouched")
        assert untouched.score == 0
        partial = gradebook.find_submission_notebook("problem2", "regularization", "wrong")
        assert 0 < partial.score < partial.max_score
        assert partial.score == json.loads(graded_wrong.stdout)[0]["score"]  # same as regquiz grade
