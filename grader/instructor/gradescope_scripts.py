"""The two scripts of the Gradescope autograder zip (see gradescope_export.py)."""

from __future__ import annotations

# Gradescope runs setup.sh once, as root, while it builds the image, with the zip unpacked in
# /autograder/source.  AUTOGRADER_ROOT moves everything it writes (tests use a temporary
# folder); REGQUIZ_PYTHON names the interpreter (default: the image's python3);
# REGQUIZ_BIN_DIR is where the `regquiz` command is linked ("" for nowhere).
SETUP_SH = r"""#!/usr/bin/env bash
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${REGQUIZ_PYTHON:-python3}"
BIN="${REGQUIZ_BIN_DIR-/usr/local/bin}"
VENV="$ROOT/venv"
say() { echo "regquiz setup: $*"; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  say "no $PYTHON on PATH; choose Gradescope's Ubuntu 22.04 (Python 3.10) or 24.04 (Python 3.12) base image" >&2
  exit 1
fi
VERSION="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  say "$PYTHON is Python $VERSION, too old: regquiz needs Python 3.10 or newer; choose Gradescope's Ubuntu 22.04 (Python 3.10) or 24.04 (Python 3.12) base image" >&2
  exit 1
fi
say "Python $VERSION ($(command -v "$PYTHON")), virtual environment $VENV"

if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
  # Ubuntu ships the venv module's pip in a separate package (python3.X-venv)
  MINOR="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing python$MINOR-venv (Ubuntu keeps venv's pip apart)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python$MINOR-venv"
  fi
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || { say "cannot create a virtual environment with $PYTHON; install python$MINOR-venv in the image" >&2; exit 1; }
fi

# Wheels only, at the versions installed where the zip was built (constraints.txt).
BUILT_WITH="$(sed -n 's/^# python //p' "$SOURCE/constraints.txt")"
install() { "$VENV/bin/python" -m pip install --disable-pip-version-check --only-binary=:all: -c "$1" -e "$SOURCE"; }
if ! install "$SOURCE/constraints.txt"; then
  if [ "${VERSION%.*}" = "${BUILT_WITH%.*}" ]; then
    say "the pinned versions (constraints.txt) did not install on Python $VERSION; see pip's error above" >&2
    exit 1
  fi
  # A pin made on another Python may have no wheel here (numpy drops old Pythons):
  # take, for each pinned package, the newest version not newer than the instructor's.
  say "the zip was built with Python $BUILT_WITH, this image has $VERSION: pins relaxed to 'no newer than the instructor's'; build the zip under Python ${VERSION%.*} for exact pins"
  sed 's/==/<=/' "$SOURCE/constraints.txt" > "$ROOT/regquiz-constraints-relaxed.txt"
  install "$ROOT/regquiz-constraints-relaxed.txt" || { say "regquiz's dependencies did not install; see pip's error above" >&2; exit 1; }
fi
say "installed: $("$VENV/bin/python" -m pip list --disable-pip-version-check --format=freeze --exclude-editable | tr '\n' ' ')"
if [ -n "$BIN" ] && [ -d "$BIN" ] && [ -w "$BIN" ]; then
  ln -sf "$VENV/bin/regquiz" "$BIN/regquiz"
fi
"$VENV/bin/regquiz" --version
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Grades $AUTOGRADER_ROOT/submission (default /autograder) into results/results.json.
# Student code runs confined (Landlock, or an unprivileged uid, and seccomp): it cannot
# reach this file, the grader's output or the grader.  Where the image cannot confine,
# grading refuses (score 0 and the reason) unless REGQUIZ_UNCONFINED=1 is set in the
# autograder's environment.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
if [ -x "$ROOT/venv/bin/regquiz" ]; then
  PATH="$ROOT/venv/bin:$PATH"  # the virtual environment setup.sh made
fi
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
    with open(err, encoding="utf-8", errors="replace") as handle:
        message = handle.read(4000).strip()  # capped: one line of why, not a flood
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
