"""Taking a quiz: ask each question, judge the answer, explain it, record it as it is given.

The flow is a plain function over `ask` and `say` callables, so the same code serves the
terminal (input() on a tty), scripted input (CliRunner, pipes) and `--answers`.  Answers are
written to the records one by one, so an attempt cut short by Ctrl-C or the end of input is
kept as an incomplete attempt with the answers given so far.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from .quiz import LETTERS, Quiz, Shown, parse_choice
from .records import AnswerRecord, AttemptInfo, Records, now
from .render import width

Ask = Callable[[str], str]  # prints a prompt, returns a line; raises EOFError / KeyboardInterrupt
Say = Callable[[str], None]


@dataclass(frozen=True)
class Answered:
    """A question as shown and the option the user chose, in the file's letters."""

    shown: Shown
    chosen: str
    at: str

    @property
    def correct(self) -> bool:
        """Whether the chosen option is the right one."""
        return self.chosen == self.shown.question.answer

    def record(self) -> AnswerRecord:
        """The row for the records."""
        question = self.shown.question
        order = "".join(self.shown.order)
        return AnswerRecord(question.id, self.chosen, self.correct, question.answer, self.at,
                            None if order == "".join(LETTERS) else order)

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §3 shape of one question in `quiz --json` (file letters)."""
        question = self.shown.question
        return {"id": question.id, "answer": self.chosen, "correct": self.correct,
                "correct_answer": question.answer}


@dataclass
class Attempt:
    """An attempt in progress: opened in the records at its first answer, closed at the end."""

    info: AttemptInfo
    records: Records | None
    answered: list[Answered] = field(default_factory=list)
    attempt_id: int | None = None
    started: float = field(default_factory=time.monotonic)

    def add(self, answer: Answered) -> None:
        """Keep one answer, in memory and (at once) in the records."""
        self.answered.append(answer)
        if self.records is None:
            return
        if self.attempt_id is None:
            self.attempt_id = self.records.start_attempt(self.info)
        self.records.record_answer(self.attempt_id, answer.record())

    def finish(self) -> None:
        """Close the attempt in the records: complete if every question was answered."""
        if self.records is not None and self.attempt_id is not None:
            self.records.finish_attempt(self.attempt_id, finished_at=now(),
                                        duration=time.monotonic() - self.started,
                                        complete=self.complete)

    @property
    def complete(self) -> bool:
        """Whether every question of the attempt was answered."""
        return len(self.answered) == self.info.max_score

    @property
    def score(self) -> int:
        """Right answers so far."""
        return sum(answer.correct for answer in self.answered)


def ask_all(shown: Sequence[Shown], attempt: Attempt, *, ask: Ask, say: Say,
            colour: bool) -> None:
    """The interactive loop: each question, a prompt until a valid choice, then the feedback."""
    total = len(shown)
    for number, item in enumerate(shown, start=1):
        say(question_text(item, number, total, colour=colour))
        while True:
            typed = ask("Your answer (A-D): ")
            letter = parse_choice(typed)
            if letter is not None:
                break
            say(f'"{typed.strip()}" is not a choice: type one of A, B, C, D (or 1-4).')
        answer = Answered(item, item.order[LETTERS.index(letter)], now())
        attempt.add(answer)
        say(feedback_text(answer, colour=colour))


def answer_all(shown: Sequence[Shown], letters: Sequence[str | None], attempt: Attempt) -> None:
    """--answers: the given file letters, one per question, judged and kept in order (None:
    that question is skipped)."""
    for item, letter in zip(shown, letters):
        if letter is not None:
            attempt.answered.append(Answered(item, letter, now()))


# -- text -------------------------------------------------------------------------------------


def question_text(item: Shown, number: int, total: int, *, colour: bool) -> str:
    """A question, its section and its options under the letters they are shown with."""
    room = width()
    question = item.question
    head = _style(f"Question {number} of {total}", colour, bold=True) + f" · {question.section}"
    lines = ["", head, *textwrap.wrap(question.prompt, room)]
    for shown_letter, file_letter in zip(LETTERS, item.order):
        lines += textwrap.wrap(question.options[file_letter], room, initial_indent=f"  {shown_letter}) ",
                               subsequent_indent="     ")
    return "\n".join(lines)


def feedback_text(answer: Answered, *, colour: bool) -> str:
    """Right or wrong in words, then why: the chosen option's explanation and the answer's."""
    item, question = answer.shown, answer.shown.question
    chosen, right = item.shown_letter(answer.chosen), item.shown_letter(question.answer)
    if answer.correct:
        lines = [_style("Correct", colour, fg="green", bold=True) + f" — the answer is {right}."]
        lines += _explain("Why", question.explanations[question.answer])
    else:
        lines = [_style("Incorrect", colour, fg="red", bold=True) + f" — the answer is {right}."]
        lines += _explain(f"You chose {chosen}", question.explanations[answer.chosen])
        lines += _explain(f"The answer, {right}", question.explanations[question.answer])
    return "\n".join(lines)


def _explain(label: str, text: str) -> list[str]:
    return textwrap.wrap(f"{label}: {text}", width(), initial_indent="  ", subsequent_indent="    ")


def summary_text(quiz: Quiz, attempt: Attempt, previous: tuple[int, int, int] | None, *,
                 colour: bool) -> str:
    """The score, a line per question, and the best and last earlier scores of the whole quiz."""
    score, most = attempt.score, attempt.info.max_score
    verdict = "every answer right" if score == most else f"{most - score} to review"
    lines = ["", _style(f"Score: {score}/{most}", colour, bold=True) + f" — {verdict}"]
    for number, answer in enumerate(attempt.answered, start=1):
        item = answer.shown
        chosen = item.shown_letter(answer.chosen)
        if answer.correct:
            lines.append(f"  {number}. {item.question.id}: {chosen} — correct")
        else:
            lines.append(f"  {number}. {item.question.id}: {chosen} — incorrect, the answer is "
                         f"{item.shown_letter(item.question.answer)}")
    if previous is None:
        lines.append(f"This is your first complete attempt at the whole quiz {quiz.id}."
                     if attempt.info.mode == "full" else "No complete attempt at the whole quiz yet.")
    else:
        best, last, out_of = previous
        lines.append(f"Earlier complete attempts at the whole quiz: best {best}/{out_of}, "
                     f"last {last}/{out_of}.")
    if score < most:
        lines.append(f"Run `{quiz_command(quiz.id)} --review` to retry only the questions you "
                     "missed.")
    return "\n".join(lines)


def quiz_command(quiz_id: str) -> str:
    """The command that takes this quiz: `regquiz quiz`, `… --problem ID` or `… --quiz ID`."""
    from .manifest import load_manifest

    if quiz_id == "regularization":
        return "regquiz quiz"
    if quiz_id in load_manifest().ids:
        return f"regquiz quiz --problem {quiz_id}"
    return f"regquiz quiz --quiz {quiz_id}"


def require_concept_questions_open(quiz_id: str) -> None:
    """A problem's concept questions discuss its results: closed until they are earned (SPEC §7)."""
    from .errors import UsageError
    from .manifest import load_manifest
    from .reveal import earned_in_records

    manifest = load_manifest()
    if quiz_id not in manifest.ids:
        return
    problem = manifest.problem(quiz_id)
    earned = {function for _, function in earned_in_records([problem])}
    missing = [f.name for f in problem.functions if f.name not in earned]
    if missing:
        raise UsageError(f"the concept questions of {quiz_id} discuss its results, so they open "
                         f"once {quiz_id} passes: `regquiz check {quiz_id}` (not yet passed: "
                         f"{', '.join(missing)})")


def previous_scores(records: Records, quiz: Quiz) -> tuple[int, int, int] | None:
    """(best, last, max) over earlier complete attempts at the whole quiz, or None."""
    finished = [a for a in records.quiz_attempts(quiz.id) if a["complete"] and a["mode"] == "full"]
    if not finished:
        return None
    return (max(a["score"] for a in finished), finished[-1]["score"], finished[-1]["max_score"])


def _style(text: str, colour: bool, **styles: Any) -> str:
    return click.style(text, **styles) if colour else text


# -- the whole command -------------------------------------------------------------------------


def run_quiz(*, name: str, answers: str | None, as_json: bool, shuffle: bool, seed: int | None,
             question: str | None, review: bool) -> int:
    """`regquiz quiz`: choose the questions, take them, record, report; return the exit code."""
    import secrets

    from .errors import UsageError
    from .quiz import load_quiz, parse_answers, present
    from .records import open_records

    quiz = load_quiz(name)
    require_concept_questions_open(quiz.id)
    if question is not None and review:
        raise UsageError("give either --question or --review, not both")
    say = _sayer(err=as_json)
    colour = _colour(err=as_json)
    mode, chosen = "full", list(quiz.questions)
    if question is not None:
        mode, chosen = "question", [quiz.question(question)[1]]
    elif review:
        mode = "review"
        with open_records() as records:
            last = records.last_answers(quiz.id)
        if not last:
            say(f"No answers recorded yet for the quiz {quiz.id}: take it first with `regquiz quiz`.")
            return 0
        chosen = [q for q in quiz.questions if q.id in last and not last[q.id]]
        if not chosen:
            say(f"Nothing to review: your latest answer to every question of {quiz.id} was right.")
            return 0
    letters = parse_answers(answers, len(chosen)) if answers is not None else None
    seed = secrets.randbelow(2**31) if seed is None else seed
    shown = present(chosen, shuffle=shuffle and letters is None, seed=seed)
    info = AttemptInfo(quiz.id, quiz.version, quiz.digest, mode,
                       seed if shuffle and letters is None else None, now(), len(chosen))
    if letters is not None:
        return _answered_at_once(quiz, shown, letters, info, as_json=as_json, colour=colour)
    return _interactive(quiz, shown, info, as_json=as_json, colour=colour)


def _answered_at_once(quiz: Quiz, shown: Sequence[Shown], letters: Sequence[str | None],
                      info: AttemptInfo, *, as_json: bool, colour: bool) -> int:
    from .errors import RecordsError
    from .records import open_records

    attempt = Attempt(info, records=None)
    answer_all(shown, letters, attempt)
    previous, failure = None, None
    try:
        with open_records() as records:
            previous = previous_scores(records, quiz)
            records.record_attempt(info, [a.record() for a in attempt.answered],
                                   finished_at=now(), duration=time.monotonic() - attempt.started)
    except RecordsError as exc:
        failure = exc  # show the result anyway, then report why it was not kept
    if as_json:
        click.echo(_json(quiz, attempt, shown))
    else:
        for number, answer in enumerate(attempt.answered, start=1):
            click.echo(question_text(answer.shown, number, len(shown), colour=colour), color=colour)
            click.echo(f"Your answer: {answer.shown.shown_letter(answer.chosen)}")
            click.echo(feedback_text(answer, colour=colour), color=colour)
        click.echo(summary_text(quiz, attempt, previous, colour=colour), color=colour)
    if failure is not None:
        raise failure
    return 0 if attempt.score == info.max_score else 1


def _interactive(quiz: Quiz, shown: Sequence[Shown], info: AttemptInfo, *, as_json: bool,
                 colour: bool) -> int:
    from .records import open_records

    say = _sayer(err=as_json)
    with open_records() as records:  # a broken database is reported before the first question
        previous = previous_scores(records, quiz)
        attempt = Attempt(info, records)
        count = len(shown)
        say(_style(quiz.title, colour, bold=True) + f" — {count} question{'s' * (count != 1)}")
        if info.seed is not None:
            say(f"Options shuffled with seed {info.seed} (the same order again: "
                f"{quiz_command(quiz.id)} --seed {info.seed}; the file's order: --no-shuffle).")
        say(textwrap.fill("Answer with a letter A-D (or 1-4) and Enter. Ctrl-C stops; the "
                          "answers given so far are kept.", width()))
        try:
            ask_all(shown, attempt, ask=_asker(err=as_json), say=say, colour=colour)
        except (KeyboardInterrupt, EOFError) as stop:
            attempt.finish()
            if as_json:  # what was answered; the unanswered questions' answers stay hidden
                click.echo(_json(quiz, attempt, shown))
            why = "interrupted" if isinstance(stop, KeyboardInterrupt) else "end of input"
            given = len(attempt.answered)
            kept = (f"your {given} answer{'s' * (given != 1)} so far are kept as an incomplete "
                    "attempt (regquiz scores)" if given else "nothing was recorded")
            click.echo(f"\nregquiz: quiz stopped ({why}) after {given} of {count} questions; "
                       f"{kept}", err=True)
            return 130 if isinstance(stop, KeyboardInterrupt) else 1
        attempt.finish()
    if as_json:
        click.echo(_json(quiz, attempt, shown))
    else:
        say(summary_text(quiz, attempt, previous, colour=colour))
    return 0 if attempt.score == info.max_score else 1


def _json(quiz: Quiz, attempt: Attempt, shown: Sequence[Shown]) -> str:
    """SPEC §3's `quiz --json`: every question asked; `correct_answer` only once answered."""
    import json

    given = {answer.shown.question.id: answer for answer in attempt.answered}
    questions = [given[item.question.id].to_dict() if item.question.id in given else
                 {"id": item.question.id, "answer": None, "correct": False,
                  "correct_answer": None}  # unanswered: the key stays with the quiz
                 for item in shown]
    return json.dumps({"quiz": quiz.id, "version": quiz.version, "score": attempt.score,
                       "max_score": attempt.info.max_score, "complete": attempt.complete,
                       "mode": attempt.info.mode, "seed": attempt.info.seed,
                       "questions": questions}, indent=2)


def _sayer(*, err: bool) -> Say:
    colour = _colour(err=err)
    return lambda text: click.echo(text, err=err, color=colour)


def _asker(*, err: bool) -> Ask:
    import sys

    def ask(prompt: str) -> str:
        click.echo(prompt, nl=False, err=err)
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        if not sys.stdin.isatty():  # a terminal echoes what was typed; a pipe does not
            click.echo(line.rstrip("\n"), err=err)
        return line

    return ask


def _colour(*, err: bool) -> bool:
    import sys

    from .render import use_colour

    return use_colour(sys.stderr if err else sys.stdout)
