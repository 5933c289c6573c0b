"""The quizzes: load and validate the TOML files of quizzes/, shuffle options, parse answers.

A quiz file is data, read with the standard library's tomllib and checked against a small
schema when it is loaded: a malformed file is one error naming the file, the question and
the field, never a traceback in the middle of an attempt.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._compat import tomllib
from .errors import QuizFileError, UsageError
from .paths import PACKAGE_DIR, quizzes_dir

LETTERS = ("A", "B", "C", "D")
DEFAULT_QUIZ = "regularization"
GRADED_QUIZ = "graded"  # nbgrader's quiz notebook: heldout_quizzes/graded.toml, never shipped
SKIP = "-"  # in --answers: this question is left unanswered (its answer is not shown)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Question:
    """One multiple-choice question: four options, the right letter, a reason for each option."""

    id: str
    section: str
    prompt: str
    options: Mapping[str, str]  # "A".."D" -> option text
    answer: str  # the right letter, in the file's order
    explanations: Mapping[str, str]  # "A".."D" -> why that option is right or wrong
    misconceptions: Mapping[str, str]  # each wrong letter -> the slip that option stands for


@dataclass(frozen=True)
class Quiz:
    """A quiz file: its questions in the file's order, and what identifies its wording."""

    id: str
    title: str
    version: int
    digest: str  # the first 12 hex digits of the file's SHA-256: changes with any edit
    path: Path
    questions: tuple[Question, ...]

    def question(self, number_or_id: str) -> tuple[int, Question]:
        """(0-based index, question) for a 1-based number or a question id."""
        for index, question in enumerate(self.questions):
            if number_or_id in (str(index + 1), question.id):
                return index, question
        raise UsageError(f"quiz {self.id} has no question {number_or_id!r}; choose 1-"
                         f"{len(self.questions)} or one of {', '.join(q.id for q in self.questions)}")


@dataclass(frozen=True)
class Shown:
    """A question as presented: `order[i]` is the file letter of the option shown as LETTERS[i]."""

    question: Question
    order: tuple[str, ...] = LETTERS

    def shown_letter(self, file_letter: str) -> str:
        """The letter under which the option `file_letter` of the file is displayed."""
        return LETTERS[self.order.index(file_letter)]


def quiz_files() -> list[Path]:
    """Every quiz file, sorted by name."""
    return sorted(quizzes_dir().glob("*.toml"))


def heldout_quizzes_dir() -> Path:
    """The graded quizzes whose answers stay with the instructor: course source only.

    Like grader/heldout/ and solutions/, the folder is in no package of the wheel that
    students install (pyproject.toml), so there it does not exist.
    """
    return PACKAGE_DIR / "heldout_quizzes"


def load_quiz(name: str = DEFAULT_QUIZ) -> Quiz:
    """Load and validate quizzes/<name>.toml (else the course source's held-out quiz <name>)."""
    path = quizzes_dir() / f"{name}.toml"
    if not path.is_file() and _ID.match(name) and (heldout_quizzes_dir() / f"{name}.toml").is_file():
        path = heldout_quizzes_dir() / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(p.stem for p in quiz_files()) or "none"
        raise UsageError(f"no quiz named {name!r} (available: {known})")
    return load_quiz_file(path)


def load_quiz_file(path: Path) -> Quiz:
    """Load and validate one quiz file; QuizFileError names the file, question and field."""
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise QuizFileError(f"cannot read the quiz file {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QuizFileError(f"the quiz file {path} is not valid TOML: {exc}") from None
    return _validate(data, path, hashlib.sha256(raw).hexdigest()[:12])


def _validate(data: dict[str, Any], path: Path, digest: str) -> Quiz:
    def bad(where: str, field: str, problem: str) -> QuizFileError:
        return QuizFileError(f"the quiz file {path}: {where}, field '{field}': {problem}")

    _only_keys(data, {"id", "title", "version", "questions"}, lambda f: bad("top level", f, "unknown field"))
    quiz_id = _text(data, "id", lambda p: bad("top level", "id", p))
    if not _ID.match(quiz_id):
        raise bad("top level", "id", "use lower-case letters, digits and _ (e.g. regularization)")
    title = _text(data, "title", lambda p: bad("top level", "title", p))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("top level", "version", "must be a whole number >= 1")
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        raise bad("top level", "questions", "must be a non-empty list of [[questions]] tables")
    questions: list[Question] = []
    for number, entry in enumerate(entries, start=1):
        where = f"question {number}"
        if not isinstance(entry, dict):
            raise bad(where, "questions", "must be a [[questions]] table")
        if isinstance(entry.get("id"), str):
            where += f" ({entry['id']})"
        questions.append(_question(entry, lambda f, p, w=where: bad(w, f, p)))
    seen: set[str] = set()
    for number, question in enumerate(questions, start=1):
        if question.id in seen:
            raise bad(f"question {number} ({question.id})", "id", "used by an earlier question")
        seen.add(question.id)
    return Quiz(quiz_id, title, version, digest, path, tuple(questions))


def _question(entry: dict[str, Any], bad: Any) -> Question:
    fields = {"id", "section", "prompt", "answer", "options", "explanations", "misconceptions"}
    _only_keys(entry, fields, lambda f: bad(f, "unknown field"))
    question_id = _text(entry, "id", lambda p: bad("id", p))
    if not _ID.match(question_id):
        raise bad("id", "use lower-case letters, digits and _ (e.g. q1)")
    section = _text(entry, "section", lambda p: bad("section", p))
    prompt = _text(entry, "prompt", lambda p: bad("prompt", p))
    answer = _text(entry, "answer", lambda p: bad("answer", p))
    if answer not in LETTERS:
        raise bad("answer", f"must be one of {', '.join(LETTERS)} (got {answer!r})")
    options = _lettered(entry, "options", bad)
    explanations = _lettered(entry, "explanations", bad)
    if len(set(options.values())) != len(options):
        raise bad("options", "two options have the same text")
    wrong = [letter for letter in LETTERS if letter != answer]
    misconceptions = _lettered(entry, "misconceptions", bad, wrong)
    return Question(question_id, section, prompt, options, answer, explanations, misconceptions)


def _lettered(entry: dict[str, Any], field: str, bad: Any,
              letters: Sequence[str] = LETTERS) -> dict[str, str]:
    table = entry.get(field)
    if not isinstance(table, dict):
        raise bad(field, f"missing: give a [questions.{field}] table with {', '.join(letters)}")
    if sorted(table) != list(letters):
        raise bad(field, f"must have exactly the keys {', '.join(letters)} (has {', '.join(sorted(table)) or 'none'})")
    for letter in letters:
        value = table[letter]
        if not isinstance(value, str) or not value.strip():
            raise bad(f"{field}.{letter}", "must be non-empty text")
    return {letter: " ".join(table[letter].split()) for letter in letters}


def _text(table: dict[str, Any], field: str, bad: Any) -> str:
    value = table.get(field)
    if value is None:
        raise bad("missing")
    if not isinstance(value, str) or not value.strip():
        raise bad("must be non-empty text")
    return " ".join(value.split())


def _only_keys(table: dict[str, Any], allowed: set[str], bad: Any) -> None:
    for key in table:
        if key not in allowed:
            raise bad(key)


# -- presenting and answering ----------------------------------------------------------------


def present(questions: Sequence[Question], *, shuffle: bool, seed: int) -> list[Shown]:
    """The questions as shown: shuffled (the default), each question's options in a seeded order."""
    if not shuffle:
        return [Shown(question) for question in questions]
    generator = random.Random(seed)
    shown = []
    for question in questions:
        order = list(LETTERS)
        generator.shuffle(order)
        shown.append(Shown(question, tuple(order)))
    return shown


def parse_choice(text: str) -> str | None:
    """The displayed letter typed by the user (a-d in either case, or 1-4), else None."""
    cleaned = text.strip().upper().rstrip(").")
    if cleaned in LETTERS:
        return cleaned
    if cleaned in {"1", "2", "3", "4"}:
        return LETTERS[int(cleaned) - 1]
    return None


def parse_answers(letters: str, count: int) -> list[str | None]:
    """--answers LETTERS: one letter A-D per question (either case), SKIP for a question left
    unanswered (None); UsageError otherwise."""
    cleaned = letters.strip().upper()
    wrong = sorted({letter for letter in cleaned if letter not in LETTERS and letter != SKIP})
    if wrong:
        raise UsageError(f"--answers {letters!r}: {', '.join(repr(w) for w in wrong)} is not a "
                         f"choice; use one letter A-D per question (or {SKIP} to skip one), "
                         f"e.g. {'A' * count}")
    if len(cleaned) != count:
        raise UsageError(f"--answers {letters!r} gives {len(cleaned)} answer(s) for {count} "
                         f"question(s); give exactly one letter A-D (or {SKIP}) per question")
    return [None if letter == SKIP else letter for letter in cleaned]
