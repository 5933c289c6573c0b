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


def _contract(doc: str) -> list[str]:
    """The lines of a docstring's `Contract:` block (up to the next blank line)."""
    lines = doc.splitlines()
    if "Contract:" not in lines:
        return []
    block = lines[lines.index("Contract:") + 1:]
    return block[:block.index("")] if "" in block else block


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_stub_signatures_and_contracts_match_the_solution(problem_id: str) -> None:
    stub = REPO / "exercises" / f"{problem_id}.py"
    solution = REPO / "solutions" / f"{problem_id}.py"
    assert ast.get_docstring(ast.parse(stub.read_text())) == ast.get_docstring(
        ast.parse(solution.read_text()))
    stub_functions, solution_functions = _functions(stub), _functions(solution)
    for name, node in stub_functions.items():
        other = solution_functions[name]
        assert ast.unparse(node.args) == ast.unparse(other.args), name
        assert ast.unparse(node.returns) == ast.unparse(other.returns), name
        doc = ast.get_docstring(node) or ""
        contract = _contract(doc)
        assert len(contract) >= 1, f"{name}: the stub states its contract"
        assert contract == _contract(ast.get_docstring(other) or ""), name
        assert len(doc.splitlines()) >= 6, f"{name}: a docstring that poses the problem is longer"


# What a practice problem or worked example asks the student to derive, update lines and code:
# none of it may appear in a stub (the hints and the solutions' docstrings carry it).
GIVEN_AWAY = ["sign(μ)·max", "max(|μ|", "max(1 − λ/2", "2/(2 + λ)", "σ²/(1 − p) +", "μ²·p/(1 − p)",
              "(μ² + σ²)", "1 − (1 − lr", "1/(lr·t)", "s/(s + λ)", "0.545", "softmax − targets",
              "softmax(z) − targets", "ŷ − y", "(XᵀX/N + λ", "Xᵀ(y − Xw)", "w₁h₁ + w₂h₂",
              "ε·log", "log(1 − ε)", "w ←", "m ←", "v ←", "np.", "rng.random", "(1 − p)ᵏ",
              "grad_out·mask", "-> 0.2", "0.75", "-> ["]


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_stubs_pose_problems_without_their_answers(problem_id: str) -> None:
    tree = ast.parse((REPO / "exercises" / f"{problem_id}.py").read_text(encoding="utf-8"))
    docs = [ast.get_docstring(tree) or ""] + [ast.get_docstring(node) or "" for node in tree.body
                                              if isinstance(node, ast.FunctionDef)]
    for doc in docs:
        flat = " ".join(doc.split())
        given = [fragment for fragment in GIVEN_AWAY if fragment in flat]
        assert not given, f"{problem_id}: a stub gives away {given}"


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
def test_every_function_has_a_ladder_of_distinct_rungs_without_code(problem_id: str) -> None:
    problem = MANIFEST.problem(problem_id)
    assert [ladder.function for ladder in problem.hints] == [f.name for f in problem.functions]
    for ladder in problem.hints:
        assert len(ladder.rungs) >= 3 and len(set(ladder.rungs)) == len(ladder.rungs)
        assert all(len(rung) > 15 for rung in ladder.rungs), ladder.function
        assert not any(code in rung for rung in ladder.rungs
                       for code in ("np.", "rng.", "()", " = np", "return (", "import ")), ladder.function
        # the formula comes last: the top rung states an equation the first does not
        assert "=" in ladder.rungs[-1] or "←" in ladder.rungs[-1], ladder.function
        assert ladder.rungs[-1] not in ladder.rungs[0], ladder.function


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_every_check_declares_its_functions_and_requires_earlier_direct_checks(problem_id: str) -> None:
    problem = MANIFEST.problem(problem_id)
    functions = {f.name for f in problem.functions}
    for check in problem.checks:
        assert check.functions and set(check.functions) <= functions
        for required in check.requires:
            assert problem.check(required).requires == (), f"{required} is itself gated"
    assert all(problem.checks_of(name) for name in functions)


def test_time_limits_keep_a_check_under_30_seconds() -> None:
    assert all(0 < problem.time_limit <= 25 for problem in MANIFEST.problems)


def test_a_malformed_manifest_names_the_problem_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "manifest.toml"
    broken.write_text('[[problems]]\nid = "Bad Id"\ntitle = "t"\nsection = "s"\ntime_limit = 1\n'
                      '[problems.functions]\nf = ["x"]\n[problems.hints]\nf = ["a", "b", "c"]\n'
                      '[problems.checks]\nc = 1\n[problems.exercises]\nc = ["f"]\n')
    with pytest.raises(ManifestError, match="'Bad Id'.*must match"):
        load_manifest.__wrapped__(broken)
    broken.write_text('[[problems]]\nid = "p"\n')
    with pytest.raises(ManifestError, match="problem 'p': missing or malformed field"):
        load_manifest.__wrapped__(broken)


def test_malformed_held_out_cases_are_refused(tmp_path: Path) -> None:
    entry = ('[[problems]]\nid = "p"\ntitle = "t"\nsection = "s"\ntime_limit = 1\n'
             '[problems.functions]\nf = ["x"]\n[problems.hints]\nf = ["a", "b", "c"]\n'
             '[problems.checks]\nc = 1\n[problems.exercises]\nc = ["f"]\n[problems.heldout]\n')
    broken = tmp_path / "manifest.toml"
    broken.write_text(entry + "h = 0\n")
    with pytest.raises(ManifestError, match="positive number of points"):
        load_manifest.__wrapped__(broken)
    broken.write_text(entry + "h = 2\n")
    assert load_manifest.__wrapped__(broken).problem("p").graded_max_score == 3


def test_hint_ladders_and_requirements_are_validated(tmp_path: Path) -> None:
    base = ('[[problems]]\nid = "p"\ntitle = "t"\nsection = "s"\ntime_limit = 1\n'
            '[problems.functions]\nf = ["x"]\ng = ["x"]\n')
    broken = tmp_path / "manifest.toml"
    broken.write_text(base + '[problems.hints]\nf = ["a", "b", "c"]\ng = ["a", "b"]\n'
                      '[problems.checks]\nc = 1\n[problems.exercises]\nc = ["f", "g"]\n')
    with pytest.raises(ManifestError, match="at least three hints"):
        load_manifest.__wrapped__(broken)
    ladders = '[problems.hints]\nf = ["a", "b", "c"]\ng = ["a", "b", "c"]\n'
    broken.write_text(base + ladders + '[problems.checks]\nc = 1\n[problems.exercises]\nc = ["f"]\n')
    with pytest.raises(ManifestError, match="no check exercises 'g'"):
        load_manifest.__wrapped__(broken)
    broken.write_text(base + ladders + '[problems.checks]\nc = 1\n[problems.exercises]\n'
                      'c = ["f", "g"]\n[problems.requires]\nc = ["d"]\n')
    with pytest.raises(ManifestError, match="requires unknown checks"):
        load_manifest.__wrapped__(broken)


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
