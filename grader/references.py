"""The reference solutions, loaded as trusted code for the held-out cases of `grade`."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from .errors import UsageError
from .paths import HELDOUT_DIR, solutions_dir

NEEDS_SOURCE = ("grading needs the course source (solutions/ and the held-out cases): run it "
                "from a clone of the course repository, not from the students' install")


class GradingNeedsSource(UsageError):
    """`grade` was run where there are no reference solutions (a student's install)."""


def load_references(problem_ids: Iterable[str]) -> dict[str, ModuleType]:
    """problem id -> the reference module from solutions/, or GradingNeedsSource."""
    folder = require_source()
    references = {}
    for problem_id in problem_ids:
        path = folder / f"{problem_id}.py"
        spec = importlib.util.spec_from_file_location(f"regquiz_reference_{problem_id}", path)
        if spec is None or spec.loader is None or not path.is_file():
            raise GradingNeedsSource(f"{NEEDS_SOURCE} ({path} is missing)")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        references[problem_id] = module
    return references


def require_source() -> Path:
    """The solutions folder, or GradingNeedsSource unless it and the held-out cases exist."""
    folder = solutions_dir()
    if folder is None or not HELDOUT_DIR.is_dir():
        raise GradingNeedsSource(NEEDS_SOURCE)
    return folder
