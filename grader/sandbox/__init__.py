"""The trust boundary: everything that starts, confines and talks to student code.

* ``process``    the parent's handle on one child (start, call, limits, close);
* ``child``      the only code that runs in a child (never imported by the parent);
* ``wire``       the plain-data codec both sides speak (a fixed set of tags, no pickle);
* ``confine``    Landlock and privileges, applied in the child (the parent's rules);
* ``seccomp``    the child's system-call filter;
* ``launch``     how a child is started: command, environment, paths, confinement policy;
* ``workdir``    the child's private copy of the submission's files;
* ``forkserver`` a warm process that forks children for `grade` and `watch` (Linux);
* ``portable``   the backend of macOS and Windows: a stdin/stdout channel, a memory
  watchdog or a Job object (``jobs``), a warm spare child instead of the fork server;
* ``platform``   the one place that asks which OS this is, and which backend runs;
* ``reaper``     kills a child's whole group and anything it left behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .process import CallOutcome, Limits, StudentProcess

if TYPE_CHECKING:
    from .forkserver import ForkServer
    from .portable import SparePool

__all__ = ["CallOutcome", "Limits", "StudentProcess", "warm_server"]


def warm_server(mode: str) -> ForkServer | SparePool:
    """What keeps children warm for many checks: the fork server, or the portable spare pool.

    Not started yet: use it as a context manager, or call start() and close().
    """
    from . import platform

    if platform.portable():
        from .portable import SparePool

        return SparePool(mode)
    from .forkserver import ForkServer

    return ForkServer(mode)
