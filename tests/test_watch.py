"""`regquiz watch` through a real pseudo-terminal (pexpect), and its screen and errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from regquiz.cli import cli
from regquiz.manifest import load_manifest
from regquiz.results import CheckResult, TestResult
from regquiz.watch import syntax_problem
from regquiz.watch_screen import View, render

pexpect = pytest.importorskip("pexpect", reason="pexpect is in the test extra: pip install -e '.[test]'")
pytest.importorskip("watchfiles", reason="watchfiles is a dependency of regquiz watch")

COMMAND = [sys.executable, "-m", "regquiz"]
MANIFEST = load_manifest()
SOLUTION1 = (REPO / "solutions" / "problem1.py").read_text()
WRONG1 = SOLUTION1.replace("(1.0 - lr * lam) * w - lr * grad", "w - lr * grad", 1)


@pytest.fixture(autouse=True, params=["linux", "portable"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every watch test on both sandbox backends: the fork server, and the portable
    backend's warm spare (what macOS and Windows run, forced here)."""
    if request.param == "portable":
        pytest.importorskip("psutil", reason="the portable backend's watchdog needs psutil")
        monkeypatch.setenv("REGQUIZ_SANDBOX_BACKEND", "portable")
    return str(request.param)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    (folder / "exercises").mkdir(parents=True)
    for problem in MANIFEST.problems:
        (folder / "exercises" / problem.filename).write_text(
            (REPO / "exercises" / problem.filename).read_text())
    return folder


def _spawn(workspace: Path, home: Path, *args: str, colour: bool = False) -> pexpect.spawn:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update(REGQUIZ_HOME=str(home), TERM="xterm")
    if not colour:
        env["NO_COLOR"] = "1"
    return pexpect.spawn(COMMAND[0], [*COMMAND[1:], "watch", *args], cwd=str(workspace), env=env,
                         encoding="utf-8", timeout=30, dimensions=(24, 80))


def _screen(child: pexpect.spawn, number: int) -> str:
    """The screen drawn after re-check #number (its text up to the key line)."""
    child.expect_exact(f"check #{number} at")
    child.expect_exact("q quit")
    return str(child.before)


def _quit(child: pexpect.spawn) -> int:
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert "Traceback" not in str(child.before)
    return int(child.exitstatus)


def _save_atomically(path: Path, text: str) -> None:
    """What vim (backupcopy=no), VS Code and most editors do: write beside, rename over."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text)
    os.replace(temporary, path)


def _recorded(home: Path, workspace: Path) -> list[dict[str, object]]:
    done = subprocess.run([*COMMAND, "scores", "--json"], capture_output=True, text=True,
                          cwd=workspace, env={**os.environ, "REGQUIZ_HOME": str(home)}, timeout=30)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)["checks"])


@pytest.mark.slow
def test_a_save_regrades_and_every_recheck_is_recorded(workspace: Path, regquiz_home: Path) -> None:
    child = _spawn(workspace, regquiz_home, "problem1")
    first = _screen(child, 1)
    assert "Score 0/26" in first and "still the stub" in first
    assert "h hint for sgd_l2_step" in first
    (workspace / "exercises" / "problem1.py").write_text(SOLUTION1)  # an in-place save
    second = _screen(child, 2)
    assert "Score 26/26 — all checks pass" in second
    assert "Now the why: regquiz quiz --problem problem1" in second
    assert "Press n for the next problem" in second
    _save_atomically(workspace / "exercises" / "problem1.py", WRONG1)
    third = _screen(child, 3)
    assert "FAIL sgd_weight_decay_formula" in third and "Score 26/26" not in third
    assert _quit(child) == 0
    checks = _recorded(regquiz_home, workspace)
    assert [(c["problem"], c["score"]) for c in checks] == [
        ("problem1", 0), ("problem1", 26), ("problem1", int(re.findall(r"Score (\d+)/26", third)[0]))]


@pytest.mark.slow
def test_a_syntax_error_waits_for_the_fix(workspace: Path, regquiz_home: Path) -> None:
    child = _spawn(workspace, regquiz_home, "problem1")
    _screen(child, 1)
    path = workspace / "exercises" / "problem1.py"
    broken = SOLUTION1.replace("def sgd_weight_decay_step(", "def sgd_weight_decay_step(((", 1)
    line = broken.splitlines().index(next(l for l in broken.splitlines() if "(((" in l)) + 1
    path.write_text(broken)
    child.expect_exact(f"exercises/problem1.py line {line}: SyntaxError")
    child.expect_exact("Waiting for the next save")
    path.write_text(SOLUTION1)
    assert "Score 26/26" in _screen(child, 2)  # the syntax error was not a re-check
    assert _quit(child) == 0
    assert [c["score"] for c in _recorded(regquiz_home, workspace)] == [0, 26]


@pytest.mark.slow
def test_a_deleted_file_is_reported_and_watched_again(workspace: Path, regquiz_home: Path) -> None:
    child = _spawn(workspace, regquiz_home, "problem1")
    _screen(child, 1)
    path = workspace / "exercises" / "problem1.py"
    moved = path.with_name("elsewhere.txt")
    os.replace(path, moved)
    child.expect_exact("exercises/problem1.py is not there (deleted or moved?)")
    moved.write_text(SOLUTION1)
    os.replace(moved, path)
    assert "Score 26/26" in _screen(child, 2)
    assert _quit(child) == 0


@pytest.mark.slow
def test_a_burst_of_saves_grades_once(workspace: Path, regquiz_home: Path) -> None:
    # A debounce far longer than the burst: a busy test machine may pause between writes.
    child = _spawn(workspace, regquiz_home, "problem1", "--debounce", "400")
    _screen(child, 1)
    path = workspace / "exercises" / "problem1.py"
    for text in [WRONG1, SOLUTION1] * 3:
        path.write_text(text)
    assert "Score 26/26" in _screen(child, 2)
    time.sleep(1.5)  # more than the safety poll: nothing else is pending
    child.send("r")  # the next re-check is #3: the burst was graded once
    assert "Score 26/26" in _screen(child, 3)
    assert _quit(child) == 0
    assert len(_recorded(regquiz_home, workspace)) == 3


@pytest.mark.slow
def test_keys_hint_next_previous(workspace: Path, regquiz_home: Path) -> None:
    child = _spawn(workspace, regquiz_home, "problem1")
    _screen(child, 1)
    child.send("h")
    child.expect_exact("Hint 1 of 3 for sgd_l2_step")
    child.send("h")
    child.expect_exact("Hint 2 of 3 for sgd_l2_step")
    child.send("x")
    child.expect_exact("keys: h hint, n next, p previous, r re-check, q quit")
    child.send("n")
    child.expect_exact("regquiz watch · problem2")
    assert "Score 0/22" in _screen(child, 2)
    child.send("p")
    child.expect_exact("regquiz watch · problem1")
    assert "Score 0/26" in _screen(child, 3)
    assert _quit(child) == 0
    done = subprocess.run([*COMMAND, "list"], capture_output=True, text=True, cwd=workspace,
                          env={**os.environ, "REGQUIZ_HOME": str(regquiz_home)}, timeout=30)
    assert re.search(r"problem1.*2", done.stdout)  # the two rungs seen are recorded


@pytest.mark.slow
def test_ctrl_c_exits_130_without_a_traceback(workspace: Path, regquiz_home: Path) -> None:
    child = _spawn(workspace, regquiz_home, "problem2", colour=True)
    screen = _screen(child, 1)
    assert "\x1b[31m" in screen or "\x1b[1m" in screen  # colour on a tty without NO_COLOR
    child.sendintr()
    child.expect_exact("watch stopped (Ctrl-C)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in str(child.before)


@pytest.mark.slow
def test_without_a_problem_it_watches_the_first_not_passing(workspace: Path,
                                                            regquiz_home: Path) -> None:
    (workspace / "exercises" / "problem1.py").write_text(SOLUTION1)
    subprocess.run([*COMMAND, "check", "problem1"], cwd=workspace, capture_output=True,
                   env={**os.environ, "REGQUIZ_HOME": str(regquiz_home)}, timeout=60, check=True)
    child = _spawn(workspace, regquiz_home)
    child.expect_exact("regquiz watch · problem2")
    child.expect_exact("q quit")
    screen = str(child.before)
    assert "check #1 at" in screen
    assert "1 26/26 pass" in screen and "▸2 0/22" in screen
    assert "\x1b[3" not in screen  # NO_COLOR: no colour codes
    assert _quit(child) == 0


@pytest.mark.slow
def test_hostile_code_costs_a_recheck_not_the_watch(workspace: Path, regquiz_home: Path) -> None:
    child = _spawn(workspace, regquiz_home, "problem1")
    _screen(child, 1)
    path = workspace / "exercises" / "problem1.py"
    path.write_text("import os\nos._exit(3)\n")
    assert "Score 0/26" in _screen(child, 2)
    path.write_text('x = "\x1b]0;pwned\x07\x1b[2J"(\n')  # a syntax error quoting escapes
    child.expect_exact("SyntaxError")
    child.expect_exact("Waiting for the next save")
    assert "\x1b]0;" not in str(child.before)
    path.write_text(SOLUTION1)
    assert "Score 26/26" in _screen(child, 3)
    assert _quit(child) == 0


@pytest.mark.slow
def test_an_unknown_problem_on_a_terminal_is_a_usage_error(workspace: Path,
                                                          regquiz_home: Path) -> None:
    child = _spawn(workspace, regquiz_home, "problem9")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "did you mean" in str(child.before) and "Traceback" not in str(child.before)


def test_without_a_terminal_it_points_to_check(workspace: Path) -> None:
    result = CliRunner().invoke(cli, ["watch", "problem1"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "regquiz: error: regquiz watch needs a terminal (it redraws the screen and reads keys); "
        "in scripts and CI use `regquiz check PROBLEM`"]


def _result(passed: bool) -> CheckResult:
    problem = MANIFEST.problem("problem3")
    message = "\n".join(f"line {i} " + "word " * 30 for i in range(40))
    tests = tuple(TestResult(check.name, "pass" if passed or i < 3 else "fail",
                             check.points if passed or i < 3 else 0, check.points,
                             "" if passed or i < 3 else message)
                  for i, check in enumerate(problem.checks))
    return CheckResult(problem.id, problem.title, 12345, "exercises/problem3.py", tests,
                       confinement="landlock-v7+seccomp")


@pytest.mark.parametrize("passed", [False, True])
def test_the_screen_fits_80_by_24(passed: bool) -> None:
    problem = MANIFEST.problem("problem3")
    view = View(MANIFEST.problems, problem, "exercises/problem3.py",
                {"problem1": (26, 26, True), "problem3": (5, 23, False)}, result=_result(passed),
                checks_run=7, checked_at="12:00:00",
                failing_function=None if passed else "inverted_dropout",
                note=["Hint 1 of 3 for inverted_dropout: " + "think " * 40])
    for colour in (False, True):
        lines = render(view, width=80, height=24, colour=colour).splitlines()
        assert len(lines) <= 24
        import click

        assert all(len(click.unstyle(line)) <= 80 for line in lines)
    text = render(view, width=80, height=24, colour=False)
    assert "1 26/26 pass" in text and "▸3 5/23" in text and "4 –" in text
    assert "check #7 at 12:00:00 · seed 12345" in text
    if passed:
        assert "all checks pass" in text and "regquiz quiz --problem problem3" in text
        assert "q quit" in text.splitlines()[-1]
    else:
        assert "FAIL" in text and "more line(s): `regquiz check problem3` prints everything" in text
        assert text.splitlines()[-1].startswith("h hint for inverted_dropout")


def test_a_syntax_problem_names_the_line_and_strips_control_characters() -> None:
    lines = syntax_problem(b'ok = 1\nx = "\x1b[2J\x07"(\n', "exercises/problem1.py")
    assert lines[0].startswith("exercises/problem1.py line 2: SyntaxError")
    assert not any(ch in "".join(lines) for ch in "\x1b\x07")
    assert syntax_problem(SOLUTION1.encode(), "p.py") == []
    assert syntax_problem(b"\x00", "p.py") != []


@pytest.mark.slow
def test_code_that_kills_the_fork_server_costs_one_recheck(workspace: Path,
                                                          regquiz_home: Path, backend: str) -> None:
    if backend == "portable":
        pytest.skip("unconfined (macOS, Windows), a child may signal its parent: watch itself")
    child = _spawn(workspace, regquiz_home, "problem2")
    _screen(child, 1)
    path = workspace / "exercises" / "problem2.py"
    path.write_text((REPO / "tests" / "students" / "hostile" / "kills_parent.py").read_text())
    killed = _screen(child, 2)
    assert "Score 22/22" not in killed
    path.write_text((REPO / "solutions" / "problem2.py").read_text())
    assert "Score 22/22" in _screen(child, 3)  # a new server forked the next child
    assert _quit(child) == 0


@pytest.mark.slow
def test_a_damaged_database_is_one_line_and_exit_3(workspace: Path, regquiz_home: Path) -> None:
    regquiz_home.mkdir(parents=True)
    database = regquiz_home / "regquiz.db"
    database.write_bytes(b"this is not an SQLite database" * 100)
    before = database.read_bytes()
    child = _spawn(workspace, regquiz_home, "problem1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    out = str(child.before).strip().splitlines()
    assert len(out) == 1 and str(database) in out[0], out
    assert database.read_bytes() == before


@pytest.mark.slow
def test_no_exercises_folder_is_a_usage_error(tmp_path: Path, regquiz_home: Path) -> None:
    child = _spawn(tmp_path, regquiz_home, "problem1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "regquiz init" in str(child.before) and "Traceback" not in str(child.before)


@pytest.mark.slow
def test_sigterm_restores_the_terminal(workspace: Path, regquiz_home: Path) -> None:
    import signal

    child = _spawn(workspace, regquiz_home, "problem1")
    _screen(child, 1)
    child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + signal.SIGTERM
    assert "\x1b[?25h" in str(child.before)  # the cursor is shown again
    assert "Traceback" not in str(child.before)


def test_what_the_code_printed_is_counted_not_shown() -> None:
    problem = MANIFEST.problem("problem3")
    result = CheckResult(problem.id, problem.title, 1, "exercises/problem3.py",
                         _result(True).tests, output="secret\nline\n")
    view = View(MANIFEST.problems, problem, "exercises/problem3.py", {}, result=result,
                checks_run=1, checked_at="12:00:00")
    text = render(view, width=80, height=24, colour=False)
    assert "your code printed 2 line(s)" in text and "secret" not in text


@pytest.mark.parametrize("value", ["0", "abc", "99999"])
def test_a_bad_debounce_is_a_usage_error(value: str) -> None:
    result = CliRunner().invoke(cli, ["watch", "problem1", "--debounce", value])
    assert result.exit_code == 2
    assert "Invalid value for '--debounce'" in result.output
    assert "Traceback" not in result.output


def test_keys_on_windows_come_from_msvcrt_through_the_same_queue(
        monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    """Without termios (Windows), keys are read with msvcrt.getwch in a thread."""
    import queue
    import types

    from regquiz import watch_terminal

    if backend != "linux":
        pytest.skip("a unit test of the key reader: once is enough")
    pressed = iter(["h", "\xe0", "H", "\x00", ";", "n", "\x1a"])
    fake = types.ModuleType("msvcrt")
    fake.getwch = lambda: next(pressed)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "termios", None)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    events: queue.Queue[tuple[str, str]] = queue.Queue()
    with watch_terminal.keyboard(events) as resizes_signalled:
        keys = [events.get(timeout=5)[1] for _ in range(5)]
    assert resizes_signalled is False  # the loop polls the size instead
    assert keys == ["h", " ", " ", "n", "\x04"]  # arrows ignored, Ctrl-Z ends like Ctrl-D


def test_leaving_signals_exist_on_every_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    from regquiz.watch_terminal import leave_signals

    assert signal.SIGTERM in leave_signals()
    monkeypatch.delattr(signal, "SIGHUP")
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGTERM, raising=False)  # Windows' name
    assert leave_signals() == [signal.SIGTERM, signal.SIGTERM]
