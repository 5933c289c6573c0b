"""The benchmark scripts still run and report their figures (smoke runs; no timing asserted).

The figures themselves are read by people on a quiet machine; these runs only guard the
scripts against rotting as the code they measure changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def run_benchmark(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_grade_throughput_grades_every_generated_submission_and_reports_the_ratio() -> None:
    out = run_benchmark("grade_throughput.py", "--submissions", "4", "--baseline", "1",
                        "--nbgrader", "0", "--workers", "2")
    assert re.search(r"regquiz grade: 4 submissions x 5 problems in [\d.]+ s with 2 workers "
                     r"= [\d.]+ submissions/s", out), out
    assert re.search(r"CPU \(user \+ sys, every process\) per submission: \d+ ms", out), out
    assert re.search(r"naive baseline.*: [\d.]+ s per submission, mean of 1; the batch is "
                     r"[\d.]+x faster", out), out


def test_cli_startup_reports_the_ratio_and_no_heavy_import() -> None:
    out = run_benchmark("cli_startup.py", "--runs", "10")
    for command in ("regquiz --help", "quiz --answers --json"):  # "—": no heavy module imported
        assert re.search(rf"^{re.escape(command)}\s+[\d.]+\s+[\d.]+\s+—$", out, re.M), out
    assert re.search(r"regquiz --help: [\d.]+x import click \(goal <= 1.5\)", out), out


def test_confinement_cost_reports_forked_and_spawned_children() -> None:
    from regquiz.sandbox import confine

    out = run_benchmark("confinement_cost.py", "--forked", "3", "--spawned", "1")
    if not confine.probe().available:
        assert "not available" in out
        return
    for kind in ("forked", "spawned"):
        assert re.search(rf"{kind}: +[\d.]+ ms confined vs +[\d.]+ ms unconfined per child "
                         rf"\(\+?-?[\d.]+ ms, [\d.]+x\); the child's own measure of confining: "
                         rf"[\d.]+ ms", out), out


@pytest.mark.parametrize("backend", ["Linux", "portable"])
def test_watch_latency_times_every_save_beside_its_baselines(backend: str) -> None:
    pytest.importorskip("pexpect")
    if backend == "portable":
        pytest.importorskip("psutil")
    out = run_benchmark("watch_latency.py", "--saves", "20",
                        *(["--portable"] if backend == "portable" else []))
    for name in ("watch re-check", "import numpy", "cold check problem1"):
        assert re.search(rf"^{re.escape(name)}\s+[\d.]+\s+[\d.]+$", out, re.M), out
    assert re.search(r"re-check: [\d.]+x import numpy \(goal <= 0.5\) — 20 saves of problem1 "
                     rf"on the {backend} backend, scores alternating \d+/\d+", out), out


def test_check_latency_times_both_backends_beside_import_numpy() -> None:
    pytest.importorskip("psutil")
    out = run_benchmark("check_latency.py", "--runs", "10")
    for name in ("import numpy", "bare pytest", "check problem1", "portable problem5"):
        assert re.search(rf"^{re.escape(name)}\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M), out
    assert re.search(r"slowest check: [\d.]+x import numpy \(goal <= 2.5\)", out), out
    assert re.search(r"slowest check on the portable backend: [\d.]+x import numpy "
                     r"\(goal <= 3\)", out), out


def test_parent_memory_reports_both_cases_and_their_ratio() -> None:
    out = run_benchmark("parent_memory.py", "--repeat", "1")
    for name in ("honest", "flood"):
        line = rf"^{name} +parent peak RSS +[\d.]+ MiB +report +[\d.]+ KiB$"
        assert re.search(line, out, re.M), out
    assert re.search(r"ratio flood/honest: parent memory [\d.]+x, report [\d.]+x", out), out
