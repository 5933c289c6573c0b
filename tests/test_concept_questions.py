"""Concept questions per problem: `regquiz quiz --problem PROBLEMN`, and `check` pointing at them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REPO, earn
from regquiz.cli import cli
from regquiz.manifest import load_manifest
from regquiz.quiz import load_quiz

PROBLEMS = load_manifest().ids


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_problem_has_one_or_two_why_questions_explained_option_by_option(problem: str) -> None:
    quiz = load_quiz(problem)
    assert quiz.id == problem and 1 <= len(quiz.questions) <= 2
    for question in quiz.questions:
        assert all(len(question.explanations[letter]) > 40 for letter in "ABCD")
        assert question.explanations[question.answer].startswith("Right.")
        assert not any(question.explanations[letter].startswith("Right.")
                       for letter in "ABCD" if letter != question.answer)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_right_answers_score_full_marks_and_are_recorded(problem: str, regquiz_home: Path) -> None:
    quiz = load_quiz(problem)
    right = "".join(question.answer for question in quiz.questions)
    earn(problem)
    result = run("quiz", "--problem", problem, "--answers", right.lower(), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["score"] == payload["max_score"] == len(quiz.questions)
    assert [q["id"] for q in payload["questions"]] == [q.id for q in quiz.questions]
    with sqlite3.connect(regquiz_home / "regquiz.db") as db:
        assert db.execute("SELECT quiz, score FROM quiz_attempts").fetchall() == [
            (problem, len(quiz.questions))]


def test_practice_problem_5_is_asked_and_a_wrong_answer_is_explained() -> None:
    earn("problem5")
    result = run("quiz", "--problem", "problem5", "--answers", "AB")
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())
    assert "99 % training accuracy" in text and "Incorrect — the answer is C." in text
    assert "0.545" in text and "Score: 1/2" in text
    assert "Run `regquiz quiz --problem problem5 --review`" in text


def test_concept_questions_open_once_the_problem_passes() -> None:
    closed = run("quiz", "--problem", "problem2", "--answers", "DA")
    assert closed.exit_code == 2 and "open once problem2 passes" in closed.stderr
    assert "lr·λ" not in closed.output
    check = run("check", "problem2", "--file", str(REPO / "solutions" / "problem2.py"))
    assert check.exit_code == 0
    assert run("quiz", "--problem", "problem2", "--answers", "DA").exit_code == 0


def test_interactive_answers_through_stdin() -> None:
    earn("problem4")
    result = run("quiz", "--problem", "problem4", "--no-shuffle", input="d\na\n")
    assert result.exit_code == 0, result.output
    assert "Question 2 of 2" in result.stdout and "Score: 2/2" in result.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["--problem", "problm4"], "did you mean problem4?"),
    (["--problem", "problem4", "--quiz", "regularization2"], "either --problem or --quiz"),
    (["--problem", "problem4", "--answers", "B"], "gives 1 answer(s) for 2 question(s)"),
])
def test_bad_options_are_one_line_exit_2(args: list[str], words: str, regquiz_home: Path) -> None:
    earn("problem4")
    result = run("quiz", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert not (regquiz_home / "regquiz.db").exists() or sqlite3.connect(
        regquiz_home / "regquiz.db").execute("SELECT COUNT(*) FROM quiz_attempts").fetchone()[0] == 0


def test_a_passing_check_ends_with_the_concept_questions_command() -> None:
    result = run("check", "problem3", "--file", str(REPO / "solutions" / "problem3.py"))
    assert result.exit_code == 0
    assert result.stdout.rstrip().splitlines()[-1] == "Now the why: regquiz quiz --problem problem3"
    failing = run("check", "problem3", "--file", str(REPO / "exercises" / "problem3.py"))
    assert "quiz --problem" not in failing.stdout
