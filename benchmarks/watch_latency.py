"""Latency of `regquiz watch`: from a save to the new score on screen.

Drives `regquiz watch PROBLEM` through a pseudo-terminal (pexpect) in a scratch workspace
and rewrites the watched file again and again, alternating the reference solution and a
wrong implementation (every save changes the score).  For each save: the wall time from
the write until the screen of the new re-check (its number and its score) has been drawn.
In the same run, interleaved with the saves: `python -c "import numpy"` and a cold
`regquiz check PROBLEM`.  Prints the medians and the ratios; goal on the 2-core machine:
re-check median <= 0.5x `import numpy`, on either sandbox backend (`--portable` forces the
one macOS and Windows run: a warm spare child instead of the fork server).

    python benchmarks/watch_latency.py [--saves 24] [--problem problem1] [--portable]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import regquiz_command

REPO = Path(__file__).resolve().parent.parent
WRONG = {  # one mistake per problem that costs points (kept in tests/students too)
    "problem1": ("(1.0 - lr * lam) * w - lr * grad", "w - lr * grad"),
}


def _wrong(solution: str, problem: str) -> str:
    if problem in WRONG:
        old, new = WRONG[problem]
        if old in solution:
            return solution.replace(old, new, 1)
    # Otherwise: the first function returns its first argument unchanged.
    return re.sub(r"(def \w+\((\w+)[^)]*\)[^:]*:\n)", r"\1    return \2\n", solution, count=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=24, help="saves to time (>= 20)")
    parser.add_argument("--problem", default="problem1", help="the problem to watch")
    parser.add_argument("--portable", action="store_true",
                        help="the portable sandbox backend (macOS, Windows), forced")
    options = parser.parse_args()
    saves = max(20, options.saves)
    try:
        import pexpect
    except ImportError:
        sys.exit("watch_latency needs pexpect (the test extra): pip install -e '.[test]'")

    solution = (REPO / "solutions" / f"{options.problem}.py").read_text()
    texts = [solution, _wrong(solution, options.problem)]
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Path(scratch)
        (workspace / "exercises").mkdir()
        watched = workspace / "exercises" / f"{options.problem}.py"
        watched.write_text(texts[1])
        env = {**os.environ, "REGQUIZ_HOME": str(workspace / "home"), "NO_COLOR": "1",
               "TERM": "xterm"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if options.portable:
            env["REGQUIZ_SANDBOX_BACKEND"] = "portable"
        baselines = {
            "import numpy": [sys.executable, "-c", "import numpy"],
            f"cold check {options.problem}": [*regquiz_command(), "check", options.problem],
        }
        for command in baselines.values():  # warm the file cache and the .pyc files
            subprocess.run(command, env=env, cwd=workspace, capture_output=True)
        command = regquiz_command()
        child = pexpect.spawn(command[0], [*command[1:], "watch", options.problem],
                              cwd=str(workspace), env=env, encoding="utf-8", timeout=60,
                              dimensions=(24, 80))
        child.expect_exact("check #1 at")
        child.expect_exact("q quit")
        scores: dict[int, str] = {}
        recheck: list[float] = []
        times: dict[str, list[float]] = {name: [] for name in baselines}
        for number in range(2, saves + 2):
            text = texts[number % 2]
            time.sleep(0.05)  # let the previous screen settle: no save lands mid-draw
            started = time.perf_counter()
            watched.write_text(text)
            child.expect_exact(f"check #{number} at")
            child.expect(r"Score (\d+)/(\d+)")
            scores[number] = child.match.group(1)
            child.expect_exact("q quit")
            recheck.append(time.perf_counter() - started)
            for name, baseline in baselines.items():
                begun = time.perf_counter()
                subprocess.run(baseline, env=env, cwd=workspace, capture_output=True)
                times[name].append(time.perf_counter() - begun)
        child.send("q")
        child.expect(pexpect.EOF)
        child.close()
    if len(set(scores.values())) < 2:
        sys.exit(f"every save got the same score {set(scores.values())}: the benchmark is broken")
    numpy_time = statistics.median(times["import numpy"])
    print(f"{'what':<22} {'median s':>9} {'÷ import numpy':>15}")
    print(f"{'watch re-check':<22} {statistics.median(recheck):>9.3f} "
          f"{statistics.median(recheck) / numpy_time:>15.2f}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<22} {median:>9.3f} {median / numpy_time:>15.2f}")
    print(f"\nre-check: {statistics.median(recheck) / numpy_time:.2f}x import numpy (goal <= 0.5) "
          f"— {saves} saves of {options.problem} on the "
          f"{'portable' if options.portable else 'Linux'} backend, scores alternating "
          f"{'/'.join(sorted(set(scores.values())))}; fastest {min(recheck):.3f} s, "
          f"slowest {max(recheck):.3f} s")


if __name__ == "__main__":
    main()
