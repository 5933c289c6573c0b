"""The manifest is the one declaration: every problem has its stub, solution, suite and hints."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from conftest import REPO
from regquiz.errors import ManifestError
from regquiz.manifest import ID_PATTERN, load_manifest
from regquiz.paths import HELDOUT_DIR, SUITES_DIR

MANIFEST = load_manifest()
PROBLEMS = MANIFEST.ids


def _functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_ids_are_valid_and_unique() -> None:
    assert len(set(PROBLEMS)) == len(PROBLEMS) == 5
    assert all(ID_PATTERN.match(problem_id) for problem_id in PROBLEMS)


def test_no_stray_files_hide_in_exercises_or_solutions() -> None:
    expected = {f"{problem_id}.py" for problem_id in PROBLEMS}
    for folder in ("exercises", "solutions"):
        present = {path.name for path in (REPO / folder).iterdir() if path.name != "__pycache__"}
        assert present == expected, folder
    suites = {path.name for path in SUITES_DIR.glob("*.py")} - {"__init__.py"}
    assert suites == expected


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_stub_and_solution_declare_the_manifest_functions(problem_id: str) -> None:
    problem = MANIFEST.problem(problem_id)
    for folder in ("exercises", "solutions"):
        functions = _functions(REPO / folder / problem.filename)
        for declared in problem.functions:
            assert declared.name in functions, f"{folder}/{problem.filename}"
            params = tuple(arg.arg for arg in functions[declared.name].args.args)
            assert params == declared.params, f"{folder}/{problem.filename}: {declared.name}"


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_stub_bodies_only_raise_not_implemented(problem_id: str) -> None:
    for name, node in _functions(REPO / "exercises" / f"{problem_id}.py").items():
        docstring, *rest = node.body
        assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
        assert len(rest) == 1 and isinstance(rest[0], ast.Raise), name
        raised = rest[0].exc
        assert isinstance(raised, ast.Call) and getattr(raised.func, "id", "") == "NotImplementedError"


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_stub_docstrings_teach_and_match_the_solution(problem_id: str) -> None:
    stub = REPO / "exercises" / f"{problem_id}.py"
    solution = REPO / "solutions" / f"{problem_id}.py"
    assert ast.get_docstring(ast.parse(stub.read_text())) == ast.get_docstring(
        ast.parse(solution.read_text()))
    stub_functions, solution_functions = _functions(stub), _functions(solution)
    for name, node in stub_functions.items():
        doc = ast.get_docstring(node) or ""
        assert doc == ast.get_docstring(solution_functions[name])
        assert len(doc.splitlines()) >= 6, f"{name}: a docstring that teaches is longer"


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_suite_tests_are_exactly_the_manifest_checks(problem_id: str) -> None:
    problem = MANIFEST.problem(problem_id)
    tests = [name.removeprefix("test_") for name in _functions(SUITES_DIR / problem.filename)
             if name.startswith("test_")]
    assert tests == [check.name for check in problem.checks]


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_held_out_tests_are_exactly_the_manifest_heldout_cases(problem_id: str) -> None:
    problem = MANIFEST.problem(problem_id)
    tests = [name.removeprefix("test_") for name in _functions(HELDOUT_DIR / problem.filename)
             if name.startswith("test_")]
    assert problem.heldout and tests == [check.name for check in problem.heldout]


def test_no_stray_files_hide_in_the_held_out_folder() -> None:
    present = {path.name for path in HELDOUT_DIR.iterdir() if path.name != "__pycache__"}
    assert present == {f"{problem_id}.py" for problem_id in PROBLEMS}


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_hints_are_progressive_and_distinct(problem_id: str) -> None:
    hints = MANIFEST.problem(problem_id).hints
    assert len(hints) >= 3 and len(set(hints)) == len(hints)
    assert all(len(hint) > 40 for hint in hints)


def test_time_limits_keep_a_check_under_30_seconds() -> None:
    assert all(0 < problem.time_limit <= 25 for problem in MANIFEST.problems)


def test_a_malformed_manifest_names_the_problem_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "manifest.toml"
    broken.write_text('[[problems]]\nid = "Bad Id"\ntitle = "t"\nsection = "s"\ntime_limit = 1\n'
                      'hints = ["a", "b", "c"]\n[problems.functions]\nf = ["x"]\n'
                      '[problems.checks]\nc = 1\n')
    with pytest.raises(ManifestError, match="'Bad Id'.*must match"):
        load_manifest.__wrapped__(broken)
    broken.write_text('[[problems]]\nid = "p"\n')
    with pytest.raises(ManifestError, match="problem 'p': missing or malformed field"):
        load_manifest.__wrapped__(broken)


def test_malformed_held_out_cases_are_refused(tmp_path: Path) -> None:
    entry = ('[[problems]]\nid = "p"\ntitle = "t"\nsection = "s"\ntime_limit = 1\n'
             'hints = ["a", "b", "c"]\n[problems.functions]\nf = ["x"]\n'
             '[problems.checks]\nc = 1\n[problems.heldout]\n')
    broken = tmp_path / "manifest.toml"
    broken.write_text(entry + "h = 0\n")
    with pytest.raises(ManifestError, match="positive number of points"):
        load_manifest.__wrapped__(broken)
    broken.write_text(entry + "h = 2\n")
    assert load_manifest.__wrapped__(broken).problem("p").graded_max_score == 3


def test_readme_problem_table_matches_the_manifest() -> None:
    from regquiz.render import readme_problem_table

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- problems:start -->\n(.*?)<!-- problems:end -->", readme, re.S)
    assert table, "README.md lost its problem table markers"
    assert table.group(1) == readme_problem_table(MANIFEST.problems), (
        "README's problem table is out of date; replace it with:\n"
        + readme_problem_table(MANIFEST.problems))


def test_suites_never_import_the_solutions() -> None:
    for suite in SUITES_DIR.glob("problem*.py"):
        for node in ast.walk(ast.parse(suite.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert all(module.split(".")[0] in {"__future__", "numpy", "regquiz", "math", "typing",
                                                "itertools"} for module in modules), suite
    import regquiz.runner

    assert "solutions" not in inspect.getsource(regquiz.runner)
