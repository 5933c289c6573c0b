"""nbgrader's autograde step, graded in regquiz's sandbox and never in a kernel.

nbgrader scores a test cell by what the kernel wrote into it, and the kernel runs the
student's code first, with the instructor's rights: it could patch regquiz on disk for
every later student, rewrite classmates' notebooks or forge the gradebook, and whatever the
test cells call (numpy, subprocess, regquiz.notebook) it can fake.  So for regquiz's own
notebooks (problem1 … problemN and quiz, by nbgrader's notebook id) `RegquizExecute`
replaces nbgrader's Execute step and starts no kernel at all: the student's cells are only
read, graded through the same confined sandbox as `regquiz grade`, and every regquiz test
cell's outcome is written here, before SaveAutoGrades reads them.  (A confined kernel would
need its loopback ports opened and all of Jupyter readable; nothing in these notebooks needs
a kernel's outputs.)  Any other notebook of the course is executed as nbgrader would.

* problem notebooks: the cells above the locked grading cell go through `regquiz grade` in a
  fresh process (the sandbox), as a notebook, exactly as `regquiz grade` reads nbgrader's
  submitted notebooks; a syntax error is shown once, under the grading cell;
* quiz notebooks: each answer is the literal its answer cell assigns (`answer_1 = "B"`),
  checked with regquiz.notebook.check_answer here.

The grading cell and the test cells are locked, so nbgrader restores their source from the
gradebook before this step: the problem, seed and questions read from them are the
instructor's.  `regquiz nbgrader` writes a config that installs it:

    from regquiz.instructor.nbgrader_autograde import (autograde_preprocessors,
                                                       sanitize_preprocessors)
    c.Autograde.autograde_preprocessors = autograde_preprocessors()
    c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from nbgrader.api import MissingEntry  # type: ignore[import-untyped]
from nbgrader.converters import Autograde  # type: ignore[import-untyped]
from nbgrader.preprocessors import (ClearHiddenTests, Execute,  # type: ignore[import-untyped]
                                    OverwriteCells)

from ..notebook import OUTSIDE_KERNEL, check_answer, grade_source

REFUSED_EXIT = 3  # `regquiz grade`: the environment is broken (e.g. no confinement here)

# The seed is the course's (nbgrader_export.grading_seed); notebooks exported before it was
# kept there named it in the cell.
_GRADING = re.compile(r'_rq_grade_cells\(In\[1:-1\], "(?P<problem>\w+)"(?:, seed=(?P<seed>\d+))?\)')
_QUIZ = re.compile(r'check_answer\((?P<name>answer_\d+), question="(?P<question>\w+)", '
                   r'quiz="(?P<quiz>\w+)", version=(?P<version>\d+)\)')


def autograde_preprocessors() -> list[Any]:
    """nbgrader's autograde steps, with RegquizExecute in place of Execute."""
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    return [RegquizExecute if step is Execute else step for step in default]


def sanitize_preprocessors() -> list[Any]:
    """nbgrader's sanitizing steps before autograde, with RestoreHiddenTests in place."""
    default = Autograde.class_traits()["sanitize_preprocessors"].default()
    return [RestoreHiddenTests if step is OverwriteCells else step for step in default]


class RestoreHiddenTests(OverwriteCells):  # type: ignore[misc]  # nbgrader is untyped
    """OverwriteCells without its false alarm for every untouched cell with hidden tests.

    generate_assignment stores each locked cell's checksum before ClearHiddenTests cuts the
    hidden region out of the release (jupyter/nbgrader#1961), so every untouched test cell
    with hidden tests (each held-out case, each quiz question) "has changed" at autograde.
    A cell whose source is exactly its release form gets its source back from the gradebook
    first, silently; any other change to a locked cell still warns and is overwritten.
    """

    def preprocess_cell(self, cell: Any, resources: Any, cell_index: int) -> tuple[Any, Any]:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        source = None
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id)
            except MissingEntry:
                source = None
            if source is not None and source.locked and cell.source != source.source \
                    and cell.source == self._released(source.source):
                cell.source = source.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "markdown" and (source is None or cell.source != source.source):
            # nbgrader's formgrade and feedback templates render markdown without
            # nbconvert's sanitize_html: the student's own markdown is shown as text
            cell.source = inert_markdown(cell.source)
        return cell, resources

    def _released(self, source: str) -> str | None:
        """What generate_assignment made of `source` (its hidden tests cut), or None."""
        from nbformat import NotebookNode

        cell = NotebookNode(source=source)
        try:
            ClearHiddenTests(config=self.config)._remove_hidden_test_region(cell)
        except RuntimeError:  # unbalanced delimiters: nothing was cut at release
            return None
        return str(cell.source)


def inert_markdown(text: str) -> str:
    """Markdown whose HTML is shown as text: no tag, entity or raw HTML block survives."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RegquizExecute(Execute):  # type: ignore[misc]  # nbgrader is untyped
    """regquiz's notebooks: sandboxed verdicts in the test cells, no kernel; others: Execute."""

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        if not _regquiz_notebook(resources):
            with _environment(OUTSIDE_KERNEL, "1"):
                return super().preprocess(nb, resources)  # type: ignore[no-any-return]
        seed = self._course_seed(resources)
        named = [match["seed"] for cell in nb.cells if _grade_id(cell) == "regquiz_grading"
                 and (match := _GRADING.search(cell.source))]
        assignment = (resources.get("nbgrader", {}) if isinstance(resources, dict)
                      else {}).get("assignment")
        if seed is None and assignment and named and None in named:
            raise GradingRefused("this assignment has no grading seed in the course folder "
                                 "(.regquiz/ASSIGNMENT.json): export it again with "
                                 "`regquiz nbgrader COURSE_DIR --assignment ASSIGNMENT`")
        regrade(nb, seed=seed)
        return nb, resources

    def _course_seed(self, resources: Any) -> int | None:
        """The grading seed the course folder keeps for this assignment (None: not found)."""
        from pathlib import Path

        from .nbgrader_export import grading_seed

        root = self.config.CourseDirectory.get("root") or os.getcwd()
        meta = resources.get("nbgrader", {}) if isinstance(resources, dict) else {}
        assignment = meta.get("assignment")
        return grading_seed(Path(root), str(assignment)) if assignment else None


def _regquiz_notebook(resources: Any) -> bool:
    """Whether nbgrader's notebook id is one that `regquiz nbgrader` writes.

    The id is the file's name in the course (not anything inside the student's file), so
    a student cannot turn a regquiz notebook into one that is executed.
    """
    from ..manifest import load_manifest

    meta = resources.get("nbgrader", {}) if isinstance(resources, dict) else {}
    name = meta.get("notebook") or (resources.get("unique_key") if isinstance(resources, dict)
                                    else None)
    return name == "quiz" or name in load_manifest().ids


class GradingRefused(RuntimeError):
    """`regquiz grade` would not grade (no confinement here): autograde must fail loudly."""


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """`name=value` for the kernels started inside (they inherit this process's environment)."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def regrade(nb: Any, seed: int | None = None) -> None:
    """Write a verdict into every test cell of a regquiz notebook (no kernel has run).

    `seed` is the course's grading seed; without it, the one an older grading cell names
    (else 0, for a notebook graded outside a course).
    A test cell that no verdict reaches (its grading cell removed, an unknown question)
    fails: with no kernel, an empty output would otherwise read as a pass.
    """
    cells = nb.cells
    judged: set[int] = set()
    for index, cell in enumerate(cells):
        match = _GRADING.search(cell.source) if _grade_id(cell) == "regquiz_grading" else None
        if match:
            # graded as `regquiz grade` grades the submitted .ipynb: the same cells, numbers
            # and __future__ handling, so both flows give the same scores and messages
            chosen = seed if seed is not None else int(match["seed"] or 0)
            outcomes = grade_source(_cells_as_notebook(cells[:index]), match["problem"],
                                    seed=chosen, suffix=".ipynb")
            if outcomes.exit_code == REFUSED_EXIT:
                raise GradingRefused(f"regquiz refused to grade: {outcomes.trouble}")
            _show_error(cell, outcomes.error)
            for number, test in enumerate(cells[index + 1:], start=index + 1):
                grade_id = _grade_id(test)
                if _is_test(test) and grade_id.startswith("test_"):
                    name = grade_id.removeprefix("test_")
                    _set_outcome(test, outcomes.failure(
                        name, heldout=name.startswith("heldout_")))
                    judged.add(number)
            break
    answers = _answers(cells)
    for index, cell in enumerate(cells):
        match = _QUIZ.search(cell.source) if _is_test(cell) else None
        if match:
            _set_outcome(cell, _quiz_failure(answers, match))
            judged.add(index)
    for index, cell in enumerate(cells):
        if _is_test(cell) and index not in judged:
            _set_outcome(cell, "not graded: this notebook's locked grading cell is missing or "
                               "was changed")


def _cells_as_notebook(cells: list[Any]) -> str:
    """The cells above the grading cell as nbformat-4 JSON (their sources, types, metadata)."""
    import json

    plain = [{"cell_type": cell.cell_type, "source": cell.source,
              "metadata": {"nbgrader": dict(cell.metadata.get("nbgrader", {}))}}
             for cell in cells]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": plain})


def _show_error(cell: Any, error: str) -> None:
    """The reason no check ran (a syntax error, its cell and line), once, under the grading cell."""
    from nbformat.v4 import new_output

    cell.outputs = [new_output("stream", name="stderr", text=error + "\n")] if error else []


def _quiz_failure(answers: dict[str, object], match: re.Match[str]) -> str | None:
    name = match["name"]
    if name not in answers:
        return f'{name} is not set to a letter in its answer cell (write, e.g., {name} = "B")'
    try:
        check_answer(answers[name], question=match["question"], quiz=match["quiz"],
                     version=int(match["version"]))
    except AssertionError as exc:
        return str(exc)
    return None


def _answers(cells: list[Any]) -> dict[str, object]:
    """answer_N -> the literal the solution cells last assign to it."""
    answers: dict[str, object] = {}
    for cell in cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        try:
            tree = ast.parse(cell.source)
        except Exception:  # noqa: BLE001, S112 - SyntaxError, RecursionError, MemoryError
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    answers[node.targets[0].id] = ast.literal_eval(node.value)
                except Exception:  # noqa: BLE001 - not a literal, or one too deep or big
                    answers.pop(node.targets[0].id, None)
    return answers


def _grade_id(cell: Any) -> str:
    return str(cell.metadata.get("nbgrader", {}).get("grade_id", ""))


def _is_test(cell: Any) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _set_outcome(cell: Any, failure: str | None) -> None:
    """What the kernel would show: nothing for a pass, an AssertionError for a failure."""
    from nbformat.v4 import new_output

    cell.outputs = [] if failure is None else [new_output(
        "error", ename="AssertionError", evalue=failure,
        traceback=[f"AssertionError: {failure}"])]
