"""Throughput of `regquiz grade` against a baseline measured in the same run.

Generates N submissions (default 200): each problem file is, at random, the reference
solution, the untouched stub, or one of the fixture students of tests/students/ (correct
variants and real mistakes).  Then, in the same run:

* `regquiz grade` on all of them (`--workers`, default the cores), reporting submissions/s;
* the baseline: the naive path, one `regquiz grade SUBMISSION --workers 1` per submission
  (a fresh interpreter, pytest session and sandboxes each time) on a handful of them.

Goal on the 2-core machine: >= 10 submissions/s.

    python benchmarks/grade_throughput.py [--submissions 200] [--baseline 6] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def regquiz_command() -> list[str]:
    script = shutil.which("regquiz")
    return [script] if script else [sys.executable, "-m", "regquiz"]


def make_submissions(root: Path, count: int, problems: list[str], seed: int) -> list[Path]:
    """`count` folders with a mix of solutions, stubs, correct variants and mistakes."""
    chooser = random.Random(seed)
    folders = []
    for number in range(count):
        folder = root / f"student{number:03d}"
        folder.mkdir(parents=True)
        for problem in problems:
            kind = chooser.random()
            if kind < 0.3:
                source = REPO / "solutions" / f"{problem}.py"
            elif kind < 0.45:
                source = REPO / "exercises" / f"{problem}.py"
            else:
                source = chooser.choice(sorted((REPO / "tests" / "students" / problem).glob("*.py")))
            shutil.copyfile(source, folder / f"{problem}.py")
        folders.append(folder)
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=6, help="submissions graded the naive way")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from regquiz.manifest import load_manifest

    problems = list(load_manifest().ids)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folders = make_submissions(root / "subs", args.submissions, problems, seed=16)
        env = {**os.environ, "REGQUIZ_HOME": str(root / "home"), "NO_COLOR": "1"}
        command = [*regquiz_command(), "grade", "--seed", "1", "--csv"]
        # warm the file cache and the .pyc files
        subprocess.run([*command, str(folders[0])], env=env, capture_output=True)

        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run([*command, "--workers", str(args.workers), "--out",
                               str(root / "grades.csv"), *map(str, folders)],
                              env=env, capture_output=True, text=True)
        batch_time = time.perf_counter() - started
        batch_cpu = _children_cpu() - cpu_before
        if done.returncode not in (0, 1):
            sys.exit(f"regquiz grade failed (exit {done.returncode}): {done.stderr}")
        rows = (root / "grades.csv").read_text().splitlines()[1:]
        assert len(rows) == len(folders), "a submission is missing from the CSV"

        naive = []
        for folder in folders[:args.baseline]:
            started = time.perf_counter()
            subprocess.run([*command, "--workers", "1", str(folder)], env=env, capture_output=True)
            naive.append(time.perf_counter() - started)
    rate = len(folders) / batch_time
    per_naive = sum(naive) / len(naive)
    print(f"regquiz grade: {len(folders)} submissions x {len(problems)} problems in "
          f"{batch_time:.1f} s with {args.workers} workers = {rate:.1f} submissions/s "
          f"({batch_time / len(folders) * 1000:.0f} ms per submission)")
    print(f"baseline, one `regquiz grade SUBMISSION --workers 1` each: {per_naive:.2f} s per "
          f"submission ({1 / per_naive:.2f} submissions/s), mean of {len(naive)}")
    cpu = batch_cpu / len(folders)
    print(f"CPU (user + sys, every process) per submission: {cpu * 1000:.0f} ms, so "
          f"{args.workers / cpu:.1f} submissions/s if {args.workers} cores were free "
          f"(load average at the start: {load:.2f}; other work on the machine slows the wall time)")
    print(f"speed-up per submission: {per_naive * rate:.1f}x; goal >= 10 submissions/s: "
          f"{'met' if rate >= 10 else 'NOT met'}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
