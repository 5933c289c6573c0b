"""`regquiz nbgrader COURSE_DIR`: nbgrader 0.9 source notebooks whose tests judge outside the kernel.

The grading cell writes the code the kernel has run so far (its input history `In`, which
holds exactly the student's cells as nbgrader executed them) to a temporary folder and runs
`python -m regquiz grade` on it in a fresh process, through regquiz's sandbox; each test
cell then only asserts its check's status, so monkeypatching numpy in the kernel earns nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UsageError
from .manifest import Check, Problem, load_manifest
from .paths import stubs_dir
from .references import require_source

CONFIG = '''c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.Execute.timeout = 120
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''

GRADING_CELL = '''import json as _rq_json, os as _rq_os, subprocess as _rq_sp, sys as _rq_sys, tempfile as _rq_tmp
with _rq_tmp.TemporaryDirectory() as _rq_dir:
    with open(_rq_os.path.join(_rq_dir, "{pid}.py"), "w") as _rq_f:
        _rq_f.write("\\n\\n".join(c for c in In[1:-1] if not c.lstrip().startswith("%")))
    _rq_run = _rq_sp.run([_rq_sys.executable, "-m", "regquiz", "grade", _rq_dir, "--problem", "{pid}",
                          "--json", "--seed", "{seed}", "--workers", "1"],
                         capture_output=True, text=True, stdin=_rq_sp.DEVNULL)
try:
    _rq_tests = {{t["name"]: t for t in _rq_json.loads(_rq_run.stdout)[0]["problems"][0]["tests"]}}
except Exception:
    _rq_tests = {{}}

def _rq_verdict(name, heldout=False):
    test = _rq_tests.get(name)
    if test is None:
        raise AssertionError("regquiz could not grade this notebook: " + _rq_run.stderr.strip()[-300:])
    if test["status"] != "pass":
        raise AssertionError("held-out case failed" if heldout else test["message"])
'''


def _cell_meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
               points: int = 0) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def problem_notebook(problem: Problem, solution: str, stub: str, seed: int) -> Any:
    """The nbgrader source notebook of one problem."""
    import nbformat.v4 as nbf

    cells = [
        nbf.new_markdown_cell(f"# {problem.title}\n\n{problem.section}\n\n```python\n{stub}\n```",
                              metadata=_cell_meta("statement", grade=False, solution=False,
                                                  locked=True)),
        nbf.new_code_cell(f"### BEGIN SOLUTION\n{solution.rstrip()}\n### END SOLUTION",
                          metadata=_cell_meta("solution", grade=False, solution=True,
                                              locked=False)),
        nbf.new_code_cell(GRADING_CELL.format(pid=problem.id, seed=seed),
                          metadata=_cell_meta("regquiz_grading", grade=False, solution=False,
                                              locked=True)),
    ]
    for check in problem.checks:
        cells.append(_test_cell(check, f'_rq_verdict("{check.name}")'))
    for check in problem.heldout:
        body = (f'### BEGIN HIDDEN TESTS\n_rq_verdict("heldout_{check.name}", heldout=True)\n'
                "### END HIDDEN TESTS")
        cells.append(_test_cell(check, body, prefix="heldout_"))
    notebook = nbf.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


def _test_cell(check: Check, source: str, prefix: str = "") -> Any:
    import nbformat.v4 as nbf

    return nbf.new_code_cell(source, metadata=_cell_meta(f"test_{prefix}{check.name}", grade=True,
                                                         solution=False, locked=True,
                                                         points=check.points))


def export_course(course_dir: Path, assignment: str, seed: int = 0) -> list[Path]:
    """Write nbgrader_config.py (if absent) and source/ASSIGNMENT/problemN.ipynb; return them."""
    import nbformat

    solutions = require_source()
    if course_dir.exists() and not course_dir.is_dir():
        raise UsageError(f"{course_dir} is a file, not a course folder")
    target = course_dir / "source" / assignment
    try:
        target.mkdir(parents=True, exist_ok=True)
        written = []
        config = course_dir / "nbgrader_config.py"
        if not config.exists():
            config.write_text(CONFIG.format(root=str(course_dir.resolve())))
            written.append(config)
        for problem in load_manifest().problems:
            notebook = problem_notebook(
                problem, (solutions / problem.filename).read_text(),
                (stubs_dir() / problem.filename).read_text(), seed)
            path = target / f"{problem.id}.ipynb"
            nbformat.write(notebook, str(path))
            written.append(path)
    except OSError as exc:
        raise UsageError(f"cannot write to {course_dir}: {exc.strerror or exc}") from None
    return written
