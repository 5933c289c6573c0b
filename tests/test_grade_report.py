"""`regquiz grade`'s report for instructors: notes that name the cause, the CSV, --feedback."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.instructor.grade_report import defused
from regquiz.manifest import load_manifest

MANIFEST = load_manifest()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["grade", *args])


def one_line_error(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def folder_with(root: Path, name: str, files: dict[str, str | Path]) -> Path:
    """root/name holding each file (a path to copy, or the text itself) under its name."""
    folder = root / name
    folder.mkdir(parents=True)
    for filename, content in files.items():
        (folder / filename).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, folder / filename)
        else:
            (folder / filename).write_text(content)
    return folder


def csv_rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_notes_name_the_syntax_error_line_not_the_hint(tmp_path: Path) -> None:
    code = (REPO / "solutions" / "problem3.py").read_text().splitlines()
    code.insert(20, "def broken(:")
    dave = folder_with(tmp_path, "dave", {"problem3.py": "\n".join(code) + "\n"})
    result = run(str(dave), "--problem", "problem3", "--seed", "1")
    assert result.exit_code == 1
    notes = result.stdout.split("Notes:")[1].splitlines()[1:2]
    assert notes == ["  dave: problem3: problem3.py, line 21: SyntaxError: invalid syntax"]
    assert "hint" not in result.stdout.split("Notes:")[1]
    [row] = csv_rows(run(str(dave), "--problem", "problem3", "--seed", "1", "--csv"))
    assert row["notes"] == "problem3: problem3.py, line 21: SyntaxError: invalid syntax"


def test_notes_name_a_missing_function_and_a_timeout(tmp_path: Path) -> None:
    erin = folder_with(tmp_path, "erin", {"problem1.py": "import numpy as np\n",
                                          "problem2.py": STUDENTS / "hostile" / "loop_forever.py"})
    [row] = csv_rows(run(str(erin), "--problem", "problem1", "--problem", "problem2",
                         "--seed", "1", "--csv"))
    problem1, problem2 = row["notes"].split(" | ")
    assert problem1.startswith("problem1: ") and "problem1.py defines no function" in problem1
    assert problem2.startswith("problem2: ") and "timeout" in problem2
    assert "hint" not in row["notes"] and "work on" not in row["notes"]


def test_misnamed_and_misplaced_files_get_did_you_mean(tmp_path: Path) -> None:
    solutions = REPO / "solutions"
    frank = folder_with(tmp_path, "frank", {"Problem1.py": solutions / "problem1.py",
                                            "problem_2.py": solutions / "problem2.py",
                                            "exercises/problem3.py": solutions / "problem3.py"})
    args = [str(frank), "--problem", "problem1", "--problem", "problem2", "--problem", "problem3"]
    [row] = csv_rows(run(*args, "--csv"))
    notes = row["notes"].split(" | ")
    assert len(notes) == 3
    assert notes[0].startswith("problem1: missing: no problem1.py or problem1.ipynb in ")
    assert "did you mean Problem1.py (rename it problem1.py)?" in row["notes"]
    assert "did you mean problem_2.py (rename it problem2.py)?" in row["notes"]
    assert "did you mean exercises/problem3.py (move it up to problem3.py)?" in row["notes"]
    assert row["total"] == "0"
    table = run(*args)
    assert table.exit_code == 1 and table.stdout.count("did you mean") == 3


def test_csv_names_folders_and_their_paths_only_where_names_collide(tmp_path: Path) -> None:
    solved = REPO / "solutions" / "problem2.py"
    alice = folder_with(tmp_path, "alice", {"problem2.py": solved})
    first = folder_with(tmp_path / "a", "same", {"problem2.py": solved})
    second = folder_with(tmp_path / "b", "same", {"problem2.py": solved})
    result = run(str(alice), str(first), str(second), "--problem", "problem2", "--csv",
                 "--seed", "5")
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0]
    assert header == "submission,problem2,total,max_score,notes,seed"
    rows = csv_rows(result)
    assert [row["submission"] for row in rows] == ["alice", str(first), str(second)]
    assert all(row["seed"] == "5" and row["notes"] == "" for row in rows)


def test_csv_cells_cannot_become_spreadsheet_formulas(tmp_path: Path) -> None:
    names = ["=HYPERLINK(1)", "+1", "-2", "@SUM(1)"]
    folders = [folder_with(tmp_path, name, {}) for name in names]
    rows = csv_rows(run(*map(str, folders), "--problem", "problem2", "--csv"))
    assert [row["submission"] for row in rows] == [f"'{name}" for name in names]
    assert defused("\tx") == "'\tx" and defused("\rx") == "'\rx" and defused("alice") == "alice"


def test_feedback_writes_one_markdown_file_per_submission(tmp_path: Path) -> None:
    wrong = STUDENTS / "problem5" / "wrong_softmax_no_max_shift.py"
    bob = folder_with(tmp_path / "subs", "bob", {"problem5.py": wrong})
    carol = folder_with(tmp_path / "subs", "carol", {"problem5.py": REPO / "solutions" / "problem5.py"})
    out = tmp_path / "feedback"
    result = run(str(bob), str(carol), "--problem", "problem5", "--feedback", str(out),
                 "--json", "--seed", "2")
    assert result.exit_code == 1
    assert sorted(path.name for path in out.iterdir()) == ["bob.md", "carol.md"]
    [graded, _] = json.loads(result.stdout)
    text = (out / "bob.md").read_text()
    assert text.startswith("# Feedback: bob\n")
    assert f"**Score: {graded['score']}/{graded['max_score']}**" in text
    for test in graded["problems"][0]["tests"]:
        assert f"`{test['name']}`" in text
        if test["name"].startswith("heldout_"):
            if test["status"] != "pass":  # the one-line status, never the inputs or values
                assert test["message"] not in text
                assert "held-out case" in text
        elif test["status"] != "pass":
            for line in test["message"].splitlines():
                assert line in text  # every visible check's message, whole
    assert "called" not in text.split("### Held-out cases")[1]
    assert "PASS" in (out / "carol.md").read_text() and "FAIL" not in (out / "carol.md").read_text()


def test_feedback_dir_that_cannot_be_made_is_one_line_exit_2(tmp_path: Path) -> None:
    alice = folder_with(tmp_path, "alice", {"problem2.py": REPO / "solutions" / "problem2.py"})
    (tmp_path / "a-file").write_text("")
    for target, words in ((tmp_path / "a-file", "is a file"),
                          (tmp_path / "a-file" / "below", "cannot create it")):
        result = run(str(alice), "--problem", "problem2", "--feedback", str(target))
        assert result.exit_code == 2
        line = one_line_error(result)
        assert line.startswith("regquiz: error: --feedback ") and words in line


def test_hostile_source_that_breaks_the_parser_costs_only_its_own_points(tmp_path: Path) -> None:
    solved = REPO / "solutions" / "problem2.py"
    folders = [folder_with(tmp_path, "deep", {"problem2.py": "x = " + "-" * 200_000 + "1\n"}),
               folder_with(tmp_path, "nested", {"problem2.py": "x = " + "(" * 5000 + ")" * 5000}),
               folder_with(tmp_path, "nul", {"problem2.py": "x = 1\0\n"}),
               folder_with(tmp_path, "good", {"problem2.py": solved})]
    result = run(*map(str, folders), "--problem", "problem2", "--json", "--seed", "3")
    assert result.exit_code == 1 and "Traceback" not in result.output
    deep, nested, nul, good = json.loads(result.stdout)
    assert good["passed"] is True
    for bad in (deep, nested, nul):
        [problem] = bad["problems"]
        assert problem["score"] == 0 and problem["error"].startswith("problem2.py")
        assert all(test["message"].startswith("not run: problem2.py") for test in problem["tests"])
