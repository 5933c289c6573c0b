"""Students' commands under a simulation of macOS and Windows (tests/platform_sim.py).

Each command runs in a fresh interpreter that lacks what those platforms lack (resource,
fcntl, termios, tty, pty; os.O_PATH, O_CLOEXEC, O_NOFOLLOW, fork, killpg, setsid, readv,
set_blocking; pass_fds; select on pipes; SOCK_SEQPACKET; /proc) and writes to a cp1252
pipe, as on Windows; once more saying it is macOS.  Every command must work, with its
contract's exit code, and never print a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytest.importorskip("psutil", reason="the portable backend's watchdog needs psutil (test extra)")

TESTS = Path(__file__).resolve().parent
PLATFORMS = [None, "darwin"]


def _run(args: list[str], cwd: Path, platform: str | None,
         encoding: str = "cp1252") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(TESTS), "PYTHONIOENCODING": encoding,
           "REGQUIZ_SANDBOX_BACKEND": "portable"}
    code = f"import platform_sim; platform_sim.run({args!r}, platform={platform!r})"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=120, check=False)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    for stub in (REPO / "exercises").glob("problem*.py"):
        shutil.copy(stub, exercises)
    shutil.copy(REPO / "solutions" / "problem2.py", exercises)
    return tmp_path


def _clean(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stdout.decode("cp1252") + result.stderr.decode("cp1252")
    assert "Traceback" not in text, text
    return text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_check_grades_the_solution_and_the_stub(workspace: Path, platform: str | None) -> None:
    solved = _run(["check", "problem2", "--json"], workspace, platform)
    _clean(solved)
    payload = json.loads(solved.stdout)
    assert solved.returncode == 0, payload
    assert payload["score"] == payload["max_score"] == 22
    assert payload["confinement"] == "none"
    assert payload["limits"][0] == "wall" and "memory" in payload["limits"]
    stub = _run(["check", "problem3"], workspace, platform)
    text = _clean(stub)
    assert stub.returncode == 1
    assert "0/23" in text and "confinement none" in text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_failing_report_survives_a_cp1252_pipe(workspace: Path, platform: str | None) -> None:
    wrong = (REPO / "tests/students/problem2/wrong_no_sign.py").read_text(encoding="utf-8")
    (workspace / "exercises" / "problem2.py").write_text(
        wrong + "\nprint('the student prints λ ≤ −1')\n", encoding="utf-8")
    result = _run(["check", "problem2"], workspace, platform)
    text = _clean(result)
    assert result.returncode == 1
    assert "FAIL" in text and "λ" not in text  # spelled so that cp1252 can carry it
    assert "lambda <= -1" in text  # the student's own print, captured and shown


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hint_is_printed_then_recorded(workspace: Path, platform: str | None) -> None:
    first = _run(["hint", "problem2", "soft_threshold"], workspace, platform)
    assert first.returncode == 0, _clean(first)
    assert "Hint 1 of" in _clean(first)
    second = _run(["hint", "problem2", "soft_threshold"], workspace, platform)
    assert "Hint 2 of" in _clean(second)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_concept_quiz_answers_without_a_terminal(workspace: Path, platform: str | None) -> None:
    assert _run(["check", "problem2"], workspace, platform).returncode == 0  # problem2 passes
    count = (REPO / "quizzes" / "problem2.toml").read_text(encoding="utf-8").count("[[questions]]")
    result = _run(["quiz", "--problem", "problem2", "--answers", "A" * count, "--no-shuffle"],
                  workspace, platform)
    text = _clean(result)
    assert result.returncode in (0, 1), text  # graded: every answer right, or one wrong
    assert "/" in text and "problem2" in text


@pytest.mark.parametrize("platform", PLATFORMS)
def test_watch_without_a_terminal_points_to_check(workspace: Path, platform: str | None) -> None:
    result = _run(["watch", "problem2"], workspace, platform)
    text = _clean(result)
    assert result.returncode == 2
    assert "needs a terminal" in text and "regquiz check" in text


def test_grade_unconfined_works_and_refuses_without_the_flag(tmp_path: Path) -> None:
    submission = tmp_path / "alice"
    submission.mkdir()
    shutil.copy(REPO / "solutions" / "problem2.py", submission)
    env_free = {key: value for key, value in os.environ.items() if key != "REGQUIZ_UNCONFINED"}
    refused = subprocess.run(
        [sys.executable, "-c", "import platform_sim; platform_sim.run(['grade', 'alice', "
         "'--problem', 'problem2'], platform='darwin')"],
        cwd=tmp_path, capture_output=True, timeout=120, check=False,
        env={**env_free, "PYTHONPATH": str(TESTS), "REGQUIZ_SANDBOX_BACKEND": "portable"})
    assert refused.returncode == 3, _clean(refused)
    assert b"--unconfined" in refused.stderr and b"macOS" in refused.stderr
    graded = _run(["grade", "alice", "--problem", "problem2", "--unconfined", "--json",
                   "--workers", "1"], tmp_path, "darwin")
    _clean(graded)
    [row] = json.loads(graded.stdout)
    assert graded.returncode == 0 and row["score"] == row["max_score"]


def test_the_portable_child_runs_without_posix_modules(tmp_path: Path) -> None:
    """child.py's portable entry, in an interpreter without resource, fcntl, termios, tty."""
    from regquiz.sandbox import launch, wire

    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "problem2.py").write_text("def soft_threshold(mu, lam):\n    print('λ')\n"
                                         "    return 2 * mu\n", encoding="utf-8")
    blocked = ", ".join(repr(name) for name in ("resource", "fcntl", "termios", "tty", "pty"))
    shim = (f"import sys\nfor name in ({blocked},): sys.modules[name] = None\n"
            f"sys.argv = [{str(launch.CHILD_SCRIPT)!r}, 'portable', {json.dumps(launch.library_paths())!r}]\n"
            f"exec(compile(open(sys.argv[0]).read(), sys.argv[0], 'exec'), "
            f"{{'__file__': sys.argv[0], '__name__': '__main__'}})\n")
    config = {"workdir": str(workdir), "env": {"HOME": str(workdir)},
              "sys_path": [str(workdir)], "source": str(workdir / "problem2.py"),
              "module": "problem2", "functions": ["soft_threshold"],
              "limits": {"memory_bytes": 2**30, "cpu_seconds": 5, "file_bytes": 2**20,
                         "address_space": False}}
    frames = wire.pack({"op": "config", "config": config}, [])
    frames += wire.pack({"id": 1, "function": "soft_threshold", "args": wire.encode([1.5, 0.5], [])}, [])
    with open(tmp_path / "output.txt", "wb") as output:
        done = subprocess.run([sys.executable, "-I", "-S", "-c", shim], input=frames,
                              stdout=subprocess.PIPE, stderr=output, timeout=60,
                              env=launch.sandbox_environment(str(workdir)), check=False)
    replies = [json.loads(line) for line in done.stdout.splitlines() if line.startswith(b"{")]
    ops = [reply.get("op") for reply in replies]
    assert ops == ["ready", "loaded", "result"], (ops, (tmp_path / "output.txt").read_text())
    assert replies[1]["limits"] == []  # without `resource` (Windows) the child sets no rlimit
    assert replies[2]["value"] == 3.0
    assert (tmp_path / "output.txt").read_text(encoding="utf-8").strip() == "λ"
