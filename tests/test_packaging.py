"""The wheel students install: one package `regquiz`, stubs and suites inside, no solutions."""

from __future__ import annotations

import ast
import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from regquiz.manifest import load_manifest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the tracked tree, so that the build never writes into the checkout.
    source = tmp_path_factory.mktemp("source")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((REPO / name).read_bytes())
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(source)], check=True, capture_output=True)
    [built] = out.glob("regquiz-*.whl")
    return built


def test_wheel_has_one_package_with_stubs_suites_and_no_solutions(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.startswith("regquiz-")}
    assert top == {"regquiz"}
    for problem in load_manifest().problems:
        assert f"regquiz/_data/exercises/{problem.filename}" in names
        assert f"regquiz/suites/{problem.filename}" in names
    assert "regquiz/manifest.toml" in names and "regquiz/suites/pytest.ini" in names
    assert "regquiz/_data/quizzes/regularization.toml" in names
    assert "regquiz/instructor/grading.py" in names  # the instructors' subpackage ships too
    assert not [name for name in names if "solution" in name.lower()]
    # The held-out cases stay in the course source: they need solutions/ and must stay unseen.
    assert not [name for name in names if "heldout" in name.lower()]


def test_wheel_stubs_contain_no_solution_code(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    for name in archive.namelist():
        if not name.startswith("regquiz/_data/exercises/") or not name.endswith(".py"):
            continue
        tree = ast.parse(archive.read(name))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                assert isinstance(node.body[-1], ast.Raise) and len(node.body) == 2, name


def test_installed_wheel_works_without_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    # -S: no .pth files, so the editable install of this checkout cannot shadow the wheel.
    libraries = [path for path in site.getsitepackages() if Path(path).is_dir()]
    program = (f"import sys; sys.path[:0] = [{str(target)!r}]; sys.path += {libraries!r}; "
               "from regquiz.cli import main; main()")
    env = {**os.environ, "NO_COLOR": "1"}

    def regquiz(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-S", "-c", program, *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)

    located = subprocess.run([sys.executable, "-S", "-c", program.replace(
        "from regquiz.cli import main; main()", "import regquiz; print(regquiz.__file__)")],
        capture_output=True, text=True)
    assert located.stdout.startswith(str(target))
    assert regquiz("init").returncode == 0
    stub = regquiz("check", "problem2", "--json")
    assert stub.returncode == 1 and json.loads(stub.stdout)["score"] == 0
    solved = regquiz("check", "problem2", "--json", "--file", str(REPO / "solutions/problem2.py"))
    assert solved.returncode == 0, solved.stderr
    graded = regquiz("grade", str(tmp_path / "exercises"))
    assert graded.returncode == 2
    assert graded.stderr.strip() == ("regquiz: error: grading needs the course source "
                                     "(solutions/ and the held-out cases): run it from a clone of "
                                     "the course repository, not from the students' install")
    quiz = regquiz("quiz", "--answers", "DACBD", "--json")
    assert quiz.returncode == 0, quiz.stderr
    assert json.loads(quiz.stdout)["score"] == 5


def test_notebook_grading_falls_back_to_check_in_a_students_install(wheel: Path,
                                                                     tmp_path: Path) -> None:
    """A student running a released nbgrader notebook: no course source, so the visible checks."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    solution = (REPO / "solutions/problem2.py").read_text()
    program = (
        "import regquiz, sys\n"
        f"assert regquiz.__file__.startswith({str(target)!r}), regquiz.__file__\n"
        "from regquiz.notebook import grade_cells\n"
        f"verdict = grade_cells([{solution!r}], 'problem2')\n"
        "verdict('soft_threshold_examples')\n"
        "try:\n"
        "    verdict('heldout_lasso_lam_zero', heldout=True)\n"
        "except AssertionError as exc:\n"
        "    print(exc)\n")
    # PYTHONPATH puts the wheel before the editable install of this checkout, in the grading
    # process too.
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "this held-out case runs only where the course source is"
    assert done.stderr == ""


def test_installed_wheel_plots_with_the_closed_forms_for_reference(wheel: Path,
                                                                   tmp_path: Path) -> None:
    """No solutions/ in a wheel: `regquiz plot` draws its reference from grader/plots/formulas.py."""
    pytest.importorskip("matplotlib")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    assert "regquiz/plots/formulas.py" in zipfile.ZipFile(wheel).namelist()
    libraries = [path for path in site.getsitepackages() if Path(path).is_dir()]
    program = (f"import sys; sys.path[:0] = [{str(target)!r}]; sys.path += {libraries!r}\n"
               "from regquiz.manifest import load_manifest\n"
               "from regquiz.plots.command import reference_source\n"
               "print(reference_source(load_manifest().problem('problem2'))[1])\n"
               "from regquiz.cli import main; main()")
    out = tmp_path / "figure.png"
    done = subprocess.run([sys.executable, "-S", "-c", program, "plot", "problem2", "--file",
                           str(REPO / "solutions" / "problem2.py"), "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["formulas", str(out)]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
