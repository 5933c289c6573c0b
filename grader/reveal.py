"""The reveal policy (SPEC §7): each function's answer texts, and whether a text shows one.

The manifest declares, per function, the texts that state its result (closed forms, key
numbers) in `[problems.answers]`.  Until the student has passed the function in a recorded
check or seen its last hint rung, no student-visible channel may contain them.  Texts are
compared after `normalise`, so "1/(lr·t)", "1/(lr*t)" and "1 / (lr t)" are one text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .manifest import Problem

if TYPE_CHECKING:
    from .records import Records

# Spellings that mean the same symbol, longest first within a group.
_SYMBOLS = (
    ("lambda", "λ"), ("lam", "λ"), ("sigma2", "σ²"), ("sigma^2", "σ²"), ("sigma**2", "σ²"),
    ("sigma", "σ"), ("mu", "μ"), ("η", "lr"), ("n_steps", "t"), ("**", "^"), ("^2", "²"),
    ("−", "-"), ("–", "-"), ("√", "sqrt"), ("y_hat", "ŷ"), ("yhat", "ŷ"),
)
_DROP = re.compile(r"[\s·*×⋅]+")


def normalise(text: str) -> str:
    """Lower case, one spelling per symbol, no spaces or multiplication signs."""
    out = text.lower()
    for spelled, symbol in _SYMBOLS:
        out = out.replace(spelled, symbol)
    return _DROP.sub("", out)


def answers_of(problem: Problem, function: str) -> tuple[str, ...]:
    """The declared answer texts of one function."""
    return dict(problem.answers).get(function, ())


def shown_answers(text: str, problems: Iterable[Problem],
                  earned: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str, str]]:
    """(problem, function, answer text) for every answer `text` shows that is not earned."""
    flat = normalise(text)
    allowed = set(earned)
    found = []
    for problem in problems:
        for function, answers in problem.answers:
            if (problem.id, function) in allowed:
                continue
            found += [(problem.id, function, answer) for answer in answers
                      if _pattern(normalise(answer)).search(flat)]
    return found


@functools.cache
def _pattern(answer: str) -> re.Pattern[str]:
    """`answer` as a search that respects number edges: "0.545" is not inside "0.5451"."""
    before = r"(?<![\d.])" if answer[:1].isdigit() or answer[:1] == "." else ""
    after = r"(?!\.?\d)" if answer[-1:].isdigit() else ""
    return re.compile(before + re.escape(answer) + after)


def number(value: float, digits: int = 3) -> str:
    """`value` in `digits` significant figures, or more where that spelling is an answer text.

    Checks print numbers of a student's own run (a violation, a distance); rounded, such a
    number can spell a declared key number by chance (0.5451 as "0.545", the floor of
    problem 5), which the reveal policy forbids.  One more figure tells the same and is not it.
    Python formats floats alike on every platform, so the spelling does not depend on the OS.
    """
    text = f"{value:.{digits}g}"
    if _spells_an_answer(text):
        text = f"{value:#.{digits}g}"  # "#" keeps trailing zeros: 0.545 to 4 figures is 0.5450
    while _spells_an_answer(text) and digits < 17:
        digits += 1
        text = f"{value:#.{digits}g}"
    return text


def _spells_an_answer(text: str) -> bool:
    from .manifest import load_manifest

    return bool(shown_answers(text, load_manifest().problems))


def earned_functions(problem: Problem, records: Records) -> frozenset[str]:
    """The functions of `problem` passed in some recorded check, or whose last rung was seen."""
    from .verdicts import function_passes

    seen = records.rungs_seen(problem.id)
    earned = {ladder.function for ladder in problem.hints
              if seen.get(ladder.function, 0) >= len(ladder.rungs)}
    for statuses in records.all_statuses(problem.id):
        earned |= {f.name for f in problem.functions if function_passes(problem, f.name, statuses)}
    return frozenset(earned)


def earned_in_records(problems: Iterable[Problem]) -> frozenset[tuple[str, str]]:
    """(problem, function) pairs earned, read from the records; none without a database."""
    from .errors import RegquizError
    from .paths import regquiz_home
    from .records import DB_NAME, open_records

    problems = list(problems)
    if not (regquiz_home() / DB_NAME).is_file():
        return frozenset()
    try:
        with open_records() as records:
            return frozenset((problem.id, function) for problem in problems
                             for function in earned_functions(problem, records))
    except RegquizError:  # a broken database reveals nothing; it is reported where it is used
        return frozenset()
