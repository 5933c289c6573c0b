"""Files the commands write for the user (`grade --out`, `plot --out`): checked early, written whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import UsageError


def check_writable(out: Path) -> None:
    """A one-line usage error now, rather than after the work, unless `out` can be written."""
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder; name a file")
    if not folder.is_dir():
        raise UsageError(f"cannot write {out}: no such folder {folder}")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"cannot write {out}: permission denied")


def write_atomically(out: Path, data: str | bytes) -> None:
    """Write `out` whole or not at all: a temporary file beside it, then a rename.

    Whatever stood at `out` before (a results.json someone planted) is replaced, never
    appended to or left half-written.
    """
    folder = out.parent if str(out.parent) else Path(".")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(temporary, out)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
