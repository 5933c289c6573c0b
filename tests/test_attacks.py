"""Hostile submissions against every flow that runs them: check, grade, Gradescope.

Each attack class of the sandbox's threat model has its own file in tests/students/attacks;
the test writes the real paths and ports in (the strongest attacker knows them).  The
attacker must score below full marks, correct classmates in the same batch keep full marks,
and nothing outside the sandbox may change: no canary, no byte at a loopback listener, no
surviving process, valid output, an untouched score database.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.sandbox import confine

ATTACKS = STUDENTS / "attacks"
SOLUTION = REPO / "solutions" / "problem2.py"
PLUGIN = REPO / "grader" / "_plugin.py"
NAMES = ["steal_solutions", "copy_classmate", "write_canaries", "forge_verdict", "exfiltrate",
         "wire_names_a_function", "terminal_escapes"]

confined = pytest.mark.skipif(not confine.probe().available,
                              reason=f"no confinement here: {confine.probe().reason}")


class Listeners:
    """A TCP and a UDP socket on loopback that must hear nothing."""

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(4)
        self.udp.bind(("127.0.0.1", 0))
        self.tcp.setblocking(False)
        self.udp.setblocking(False)

    def heard_nothing(self) -> bool:
        try:
            connection, _ = self.tcp.accept()
        except BlockingIOError:
            pass
        else:
            connection.close()
            return False
        try:
            self.udp.recvfrom(1 << 16)
        except BlockingIOError:
            return True
        return False

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def listeners() -> Iterator[Listeners]:
    opened = Listeners()
    yield opened
    opened.close()


def attack_source(name: str, tmp_path: Path, listeners: Listeners, classmate: Path) -> str:
    """The attack file with the real course path, targets and ports written in."""
    targets = [str(tmp_path / "canary.txt"), str(PLUGIN), str(_site_packages() / "regquiz-canary.pth"),
               str(Path.home() / "regquiz-canary.txt")]
    return (ATTACKS / f"{name}.py").read_text() \
        .replace("__COURSE__", str(REPO)) \
        .replace("__CLASSMATE__", str(classmate)) \
        .replace('"__TARGETS__"', ", ".join(repr(target) for target in targets)) \
        .replace("__RESULTS__", str(tmp_path / "results.json")) \
        .replace("0, 0  # __PORTS__", f"{listeners.tcp.getsockname()[1]}, "
                                       f"{listeners.udp.getsockname()[1]}")


def _site_packages() -> Path:
    import numpy

    return Path(numpy.__file__).parent.parent


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_nothing_escaped(tmp_path: Path, listeners: Listeners, plugin_digest: str) -> None:
    assert not (tmp_path / "canary.txt").exists()
    assert not (tmp_path / "results.json").exists()
    planted = _site_packages() / "regquiz-canary.pth"
    if planted.exists():
        planted.unlink()
        pytest.fail("a student planted a .pth file in site-packages")
    assert not (Path.home() / "regquiz-canary.txt").exists()
    assert _digest(PLUGIN) == plugin_digest, "a student changed the grader's own code"
    assert listeners.heard_nothing()
    assert not _helpers_left(str(tmp_path / "results.json"))


def _helpers_left(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _regquiz(*args: str, env: dict[str, str] | None = None, timeout: float = 300
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regquiz", *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)


@confined
@pytest.mark.parametrize("name", NAMES)
def test_check_confines_every_attack(name: str, tmp_path: Path, listeners: Listeners,
                                     regquiz_home: Path) -> None:
    plugin = _digest(PLUGIN)
    attack = tmp_path / "exercises" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(attack_source(name, tmp_path, listeners, SOLUTION))
    result = CliRunner().invoke(cli, ["check", "problem2", "--file", str(attack), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["confinement"].startswith("landlock") and report["confinement"].endswith("seccomp")
    assert report["score"] < report["max_score"] // 2
    text = json.dumps(report)
    assert "\\u001b" not in text and "\\u009b" not in text and "\\u202e" not in text
    assert_nothing_escaped(tmp_path, listeners, plugin)


@confined
def test_a_grade_batch_costs_only_the_attackers(tmp_path: Path, listeners: Listeners,
                                                regquiz_home: Path) -> None:
    plugin = _digest(PLUGIN)
    folders = tmp_path / "submissions"
    honest = [folders / "y_honest", folders / "z_honest"]
    for folder in honest:
        folder.mkdir(parents=True)
        shutil.copy(SOLUTION, folder / "problem2.py")
    attackers = []
    for name in [*NAMES, "slow_calls"]:
        folder = folders / f"a_{name}"
        folder.mkdir()
        (folder / "problem2.py").write_text(
            attack_source(name, tmp_path, listeners, honest[1] / "problem2.py"))
        attackers.append(folder)
    linked = folders / "a_symlink"
    linked.mkdir()
    (linked / "problem2.py").symlink_to(SOLUTION)
    attackers.append(linked)
    out = tmp_path / "grades.json"
    done = _regquiz("grade", *map(str, [*attackers, *honest]), "--problem", "problem2",
                    "--json", "--out", str(out), "--workers", "2", "--seed", "5")
    assert done.returncode == 1, done.stderr
    graded = {Path(row["submission"]).name: row for row in json.loads(out.read_text())}
    assert len(graded) == len(attackers) + len(honest)
    for folder in honest:
        row = graded[folder.name]
        assert row["score"] == row["max_score"], row
    for folder in attackers:
        row = graded[folder.name]
        assert row["score"] < row["max_score"] // 2, (folder.name, row["score"])
        assert all(p["confinement"].endswith("seccomp") for p in row["problems"])
    symlinked = graded["a_symlink"]["problems"][0]["tests"][0]["message"]
    assert "symbolic link" in symlinked
    assert "\x1b" not in out.read_text() and "\\u001b" not in out.read_text()
    assert_nothing_escaped(tmp_path, listeners, plugin)
    assert not (regquiz_home / "regquiz.db").exists()


@confined
def test_the_terminal_table_and_csv_carry_no_control_characters(tmp_path: Path,
                                                                listeners: Listeners) -> None:
    folders = [tmp_path / "a_mallory", tmp_path / "b_honest"]
    for folder in folders:
        folder.mkdir()
    (folders[0] / "problem2.py").write_text(
        attack_source("terminal_escapes", tmp_path, listeners, SOLUTION))
    shutil.copy(SOLUTION, folders[1] / "problem2.py")
    for form in ([], ["--csv"]):
        done = _regquiz("grade", *map(str, folders), "--problem", "problem2", *form)
        assert done.returncode == 1, done.stderr
        assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F or c == "\u202e"
                       for c in done.stdout), done.stdout
        mallory = [line for line in done.stdout.splitlines() if "a_mallory" in line.split(",")[0].split(" ")[0]]
        assert mallory and "30/30" not in mallory[0]
        if not form:
            assert "confined by: landlock" in done.stdout


@confined
def test_gradescope_results_cannot_be_forged(tmp_path: Path, listeners: Listeners) -> None:
    from test_gradescope import _run_autograder

    plugin = _digest(PLUGIN)
    results_path = tmp_path / "root" / "results" / "results.json"
    attack = tmp_path / "attack" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(attack_source("forge_verdict", tmp_path, listeners, SOLUTION)
                      .replace(str(tmp_path / "results.json"), str(results_path)))
    results = _run_autograder(tmp_path, attack)
    assert "forged" not in results
    assert results["score"] < 10
    assert "confined by landlock" in results["output"]
    assert_nothing_escaped(tmp_path, listeners, plugin)
    assert not _helpers_left(str(results_path))


@confined
@pytest.mark.parametrize("name", ["steal_solutions", "write_canaries"])
def test_gradescope_confines_the_attack(name: str, tmp_path: Path, listeners: Listeners) -> None:
    from test_gradescope import _run_autograder

    plugin = _digest(PLUGIN)
    attack = tmp_path / "attack" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(attack_source(name, tmp_path, listeners, SOLUTION))
    results = _run_autograder(tmp_path, attack)
    assert results["score"] < 10
    assert_nothing_escaped(tmp_path, listeners, plugin)


# -- where confinement is not available -----------------------------------------------------

OFF = {confine.DISABLE_ENV: "1"}


def test_grade_refuses_unconfined_with_exit_3_and_the_way_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "alice"
    folder.mkdir()
    shutil.copy(SOLUTION, folder / "problem2.py")
    monkeypatch.delenv("REGQUIZ_UNCONFINED", raising=False)  # conftest's, where nothing confines
    refused = _regquiz("grade", str(folder), "--problem", "problem2", env=OFF)
    assert refused.returncode == 3
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert "cannot be confined" in refused.stderr and "--unconfined" in refused.stderr
    assert refused.stdout == ""
    for extra, env in ((["--unconfined"], OFF), ([], {**OFF, "REGQUIZ_UNCONFINED": "1"})):
        done = _regquiz("grade", str(folder), "--problem", "problem2", "--json", *extra, env=env)
        assert done.returncode == 0, done.stderr
        [row] = json.loads(done.stdout)
        assert row["score"] == row["max_score"]
        assert [p["confinement"] for p in row["problems"]] == ["none"]


def test_check_still_runs_where_nothing_can_be_confined(tmp_path: Path) -> None:
    done = _regquiz("check", "problem2", "--file", str(SOLUTION), "--json", env=OFF)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["confinement"] == "none"


def test_gradescope_refuses_unconfined_unless_opted_in(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from test_gradescope import _run_autograder

    monkeypatch.delenv("REGQUIZ_UNCONFINED", raising=False)
    monkeypatch.setenv(confine.DISABLE_ENV, "1")
    results = _run_autograder(tmp_path / "refused", SOLUTION)
    assert results["score"] == 0 and "REGQUIZ_UNCONFINED=1" in results["output"]
    monkeypatch.setenv("REGQUIZ_UNCONFINED", "1")
    results = _run_autograder(tmp_path / "opted-in", SOLUTION)
    assert results["score"] > 0 and "confined by none" in results["output"]


def test_the_attacks_are_real_they_succeed_unconfined(tmp_path: Path, listeners: Listeners,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: without confinement the same files do steal and do reach the network."""
    monkeypatch.setenv(confine.DISABLE_ENV, "1")
    reports = {}
    for name in ("steal_solutions", "exfiltrate"):
        attack = tmp_path / name / "problem2.py"
        attack.parent.mkdir()
        attack.write_text(attack_source(name, tmp_path, listeners, SOLUTION))
        result = CliRunner().invoke(cli, ["check", "problem2", "--file", str(attack), "--json"])
        reports[name] = json.loads(result.stdout)
    assert reports["steal_solutions"]["score"] == reports["steal_solutions"]["max_score"]
    assert reports["steal_solutions"]["confinement"] == "none"
    assert not listeners.heard_nothing()


def test_a_slow_problem_costs_check_all_nothing_elsewhere(tmp_path: Path,
                                                          regquiz_home: Path) -> None:
    """Every call of problem1 takes just under the call limit; the other four sandboxes,
    started at once, wait that long for their turn and must still be graded."""
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    for number in range(2, 6):
        shutil.copy(REPO / "solutions" / f"problem{number}.py", exercises)
    (exercises / "problem1.py").write_text(
        "import time\n" + "".join(
            f"def {name}(*args):\n    time.sleep(1.9)\n    return args[0]\n"
            for name in ("sgd_l2_step", "sgd_weight_decay_step", "adam_l2_step", "adamw_step")))
    done = subprocess.run([sys.executable, "-m", "regquiz", "check", "--all", "--json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done.stderr
    reports = {report["problem"]: report for report in json.loads(done.stdout)}
    assert reports["problem1"]["score"] < reports["problem1"]["max_score"]
    for number in range(2, 6):
        report = reports[f"problem{number}"]
        assert report["score"] == report["max_score"], report["problem"]
