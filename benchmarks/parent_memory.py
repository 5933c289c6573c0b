"""The grader's memory and report size under a flooding submission, against an honest one.

Grades, in the same run and each in a fresh `regquiz grade` process, (a) the reference
solution of problem 2 and (b) tests/students/attacks/holds_flood.py, which prints 20 MB,
raises with a 50 MB message and answers with wide nested tuples.  Prints, for each, the
parent's peak resident memory (the grade process's own, from getrusage of a child process
that runs only the parent: the student children run below it and are counted apart) and
the size of its `grade --json` report, then the ratios flood / honest.  Goal: both ratios
stay small (the flood sends the parent over 100 MB; before the caps its report alone was
hundreds of MB and the parent several GB).

    python benchmarks/parent_memory.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# run in a child interpreter: grade once and print the peak RSS of this process only
_PARENT = """
import resource, sys
from regquiz.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _grade(submission: Path, out: Path, home: Path) -> tuple[int, int]:
    """(peak resident KiB of the grading parent, bytes of its JSON report)."""
    env = {**os.environ, "REGQUIZ_HOME": str(home)}
    if os.environ.get("REGQUIZ_DISABLE_CONFINEMENT") or not _confinable():
        env["REGQUIZ_UNCONFINED"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _PARENT, "grade", str(submission), "--problem", "problem2",
         "--json", "--out", str(out), "--workers", "1", "--seed", "1",
         *(["--unconfined"] if env.get("REGQUIZ_UNCONFINED") else [])],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=600,
        check=False)
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    if not peak or not out.exists():
        raise SystemExit(f"grading failed: {done.stderr.strip()[-300:]}")
    json.loads(out.read_text())  # a whole, valid report
    return int(peak[-1].split()[1]), out.stat().st_size


def _confinable() -> bool:
    sys.path.insert(0, str(REPO))
    from regquiz.sandbox import confine

    return confine.probe().available


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the largest kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="regquiz-parent-memory-") as scratch:
        root = Path(scratch)
        cases = {"honest": REPO / "solutions" / "problem2.py",
                 "flood": REPO / "tests" / "students" / "attacks" / "holds_flood.py"}
        figures: dict[str, tuple[int, int]] = {}
        for run in range(args.repeat):
            for name, source in cases.items():
                folder = root / f"{name}-{run}"
                folder.mkdir()
                shutil.copy(source, folder / "problem2.py")
                peak, size = _grade(folder, root / f"{name}-{run}.json", root / f"home-{run}")
                old = figures.get(name, (0, 0))
                figures[name] = (max(old[0], peak), max(old[1], size))
        for name, (peak, size) in figures.items():
            print(f"{name:7s} parent peak RSS {peak / 1024:8.1f} MiB   "
                  f"report {size / 1024:8.1f} KiB")
        (honest_peak, honest_size), (flood_peak, flood_size) = figures["honest"], figures["flood"]
        print(f"ratio flood/honest: parent memory {flood_peak / honest_peak:.2f}x, "
              f"report {flood_size / honest_size:.2f}x (goal: both small, memory < 2x)")


if __name__ == "__main__":
    main()
