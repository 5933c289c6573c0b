"""Mechanical mutants: one do-nothing function in a correct module earns nothing from its checks.

Every check that calls the mutated function (the manifest's `[problems.exercises]`) must score
0, directly or because a direct check it requires failed; the module as a whole loses points.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, grade_file
from regquiz.manifest import load_manifest

RETURNS = {
    "none": "None",
    "zero": "0.0",
    "constant": "0.5",
    "nan": "float('nan')",
    "first_argument": "args[0] if args else None",
    "zeros": "np.zeros_like(np.asarray(args[0], dtype=float))",
    "ones": "np.ones_like(np.asarray(args[0], dtype=float))",
}
CASES = [(problem.id, function.name, kind) for problem in load_manifest().problems
         for function in problem.functions for kind in RETURNS]


@pytest.mark.parametrize(("problem", "function", "kind"), CASES,
                         ids=[f"{p}-{f}-{k}" for p, f, k in CASES])
def test_mutant_earns_nothing_from_the_checks_that_call_it(problem: str, function: str, kind: str,
                                                           tmp_path: Path) -> None:
    source = (REPO / "solutions" / f"{problem}.py").read_text(encoding="utf-8")
    mutant = tmp_path / f"{problem}.py"
    mutant.write_text(f"{source}\n\nimport numpy as np\n\n\ndef {function}(*args, **kwargs):\n"
                      f"    return {RETURNS[kind]}\n", encoding="utf-8")
    result = grade_file(problem, mutant)
    declared = load_manifest().problem(problem)
    calling = {check.name for check in declared.checks_of(function)}
    earned = [test.name for test in result.tests if test.name in calling and test.score > 0]
    assert not earned, f"{function} returning {RETURNS[kind]} still earns {earned}"
    assert result.score < result.max_score
