"""`regquiz gradescope OUT.zip`: a Gradescope autograder that runs `regquiz grade`.

The zip carries the course source (engine, stubs, solutions, held-out cases, quizzes) at its
root beside `setup.sh` and `run_autograder`; setup.sh installs it editable, so grading finds
the reference solutions that the students' wheel never carries.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import UsageError
from ..references import require_source

SOURCE_ITEMS = ("pyproject.toml", "README.md", "grader", "exercises", "solutions", "quizzes")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, in the image, with the zip unpacked in /autograder/source.
set -euo pipefail
cd "$(dirname "$0")"
pip3 install -e .
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Grades $AUTOGRADER_ROOT/submission (default /autograder) into results/results.json.
# Student code runs confined (Landlock, seccomp): it cannot reach this file, the grader's
# output or the grader.  Where the image cannot confine, grading refuses (score 0 and the
# reason) unless REGQUIZ_UNCONFINED=1 is set in the autograder's environment.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
mkdir -p "$ROOT/results"
OUT="$ROOT/results/results.json"
ERR="$ROOT/results/regquiz-stderr.txt"
rm -f "$OUT" "$ERR"  # nothing from before grading counts
regquiz grade "$ROOT/submission" --gradescope --out "$OUT" 2> "$ERR"
status=$?
if [ "$status" -gt 1 ] || [ ! -s "$OUT" ]; then
  python3 - "$OUT" "$ERR" "$status" <<'PY'
import json, os, sys
out, err, status = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    message = open(err, encoding="utf-8", errors="replace").read().strip()
except OSError:
    message = ""
text = f"The autograder could not grade this submission (exit {status}). {message}"
payload = {"score": 0, "output": text,
           "tests": [{"name": "grading", "score": 0, "max_score": 0,
                      "output": text, "visibility": "visible"}]}
with open(out + ".tmp", "w", encoding="utf-8") as handle:
    json.dump(payload, handle)
os.replace(out + ".tmp", out)
PY
fi
exit 0
"""


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
            for item in SOURCE_ITEMS:
                path = source_root / item
                files = [path] if path.is_file() else sorted(path.rglob("*"))
                for file in files:
                    if file.is_file() and "__pycache__" not in file.parts:
                        archive.write(file, file.relative_to(source_root).as_posix())
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    return out
