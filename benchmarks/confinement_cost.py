"""What confinement (Landlock + seccomp) costs per sandbox child, measured in the same run.

Forked children (`grade`): N children from a fork server that confines them, interleaved
with N from one that does not; each child loads a one-line module and answers one call.
Spawned children (`check`): the same, with fresh interpreters.  Prints, per kind, the
median wall time per child confined and unconfined, their difference and ratio, and the
median time the children themselves report for applying the confinement (which includes
the copy-on-write faults a forked child pays for its first touches of memory).
Goal: <= 1 ms per forked child, <= 10 ms per spawned child.

    python benchmarks/confinement_cost.py [--forked 300] [--spawned 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forked", type=int, default=300, help="forked children per mode")
    parser.add_argument("--spawned", type=int, default=30, help="spawned children per mode")
    arguments = parser.parse_args()
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("REGQUIZ_HOME", tempfile.mkdtemp(prefix="regquiz-bench-home-"))
    from regquiz.sandbox import confine
    from regquiz.sandbox.forkserver import ForkServer
    from regquiz.sandbox.process import Limits, StudentProcess

    probe = confine.probe()
    if not probe.available:
        print(f"confinement is not available here: {probe.reason}")
        return
    with tempfile.TemporaryDirectory() as scratch:
        module = Path(scratch, "m.py")
        module.write_text("def f(x):\n    return x + 1.0\n")
        times: dict[str, list[float]] = {"require": [], "off": []}
        reported: list[float] = []

        def one_child(**kwargs: object) -> tuple[float, float | None]:
            started = time.perf_counter()
            with StudentProcess(module, "m", ["f"], Limits(), **kwargs) as process:  # type: ignore[arg-type]
                outcome = process.call("f", [1.0])
                assert outcome.status == "ok", outcome
                elapsed = time.perf_counter() - started
                return elapsed, process.confine_seconds

        with ForkServer("require") as confined, ForkServer("off") as unconfined:
            for _ in range(arguments.forked):
                for mode, server in (("require", confined), ("off", unconfined)):
                    elapsed, cost = one_child(server=server)
                    times[mode].append(elapsed)
                    if mode == "require" and cost is not None:
                        reported.append(cost)
        report("forked", times, reported, goal_ms=1.0)
        times = {"require": [], "off": []}
        reported = []
        for _ in range(arguments.spawned):
            for mode in ("require", "off"):
                elapsed, cost = one_child(confinement=mode)
                times[mode].append(elapsed)
                if mode == "require" and cost is not None:
                    reported.append(cost)
        report("spawned", times, reported, goal_ms=10.0)
    print(f"(confined by {probe.description}; {os.cpu_count()} cores; medians)")


def report(kind: str, times: dict[str, list[float]], reported: list[float], *,
           goal_ms: float) -> None:
    """One line per kind: confined and unconfined medians, difference, ratio, child's own."""
    confined = statistics.median(times["require"]) * 1e3
    unconfined = statistics.median(times["off"]) * 1e3
    own = statistics.median(reported) * 1e3 if reported else float("nan")
    verdict = "met" if own <= goal_ms else "NOT met"
    print(f"{kind:>8}: {confined:7.2f} ms confined vs {unconfined:7.2f} ms unconfined per child "
          f"(+{confined - unconfined:.2f} ms, {confined / unconfined:.3f}x); the child's own "
          f"measure of confining: {own:.3f} ms (goal <= {goal_ms:g} ms: {verdict})")


if __name__ == "__main__":
    main()
