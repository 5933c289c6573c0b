"""SPEC §7: a fresh student meets no answer text in any channel before earning it.

Every channel a student reads is rendered for a fresh student (no check recorded, no hint
seen) and searched for every answer text the manifest declares (`[problems.answers]`):
the README, every `--help`, the stubs (the nbgrader statements are built from them and from
the figures), the hint rungs before the last, the quiz and the concept questions answered
with every letter, `check` on the stub, the `plot` figure's words and the `watch` screen.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import REPO
from regquiz.cli import cli
from regquiz.manifest import load_manifest
from regquiz.reveal import normalise, number, shown_answers

MANIFEST = load_manifest()
PROBLEMS = MANIFEST.problems
IDS = MANIFEST.ids


def assert_tells_nothing(text: str, where: str) -> None:
    found = shown_answers(text, PROBLEMS)
    assert not found, f"{where} shows {found}"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result.output


def test_the_normalised_spellings_are_one_text() -> None:
    assert normalise("1/(lr·t)") == normalise("1 / (lr * t)") == normalise("1/(η·n_steps)")
    assert normalise("σ²/(1 − p)") == normalise("sigma2/(1 - p)")
    assert shown_answers("so λ = 1/(lr*t) here", PROBLEMS)
    assert not shown_answers("so λ = 1/(lr*t) here", PROBLEMS,
                             earned=[("problem4", "early_stopping_lambda")])


def test_every_function_with_a_result_declares_its_answer_texts() -> None:
    for problem in PROBLEMS:
        declared = dict(problem.answers)
        assert declared, problem.id
        for function, texts in declared.items():
            assert texts and all(text.strip() for text in texts), (problem.id, function)


def test_the_last_rung_states_an_answer_text_of_its_function() -> None:
    for problem in PROBLEMS:
        for function, _texts in problem.answers:
            last = problem.ladder(function).rungs[-1]
            assert any(f == function for _p, f, _a in shown_answers(last, [problem])), \
                (problem.id, function, last)


def test_the_readme_tells_nothing() -> None:
    assert_tells_nothing((REPO / "README.md").read_text(encoding="utf-8"), "README.md")
    assert_tells_nothing((REPO / "quizzes" / "README.md").read_text(encoding="utf-8"),
                         "quizzes/README.md")


def test_no_help_text_tells_anything() -> None:
    assert_tells_nothing(run("--help"), "regquiz --help")
    for name in cli.commands:  # type: ignore[attr-defined]
        assert_tells_nothing(run(name, "--help"), f"regquiz {name} --help")


@pytest.mark.parametrize("problem", IDS)
def test_the_stub_and_its_statement_tell_nothing(problem: str) -> None:
    assert_tells_nothing((REPO / "exercises" / f"{problem}.py").read_text(encoding="utf-8"),
                         f"exercises/{problem}.py")


@pytest.mark.parametrize("problem", IDS)
def test_no_rung_before_the_last_tells_anything(problem: str) -> None:
    for ladder in MANIFEST.problem(problem).hints:
        for number, rung in enumerate(ladder.rungs[:-1], start=1):
            assert_tells_nothing(rung, f"{problem} {ladder.function} rung {number}")


@pytest.mark.parametrize("quiz", ["regularization", *IDS])
def test_the_quizzes_answered_with_every_letter_tell_nothing(quiz: str) -> None:
    for letter in "ABCD":
        args = ["quiz", "--no-shuffle", "--answers", letter * 5]
        if quiz != "regularization":
            args = ["quiz", "--no-shuffle", "--problem", quiz, "--answers", letter * 2]
        output = run(*args)
        if quiz == "regularization" or "answer(s)" not in output:
            assert_tells_nothing(output, " ".join(args))
    for single in range(1, 3):
        args = ["quiz", "--problem", quiz, "--question", str(single), "--answers", "A"]
        if quiz != "regularization":
            assert_tells_nothing(run(*args), " ".join(args))


@pytest.mark.parametrize("problem", IDS)
def test_check_of_the_stub_tells_nothing(problem: str) -> None:
    output = run("check", problem, "--file", str(REPO / "exercises" / f"{problem}.py"))
    assert_tells_nothing(output, f"check {problem} on the stub")


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [w for f in dataclasses.fields(value) for w in _words(getattr(value, f.name))]
    if isinstance(value, (tuple, list)):
        return [w for item in value for w in _words(item)]
    return []


@pytest.mark.parametrize("problem", IDS)
def test_the_figures_words_tell_nothing(problem: str) -> None:
    pytest.importorskip("matplotlib")
    from regquiz.plots.command import reference_figure, student_figure

    chosen = MANIFEST.problem(problem)
    for figure in (reference_figure(chosen), _stub_figure(chosen, student_figure)):
        assert_tells_nothing("\n".join(_words(figure)), f"the figure of {problem}")


def _stub_figure(problem: Any, student_figure: Any) -> Any:
    from regquiz.plots.series import CallOutcome

    def call(function: str, args: list[Any]) -> Any:
        return CallOutcome("raised", error={"type": "NotImplementedError"})

    return student_figure(problem, call)


def test_the_watch_screen_of_a_stub_tells_nothing() -> None:
    from conftest import grade_file
    from regquiz import watch_screen

    for problem in IDS:
        result = grade_file(problem, REPO / "exercises" / f"{problem}.py")
        chosen = MANIFEST.problem(problem)
        view = watch_screen.View(PROBLEMS, chosen, f"exercises/{problem}.py", {}, result,
                                 failing_function=chosen.functions[0].name)
        screen = watch_screen.render(view, width=80, height=24, colour=False)
        assert_tells_nothing(screen, f"watch {problem}")


def _wrong_fixtures() -> list[Path]:
    return sorted(path for problem in IDS for path in (REPO / "tests" / "students" / problem)
                  .glob("wrong_*.py"))


def _judged_text(message: str) -> str:
    """A check message without its `called` and `returned` parts: what the grader says.

    Those two parts are the student's own inputs and answer (a mistake may well return a
    number that is an answer text of another function); everything else is the grader's.
    """
    kept, skipping = [], False
    for line in message.splitlines():
        head = line[:10].strip()
        if head in ("called", "returned"):
            skipping = True
            continue
        if head:  # a new part begins (expected, why, work on, hint, held back, …)
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize("path", _wrong_fixtures(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_check_of_a_mistake_tells_a_fresh_student_nothing(path: Path) -> None:
    import json

    result = CliRunner().invoke(cli, ["check", path.parent.name, "--file", str(path), "--json"])
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    said = "\n".join(_judged_text(test["message"]) for test in payload["tests"])
    assert_tells_nothing(said, f"check {path.parent.name} on {path.name}")
    assert "closed form" not in said


def test_the_same_check_shows_the_answers_once_earned() -> None:
    """The search above can fail: after the last rungs the same messages state the results."""
    import json

    from conftest import earn

    path = REPO / "tests" / "students" / "problem5" / "wrong_floor_from_source_text.py"
    earn("problem5")
    result = CliRunner().invoke(cli, ["check", "problem5", "--file", str(path), "--json"])
    said = "\n".join(_judged_text(test["message"]) for test in json.loads(result.stdout)["tests"])
    assert ("problem5", "min_cross_entropy", "0.545") in shown_answers(said, PROBLEMS)


def test_a_number_is_matched_whole_not_inside_a_longer_one() -> None:
    """A key number counts as shown only as a whole number: 0.5451 or 10.545 do not show 0.545."""
    floor = ("problem5", "min_cross_entropy", "0.545")
    assert floor in shown_answers("the floor is 0.545.", PROBLEMS)
    assert floor in shown_answers("(0.545 nats)", PROBLEMS)
    for longer in ("worst violation 0.5451", "worst violation 10.545", "off by 0.54500001"):
        assert floor not in shown_answers(longer, PROBLEMS), longer


@pytest.mark.parametrize(("value", "digits"), [(0.54512, 3), (0.545, 4), (0.54480001, 4),
                                               (0.5450, 6)])
def test_a_run_dependent_number_never_spells_a_key_number(value: float, digits: int) -> None:
    """Rounded, a student's own number could spell problem 5's floor: it gets one more figure."""
    text = number(value, digits)
    assert shown_answers(f"worst violation {text}", PROBLEMS) == []
    assert abs(float(text) - value) <= abs(value) * 10.0 ** (1 - digits)
    assert number(0.123456, 3) == "0.123"  # an ordinary number keeps its figures
    assert number(0.545, 4) == "0.5450"  # a collision costs one figure, not seventeen
