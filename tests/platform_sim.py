"""A simulation of what macOS and Windows lack, for running regquiz's commands on Linux.

`install()` takes away, in this interpreter: the modules resource, fcntl, termios, tty and
pty; the os names O_PATH, O_CLOEXEC, O_NOFOLLOW, fork, killpg, setsid, readv and
set_blocking; Popen's pass_fds; select() on anything but a socket; socket.SOCK_SEQPACKET;
and /proc for regquiz's own code (psutil, the portable stand-in, still reads it, as it
reads sysctl on macOS).  With `platform="darwin"` it also says it is macOS.  Run a command
under it with:

    python -c "import platform_sim; platform_sim.run(['check', 'problem2'])"

(tests/ on sys.path, PYTHONIOENCODING=cp1252 for a Windows pipe).  The sandbox child is a
separate interpreter; tests/test_platform_sim.py runs the portable child entry under the
same removals by itself.
"""

from __future__ import annotations

import builtins
import os
import select
import socket
import subprocess
import sys
from typing import Any

MODULES = ("resource", "fcntl", "termios", "tty", "pty")
OS_NAMES = ("O_PATH", "O_CLOEXEC", "O_NOFOLLOW", "fork", "killpg", "setsid", "readv",
            "set_blocking")


def install(platform: str | None = None) -> None:
    """Take away what macOS and Windows lack (see the module docstring)."""
    import psutil  # noqa: F401 - before sys.platform changes: it picks its backend at import

    for name in MODULES:
        sys.modules.pop(name, None)
        sys.modules[name] = None  # type: ignore[assignment] - import now raises ImportError
    for name in OS_NAMES:
        if hasattr(os, name):
            delattr(os, name)
    if hasattr(socket, "SOCK_SEQPACKET"):
        delattr(socket, "SOCK_SEQPACKET")

    original_init = subprocess.Popen.__init__

    def popen_init(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
        if kwargs.get("pass_fds"):
            raise ValueError("pass_fds is not supported on this platform (simulated)")
        original_init(self, *args, **kwargs)

    subprocess.Popen.__init__ = popen_init  # type: ignore[method-assign]

    original_select = select.select

    def select_sockets_only(*lists: Any) -> Any:
        for group in lists[:3]:
            for item in group:
                if not isinstance(item, socket.socket):
                    raise OSError(10038, "select() takes only sockets here (simulated)")
        return original_select(*lists)

    select.select = select_sockets_only  # type: ignore[assignment]

    original_open, original_scandir, original_listdir = builtins.open, os.scandir, os.listdir

    def from_regquiz() -> bool:
        frame = sys._getframe(2)
        return str(frame.f_globals.get("__name__", "")).startswith("regquiz")

    def refuse_proc(path: Any) -> None:
        text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
        if text.startswith("/proc") and from_regquiz():
            raise FileNotFoundError(2, "no /proc here (simulated)", text)

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        refuse_proc(file)
        return original_open(file, *args, **kwargs)

    def scandir(path: Any = ".") -> Any:
        refuse_proc(path)
        return original_scandir(path)

    def listdir(path: Any = ".") -> Any:
        refuse_proc(path)
        return original_listdir(path)

    builtins.open, os.scandir, os.listdir = open_, scandir, listdir  # type: ignore[assignment]
    if platform is not None:
        sys.platform = platform


def run(args: list[str], platform: str | None = None) -> None:
    """Install the simulation, then run `regquiz ARGS` as the console script would."""
    os.environ.setdefault("REGQUIZ_SANDBOX_BACKEND", "portable")
    install(platform)
    from regquiz.cli import main

    sys.argv = ["regquiz", *args]
    main()
