"""The quiz as a user meets it through the CLI: answers, feedback, exit codes, records, shapes."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REPO
from regquiz.cli import cli
from regquiz.manifest import load_manifest
from regquiz.quiz import LETTERS, load_quiz
from regquiz.records import open_records

QUIZ = load_quiz()
RIGHT = "".join(question.answer for question in QUIZ.questions)


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, env=env)


def one_line_error(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def attempts() -> list[dict]:
    with open_records() as records:
        return records.quiz_attempts()


def wrong_letter(question_index: int) -> str:
    return next(l for l in LETTERS if l != QUIZ.questions[question_index].answer)


# -- the quiz data -------------------------------------------------------------------------------


def test_the_quiz_has_the_subjects_five_questions_and_answers() -> None:
    assert RIGHT == "DACBD"
    assert [q.id for q in QUIZ.questions] == ["q1", "q2", "q3", "q4", "q5"]
    for question in QUIZ.questions:
        assert question.section and question.prompt
        assert sorted(question.options) == sorted(question.explanations) == list(LETTERS)


def test_the_quiz_is_written_in_our_own_words() -> None:
    seed = (REPO.parent / "shared" / "seed" / "16-08-regularization.txt")
    if not seed.exists():
        pytest.skip("the source text is not beside this checkout")
    source = " ".join(seed.read_text(encoding="utf-8").split()).lower()
    for question in QUIZ.questions:
        for text in [question.prompt, *question.options.values(), *question.explanations.values()]:
            words = re.findall(r"\S+", text.lower())
            for start in range(len(words) - 7):
                run_of_eight = " ".join(words[start:start + 8])
                assert run_of_eight not in source, f"{question.id} copies: {run_of_eight!r}"


# -- --answers: non-interactive ----------------------------------------------------------------


def test_all_right_answers_exit_0_and_are_recorded() -> None:
    result = run("quiz", "--answers", RIGHT)
    assert result.exit_code == 0, result.output
    assert "Score: 5/5" in result.stdout
    [attempt] = attempts()
    assert attempt["complete"] and attempt["score"] == 5 and attempt["max_score"] == 5
    assert [a["answer"] for a in attempt["answers"]] == list(RIGHT)
    assert attempt["quiz_version"] == QUIZ.version and attempt["quiz_digest"] == QUIZ.digest
    assert attempt["duration"] is not None and attempt["finished_at"] >= attempt["started_at"]


def test_answers_are_case_insensitive_and_a_wrong_one_exits_1() -> None:
    letters = RIGHT[:3].lower() + wrong_letter(3).lower() + RIGHT[4].lower()
    result = run("quiz", "--answers", letters, "--json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["score"] == 4 and payload["max_score"] == 5
    assert [q["correct"] for q in payload["questions"]] == [True, True, True, False, True]
    assert set(payload["questions"][0]) >= {"id", "answer", "correct", "correct_answer"}
    assert payload["questions"][3] == {"id": "q4", "answer": wrong_letter(3), "correct": False,
                                       "correct_answer": "B"}
    assert payload["seed"] is None  # --answers keeps the file's letters: nothing shuffled


def test_text_output_explains_every_answer() -> None:
    letters = wrong_letter(0) + RIGHT[1:]
    result = run("quiz", "--answers", letters, env={"COLUMNS": "80"})
    out = result.stdout
    assert f"Incorrect — the answer is {RIGHT[0]}." in out
    first = QUIZ.questions[0]
    flat = " ".join(out.split())
    assert " ".join(first.explanations[letters[0]].split()[:6]) in flat  # why the choice is wrong
    assert " ".join(first.explanations[first.answer].split()[:6]) in flat  # why the answer is right
    assert out.count("Correct — the answer is") == 4
    assert "1. q1: " in out and "incorrect, the answer is D" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "\x1b[" not in out  # no colour when the output is not a terminal


@pytest.mark.parametrize("letters, words", [
    ("CBBB", "gives 4 answer(s) for 5"),
    ("CBBBBB", "gives 6 answer(s) for 5"),
    ("CBBBE", "'E' is not a choice"),
    ("C1BBB", "'1' is not a choice"),
    ("", "gives 0 answer(s)"),
])
def test_bad_answers_are_exit_2_and_record_nothing(letters: str, words: str,
                                                  regquiz_home: Path) -> None:
    open_records().close()  # the database exists, and holds no attempt
    result = run("quiz", "--answers", letters)
    assert result.exit_code == 2
    assert words in one_line_error(result)
    assert attempts() == []


# -- interactive, with scripted input ----------------------------------------------------------


def test_interactive_reprompts_accepts_letters_and_digits_and_explains() -> None:
    script = "x\n\nE\nd\n1\n" + "c\n" + "a\n" + "D\n"
    result = run("quiz", "--no-shuffle", input=script)
    assert result.exit_code == 1
    out = result.stdout
    assert out.count("is not a choice: type one of A, B, C, D (or 1-4).") == 3
    assert out.count("Correct — the answer is") == 4
    assert "Incorrect — the answer is B." in out and "You chose A:" in out
    assert "The answer, B:" in out
    assert "Score: 4/5" in out and "shuffled" not in out
    [attempt] = attempts()
    assert "".join(a["answer"] for a in attempt["answers"]) == "DACAD"
    assert attempt["seed"] is None
    assert attempt["complete"] and attempt["mode"] == "full"


def test_end_of_input_keeps_an_incomplete_attempt_and_exits_1() -> None:
    result = run("quiz", "--no-shuffle", input="d\na\n")
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "end of input" in line and "2 of 5" in line and "incomplete attempt" in line
    [attempt] = attempts()
    assert not attempt["complete"] and attempt["score"] == 2 and len(attempt["answers"]) == 2
    table = run("scores").stdout
    assert "incomplete" in table


def test_end_of_input_before_any_answer_records_nothing() -> None:
    result = run("quiz", input="")
    assert result.exit_code == 1
    assert "nothing was recorded" in one_line_error(result)
    assert attempts() == []


def test_summary_shows_the_best_and_last_earlier_scores() -> None:
    run("quiz", "--answers", RIGHT)
    run("quiz", "--answers", wrong_letter(0) + wrong_letter(1) + RIGHT[2:])
    result = run("quiz", "--no-shuffle", input="\n".join(RIGHT) + "\n")
    assert result.exit_code == 0
    assert "best 5/5, last 3/5" in result.stdout
    first = run("quiz", "--question", "2", "--answers", RIGHT[1])
    assert "best 5/5, last 5/5" in first.stdout


def test_shuffle_is_seeded_and_letters_follow_the_options() -> None:
    def shown_options(out: str) -> list[list[str]]:
        blocks = out.split("Question ")[1:]
        return [re.findall(r"^  ([A-D])\) (.+)$", block, flags=re.M) for block in blocks]

    once = run("quiz", "--shuffle", "--seed", "7", input="")
    again = run("quiz", "--shuffle", "--seed", "7", input="")
    assert shown_options(once.stdout) == shown_options(again.stdout)
    orders = set()
    for seed in range(6):
        out = run("quiz", "--shuffle", "--seed", str(seed), "--question", "1", input="").stdout
        orders.add(tuple(text for _, text in shown_options(out)[0]))
    assert len(orders) > 1  # the options really move
    # Answer by the letter under which the right option is shown: that is what counts.
    out = run("quiz", "--shuffle", "--seed", "11", "--question", "3", input="").stdout
    [options] = shown_options(out)
    third = QUIZ.questions[2]
    letter = next(l for l, text in options if text.startswith(third.options[third.answer][:30]))
    result = run("quiz", "--shuffle", "--seed", "11", "--question", "3", input=letter + "\n")
    assert result.exit_code == 0 and f"Correct — the answer is {letter}." in result.stdout
    [attempt] = [a for a in attempts() if a["mode"] == "question"]
    assert attempt["answers"][0]["answer"] == third.answer  # recorded in the file's letters
    assert attempt["seed"] == 11


def test_shuffle_never_changes_what_answers_letters_mean() -> None:
    result = run("quiz", "--shuffle", "--seed", "5", "--answers", RIGHT, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["score"] == 5


def test_one_question_by_number_or_id() -> None:
    result = run("quiz", "--question", "q5", "--answers", RIGHT[4].lower())
    assert result.exit_code == 0 and "Question 1 of 1" in result.stdout
    assert "Label smoothing" in result.stdout
    result = run("quiz", "--no-shuffle", "--question", "2", input="B\n")
    assert result.exit_code == 1 and "Incorrect — the answer is A." in result.stdout
    modes = [(a["mode"], a["complete"]) for a in attempts()]
    assert modes == [("question", True), ("question", True)]


@pytest.mark.parametrize("args, words", [
    (["--question", "9"], "has no question '9'"),
    (["--question", "2", "--review"], "either --question or --review"),
    (["--question", "1", "--answers", "BB"], "gives 2 answer(s) for 1"),
    (["--quiz", "nonesuch"], "no quiz named 'nonesuch' (available: problem1, problem2, problem3, problem4, "
                            "problem5, regularization)"),
    (["--seed", "-3"], "-3"),
])
def test_bad_quiz_options_are_one_line_and_exit_2(args: list[str], words: str) -> None:
    result = run("quiz", *args)
    assert result.exit_code == 2
    assert words in (result.stderr.strip().splitlines() or [""])[-1]
    assert "Traceback" not in result.output
    assert attempts() == []


def test_review_asks_only_the_questions_last_missed() -> None:
    assert "No answers recorded yet" in run("quiz", "--review").stdout
    run("quiz", "--answers", RIGHT[:3] + wrong_letter(3) + wrong_letter(4))
    result = run("quiz", "--review", "--no-shuffle", input="B\nA\n")
    assert result.exit_code == 1
    assert "Question 1 of 2" in result.stdout and "Early stopping" in result.stdout
    assert "Question 2 of 2" in result.stdout and "Label smoothing" in result.stdout
    result = run("quiz", "--review", "--answers", RIGHT[4])  # only q5 is still missed
    assert result.exit_code == 0 and "Question 1 of 1" in result.stdout
    assert "Nothing to review" in run("quiz", "--review").stdout
    assert [a["mode"] for a in attempts()] == ["full", "review", "review"]


# -- scores and list -------------------------------------------------------------------------------


def _some_history() -> None:
    run("check", "problem2", "--file", str(REPO / "solutions" / "problem2.py"), "--seed", "9")
    run("quiz", "--answers", RIGHT)
    run("quiz", "--no-shuffle", input="d\n")  # incomplete


def test_scores_json_has_the_spec_keys() -> None:
    _some_history()
    result = run("scores", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    [check] = payload["checks"]
    assert {"problem", "score", "max_score", "seed", "at"} <= set(check)
    assert check["problem"] == "problem2" and check["seed"] == 9 and check["score"] == check["max_score"]
    complete, incomplete = payload["quiz_attempts"]
    for attempt in (complete, incomplete):
        assert {"quiz", "score", "max_score", "complete", "started_at", "answers"} <= set(attempt)
    assert complete["complete"] is True and complete["score"] == 5
    assert incomplete["complete"] is False and [a["answer"] for a in incomplete["answers"]] == ["D"]
    assert {"id", "answer", "correct", "correct_answer", "answered_at"} <= set(complete["answers"][0])


def test_scores_csv_has_one_header_and_a_row_per_record() -> None:
    _some_history()
    result = run("scores", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stdout.splitlines()[0].startswith("kind,name,score,max_score,at")
    assert [(r["kind"], r["name"]) for r in rows] == [
        ("check", "problem2"), ("quiz", "regularization"), ("quiz", "regularization")]
    assert rows[1]["answers"] == RIGHT and rows[1]["complete"] == "true"
    assert rows[2]["complete"] == "false"


def test_scores_table_and_empty_history() -> None:
    empty = run("scores")
    assert empty.exit_code == 0 and "No scores recorded yet" in empty.stdout
    _some_history()
    table = run("scores").stdout
    assert "Checks" in table and "Quiz attempts" in table and RIGHT in table
    assert run("scores", "--json", "--csv").exit_code == 2


def test_list_shows_the_best_quiz_score() -> None:
    assert re.search(r"regularization .* 5 +—", run("list").stdout)
    run("quiz", "--answers", wrong_letter(0) + RIGHT[1:])
    run("quiz", "--answers", RIGHT)
    run("quiz", "--answers", wrong_letter(0) * 5)
    run("quiz", "--question", "1", "--answers", wrong_letter(0))  # one question: not the quiz
    assert re.search(r"regularization .* 5 +5/5", run("list").stdout)


# -- records that cannot be used ---------------------------------------------------------------------


def test_damaged_database_is_named_and_left_untouched(regquiz_home: Path) -> None:
    regquiz_home.mkdir(parents=True)
    database = regquiz_home / "regquiz.db"
    database.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    before = database.read_bytes()
    for args, stdin in ((["quiz"], "c\n"), (["quiz", "--answers", RIGHT], None), (["scores"], None)):
        result = run(*args, input=stdin)
        assert result.exit_code == 3, result.output
        line = one_line_error(result)
        assert str(database) in line and ("damaged" in line or "cannot be used" in line)
        assert "move it aside" in line or "restore" in line or "cannot be used" in line
    assert database.read_bytes() == before


def test_unusable_database_path_is_exit_3_before_the_first_question(regquiz_home: Path) -> None:
    (regquiz_home / "regquiz.db").mkdir(parents=True)  # even root cannot open a folder as a database
    result = run("quiz", input="c\n")
    assert result.exit_code == 3
    assert "Question 1" not in result.stdout
    assert "regquiz.db" in one_line_error(result)


def test_answers_are_still_shown_when_they_cannot_be_recorded(regquiz_home: Path) -> None:
    (regquiz_home / "regquiz.db").mkdir(parents=True)
    result = run("quiz", "--answers", RIGHT, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["score"] == 5  # the JSON on stdout is whole
    assert "REGQUIZ_HOME" in one_line_error(result)


def test_malformed_quiz_file_is_exit_3_naming_file_question_and_field(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "quizzes"
    broken.mkdir()
    text = (REPO / "quizzes" / "regularization.toml").read_text(encoding="utf-8")
    (broken / "regularization.toml").write_text(text.replace('answer = "A"', 'answer = "E"', 1))
    monkeypatch.setattr("regquiz.quiz.quizzes_dir", lambda: broken)
    for args in (["quiz", "--answers", RIGHT], ["list"]):
        result = run(*args)
        assert result.exit_code == 3
        line = one_line_error(result)
        assert "regularization.toml" in line and "question 2 (q2)" in line and "'answer'" in line
    assert attempts() == []


def test_database_rows_survive_a_quiz_in_the_old_schema(regquiz_home: Path) -> None:
    """A version-1 database (checks and hints only) gains the quiz tables; its rows stay."""
    regquiz_home.mkdir(parents=True)
    database = regquiz_home / "regquiz.db"
    from regquiz import records

    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                   "applied_at TEXT NOT NULL)")
        records.MIGRATIONS[0][2](db)
        db.execute("INSERT INTO migrations VALUES (1, 'create checks and hints', 'then')")
        db.execute("INSERT INTO checks (problem, score, max_score, passed, seed, file, at, tests) "
                   "VALUES ('problem1', 7, 26, 0, 42, 'x.py', '2026-01-01T00:00:00+00:00', '[]')")
        db.execute("INSERT INTO hints VALUES ('problem1', 2)")
        db.execute("PRAGMA user_version = 1")
    result = run("quiz", "--answers", RIGHT)
    assert result.exit_code == 0
    payload = json.loads(run("scores", "--json").stdout)
    assert [(c["problem"], c["score"], c["seed"]) for c in payload["checks"]] == [("problem1", 7, 42)]
    assert len(payload["quiz_attempts"]) == 1
    with sqlite3.connect(regquiz_home / "regquiz.db.v1.bak") as db:
        assert db.execute("SELECT seed FROM checks").fetchall() == [(42,)]
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    # the old per-problem hint counts belong to ladders that no longer exist: kept, not counted
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT * FROM hints").fetchall() == [("problem1", 2)]
    rungs = load_manifest().problem("problem1").rung_count
    assert f"0/{rungs}" in run("list").stdout.split("problem1")[1].splitlines()[0]


def test_interactive_json_keeps_stdout_for_the_json() -> None:
    result = run("quiz", "--json", "--no-shuffle", input="d\na\nc\nb\na\n")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["score"] == 4 and [q["answer"] for q in payload["questions"]] == list("DACBA")
    assert "Question 1 of 5" in result.stderr and "Incorrect — the answer is D." in result.stderr


def test_every_attempt_is_shuffled_by_default_and_its_seed_printed_and_recorded() -> None:
    result = run("quiz", input="")
    seed = int(re.search(r"Options shuffled with seed (\d+)", result.stdout).group(1))
    again = run("quiz", "--seed", str(seed), input="")
    assert again.stdout.split("Question 1", 1)[1] == result.stdout.split("Question 1", 1)[1]
    run("quiz", "--seed", str(seed), input="a\n")
    [attempt] = attempts()
    assert attempt["seed"] == seed
    orders = {run("quiz", input="").stdout.split("Question 1", 1)[1] for _ in range(6)}
    assert len(orders) > 1  # a fresh seed per attempt


def test_a_missed_answer_suggests_the_quizs_own_review() -> None:
    out = run("quiz", "--answers", wrong_letter(0) + RIGHT[1:]).stdout
    assert "Run `regquiz quiz --review`" in out
