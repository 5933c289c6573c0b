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
