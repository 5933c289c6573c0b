"""The real interactive quiz in a pseudo-terminal (pexpect), and many quiz takers at once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect is in the test extra: pip install -e '.[test]'")

COMMAND = [sys.executable, "-m", "regquiz"]


def _spawn(regquiz_home: Path, *args: str, colour: bool = False) -> pexpect.spawn:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update(REGQUIZ_HOME=str(regquiz_home), COLUMNS="80", LINES="40", TERM="xterm")
    if not colour:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(COMMAND[0], [*COMMAND[1:], "quiz", *args], env=env, encoding="utf-8",
                          timeout=30, dimensions=(40, 80))
    return child


def _attempts(regquiz_home: Path) -> list[tuple[int, int, int, str]]:
    with sqlite3.connect(regquiz_home / "regquiz.db") as db:
        return db.execute(
            "SELECT t.complete, t.score, t.max_score, group_concat(a.answer, '') FROM quiz_attempts t "
            "LEFT JOIN quiz_answers a ON a.attempt = t.id GROUP BY t.id ORDER BY t.id").fetchall()


@pytest.mark.slow
def test_terminal_quiz_invalid_right_wrong_then_ctrl_c(regquiz_home: Path) -> None:
    child = _spawn(regquiz_home, "--no-shuffle")
    child.expect_exact("Question 1 of 5")
    child.expect_exact("Your answer (A-D): ")
    child.sendline("maybe")
    child.expect_exact('"maybe" is not a choice: type one of A, B, C, D (or 1-4).')
    child.expect_exact("Your answer (A-D): ")
    child.sendline("d")
    child.expect_exact("Correct — the answer is D.")
    child.expect_exact("Why: ")
    child.expect_exact("Question 2 of 5")
    child.expect_exact("Your answer (A-D): ")
    child.sendline("2")
    child.expect_exact("Incorrect — the answer is A.")
    child.expect_exact("You chose B:")
    child.expect_exact("The answer, A:")
    child.expect_exact("Your answer (A-D): ")
    child.sendintr()
    child.expect_exact("regquiz: quiz stopped (interrupted) after 2 of 5 questions")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert _attempts(regquiz_home) == [(0, 1, 5, "DB")]


@pytest.mark.slow
def test_terminal_quiz_to_the_end_in_colour(regquiz_home: Path) -> None:
    child = _spawn(regquiz_home, "--no-shuffle", colour=True)
    transcript = []
    for letter in "DACBA":
        child.expect_exact("Your answer (A-D): ")
        transcript.append(child.before)
        child.sendline(letter)
    child.expect(pexpect.EOF)
    transcript.append(child.before)
    child.close()
    assert child.exitstatus == 1
    text = "".join(transcript)
    assert "\x1b[" in text  # colour on a terminal …
    assert "Correct" in text and "Incorrect" in text and "the answer is D" in text  # … never alone
    assert "Score: 4/5" in text
    assert max(len(line.rstrip("\r")) for line in _plain(text).splitlines()) <= 80
    assert _attempts(regquiz_home) == [(1, 4, 5, "DACBA")]


def _plain(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


_TAKER = """
import sys
from regquiz.cli import cli
for _ in range({count}):
    try:
        cli.main(["quiz", "--answers", sys.argv[1], "--json"], prog_name="regquiz")
    except SystemExit as exit:
        if exit.code not in (0, 1):
            raise
"""


@pytest.mark.slow
def test_eight_quiz_takers_at_once_lose_no_attempt(regquiz_home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "REGQUIZ_HOME": str(regquiz_home)}
    letters = ["CBBBB", "ABBBB", "CCBBB", "CBCBB", "CBBCB", "CBBBC", "DDDDD", "CBBBB"]
    takers = [subprocess.Popen([sys.executable, "-c", _TAKER.format(count=50), answers],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, cwd=tmp_path) for answers in letters]
    for taker in takers:
        _, err = taker.communicate(timeout=300)
        assert taker.returncode == 0, err
    rows = _attempts(regquiz_home)
    assert len(rows) == 400
    assert sorted(answers for _, _, _, answers in rows) == sorted(letters * 50)
    assert all(complete == 1 and max_score == 5 for complete, _, max_score, _ in rows)
    with sqlite3.connect(regquiz_home / "regquiz.db") as db:
        assert db.execute("SELECT COUNT(*) FROM quiz_answers").fetchone()[0] == 2000
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_terminal_concept_questions_of_a_problem(regquiz_home: Path) -> None:
    from conftest import earn

    earn("problem3")
    child = _spawn(regquiz_home, "--problem", "problem3", "--no-shuffle")
    child.expect_exact("Question 1 of 2")
    child.expect_exact("Your answer (A-D): ")
    child.sendline("c")
    child.expect_exact("Correct — the answer is C.")
    child.expect_exact("Question 2 of 2")
    child.expect_exact("Your answer (A-D): ")
    child.sendline("a")
    child.expect_exact("Incorrect — the answer is B.")
    child.expect_exact("You chose A:")
    child.expect_exact("Score: 1/2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "Traceback" not in (child.before or "")
    assert _attempts(regquiz_home)[-1] == (1, 1, 2, "CA")
