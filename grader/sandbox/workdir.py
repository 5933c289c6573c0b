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
    flags = os.O_RDONLY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(source, flags | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block us
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
