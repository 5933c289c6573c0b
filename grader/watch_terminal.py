"""The terminal side of `regquiz watch`: keys one at a time, the screen's size, on any OS.

The only platform-aware code outside ``regquiz.sandbox``, and it asks for features, not for
platform names: with ``termios`` (Linux, macOS) stdin goes to cbreak mode and a thread reads
it; with ``msvcrt`` (Windows) a thread reads keys with ``getwch`` and colorama turns on the
console's ANSI handling.  Either way the keys arrive on the same queue as the file
watcher's wake-ups, so one loop serves every platform.  A resize arrives by SIGWINCH where
it exists; elsewhere the loop compares the size on every tick.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
from collections.abc import Iterator

Event = tuple[str, str]  # ("key", "q"), ("file", ""), ("resize", "")
HIDE_CURSOR, SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"


def leave_signals() -> list[signal.Signals]:
    """The signals that should end watch through its finally blocks (terminal restored)."""
    names = ("SIGTERM", "SIGHUP") if hasattr(signal, "SIGHUP") else ("SIGTERM", "SIGBREAK")
    return [getattr(signal, name) for name in names if hasattr(signal, name)]


@contextlib.contextmanager
def keyboard(events: queue.Queue[Event]) -> Iterator[bool]:
    """Keys go to `events` while inside; yields whether resizes are signalled (else: poll)."""
    try:
        import termios
        import tty
    except ImportError:
        termios = tty = None  # type: ignore[assignment]
    if termios is None:
        with _windows_console():
            _reader(lambda: _windows_key(), events)
            yield False
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    sys.stdout.write(HIDE_CURSOR)
    _reader(lambda: os.read(fd, 64).decode("utf-8", "replace"), events)
    signalled = hasattr(signal, "SIGWINCH")
    if signalled:
        signal.signal(signal.SIGWINCH, lambda *_: events.put(("resize", "")))
    try:
        yield signalled
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        sys.stdout.write(SHOW_CURSOR)
        sys.stdout.flush()


def _reader(read: object, events: queue.Queue[Event]) -> None:
    def run() -> None:
        while True:
            try:
                keys = read()  # type: ignore[operator]
            except (OSError, ValueError):
                return
            if not keys:
                events.put(("key", "\x04"))  # end of input: as Ctrl-D
                return
            for key in keys:
                events.put(("key", key))
            if "\x04" in keys:  # end of input (Ctrl-D, Windows' Ctrl-Z): watch quits on it
                return

    threading.Thread(target=run, daemon=True, name="regquiz-watch-keys").start()


def _windows_key() -> str:
    import msvcrt

    key = msvcrt.getwch()  # type: ignore[attr-defined]
    if key in ("\x00", "\xe0"):  # an arrow or function key: its second half names it
        msvcrt.getwch()  # type: ignore[attr-defined]
        return " "
    if key == "\x1a":  # Ctrl-Z, the console's end of input
        return "\x04"
    return key


@contextlib.contextmanager
def _windows_console() -> Iterator[None]:
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import colorama

        colorama.just_fix_windows_console()  # ANSI escapes on the Windows console
    sys.stdout.write(HIDE_CURSOR)
    try:
        yield
    finally:
        sys.stdout.write(SHOW_CURSOR)
        sys.stdout.flush()
