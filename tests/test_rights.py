"""The rights confinement takes besides paths, proved call by call (issue 19, A1).

seccomp refuses what Landlock does not guard: modes, owners, times and xattrs of any file,
SysV and POSIX IPC, inotify, fanotify and dnotify, leases, special files and links, bound
socket names.  Each attempt runs in a real confined child, spawned (`check`) and forked
(`grade`), beside a control that the same attempt works in an unconfined child; Landlock's
workdir rule alone (no seccomp) is proved in a plain confined interpreter.  The attack
fixtures tests/students/attacks/rights_*.py then go through check, a grade batch beside
honest classmates, and Gradescope's run_autograder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.sandbox import confine, seccomp
from regquiz.sandbox.forkserver import ForkServer
from regquiz.sandbox.process import Limits, StudentProcess

PROBE = STUDENTS / "attacks" / "rights_probe.py"
ATTACKS = STUDENTS / "attacks"
SOLUTION = REPO / "solutions" / "problem2.py"
REFUSED = "PermissionError 1"  # seccomp's answer (EPERM)
DENIED = "PermissionError 13"  # Landlock's answer (EACCES)
AT_FDCWD = -100
NAMES = ["rights_chmod_utime_xattr", "rights_sysv_ipc", "rights_inotify_bind",
         "rights_special_files"]

confined = pytest.mark.skipif(not confine.probe().available,
                              reason=f"no confinement here: {confine.probe().reason}")


def _start(request_param: str, folder: Path, mode: str) -> Iterator[StudentProcess]:
    (folder / "rights_probe.py").write_text(PROBE.read_text())
    limits = Limits(time_budget=120, call_time=10)
    functions = ["attempt", "listing"]
    if request_param == "forked":
        with ForkServer(mode) as server, StudentProcess(
                folder / "rights_probe.py", "rights_probe", functions, limits,
                server=server) as process:
            yield process
        return
    with StudentProcess(folder / "rights_probe.py", "rights_probe", functions, limits,
                        confinement=mode) as process:
        yield process


@pytest.fixture(scope="module", params=["spawned", "forked"])
def child(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[StudentProcess]:
    """One confined child holding the probe, for every attempt of the module."""
    if not confine.probe().available:
        pytest.skip(f"no confinement here: {confine.probe().reason}")
    yield from _start(request.param, tmp_path_factory.mktemp("rights"), "require")


@pytest.fixture(scope="module")
def free(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudentProcess]:
    """An unconfined child with the same probe: the controls."""
    yield from _start("spawned", tmp_path_factory.mktemp("free"), "off")


def attempt(process: StudentProcess, name: str, argument: object = None) -> str:
    outcome = process.call("attempt", [name, argument])
    assert outcome.status == "ok", (outcome.status, outcome.error, outcome.detail)
    return str(outcome.value)


def _xattrs_supported(path: Path) -> bool:
    try:
        os.setxattr(path, "user.regquiz-keep", b"kept")
    except OSError:
        return False
    return True


def _state(path: Path) -> tuple[int, int, int, int, int, list[str]]:
    info = os.stat(path, follow_symlinks=False)
    try:
        names = sorted(os.listxattr(path, follow_symlinks=False))
    except OSError:
        names = []
    return (info.st_mode, info.st_uid, info.st_gid, info.st_mtime_ns, info.st_atime_ns, names)


@pytest.fixture
def owned(tmp_path: Path) -> Path:
    """A file of the grader's uid outside every workdir, with a mode, old times and an xattr."""
    target = tmp_path / "grader-owned.txt"
    target.write_text("the grader's")
    os.chmod(target, 0o644)
    os.utime(target, ns=(1_000_000_000, 2_000_000_000))
    _xattrs_supported(target)
    return target


def _path_calls(target: str) -> list[tuple[str, list[object]]]:
    name, keep = "user.planted", "user.regquiz-keep"
    return [
        ("chmod", [90, target, 0o4777]), ("fchmodat", [268, AT_FDCWD, target, 0o4777]),
        ("fchmodat2", [452, AT_FDCWD, target, 0o4777, 0]),
        ("chown", [92, target, 1234, 1234]), ("lchown", [94, target, 1234, 1234]),
        ("fchownat", [260, AT_FDCWD, target, 1234, 1234, 0]),
        ("utime", [132, target, 0]), ("utimes", [235, target, 0]),
        ("futimesat", [261, AT_FDCWD, target, 0]), ("utimensat", [280, AT_FDCWD, target, 0, 0]),
        ("setxattr", [188, target, name, "x", 1, 0]), ("lsetxattr", [189, target, name, "x", 1, 0]),
        ("getxattr", [191, target, keep, 0, 0]), ("lgetxattr", [192, target, keep, 0, 0]),
        ("listxattr", [194, target, 0, 0]), ("llistxattr", [195, target, 0, 0]),
        ("removexattr", [197, target, keep]), ("lremovexattr", [198, target, keep]),
        ("setxattrat", [463, AT_FDCWD, target, 0, name, 0, 0]),
        ("getxattrat", [464, AT_FDCWD, target, 0, keep, 0, 0]),
        ("listxattrat", [465, AT_FDCWD, target, 0, 0, 0]),
        ("removexattrat", [466, AT_FDCWD, target, 0, keep]),
        ("file_getattr", [468, AT_FDCWD, target, 0, 0, 0]),
        ("file_setattr", [469, AT_FDCWD, target, 0, 0, 0]),
    ]


FD_CALLS = [("fchmod", [91, "FD", 0o4777]), ("fchown", [93, "FD", 1234, 1234]),
            ("fsetxattr", [190, "FD", "user.planted", "x", 1, 0]),
            ("fgetxattr", [193, "FD", "user.planted", 0, 0]), ("flistxattr", [196, "FD", 0, 0]),
            ("fremovexattr", [199, "FD", "user.planted"])]


def test_modes_owners_times_and_xattrs_of_the_graders_files_stay(
        child: StudentProcess, owned: Path) -> None:
    before = _state(owned)
    for name, call in [*_path_calls(str(owned)), *FD_CALLS]:
        assert attempt(child, "raw", call) == REFUSED, name
    for name in ("chmod", "utime", "setxattr"):
        assert attempt(child, name, str(owned)) == REFUSED, name
    assert _state(owned) == before


def test_control_an_unconfined_child_does_change_them(free: StudentProcess, owned: Path) -> None:
    before = _state(owned)
    assert attempt(free, "chmod", str(owned)) == "allowed"
    assert attempt(free, "utime", str(owned)) == "allowed"
    after = _state(owned)
    assert after[0] != before[0] and after[3] != before[3] and after[4] != before[4]
    if before[5]:  # the filesystem keeps user xattrs
        assert attempt(free, "setxattr", str(owned)) == "allowed"
        assert "user.regquiz" in os.listxattr(owned)


def _sysvipc() -> dict[str, str]:
    return {kind: Path(f"/proc/sysvipc/{kind}").read_text() for kind in ("shm", "msg", "sem")
            if Path(f"/proc/sysvipc/{kind}").exists()}


def _mqueue_exists(name: str) -> bool:
    """Whether the POSIX message queue `name` exists (/dev/mqueue need not be mounted)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    descriptor = libc.mq_open(name.encode(), os.O_RDONLY)
    if descriptor < 0:
        return False
    libc.mq_close(descriptor)
    return True


IPC_CALLS = [("shmget", [29, 0, 1 << 20, 0o1600]), ("shmat", [30, 0, 0, 0]),
             ("shmctl", [31, 0, 3, 0]), ("shmdt", [67, 0]), ("semget", [64, 0, 1, 0o1600]),
             ("semop", [65, 0, 0, 0]), ("semctl", [66, 0, 0, 3, 0]),
             ("semtimedop", [220, 0, 0, 0, 0]), ("msgget", [68, 0, 0o1600]),
             ("msgsnd", [69, 0, 0, 0, 0]), ("msgrcv", [70, 0, 0, 0, 0, 0]),
             ("msgctl", [71, 0, 3, 0]), ("mq_open", [240, "regquiz-mq", 0o102, 0o600, 0]),
             ("mq_unlink", [241, "regquiz-mq"])]


def test_sysv_and_posix_ipc_are_refused_and_leave_no_object(child: StudentProcess) -> None:
    before = _sysvipc()
    for kind in ("shm", "msg", "sem"):
        assert attempt(child, "ipc", kind) == REFUSED, kind
    for name, call in IPC_CALLS:
        assert attempt(child, "raw", call) == REFUSED, name
    assert _sysvipc() == before
    assert not _mqueue_exists("/regquiz-mq")


def test_control_an_unconfined_child_makes_sysv_objects(free: StudentProcess) -> None:
    before = _sysvipc()
    assert attempt(free, "ipc", "shm") == "allowed"  # (and removes it again)
    assert _sysvipc() == before


WATCH_CALLS = [("inotify_init", [253]), ("inotify_init1", [294, 0]),
               ("inotify_add_watch", [254, 0, "/tmp", 0xFFF]), ("inotify_rm_watch", [255, 0, 1]),
               ("fanotify_init", [300, 0, 0]), ("fanotify_mark", [301, 0, 1, 0, AT_FDCWD, "/tmp"])]


def test_watching_files_is_refused(child: StudentProcess) -> None:
    assert attempt(child, "inotify", tempfile.gettempdir()) == REFUSED
    for name, call in WATCH_CALLS:
        assert attempt(child, "raw", call) == REFUSED, name
    assert attempt(child, "dnotify") == REFUSED
    assert attempt(child, "lease") == REFUSED


def test_control_an_unconfined_child_watches(free: StudentProcess) -> None:
    assert attempt(free, "inotify", tempfile.gettempdir()) == "allowed"
    assert attempt(free, "dnotify") == "allowed"


def test_no_socket_name_is_bound(child: StudentProcess) -> None:
    assert attempt(child, "bind", f"\0regquiz-squat-{os.getpid()}") == REFUSED
    assert attempt(child, "bind", "bound.sock") == REFUSED
    assert attempt(child, "listen") == REFUSED
    for name, call in [("accept", [43, 0, 0, 0]), ("accept4", [288, 0, 0, 0, 0])]:
        assert attempt(child, "raw", call) == REFUSED, name
    assert "bound.sock" not in child.call("listing", []).value


def test_control_an_unconfined_child_binds(free: StudentProcess) -> None:
    assert attempt(free, "bind", f"\0regquiz-control-{os.getpid()}") == "allowed"
    assert attempt(free, "bind", "bound.sock") == "allowed"  # (and removes it again)


SPECIAL = ["mkfifo", "mknod", "mkdir", "symlink", "hard_link"]


def test_no_special_file_folder_or_link_is_made_in_the_workdir(child: StudentProcess) -> None:
    for name in SPECIAL:
        assert attempt(child, name, f"made-{name}") == REFUSED, name
    assert attempt(child, "whiteout") == REFUSED
    for name, call in [("mknodat", [259, AT_FDCWD, "made-raw", 0o10600, 0]),
                       ("mkdirat", [258, AT_FDCWD, "made-raw", 0o700]),
                       ("symlinkat", [266, "/etc/passwd", AT_FDCWD, "made-raw"]),
                       ("linkat", [265, AT_FDCWD, "scratch-fd.txt", AT_FDCWD, "made-raw", 0])]:
        assert attempt(child, "raw", call) == REFUSED, name
    assert not [name for name in child.call("listing", []).value if name.startswith("made-")]
    assert attempt(child, "scratch", "scratch.txt") == "allowed"  # files suffice


def test_control_an_unconfined_child_makes_them(free: StudentProcess) -> None:
    for name in ("mkfifo", "mkdir", "symlink", "hard_link"):
        assert attempt(free, name, f"made-{name}") == "allowed", name


@pytest.mark.parametrize("name, call", [
    ("memfd_create", [319, "x", 0]), ("memfd_secret", [447, 0]), ("mlock", [149, 0, 4096]),
    ("mlockall", [151, 3]), ("io_setup", [206, 1, 0]), ("vmsplice", [278, 0, 0, 0, 0]),
    ("setuid", [105, 0]), ("setresuid", [117, 0, 0, 0]), ("setgroups", [116, 0, 0]),
    ("capset", [126, 0, 0]), ("personality", [135, 0x0400000]), ("syslog", [103, 10, 0, 0]),
    ("settimeofday", [164, 0, 0]), ("clock_settime", [227, 0, 0]), ("adjtimex", [159, 0]),
    ("sethostname", [170, "x", 1]), ("iopl", [172, 3]), ("ioperm", [173, 0, 1, 1]),
    ("vhangup", [153]), ("quotactl_fd", [443, 0, 0, 0, 0]), ("lookup_dcookie", [212, 0, 0, 0]),
    ("ioctl TIOCSTI", [16, 0, 0x5412, 0]), ("ioctl TIOCLINUX", [16, 0, 0x541C, 0]),
    ("statmount", [457, 0, 0, 0, 0]), ("listmount", [458, 0, 0, 0, 0]), ("sync", [162]),
    ("migrate_pages", [256, 1, 0, 0, 0]), ("get_robust_list", [274, 1, 0, 0]),
    ("unknown number 500", [500]),
])
def test_the_rest_of_the_kernel_is_refused(child: StudentProcess, name: str,
                                           call: list[object]) -> None:
    expected = "OSError 38" if name.startswith("unknown") else REFUSED
    assert attempt(child, "raw", call) == expected


def test_what_an_honest_child_needs_still_works(child: StudentProcess) -> None:
    assert attempt(child, "raw", [135, 0xFFFFFFFF]) == "allowed"  # personality: read it
    assert attempt(child, "raw", [16, "FD", 0x5401, 0]) == "OSError 25"  # TCGETS: not a tty
    assert attempt(child, "scratch", "again.txt") == "allowed"


# -- Landlock alone: the workdir rule, in a plain interpreter without seccomp --------------

_LANDLOCK_ONLY = r"""
import json, os, socket, sys
from regquiz.sandbox import confine
folder, workdir = sys.argv[1], sys.argv[2]
confinement = confine.Confinement({"fine": []})
os.chdir(workdir)
confinement._restrict_to(folder, [])
def outcome(action):
    try:
        action()
    except OSError as exc:
        return f"{type(exc).__name__} {exc.errno}"
    return "allowed"
def bind():
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind("bound.sock")
def write():
    with open("kept.txt", "w") as handle:
        handle.write("x")
    with open("kept.txt", "w") as handle:  # truncates
        handle.write("y")
print(json.dumps({
    "mkfifo": outcome(lambda: os.mkfifo("fifo")),
    "mknod": outcome(lambda: os.mknod("dev", 0o20600, os.makedev(1, 5))),
    "mkdir": outcome(lambda: os.mkdir("folder")),
    "symlink": outcome(lambda: os.symlink("/etc/passwd", "link")),
    "bind": outcome(bind),
    "rmdir": outcome(lambda: os.rmdir("a")),
    "write": outcome(write),
    "rename across folders": outcome(lambda: os.rename("a/moved.txt", "b/moved.txt")),
    "rename": outcome(lambda: os.rename("kept.txt", "renamed.txt")),
    "unlink": outcome(lambda: os.unlink("renamed.txt")),
}))
"""


@confined
@pytest.mark.parametrize("layer", ["child", "fork server"])
def test_landlock_keeps_only_regular_files_in_the_workdir(layer: str, tmp_path: Path) -> None:
    root = tmp_path / "root"
    workdir = root / "workdir" if layer == "fork server" else root
    for sub in ("a", "b"):
        (workdir / sub).mkdir(parents=True)
    (workdir / "a" / "moved.txt").write_text("x")
    done = subprocess.run([sys.executable, "-c", _LANDLOCK_ONLY, str(root), str(workdir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for name in ("mkfifo", "mknod", "mkdir", "symlink", "bind", "rmdir"):
        assert results[name] == DENIED, (name, results)
    assert results["rename across folders"] == "OSError 18"  # EXDEV: no REFER
    assert results["write"] == results["rename"] == results["unlink"] == "allowed"
    assert sorted(os.listdir(workdir)) == ["a", "b"]


def test_every_abi_handles_the_rights_the_workdir_lacks() -> None:
    making = (confine.FS_MAKE_CHAR | confine.FS_MAKE_DIR | confine.FS_MAKE_SOCK
              | confine.FS_MAKE_FIFO | confine.FS_MAKE_BLOCK | confine.FS_MAKE_SYM
              | confine.FS_REMOVE_DIR | confine.FS_EXECUTE)
    for abi in range(1, 8):
        handled = confine._handled_fs(abi)
        assert handled & making == making, abi
        assert not confine.WORKDIR_RIGHTS & making
        assert bool(handled & confine.FS_REFER) == (abi >= 2)
    assert not confine.WORKDIR_RIGHTS & (confine.FS_REFER | confine.FS_IOCTL_DEV)


def test_every_number_up_to_the_highest_has_one_decision_and_a_reason() -> None:
    listed = [name for _, _, names in seccomp.DECISIONS for name in names]
    assert len(listed) == len(set(listed)) and set(listed) == set(seccomp._SYSCALLS)
    assert all(why for _, why, _ in seccomp.DECISIONS)
    assert seccomp._DECISION["clone3"] == "enosys"
    ranges = seccomp._ranges()
    assert ranges[-1] == (seccomp._HIGHEST + 1, "enosys")


# -- the attack fixtures, through every flow ----------------------------------------------


def rights_source(name: str, target: Path) -> str:
    """The attack file with the grader-owned target and the course path written in."""
    return (ATTACKS / f"{name}.py").read_text() \
        .replace("__TARGET__", str(target)).replace("__COURSE__", str(REPO))


class Outside:
    """What the attacks aim at outside their workdirs, to compare before and after."""

    def __init__(self, target: Path, tmpdir: Path) -> None:
        self.target, self.tmpdir = target, tmpdir
        tmpdir.mkdir()
        self.state, self.ipc = _state(target), _sysvipc()

    def assert_untouched(self) -> None:
        assert _state(self.target) == self.state
        assert _sysvipc() == self.ipc
        assert not _mqueue_exists("/regquiz-channel")
        assert list(self.tmpdir.iterdir()) == [], "something was left in $TMPDIR"
        assert not _processes_in(self.tmpdir)


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working folder is inside `folder` (a sandbox child left behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd").startswith(str(folder)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def outside(owned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Outside:
    tmpdir = tmp_path / "tmpdir"
    watched = Outside(owned, tmpdir)
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    return watched


@confined
@pytest.mark.parametrize("name", NAMES)
def test_check_confines_every_rights_attack(name: str, tmp_path: Path, outside: Outside) -> None:
    attack = tmp_path / "exercises" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(rights_source(name, outside.target))
    result = CliRunner().invoke(cli, ["check", "problem2", "--file", str(attack), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["confinement"].startswith("landlock") and report["confinement"].endswith("seccomp")
    assert report["score"] < report["max_score"] // 2
    outside.assert_untouched()


def _regquiz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regquiz", *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=300, check=False)


@confined
def test_a_grade_batch_costs_only_the_rights_attackers(tmp_path: Path, outside: Outside) -> None:
    folders = tmp_path / "submissions"
    honest = [folders / "y_honest", folders / "z_honest"]
    for folder in honest:
        folder.mkdir(parents=True)
        shutil.copy(SOLUTION, folder / "problem2.py")
    attackers = []
    for name in NAMES:
        folder = folders / f"a_{name}"
        folder.mkdir()
        (folder / "problem2.py").write_text(rights_source(name, outside.target))
        attackers.append(folder)
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
    outside.assert_untouched()


@confined
@pytest.mark.parametrize("name", ["rights_chmod_utime_xattr", "rights_sysv_ipc"])
def test_gradescope_confines_the_rights_attack(name: str, tmp_path: Path,
                                               outside: Outside) -> None:
    from test_gradescope import _run_autograder

    attack = tmp_path / "attack" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(rights_source(name, outside.target))
    results = _run_autograder(tmp_path / "gradescope", attack)
    assert results["score"] < 10
    assert "confined by landlock" in results["output"]
    outside.assert_untouched()


def _remove_new_ipc(before: dict[str, str]) -> None:
    """Remove the SysV objects made since `before` (the unconfined control leaves them)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    remove = {"shm": lambda ident: libc.shmctl(ident, 0, None),
              "msg": lambda ident: libc.msgctl(ident, 0, None),
              "sem": lambda ident: libc.semctl(ident, 0, 0)}
    for kind, text in _sysvipc().items():
        old = set(before.get(kind, "").splitlines())
        for line in text.splitlines()[1:]:
            if line not in old:
                remove[kind](int(line.split()[1]))
    libc.mq_unlink(b"/regquiz-channel")


@pytest.mark.parametrize("name", NAMES)
def test_control_the_rights_attacks_are_real_they_score_unconfined(
        name: str, tmp_path: Path, owned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without confinement each fixture's attack works, and so it earns full marks."""
    monkeypatch.setenv(confine.DISABLE_ENV, "1")
    before = _sysvipc()
    attack = tmp_path / "exercises" / "problem2.py"
    attack.parent.mkdir()
    attack.write_text(rights_source(name, owned))
    try:
        result = CliRunner().invoke(cli, ["check", "problem2", "--file", str(attack), "--json"])
    finally:
        _remove_new_ipc(before)
    report = json.loads(result.stdout)
    assert report["confinement"] == "none"
    assert report["score"] == report["max_score"], report
