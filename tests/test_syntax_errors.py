"""Notebooks as Jupyter runs them, and a syntax error said once with its cell, line and caret."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO
from regquiz.cli import cli
from regquiz.precompile import compile_error

SOLUTION = (REPO / "solutions" / "problem2.py").read_text()


def notebook(path: Path, *sources: str) -> Path:
    cells = [{"cell_type": "markdown", "source": "# Problem 2", "metadata": {}}]
    cells += [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
               "execution_count": None} for source in sources]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": cells}))
    return path


def test_from_future_atop_a_later_cell_is_graded_as_jupyter_runs_it(tmp_path: Path) -> None:
    path = notebook(tmp_path / "mine.ipynb", "import numpy as np",
                    "from __future__ import annotations\n" + SOLUTION)
    done = CliRunner().invoke(cli, ["check", "problem2", "--file", str(path), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["passed"] is True


def test_a_notebook_syntax_error_is_said_once_with_cell_line_and_caret(tmp_path: Path) -> None:
    path = notebook(tmp_path / "mine.ipynb", "import numpy as np", SOLUTION,
                    "x = 1\ny = [1,\n")
    done = CliRunner().invoke(cli, ["check", "problem2", "--file", str(path)])
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert done.stdout.count("SyntaxError") == 1
    assert "  mine.ipynb, cell 4, line 2: SyntaxError: '[' was never closed\n" \
           "      y = [1,\n          ^\n" in done.stdout
    report = json.loads(CliRunner().invoke(
        cli, ["check", "problem2", "--file", str(path), "--json"]).stdout)
    assert report["error"].startswith("mine.ipynb, cell 4, line 2: SyntaxError")
    assert {test["message"] for test in report["tests"]} == \
        {"not run: mine.ipynb, cell 4, line 2: SyntaxError: '[' was never closed"}
    assert all(test["status"] == "error" and test["score"] == 0 for test in report["tests"])


def test_a_py_syntax_error_names_the_students_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "attempt.py"
    path.write_text(SOLUTION + "\ndef broken(:\n    pass\n")
    line = SOLUTION.count("\n") + 2
    report = json.loads(CliRunner().invoke(
        cli, ["check", "problem2", "--file", str(path), "--json"]).stdout)
    assert report["error"].splitlines()[0] == f"attempt.py, line {line}: SyntaxError: invalid syntax"


def test_hostile_text_never_raises_out_of_compile_error() -> None:
    for text in (b"x = " + b"-" * 200_000 + b"1", b"(" * 10_000, b"\0", b"\xff\xfe", b"x = 1"):
        message = compile_error(text, "problem1.py")
        assert message is None if text == b"x = 1" else message.startswith("problem1.py")
