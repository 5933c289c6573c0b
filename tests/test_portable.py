"""The portable sandbox backend (macOS, Windows), forced on Linux: limits, start-up, reporting.

The hostile fixtures (tests/test_hostile.py) and `watch` (tests/test_watch.py) run on this
backend too; tests/test_platform_sim.py runs the commands without what those platforms lack.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS, grade_file
from regquiz.cli import cli
from regquiz.sandbox import Limits, StudentProcess, platform, portable, warm_server

psutil = pytest.importorskip("psutil", reason="the portable backend's watchdog needs psutil")

HOG = """
import numpy as np

def soft_threshold(mu, lam):
    hoard = []
    while True:
        hoard.append(np.ones(25_000_000))  # 200 MB at a time, every page written
"""


@pytest.fixture(autouse=True)
def forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(platform.BACKEND_ENV, "portable")


def test_the_switch_chooses_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    assert platform.portable()
    monkeypatch.delenv(platform.BACKEND_ENV)
    assert platform.portable() is (not platform.LINUX)


def test_an_allocation_over_the_limit_is_stopped_by_the_memory_watchdog(tmp_path: Path) -> None:
    source = tmp_path / "problem2.py"
    source.write_text(HOG)
    limits = Limits(time_budget=20, call_time=15, memory_bytes=200 * 2**20)
    started = time.monotonic()
    with StudentProcess(source, "problem2", ["soft_threshold"], limits) as process:
        outcome = process.call("soft_threshold", [1.5, 0.5])
        assert process.enforced == ("wall", "cpu", "memory")
    assert time.monotonic() - started < 15  # the memory limit stopped it, not the time limit
    assert outcome.status == "crashed"
    assert "stopped by the memory limit (200 MiB)" in outcome.detail


def test_every_check_object_says_what_limited_the_code(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "problem2", "--json", "--file",
                                      str(REPO / "solutions" / "problem2.py")])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["confinement"] == "none"
    assert payload["limits"] == ["wall", "cpu", "memory"]
    text = CliRunner().invoke(cli, ["check", "problem2", "--file",
                                    str(REPO / "solutions" / "problem2.py")])
    assert "confinement none · limits wall+cpu+memory" in text.stdout


def test_the_linux_backend_reports_its_limits_too(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    if not platform.LINUX:
        pytest.skip("the Linux backend runs on Linux only")
    monkeypatch.delenv(platform.BACKEND_ENV)
    result = grade_file("problem2", REPO / "solutions" / "problem2.py")
    # as root, a child's own uid also has RLIMIT_NPROC (sandbox/uids.py)
    expected = ("wall", "cpu", "memory") + (("processes",) if os.geteuid() == 0 else ())
    assert result.limits == expected
    assert result.to_dict()["limits"] == list(expected)


def test_a_sandbox_that_cannot_start_is_exit_3_and_records_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "child.py"
    broken.write_text("import os\nraise AttributeError(\"module 'os' has no attribute 'O_PATH'\")\n")
    monkeypatch.setattr(portable, "CHILD_SCRIPT", broken)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "problem2", "--file",
                                 str(REPO / "solutions" / "problem2.py")])
    assert result.exit_code == 3, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the sandbox could not start" in lines[0], lines
    assert "O_PATH" in lines[0] and "nothing was recorded" in lines[0]
    assert "Traceback" not in result.output
    scores = json.loads(runner.invoke(cli, ["scores", "--json"]).stdout)
    assert scores["checks"] == []


def test_the_spare_pool_hands_out_a_started_child_and_starts_the_next() -> None:
    with warm_server("off") as pool:
        assert isinstance(pool, portable.SparePool)
        spare = pool._spare
        assert spare is not None and spare.proc.poll() is None
        source = REPO / "solutions" / "problem2.py"
        with StudentProcess(source, "problem2", ["soft_threshold"], Limits(), server=pool) as one:
            assert one.call("soft_threshold", [1.5, 0.5]).value == 1.0
            assert one._proc is spare  # the warm spare, not a fresh start
            assert pool._spare is None
        assert pool._spare is not None and pool._spare is not spare  # refilled at close
        root = pool.root
    assert root is not None and not Path(root).exists()
    assert spare.proc.poll() is not None


def test_what_the_student_prints_in_any_script_is_captured(tmp_path: Path) -> None:
    source = tmp_path / "problem2.py"
    source.write_text("print('λ ≤ −1 · σ²')\ndef soft_threshold(mu, lam):\n    return 0.0\n",
                      encoding="utf-8")
    with StudentProcess(source, "problem2", ["soft_threshold"], Limits()) as process:
        assert process.call("soft_threshold", [1.0, 2.0]).status == "ok"
    assert process.output.strip() == "λ ≤ −1 · σ²"


def test_no_process_outlives_a_portable_check() -> None:
    """A Popen child and a forked child of the student's module are killed at close."""
    pidfile = Path("/tmp/regquiz-fork-sleeper.pids")
    pidfile.unlink(missing_ok=True)
    result = grade_file("problem2", STUDENTS / "hostile" / "fork_sleeper.py")
    assert result.score == result.max_score
    pids = [int(line.split()[1]) for line in pidfile.read_text().splitlines()]
    assert pids
    deadline = time.monotonic() + 5
    for pid in pids:
        while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, f"process {pid} survived the check"
            time.sleep(0.02)


@pytest.mark.parametrize("problem_id", ["problem2", "problem3"])
def test_plot_draws_from_the_portable_sandbox(problem_id: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib", reason="plot needs the plots extra")
    from regquiz.plots.draw import png_size

    out = tmp_path / "figure.png"
    solved = CliRunner().invoke(cli, ["plot", problem_id, "--out", str(out), "--file",
                                      str(REPO / "solutions" / f"{problem_id}.py")])
    assert solved.exit_code == 0, solved.output
    assert png_size(out.read_bytes()) == (800, 450)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    stub = CliRunner().invoke(cli, ["plot", problem_id])
    assert stub.exit_code == 1 and "not drawn:" in stub.stderr
