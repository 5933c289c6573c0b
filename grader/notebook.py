"""What the locked cells of `regquiz nbgrader`'s notebooks call inside the kernel.

Problem notebooks: `grade_cells(In[1:-1], "problem2", seed=0)` writes the code the kernel
has run to a temporary file and grades it in a separate process (`regquiz grade`, or
`regquiz check` where there is no course source, as in a student's install), through
regquiz's sandbox.  It returns a verdict function for the test cells: each only asserts its
check's status, so monkeypatching numpy in the kernel changes nothing, numpy warnings stay
in the grading process (nbgrader fails a test cell that writes to stderr), and a held-out
case fails without naming its inputs or expected values.

Quiz notebooks: `check_answer(answer_1)` checks the form (a letter A-D, or 1-4, either case);
with `question=`, the hidden part of the same cell grades it against the quiz file regquiz
ships and, when wrong, explains as `regquiz quiz` does.  A right answer prints nothing.

Everything here runs in the student's kernel, which the student controls: a student who
patches `subprocess` or this module before the test cells can fake these verdicts.  The
config `regquiz nbgrader` writes makes nbgrader's autograde grade outside the kernel instead
(nbgrader_autograde.py), so there such fakes earn nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .quiz import DEFAULT_QUIZ, LETTERS, load_quiz, parse_choice

Verdict = Callable[..., None]
MARK = "_rq_"  # every name the locked cells define starts with it
NO_SOURCE_EXIT = 2  # `regquiz grade` where there is no course source (see references.py)
OUTSIDE_KERNEL = "REGQUIZ_GRADES_OUTSIDE_KERNEL"  # set by nbgrader_autograde.RegquizExecute


def notebook_source(cells: Iterable[str]) -> str:
    """The student's cells as one module, as the kernel ran them.

    Leaves out regquiz's own cells (and re-runs of them), turns IPython's magics and shell
    escapes (`%...` and `!...` in a notebook, `get_ipython()...` in `In`) into `pass`, and moves `from __future__` imports
    to the top, where a module needs them.
    """
    future, body = [], []
    for cell in cells:
        if MARK in cell:
            continue
        for line in cell.splitlines():
            code = line.lstrip()
            indent = line[:len(line) - len(code)]
            if code.startswith("from __future__ import"):
                future.append(code)
                body.append(f"{indent}pass  # {code}")
            elif "get_ipython()" in code or code.startswith(("%", "!")):
                body.append(f"{indent}pass  # {code}")
            else:
                body.append(line)
        body.append("")
    return "\n".join([*future, *body])


def grade_cells(cells: Iterable[str], problem: str, *, seed: int = 0) -> Verdict:
    """Grade the cells in a separate process; return the test cells' verdict function.

    Under `regquiz nbgrader`'s autograde step (see nbgrader_autograde.py) the kernel does
    not grade: that step grades the notebook's cells itself, outside the kernel, and writes
    every test cell's outcome, so the verdicts here would only be replaced.
    """
    if os.environ.get(OUTSIDE_KERNEL) == "1":
        return lambda name, heldout=False: None
    outcomes = grade_source(notebook_source(cells), problem, seed=seed)

    def verdict(name: str, heldout: bool = False) -> None:
        message = outcomes.failure(name, heldout=heldout)
        if message is not None:
            raise AssertionError(message)

    return verdict


@dataclass(frozen=True)
class Outcomes:
    """What `regquiz grade` (or `check`) said about one problem's code."""

    tests: dict[str, dict[str, object]]  # check name -> its JSON report
    trouble: str  # the grading process's last line of stderr, for when it said nothing
    path: str  # the temporary file graded, replaced in messages by "your notebook's code"
    exit_code: int = 0  # of the grading process
    error: str = ""  # why no check ran (a syntax error, its cell, line and caret), said once

    def failure(self, name: str, *, heldout: bool = False) -> str | None:
        """None if the check passed, else what its test cell should fail with."""
        test = self.tests.get(name)
        if test is None:
            if heldout:
                return "this held-out case runs only where the course source is"
            return f"regquiz could not grade this notebook: {self.trouble}"
        if test["status"] == "pass":
            return None
        if heldout:
            return "held-out case failed"
        message = str(test["message"]).replace(self.path, "your notebook's code")
        if self.path.endswith(".py"):  # the kernel's cells, not a file the student knows
            message = message.replace(f"{os.path.basename(self.path)}, line", "your notebook's "
                                      "code, line")
        return message


def grade_source(code: str, problem: str, *, seed: int, suffix: str = ".py") -> Outcomes:
    """Grade `code` as the problem's file with `regquiz grade` (or `check`) in a fresh process.

    `suffix` ".ipynb" grades `code` as a notebook's JSON, read as `grade` reads notebooks.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{problem}{suffix}")
        with open(path, "w", encoding="utf-8") as file:
            file.write(code)
        run = _regquiz("grade", folder, "--problem", problem, "--workers", "1", seed=seed)
        if run.returncode == NO_SOURCE_EXIT:
            run = _regquiz("check", problem, "--file", path, seed=seed)
    try:
        report = json.loads(run.stdout)
        report = report[0]["problems"][0] if isinstance(report, list) else report
        tests = {test["name"]: test for test in report["tests"]}
        error = str(report.get("error") or "")
    except (ValueError, LookupError, TypeError, AttributeError):
        tests, error = {}, ""
    trouble = run.stderr.strip().splitlines()[-1:] or [f"exit status {run.returncode}"]
    return Outcomes(tests, trouble[0], path, run.returncode, error)


def _regquiz(*args: str, seed: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regquiz", *args, "--json", "--seed", str(seed)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)


def check_answer(value: object, question: str | None = None, *, quiz: str = DEFAULT_QUIZ,
                 version: int | None = None) -> None:
    """Raise AssertionError unless `value` is a letter (and, given `question`, the right one)."""
    letter = _letter(value)
    if question is None:
        return
    loaded = load_quiz(quiz)
    if version is not None and loaded.version != version:
        raise AssertionError(f"this notebook was written for version {version} of quiz {quiz}, "
                             f"but regquiz has version {loaded.version}: export it again")
    _, asked = loaded.question(question)
    if letter != asked.answer:
        raise AssertionError(
            f"Incorrect — the answer is {asked.answer}.\n"
            f"You chose {letter}: {asked.explanations[letter]}\n"
            f"{asked.answer}: {asked.explanations[asked.answer]}")


def _letter(value: object) -> str:
    """The letter the answer names; exact str and int copies defeat operator overloading."""
    if isinstance(value, str):
        text = str.__str__(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        text = int.__repr__(value)
    else:
        text = ""
    letter = parse_choice(text)
    if letter is None:
        raise AssertionError(f"an answer is one letter, {', '.join(LETTERS)} (or 1-4); "
                             f"got {_shown(value)}")
    return letter


def _shown(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a student's object may refuse repr()
        text = f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."
