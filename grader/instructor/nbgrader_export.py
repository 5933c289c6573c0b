"""`regquiz nbgrader COURSE_DIR`: nbgrader 0.9 source notebooks whose tests judge outside the kernel.

A problem notebook is laid out like its stub: the statement (the stub's module docstring),
a locked cell with the stub's imports, then one solution cell per function holding the
stub's signature and docstring with the reference body between nbgrader's solution
delimiters (the release shows the stub's contract and `raise NotImplementedError()`).

The locked grading cell hands the kernel's input history `In` (exactly the student's cells
as nbgrader executed them) to regquiz.notebook.grade_cells, which grades it in a fresh
process through regquiz's sandbox; each test cell then only asserts its check's status, so
monkeypatching numpy in the kernel earns nothing, a passing cell writes nothing to stderr
(numpy warnings stay in the grading process), and the feedback shows no held-out inputs or
expected values.

The quiz notebook has an answer cell per question and a test cell whose hidden part grades
the answer with regquiz.notebook, against the held-out quiz of the course source
(grader/heldout_quizzes/graded.toml), whose key the students' wheel does not carry.
"""

from __future__ import annotations

import ast
import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EnvironmentBroken, UsageError
from ..manifest import Check, Problem, load_manifest
from ..paths import stubs_dir
from ..quiz import GRADED_QUIZ, LETTERS, Quiz, load_quiz
from ..references import require_source

CONFIG = '''from regquiz.instructor.nbgrader_autograde import (autograde_preprocessors,
                                                   sanitize_preprocessors)

c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.Execute.timeout = 120  # nbgrader 0.9 ignores ExecutePreprocessor.timeout
# Autograde grades regquiz's notebooks outside the student's kernel (see that module).
c.Autograde.autograde_preprocessors = autograde_preprocessors()
# No false "checksum has changed" for untouched cells with hidden tests (nbgrader#1961).
c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
# Formgrader and GenerateFeedback render with nbconvert: sanitize the HTML of outputs; the
# student's markdown is made inert at autograde (nbgrader's templates skip sanitize_html there).
c.HTMLExporter.sanitize_html = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''

# regquiz.notebook leaves every cell that uses a "_rq_" name out of the graded code.
GRADING_CELL = '''# regquiz: grades the cells above in a separate, sandboxed process (do not edit)
from regquiz.notebook import grade_cells as _rq_grade_cells
_rq_verdict = _rq_grade_cells(In[1:-1], "{pid}")
'''
# The seed of the graded visible inputs: drawn per export, kept in the course folder (never
# in source/, which nbgrader copies into the release) and read back by the autograde step.
SECRETS_DIR = ".regquiz"

PROBLEM_INTRO = ("Write the body of each function in the cells below: its signature and "
                 "docstring say what it must do. The test cells after them grade your code in a "
                 "separate, sandboxed process; `regquiz check {pid} --file {pid}.ipynb` runs the "
                 "same visible checks with a full explanation of each.")

FIGURE_TEXT = ("![{pid}: what the regularizer does, drawn from the reference](attachment:{name})"
               "\n\n`regquiz plot {pid} --file {pid}.ipynb` draws the same figure from your "
               "functions, beside the reference.")

QUIZ_INTRO = ("Answer each question by setting `answer_N` to one letter (`\"A\"`, `\"B\"`, "
              "`\"C\"` or `\"D\"`) in its answer cell. The test cell after it only checks that "
              "the answer is a letter; the grading happens when the notebook is graded, and the "
              "feedback explains every answer. `regquiz quiz` asks other questions on the same "
              "subject in the terminal, for practice.")


def _cell_meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
               points: int = 0) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


@dataclass(frozen=True)
class StubLayout:
    """A stub split the way its notebook shows it."""

    docstring: str  # the module docstring: the problem statement
    setup: str  # the module-level code (imports), a locked cell
    functions: tuple[tuple[str, str], ...]  # (name, solution cell source) in the stub's order


def stub_layout(stub: str, solution: str, where: str) -> StubLayout:
    """The stub's contract around the reference bodies, one solution region per function.

    Imports the reference has and the stub lacks go inside the regions of the functions that
    use them, so the release's module-level code stays the stub's.  Anything else the reference
    defines at module level would vanish from the release: that is an EnvironmentBroken.
    """
    stub_tree, ref_tree = ast.parse(stub), ast.parse(solution)
    stub_lines, ref_lines = stub.splitlines(), solution.splitlines()
    references = {node.name: node for node in ref_tree.body if isinstance(node, ast.FunctionDef)}
    stub_imports = {ast.unparse(node) for node in stub_tree.body
                    if isinstance(node, (ast.Import, ast.ImportFrom))}
    extra_imports = []
    for node in _code_nodes(ref_tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if ast.unparse(node) not in stub_imports:
                extra_imports.append(node)
        elif not isinstance(node, ast.FunctionDef):
            raise EnvironmentBroken(f"{where}: line {node.lineno} is module-level code the stub "
                                    "lacks; put it inside a function so the release keeps it")
    setup, functions = [], []
    for node in _code_nodes(stub_tree):
        if not isinstance(node, ast.FunctionDef):
            setup.append(_source(stub_lines, node))
            continue
        reference = references.get(node.name)
        if reference is None:
            raise EnvironmentBroken(f"{where} has no function {node.name}, which the stub asks for")
        header_end = _docstring_end(node) or node.body[0].lineno - 1
        header = "\n".join(stub_lines[_first_line(node) - 1:header_end])
        body = _body_lines(ref_lines, reference)
        indent = body[0][:len(body[0]) - len(body[0].lstrip())]
        used = {n.id for n in ast.walk(reference) if isinstance(n, ast.Name)}
        local_imports = [indent + ast.unparse(imp) for imp in extra_imports
                         if used & {alias.asname or alias.name.split(".")[0] for alias in imp.names}]
        functions.append((node.name, "\n".join([header, f"{indent}### BEGIN SOLUTION",
                                                *local_imports, *body,
                                                f"{indent}### END SOLUTION"])))
    return StubLayout(ast.get_docstring(stub_tree) or "", "\n".join(setup), tuple(functions))


def _code_nodes(tree: ast.Module) -> list[ast.stmt]:
    """The module's statements without its docstring."""
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def _first_line(node: ast.FunctionDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _source(lines: list[str], node: ast.stmt) -> str:
    return "\n".join(lines[node.lineno - 1:node.end_lineno])


def _docstring_end(node: ast.FunctionDef) -> int | None:
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        return first.end_lineno
    return None


def _body_lines(lines: list[str], node: ast.FunctionDef) -> list[str]:
    """The lines of the function's body after its docstring, comments included."""
    start = _docstring_end(node) or node.body[0].lineno - 1
    body = lines[start:node.end_lineno]
    while body and not body[0].strip():
        body.pop(0)
    return body


def problem_notebook(problem: Problem, solution: str, stub: str,
                     where: str = "solutions", figure: bytes | None = None) -> Any:
    """The nbgrader source notebook of one problem; `figure` (a PNG) joins its statement."""
    import nbformat.v4 as nbf

    layout = stub_layout(stub, solution, where)
    about = layout.docstring.partition("\n\n")[2]  # its first paragraph restates the title
    statement = f"# {problem.title}\n\n{about}\n\n{PROBLEM_INTRO.format(pid=problem.id)}"
    attachments = {}
    if figure is not None:
        name = f"{problem.id}.png"
        statement += "\n\n" + FIGURE_TEXT.format(pid=problem.id, name=name)
        attachments[name] = {"image/png": base64.b64encode(figure).decode("ascii")}
    heading = nbf.new_markdown_cell(statement, metadata=_cell_meta(
        "statement", grade=False, solution=False, locked=True))
    if attachments:
        heading.attachments = attachments
    cells = [
        heading,
        nbf.new_code_cell(layout.setup, metadata=_cell_meta("setup", grade=False, solution=False,
                                                            locked=True)),
    ]
    for name, source in layout.functions:
        cells.append(nbf.new_code_cell(source, metadata=_cell_meta(
            f"solution_{name}", grade=False, solution=True, locked=False)))
    cells.append(nbf.new_code_cell(GRADING_CELL.format(pid=problem.id),
                                   metadata=_cell_meta("regquiz_grading", grade=False,
                                                       solution=False, locked=True)))
    for check in problem.checks:
        cells.append(_test_cell(check, f'_rq_verdict("{check.name}")'))
    for check in problem.heldout:
        body = ("# A held-out case: it runs when the notebook is graded.\n"
                f'### BEGIN HIDDEN TESTS\n_rq_verdict("heldout_{check.name}", heldout=True)\n'
                "### END HIDDEN TESTS")
        cells.append(_test_cell(check, body, prefix="heldout_"))
    return _notebook(cells)


def quiz_notebook(quiz: Quiz) -> Any:
    """The nbgrader source notebook of a quiz: per question, an answer cell and a test cell."""
    import nbformat.v4 as nbf

    cells = [nbf.new_markdown_cell(f"# {quiz.title}\n\n{QUIZ_INTRO}", metadata=_cell_meta(
        "statement", grade=False, solution=False, locked=True))]
    for number, question in enumerate(quiz.questions, start=1):
        options = "\n".join(f"- **{letter}.** {question.options[letter]}" for letter in LETTERS)
        cells.append(nbf.new_markdown_cell(
            f"## Question {number}\n\n_Section {question.section}_\n\n{question.prompt}\n\n{options}",
            metadata=_cell_meta(f"question_{question.id}", grade=False, solution=False,
                                locked=True)))
        cells.append(nbf.new_code_cell(
            f'# Question {number}: one letter, for example answer_{number} = "A"\n'
            f'### BEGIN SOLUTION\nanswer_{number} = "{question.answer}"\n### END SOLUTION',
            metadata=_cell_meta(f"answer_{question.id}", grade=False, solution=True,
                                locked=False)))
        test = ("from regquiz.notebook import check_answer\n"
                f"check_answer(answer_{number})  # one letter, A-D?\n"
                "### BEGIN HIDDEN TESTS\n"
                f'check_answer(answer_{number}, question="{question.id}", quiz="{quiz.id}", '
                f"version={quiz.version})\n"
                "### END HIDDEN TESTS")
        cells.append(nbf.new_code_cell(test, metadata=_cell_meta(
            f"test_{question.id}", grade=True, solution=False, locked=True, points=1)))
    return _notebook(cells)


def _notebook(cells: list[Any]) -> Any:
    import nbformat.v4 as nbf

    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


def _test_cell(check: Check, source: str, prefix: str = "") -> Any:
    import nbformat.v4 as nbf

    return nbf.new_code_cell(source, metadata=_cell_meta(f"test_{prefix}{check.name}", grade=True,
                                                         solution=False, locked=True,
                                                         points=check.points))


def reference_figure(problem_id: str) -> bytes | None:
    """The problem's reference-only figure (a PNG), or None without the `plots` extra."""
    from ..plots.draw import require_matplotlib

    try:
        require_matplotlib()
    except EnvironmentBroken:
        return None  # the statements simply go without their figures
    from ..plots import reference_png

    return reference_png(problem_id)


def seed_path(course_dir: Path, assignment: str) -> Path:
    """Where the course keeps an assignment's grading seed (instructor side only)."""
    return course_dir / SECRETS_DIR / f"{assignment}.json"


def grading_seed(course_dir: Path, assignment: str) -> int | None:
    """The grading seed `export_course` drew for `assignment`, or None if there is none."""
    import json

    try:
        seed = json.loads(seed_path(course_dir, assignment).read_text(encoding="utf-8"))["seed"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return seed if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0 else None


def _write_seed(course_dir: Path, assignment: str, seed: int) -> Path:
    import json

    path = seed_path(course_dir, assignment)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"seed": seed}, handle)
    return path


def export_course(course_dir: Path, assignment: str, seed: int | None = None) -> list[Path]:
    """Write nbgrader_config.py (if absent), source/ASSIGNMENT/problemN.ipynb and quiz.ipynb.

    Only those files (and the assignment's grading seed, drawn afresh unless given, under
    COURSE_DIR/.regquiz/) are written: re-running updates the notebooks and leaves every
    other file of the course (the instructor's config, extra notebooks, the gradebook) alone.
    """
    import secrets

    seed = secrets.randbelow(2**31) if seed is None else seed
    solutions = require_source()
    try:
        import nbformat
    except ImportError:
        raise EnvironmentBroken("regquiz nbgrader needs the instructors' extra (nbgrader and "
                                "nbformat): pip install -e '.[instructor]'") from None
    if not assignment or "/" in assignment or assignment in (".", ".."):
        raise UsageError(f"{assignment!r} is not an assignment name (a folder name, no '/')")
    if course_dir.exists() and not course_dir.is_dir():
        raise UsageError(f"{course_dir} is a file, not a course folder")
    notebooks = {}
    for problem in load_manifest().problems:
        reference = solutions / problem.filename
        notebooks[problem.id] = problem_notebook(
            problem, reference.read_text(encoding="utf-8"),
            (stubs_dir() / problem.filename).read_text(encoding="utf-8"), str(reference),
            figure=reference_figure(problem.id))
    notebooks["quiz"] = quiz_notebook(load_quiz(GRADED_QUIZ))  # its key is not in the wheel
    target = course_dir / "source" / assignment
    try:
        target.mkdir(parents=True, exist_ok=True)
        written = []
        config = course_dir / "nbgrader_config.py"
        if not config.exists():
            config.write_text(CONFIG.format(root=str(course_dir.resolve())))
            written.append(config)
        for name, notebook in notebooks.items():
            path = target / f"{name}.ipynb"
            nbformat.write(notebook, str(path))
            written.append(path)
        written.append(_write_seed(course_dir, assignment, seed))
    except OSError as exc:
        raise UsageError(f"cannot write to {course_dir}: {exc.strerror or exc}") from None
    return written
