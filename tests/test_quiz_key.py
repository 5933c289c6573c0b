"""Graded answers stay with the instructor (issue 19, item 6).

* `quiz --json` names a question's `correct_answer` only once it is answered;
* `quiz --help` and the prompts before an answer name no answer;
* the nbgrader grading seed is drawn per export, kept in the course folder, and no source
  notebook (hence no released one) holds it;
* the nbgrader quiz is graded against a held-out key that the students' wheel lacks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REPO
from regquiz.cli import cli
from regquiz.quiz import LETTERS, load_quiz

QUIZ = load_quiz()
RIGHT = "".join(question.answer for question in QUIZ.questions)


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def test_quiz_json_shows_correct_answers_only_for_answered_questions() -> None:
    letters = RIGHT[0] + "-" + RIGHT[2] + "--"
    result = run("quiz", "--answers", letters, "--json")
    payload = json.loads(result.stdout)
    assert payload["complete"] is False and payload["score"] == 2
    questions = payload["questions"]
    assert [q["id"] for q in questions] == [q.id for q in QUIZ.questions]
    assert questions[0]["correct_answer"] == RIGHT[0]
    assert questions[2]["correct_answer"] == RIGHT[2]
    for index in (1, 3, 4):
        assert questions[index] == {"id": QUIZ.questions[index].id, "answer": None,
                                    "correct": False, "correct_answer": None}


def test_skipping_every_question_reveals_nothing() -> None:
    result = run("quiz", "--answers", "-----", "--json")
    payload = json.loads(result.stdout)
    assert payload["score"] == 0
    assert all(q["correct_answer"] is None for q in payload["questions"])
    assert "Incorrect" not in result.output and "Right" not in result.stdout


def test_an_interrupted_json_attempt_reveals_only_what_was_answered() -> None:
    first = QUIZ.questions[0]
    result = run("quiz", "--json", "--no-shuffle", input=f"{first.answer}\n")  # then EOF
    payload = json.loads(result.stdout)
    assert payload["questions"][0]["correct_answer"] == first.answer
    assert all(q["correct_answer"] is None for q in payload["questions"][1:])


def test_help_and_prompts_before_answering_name_no_answer() -> None:
    from regquiz.quiz import present
    from regquiz.quiz_session import question_text

    help_text = run("quiz", "--help").output
    for question in QUIZ.questions:
        right = question.explanations[question.answer]
        assert right[:40] not in help_text
        assert question.options[question.answer][:40] not in help_text
    for number, shown in enumerate(present(list(QUIZ.questions), shuffle=False, seed=0), 1):
        text = question_text(shown, number, len(QUIZ.questions), colour=False)
        question = shown.question
        assert all(question.explanations[letter][:40] not in text for letter in LETTERS)
        assert "answer" not in text.lower().replace("your answer", "")


# -- nbgrader: the grading seed ------------------------------------------------------------


def export(course: Path) -> int:
    pytest.importorskip("nbformat")
    result = run("nbgrader", str(course))
    assert result.exit_code == 0, result.output
    secret = course / ".regquiz" / "regularization.json"
    assert secret.stat().st_mode & 0o077 == 0  # the instructor's only
    return int(json.loads(secret.read_text())["seed"])


def test_the_grading_seed_is_drawn_per_export_and_never_in_a_notebook(tmp_path: Path) -> None:
    first = export(tmp_path / "a")
    second = export(tmp_path / "b")
    assert first != second  # 1 in 2**31 to be equal by chance
    for seed, course in ((first, tmp_path / "a"), (second, tmp_path / "b")):
        for notebook in (course / "source" / "regularization").glob("*.ipynb"):
            text = notebook.read_text(encoding="utf-8")
            assert "seed" not in text, notebook.name
            assert not re.search(rf"\b{seed}\b", text), notebook.name


def test_autograde_grades_with_the_courses_seed(tmp_path: Path) -> None:
    pytest.importorskip("nbgrader")
    import nbformat

    from regquiz.instructor.nbgrader_autograde import GradingRefused, RegquizExecute
    from traitlets.config import Config

    seed = export(tmp_path)
    notebook = nbformat.read(str(tmp_path / "source" / "regularization" / "problem2.ipynb"),
                             as_version=4)
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    step = RegquizExecute(config=config)
    resources = {"nbgrader": {"notebook": "problem2", "assignment": "regularization"}}
    assert step._course_seed(resources) == seed
    (tmp_path / ".regquiz" / "regularization.json").unlink()
    with pytest.raises(GradingRefused, match="no grading seed"):
        step.preprocess(notebook, resources)


# -- nbgrader: the graded quiz's key is not in the students' wheel --------------------------


def test_the_nbgrader_quiz_is_the_held_out_one_with_another_key(tmp_path: Path) -> None:
    pytest.importorskip("nbformat")
    from regquiz.quiz import GRADED_QUIZ

    graded = load_quiz(GRADED_QUIZ)
    assert graded.path.parent.name == "heldout_quizzes"
    public = [question.prompt for question in QUIZ.questions]
    assert not set(public) & {question.prompt for question in graded.questions}
    key = "".join(question.answer for question in graded.questions)
    assert all(a != b for a, b in zip(key, RIGHT))  # the public key earns nothing here
    export(tmp_path)
    text = (tmp_path / "source" / "regularization" / "quiz.ipynb").read_text(encoding="utf-8")
    assert f'quiz=\\"{GRADED_QUIZ}\\"' in text
    assert graded.questions[0].prompt in text


@pytest.mark.slow
def test_the_students_wheel_carries_no_held_out_key(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    from regquiz.quiz import GRADED_QUIZ

    source = tmp_path / "source"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((REPO / name).read_bytes())
    assert (source / "grader" / "heldout_quizzes" / f"{GRADED_QUIZ}.toml").is_file()
    out = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(source)], check=True, capture_output=True)
    [built] = out.glob("regquiz-*.whl")
    archive = zipfile.ZipFile(built)
    names = archive.namelist()
    assert not [name for name in names if "heldout" in name or name.endswith(f"{GRADED_QUIZ}.toml")]
    prompt = load_quiz(GRADED_QUIZ).questions[0].prompt.encode("utf-8")
    assert not [name for name in names if prompt in archive.read(name)]


def test_the_held_out_quiz_passes_the_quiz_linter(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/test_quiz_lint.py's rules, applied to the held-out quiz (not in quizzes/)."""
    import test_quiz_lint as lint

    from regquiz.quiz import GRADED_QUIZ

    graded = load_quiz(GRADED_QUIZ)
    lint.test_the_key_of_every_file_is_balanced(graded)
    lint.test_every_distractor_names_one_misconception(graded)
    lint.test_no_prompt_contains_its_own_answer_or_an_answer_text(graded)
    monkeypatch.setattr(lint, "QUIZZES", [graded])
    lint.test_options_are_of_comparable_length_and_the_answer_is_not_the_longest_by_habit()
    from regquiz.manifest import load_manifest
    from regquiz.reveal import shown_answers

    for question in graded.questions:  # explanations reach students with the feedback
        for text in question.explanations.values():
            assert not shown_answers(text, load_manifest().problems), (question.id, text)
