"""Where things live: the packaged stubs, the course source (solutions), the workspace, the home."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SUITES_DIR = PACKAGE_DIR / "suites"
# The held-out cases: in the course source only (like solutions/, never in a wheel).
HELDOUT_DIR = PACKAGE_DIR / "heldout"
# In a wheel the stubs and quizzes are installed as package data under _data/;
# in a clone (editable install) they are the repository's own folders.
_SOURCE_ROOT = PACKAGE_DIR.parent


def _data_dir(name: str) -> Path:
    packaged = PACKAGE_DIR / "_data" / name
    return packaged if packaged.is_dir() else _SOURCE_ROOT / name


def stubs_dir() -> Path:
    """The folder holding the pristine student stubs (problem1.py …)."""
    return _data_dir("exercises")


def quizzes_dir() -> Path:
    """The folder holding the quiz TOML files."""
    return _data_dir("quizzes")


def solutions_dir() -> Path | None:
    """The reference solutions: only in the course source (a clone), never in a wheel."""
    candidate = _SOURCE_ROOT / "solutions"
    if (PACKAGE_DIR / "_data").is_dir() or not candidate.is_dir():
        return None
    return candidate


def regquiz_home() -> Path:
    """The folder for the score database: $REGQUIZ_HOME, else the platform's user data folder."""
    configured = os.environ.get("REGQUIZ_HOME")
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # only the commands that record anything pay for this import

    return Path(platformdirs.user_data_dir("regquiz", appauthor=False))


def find_workspace_file(filename: str, start: Path | None = None) -> Path | None:
    """exercises/<filename> in the current folder or the nearest parent that has one."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "exercises" / filename
        if candidate.is_file():
            return candidate
    return None
