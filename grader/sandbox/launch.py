"""How a sandbox interpreter is started: its command, environment, paths and confinement.

Shared by the spawned child (process.py) and the fork server (forkserver.py).  Everything
here is decided by the trusted parent; the child only receives the result.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from ..errors import EnvironmentBroken
from . import reaper

CHILD_SCRIPT = Path(__file__).resolve().with_name("child.py")
STARTUP_ALLOWANCE = 10.0  # seconds for an interpreter and numpy to start on a loaded machine
UNCONFINED_ENV = "REGQUIZ_UNCONFINED"  # "1": grade even where student code cannot be confined
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "SYSTEMROOT")
_RULES: list[dict[str, list[list[str]]]] = []


def sandbox_environment(workdir: str) -> dict[str, str]:
    """The scrubbed environment of a sandbox process: no REGQUIZ_HOME, one BLAS thread."""
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    return env | {"HOME": workdir, "TMPDIR": workdir, reaper.SANDBOX_MARK: reaper.MARK_VALUE,
                  "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                  "PYTHONIOENCODING": "utf-8"}


def library_paths() -> list[str]:
    """The parent's site-packages folders, so that `-S` still finds numpy."""
    return [p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))]


def stdlib_paths() -> list[str]:
    """The standard library's folders, as ``python -I -S`` puts them on sys.path."""
    stdlib = os.path.dirname(os.__file__)  # sysconfig would say the same, for ~5 ms of import
    version = f"{sys.version_info.major}{sys.version_info.minor}"
    zipped = os.path.join(os.path.dirname(stdlib), f"python{version}.zip")
    return list(dict.fromkeys([zipped, stdlib, os.path.join(stdlib, "lib-dynload")]))


def confinement_rules() -> dict[str, list[list[str]]]:
    """What a child may read (see confine.read_rules), computed once per process."""
    if not _RULES:
        from ..paths import PACKAGE_DIR, regquiz_home
        from . import confine

        excluded = [str(PACKAGE_DIR), str(PACKAGE_DIR.parent), str(regquiz_home())]
        _RULES.append(confine.read_rules(stdlib=stdlib_paths(), libraries=library_paths(),
                                         excluded=excluded))
    return _RULES[0]


def confinement_mode(*, required: bool, unconfined: bool = False) -> str:
    """"require", "try" or "off": what sandbox children of this run must apply.

    `required` (grade, Gradescope, nbgrader): where the kernel cannot confine student code,
    EnvironmentBroken unless `unconfined` (or REGQUIZ_UNCONFINED=1) accepts running it
    unconfined.  `check` runs the student's own code for the student: it confines what it
    can and never refuses.
    """
    from . import confine

    probe = confine.probe()
    if probe.available:
        return "require" if required else "try"
    if not required or unconfined or os.environ.get(UNCONFINED_ENV) == "1":
        return "off"
    raise EnvironmentBroken(
        f"student code cannot be confined here: {probe.reason}. Grading would run every "
        "submission with your own rights (it could read the solutions and write your files); "
        f"to grade anyway, pass --unconfined (Gradescope, nbgrader: set {UNCONFINED_ENV}=1)")


def broken_sandbox(message: object) -> str:
    """The one-line error for a sandbox that reported it cannot work, with the fix."""
    from .wire import clean_text

    text = clean_text(message) or "it did not start"
    if "numpy" in text:
        fix = "reinstall with: pip install numpy"
    elif "confined" in text:
        fix = ("the kernel refused Landlock or seccomp; to grade anyway, pass --unconfined or "
               f"set {UNCONFINED_ENV}=1")
    else:
        fix = "is the machine overloaded?"
    return f"the sandbox is broken: {text} ({fix})"


def confine_settings(mode: str) -> dict[str, Any]:
    """The "confine" part of a child's config: the mode and, unless off, the read rules."""
    return {"mode": mode, "rules": confinement_rules() if mode != "off" else {}}


def described(mode: str) -> str:
    """What a child under `mode` is expected to report (before any child has reported)."""
    if mode == "off":
        return "none"
    from . import confine

    return confine.probe().description
