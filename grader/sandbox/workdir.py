"""A child's private workdir: a copy of the submission's own .py files, nothing else.

The confined child reads and writes only this folder, so the graded module and its helper
modules (``import helpers`` beside ``problem2.py``) are copied in by the parent.  A file is
copied only if it is a regular file inside the submission folder: symbolic links are
skipped (the graded file itself was checked by ``submission.check_readable``), and so are
oversized files and folders; at most MAX_FILES helpers are taken.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILES = 64
MAX_FILE_BYTES = 4 * 1024 * 1024


def fill_workdir(workdir: Path, source: Path, home: Path, module: str) -> Path:
    """Copy `source` to workdir/<module>.py and home's other .py files beside it; the copy's path."""
    target = workdir / f"{module}.py"
    _copy(source, target, follow=True)
    try:
        entries = sorted(os.scandir(home), key=lambda entry: entry.name)
    except OSError:
        return target
    taken = 0
    for entry in entries:
        if taken >= MAX_FILES:
            break
        name = entry.name
        if not name.endswith(".py") or name == target.name or name.startswith("."):
            continue
        if not name[:-3].isidentifier():
            continue  # not importable as a module anyway
        if _copy(Path(entry.path), workdir / name, follow=False):
            taken += 1
    return target


def _copy(source: Path, target: Path, *, follow: bool) -> bool:
    """Copy one regular file (no symlink unless `follow`), at most MAX_FILE_BYTES; True if copied."""
    # Windows has neither O_CLOEXEC (its descriptors are not inherited anyway) nor
    # O_NOFOLLOW: there a link is refused by lstat first (a narrow race, on the student's
    # own machine); the fstat below still takes only a regular file.
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        if not follow and not nofollow and stat.S_ISLNK(os.lstat(source).st_mode):
            return False
        fd = os.open(source, flags | (0 if follow else nofollow)
                     | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block us
    except OSError:
        if follow:
            target.write_bytes(b"")  # the check reports the unreadable file; the child loads ""
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            if follow:
                target.write_bytes(b"raise ImportError('the submitted file is not a regular "
                                   b"file of at most 4 MiB')\n")
            return False
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    target.write_bytes(data[:MAX_FILE_BYTES])
    return True


MAX_REMOVALS = 1_000_000  # entries removed per tree before giving up (a bounded cost per child)
_DIR_FLAGS = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_CLOEXEC", 0))


def remove_tree(path: str | os.PathLike[str] | None) -> bool:
    """Remove a workdir and whatever a child built in it; True if it is gone. Never raises.

    Unlike `shutil.rmtree` this neither recurses (a 1,000-deep tree is no RecursionError)
    nor follows a link: on POSIX every step is relative to a held directory descriptor
    opened with O_NOFOLLOW, so a symlink, a FIFO or a device is unlinked, never opened, and
    a folder swapped for a link mid-walk is refused, not entered.  Windows has no dir_fd:
    there the walk goes by path and takes links and junctions for entries to unlink.
    """
    if path is None:
        return True
    try:
        if os.open in os.supports_dir_fd and os.scandir in os.supports_fd:
            return _remove_fd_relative(os.fspath(path))
        return _remove_by_path(os.fspath(path))
    except Exception:  # noqa: BLE001 - cleanup must not cost the student's result or the batch
        return False


def _remove_fd_relative(path: str) -> bool:
    parent_path, name = os.path.split(os.path.abspath(path))
    parent = os.open(parent_path or "/", _DIR_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))
    try:
        try:
            top = os.open(name, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            return True
        except OSError:  # not a folder (a link in its place): take the entry away only
            _unlink(name, parent)
            return not _exists(name, parent)
        _empty(top)  # closes top
        try:
            os.rmdir(name, dir_fd=parent)
        except OSError:
            return False
        return True
    finally:
        os.close(parent)


def _empty(top: int) -> None:
    """Delete everything below the folder `top` (a descriptor, closed here), depth first.

    Only the deepest folder's descriptor is held: the walk climbs back through ".." and
    checks that it reached the very folder it came from (device and inode), so depth costs
    no descriptors and a tree moved mid-walk stops the walk instead of misleading it.
    """
    fd, budget = top, MAX_REMOVALS
    ids = [_identity(fd)]  # the folders from top down to the current one
    names: list[str] = []  # each level's name in the level above
    try:
        while budget > 0:
            child = None
            with os.scandir(fd) as entries:  # (scandir reads a duplicate of fd)
                for entry in entries:
                    budget -= 1
                    if entry.is_dir(follow_symlinks=False):
                        try:
                            child = os.open(entry.name, _DIR_FLAGS, dir_fd=fd)
                        except OSError:
                            _unlink(entry.name, fd)  # replaced by a link since the listing
                            continue
                        names.append(entry.name)
                        break
                    _unlink(entry.name, fd)
            if child is not None:
                os.close(fd)
                fd = child
                ids.append(_identity(fd))
                continue
            if not names:
                return  # top is empty (or holds what cannot be removed)
            up = os.open("..", _DIR_FLAGS & ~getattr(os, "O_NOFOLLOW", 0), dir_fd=fd)
            os.close(fd)
            fd = up
            ids.pop()
            if _identity(fd) != ids[-1]:
                return
            try:
                os.rmdir(names.pop(), dir_fd=fd)
            except OSError:
                return  # it keeps what cannot be removed: stop rather than loop
    finally:
        os.close(fd)


def _identity(fd: int) -> tuple[int, int]:
    info = os.fstat(fd)
    return info.st_dev, info.st_ino


def _unlink(name: str, dir_fd: int) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass


def _exists(name: str, dir_fd: int) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return False
    return True


def _remove_by_path(path: str) -> bool:
    """Windows: the same iterative walk by path (links and junctions are unlinked, not entered)."""
    stack = [path]
    budget = MAX_REMOVALS
    while stack and budget > 0:
        folder = stack[-1]
        descended = False
        with os.scandir(folder) as entries:
            for entry in entries:
                budget -= 1
                if entry.is_dir(follow_symlinks=False) and not _is_junction(entry.path):
                    stack.append(entry.path)
                    descended = True
                    break
                try:
                    if entry.is_dir(follow_symlinks=False):
                        os.rmdir(entry.path)  # a junction: removing it leaves its target alone
                    else:
                        os.chmod(entry.path, stat.S_IWRITE)  # read-only files refuse unlink there
                        os.unlink(entry.path)
                except OSError:
                    pass
        if not descended:
            stack.pop()
            try:
                os.rmdir(folder)
            except OSError:
                budget = 0
    return not os.path.lexists(path)


def _is_junction(path: str) -> bool:
    isjunction = getattr(os.path, "isjunction", None)  # Python 3.12
    return bool(isjunction and isjunction(path))
