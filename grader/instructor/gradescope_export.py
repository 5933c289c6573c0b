"""`regquiz gradescope OUT.zip`: a Gradescope autograder that runs `regquiz grade`.

The zip carries the course source (engine, stubs, solutions, held-out cases, quizzes) at its
root beside `setup.sh`, `run_autograder` and `constraints.txt`; setup.sh installs it
editable into a virtual environment, so grading finds the reference solutions that the
students' wheel never carries, with the dependencies pinned to the versions installed here.
"""

from __future__ import annotations

import re
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from ..errors import UsageError
from ..references import require_source
from .gradescope_scripts import RUN_AUTOGRADER, SETUP_SH

SOURCE_ITEMS = ("pyproject.toml", "README.md", "grader", "exercises", "solutions", "quizzes")

def _add_script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100755 << 16
    archive.writestr(info, text)


def build_gradescope_zip(out: Path) -> Path:
    """Write the autograder zip to `out`; UsageError unless run from the course source."""
    source_root = require_source().parent
    if out.suffix != ".zip":
        raise UsageError(f"{out} should end in .zip")
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            _add_script(archive, "setup.sh", SETUP_SH)
            _add_script(archive, "run_autograder", RUN_AUTOGRADER)
            archive.writestr("constraints.txt", constraints())
            for item in SOURCE_ITEMS:
                path = source_root / item
                files = [path] if path.is_file() else sorted(path.rglob("*"))
                for file in files:
                    if file.is_file() and "__pycache__" not in file.parts:
                        archive.write(file, file.relative_to(source_root).as_posix())
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    return out


def constraints() -> str:
    """pip constraints: every installed distribution regquiz needs, at its version here.

    Requirements behind a marker (tomli, exceptiongroup on Python 3.10) are followed too
    when they are installed, so the pins also cover what an older Python needs.
    """
    pins: dict[str, str] = {}
    pending = ["regquiz"]
    while pending:
        name = pending.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue  # an optional extra (tests, plots, instructors): not for grading
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
            key = _normalized(match.group(1)) if match else ""
            if key and key not in pins and key != "regquiz":
                try:
                    pins[key] = metadata.version(key)
                except metadata.PackageNotFoundError:
                    continue
                pending.append(key)
    lines = ["# regquiz gradescope: the versions installed where this zip was built",
             f"# python {'.'.join(map(str, sys.version_info[:3]))}",
             *(f"{name}=={version}" for name, version in sorted(pins.items()))]
    return "\n".join(lines) + "\n"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
