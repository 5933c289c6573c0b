"""`regquiz plot` and `python -m regquiz.plots` as users meet them: PNGs, exit codes, errors.

The PNGs are checked by their size (IHDR) and text chunks (title, failures); the tests that
draw skip without matplotlib (the `plots` extra), the missing-extra tests run anyway.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from plot_helpers import (DRAWN, PROBLEMS, SIZE, mpl, one_line_error, png_text, problem2_with,
                          run, student_data, write_student)
from regquiz.plots.draw import INSTALL_HINT, png_size

__all__ = ["mpl"]  # a fixture


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_the_solution_draws_an_800_by_450_png_and_exits_0(problem_id: str, tmp_path: Path,
                                                          mpl: None) -> None:
    out = tmp_path / "figure.png"
    result = run("plot", problem_id, "--file", str(REPO / "solutions" / f"{problem_id}.py"),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out) and result.stderr == ""
    png = out.read_bytes()
    assert png_size(png) == SIZE
    assert png_text(png)["Title"].startswith(f"{problem_id} · ")
    assert "Description" not in png_text(png)
    assert "Software" not in png_text(png)  # so that docs/ regenerates byte for byte


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_the_stub_draws_the_reference_and_names_every_function(problem_id: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               mpl: None) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    result = run("plot", problem_id)
    assert result.exit_code == 1, result.output
    out = tmp_path / "exercises" / f"{problem_id}.png"
    assert result.stdout.strip() == str(out.resolve()) or result.stdout.strip() == str(out)
    png = out.read_bytes()
    assert png_size(png) == SIZE
    description = png_text(png)["Description"]
    for function in DRAWN[problem_id]:
        assert f"{function} is not written yet" in description
        assert f"not drawn: {function} is not written yet" in result.stderr
    data = student_data(problem_id, tmp_path / "exercises" / f"{problem_id}.py")
    assert {f.function for f in data.failures} == DRAWN[problem_id]
    assert data.series_of("student") == [] and data.series_of("reference")
    assert data.failure_line.endswith("the reference is drawn instead")


def test_the_failure_is_written_in_the_figure_itself(tmp_path: Path, mpl: None) -> None:
    from regquiz.plots.draw import render

    data = student_data("problem2", REPO / "exercises" / "problem2.py")
    figure = render(data)
    texts = [text.get_text().replace("\n", " ") for text in figure.texts]
    assert any("soft_threshold is not written yet" in text for text in texts)
    assert figure.get_suptitle() == data.title


def test_a_wrong_shape_exits_1_with_the_reference_drawn(tmp_path: Path, mpl: None) -> None:
    path = write_student(tmp_path, "problem2", problem2_with("return np.zeros(3)"))
    result = run("plot", "problem2", "--file", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == ("regquiz: not drawn: soft_threshold returned shape (3,) "
                                     "where shape (301,) was expected")
    png = (tmp_path / "problem2.png").read_bytes()
    assert png_size(png) == SIZE and "soft_threshold returned shape" in png_text(png)["Description"]


def test_a_notebook_is_drawn_from_its_code_cells(tmp_path: Path, mpl: None) -> None:
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# mine"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": (REPO / "solutions" / "problem5.py").read_text()}]}
    path = tmp_path / "problem5.ipynb"
    path.write_text(json.dumps(notebook))
    result = run("plot", "problem5", "--file", str(path))
    assert result.exit_code == 0, result.output
    assert png_size((tmp_path / "problem5.png").read_bytes()) == SIZE


def test_show_opens_the_png(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mpl: None) -> None:
    import click

    opened: list[str] = []

    def launch(url: str, **options: object) -> int:
        opened.append(url)
        return 0

    monkeypatch.setattr(click, "launch", launch)
    out = tmp_path / "seen.png"
    result = run("plot", "problem4", "--file", str(REPO / "solutions" / "problem4.py"),
                 "--out", str(out), "--show")
    assert result.exit_code == 0 and opened == [str(out)]


@pytest.mark.parametrize(("args", "words"), [
    (["plot", "problm2"], "did you mean problem2?"),
    (["plot", "problem2", "--file", "nope.py"], "no such file: nope.py"),
    (["plot", "problem2", "--file", str(REPO / "solutions" / "problem2.py"), "--out",
      "no/such/folder/x.png"], "no such folder"),
    (["plot", "problem2", "--file", str(REPO / "solutions" / "problem2.py"), "--out", "x.txt"],
     "must name a .png file"),
])
def test_usage_errors_are_one_line_and_exit_2(args: list[str], words: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    assert words in one_line_error(result)
    assert not list(tmp_path.glob("*.png"))


def test_without_an_exercise_it_says_what_to_do(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("plot", "problem2")
    assert result.exit_code == 2
    assert "run `regquiz init`" in one_line_error(result)


def test_an_unwritable_out_is_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run("plot", "problem2", "--file", str(REPO / "solutions" / "problem2.py"),
                     "--out", str(folder / "x.png"))
    finally:
        folder.chmod(0o700)
    if result.exit_code == 0:
        pytest.skip("running as root: the folder is writable anyway")
    assert result.exit_code == 2 and "cannot write" in one_line_error(result)


def test_without_matplotlib_one_line_names_the_extra_and_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    result = run("plot", "problem2", "--file", str(REPO / "solutions" / "problem2.py"),
                 "--out", str(tmp_path / "x.png"))
    assert result.exit_code == 3
    assert one_line_error(result) == f"regquiz: error: {INSTALL_HINT}"
    assert "pip install 'regquiz[plots]'" in INSTALL_HINT
    assert not (tmp_path / "x.png").exists()
    from regquiz.plots.__main__ import main

    assert main(["--all", str(tmp_path / "docs")]) == 3
    assert not list((tmp_path / "docs").glob("*.png"))


def test_plot_help_imports_neither_numpy_nor_matplotlib(tmp_path: Path) -> None:
    program = ("import sys\nfrom regquiz.cli import cli\n"
               "try:\n    cli.main(['plot', '--help'], prog_name='regquiz')\nexcept SystemExit:\n"
               "    pass\nprint('HEAVY', sorted({'numpy', 'matplotlib'} & set(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
    assert "--no-reference" in done.stdout


def test_the_docs_script_writes_five_reference_pngs(tmp_path: Path, mpl: None) -> None:
    done = subprocess.run([sys.executable, "-m", "regquiz.plots", "--all", str(tmp_path / "docs")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = sorted((tmp_path / "docs").glob("*.png"))
    assert [p.name for p in written] == [f"{pid}.png" for pid in PROBLEMS]
    assert done.stdout.split() == [str(p) for p in written]
    for path in written:
        assert png_size(path.read_bytes()) == SIZE
        assert "Description" not in png_text(path.read_bytes())  # the reference: nothing failed
    bad = subprocess.run([sys.executable, "-m", "regquiz.plots", "--problem", "problem9",
                          str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "did you mean" in bad.stderr


def test_the_readme_shows_the_committed_figures() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python -m regquiz.plots --all docs/" in readme
    for pid in PROBLEMS:
        png = (REPO / "docs" / f"{pid}.png").read_bytes()
        assert png_size(png) == SIZE and len(png) <= 150_000
        assert f"](docs/{pid}.png)" in readme


def test_nbgrader_statements_embed_the_reference_figure(tmp_path: Path, mpl: None) -> None:
    pytest.importorskip("nbformat")
    import base64

    from regquiz.instructor.nbgrader_export import export_course

    export_course(tmp_path, "a")
    for pid in PROBLEMS:
        statement = json.loads((tmp_path / "source" / "a" / f"{pid}.ipynb").read_text())["cells"][0]
        assert f"(attachment:{pid}.png)" in "".join(statement["source"])
        png = base64.b64decode(statement["attachments"][f"{pid}.png"]["image/png"])
        assert png_size(png) == SIZE and "Description" not in png_text(png)


def test_nbgrader_export_works_without_matplotlib(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("nbformat")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run("nbgrader", str(tmp_path))
    assert result.exit_code == 0, result.output
    statement = json.loads((tmp_path / "source" / "regularization" / "problem1.ipynb")
                           .read_text())["cells"][0]
    assert "attachments" not in statement and "attachment:" not in "".join(statement["source"])
