"""The screen of `regquiz watch`: what is drawn, as plain lines that fit the terminal.

Kept apart from the loop (watch.py) so that it can be tested without a terminal.  The words
carry the meaning (PASS, FAIL, "all checks pass"); colour only underlines them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import click

from .manifest import Problem
from .render import has_concept_questions
from .results import CheckResult

MIN_WIDTH, MIN_HEIGHT = 40, 12
KEYS_FAILING = "h hint for {function} · n next · p previous · r re-check · q quit"
KEYS = "h hint · n next problem · p previous · r re-check · q quit"


@dataclass
class View:
    """Everything the screen shows; watch.py keeps it up to date."""

    problems: Sequence[Problem]
    current: Problem
    shown_path: str
    latest: Mapping[str, tuple[int, int, bool]]  # problem id -> latest (score, max, passed)
    result: CheckResult | None = None  # the latest re-check of the current problem
    checks_run: int = 0  # re-checks graded since watch started (the header counts them)
    checked_at: str = ""
    waiting: list[str] = field(default_factory=list)  # a syntax error, a missing file …
    note: list[str] = field(default_factory=list)  # a hint rung, a recording problem …
    failing_function: str | None = None


def render(view: View, *, width: int, height: int, colour: bool) -> str:
    """The whole screen as text: at most `height` lines of at most `width` columns."""
    width, height = max(MIN_WIDTH, width), max(MIN_HEIGHT, height)
    head = [_style(f"regquiz watch · {view.current.id} — {view.current.title}", colour, bold=True),
            _problems_line(view, width),
            _status_line(view, width), ""]
    keys = KEYS_FAILING.format(function=view.failing_function) if view.failing_function else KEYS
    foot = ["", *_score_line(view, colour), _style(keys, colour, dim=True)]
    body = _body(view, width, colour)
    if view.note:
        body += [""] + [line for text in view.note for line in _wrap(text, width)]
    room = height - len(head) - len(foot)
    if len(body) > room:
        cut = len(body) - room + 1
        body = body[:room - 1] + [f"… {cut} more line(s): `regquiz check {view.current.id}` "
                                  "prints everything"]
    lines = head + body + foot
    return "\n".join(_fit(line, width) for line in lines)


def _problems_line(view: View, width: int) -> str:
    parts = []
    for problem in view.problems:
        score = view.latest.get(problem.id)
        text = "–" if score is None else f"{score[0]}/{score[1]}" + (" pass" if score[2] else "")
        number = problem.id.removeprefix("problem")
        marker = "▸" if problem.id == view.current.id else ""
        parts.append(f"{marker}{number} {text}")
    line = "problems " + " · ".join(parts)
    return line if len(line) <= width else "problems " + " ".join(parts)


def _status_line(view: View, width: int) -> str:
    """The file, which re-check this is and when, its seed and confinement (as they fit)."""
    if view.result is None:
        return f"{view.shown_path} · not checked yet"
    parts = [view.shown_path, f"check #{view.checks_run} at {view.checked_at}",
             f"seed {view.result.seed}", f"confined by {view.result.confinement}",
             f"limits {'+'.join(view.result.limits) or 'none'}"]
    while len(parts) > 2 and len(" · ".join(parts)) > width:
        parts.pop()
    return " · ".join(parts)


def _body(view: View, width: int, colour: bool) -> list[str]:
    if view.waiting:
        return [line for text in view.waiting for line in _wrap(text, width)]
    result = view.result
    if result is None:
        return ["checking …"]
    passing = [test for test in result.tests if test.status == "pass"]
    failing = [test for test in result.tests if test.status != "pass"]
    lines = []
    if passing:
        points = sum(test.score for test in passing)
        names = ", ".join(test.name for test in passing)
        lines.append(_style("PASS", colour, fg="green", bold=True)
                     + f" {len(passing)} check(s), {points} point(s): {names}")
    if failing:
        first = failing[0]
        lines.append(_style(first.status.upper(), colour, fg="red", bold=True)
                     + f" {first.name} ({first.score}/{first.max_score})")
        for message_line in first.message.splitlines():
            lines.extend(_wrap(message_line, width, indent="    "))
        if len(failing) > 1:
            rest = ", ".join(test.name for test in failing[1:])
            lines.append(f"then {len(failing) - 1} more not passing: {rest}")
    if result.output.strip():
        count = len(result.output.strip().splitlines())
        lines.append(f"(your code printed {count} line(s); `regquiz check {result.problem}` "
                     "shows them)")
    if result.passed:
        lines.append(f"{result.problem} is done." + (
            f" Now the why: regquiz quiz --problem {result.problem}"
            if has_concept_questions(result.problem) else ""))
        lines.append("Press n for the next problem.")
    return lines


def _score_line(view: View, colour: bool) -> list[str]:
    """The latest score, kept above the keys whatever the body's length."""
    result = view.result
    if result is None or view.waiting:
        return []
    verdict = "all checks pass" if result.passed else "some checks do not pass yet"
    return [_style(f"Score {result.score}/{result.max_score} — {verdict}", colour, bold=True)]


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_long_words=True, break_on_hyphens=False,
                         replace_whitespace=False, drop_whitespace=True) or [""]


def _fit(line: str, width: int) -> str:
    """Cut a line to `width` visible columns (colour codes do not count)."""
    if len(click.unstyle(line)) <= width:
        return line
    return click.unstyle(line)[:width - 1] + "…"


def _style(text: str, colour: bool, **styles: object) -> str:
    return click.style(text, **styles) if colour else text  # type: ignore[arg-type]
