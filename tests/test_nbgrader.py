"""`regquiz nbgrader`: the export, its errors, and a real nbgrader 0.9 round trip.

The round trip runs nbgrader's own generate_assignment and autograde on every problem
notebook and the quiz, for six students (one of them an attacker), then reads the scores back
through nbgrader's Gradebook API and compares them with `regquiz grade` and `regquiz quiz` on
the same code and answers.  regquiz's autograde step starts no kernel for its notebooks:
student code runs only in the confined sandbox.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from regquiz._compat import tomllib
from regquiz import paths
from regquiz.cli import cli
from regquiz.manifest import load_manifest

REPO = Path(__file__).resolve().parents[1]
STUDENTS = REPO / "tests" / "students"
PROBLEMS = [problem.id for problem in load_manifest().problems]
ASSIGNMENT = "regularization"

# Per problem: a correct variant (problem2's emits a RuntimeWarning) and a real mistake
# that earns partial marks.
VARIANTS = {"problem1": "correct_loops", "problem2": "correct_warns_divide_by_zero",
            "problem3": "correct_loops", "problem4": "correct_loops",
            "problem5": "correct_loops_logsumexp"}
MISTAKES = {"problem1": "wrong_l2_half_lambda", "problem2": "wrong_hard_threshold",
            "problem3": "wrong_no_scaling", "problem4": "wrong_ridge_half_lambda",
            "problem5": "wrong_softmax_no_max_shift"}
# Cheats in the kernel: numpy's comparisons and regquiz's own kernel-side helpers patched.
NUMPY_CHEAT = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
               "np.testing.assert_allclose = lambda *a, **k: None\n"
               "import regquiz.notebook\n"
               "regquiz.notebook.grade_cells = lambda *a, **k: (lambda *a, **k: None)\n")
QUIZ_CHEAT = ("import regquiz.notebook\nregquiz.notebook.check_answer = lambda *a, **k: None\n"
              "class _Yes(str):\n    def __eq__(self, other):\n        return True\n")
# An attacker's code, as it would act in an ordinary kernel: patch regquiz's own plugin for
# every later student, rewrite a classmate's submitted notebook, steal the solutions.
ATTACK = (
    "import os\n"
    "for _target in (__PLUGIN__, __CLASSMATE__, __CANARY__):\n"
    "    try:\n"
    "        with open(_target, 'a') as _handle:\n"
    "            _handle.write('# planted by a student')\n"
    "    except OSError:\n"
    "        pass\n")
PLUGIN = REPO / "grader" / "_plugin.py"


# Answers as a student might type them: right (any case, padded, a digit), then two wrong.
# The quiz notebook is graded against the held-out quiz (its key is not in the wheel).
QUIZ_KEY = "".join(q["answer"] for q in tomllib.loads(
    (REPO / "grader" / "heldout_quizzes" / "graded.toml").read_text(encoding="utf-8"))["questions"])
QUIZ_MIXED = {1: '"b"', 2: '" D "', 3: '"B"', 4: "3", 5: '"A"'}  # 3 of 5 right (key BDACB)


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          **kwargs)


def regquiz(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "regquiz", *args], env=env)


# ---------------------------------------------------------------- the export and its errors

def test_course_dir_that_is_a_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    done = regquiz("nbgrader", str(tmp_path / "f"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "is a file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("name", ["a/b", "..", ""])
def test_bad_assignment_name_is_exit_2(tmp_path: Path, name: str) -> None:
    done = CliRunner().invoke(cli, ["nbgrader", str(tmp_path), "--assignment", name])
    assert done.exit_code == 2 and "not an assignment name" in done.output
    assert not (tmp_path / "source").exists()


def test_without_the_course_source_is_exit_2(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_SOURCE_ROOT", tmp_path / "a-wheel-install")
    done = CliRunner().invoke(cli, ["nbgrader", str(tmp_path / "course")])
    assert done.exit_code == 2
    assert "needs the course source" in done.output and "Traceback" not in done.output
    assert not (tmp_path / "course").exists()


def test_without_nbformat_says_which_extra_to_install(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nbformat", None)  # as if it were not installed
    done = CliRunner().invoke(cli, ["nbgrader", str(tmp_path / "course")])
    assert done.exit_code == 3
    assert done.output.strip() == ("regquiz: error: regquiz nbgrader needs the instructors' extra "
                                   "(nbgrader and nbformat): pip install -e '.[instructor]'")
    assert not (tmp_path / "course").exists()


def test_rerun_updates_the_notebooks_and_keeps_the_instructors_files(tmp_path: Path) -> None:
    (tmp_path / "nbgrader_config.py").write_text("# mine\n")
    source = tmp_path / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (source / "extra.ipynb").write_text("{}")
    (source / "problem1.ipynb").write_text("stale")
    assert CliRunner().invoke(cli, ["nbgrader", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "nbgrader_config.py").read_text() == "# mine\n"
    assert (source / "extra.ipynb").read_text() == "{}"
    assert sorted(p.name for p in source.iterdir()) == sorted(
        ["extra.ipynb", "quiz.ipynb", *(f"{p}.ipynb" for p in PROBLEMS)])
    assert json.loads((source / "problem1.ipynb").read_text())["nbformat"] == 4


def test_solution_cells_are_the_stub_around_the_reference(tmp_path: Path) -> None:
    """One cell per function: the stub's signature and docstring, the reference's body."""
    assert CliRunner().invoke(cli, ["nbgrader", str(tmp_path)]).exit_code == 0
    for problem in load_manifest().problems:
        cells = notebook_cells(tmp_path / "source" / ASSIGNMENT / f"{problem.id}.ipynb")
        solutions = [c for c in cells if c["metadata"]["nbgrader"]["solution"]]
        assert [c["metadata"]["nbgrader"]["grade_id"] for c in solutions] == [
            f"solution_{f.name}" for f in problem.functions]
        code = "\n\n".join(c["source"] for c in cells if c["cell_type"] == "code"
                           and c["metadata"]["nbgrader"]["grade_id"] in ("setup",)) + "\n\n" + \
            "\n\n".join(c["source"] for c in solutions)
        reference = (REPO / "solutions" / problem.filename).read_text()
        stub = (REPO / "exercises" / problem.filename).read_text()
        assert ast.dump(functions_of(code)) == ast.dump(functions_of(reference)), problem.id
        assert docstrings_of(code) == docstrings_of(stub), problem.id  # the stub's statements


def functions_of(code: str) -> ast.Module:
    """The module's functions, without imports (the export moves some into the bodies) or
    docstrings (a cell shows the stub's, which poses the problem; the solution's derives it)."""
    functions = [n for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]
    for function in functions:
        function.body = [n for n in function.body if not isinstance(n, (ast.Import, ast.ImportFrom))
                         and n is not function.body[0]]
    return ast.Module(functions, [])


def docstrings_of(code: str) -> list[str | None]:
    return [ast.get_docstring(n) for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]


def notebook_cells(path: Path) -> list[dict[str, Any]]:
    cells = json.loads(path.read_text())["cells"]
    for cell in cells:
        cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) \
            else cell["source"]
    return cells


# ---------------------------------------------------------------- the round trip

def submission_notebook(source: Path, code: str | None) -> dict[str, Any]:
    """The source notebook with `code` in its first solution cell and the others emptied."""
    notebook = json.loads(source.read_text())
    if code is not None:
        solutions = [c for c in notebook["cells"]
                     if c["metadata"].get("nbgrader", {}).get("solution")]
        for number, cell in enumerate(solutions):
            cell["source"] = code if number == 0 else ""
    return notebook


def quiz_notebook(source: Path, answers: dict[int, str], prelude: str = "") -> dict[str, Any]:
    notebook = json.loads(source.read_text())
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("answer_q"):
            number = int(grade_id.removeprefix("answer_q"))
            cell["source"] = f"{prelude}answer_{number} = {answers[number]}\n" \
                if number in answers else ""
    return notebook


FUTURE = "from __future__ import annotations\n"
TAMPERED_CELL = f"test_{load_manifest().problem('problem1').checks[0].name}"


def jupyter_notebook(source: Path, problem: str) -> dict[str, Any]:
    """Code Jupyter runs: problem1 and problem2 with `from __future__` atop a later cell,
    problem3 with a syntax error at the end of its second solution cell."""
    notebook = json.loads(source.read_text())
    solutions = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    cell = solutions[0 if problem == "problem1" else 1]
    text = "".join(cell["source"])
    if problem == "problem3":
        cell["source"] = text + "\nbroken = 1\nbroken = (1,\n"
    else:
        cell["source"] = FUTURE + text
    return notebook


def tampered_notebook(source: Path) -> dict[str, Any]:
    """The solved problem1 with one locked test cell edited to pass whatever happens."""
    notebook = json.loads(source.read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == TAMPERED_CELL:
            cell["source"] = "pass  # nothing to see"
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course exported, released, submitted by five students and autograded by nbgrader."""
    if os.environ.get("CI") is None:
        pytest.importorskip("nbgrader")
    root = tmp_path_factory.mktemp("course")
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"],
               REGQUIZ_HOME=str(tmp_path_factory.mktemp("regquiz-home")))
    installed = run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix"], env=env)
    assert installed.returncode == 0, installed.stderr
    exported = regquiz("nbgrader", str(root), env=env)
    assert exported.returncode == 0, exported.stderr

    def nbgrader(*args: str) -> None:
        done = run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=root, env=env,
                   timeout=900)
        (root / f"{args[0]}-stderr.txt").write_text(done.stderr)
        assert done.returncode == 0, done.stderr[-3000:]
        # nbgrader only logs a config file that fails, then runs without any of it
        assert "Exception while loading config file" not in done.stderr, done.stderr[-3000:]

    nbgrader("generate_assignment", ASSIGNMENT)
    source, release = root / "source" / ASSIGNMENT, root / "release" / ASSIGNMENT
    students: dict[str, dict[str, dict[str, Any]]] = {
        "solver": {p: submission_notebook(source / f"{p}.ipynb", None) for p in PROBLEMS},
        "variant": {p: submission_notebook(source / f"{p}.ipynb",
                                           (STUDENTS / p / f"{VARIANTS[p]}.py").read_text())
                    for p in PROBLEMS},
        "wrong": {p: submission_notebook(source / f"{p}.ipynb",
                                         (STUDENTS / p / f"{MISTAKES[p]}.py").read_text())
                  for p in PROBLEMS},
        "untouched": {p: json.loads((release / f"{p}.ipynb").read_text()) for p in PROBLEMS},
        "cheater": {"problem2": submission_notebook(
            source / "problem2.ipynb",
            NUMPY_CHEAT + (STUDENTS / "problem2" / f"{MISTAKES['problem2']}.py").read_text())},
    }
    attack = (ATTACK.replace("__PLUGIN__", repr(str(PLUGIN)))
              .replace("__CLASSMATE__", repr(str(root / "submitted" / "solver" / ASSIGNMENT
                                                 / "problem3.ipynb")))
              .replace("__CANARY__", repr(str(root / "canary.txt")))
              + (STUDENTS / "attacks" / "steal_solutions.py").read_text()
              .replace("__COURSE__", str(REPO)))
    students["attacker"] = {"problem2": submission_notebook(source / "problem2.ipynb", attack)}
    students["jupyter"] = {p: jupyter_notebook(source / f"{p}.ipynb", p)
                           for p in ("problem1", "problem2", "problem3")}
    students["tamperer"] = {"problem1": tampered_notebook(source / "problem1.ipynb")}
    students["solver"]["quiz"] = json.loads((source / "quiz.ipynb").read_text())
    students["variant"]["quiz"] = quiz_notebook(source / "quiz.ipynb",
                                                {n: f'"{a}"' for n, a in enumerate(QUIZ_KEY.lower(), 1)})
    students["wrong"]["quiz"] = quiz_notebook(source / "quiz.ipynb", QUIZ_MIXED)
    students["untouched"]["quiz"] = json.loads((release / "quiz.ipynb").read_text())
    students["cheater"]["quiz"] = quiz_notebook(
        source / "quiz.ipynb", {n: '_Yes("A")' for n in range(1, 6)}, prelude=QUIZ_CHEAT)
    for student, notebooks in students.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, notebook in notebooks.items():
            (folder / f"{name}.ipynb").write_text(json.dumps(notebook))
    plugin = PLUGIN.read_bytes()
    nbgrader("autograde", ASSIGNMENT)
    assert PLUGIN.read_bytes() == plugin, "a student's notebook changed regquiz's own code"
    return root


def nbgrader_scores(course: Path, student: str) -> dict[str, tuple[float, float]]:
    """notebook -> (score, max_score), read through nbgrader's own Gradebook API."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {nb.name: (nb.score, nb.max_score) for nb in submission.notebooks}


def regquiz_grade(folder: Path) -> dict[str, tuple[float, float]]:
    done = regquiz("grade", str(folder), "--json", "--seed", "0")
    assert done.returncode in (0, 1), done.stderr
    [report] = json.loads(done.stdout)
    return {p["problem"]: (p["score"], p["max_score"]) for p in report["problems"]}


def files_of(tmp_path: Path, chosen: dict[str, str]) -> Path:
    folder = tmp_path / "as-files"
    folder.mkdir()
    for problem, name in chosen.items():
        (folder / f"{problem}.py").write_text((STUDENTS / problem / f"{name}.py").read_text())
    return folder


@pytest.mark.slow
def test_solutions_and_correct_variants_get_full_marks_as_in_regquiz_grade(
        course: Path, tmp_path: Path) -> None:
    expected = regquiz_grade(REPO / "solutions")
    assert all(score == most for score, most in expected.values())
    solver, variant = nbgrader_scores(course, "solver"), nbgrader_scores(course, "variant")
    for problem in PROBLEMS:
        assert solver[problem] == expected[problem], problem
        assert variant[problem] == expected[problem], problem  # the RuntimeWarning costs nothing
    assert regquiz_grade(files_of(tmp_path, VARIANTS)) == expected
    assert solver["quiz"] == variant["quiz"] == (5, 5)


@pytest.mark.slow
def test_passing_test_cells_write_nothing_to_stderr(course: Path) -> None:
    for student in ("solver", "variant"):
        for problem in PROBLEMS:
            path = course / "autograded" / student / ASSIGNMENT / f"{problem}.ipynb"
            for cell in notebook_cells(path):
                if cell["metadata"].get("nbgrader", {}).get("grade"):
                    assert not [o for o in cell.get("outputs", [])
                                if o.get("name") == "stderr" or o["output_type"] == "error"], \
                        (student, problem, cell["metadata"]["nbgrader"]["grade_id"])


@pytest.mark.slow
def test_a_wrong_implementation_gets_the_partial_marks_regquiz_grade_gives(
        course: Path, tmp_path: Path) -> None:
    expected = regquiz_grade(files_of(tmp_path, MISTAKES))
    wrong = nbgrader_scores(course, "wrong")
    for problem in PROBLEMS:
        score, most = wrong[problem]
        assert 0 < score < most, problem
        assert (score, most) == expected[problem], problem


@pytest.mark.slow
def test_the_untouched_release_scores_zero(course: Path) -> None:
    untouched = nbgrader_scores(course, "untouched")
    assert set(untouched) == {*PROBLEMS, "quiz"}
    assert all(score == 0 for score, _ in untouched.values()), untouched


@pytest.mark.slow
def test_cheaters_in_the_kernel_earn_nothing(course: Path, tmp_path: Path) -> None:
    """A mistake plus np.allclose (and regquiz's kernel-side grading) patched to always agree
    scores what `regquiz grade` gives the same code: autograde grades outside the kernel."""
    cheater = nbgrader_scores(course, "cheater")
    (tmp_path / "problem2.py").write_text(
        NUMPY_CHEAT + (STUDENTS / "problem2" / f"{MISTAKES['problem2']}.py").read_text())
    assert cheater["problem2"] == regquiz_grade(tmp_path)["problem2"]
    assert cheater["problem2"][0] <= nbgrader_scores(course, "wrong")["problem2"][0]
    assert cheater["quiz"][0] == 0  # check_answer patched, answers that claim to equal anything


@pytest.mark.slow
def test_an_attacker_reaches_nothing_outside_the_sandbox(course: Path) -> None:
    """No kernel ran the attacker's cells, and the sandbox refused them: nothing was written
    (the plugin is compared in the fixture), no solution was read, classmates kept theirs."""
    attacker = nbgrader_scores(course, "attacker")
    score, most = attacker["problem2"]
    assert score < most // 2
    assert not (course / "canary.txt").exists()
    solver = course / "submitted" / "solver" / ASSIGNMENT / "problem3.ipynb"
    assert "planted" not in solver.read_text()
    assert all(s == m for s, m in nbgrader_scores(course, "solver").values())


@pytest.mark.slow
def test_quiz_scores_match_regquiz_quiz(course: Path) -> None:
    letters = "BDBCA"  # QUIZ_MIXED in the quiz file's letters
    done = regquiz("quiz", "--quiz", "graded", "--answers", letters, "--json",
                   env=dict(os.environ, REGQUIZ_HOME=str(course / "rq-home")))
    assert nbgrader_scores(course, "wrong")["quiz"] == (json.loads(done.stdout)["score"], 5) \
        == (3, 5)


@pytest.mark.slow
def test_feedback_names_no_held_out_input_and_explains_quiz_answers(course: Path) -> None:
    graded = course / "autograded" / "wrong" / ASSIGNMENT
    failures = 0
    for cell in notebook_cells(graded / "problem2.ipynb"):
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if grade_id.startswith("test_heldout_") and errors:
            failures += 1
            assert errors[0]["evalue"] == "held-out case failed"
    assert failures > 0
    quiz = {c["metadata"]["nbgrader"]["grade_id"]: c for c in notebook_cells(graded / "quiz.ipynb")
            if c["metadata"].get("nbgrader")}
    [error] = [o for o in quiz["test_q3"]["outputs"] if o["output_type"] == "error"]
    assert error["evalue"].startswith("Incorrect — the answer is A.\nYou chose B: ")
    assert not [o for o in quiz["test_q4"]["outputs"] if o["output_type"] == "error"]


@pytest.mark.slow
def test_release_holds_stubs_and_no_solution_or_hidden_test(course: Path) -> None:
    release = course / "release" / ASSIGNMENT
    for problem in load_manifest().problems:
        cells = notebook_cells(release / f"{problem.id}.ipynb")
        text = "\n".join(c["source"] for c in cells)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert "heldout_" not in text.replace("test_heldout_", "")
        stub = ast.parse((paths.stubs_dir() / problem.filename).read_text())
        stubs = {n.name: n for n in stub.body if isinstance(n, ast.FunctionDef)}
        for cell in (c for c in cells if c["metadata"]["nbgrader"]["solution"]):
            [function] = ast.parse(cell["source"]).body
            assert isinstance(function, ast.FunctionDef)
            assert ast.get_docstring(function) == ast.get_docstring(stubs[function.name])
            assert ast.unparse(function.args) == ast.unparse(stubs[function.name].args)
            assert ast.unparse(function.body[1]) == "raise NotImplementedError()"
            assert len(function.body) == 2
    quiz = "\n".join(c["source"] for c in notebook_cells(release / "quiz.ipynb"))
    assert "HIDDEN TESTS" not in quiz and "question=" not in quiz
    assert not re.search(r"^answer_\d+ *=", quiz, re.MULTILINE)  # only the comment's example


@pytest.mark.slow
def test_notebooks_as_jupyter_runs_them_score_the_same_in_grade_and_autograde(
        course: Path) -> None:
    """`from __future__` atop any cell is valid; a syntax error costs that problem only."""
    submitted = course / "submitted" / "jupyter" / ASSIGNMENT
    graded = regquiz_grade(submitted)
    scores = nbgrader_scores(course, "jupyter")
    for problem in ("problem1", "problem2", "problem3"):
        assert scores[problem] == graded[problem], problem
    assert graded["problem1"][0] == graded["problem1"][1] > 0
    assert graded["problem2"][0] == graded["problem2"][1] > 0
    assert graded["problem3"][0] == 0


@pytest.mark.slow
def test_a_syntax_error_is_said_once_with_its_cell_line_and_caret(course: Path) -> None:
    notebook = json.loads((course / "submitted" / "jupyter" / ASSIGNMENT
                           / "problem3.ipynb").read_text())
    number = 1 + next(index for index, cell in enumerate(notebook["cells"])
                      if "broken = (1," in "".join(cell["source"]))
    line = "".join(notebook["cells"][number - 1]["source"]).count("\n")
    where = f"problem3.ipynb, cell {number}, line {line}: SyntaxError: '(' was never closed"
    done = regquiz("grade", str(course / "submitted" / "jupyter" / ASSIGNMENT), "--json",
                   "--seed", "0", "--problem", "problem3")
    [report] = json.loads(done.stdout)
    [problem3] = report["problems"]
    assert problem3["error"].splitlines() == [where, "    broken = (1,", "             ^"]
    assert all(test["message"] == f"not run: {where}" for test in problem3["tests"])
    text = regquiz("grade", str(course / "submitted" / "jupyter" / ASSIGNMENT), "--seed", "0",
                   "--problem", "problem3").stdout
    assert text.count("SyntaxError") == 1 and where in text
    checked = regquiz("check", "problem3", "--file",
                      str(course / "submitted" / "jupyter" / ASSIGNMENT / "problem3.ipynb"),
                      env=dict(os.environ, REGQUIZ_HOME=str(course / "rq-home")))
    assert checked.returncode == 1 and checked.stdout.count("SyntaxError") == 1
    assert where in checked.stdout and "             ^" in checked.stdout
    # nbgrader's feedback shows it once too: under the grading cell, never per test cell
    autograded = json.loads((course / "autograded" / "jupyter" / ASSIGNMENT
                             / "problem3.ipynb").read_text())
    shown = [output for cell in autograded["cells"] for output in cell.get("outputs", [])
             if "SyntaxError" in "".join(output.get("text", ""))]
    assert len(shown) == 1 and where in "".join(shown[0]["text"])


@pytest.mark.slow
def test_autograde_warns_of_changed_locked_cells_only(course: Path) -> None:
    """No false "checksum has changed" for untouched cells with hidden tests (nbgrader#1961);
    the one locked cell a student really edited still warns, and is restored."""
    log = (course / "autograde-stderr.txt").read_text()
    warned = re.findall(r"Attribute '(\w+)' for cell (\w+) has changed", log)
    assert warned == [("checksum", TAMPERED_CELL)]
    assert nbgrader_scores(course, "tamperer")["problem1"] == \
        nbgrader_scores(course, "solver")["problem1"]


@pytest.mark.slow
def test_regquiz_grades_and_checks_nbgrader_notebooks_directly(course: Path) -> None:
    """The test and grading cells are left out: a submitted folder is a regquiz submission."""
    assert regquiz_grade(course / "submitted" / "solver" / ASSIGNMENT) == \
        regquiz_grade(REPO / "solutions")
    done = regquiz("check", "problem2", "--file",
                   str(course / "release" / ASSIGNMENT / "problem2.ipynb"),
                   env=dict(os.environ, REGQUIZ_HOME=str(course / "rq-home")))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "NotImplementedError" in done.stdout and "Score: 0/" in done.stdout


# ---------------------------------------------------------------- autograde outside the kernel

def exported(tmp_path: Path, name: str) -> Any:
    import nbformat

    assert CliRunner().invoke(cli, ["nbgrader", str(tmp_path)]).exit_code == 0
    return nbformat.read(str(tmp_path / "source" / ASSIGNMENT / f"{name}.ipynb"), as_version=4)


def outcomes(notebook: Any) -> dict[str, str | None]:
    """test cell -> None if it passes, else its error's message."""
    return {cell.metadata.nbgrader.grade_id: next(
        (o.evalue for o in cell.outputs if o.output_type == "error"), None)
        for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")}


def test_regrade_overrides_what_the_kernel_wrote(tmp_path: Path) -> None:
    """The test cells' outputs come from regquiz, whatever the kernel put there."""
    pytest.importorskip("nbgrader")
    from regquiz.instructor.nbgrader_autograde import regrade

    notebook = exported(tmp_path, "problem2")
    solutions = [c for c in notebook.cells if c.metadata.nbgrader.solution]
    solutions[0].source = (STUDENTS / "problem2" / f"{MISTAKES['problem2']}.py").read_text()
    for cell in solutions[1:]:
        cell.source = ""
    for cell in notebook.cells:  # a kernel that was talked into passing everything
        cell.outputs = [] if cell.cell_type == "code" else None
    regrade(notebook)
    result = outcomes(notebook)
    expected = regquiz_grade(files_of(tmp_path, {"problem2": MISTAKES["problem2"]}))["problem2"]
    points = {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points for c in notebook.cells
              if c.metadata.nbgrader.get("grade")}
    assert sum(points[g] for g, failure in result.items() if failure is None) == expected[0]
    assert "held-out case failed" in result.values()


def test_regrade_reads_quiz_answers_from_the_answer_cells(tmp_path: Path) -> None:
    pytest.importorskip("nbgrader")
    from regquiz.instructor.nbgrader_autograde import regrade

    notebook = exported(tmp_path, "quiz")
    typed = {1: 'answer_1 = "b"', 2: "answer_2 = some_variable", 3: 'answer_3 = "B"',
             4: "answer_4 = 3", 5: 'answer_5 = "B"\nanswer_5 = "E"'}
    for cell in notebook.cells:
        if cell.metadata.nbgrader.get("solution"):
            cell.source = typed[int(cell.metadata.nbgrader.grade_id.removeprefix("answer_q"))]
        if cell.cell_type == "code":
            cell.outputs = []
    regrade(notebook)
    result = outcomes(notebook)
    assert result["test_q1"] is None and result["test_q4"] is None
    assert result["test_q2"] == ('answer_2 is not set to a letter in its answer cell '
                                 '(write, e.g., answer_2 = "B")')
    assert result["test_q3"].startswith("Incorrect — the answer is A.")  # type: ignore[union-attr]
    assert result["test_q5"].startswith("an answer is one letter")  # type: ignore[union-attr]


def test_the_config_installs_regquiz_autograde_step(tmp_path: Path) -> None:
    pytest.importorskip("nbgrader")
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config import PyFileConfigLoader

    from regquiz.instructor.nbgrader_autograde import RegquizExecute

    CliRunner().invoke(cli, ["nbgrader", str(tmp_path)])
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    steps = config.Autograde.autograde_preprocessors
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    assert steps == [RegquizExecute if step is Execute else step for step in default]
    assert config.Execute.timeout == 120  # nbgrader 0.9 ignores ExecutePreprocessor.timeout
    assert "ExecutePreprocessor" not in config


@pytest.mark.slow
def test_an_instructors_own_config_still_grades_in_the_kernel(tmp_path: Path) -> None:
    """Without regquiz's autograde step the kernel's grading cell does the work (problem2)."""
    if os.environ.get("CI") is None:
        pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook

    (tmp_path / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(tmp_path)!r}\nc.Execute.timeout = 120\n")
    assert CliRunner().invoke(cli, ["nbgrader", str(tmp_path)]).exit_code == 0
    source = tmp_path / "source" / ASSIGNMENT
    for name in [*PROBLEMS[:1], *PROBLEMS[2:], "quiz"]:  # keep problem2 only
        (source / f"{name}.ipynb").unlink()
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    assert run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix"],
               env=env).returncode == 0
    for student, code in {"solver": None,
                          "wrong": (STUDENTS / "problem2" / f"{MISTAKES['problem2']}.py").read_text()
                          }.items():
        folder = tmp_path / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "problem2.ipynb").write_text(
            json.dumps(submission_notebook(source / "problem2.ipynb", code)))
    for step in ("generate_assignment", "autograde"):
        done = run([sys.executable, "-m", "nbgrader", step, ASSIGNMENT, "--force"], cwd=tmp_path,
                   env=env, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    expected = regquiz_grade(files_of(tmp_path, {"problem2": MISTAKES["problem2"]}))["problem2"]
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        solver = gradebook.find_submission_notebook("problem2", ASSIGNMENT, "solver")
        wrong = gradebook.find_submission_notebook("problem2", ASSIGNMENT, "wrong")
        assert solver.score == solver.max_score > 0
        assert (wrong.score, wrong.max_score) == expected


def test_autograde_refuses_where_student_code_cannot_be_confined(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("nbgrader")
    from regquiz.instructor.nbgrader_autograde import GradingRefused, regrade

    notebook = exported(tmp_path, "problem2")
    monkeypatch.delenv("REGQUIZ_UNCONFINED", raising=False)
    monkeypatch.setenv("REGQUIZ_DISABLE_CONFINEMENT", "1")
    with pytest.raises(GradingRefused, match="REGQUIZ_UNCONFINED=1"):
        regrade(notebook)
    monkeypatch.setenv("REGQUIZ_UNCONFINED", "1")
    regrade(notebook)  # the instructor accepted running it unconfined
    assert outcomes(notebook) and all(failure is None for failure in outcomes(notebook).values())


def test_a_regquiz_notebook_is_never_run_in_a_kernel(tmp_path: Path) -> None:
    """RegquizExecute grades problem and quiz notebooks without starting a kernel at all."""
    pytest.importorskip("nbgrader")
    from regquiz.instructor.nbgrader_autograde import RegquizExecute

    notebook = exported(tmp_path, "problem2")
    canary = tmp_path / "ran-in-a-kernel"
    solutions = [c for c in notebook.cells if c.metadata.nbgrader.solution]
    solutions[0].source = f"open({str(canary)!r}, 'w').write('x')\n" + solutions[0].source
    step = RegquizExecute()
    step.preprocess(notebook, {"nbgrader": {"notebook": "problem2"}})
    assert not canary.exists()
    assert outcomes(notebook)  # every test cell got a verdict
