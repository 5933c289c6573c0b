"""Hint ladders per function, the pointer in failing messages, gating and closed forms."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner, Result

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.manifest import load_manifest

PROBLEM2 = load_manifest().problem("problem2")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _check(path: Path, problem: str = "problem2") -> dict:
    result = run("check", problem, "--file", str(path), "--json", "--seed", "3")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _solution_with(body: str, tmp_path: Path, problem: str = "problem2") -> Path:
    path = tmp_path / f"{problem}.py"
    path.write_text((REPO / "solutions" / f"{problem}.py").read_text() + "\n\n" + body,
                    encoding="utf-8")
    return path


def test_the_ladder_climbs_in_order_per_function_and_list_counts_it() -> None:
    ladder = load_manifest().problem("problem4").ladder("gd_linear_regression")
    outputs = [run("hint", "problem4").stdout for _ in range(len(ladder.rungs) + 1)]
    for number, (output, rung) in enumerate(zip(outputs, ladder.rungs), start=1):
        assert f"Hint {number} of {len(ladder.rungs)} for gd_linear_regression" in output
        assert " ".join(rung.split()[:6]) in " ".join(output.split())
    assert "no check of this problem is recorded yet" in outputs[0]
    assert "That was the last hint for gd_linear_regression" in outputs[-1]
    other = run("hint", "problem4", "ridge_regression").stdout
    assert "Hint 1 of 3 for ridge_regression" in other and "recorded yet" not in other
    row = run("list").stdout.split("problem4")[1].splitlines()[0]
    assert row.rstrip().endswith(f"4/{load_manifest().problem('problem4').rung_count}")
    assert "Hint 1 of 3 for ridge_regression" in run("hint", "problem4", "ridge_regression",
                                                      "--reset").stdout
    assert "Hint 3 of 3 for gd_linear_regression" in run("hint", "problem4",
                                                         "gd_linear_regression").stdout


def test_the_default_function_is_the_first_not_passing_in_the_latest_check(tmp_path: Path) -> None:
    path = _solution_with("def l1_l2_scalar_optimum(lam):\n    raise NotImplementedError\n",
                          tmp_path)
    payload = _check(path)
    assert payload["score"] < payload["max_score"]
    output = run("hint", "problem2").stdout
    assert "Hint 1 of 3 for l1_l2_scalar_optimum" in output
    assert "the first function not yet passing in your latest check" in output
    _check(REPO / "solutions" / "problem2.py")  # now everything passes
    assert "for soft_threshold" in run("hint", "problem2").stdout


def test_an_unknown_function_is_one_line_exit_2_with_a_suggestion() -> None:
    result = run("hint", "problem2", "lasso")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean lasso_ista?" in lines[0]
    assert all(function.name in lines[0] for function in PROBLEM2.functions)
    assert "Traceback" not in result.output
    assert run("list").stdout.split("problem2")[1].splitlines()[0].rstrip().endswith("0/9")


def test_every_failing_message_ends_with_the_hint_command_of_its_function() -> None:
    payload = _check(STUDENTS / "problem2" / "wrong_lasso_threshold_lam.py")
    failed = [test for test in payload["tests"] if test["status"] != "pass"]
    assert failed
    for test in failed:
        functions = PROBLEM2.check(test["name"]).functions
        *_, work_on, last = test["message"].splitlines()
        function = work_on.removeprefix("work on").strip()
        assert function in functions
        assert last == f"hint      regquiz hint problem2 {function}"
    assert all(test["message"] == "" for test in payload["tests"] if test["status"] == "pass")


def test_a_closed_form_is_shown_only_after_the_last_rung(tmp_path: Path) -> None:
    wrong = STUDENTS / "problem2" / "wrong_hard_threshold.py"
    before = [t for t in _check(wrong)["tests"] if t["name"] == "soft_threshold_examples"][0]
    assert before["status"] == "fail" and "sign(μ)·max" not in before["message"]
    assert "closed form" not in before["message"]
    for _ in range(2):
        run("hint", "problem2", "soft_threshold")
    middle = [t for t in _check(wrong)["tests"] if t["name"] == "soft_threshold_examples"][0]
    assert "closed form" not in middle["message"]
    run("hint", "problem2", "soft_threshold")
    after = [t for t in _check(wrong)["tests"] if t["name"] == "soft_threshold_examples"][0]
    assert "closed form: S_λ(μ) = sign(μ)·max(|μ| − λ, 0)" in after["message"]


def test_a_dependent_check_is_held_back_while_its_direct_check_fails(tmp_path: Path) -> None:
    path = _solution_with("def soft_threshold(mu, lam):\n    return mu\n", tmp_path)
    tests = {t["name"]: t for t in _check(path)["tests"]}
    held = tests["soft_threshold_lam_zero"]  # returning mu is right at λ = 0, and earns nothing
    assert held["status"] == "fail" and held["score"] == 0
    assert "held back" in held["message"] and "soft_threshold_examples" in held["message"]
    assert tests["soft_threshold_examples"]["status"] == "fail"
    assert tests["worked_example_1"]["status"] == "pass"


def test_a_held_back_check_is_shown_as_held_not_as_a_failure(tmp_path: Path) -> None:
    path = _solution_with("def soft_threshold(mu, lam):\n    return mu\n", tmp_path)
    out = run("check", "problem2", "--file", str(path), "--seed", "3").stdout
    rows = {l.split()[-1]: l.split()[0] for l in out.splitlines()
            if re.fullmatch(r"\s+[A-Z]+\s+\d+/\d+\s+\w+\s*", l)}  # the report's check rows
    assert rows["soft_threshold_lam_zero"] == "HELD"
    assert rows["soft_threshold_rejects_negative_lam"] == "HELD"  # wrong itself, but held too
    assert rows["soft_threshold_examples"] == "FAIL"


DEFINITIONAL = [("problem1", "sgd_weight_decay_step"), ("problem1", "adamw_step"),
                ("problem5", "smooth_labels"), ("problem5", "smooth_labels_uniform")]


def test_every_ladder_climbs_at_least_three_rungs_to_its_answer() -> None:
    from regquiz.reveal import answers_of, normalise

    for problem in load_manifest().problems:
        for ladder in problem.hints:
            assert len(ladder.rungs) >= 3, (problem.id, ladder.function)
            own = answers_of(problem, ladder.function)
            for number, rung in enumerate(ladder.rungs[:-1], start=1):
                told = [text for text in own if normalise(text) in normalise(rung)]
                assert not told, (problem.id, ladder.function, number, told)


def test_the_definitional_functions_are_results_to_derive() -> None:
    """Their answers are declared, so neither their stubs nor their early rungs state them."""
    from regquiz.reveal import answers_of, normalise

    manifest = load_manifest()
    for problem_id, function in DEFINITIONAL:
        problem = manifest.problem(problem_id)
        answers = answers_of(problem, function)
        assert answers, function
        stub = (REPO / "exercises" / f"{problem_id}.py").read_text(encoding="utf-8")
        assert not [a for a in answers if normalise(a) in normalise(stub)], function
        assert any(normalise(a) in normalise(problem.ladder(function).rungs[-1]) for a in answers)
