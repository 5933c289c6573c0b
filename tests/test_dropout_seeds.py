"""The dropout checks rest on randomness: on the reference they must pass for any seed."""

from __future__ import annotations

import importlib.util
import inspect

import numpy as np

from conftest import REPO
from regquiz.checks import Student
from regquiz.manifest import load_manifest
from regquiz.paths import SUITES_DIR
from regquiz.runner import rng_seed
from regquiz.sandbox.process import Limits, StudentProcess

SEEDS = 500


def test_dropout_checks_pass_for_500_seeds_on_the_reference() -> None:
    problem = load_manifest().problem("problem3")
    spec = importlib.util.spec_from_file_location("suite_problem3", SUITES_DIR / "problem3.py")
    suite = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(suite)  # type: ignore[union-attr]
    checks = [(f"test_{check.name}", getattr(suite, f"test_{check.name}")) for check in problem.checks]
    randomised = [(name, test) for name, test in checks if "rng" in inspect.signature(test).parameters]
    assert any("frequency" in name for name, _ in randomised)
    limits = Limits(time_budget=3600.0, call_time=10.0)
    functions = [function.name for function in problem.functions]
    failures = []
    with StudentProcess(REPO / "solutions" / "problem3.py", "problem3", functions, limits) as child:
        student = Student(problem, child)
        for seed in range(SEEDS):
            for name, test in randomised:
                try:
                    test(student=student, rng=np.random.default_rng(rng_seed(seed, name)))
                except AssertionError as exc:  # CheckFailed is an AssertionError
                    failures.append(f"seed {seed} {name}: {exc}")
    assert not failures, "\n".join(failures[:5])
