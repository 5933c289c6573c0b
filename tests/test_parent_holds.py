"""The trusted parent never follows a path the child could have made, and holds bounded text.

Where the child may make FIFOs, links and folders (unconfined, or the portable backend of
macOS and Windows; Landlock refuses them on Linux, see test_rights.py) the parent must still
neither block on a FIFO, nor read what a link points to, nor fail to remove a 1,000-deep
tree; and whatever a child sends, a report stays small.  Each attack runs in a `grade` batch
beside honest classmates, who keep full marks, and through `check`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.results import (MAX_CHECK_CHARS, MAX_MESSAGE_CHARS, CheckResult, TestResult,
                             capped_submission)
from regquiz.sandbox import confine
from regquiz.sandbox.workdir import remove_tree

ATTACKS = STUDENTS / "attacks"
SOLUTION = REPO / "solutions" / "problem2.py"
SECRET = "regquiz-parent-secret-4b1d"  # in the grader's environment: must reach no report

MODES = {
    "unconfined": {confine.DISABLE_ENV: "1", "REGQUIZ_UNCONFINED": "1"},
    "portable": {"REGQUIZ_SANDBOX_BACKEND": "portable", "REGQUIZ_UNCONFINED": "1"},
    "confined": {},
}
confined_here = confine.probe().available


def _mode(name: str) -> dict[str, str]:
    if name == "confined" and not confined_here:
        pytest.skip(f"no confinement here: {confine.probe().reason}")
    if name == "portable":
        pytest.importorskip("psutil")
    return MODES[name]


def _attack(tmp_path: Path, name: str) -> tuple[str, Path]:
    canary = tmp_path / "canary"
    canary.mkdir(exist_ok=True)
    (canary / "keep.txt").write_text("keep")
    source = (ATTACKS / f"{name}.py").read_text().replace("__SOLUTION__", str(SOLUTION)) \
        .replace("__CANARY__", str(canary))
    return source, canary


def _grade(tmp_path: Path, attack: str, env: dict[str, str], name: str) -> tuple[dict, Path, str]:
    folders = tmp_path / "submissions"
    honest = [folders / "b_honest", folders / "c_honest"]
    for folder in honest:
        folder.mkdir(parents=True)
        shutil.copy(SOLUTION, folder / "problem2.py")
    cheat = folders / f"a_{name}"
    cheat.mkdir()
    (cheat / "problem2.py").write_text(attack)
    temp = tmp_path / "tmpdir"
    temp.mkdir()
    out = tmp_path / "grades.json"
    flags = ["--unconfined"] if env.get("REGQUIZ_UNCONFINED") else []
    done = subprocess.run(
        [sys.executable, "-m", "regquiz", "grade", str(cheat), *map(str, honest), "--problem",
         "problem2", "--json", "--out", str(out), "--workers", "2", "--seed", "3", *flags],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=240, check=False,
        env={**os.environ, **env, "TMPDIR": str(temp), "REGQUIZ_PARENT_SECRET": SECRET})
    assert done.returncode == 1, done.stderr
    graded = {Path(row["submission"]).name: row for row in json.loads(out.read_text())}
    for folder in honest:
        assert graded[folder.name]["score"] == graded[folder.name]["max_score"], graded[folder.name]
    return graded[cheat.name], temp, out.read_text()


@pytest.mark.parametrize("mode", list(MODES))
def test_links_fifos_and_a_deep_tree_cost_the_parent_nothing(mode: str, tmp_path: Path) -> None:
    env = _mode(mode)
    attack, canary = _attack(tmp_path, "holds_paths")
    row, temp, text = _grade(tmp_path, attack, env, "holds_paths")
    assert row["score"] < row["max_score"]
    solution = SOLUTION.read_text()
    body = [line for line in solution.splitlines() if len(line) > 30 and "return" in line]
    assert body and not any(line.strip() in text for line in body), "a link's target was copied"
    assert SECRET not in text
    assert sorted(p.name for p in canary.iterdir()) == ["keep.txt"]
    assert (canary / "keep.txt").read_text() == "keep"
    assert list(temp.iterdir()) == [], "the workdirs were not removed"


@pytest.mark.parametrize("mode", ["unconfined", "confined"])
def test_check_neither_blocks_nor_reads_a_link(mode: str, tmp_path: Path, regquiz_home: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in _mode(mode).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("REGQUIZ_PARENT_SECRET", SECRET)
    attack, canary = _attack(tmp_path, "holds_paths")
    path = tmp_path / "exercises" / "problem2.py"
    path.parent.mkdir()
    path.write_text(attack)
    result = CliRunner().invoke(cli, ["check", "problem2", "--file", str(path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["score"] < report["max_score"]
    assert SECRET not in result.stdout and "def soft_threshold" not in result.stdout
    assert "planted" in report["output"]  # what it printed still comes back, through our descriptor
    assert sorted(p.name for p in canary.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("mode", ["confined", "portable"])
def test_a_flooding_submission_gets_a_small_report(mode: str, tmp_path: Path) -> None:
    env = _mode(mode)
    attack = (ATTACKS / "holds_flood.py").read_text()
    row, temp, text = _grade(tmp_path, attack, env, "holds_flood")
    assert row["score"] < row["max_score"]
    assert len(text) < 400_000, len(text)  # three submissions; the flood alone sent > 100 MB
    messages = [test["message"] for problem in row["problems"] for test in problem["tests"]]
    assert all(len(message) <= MAX_MESSAGE_CHARS for message in messages)
    assert list(temp.iterdir()) == []


def test_caps_truncate_with_a_note_and_keep_the_scores() -> None:
    tests = tuple(TestResult(f"t{i}", "fail", 0, 1, "m" * 10_000) for i in range(30))
    result = CheckResult("problem2", "title", 0, "f.py", tests, output="o" * 100_000)
    assert result.max_score == 30 and result.score == 0
    assert result.size <= MAX_CHECK_CHARS
    assert "truncated" in result.tests[0].message
    assert all(len(test.message) <= MAX_MESSAGE_CHARS for test in result.tests)
    assert [test.name for test in result.tests] == [f"t{i}" for i in range(30)]
    whole = capped_submission([result] * 5, limit=100_000)
    assert sum(r.size for r in whole) <= 100_000
    assert [r.max_score for r in whole] == [30] * 5
    small = CheckResult("problem2", "title", 0, "f.py", (TestResult("a", "pass", 1, 1, "fine"),))
    assert capped_submission([small])[0] is small


def test_remove_tree_follows_no_link_and_needs_no_recursion(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("keep")
    top = tmp_path / "work"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    for _ in range(1200):  # deeper than shutil.rmtree's recursion allows on Python <= 3.12
        os.mkdir("d", dir_fd=fd)
        deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    os.mkfifo("fifo", dir_fd=fd)
    os.symlink(canary, "up", dir_fd=fd)
    os.symlink("/dev/zero", "zero", dir_fd=fd)
    os.close(fd)
    (top / "locked").mkdir()
    (top / "locked" / "f").write_text("x")
    os.chmod(top / "locked", 0o000)
    os.symlink(canary, top / "canary-link")
    assert remove_tree(top) is True
    assert not top.exists()
    assert (canary / "keep.txt").read_text() == "keep"
    link = tmp_path / "link-to-canary"
    link.symlink_to(canary, target_is_directory=True)
    assert remove_tree(link) is True and not link.is_symlink() and canary.is_dir()
    assert remove_tree(tmp_path / "missing") is True
    assert remove_tree(None) is True
