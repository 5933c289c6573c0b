"""regquiz.notebook: what the locked cells of the exported nbgrader notebooks run in the kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from regquiz.notebook import check_answer, grade_cells, notebook_source
from regquiz.quiz import load_quiz

REPO = Path(__file__).resolve().parents[1]
SETUP = "from __future__ import annotations\nimport numpy as np"


def test_source_leaves_out_regquiz_cells_and_neutralises_magics() -> None:
    cells = [SETUP, "get_ipython().run_line_magic('matplotlib', 'inline')\ndef f():\n    return 1",
             "from regquiz.notebook import grade_cells as _rq_grade_cells\n_rq_verdict = 1",
             "def g():\n    get_ipython().system('ls')\n", 'from __future__ import division\nx = 2']
    source = notebook_source(cells)
    compile(source, "problem.py", "exec")  # the future imports are first, magics are gone
    assert source.splitlines()[:2] == ["from __future__ import annotations",
                                       "from __future__ import division"]
    assert "_rq_" not in source and "get_ipython()" in source  # kept as comments after `pass`
    namespace: dict[str, object] = {}
    exec(compile(source, "problem.py", "exec"), namespace)  # noqa: S102 - our own test code
    assert namespace["x"] == 2 and namespace["g"]() is None  # type: ignore[operator]


def test_grade_cells_grades_in_a_separate_process() -> None:
    solution = (REPO / "solutions" / "problem2.py").read_text()
    verdict = grade_cells([SETUP, "get_ipython().run_line_magic('matplotlib', 'inline')",
                           solution], "problem2", seed=3)
    verdict("soft_threshold_examples")
    verdict("heldout_lasso_lam_zero", heldout=True)


def test_grade_cells_reports_failures_without_held_out_details() -> None:
    wrong = (REPO / "tests/students/problem2/wrong_hard_threshold.py").read_text()
    verdict = grade_cells([wrong], "problem2")
    with pytest.raises(AssertionError) as failed:
        verdict("heldout_soft_threshold_random", heldout=True)
    assert str(failed.value) == "held-out case failed"
    with pytest.raises(AssertionError) as visible:
        verdict("soft_threshold_examples")
    assert "soft_threshold" in str(visible.value)  # the check's own teaching message
    with pytest.raises(AssertionError, match="could not grade"):
        verdict("no_such_check")


def test_grade_cells_survives_code_that_does_not_compile() -> None:
    verdict = grade_cells(["def soft_threshold(:\n"], "problem2")
    with pytest.raises(AssertionError) as failed:
        verdict("soft_threshold_examples")
    # said before any child ran, with the line: the message names no temporary file
    assert str(failed.value).startswith("not run: your notebook's code, line 1: SyntaxError")


@pytest.mark.parametrize("typed", ["D", "d", " d ", "4", 4, "d)", "D."])  # q1's key is D
def test_answer_forms_that_name_the_right_letter(typed: object) -> None:
    check_answer(typed)
    check_answer(typed, question="q1", version=load_quiz().version)


@pytest.mark.parametrize("typed", [None, True, "", "E", "CB", 5, 2.0, ["C"]])
def test_answers_that_are_not_a_letter(typed: object) -> None:
    with pytest.raises(AssertionError, match=r"^an answer is one letter, A, B, C, D \(or 1-4\)"):
        check_answer(typed)


def test_a_wrong_answer_is_explained() -> None:
    question = load_quiz().questions[0]
    with pytest.raises(AssertionError) as wrong:
        check_answer("a", question="q1")
    assert str(wrong.value) == (f"Incorrect — the answer is D.\nYou chose A: "
                                f"{question.explanations['A']}\nD: {question.explanations['D']}")


def test_an_answer_that_claims_to_equal_anything_is_graded_by_its_letter() -> None:
    class Yes(str):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = str.__hash__

        def strip(self, *args: object) -> Yes:  # type: ignore[override]
            return self

        def upper(self) -> Yes:  # type: ignore[override]
            return self

    with pytest.raises(AssertionError, match="the answer is D"):
        check_answer(Yes("A"), question="q1")


def test_an_object_whose_repr_fails_gets_the_form_message() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    with pytest.raises(AssertionError, match="got a Broken"):
        check_answer(Broken())


def test_a_notebook_for_another_quiz_version_is_refused() -> None:
    version = load_quiz().version
    with pytest.raises(AssertionError, match=f"version {version + 1} of quiz regularization.*"
                                             f"version {version}: export it again"):
        check_answer("C", question="q1", version=version + 1)


def test_check_reads_an_exported_notebook_without_its_grading_cells(tmp_path: Path) -> None:
    """`regquiz check --file` on an nbgrader notebook grades the solution cells only."""
    from click.testing import CliRunner

    from regquiz.cli import cli

    assert CliRunner().invoke(cli, ["nbgrader", str(tmp_path)]).exit_code == 0
    notebook = tmp_path / "source" / "regularization" / "problem4.ipynb"
    done = CliRunner().invoke(cli, ["check", "problem4", "--file", str(notebook)])
    assert done.exit_code == 0, done.output
    assert "all checks passed" in done.output
