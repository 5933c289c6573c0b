"""How a sandbox interpreter is started: its command, environment, paths and confinement.

Shared by the spawned child (process.py) and the fork server (forkserver.py).  Everything
here is decided by the trusted parent; the child only receives the result.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from ..errors import EnvironmentBroken
from . import platform, reaper, uids

CHILD_SCRIPT = Path(__file__).resolve().with_name("child.py")
STARTUP_ALLOWANCE = 10.0  # seconds for an interpreter and numpy to start on a loaded machine
UNCONFINED_ENV = "REGQUIZ_UNCONFINED"  # "1": grade even where student code cannot be confined
DISABLE_ENV = "REGQUIZ_DISABLE_CONFINEMENT"  # "1": as if the kernel could not confine (tests)
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
               "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR")  # (the last three: Windows needs them)
_RULES: list[dict[str, list[list[str]]]] = []


def sandbox_environment(workdir: str) -> dict[str, str]:
    """The scrubbed environment of a sandbox process: no REGQUIZ_HOME, one BLAS thread."""
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    return env | {"HOME": workdir, "TMPDIR": workdir, reaper.SANDBOX_MARK: reaper.MARK_VALUE,
                  "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                  "PYTHONIOENCODING": "utf-8"}


def library_paths() -> list[str]:
    """The parent's site-packages folders, so that `-S` still finds numpy."""
    return [p for p in sys.path if p.rstrip("/").endswith(("site-packages", "dist-packages"))]


def stdlib_paths() -> list[str]:
    """The standard library's folders, as ``python -I -S`` puts them on sys.path."""
    stdlib = os.path.dirname(os.__file__)  # sysconfig would say the same, for ~5 ms of import
    version = f"{sys.version_info.major}{sys.version_info.minor}"
    zipped = os.path.join(os.path.dirname(stdlib), f"python{version}.zip")
    return list(dict.fromkeys([zipped, stdlib, os.path.join(stdlib, "lib-dynload")]))


def confinement_rules() -> dict[str, list[list[str]]]:
    """What a child may read (see read_rules), computed once per process."""
    if not _RULES:
        from ..paths import PACKAGE_DIR, regquiz_home

        excluded = [str(PACKAGE_DIR), str(PACKAGE_DIR.parent), str(regquiz_home())]
        _RULES.append(read_rules(stdlib=stdlib_paths(), libraries=library_paths(),
                                 excluded=excluded))
    return _RULES[0]


def confinement_mode(*, required: bool, unconfined: bool = False) -> str:
    """"require", "try" or "off": what sandbox children of this run must apply.

    `required` (grade, Gradescope, nbgrader): a root grader without Landlock (or with
    REGQUIZ_SANDBOX_NO_LANDLOCK=1) confines by uid+seccomp, see uids.py; where the kernel
    cannot confine student code at all,
    EnvironmentBroken unless `unconfined` (or REGQUIZ_UNCONFINED=1) accepts running it
    unconfined.  `check` runs the student's own code for the student: it confines what it
    can and never refuses.
    """
    if not required:  # the child confines what it can and says what it applied
        if platform.portable() or os.environ.get(DISABLE_ENV) == "1":
            return "off"  # confinement is attempted only where it exists (Linux)
        return "try"
    if platform.portable():
        reason = platform.why_unconfined()
    else:
        from . import confine

        probe = confine.probe()
        if probe.available and not _landlock_switched_off():
            return "require"
        if _uid_seccomp().available:
            return "require"  # root without Landlock: uid+seccomp (SPEC §3, §4)
        reason = probe.reason if not probe.available else _uid_seccomp().reason
    if unconfined or os.environ.get(UNCONFINED_ENV) == "1":
        return "off"
    raise EnvironmentBroken(
        f"student code cannot be confined here: {reason}. Grading would run every "
        "submission with your own rights (it could read the solutions and write your files); "
        f"to grade anyway, pass --unconfined (Gradescope, nbgrader: set {UNCONFINED_ENV}=1)")


def broken_sandbox(message: object) -> str:
    """The one-line error for a sandbox that reported it cannot work, with the fix."""
    from .wire import clean_text

    text = clean_text(message) or "it did not start"
    if "numpy" in text:
        fix = "reinstall with: pip install numpy"
    elif "confined" in text:
        fix = ("the kernel refused Landlock or seccomp; to grade anyway, pass --unconfined or "
               f"set {UNCONFINED_ENV}=1")
    else:
        fix = "is the machine overloaded?"
    return f"the sandbox is broken: {text} ({fix})"


def read_rules(*, stdlib: list[str], libraries: list[str],
               excluded: list[str]) -> dict[str, list[list[str]]]:
    """What a sandbox child may read, decided by the parent: ``{"fine": rules, "coarse": rules}``.

    A rule is ``[path, "dir" | "file" | "rw-file"]``.  `stdlib` are the interpreter's own
    folders (``python -I -S``'s sys.path), `libraries` the site-packages folders where numpy
    lives, `excluded` folders that must stay out of reach (the course source, REGQUIZ_HOME).
    The fine rules leave out every site-packages folder but numpy's own, and the excluded
    folders, even where one lies inside a granted folder (which is then granted entry by
    entry).  A folder named here is granted even inside an excluded one (numpy in a
    virtual environment inside the course folder): it holds only library files.
    The coarse rules are the same grants before that splitting: a fork server's children
    stack them as a second, cheap Landlock layer on the shared fine one (see Confinement).
    """
    fine: dict[str, str] = {}
    coarse: dict[str, str] = {}
    subtrees = [os.path.realpath(path) for path in [*libraries, *excluded] if path]

    def grant(path: str, kind: str, top: bool = True, entry: os.DirEntry[str] | None = None) -> None:
        if entry is not None and not entry.is_symlink():
            # a folder's entry that is no link is its own real path; scandir knows its type
            real, is_dir, is_file = entry.path, entry.is_dir(), entry.is_file()
        else:
            real = os.path.realpath(path)
            is_dir, is_file = os.path.isdir(real), os.path.isfile(real)
            if not (is_dir or is_file or os.path.exists(real)):
                return
        if kind == "dir" and is_dir:
            inner = [out for out in subtrees if _inside(real, out)]
            if real in inner:
                return
            if top:
                coarse.setdefault(real, "dir")
            if inner:  # grant the entries beside the excluded subtree, not the folder
                with os.scandir(real) as entries:
                    for item in sorted(entries, key=lambda item: item.name):
                        grant(item.path, "dir", top=False, entry=item)
                return
            fine.setdefault(real, "dir")
        elif is_file or kind != "dir":
            fine.setdefault(real, "file" if kind == "dir" else kind)
            if top:
                coarse.setdefault(real, "file" if kind == "dir" else kind)

    for folder in stdlib:
        grant(folder, "dir")
    numpy_dir = _numpy_folder(libraries)
    if numpy_dir:
        grant(numpy_dir, "dir")
        grant(numpy_dir + ".libs", "dir")  # the wheel's bundled OpenBLAS and libgfortran
    multiarch = getattr(sys.implementation, "_multiarch", "")  # e.g. x86_64-linux-gnu
    for folder in ("/lib64", "/usr/lib64", *(f"{base}/{multiarch}" for base in ("/lib", "/usr/lib")
                                              if multiarch)):
        grant(folder, "dir")  # the C libraries that standard-library extensions load
    for file in ("/etc/ld.so.cache", "/etc/localtime", "/dev/urandom", "/dev/random", "/dev/zero"):
        grant(file, "file")
    grant("/usr/share/zoneinfo", "dir")
    grant("/dev/null", "rw-file")
    return {"fine": [[path, kind] for path, kind in fine.items()],
            "coarse": [[path, kind] for path, kind in coarse.items()]}


def _inside(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _numpy_folder(libraries: list[str]) -> str | None:
    for library in libraries:
        candidate = os.path.join(library, "numpy")
        if os.path.isfile(os.path.join(candidate, "__init__.py")):
            return candidate
    return None


def confine_settings(mode: str) -> dict[str, Any]:
    """The "confine" part of a child's config: the mode and, unless off, the read rules.

    As root, also "root": the uid range its children drop to and whether they use Landlock
    (a root child needs no read rules: its uid reaches only what it preloaded, see uids.py).
    """
    root = root_settings(mode)
    if root:
        return {"mode": mode, "rules": {}, "root": root}
    return {"mode": mode, "rules": confinement_rules() if mode != "off" else {}}


def root_settings(mode: str) -> dict[str, Any] | None:
    """For a root grader: ``{"uids": [lo, hi], "landlock": may it be used}``; None otherwise.

    EnvironmentBroken when REGQUIZ_SANDBOX_UIDS is not a valid range.
    """
    if mode == "off" or platform.portable() or os.geteuid() != 0:
        return None
    try:
        low, high = uids.uid_range()
    except uids.UidError as exc:
        raise EnvironmentBroken(f"{exc} (unset it for the default range)") from None
    # whether Landlock may be used: the child asks its kernel whether it can be (`check`
    # must not pay ctypes here)
    return {"uids": [low, high], "landlock": not _landlock_switched_off()}


def _landlock_switched_off() -> bool:
    """REGQUIZ_SANDBOX_NO_LANDLOCK=1 as root: confine by uid+seccomp (tests run that mode)."""
    return os.environ.get(uids.NO_LANDLOCK_ENV) == "1" and os.geteuid() == 0


class _UidSeccomp:
    def __init__(self, available: bool, reason: str = "") -> None:
        self.available, self.reason = available, reason


_UID_PROBES: dict[tuple[str | None, str | None], _UidSeccomp] = {}


def _uid_seccomp() -> _UidSeccomp:
    """Whether uid+seccomp can confine here: root, seccomp filters, not switched off."""
    from . import confine

    key = (os.environ.get(DISABLE_ENV), os.environ.get(uids.NO_LANDLOCK_ENV))
    if key in _UID_PROBES:
        return _UID_PROBES[key]
    if os.environ.get(DISABLE_ENV) == "1":
        found = _UidSeccomp(False, f"confinement is switched off ({DISABLE_ENV}=1)")
    elif os.geteuid() != 0:
        found = _UidSeccomp(False, "not root, so no uid to drop to")
    elif not platform.LINUX or os.uname().machine != "x86_64":
        found = _UidSeccomp(False, "seccomp filters are implemented for x86-64 Linux")
    else:
        import ctypes

        seccomp_ok = ctypes.CDLL(None).prctl(21, 0, 0, 0, 0) >= 0  # PR_GET_SECCOMP
        found = _UidSeccomp(seccomp_ok, "" if seccomp_ok else
                            "the kernel offers no seccomp filters (CONFIG_SECCOMP_FILTER)")
    _UID_PROBES[key] = found
    return found


def described(mode: str) -> str:
    """What a child under `mode` is expected to report (before any child has reported).

    Under "try" (`check`) the kernel is not asked here, which would cost `check` the ctypes
    import: the child's own report replaces this as soon as it starts (a child that never
    started ran no student code, and "none" confined it).
    """
    if mode == "off":
        return "none"
    if mode == "try":
        return "none"
    from . import confine

    probe = confine.probe()
    if probe.available and not _landlock_switched_off():
        return probe.description
    return "uid+seccomp" if _uid_seccomp().available else "none"
