"""Start-up time of the light commands against `python -c "import click"` in the same run.

Medians of
    regquiz --help
    regquiz quiz --answers KEY --json   (KEY: the quiz file's own answers, read at run time)
beside the median of `python -c "import click"`, interleaved round by round so that a noisy
neighbour slows all of them alike.  Also reports which heavy modules each command imported
(none is expected: showing and grading a question needs neither numpy nor pytest).
Goal on the 2-core machine: `--help` <= 1.5x the bare click import.

    python benchmarks/cli_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import interleaved_times, regquiz_command

HEAVY = ("numpy", "pytest", "nbformat", "nbgrader", "matplotlib", "rich")


def heavy_imports(args: list[str], env: dict[str, str], cwd: str) -> list[str]:
    """The heavy modules loaded by one in-process run of the command."""
    program = ("import json, sys\nfrom regquiz.cli import cli\n"
               f"try:\n    cli.main({args!r}, prog_name='regquiz')\nexcept SystemExit:\n    pass\n"
               f"print('HEAVY', json.dumps(sorted(set({HEAVY!r}) & set(sys.modules))), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", program], env=env, cwd=cwd, capture_output=True,
                          text=True)
    line = [row for row in done.stderr.splitlines() if row.startswith("HEAVY")]
    return json.loads(line[-1][6:]) if line else ["?"]


def quiz_key() -> str:
    """The subject quiz's answers in the file's order, read from its TOML (exit 0 needs them)."""
    from regquiz._compat import tomllib

    quiz = Path(__file__).resolve().parent.parent / "quizzes" / "regularization.toml"
    return "".join(q["answer"] for q in tomllib.loads(quiz.read_text(encoding="utf-8"))["questions"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per command (>= 10)")
    runs = max(10, parser.parse_args().runs)
    key = quiz_key()
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "REGQUIZ_HOME": str(Path(scratch, "home")), "NO_COLOR": "1"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users get: cached bytecode
        commands = {
            "import click": [sys.executable, "-c", "import click"],
            "regquiz --help": [*regquiz_command(), "--help"],
            "quiz --answers --json": [*regquiz_command(), "quiz", "--answers", key, "--json"],
        }
        times = interleaved_times(commands, runs=runs, env=env, cwd=scratch,
                                  must_succeed=[n for n in commands if n != "import click"])
        heavy = {"regquiz --help": heavy_imports(["--help"], env, scratch),
                 "quiz --answers --json": heavy_imports(["quiz", "--answers", key, "--json"],
                                                        env, scratch)}
    base = statistics.median(times["import click"])
    print(f"{'command':<22} {'median s':>9} {'÷ import click':>15}  heavy imports")
    for name, samples in times.items():
        median = statistics.median(samples)
        loaded = ", ".join(heavy.get(name, [])) or ("—" if name in heavy else "")
        print(f"{name:<22} {median:>9.3f} {median / base:>15.2f}  {loaded}")
    ratio = statistics.median(times["regquiz --help"]) / base
    print(f"\nregquiz --help: {ratio:.2f}x import click (goal <= 1.5) — {runs} runs each")


if __name__ == "__main__":
    main()
