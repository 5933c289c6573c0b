"""Hostile students: whatever their code does, it costs only their own points, within limits."""

from __future__ import annotations

import functools
import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS, grade_file
from regquiz.cli import cli
from regquiz.sandbox import confine
from regquiz.sandbox.platform import BACKEND_ENV, portable

HOSTILE = STUDENTS / "hostile"
SOFT = {"soft_threshold_examples", "soft_threshold_optimality", "soft_threshold_exact_zeros",
        "soft_threshold_lam_zero", "soft_threshold_rejects_negative_lam"}
# checks whose calls go only to l1_l2_scalar_optimum, which the hostile files implement correctly
SAFE = {"worked_example_1", "l1_l2_optimality"}


@pytest.fixture(autouse=True, params=["spawned", "forked", "portable", "portable-spare"])
def sandbox_start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Every hostile case four times: sandboxes spawned (`check`) and forked by the fork
    server (`grade`, `watch`) on Linux, and the portable backend of macOS and Windows
    (forced here), spawned and taken from its warm spare."""
    if request.param.startswith("portable"):
        monkeypatch.setenv(BACKEND_ENV, "portable")
    if "unconfined" in request.fixturenames:
        request.getfixturevalue("unconfined")  # before the server starts: it reads the switch
    if request.param in ("spawned", "portable"):
        yield
        return
    import regquiz.runner
    from regquiz.sandbox import warm_server
    from regquiz.sandbox.launch import confinement_mode

    with warm_server(confinement_mode(required=False)) as server:
        monkeypatch.setattr(regquiz.runner, "StudentProcess",
                            functools.partial(regquiz.runner.StudentProcess, server=server))
        yield


def _statuses(result) -> dict[str, tuple[str, str]]:
    return {test.name: (test.status, test.message) for test in result.tests}


def _grade_timed(name: str):
    started = time.monotonic()
    result = grade_file("problem2", HOSTILE / name)
    return result, time.monotonic() - started


@pytest.mark.parametrize(("name", "status", "words"), [
    ("loop_forever.py", "timeout", "no answer within"),
    ("sys_exit.py", "error", "SystemExit"),
    ("os_exit.py", "error", "exited with code 0"),
    ("memory_bomb.py", "error|timeout", "MemoryError|no answer within|stopped by the memory limit"),
    ("segfault.py", "error", "SIGSEGV"),
    ("raises_base_exception.py", "error", "KeyboardInterrupt"),
])
def test_misbehaving_function_costs_its_checks_only(name: str, status: str, words: str) -> None:
    result, elapsed = _grade_timed(name)
    verdicts = _statuses(result)
    first_status, first_message = verdicts["soft_threshold_examples"]
    assert first_status in status.split("|")
    assert any(word in first_message for word in words.split("|"))
    assert all(verdicts[check][0] != "pass" for check in SOFT)
    assert all(verdicts[check][0] == "pass" for check in SAFE), verdicts
    assert 0 < result.score < result.max_score
    assert elapsed < 30  # SPEC §4: a check of one problem ends within 30 s


def test_a_function_that_kills_the_process_is_not_called_again() -> None:
    result, elapsed = _grade_timed("os_exit.py")
    messages = [message for status, message in _statuses(result).values() if status == "error"]
    assert len(messages) == len(SOFT)
    assert sum("not called again" in message for message in messages) == len(SOFT) - 1


def test_a_hung_function_is_not_called_again() -> None:
    result, elapsed = _grade_timed("loop_forever.py")
    messages = [message for status, message in _statuses(result).values() if status == "timeout"]
    assert len(messages) == len(SOFT)
    assert sum("not called again" in message for message in messages) == len(SOFT) - 1
    assert elapsed < 30


@pytest.mark.parametrize(("name", "words"), [
    ("loop_at_import.py", "loading your file did not finish"),
    ("exit_at_import.py", "could not be loaded: SystemExit"),
])
def test_hostile_module_top_level_scores_zero(name: str, words: str) -> None:
    result, elapsed = _grade_timed(name)
    assert result.score == 0
    assert all(words in test.message for test in result.tests)
    assert elapsed < 30


@pytest.mark.parametrize("name", ["print_fake_results.py", "monkeypatch_numpy.py",
                                  "monkeypatch_pytest.py", "weird_return.py"])
def test_cheats_earn_nothing(name: str) -> None:
    result = grade_file("problem2", HOSTILE / name)
    verdicts = _statuses(result)
    assert verdicts["soft_threshold_examples"][0] == "fail"
    assert verdicts["soft_threshold_optimality"][0] == "fail"
    if name != "weird_return.py":  # that one answers the other functions correctly
        assert result.score <= 1  # soft_threshold(mu, 0) = mu is right even for a cheat


def test_printed_fake_results_are_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "problem2", "--file",
                                 str(HOSTILE / "print_fake_results.py"), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)  # the student's prints did not leak into our JSON
    assert payload["score"] <= 1
    assert "passed" in payload["output"] or "10/10" in payload["output"]
    text = runner.invoke(cli, ["check", "problem2", "--file", str(HOSTILE / "print_fake_results.py")])
    quoted = [line for line in text.stdout.splitlines() if "10/10" in line]
    assert quoted and all(line.lstrip().startswith("│") for line in quoted)


def test_huge_result_is_refused() -> None:
    result = grade_file("problem2", HOSTILE / "huge_output.py")
    status, message = _statuses(result)["soft_threshold_examples"]
    assert status == "fail"
    assert "too large" in message


def test_child_cannot_see_regquiz_home() -> None:
    result = grade_file("problem2", HOSTILE / "reads_env.py")
    status, message = _statuses(result)["soft_threshold_examples"]
    assert status == "error"
    assert "no home" in message


def test_closing_file_descriptors_does_not_break_the_protocol() -> None:
    result = grade_file("problem2", HOSTILE / "close_fds.py")
    assert result.score == result.max_score


@pytest.mark.skipif(not confine.probe().available, reason="no confinement on this machine")
@pytest.mark.parametrize("name", ["fork_sleeper.py", "setsid_escape.py"])
def test_confined_code_cannot_start_a_process(name: str) -> None:
    if portable():
        pytest.skip("the portable backend confines nothing (its reaper is tested below)")
    result = grade_file("problem2", HOSTILE / name)
    assert result.confinement.startswith("landlock")
    assert result.score == 0
    assert all("may not start processes" in test.message for test in result.tests)


@pytest.fixture
def unconfined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the kernel cannot confine (`check` still runs): the reaper alone cleans up."""
    monkeypatch.setenv("REGQUIZ_DISABLE_CONFINEMENT", "1")


@pytest.mark.usefixtures("unconfined")
def test_no_process_is_left_behind() -> None:
    pidfile = Path("/tmp/regquiz-fork-sleeper.pids")
    pidfile.unlink(missing_ok=True)
    result = grade_file("problem2", HOSTILE / "fork_sleeper.py")
    assert result.score == result.max_score
    pids = [int(line.split()[1]) for line in pidfile.read_text().splitlines()]
    assert pids
    for pid in pids:
        assert not _alive_after_kill(pid), f"process {pid} survived the check"


def _alive_after_kill(pid: int) -> bool:
    """Alive, even after the time a SIGKILLed process may need to be scheduled and die.

    The grader SIGKILLs the child's whole group before the check returns; on a busy
    machine a killed process can still show as running for a moment before it exits.
    """
    import time

    deadline = time.monotonic() + 5
    while _alive(pid):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.02)
    return False


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split(")")[-1].split()[0] != "Z"  # a zombie is dead, only not yet reaped


def test_hostile_check_keeps_earlier_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    good = runner.invoke(cli, ["check", "problem2", "--file", str(REPO / "solutions/problem2.py")])
    assert good.exit_code == 0
    for name in ("os_exit.py", "segfault.py", "memory_bomb.py"):
        bad = runner.invoke(cli, ["check", "problem2", "--file", str(HOSTILE / name), "--json"])
        assert bad.exit_code == 1
    from regquiz.records import open_records

    with open_records() as records:
        checks = records.checks()
        assert [c["score"] == c["max_score"] for c in checks] == [True, False, False, False]
        assert records.best_scores()["problem2"] == (22, 22) or records.best_scores()["problem2"][0] == checks[0]["max_score"]
    assert os.environ["REGQUIZ_HOME"] in str(records.path)


@pytest.mark.usefixtures("unconfined")
def test_a_grandchild_that_left_the_process_group_is_killed_too() -> None:
    pidfile = Path("/tmp/regquiz-setsid-escape.pids")
    pidfile.unlink(missing_ok=True)
    result = grade_file("problem2", HOSTILE / "setsid_escape.py")
    assert result.score == result.max_score
    pids = [int(line) for line in pidfile.read_text().split()]
    assert pids
    for pid in pids:
        assert not _alive_after_kill(pid), f"process {pid} escaped the sandbox"
