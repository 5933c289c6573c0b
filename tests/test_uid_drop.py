"""A root grader's children: an own uid each, no capabilities, a task limit, and the
uid+seccomp confinement where Landlock is missing (forced here with REGQUIZ_SANDBOX_NO_LANDLOCK=1).

Everything here runs real children as root (this machine, CI containers, Gradescope).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.sandbox import confine, uids
from regquiz.sandbox.forkserver import ForkServer
from regquiz.sandbox.process import Limits, StudentProcess
from test_attacks import NAMES, Listeners, _digest, _regquiz, assert_nothing_escaped, attack_source
from test_attacks import listeners  # noqa: F401 - the fixture

ATTACKS = STUDENTS / "attacks"
PROBE = ATTACKS / "uid_probe.py"
DENIAL_PROBE = ATTACKS / "denial_probe.py"
SOLUTION = REPO / "solutions" / "problem2.py"
PLUGIN = REPO / "grader" / "_plugin.py"
FUNCTIONS = ["identity", "capabilities", "threads", "tamper", "listdir", "read"]
NO_LANDLOCK = {uids.NO_LANDLOCK_ENV: "1"}

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not confine.probe().available,
                                reason="needs root and a confining kernel")


def _uids_of_live_processes() -> dict[int, int]:
    """pid → real uid of every live process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = entry.stat().st_uid
            except OSError:
                continue
    return found


def _probe(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROBE, folder / "uid_probe.py")
    return folder / "uid_probe.py"


def _call(process: StudentProcess, function: str, *args: object) -> object:
    outcome = process.call(function, list(args))
    assert outcome.status == "ok", (outcome.status, outcome.error, outcome.detail)
    return outcome.value


@pytest.fixture(params=["landlock", "uid+seccomp"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "uid+seccomp":
        monkeypatch.setenv(uids.NO_LANDLOCK_ENV, "1")
    return str(request.param)


@pytest.mark.parametrize("how", ["spawned", "forked"])
def test_two_live_children_each_run_as_an_own_uid_without_capabilities(
        tmp_path: Path, mode: str, how: str) -> None:
    low, high = uids.uid_range()
    server = ForkServer("require") if how == "forked" else None
    seen, workdirs = [], []
    try:
        if server is not None:
            server.start()
        with StudentProcess(_probe(tmp_path / "a"), "uid_probe", FUNCTIONS, Limits(),
                            server=server, confinement="require") as first, \
                StudentProcess(_probe(tmp_path / "b"), "uid_probe", FUNCTIONS, Limits(),
                               server=server, confinement="require") as second:
            for process in (first, second):
                resuid, resgid, groups = _call(process, "identity")  # type: ignore[misc]
                assert len(set(resuid)) == 1 and resuid == resgid and groups == []
                assert low <= resuid[0] <= high
                assert _call(process, "capabilities") == [0] * 6
                status = Path(f"/proc/{process._proc.pid}/status").read_text()
                sets = [line.split()[1] for line in status.splitlines()
                        if line.startswith(("CapEff", "CapPrm", "CapInh", "CapAmb"))]
                assert len(sets) == 4 and all(int(value, 16) == 0 for value in sets), sets
                assert "NoNewPrivs:\t1" in status
                assert "processes" in process.enforced
                want = "uid+seccomp" if mode == "uid+seccomp" else \
                    f"landlock-v{confine.landlock_abi()}+seccomp"
                assert process.confinement == want
                seen.append(resuid[0])
                workdirs.append(process._workdir)
            assert seen[0] != seen[1]  # alive at the same time: never one uid
            assert seen[0] == uids.uid_of(first._proc.pid, low, high)
    finally:
        if server is not None:
            server.close()
    live = _uids_of_live_processes()
    assert not [pid for pid, uid in live.items() if uid in seen], "a process of the uid survived"
    assert not any(os.path.exists(folder) for folder in workdirs if folder)


def test_rlimit_nproc_bounds_the_threads_of_a_child(tmp_path: Path, mode: str) -> None:
    with StudentProcess(_probe(tmp_path), "uid_probe", FUNCTIONS, Limits(),
                        confinement="require") as process:
        started = _call(process, "threads")
        assert 0 < started < uids.MAX_TASKS  # type: ignore[operator]
        assert _call(process, "threads") == started  # the limit frees what ended


def test_a_thread_bomb_costs_only_its_author_in_a_grade_batch(tmp_path: Path) -> None:
    folders = tmp_path / "submissions"
    bomber, honest = folders / "a_bomb", folders / "z_honest"
    for folder in (bomber, honest):
        folder.mkdir(parents=True)
    shutil.copy(ATTACKS / "uid_thread_bomb.py", bomber / "problem2.py")
    shutil.copy(SOLUTION, honest / "problem2.py")
    out = tmp_path / "grades.json"
    scratch = tmp_path / "tmp"  # under /tmp/pytest-of-root (0700): the uid cannot pass it
    scratch.mkdir()
    done = _regquiz("grade", str(bomber), str(honest), "--problem", "problem2", "--json",
                    "--out", str(out), "--workers", "2", env={"TMPDIR": str(scratch)})
    assert done.returncode == 1, done.stderr
    graded = {Path(row["submission"]).name: row for row in json.loads(out.read_text())}
    assert graded["z_honest"]["score"] == graded["z_honest"]["max_score"]
    assert graded["a_bomb"]["score"] == 0
    assert all("processes" in p["limits"] for row in graded.values() for p in row["problems"])
    assert not list(scratch.iterdir())


def test_the_uid_alone_cannot_chmod_chown_or_write_a_root_file(tmp_path: Path) -> None:
    """The uid layer by itself (no Landlock, no seccomp): the kernel's DAC refuses."""
    folder = Path(tempfile.mkdtemp(prefix="regquiz-uid-test-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        target = folder / "python3"
        shutil.copy(sys.executable, target)
        target.chmod(0o755)
        before = target.stat()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a real process that only drops, then tries
            try:
                os.close(read)
                uids.drop(uids.DEFAULT_UIDS[0] + 7)
                outcomes = []
                for attempt in (lambda: os.chmod(target, 0o4755),
                                lambda: os.chown(target, os.getuid(), os.getgid()),
                                lambda: os.utime(target, (0, 0)),
                                lambda: open(target, "ab").close(),
                                lambda: os.setresuid(0, 0, 0)):
                    try:
                        attempt()
                        outcomes.append("allowed")
                    except OSError as exc:
                        outcomes.append(exc.errno)
                os.write(write, json.dumps(outcomes).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as handle:
            outcomes = json.loads(handle.read() or b"null")
        os.waitpid(pid, 0)
        assert outcomes == [1, 1, 1, 13, 1], outcomes  # EPERM, EPERM, EPERM, EACCES, EPERM
        after = target.stat()
        assert (after.st_mode, after.st_uid, after.st_mtime_ns, after.st_size) == \
            (before.st_mode, before.st_uid, before.st_mtime_ns, before.st_size)
        assert not after.st_mode & stat.S_ISUID
    finally:
        shutil.rmtree(folder)


def test_a_root_file_outside_the_workdir_stays_as_it_was(tmp_path: Path, mode: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="regquiz-uid-test-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        target = folder / "python3"
        shutil.copy(sys.executable, target)
        before = target.stat()
        with StudentProcess(_probe(tmp_path), "uid_probe", FUNCTIONS, Limits(),
                            confinement="require") as process:
            outcomes = _call(process, "tamper", str(target))
        assert "allowed" not in outcomes  # type: ignore[operator]
        after = target.stat()
        assert (after.st_mode, after.st_uid, after.st_mtime_ns, after.st_size) == \
            (before.st_mode, before.st_uid, before.st_mtime_ns, before.st_size)
    finally:
        shutil.rmtree(folder)


# -- uid+seccomp: Landlock forced off ---------------------------------------------------------


@pytest.fixture(params=["spawned", "forked"])
def jailed(request: pytest.FixtureRequest, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[StudentProcess]:
    """A uid+seccomp child holding the denial probe."""
    monkeypatch.setenv(uids.NO_LANDLOCK_ENV, "1")
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "denial_probe.py").write_text(DENIAL_PROBE.read_text())
    (folder / "neighbour.txt").write_text("not copied: only .py files are")
    # a student's own module that spells the rarer imports, as an honest file does: a
    # spawned root child preloads those only where a file names them (uids.mentioned)
    (folder / "honest_imports.py").write_text(
        "import asyncio, multiprocessing, sqlite3, zoneinfo, http.client\n"
        "import xml.etree.ElementTree\n")
    limits = Limits(time_budget=120, call_time=10)
    names = ["attempt", "stdlib_imports"]
    if request.param == "spawned":
        with StudentProcess(folder / "denial_probe.py", "denial_probe", names, limits,
                            confinement="require") as process:
            yield process
        return
    with ForkServer("require") as server, StudentProcess(
            folder / "denial_probe.py", "denial_probe", names, limits, server=server) as process:
        yield process


def _attempt(child: StudentProcess, name: str, argument: object = None) -> str:
    return str(_call(child, "attempt", name, argument))


def test_uid_seccomp_keeps_the_honest_cases_working(jailed: StudentProcess) -> None:
    assert _attempt(jailed, "kill_self") == "allowed"
    assert jailed.confinement == "uid+seccomp"
    assert _attempt(jailed, "write", "scratch.txt") == "allowed"
    assert _attempt(jailed, "read", "denial_probe.py") == "allowed"
    assert _attempt(jailed, "read", "neighbour.txt") == "FileNotFoundError 2"
    assert _attempt(jailed, "tempfile") == "allowed"
    assert _attempt(jailed, "thread") == "allowed"
    assert _attempt(jailed, "numpy_submodules") == "allowed"
    names = ["decimal", "fractions", "statistics", "ctypes", "sqlite3", "ssl", "lzma", "bz2",
             "zlib", "hashlib", "json", "csv", "itertools", "functools", "dataclasses",
             "typing", "asyncio", "multiprocessing", "concurrent.futures", "zoneinfo", "uuid",
             "unittest", "xml.etree.ElementTree", "email", "http.client", "math", "random",
             "collections", "re", "enum", "copy", "operator", "heapq", "bisect", "array",
             "struct", "time", "datetime", "warnings", "contextlib", "abc", "numbers",
             "tempfile", "io", "string", "textwrap"]
    outcome = jailed.call("stdlib_imports", [names])
    assert outcome.status == "ok" and outcome.value == [], outcome
    failed = jailed.call("stdlib_imports", [["xmlrpc.client"]]).value
    assert failed and "sandbox" in failed[0], failed



def test_a_spawned_root_child_preloads_a_rarer_module_only_where_a_file_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(uids.NO_LANDLOCK_ENV, "1")
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "denial_probe.py").write_text(DENIAL_PROBE.read_text())
    (folder / "uses_ma.py").write_text("import numpy as np\nMASKED = np.ma.masked\n")
    with StudentProcess(folder / "denial_probe.py", "denial_probe",
                        ["attempt", "stdlib_imports"], Limits(time_budget=60, call_time=10),
                        confinement="require") as process:
        named = process.call("stdlib_imports", [["numpy.ma", "json", "numpy.linalg"]])
        assert named.status == "ok" and named.value == [], named
        unnamed = process.call("stdlib_imports", [["graphlib"]]).value
    assert unnamed and "graphlib" in unnamed[0] and "spell its name" in unnamed[0], unnamed


def test_mentioned_reads_every_python_file_of_the_workdir_and_nothing_else(
        tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import numpy as np\nx = np.testing  # and sqlite3 later\n")
    (tmp_path / "b.txt").write_text("asyncio tkinter")
    (tmp_path / "c.py").symlink_to(tmp_path / "b.txt")
    assert uids.mentioned(str(tmp_path)) == {"numpy.testing", "sqlite3"}
    (tmp_path / "d.py").write_text("from xml.etree import ElementTree\n")
    assert uids.mentioned(str(tmp_path)) == {"numpy.testing", "sqlite3",
                                             "xml.etree.ElementTree"}
    assert uids.mentioned(str(tmp_path / "missing")) == uids.DEFERRED


def test_mentioned_takes_everything_past_its_reading_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uids, "_SCAN_BYTES", 64)
    (tmp_path / "big.py").write_text("x = 1\n" * 40)
    assert uids.mentioned(str(tmp_path)) == uids.DEFERRED


@pytest.mark.parametrize("path", [
    str(SOLUTION), str(REPO / "grader" / "heldout" / "problem2.py"), str(PLUGIN), "/etc/passwd",
    "/proc/self/environ", f"/proc/{os.getpid()}/environ", sys.executable,
])
def test_uid_seccomp_reaches_nothing_outside_the_workdir(jailed: StudentProcess,
                                                         path: str) -> None:
    assert _attempt(jailed, "read", path) == "FileNotFoundError 2"


def test_uid_seccomp_sees_only_its_workdir_at_the_root(jailed: StudentProcess) -> None:
    for name in ("fork", "subprocess", "execv"):
        assert _attempt(jailed, name) == "PermissionError 1"
    with StudentProcess(_probe(Path(jailed.home) / "lister"), "uid_probe", FUNCTIONS, Limits(),
                        confinement="require") as process:
        listed = _call(process, "listdir", "/")
        assert listed == ["uid_probe.py"], listed
        assert _call(process, "listdir", "/..") == listed
        assert _call(process, "listdir", "/proc") == "FileNotFoundError 2"


def test_check_reports_uid_seccomp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(uids.NO_LANDLOCK_ENV, "1")
    result = CliRunner().invoke(cli, ["check", "problem2", "--file", str(SOLUTION), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["confinement"] == "uid+seccomp" and report["score"] == report["max_score"]
    assert report["limits"] == ["wall", "cpu", "memory", "processes"]


@pytest.mark.parametrize("name", ["steal_solutions", "write_canaries", "exfiltrate"])
def test_check_confines_the_attacks_by_uid_seccomp(name: str, tmp_path: Path,
                                                   listeners: Listeners,  # noqa: F811
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(uids.NO_LANDLOCK_ENV, "1")
    plugin = _digest(PLUGIN)
    attack = tmp_path / "exercises" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(attack_source(name, tmp_path, listeners, SOLUTION))
    result = CliRunner().invoke(cli, ["check", "problem2", "--file", str(attack), "--json"])
    report = json.loads(result.stdout)
    assert report["confinement"] == "uid+seccomp"
    assert report["score"] < report["max_score"] // 2
    assert_nothing_escaped(tmp_path, listeners, plugin)


def test_grade_accepts_uid_seccomp_and_it_costs_only_the_attackers(
        tmp_path: Path, listeners: Listeners, regquiz_home: Path) -> None:  # noqa: F811
    plugin = _digest(PLUGIN)
    folders = tmp_path / "submissions"
    honest = [folders / "y_honest", folders / "z_honest"]
    for folder in honest:
        folder.mkdir(parents=True)
        shutil.copy(SOLUTION, folder / "problem2.py")
    attackers = []
    for name in [*NAMES, "denial_probe", "uid_thread_bomb"]:
        folder = folders / f"a_{name}"
        folder.mkdir()
        (folder / "problem2.py").write_text(
            attack_source(name, tmp_path, listeners, honest[1] / "problem2.py"))
        attackers.append(folder)
    out = tmp_path / "grades.json"
    scratch = tmp_path / "tmp"  # the batch's $TMPDIR (/tmp is shared with other runs)
    scratch.mkdir()
    done = _regquiz("grade", *map(str, [*attackers, *honest]), "--problem", "problem2",
                    "--json", "--out", str(out), "--workers", "2",
                    env={**NO_LANDLOCK, "TMPDIR": str(scratch)})
    assert done.returncode == 1, done.stderr
    graded = {Path(row["submission"]).name: row for row in json.loads(out.read_text())}
    for folder in honest:
        assert graded[folder.name]["score"] == graded[folder.name]["max_score"]
    for folder in attackers:
        row = graded[folder.name]
        assert row["score"] < row["max_score"] // 2, (folder.name, row["score"])
    assert {p["confinement"] for row in graded.values() for p in row["problems"]} == \
        {"uid+seccomp"}
    assert_nothing_escaped(tmp_path, listeners, plugin)
    assert not (regquiz_home / "regquiz.db").exists()
    assert not list(scratch.iterdir())
    low, high = uids.uid_range()
    assert not [uid for uid in _uids_of_live_processes().values() if low <= uid <= high]


def test_gradescope_accepts_uid_seccomp(tmp_path: Path, listeners: Listeners,  # noqa: F811
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from test_gradescope import _run_autograder

    monkeypatch.delenv("REGQUIZ_UNCONFINED", raising=False)
    monkeypatch.setenv(uids.NO_LANDLOCK_ENV, "1")
    results = _run_autograder(tmp_path / "honest", SOLUTION)
    assert results["score"] > 0 and "confined by uid+seccomp" in results["output"], results
    plugin = _digest(PLUGIN)
    attack = tmp_path / "attack" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(attack_source("steal_solutions", tmp_path, listeners, SOLUTION))
    results = _run_autograder(tmp_path / "attacked", attack)
    assert results["score"] < 10
    assert_nothing_escaped(tmp_path, listeners, plugin)


def test_a_bad_uid_range_is_refused_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    from regquiz.errors import EnvironmentBroken
    from regquiz.sandbox import launch

    assert uids.uid_range("3000000-3000009") == (3000000, 3000009)
    monkeypatch.setenv(uids.UIDS_ENV, "0-10")
    with pytest.raises(EnvironmentBroken, match=uids.UIDS_ENV):
        launch.confine_settings("require")


def test_a_small_uid_range_still_gives_two_live_children_two_uids(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(uids.UIDS_ENV, "2100000000-2100000001")
    assert not uids.lock_free(2100000000, 2100000001)
    with StudentProcess(_probe(tmp_path / "a"), "uid_probe", FUNCTIONS, Limits(),
                        confinement="require") as first, \
            StudentProcess(_probe(tmp_path / "b"), "uid_probe", FUNCTIONS, Limits(),
                           confinement="require") as second:
        owners = {_call(process, "identity")[0][0] for process in (first, second)}  # type: ignore[index]
    assert owners == {2100000000, 2100000001}


@pytest.mark.parametrize("how", ["spawned", "forked"])
def test_anything_left_with_the_uid_is_killed_with_the_child(tmp_path: Path, how: str) -> None:
    """An escapee (here made by the test: seccomp lets no child fork) dies with its child."""
    import signal

    server = ForkServer("require") if how == "forked" else None
    try:
        if server is not None:
            server.start()
        process = StudentProcess(_probe(tmp_path), "uid_probe", FUNCTIONS, Limits(),
                                 server=server, confinement="require")
        uid = _call(process, "identity")[0][0]  # type: ignore[index]
        ready_r, ready_w = os.pipe()
        escapee = os.fork()
        if escapee == 0:
            try:
                uids.drop(uid)
                os.write(ready_w, b"x")
                signal.pause()
            finally:
                os._exit(0)
        os.close(ready_w)
        assert os.read(ready_r, 1) == b"x"  # it runs as the uid now
        os.close(ready_r)
        process.close()
        _, status = os.waitpid(escapee, 0)
        assert os.waitstatus_to_exitcode(status) == -signal.SIGKILL
    finally:
        if server is not None:
            server.close()


def test_nbgrader_autograde_grades_under_uid_seccomp(monkeypatch: pytest.MonkeyPatch) -> None:
    """nbgrader's autograde grades each notebook through `regquiz grade` (notebook.grade_source)."""
    from regquiz.notebook import grade_source

    monkeypatch.delenv("REGQUIZ_UNCONFINED", raising=False)
    monkeypatch.setenv(uids.NO_LANDLOCK_ENV, "1")
    outcomes = grade_source(SOLUTION.read_text(), "problem2", seed=0)
    assert outcomes.exit_code == 0, outcomes.trouble
    assert outcomes.tests and all(t["status"] == "pass" for t in outcomes.tests.values())
