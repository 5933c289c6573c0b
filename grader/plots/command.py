"""`regquiz plot`: run the student's functions in the sandbox, draw them beside the reference."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import SubmissionNotFound, UsageError
from ..outputs import check_writable, write_atomically
from ..manifest import Problem, load_manifest
from ..sandbox.process import Limits, StudentProcess
from . import draw, formulas
from .problems import build_figure
from .series import Call, FigureData, Failure, Source, reference_call


@dataclass(frozen=True)
class Plotted:
    """What `regquiz plot` wrote, and which student functions it could not draw."""

    path: Path
    failures: tuple[Failure, ...]


def plot_problem(problem_id: str, *, file: Path | None = None, out: Path | None = None,
                 reference: bool = True, limits: Limits | None = None) -> Plotted:
    """Draw PROBLEM from the student's file (default exercises/PROBLEM.py) into a PNG."""
    from ..sandbox.launch import confinement_mode
    from ..submission import as_python_file, check_readable

    problem = load_manifest().problem(problem_id)
    draw.require_matplotlib()
    path = file if file is not None else paths.find_workspace_file(problem.filename)
    if path is None:
        raise SubmissionNotFound(
            f"no exercises/{problem.filename} in {Path.cwd()} or its parents; "
            "run `regquiz init` to create the stubs, or pass --file PATH")
    check_readable(path)
    target = out if out is not None else path.parent / f"{problem.id}.png"
    check_target(target)
    with tempfile.TemporaryDirectory(prefix="regquiz-plot-") as workdir:
        source = as_python_file(path, Path(workdir), problem.id)
        process = StudentProcess(source, problem.id, [f.name for f in problem.functions],
                                 limits or problem_limits(problem), home=path.parent,
                                 confinement=confinement_mode(required=False))
        with process:
            process.start()
            draw.preload()  # matplotlib loads here while the child starts and imports numpy
            data = student_figure(problem, process.call, reference=reference,
                                  earned=_earned(problem))
    write_png(target, draw.png_bytes(data))
    return Plotted(target, data.failures)


def problem_limits(problem: Problem) -> Limits:
    """The limits `check` gives this problem's student code."""
    return Limits(time_budget=problem.time_limit, call_time=load_manifest().call_time_limit)


def student_figure(problem: Problem, call: Call, *, reference: bool = True,
                   earned: frozenset[str] = frozenset()) -> FigureData:
    """The figure's data from a student's calls, beside the reference unless told not to."""
    trusted, origin = reference_source(problem) if reference else (None, "")
    return build_figure(problem.id, problem.title, Source("student", call), trusted, origin,
                        earned)


def _earned(problem: Problem) -> frozenset[str]:
    """The functions whose results the figure may name: passed or last rung seen."""
    from ..reveal import earned_in_records

    return frozenset(function for _, function in earned_in_records([problem]))


def reference_figure(problem: Problem) -> FigureData:
    """The figure's data from the reference alone (the README, the nbgrader statement)."""
    trusted, origin = reference_source(problem)
    return build_figure(problem.id, problem.title, None, trusted, origin)


def reference_png(problem_id: str) -> bytes:
    """The reference-only figure of one problem, as PNG bytes."""
    return draw.png_bytes(reference_figure(load_manifest().problem(problem_id)))


def reference_source(problem: Problem) -> tuple[Source, str]:
    """solutions/PROBLEM.py where the course source exists, else the checks' closed forms."""
    from ..references import GradingNeedsSource, load_references

    if paths.solutions_dir() is not None:
        try:
            module = load_references([problem.id])[problem.id]
        except GradingNeedsSource:
            pass
        else:
            return Source("reference", reference_call(module)), "solutions"
    return Source("reference", reference_call(formulas)), "formulas"


def check_target(target: Path) -> None:
    """A one-line usage error now unless a PNG can be written at `target`."""
    if target.suffix.lower() != ".png":
        raise UsageError(f"--out {target} must name a .png file")
    check_writable(target)


def write_png(target: Path, png: bytes) -> None:
    """Write the PNG whole (a temporary file, then a rename), or a one-line usage error."""
    write_atomically(target, png)
