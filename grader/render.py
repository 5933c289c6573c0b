"""Text for the terminal: check reports, the problem list and hints (words first, colour optional)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .manifest import Problem
from .results import STUB_NOTE, CheckResult

if TYPE_CHECKING:
    from .hints import HintShown
    from .quiz import Quiz

_STATUS_WORD = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "timeout": "TIMEOUT"}
_STATUS_COLOUR = {"pass": "green", "fail": "red", "error": "red", "timeout": "yellow"}


def use_colour(stream: object = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def width() -> int:
    """The terminal width, at least 60 and at most 100 columns."""
    return max(60, min(100, shutil.get_terminal_size((80, 24)).columns))


def limits_text(limits: tuple[str, ...]) -> str:
    """The limits in force, as the report header and watch's screen show them."""
    return "+".join(limits) if limits else "none"


def check_report(result: CheckResult, *, colour: bool) -> str:
    """Every check with its points, the messages of those that did not pass, the total."""
    lines = [_style(f"{result.problem} — {result.title}", colour, bold=True),
             f"file {result.source} · seed {result.seed} · confinement {result.confinement}"
             f" · limits {limits_text(result.limits)}", ""]
    stubs: dict[str, None] = {}  # function names, in order of appearance
    if result.error:  # nothing ran: the reason once, not once per check
        lines += [f"  {line}" for line in result.error.splitlines()] + [""]
    for test in result.tests:
        held = test.status == "fail" and test.message.startswith("held back")
        word = "HELD" if held else _STATUS_WORD[test.status]
        badge = _style(f"{word:<7}", colour, fg="yellow" if held else _STATUS_COLOUR[test.status],
                       bold=True)
        lines.append(f"  {badge} {test.score:>2}/{test.max_score:<2}  {test.name}")
        if STUB_NOTE in test.message:  # the same advice for each: said once below
            called = re.match(r"called\s+(\w+)\(", test.message)
            stubs[called.group(1) if called else "?"] = None
        elif test.status != "pass" and test.message and not result.error:
            lines.extend(_indent_message(test.message))
    if stubs:
        first = next(iter(stubs))
        note = (f"Still the stub (raises NotImplementedError): {', '.join(stubs)}. "
                f"Write the bodies in {result.source}; the docstrings state each problem and "
                f"its contract, and `regquiz hint {result.problem} {first}` starts its hints.")
        lines += [""] + textwrap.wrap(note, width() - 2, initial_indent="  ",
                                      subsequent_indent="  ", break_on_hyphens=False)
    if result.output.strip():
        lines += ["", "  Your code printed this (for information only; it does not change the score):"]
        lines += [f"    │ {line}" for line in result.output.strip().splitlines()[-20:]]
    verdict = "all checks passed" if result.passed else "some checks did not pass"
    lines += ["", _style(f"Score: {result.score}/{result.max_score} — {verdict}", colour, bold=True)]
    if not result.passed:
        lines.append(f"Replay these inputs: regquiz check {result.problem} --seed {result.seed}"
                     f" · stuck? regquiz hint {result.problem}")
    elif has_concept_questions(result.problem):
        lines.append(f"Now the why: regquiz quiz --problem {result.problem}")
    return "\n".join(lines)


def has_concept_questions(problem_id: str) -> bool:
    """True when quizzes/ holds concept questions for this problem."""
    from .paths import quizzes_dir

    return (quizzes_dir() / f"{problem_id}.toml").is_file()


def _indent_message(message: str) -> list[str]:
    room = width() - 12
    out: list[str] = []
    for line in message.splitlines():
        wrapped = textwrap.wrap(line, room, subsequent_indent=" " * 10,
                                break_long_words=True, break_on_hyphens=False) or [""]
        out.extend(f"            {part}" for part in wrapped)
    return out


def summary(results: Sequence[CheckResult], *, colour: bool) -> str:
    """One line per problem after `check --all`."""
    lines = ["", _style("Summary", colour, bold=True)]
    for result in results:
        word = "PASS" if result.passed else "FAIL"
        lines.append(f"  {word:<5} {result.score:>3}/{result.max_score:<3} {result.problem}")
    total = sum(r.score for r in results)
    most = sum(r.max_score for r in results)
    lines.append(f"  Total {total}/{most}")
    return "\n".join(lines)


def problem_list(problems: Sequence[Problem], best: dict[str, tuple[int, int]],
                 hints_seen: dict[str, int], quizzes: Sequence[Quiz] = (),
                 best_quiz: dict[str, tuple[int, int]] | None = None) -> str:
    """The table of `regquiz list`: problems, then quizzes, with the best recorded scores."""
    title_room = max(20, width() - 46)
    lines = [f"{'problem':<10} {'title':<{title_room}} {'points':>6}  {'best':>7}  hints"]
    for problem in problems:
        score = best.get(problem.id)
        best_text = f"{score[0]}/{score[1]}" if score else "—"
        title = textwrap.shorten(problem.title, title_room, placeholder="…")
        lines.append(f"{problem.id:<10} {title:<{title_room}} {problem.max_score:>6}  "
                     f"{best_text:>7}  {hints_seen.get(problem.id, 0)}/{problem.rung_count}")
    lines += ["", "Edit exercises/<problem>.py, then: regquiz check <problem>   (regquiz init makes the stubs)"]
    if quizzes:
        lines += ["", f"{'quiz':<15} {'title':<{title_room - 5}} {'questions':>9}  {'best':>7}"]
        for quiz in quizzes:
            score = (best_quiz or {}).get(quiz.id)
            best_text = f"{score[0]}/{score[1]}" if score else "—"
            title = textwrap.shorten(quiz.title, title_room - 5, placeholder="…")
            lines.append(f"{quiz.id:<15} {title:<{title_room - 5}} {len(quiz.questions):>9}  "
                         f"{best_text:>7}")
        lines += ["", "Take a quiz: regquiz quiz   (regquiz scores shows every attempt)"]
    return "\n".join(lines)


def scores_table(checks: Sequence[dict[str, Any]], attempts: Sequence[dict[str, Any]],
                 where: object) -> str:
    """`regquiz scores`: the recorded checks and quiz attempts, oldest first."""
    if not checks and not attempts:
        return (f"No scores recorded yet (in {where}). Try `regquiz check problem1` or "
                "`regquiz quiz`.")
    lines = [f"Records in {where}"]
    if checks:
        lines += ["", "Checks", f"  {'when (UTC)':<17} {'problem':<10} {'score':>7}  {'seed':>10}  result"]
        for check in checks:
            score = f"{check['score']}/{check['max_score']}"
            result = "all passed" if check.get("passed") else "some failed"
            lines.append(f"  {_when(check['at']):<17} {check['problem']:<10} {score:>7}  "
                         f"{check['seed']:>10}  {result}")
    if attempts:
        lines += ["", "Quiz attempts",
                  f"  {'when (UTC)':<17} {'quiz':<15} {'score':>5}  {'status':<10} {'answers':<8} time"]
        for attempt in attempts:
            score = f"{attempt['score']}/{attempt['max_score']}"
            status = "complete" if attempt["complete"] else "incomplete"
            if attempt["mode"] != "full":
                status += f" ({attempt['mode']})"
            letters = "".join(answer["answer"] for answer in attempt["answers"]) or "—"
            taken = _duration(attempt["duration"])
            lines.append(f"  {_when(attempt['started_at']):<17} {attempt['quiz']:<15} {score:>5}  "
                         f"{status:<10} {letters:<8} {taken}")
    return "\n".join(lines)


SCORES_CSV_COLUMNS = ("kind", "name", "score", "max_score", "at", "seed", "passed", "complete",
                      "mode", "answers", "duration", "file")


def defused(cell: str) -> str:
    """A CSV text cell a spreadsheet will not run (OWASP): a leading = + - @ tab or CR gets a '."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def scores_csv(checks: Sequence[dict[str, Any]], attempts: Sequence[dict[str, Any]]) -> str:
    """`regquiz scores --csv`: one header row, then a row per check and per quiz attempt."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, SCORES_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for check in checks:
        writer.writerow({"kind": "check", "name": check["problem"], "score": check["score"],
                         "max_score": check["max_score"], "at": check["at"], "seed": check["seed"],
                         "passed": _flag(check["passed"]), "file": defused(str(check["file"]))})
    for attempt in attempts:
        writer.writerow({"kind": "quiz", "name": defused(str(attempt["quiz"])),
                         "score": attempt["score"],
                         "max_score": attempt["max_score"], "at": attempt["started_at"],
                         "seed": attempt["seed"] if attempt["seed"] is not None else "",
                         "complete": _flag(attempt["complete"]), "mode": attempt["mode"],
                         "answers": "".join(a["answer"] for a in attempt["answers"]),
                         "duration": attempt["duration"] if attempt["duration"] is not None else ""})
    return buffer.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _when(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def hint_text(shown: HintShown, *, in_watch: bool = False) -> str:
    """One rung of a function's hint ladder, wrapped to the terminal, and what to do next."""
    problem, ladder = shown.problem, shown.problem.ladder(shown.function)
    count = len(ladder.rungs)
    head = f"Hint {shown.rung} of {count} for {shown.function} ({problem.id}, {problem.title}):"
    if shown.chosen_because:
        head = f"{shown.function}: {shown.chosen_because}.\n{head}"
    body = textwrap.fill(ladder.rungs[shown.rung - 1], width() - 2, initial_indent="  ",
                         subsequent_indent="  ")
    command = f"regquiz hint {problem.id} {shown.function}"
    if shown.again:
        tail = (f"\nThat was the last hint for {shown.function}. `{command} --reset` starts "
                "over; failing checks now show its closed form.")
    elif shown.rung < count:
        tail = ("\nPress h for the next hint." if in_watch
                else f"\nRun `{command}` again for the next hint.")
    else:
        tail = (f"\nThat was the last hint for {shown.function}: from now on its failing checks "
                "show the closed form too.")
    return f"{head}\n{body}{tail}"


def _style(text: str, colour: bool, **styles: object) -> str:
    return click.style(text, **styles) if colour else text  # type: ignore[arg-type]


def readme_problem_table(problems: Sequence[Problem]) -> str:
    """The Markdown table of problems in README.md (a test keeps the two in step)."""
    lines = ["| problem | title | functions | points | subject |", "| --- | --- | --- | --- | --- |"]
    for problem in problems:
        functions = ", ".join(f"`{function.name}`" for function in problem.functions)
        lines.append(f"| `{problem.id}` | {problem.title} | {functions} | {problem.max_score} "
                     f"| {problem.section} |")
    return "\n".join(lines) + "\n"
