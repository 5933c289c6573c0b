"""Confinement, proved denial by denial: a sandbox child tries each thing and reports.

Every attempt runs in a real confined child (Landlock and seccomp), both spawned (`check`)
and forked from the fork server (`grade`); honest use (threads, numpy submodules, the
standard library, the workdir) must keep working.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, STUDENTS
from regquiz.sandbox import confine, seccomp
from regquiz.sandbox.forkserver import ForkServer
from regquiz.sandbox.process import Limits, StudentProcess

PROBE = STUDENTS / "attacks" / "denial_probe.py"
DENIED = "PermissionError 13"  # Landlock's answer (EACCES)
REFUSED = "PermissionError 1"  # seccomp's answer (EPERM)

pytestmark = pytest.mark.skipif(not confine.probe().available,
                                reason=f"no confinement here: {confine.probe().reason}")


@pytest.fixture(scope="module", params=["spawned", "forked"])
def child(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[StudentProcess]:
    """One confined child holding the probe module, for every attempt of the module."""
    folder = tmp_path_factory.mktemp("probe")
    (folder / "denial_probe.py").write_text(PROBE.read_text())
    (folder / "neighbour.txt").write_text("not copied: only .py files are")
    limits = Limits(time_budget=120, call_time=10)
    if request.param == "spawned":
        with StudentProcess(folder / "denial_probe.py", "denial_probe",
                            ["attempt", "stdlib_imports"], limits,
                            confinement="require") as process:
            yield process
        return
    with ForkServer("require") as server, StudentProcess(
            folder / "denial_probe.py", "denial_probe", ["attempt", "stdlib_imports"], limits,
            server=server) as process:
        yield process


def attempt(child: StudentProcess, name: str, argument: object = None) -> str:
    outcome = child.call("attempt", [name, argument])
    assert outcome.status == "ok", (outcome.status, outcome.error, outcome.detail)
    return str(outcome.value)


def test_the_child_reports_what_confines_it(child: StudentProcess) -> None:
    attempt(child, "kill_self")
    assert child.confinement == f"landlock-v{confine.landlock_abi()}+seccomp"


@pytest.mark.parametrize("path", [
    str(REPO / "solutions" / "problem2.py"),
    str(REPO / "grader" / "heldout" / "problem2.py"),
    str(REPO / "grader" / "_plugin.py"),
    "/etc/passwd",
    f"/proc/{os.getpid()}/environ",
    f"/proc/{os.getpid()}/mem",
    "/proc/self/environ",
])
def test_reading_outside_the_allowed_paths_is_denied(child: StudentProcess, path: str) -> None:
    assert attempt(child, "read", path) == DENIED


def test_site_packages_other_than_numpy_is_out_of_reach(child: StudentProcess) -> None:
    import click

    assert attempt(child, "read", click.__file__) == DENIED
    site = Path(click.__file__).parent.parent
    assert attempt(child, "listdir", str(site)) == DENIED
    editable = sorted(site.glob("__editable__*regquiz*finder.py"))
    for finder in editable:
        assert attempt(child, "read", str(finder)) == DENIED


def test_listing_the_root_and_the_course_is_denied(child: StudentProcess) -> None:
    assert attempt(child, "listdir", "/") == DENIED
    assert attempt(child, "listdir", str(REPO)) == DENIED
    assert attempt(child, "listdir", str(Path.home())) == DENIED


def test_the_regquiz_home_is_out_of_reach(child: StudentProcess, regquiz_home: Path) -> None:
    regquiz_home.mkdir(parents=True, exist_ok=True)
    target = regquiz_home / "regquiz.db"
    assert attempt(child, "write", str(target)) == DENIED
    assert not target.exists()


def test_writing_outside_the_workdir_is_denied(child: StudentProcess, tmp_path: Path) -> None:
    canaries = [tmp_path / "canary.txt", Path("/tmp") / f"regquiz-canary-{os.getpid()}",
                REPO / "grader" / "regquiz-canary.py"]
    for canary in canaries:
        assert attempt(child, "write", str(canary)) == DENIED
        assert not canary.exists()
    import numpy

    planted = Path(numpy.__file__).parent.parent / f"regquiz-canary-{os.getpid()}.pth"
    assert attempt(child, "write", str(planted)) == DENIED
    assert not planted.exists()


def test_the_workdir_is_writable_and_holds_only_the_submitted_py_files(
        child: StudentProcess) -> None:
    assert attempt(child, "write", "scratch.txt") == "allowed"
    assert attempt(child, "read", "denial_probe.py") == "allowed"
    assert attempt(child, "read", "neighbour.txt") == "FileNotFoundError 2"
    assert attempt(child, "tempfile") == "allowed"


@pytest.mark.parametrize("name", ["fork", "subprocess", "execv", "posix_spawn"])
def test_starting_a_process_is_refused(child: StudentProcess, name: str) -> None:
    assert attempt(child, name) == REFUSED


def test_clone3_answers_enosys_so_threads_fall_back_and_work(child: StudentProcess) -> None:
    assert attempt(child, "clone3") == "OSError 38"
    assert attempt(child, "thread") == "allowed"


@pytest.mark.parametrize("name", ["tcp6", "raw_icmp", "netlink", "unix_dgram"])
def test_network_sockets_are_refused(child: StudentProcess, name: str) -> None:
    assert attempt(child, name) == REFUSED


def test_unix_stream_sockets_and_pairs_remain(child: StudentProcess) -> None:
    assert attempt(child, "unix_stream") == "allowed"
    assert attempt(child, "socketpair") == "allowed"


def test_nothing_reaches_a_loopback_listener(child: StudentProcess, tmp_path: Path) -> None:
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = str(tmp_path / "listener.sock")
    with tcp, udp, unix:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(1)
        udp.bind(("127.0.0.1", 0))
        unix.bind(path)
        unix.listen(1)
        assert attempt(child, "tcp", tcp.getsockname()[1]) == REFUSED
        assert attempt(child, "udp", udp.getsockname()[1]) == REFUSED
        assert attempt(child, "unix_connect", path) == REFUSED
        for listener in (tcp, udp, unix):
            listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            tcp.accept()
        with pytest.raises(BlockingIOError):
            udp.recvfrom(100)
        with pytest.raises(BlockingIOError):
            unix.accept()


def test_signals_reach_only_the_child_itself(child: StudentProcess) -> None:
    assert attempt(child, "kill_parent") == REFUSED
    assert attempt(child, "kill_pid", os.getpid()) == REFUSED
    assert attempt(child, "kill_all") == REFUSED
    assert attempt(child, "kill_self") == "allowed"
    assert attempt(child, "raise_signal") == "allowed"


@pytest.mark.parametrize("name", ["prlimit_parent", "ptrace_attach", "process_vm_readv",
                                  "io_uring_setup", "unshare_user"])
def test_reaching_into_other_processes_or_the_kernel_is_refused(child: StudentProcess,
                                                                 name: str) -> None:
    assert attempt(child, name) == REFUSED


def test_numpy_submodules_and_the_standard_library_import(child: StudentProcess) -> None:
    assert attempt(child, "numpy_submodules") == "allowed"
    names = ["decimal", "fractions", "statistics", "ctypes", "sqlite3", "ssl", "lzma", "bz2",
             "zlib", "hashlib", "json", "csv", "itertools", "functools", "dataclasses",
             "typing", "asyncio", "multiprocessing", "concurrent.futures", "zoneinfo", "uuid",
             "unittest", "xml.etree.ElementTree", "email", "http.client", "tkinter", "curses"]
    outcome = child.call("stdlib_imports", [[n for n in names if _importable_here(n)]])
    assert outcome.status == "ok" and outcome.value == [], outcome


def _importable_here(name: str) -> bool:
    """Some builds leave out a module (tkinter, curses): only what this Python has counts."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def test_a_root_child_drops_every_capability(tmp_path: Path) -> None:
    module = tmp_path / "caps.py"
    module.write_text(
        "def capabilities():\n"
        "    with open('/proc/self/status') as status:\n"
        "        return [line.split()[1] for line in status if line.startswith(('CapEff', 'CapPrm'))]\n"
        "def no_new_privs():\n"
        "    import ctypes\n"
        "    return ctypes.CDLL(None).prctl(39, 0, 0, 0, 0)\n")
    with StudentProcess(module, "caps", ["capabilities", "no_new_privs"], Limits(),
                        confinement="require") as process:
        assert process.call("no_new_privs", []).value == 1
        # /proc/self is outside the Landlock rules, so the capability sets are read from
        # the parent's side instead, while the child lives
        status = Path(f"/proc/{process._proc.pid}/status").read_text()
    effective = [line.split()[1] for line in status.splitlines()
                 if line.startswith(("CapEff", "CapPrm", "CapAmb"))]
    assert effective and all(int(value, 16) == 0 for value in effective), effective


def test_the_seccomp_program_is_well_formed() -> None:
    program = seccomp.program(1234)
    assert len(program) % 8 == 0 and 0 < len(program) // 8 < 4096
    assert (1234).to_bytes(4, "little") in program


def test_forced_off_reports_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(confine.DISABLE_ENV, "1")
    probe = confine.probe()
    assert not probe.available and confine.DISABLE_ENV in probe.reason
    assert probe.description == "none"


def test_the_read_rules_leave_out_the_course_and_site_packages() -> None:
    from regquiz.sandbox.launch import confinement_rules

    rules = confinement_rules()
    paths = [path for path, _ in rules["fine"]]
    assert any(path.endswith("/numpy") for path in paths)
    real_repo = os.path.realpath(REPO)
    assert not any(path == real_repo or path.startswith(real_repo + "/") for path in paths
                   if "numpy" not in path)
    assert not any(path.rstrip("/").endswith(("site-packages", "dist-packages")) for path in paths)
    assert sys.prefix  # (the interpreter's own folders are what is granted)


def test_every_system_call_number_has_one_decision() -> None:
    """No fast path: each number of the table is decided once, and what is filtered stays so."""
    listed = [name for _, _, names in seccomp.DECISIONS for name in names]
    assert sorted(listed) == sorted(seccomp._SYSCALLS)
    filtered = [*seccomp.DENIED, *seccomp.SELF_ONLY, *seccomp.SELF_OR_ZERO]
    assert {"fork", "execve", "connect", "ptrace", "kill", "prlimit64"} <= set(filtered)


def test_the_switch_has_one_name_on_both_sides() -> None:
    from regquiz.sandbox import launch

    assert launch.DISABLE_ENV == confine.DISABLE_ENV


def test_check_imports_no_ctypes_in_the_grading_process() -> None:
    """The parent of `check` leaves the kernel to the child: no ctypes import on its path."""
    import subprocess

    code = ("import sys, os; os.environ['REGQUIZ_HOME'] = os.environ.get('REGQUIZ_HOME', '/tmp');"
            "from regquiz.sandbox import launch; import regquiz.runner;"
            "launch.confine_settings(launch.confinement_mode(required=False));"
            "print('ctypes' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
