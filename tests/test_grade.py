"""`regquiz grade`: held-out cases, many submissions, every output format and error path."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REPO, STUDENTS
from regquiz import paths
from regquiz.cli import cli
from regquiz.instructor.grading import SubmissionResult, grade_batch
from regquiz.manifest import load_manifest

MANIFEST = load_manifest()
PROBLEMS = MANIFEST.ids
# Mistakes that only the visible checks can see (argument validation): held-out cases
# compare answers on valid inputs.
VALIDATION_ONLY = {"wrong_no_valueerror", "wrong_no_p_validation",
                   "wrong_expected_output_no_size_limit"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["grade", *args])


def one_line_error(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def submission(root: Path, name: str, files: dict[str, Path]) -> Path:
    """A folder `root/name` holding a copy of each file under its problem's name."""
    folder = root / name
    folder.mkdir(parents=True)
    for problem_id, source in files.items():
        shutil.copyfile(source, folder / f"{problem_id}.py")
    return folder


@pytest.fixture
def solved(tmp_path: Path) -> Path:
    return submission(tmp_path, "alice", {p: REPO / "solutions" / f"{p}.py" for p in PROBLEMS})


# -- held-out cases ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_students() -> dict[str, SubmissionResult]:
    """Every fixture student of every problem, graded in one batch (held-out cases included)."""
    paths_by_id = {}
    folders = []
    root = Path(os.environ.get("TMPDIR", "/tmp"))
    import tempfile

    with tempfile.TemporaryDirectory(dir=root) as scratch:
        for problem_id in PROBLEMS:
            for path in sorted((STUDENTS / problem_id).glob("*.py")):
                folder = Path(scratch, f"{problem_id}-{path.stem}")
                folder.mkdir()
                shutil.copyfile(path, folder / f"{problem_id}.py")
                paths_by_id[str(folder)] = f"{problem_id}/{path.stem}"
                folders.append(str(folder))
        results = grade_batch(folders, list(PROBLEMS), seed=2024)
    return {paths_by_id[result.submission]: result for result in results}


def _own_problem(name: str, result: SubmissionResult):
    [own] = [problem for problem in result.problems if problem.problem == name.split("/")[0]]
    return own


def test_every_problem_has_held_out_cases_after_the_visible_checks(solved: Path) -> None:
    [result] = grade_batch([str(solved)], list(PROBLEMS), seed=5)
    for problem, graded in zip(MANIFEST.problems, result.problems):
        names = [test.name for test in graded.tests]
        assert names == ([check.name for check in problem.checks]
                         + [f"heldout_{check.name}" for check in problem.heldout])
        assert problem.heldout
        assert graded.score == graded.max_score == problem.graded_max_score, [
            (t.name, t.message) for t in graded.tests if t.status != "pass"]
    assert result.passed


@pytest.mark.parametrize("seed", [1, 77])
def test_stubs_score_zero_on_everything(tmp_path: Path, seed: int) -> None:
    stub = submission(tmp_path, "stub", {p: REPO / "exercises" / f"{p}.py" for p in PROBLEMS})
    [result] = grade_batch([str(stub)], list(PROBLEMS), seed=seed)
    assert result.score == 0
    assert all(test.status == "fail" for problem in result.problems for test in problem.tests)


def test_correct_fixture_students_keep_full_marks(fixture_students) -> None:
    for name, result in fixture_students.items():
        if name.split("/")[1].startswith("correct_"):
            own = _own_problem(name, result)
            assert own.score == own.max_score, (name, [(t.name, t.message) for t in own.tests
                                                       if t.status != "pass"])


def test_wrong_fixture_students_lose_held_out_points(fixture_students) -> None:
    for name, result in fixture_students.items():
        stem = name.split("/")[1]
        if not stem.startswith("wrong_"):
            continue
        own = _own_problem(name, result)
        held = [test for test in own.tests if test.name.startswith("heldout_")]
        lost = sum(test.max_score - test.score for test in held)
        if stem in VALIDATION_ONLY:
            assert own.score < own.max_score, name
        else:
            assert lost > 0, f"{name} passes every held-out case"
        assert all(test.message for test in held if test.status != "pass")


def test_check_never_runs_held_out_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "problem2", "--json", "--file",
                                      str(REPO / "solutions" / "problem2.py")])
    names = [test["name"] for test in json.loads(result.stdout)["tests"]]
    assert names == [check.name for check in MANIFEST.problem("problem2").checks]


# -- many submissions --------------------------------------------------------------------------------


def test_hostile_and_missing_cost_only_their_own_points(tmp_path: Path) -> None:
    good = submission(tmp_path, "good", {p: REPO / "solutions" / f"{p}.py" for p in PROBLEMS})
    hostile = submission(tmp_path, "hostile", {"problem2": STUDENTS / "hostile" / "os_exit.py",
                                               "problem1": STUDENTS / "hostile" / "loop_at_import.py"})
    also_good = submission(tmp_path, "also_good",
                           {p: REPO / "solutions" / f"{p}.py" for p in ("problem1", "problem2")})
    result = run(str(good), str(hostile), str(also_good), "--problem", "problem1",
                 "--problem", "problem2", "--json", "--workers", "2", "--seed", "3")
    assert result.exit_code == 1, result.output
    payload = {item["submission"]: item for item in json.loads(result.stdout)}
    assert payload[str(good)]["score"] == payload[str(good)]["max_score"]
    assert payload[str(also_good)]["passed"] is True
    bad = payload[str(hostile)]
    assert 0 < bad["score"] < bad["max_score"]  # l1_l2_scalar_optimum still earns its points
    problem1, problem2 = bad["problems"]
    assert problem1["score"] == 0
    visible = [t for t in problem1["tests"] if not t["name"].startswith("heldout_")]
    heldout = [t for t in problem1["tests"] if t["name"].startswith("heldout_")]
    assert all("loading your file did not finish" in t["message"] for t in visible)
    # held-out cases say what went wrong in a fixed sentence, never quoting the student
    assert heldout and all(t["message"] == "your code did not finish in time on this held-out "
                           "case" for t in heldout)
    assert any("exited with code 0" in t["message"] for t in problem2["tests"])


def test_a_student_that_kills_the_fork_server_costs_only_its_own_points(tmp_path: Path) -> None:
    folders = [submission(tmp_path, "before", {"problem2": REPO / "solutions" / "problem2.py"}),
               submission(tmp_path, "killer", {"problem2": STUDENTS / "hostile" / "kills_parent.py"}),
               submission(tmp_path, "after", {"problem2": REPO / "solutions" / "problem2.py"})]
    result = run(*map(str, folders), "--problem", "problem2", "--json", "--workers", "1")
    assert result.exit_code == 1, result.output
    before, killer, after = json.loads(result.stdout)
    assert before["passed"] and after["passed"]
    assert killer["score"] < killer["max_score"]
    tests = killer["problems"][0]["tests"]
    assert all(t["status"] != "pass" for t in tests if t["name"].startswith("soft_threshold"))
    # l1_l2_scalar_optimum is correct and usually still earns its points from a restarted
    # child; under heavy load the problem's time budget can run out first, so that is not
    # asserted: the guarantee is that the killer costs nobody else anything.


def test_missing_problem_file_scores_zero_with_a_message(tmp_path: Path) -> None:
    partial = submission(tmp_path, "partial", {"problem2": REPO / "solutions" / "problem2.py"})
    result = run(str(partial), "--problem", "problem2", "--problem", "problem4", "--workers", "1")
    assert result.exit_code == 1
    assert f"missing: no problem4.py or problem4.ipynb in {partial}" in result.stdout
    line = [row for row in result.stdout.splitlines() if row.startswith(partial.name)][0]
    problem2 = MANIFEST.problem("problem2").graded_max_score
    problem4 = MANIFEST.problem("problem4").graded_max_score
    assert line.split()[1:] == [f"{problem2}/{problem2}", f"0/{problem4}",
                                f"{problem2}/{problem2 + problem4}"]


def test_a_notebook_submission_is_graded(tmp_path: Path) -> None:
    folder = tmp_path / "nb"
    folder.mkdir()
    code = (REPO / "solutions" / "problem5.py").read_text()
    notebook = {"cells": [{"cell_type": "markdown", "source": "# mine"},
                          {"cell_type": "code", "source": code.splitlines(True)}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "problem5.ipynb").write_text(json.dumps(notebook))
    (folder / "problem3.ipynb").write_text("not json")
    result = run(str(folder), "--problem", "problem5", "--problem", "problem3", "--json")
    [item] = json.loads(result.stdout)
    problem5, problem3 = item["problems"]
    assert problem5["passed"] and problem5["file"] == str(folder / "problem5.ipynb")
    assert problem3["score"] == 0
    assert all("not a readable Jupyter notebook" in t["message"] for t in problem3["tests"])


def test_workers_1_and_2_give_identical_results(tmp_path: Path) -> None:
    folders = [submission(tmp_path, "sol", {p: REPO / "solutions" / f"{p}.py" for p in PROBLEMS}),
               submission(tmp_path, "stub", {p: REPO / "exercises" / f"{p}.py" for p in PROBLEMS})]
    for problem_id in PROBLEMS:
        wrong = sorted((STUDENTS / problem_id).glob("wrong_*.py"))[0]
        folders.append(submission(tmp_path, f"w-{problem_id}", {problem_id: wrong}))
    args = [*map(str, folders), "--json", "--seed", "11"]
    one, two = run(*args, "--workers", "1"), run(*args, "--workers", "2")
    assert one.exit_code == two.exit_code == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_grade_never_touches_the_score_database(solved: Path, regquiz_home: Path) -> None:
    result = run(str(solved), "--problem", "problem4")
    assert result.exit_code == 0, result.output
    assert not regquiz_home.exists()


# -- outputs --------------------------------------------------------------------------------------


def test_json_csv_and_table_agree(solved: Path, tmp_path: Path) -> None:
    stub = submission(tmp_path, "stub", {p: REPO / "exercises" / f"{p}.py" for p in PROBLEMS})
    args = [str(solved), str(stub), "--seed", "9", "--problem", "problem3", "--problem", "problem1"]
    payload = json.loads(run(*args, "--json").stdout)
    assert [item["submission"] for item in payload] == [str(solved), str(stub)]
    for item in payload:
        assert set(item) >= {"submission", "score", "max_score", "problems"}
        assert [problem["problem"] for problem in item["problems"]] == ["problem3", "problem1"]
        for problem in item["problems"]:
            assert set(problem) >= {"problem", "score", "max_score", "passed", "seed", "tests"}
            assert problem["seed"] == 9
            for test in problem["tests"]:
                assert set(test) >= {"name", "status", "score", "max_score", "message"}
                assert test["status"] in {"pass", "fail", "error", "timeout"}
    total = MANIFEST.problem("problem3").graded_max_score + MANIFEST.problem("problem1").graded_max_score
    assert payload[0]["score"] == payload[0]["max_score"] == total and payload[1]["score"] == 0
    table = run(*args)
    assert table.exit_code == 1 and table.stderr == ""  # no progress bar off a terminal
    assert table.stdout.splitlines()[0].split() == ["submission", "problem3", "problem1", "total"]
    assert f"{total}/{total}" in table.stdout and "1 of 2 submission(s) got full marks" in table.stdout
    rows = list(csv.reader(io.StringIO(run(*args, "--csv").stdout)))
    # SPEC §3: the folder's name (no collision here), the notes and the seed
    assert rows[0] == ["submission", "problem3", "problem1", "total", "max_score", "notes", "seed"]
    assert rows[1] == [solved.name, str(MANIFEST.problem("problem3").graded_max_score),
                       str(MANIFEST.problem("problem1").graded_max_score), str(total), str(total),
                       "", "9"]
    assert rows[2] == [stub.name, "0", "0", "0", str(total), "", "9"]


def test_gradescope_results_hide_held_out_details(tmp_path: Path) -> None:
    folder = submission(tmp_path, "bob", {"problem5": STUDENTS / "problem5" /
                                          "wrong_softmax_no_max_shift.py"})
    out = tmp_path / "results.json"
    result = run(str(folder), "--gradescope", "--problem", "problem5", "--out", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    payload = json.loads(out.read_text())
    assert set(payload) >= {"score", "tests"}
    tests = payload["tests"]
    assert payload["score"] == sum(test["score"] for test in tests) > 0
    for test in tests:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
    held = [test for test in tests if "heldout_" in test["name"]]
    visible = [test for test in tests if "heldout_" not in test["name"]]
    assert held and all(test["visibility"] == "after_published" for test in held)
    assert all(test["visibility"] == "visible" for test in visible)
    failed = [test for test in held if test["score"] < test["max_score"]]
    assert failed and all(test["output"].startswith(("the answer differs", "your code"))
                          for test in failed)
    assert not any("called" in test["output"] for test in held)


def test_out_writes_the_file_instead_of_stdout(solved: Path, tmp_path: Path) -> None:
    out = tmp_path / "grades.csv"
    result = run(str(solved), "--csv", "--out", str(out), "--problem", "problem2")
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().startswith("submission,problem2,total,max_score,notes,seed\n")


def test_the_nbgrader_call_works_on_a_folder_with_one_problem(tmp_path: Path) -> None:
    folder = submission(tmp_path, "cell", {"problem3": REPO / "solutions" / "problem3.py"})
    done = subprocess.run([sys.executable, "-m", "regquiz", "grade", str(folder), "--problem",
                           "problem3", "--json", "--seed", "4"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    [item] = json.loads(done.stdout)
    [problem] = item["problems"]
    assert problem["passed"] and problem["tests"][-1]["name"].startswith("heldout_")


def test_a_progress_bar_only_on_a_terminal(solved: Path) -> None:
    import pty  # noqa: F401 - os.openpty needs a platform with pseudo-terminals
    import select

    main, terminal = os.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "regquiz", "grade", str(solved), "--problem",
                               "problem4", "--csv"], stdout=subprocess.PIPE, stderr=terminal,
                              text=True, timeout=120)
        drawn = b""
        while select.select([main], [], [], 0.5)[0]:
            chunk = os.read(main, 65536)
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(terminal)
        os.close(main)
    assert done.returncode == 0
    assert b"grading" in drawn and b"1/1" in drawn  # on the terminal (stderr) …
    assert done.stdout.startswith("submission,problem4,total,max_score,notes,seed\n")  # … not in the CSV


# -- errors ----------------------------------------------------------------------------------------


def test_without_the_course_source_grading_exits_2(solved: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_SOURCE_ROOT", tmp_path / "a-wheel-install")
    result = run(str(solved))
    assert result.exit_code == 2
    assert "grading needs the course source" in one_line_error(result)


@pytest.mark.parametrize("case", ["missing", "file", "gradescope-two", "two-formats", "problem",
                                  "out-dir", "out-folder-missing", "out-readonly"])
def test_bad_input_is_one_line_and_exit_2(case: str, solved: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    args = {
        "missing": [str(tmp_path / "nobody")],
        "file": [str(tmp_path / "notes.txt")],
        "gradescope-two": [str(solved), str(solved), "--gradescope"],
        "two-formats": [str(solved), "--json", "--csv"],
        "problem": [str(solved), "--problem", "problem9"],
        "out-dir": [str(solved), "--out", str(tmp_path)],
        "out-folder-missing": [str(solved), "--out", str(tmp_path / "no" / "x.csv")],
        "out-readonly": [str(solved), "--out", str(readonly / "x.csv")],
    }[case]
    try:
        result = run(*args)
    finally:
        readonly.chmod(0o700)
    if case == "out-readonly" and os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    assert result.exit_code == 2, result.output
    message = one_line_error(result)
    assert {"missing": "no such folder", "file": "is a file", "gradescope-two": "one submission", "two-formats": "one output format",
            "problem": "did you mean", "out-dir": "is a folder",
            "out-folder-missing": "no such folder", "out-readonly": "cannot write"}[case] in message
