"""The student's own workspace: `regquiz init` and `regquiz reset` copy the package's stubs.

The stubs come from the installed package data (in a clone, the repository's exercises/);
a stub whose functions no longer all raise NotImplementedError has been edited, and is never
copied as a "stub".  A workspace is never the folder the stubs come from.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EnvironmentBroken, UsageError
from .manifest import Problem
from .paths import stubs_dir


@dataclass
class InitReport:
    """What `init` did: the files written and the ones kept."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def pristine_stub(problem: Problem) -> Path:
    """The package's stub of `problem`, or EnvironmentBroken if it has been edited."""
    source = stubs_dir() / problem.filename
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise EnvironmentBroken(f"cannot read the package's stub {source}: {exc}") from None
    bodies = {node.name: node.body for node in tree.body if isinstance(node, ast.FunctionDef)}
    for function in problem.functions:
        body = bodies.get(function.name, [])
        if not body or not _raises_not_implemented(body[-1]):
            raise EnvironmentBroken(
                f"the package's stub {source} has been edited ({function.name} no longer raises "
                "NotImplementedError), so it cannot be copied as a stub; restore it (in a clone: "
                f"git checkout -- exercises/{problem.filename}) or reinstall regquiz")
    return source


def _raises_not_implemented(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.Raise) or statement.exc is None:
        return False
    target = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def _refuse_the_stubs_folder(target: Path) -> None:
    if target.resolve() == stubs_dir().resolve():
        raise UsageError(f"{target} is where the package's stubs live (the course clone's "
                         "exercises/); make your workspace elsewhere: regquiz init ~/regularization")


def init_workspace(directory: Path, problems: tuple[Problem, ...], *, force: bool) -> InitReport:
    """Copy every pristine stub to DIRECTORY/exercises (existing files kept unless `force`)."""
    target = directory / "exercises"
    _refuse_the_stubs_folder(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {target}: {exc.strerror}") from None
    report = InitReport()
    sources = [(problem, pristine_stub(problem)) for problem in problems]
    for problem, source in sources:
        destination = target / problem.filename
        if destination.exists() and not force:
            report.kept.append(destination)
            continue
        _copy(source, destination)
        report.written.append(destination)
    return report


def backup_path(path: Path) -> Path:
    """PATH.bak beside it, or .bak2, .bak3 … if that exists already."""
    candidate = path.with_name(path.name + ".bak")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak{number}")
        number += 1
    return candidate


def reset_stub(path: Path, problem: Problem) -> Path | None:
    """Put the pristine stub at `path`, the file it replaces moved to a backup (returned)."""
    _refuse_the_stubs_folder(path.parent)
    source = pristine_stub(problem)
    backup = None
    if path.exists():
        backup = backup_path(path)
        try:
            shutil.copy2(path, backup)
        except OSError as exc:
            raise UsageError(f"cannot keep a backup of {path} at {backup}: {exc.strerror}; "
                             "nothing was changed") from None
    _copy(source, path)
    return backup


def _copy(source: Path, destination: Path) -> None:
    try:
        shutil.copyfile(source, destination)
    except shutil.SameFileError:
        raise UsageError(f"{destination} is the package's own stub; make your workspace "
                         "elsewhere: regquiz init ~/regularization") from None
    except OSError as exc:
        raise UsageError(f"cannot write {destination}: {exc.strerror}") from None
