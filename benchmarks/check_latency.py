"""Latency of `regquiz check` against baselines measured in the same run.

For every problem N: the median wall time of
    regquiz check problemN --file solutions/problemN.py
beside the medians of `python -c "import numpy"` and of `python -m pytest` on one trivial
test (third-party plugins autoloaded, as a user would run it), and the same checks on the
portable sandbox backend (macOS and Windows; forced here with REGQUIZ_SANDBOX_BACKEND).
Commands are interleaved round by round so that a noisy neighbour slows all of them alike.
Prints the ratios; goals on the 2-core machine: every check <= 2.5x `import numpy` and below
bare pytest; on the portable backend <= 3x `import numpy`.

    python benchmarks/check_latency.py [--runs 15] [--no-portable]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from _timing import interleaved_times, regquiz_command

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (>= 10)")
    parser.add_argument("--no-portable", action="store_true",
                        help="skip the checks on the portable backend")
    arguments = parser.parse_args()
    runs = max(10, arguments.runs)
    sys.path.insert(0, str(REPO))
    from regquiz.manifest import load_manifest

    with tempfile.TemporaryDirectory() as scratch:
        trivial = Path(scratch, "test_trivial.py")
        trivial.write_text("def test_trivial():\n    assert 1 + 1 == 2\n")
        env = {**os.environ, "REGQUIZ_HOME": str(Path(scratch, "home")), "NO_COLOR": "1"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users get: cached bytecode
        commands = {
            "import numpy": [sys.executable, "-c", "import numpy"],
            "bare pytest": [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(trivial)],
        }
        extra: dict[str, dict[str, str]] = {}
        for problem in load_manifest().ids:
            command = [*regquiz_command(), "check", problem, "--file",
                       str(REPO / "solutions" / f"{problem}.py")]
            commands[f"check {problem}"] = command
            if not arguments.no_portable:
                commands[f"portable {problem}"] = command
                extra[f"portable {problem}"] = {"REGQUIZ_SANDBOX_BACKEND": "portable"}
        times = interleaved_times(commands, runs=runs, env=env, cwd=scratch, extra_env=extra,
                                  must_succeed=[n for n in commands if n != "import numpy"
                                                and n != "bare pytest"])
    numpy_time = statistics.median(times["import numpy"])
    pytest_time = statistics.median(times["bare pytest"])
    print(f"{'command':<16} {'median s':>9} {'÷ import numpy':>15} {'÷ bare pytest':>14}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<16} {median:>9.3f} {median / numpy_time:>15.2f} {median / pytest_time:>14.2f}")
    worst = max(statistics.median(times[name]) for name in times if name.startswith("check"))
    print(f"\nslowest check: {worst / numpy_time:.2f}x import numpy (goal <= 2.5), "
          f"{worst / pytest_time:.2f}x bare pytest (goal < 1) — {runs} runs each")
    portable = [statistics.median(times[name]) for name in times if name.startswith("portable")]
    if portable:
        print(f"slowest check on the portable backend: {max(portable) / numpy_time:.2f}x "
              "import numpy (goal <= 3)")


if __name__ == "__main__":
    main()
