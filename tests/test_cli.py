"""The `regquiz` command as a user meets it: exit codes, JSON keys, one-line errors, records."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REPO
from regquiz.cli import cli
from regquiz.manifest import load_manifest

SOLUTION2 = REPO / "solutions" / "problem2.py"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A student's folder after `regquiz init`."""
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    return tmp_path


def one_line_error(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# -- check -------------------------------------------------------------------------------------


def test_stub_lists_every_check_and_scores_zero(workspace: Path) -> None:
    result = run("check", "problem2")
    assert result.exit_code == 1
    problem = load_manifest().problem("problem2")
    for check in problem.checks:
        assert check.name in result.stdout
    assert f"Score: 0/{problem.max_score}" in result.stdout
    note = " ".join(result.stdout.split("Still the stub")[1].split())
    assert all(function.name in note for function in problem.functions)
    assert result.stdout.count("NotImplementedError") == 1  # said once, not per check


def test_solution_passes_and_json_has_the_spec_keys(workspace: Path) -> None:
    shutil.copyfile(SOLUTION2, workspace / "exercises" / "problem2.py")
    result = run("check", "problem2", "--json", "--seed", "7")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"problem", "score", "max_score", "passed", "seed", "tests"} <= payload.keys()
    assert payload["problem"] == "problem2" and payload["passed"] is True
    assert payload["seed"] == 7 and payload["score"] == payload["max_score"]
    for test in payload["tests"]:
        assert {"name", "status", "score", "max_score", "message"} <= test.keys()
        assert test["status"] == "pass"


def test_failure_messages_say_call_result_expectation_and_why(tmp_path: Path) -> None:
    wrong = REPO / "tests" / "students" / "problem2" / "wrong_hard_threshold.py"
    payload = json.loads(run("check", "problem2", "--file", str(wrong), "--json").stdout)
    failed = [test for test in payload["tests"] if test["status"] == "fail"]
    assert failed
    for test in failed:
        if test["message"].startswith("held back"):  # its own answer was right: see test_hints.py
            continue
        for part in ("called", "returned", "expected", "why", "work on"):
            assert part in test["message"], test


def test_seed_replays_the_same_inputs(tmp_path: Path) -> None:
    stub = REPO / "exercises" / "problem2.py"
    first = run("check", "problem2", "--file", str(stub), "--seed", "99", "--json")
    second = run("check", "problem2", "--file", str(stub), "--seed", "99", "--json")
    other = run("check", "problem2", "--file", str(stub), "--seed", "100", "--json")
    messages = [[t["message"] for t in json.loads(r.stdout)["tests"]] for r in (first, second, other)]
    assert messages[0] == messages[1]
    assert messages[0] != messages[2]


def test_check_all_json_is_a_list(workspace: Path) -> None:
    result = run("check", "--all", "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert [item["problem"] for item in payload] == list(load_manifest().ids)
    assert all(item["score"] == 0 for item in payload)


def test_check_all_text_ends_with_a_summary(workspace: Path) -> None:
    for problem in load_manifest().ids:
        shutil.copyfile(REPO / "solutions" / f"{problem}.py", workspace / "exercises" / f"{problem}.py")
    result = run("check", "--all")
    assert result.exit_code == 0, result.output
    assert "Summary" in result.stdout
    total = sum(problem.max_score for problem in load_manifest().problems)
    assert f"Total {total}/{total}" in result.stdout


def test_workspace_is_found_from_a_subfolder(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / "notes").mkdir()
    monkeypatch.chdir(workspace / "notes")
    assert run("check", "problem2").exit_code == 1


def test_notebook_code_cells_are_graded(tmp_path: Path) -> None:
    code = SOLUTION2.read_text()
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Problem 2\n", "soft_threshold = None\n"]},
        {"cell_type": "code", "metadata": {}, "source": "%matplotlib inline\n", "outputs": [],
         "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": code.splitlines(keepends=True),
         "outputs": [], "execution_count": None},
    ]}
    path = tmp_path / "problem2.ipynb"
    path.write_text(json.dumps(notebook))
    result = run("check", "problem2", "--file", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passed"] is True


def test_records_go_to_sqlite_under_regquiz_home(workspace: Path, regquiz_home: Path) -> None:
    run("check", "problem2", "--seed", "5")
    shutil.copyfile(SOLUTION2, workspace / "exercises" / "problem2.py")
    run("check", "problem2", "--seed", "6")
    with sqlite3.connect(regquiz_home / "regquiz.db") as db:
        rows = db.execute("SELECT problem, score, max_score, seed FROM checks ORDER BY id").fetchall()
    maximum = load_manifest().problem("problem2").max_score
    assert rows == [("problem2", 0, maximum, 5), ("problem2", maximum, maximum, 6)]
    listing = run("list")
    assert listing.exit_code == 0
    assert f"{maximum}/{maximum}" in listing.stdout


# -- bad input: one line, exit 2, nothing recorded ----------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (["check", "problm2"], "did you mean problem2?"),
    (["check", "problem9"], "choose from problem1, problem2, problem3, problem4, problem5"),
    (["check"], "which problem?"),
    (["check", "problem2", "--all"], "either a problem or --all"),
    (["check", "--all", "--file", "x.py"], "--file names one problem"),
    (["check", "problem2", "--file", "missing.py"], "no such file: missing.py"),
    (["check", "problem2", "--file", "notes.txt"], "neither a .py file nor a notebook"),
    (["check", "problem2", "--file", "folder.py"], "is not a file"),
    (["check", "problem2", "--file", "broken.ipynb"], "not a readable Jupyter notebook"),
    (["hint", "problem0"], "unknown problem 'problem0'"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], words: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, regquiz_home: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "folder.py").mkdir()
    (tmp_path / "broken.ipynb").write_text("{not json")
    result = run(*args)
    assert result.exit_code == 2
    assert words in one_line_error(result)
    assert not (regquiz_home / "regquiz.db").exists() or not sqlite3.connect(
        regquiz_home / "regquiz.db").execute("SELECT COUNT(*) FROM checks").fetchone()[0]


def test_missing_default_file_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check", "problem3")
    assert result.exit_code == 2
    line = one_line_error(result)
    assert "no exercises/problem3.py" in line and "regquiz init" in line


def test_bad_seed_is_a_usage_error(tmp_path: Path) -> None:
    result = run("check", "problem2", "--seed", "minus-one")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# -- records that cannot be written: exit 3, results still shown, history kept --------------------


def test_unwritable_home_is_exit_3_and_results_are_still_shown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REGQUIZ_HOME", str(blocker / "home"))
    result = run("check", "problem2", "--file", str(SOLUTION2))
    assert result.exit_code == 3
    assert "Score: 22/22" in result.stdout or "Score:" in result.stdout
    line = one_line_error(result)
    assert "REGQUIZ_HOME" in line and str(blocker / "home") in line


def test_damaged_database_is_reported_and_left_untouched(regquiz_home: Path) -> None:
    regquiz_home.mkdir(parents=True)
    database = regquiz_home / "regquiz.db"
    database.write_bytes(b"this is not sqlite" * 100)
    before = database.read_bytes()
    result = run("check", "problem2", "--file", str(SOLUTION2))
    assert result.exit_code == 3
    line = one_line_error(result)
    assert str(database) in line and "damaged" in line
    assert database.read_bytes() == before


# -- init, hint, list --------------------------------------------------------------------------


def test_init_never_overwrites_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "course").exit_code == 0
    mine = tmp_path / "course" / "exercises" / "problem1.py"
    assert "NotImplementedError" in mine.read_text()
    mine.write_text("# my work\n")
    again = run("init", "course")
    assert again.exit_code == 0 and "kept 5 existing" in again.stdout
    assert mine.read_text() == "# my work\n"
    assert run("init", "course", "--force").exit_code == 0
    assert "NotImplementedError" in mine.read_text()


def test_init_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    result = run("init", str(target))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("check", "hint", "init", "list", "quiz", "scores"):
        assert command in result.stdout


# -- the installed console script, for real ----------------------------------------------------


def test_console_script_runs_in_a_fresh_process(tmp_path: Path, regquiz_home: Path) -> None:
    script = Path(sys.executable).with_name("regquiz")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "regquiz"]
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([*command, "check", "problem2", "--file", str(SOLUTION2)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    assert "Score: 22/22" in done.stdout or "all checks passed" in done.stdout
    bad = subprocess.run([*command, "check", "nope"], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [["--help"], ["list"], ["hint", "problem1"], ["check", "nope"],
                                  ["quiz", "--answers", "DACBD"], ["scores", "--json"]])
def test_light_commands_never_import_numpy_or_pytest(args: list[str], tmp_path: Path) -> None:
    program = ("import sys\nfrom regquiz.cli import cli\n"
               f"try:\n    cli.main({args!r}, prog_name='regquiz')\nexcept SystemExit:\n    pass\n"
               "heavy = sorted({'numpy', 'pytest', 'nbformat', 'matplotlib'} & set(sys.modules))\n"
               "print('HEAVY', heavy)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_ctrl_c_during_a_check_is_one_line_and_exit_130(tmp_path: Path, regquiz_home: Path) -> None:
    import signal
    import time

    script = Path(sys.executable).with_name("regquiz")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "regquiz"]
    hostile = REPO / "tests" / "students" / "hostile" / "loop_forever.py"
    process = subprocess.Popen([*command, "check", "problem2", "--file", str(hostile)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path)
    deadline = time.monotonic() + 30
    while not _sandbox_children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until the check is really grading …
    time.sleep(0.5)  # … and inside the student's endless loop
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err and err.strip().splitlines() == [
        "regquiz: interrupted; nothing was recorded for this run"]


def _sandbox_children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"child.py" in cmdline:
            found.append(int(entry.name))
    return found


def test_a_helper_module_beside_the_exercise_can_be_imported(workspace: Path) -> None:
    solution = SOLUTION2.read_text()
    (workspace / "exercises" / "shrink.py").write_text(solution)
    (workspace / "exercises" / "problem2.py").write_text(
        "from shrink import soft_threshold, l1_l2_scalar_optimum, lasso_ista\n")
    result = run("check", "problem2", "--json")
    assert result.exit_code == 0, result.stdout


def test_sandbox_without_numpy_is_exit_3_with_the_fix(monkeypatch: pytest.MonkeyPatch,
                                                      regquiz_home: Path) -> None:
    import regquiz.sandbox.launch

    monkeypatch.setattr(regquiz.sandbox.launch, "library_paths", lambda: [])  # child sees no numpy
    result = run("check", "problem2", "--file", str(SOLUTION2))
    assert result.exit_code == 3
    line = one_line_error(result)
    assert "numpy cannot be imported" in line and "pip install numpy" in line
    assert not (regquiz_home / "regquiz.db").exists()
    graded = run("grade", str(SOLUTION2.parent), "--problem", "problem2", "--workers", "1")
    assert graded.exit_code == 3  # the fork server of `grade` reports the same
    line = one_line_error(graded)
    assert "numpy cannot be imported" in line and "pip install numpy" in line


def test_check_starts_its_sandboxes_before_importing_numpy(tmp_path: Path) -> None:
    """The child's numpy import overlaps the parent's only if the parent has not done it yet."""
    code = (
        "import sys\n"
        "import regquiz.cli, regquiz.runner\n"
        "original = regquiz.runner.StudentProcess.start\n"
        "def start(self):\n"
        "    print('NUMPY-BEFORE-START', 'numpy' in sys.modules)\n"
        "    original(self)\n"
        "regquiz.runner.StudentProcess.start = start\n"
        f"sys.argv = ['regquiz', 'check', 'problem2', '--file', {str(SOLUTION2)!r}]\n"
        "regquiz.cli.main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "NUMPY-BEFORE-START False" in done.stdout, done.stdout


def test_an_unexpected_exception_is_one_line_and_exit_3(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import regquiz.render

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("a bug in the report")

    monkeypatch.setattr(regquiz.render, "check_report", broken)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "problem2", "--file",
                                      str(REPO / "solutions" / "problem2.py")])
    assert result.exit_code == 3  # never 1, which means "graded, something failed"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "RuntimeError: a bug in the report" in lines[0] and "report it" in lines[0]
    assert "cli.py" in lines[0] or "test_cli.py" in lines[0]
    assert "Traceback" not in result.output


def _concept_answers(problem_id: str) -> str:
    """One letter per concept question of the problem (right or wrong does not matter here)."""
    text = (REPO / "quizzes" / f"{problem_id}.toml").read_text(encoding="utf-8")
    return "A" * text.count("[[questions]]")


@pytest.mark.parametrize("args", [["hint", "problem2", "soft_threshold"],
                                  ["quiz", "--problem", "problem4", "--answers",
                                   _concept_answers("problem4"), "--no-shuffle"],
                                  ["check", "problem2"]])
def test_output_survives_a_cp1252_pipe(args: list[str], tmp_path: Path) -> None:
    """What Windows gives a pipe, a file or an IDE's run pane: cp1252, not UTF-8."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "problem2.py").write_text(
        (REPO / "exercises" / "problem2.py").read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    earned = subprocess.run([sys.executable, "-m", "regquiz", "check", "problem4", "--file",
                             str(REPO / "solutions" / "problem4.py")], cwd=tmp_path, env=env,
                            capture_output=True, timeout=60, check=False)
    assert earned.returncode == 0  # (concept questions may open only once a problem passes)
    done = subprocess.run([sys.executable, "-m", "regquiz", *args], cwd=tmp_path, env=env,
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    text = done.stdout.decode("cp1252") + done.stderr.decode("cp1252")
    assert "UnicodeEncodeError" not in text and "Traceback" not in text, text
    assert done.returncode in (0, 1, 2), text
    assert done.stdout  # something was written, in the stream's own encoding
