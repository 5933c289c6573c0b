"""Mechanical mutants of every reference function must lose points (no check is a rubber stamp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, grade_file
from regquiz.manifest import load_manifest

RETURNS = {
    "none": "None",
    "zero": "0.0",
    "nan": "float('nan')",
    "first_argument": "args[0] if args else None",
}
CASES = [(problem.id, function.name, kind) for problem in load_manifest().problems
         for function in problem.functions for kind in RETURNS]


@pytest.mark.parametrize(("problem", "function", "kind"), CASES,
                         ids=[f"{p}-{f}-{k}" for p, f, k in CASES])
def test_mutant_loses_points(problem: str, function: str, kind: str, tmp_path: Path) -> None:
    source = (REPO / "solutions" / f"{problem}.py").read_text(encoding="utf-8")
    mutant = tmp_path / f"{problem}.py"
    mutant.write_text(f"{source}\n\ndef {function}(*args, **kwargs):\n"
                      f"    return {RETURNS[kind]}\n", encoding="utf-8")
    result = grade_file(problem, mutant)
    assert result.score < result.max_score, f"{function} returning {RETURNS[kind]} kept full marks"
    lost = {test.name for test in result.tests if test.status != "pass"}
    assert lost, "no check noticed the mutant"
