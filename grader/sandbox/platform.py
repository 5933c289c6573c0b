"""The one place that asks which platform this is, and so which sandbox backend runs.

* ``linux``: spawned children and a fork server, confined by Landlock and seccomp, limited
  by rlimits, with this process as the subreaper of whatever they leave behind.
* ``portable`` (macOS, Windows, and Linux when forced): a spawned child that talks over its
  own stdin and stdout, no confinement, limits by a Windows Job object or a parent-side
  watchdog, a spare child kept warm instead of a fork server.

``REGQUIZ_SANDBOX_BACKEND=portable`` forces the portable backend on Linux, so that its tests
run here; nothing above ``regquiz.sandbox`` asks ``sys.platform``.
"""

from __future__ import annotations

import os
import sys

BACKEND_ENV = "REGQUIZ_SANDBOX_BACKEND"  # "portable": the macOS/Windows backend, on any OS
LINUX = sys.platform.startswith("linux")
WINDOWS = sys.platform == "win32"
MACOS = sys.platform == "darwin"


def portable() -> bool:
    """Whether sandbox children start through the portable backend (asked on every start)."""
    return not LINUX or os.environ.get(BACKEND_ENV) == "portable"


def name() -> str:
    """The platform, as a student would name it."""
    if WINDOWS:
        return "Windows"
    if MACOS:
        return "macOS"
    return "Linux" if LINUX else sys.platform


def why_unconfined() -> str:
    """Why the portable backend confines nothing, for the refusal of `grade`."""
    if LINUX:
        return (f"the portable sandbox backend is forced ({BACKEND_ENV}=portable), and it "
                "confines nothing")
    return f"confinement needs Linux (Landlock and seccomp); this is {name()}"
