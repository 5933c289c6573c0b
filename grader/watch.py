"""`regquiz watch`: re-grade the watched problem's file on every save, with keys, on a terminal.

One loop waits on one queue, fed by the keyboard (watch_terminal.py: one key at a time, on
any OS), the file watcher when the watched file changes, and SIGWINCH where it exists.  A save
is graded by the warm grader (warm.py) once the burst of writes it belongs to is over; the
content is compared first, so a save that changed nothing grades nothing.  Every re-check
is recorded like a `check`.  A syntax error is shown with its line and recorded nowhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RegquizError, SubmissionNotFound, UsageError
from .manifest import Problem, load_manifest
from .watch_screen import View, render
from .watch_terminal import Event, keyboard, leave_signals

if TYPE_CHECKING:
    from .warm import WarmGrader

EXIT_QUIT, EXIT_INTERRUPTED = 0, 130
DEBOUNCE_MS = 10  # a burst of writes is over after this long without another (watchfiles' step)
SAFETY_POLL_S = 1.0  # and the file's signature is compared this often, in case an event is lost
TICK_S = 0.1  # the loop wakes at least this often (Ctrl-C on Windows, a resize without SIGWINCH)
CLEAR = "\x1b[H\x1b[2J"


def run_watch(problem_id: str | None, *, debounce_ms: int = DEBOUNCE_MS) -> int:
    """Watch `problem_id` (default: the first problem not yet passing); the exit code.

    A save is graded once no other write to the file came for `debounce_ms`.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("regquiz watch needs a terminal (it redraws the screen and reads keys); "
                         "in scripts and CI use `regquiz check PROBLEM`")
    from .records import open_records

    manifest = load_manifest()
    chosen = manifest.problem(problem_id) if problem_id is not None else None
    folder = _exercises_folder(manifest.problems)
    with open_records() as records:  # a broken database: exit 3 now, not after a save
        latest = records.latest_scores()
    if chosen is None:
        chosen = next((problem for problem in manifest.problems
                       if not latest.get(problem.id, (0, 0, False))[2]), manifest.problems[0])
    from .warm import WarmGrader

    watcher = Watcher(list(manifest.problems), chosen, folder, latest, debounce_ms)
    sys.stdout.write(f"{CLEAR}regquiz watch · starting the grader (numpy, the suites, a "
                     "sandbox) …\n")
    sys.stdout.flush()
    for number in leave_signals():  # leave through the finally blocks: terminal restored
        signal.signal(number, _leave)
    events: queue.Queue[Event] = queue.Queue()
    try:
        with WarmGrader() as grader, FileEvents(events, debounce_ms) as files, \
                keyboard(events) as resizes_signalled:
            return watcher.loop(grader, files, events, poll_size=not resizes_signalled)
    except KeyboardInterrupt:
        sys.stdout.write("\nregquiz: watch stopped (Ctrl-C); every check so far is recorded\n")
        return EXIT_INTERRUPTED


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _exercises_folder(problems: tuple[Problem, ...]) -> Path:
    from .paths import find_workspace_file

    for problem in problems:
        found = find_workspace_file(problem.filename)
        if found is not None:
            return found.parent
    raise SubmissionNotFound(f"no exercises/ folder with problem files in {Path.cwd()} or its "
                             "parents; run `regquiz init` to create the stubs")


class Watcher:
    """The state of one watch session and what each event does to it."""

    def __init__(self, problems: list[Problem], current: Problem, folder: Path,
                 latest: dict[str, tuple[int, int, bool]], debounce_ms: int = DEBOUNCE_MS) -> None:
        self.problems = problems
        self.debounce_ns = debounce_ms * 1_000_000
        self.folder = folder
        self.view = View(problems, current, "", latest)
        self._signature: tuple[int, int, int] | None = None  # of the file last read
        self._digest: bytes | None = None  # of the content last graded (or found unparsable)
        self._dirty = True

    @property
    def path(self) -> Path:
        """The watched file."""
        return self.folder / self.view.current.filename

    def loop(self, grader: WarmGrader, files: FileEvents, events: queue.Queue[Event], *,
             poll_size: bool = False) -> int:
        """Grade, draw and wait until q (EXIT_QUIT); Ctrl-C raises KeyboardInterrupt."""
        self._switch(0, files)
        polled, idle, size = False, 0.0, shutil.get_terminal_size((80, 24))
        while True:
            if polled or idle == 0.0:
                self._grade_if_changed(grader, polled=polled)
            if self._dirty:
                self._draw()
            try:
                kind, value = events.get(timeout=TICK_S)
            except queue.Empty:
                idle += TICK_S
                polled = idle >= SAFETY_POLL_S
                idle = 0.0 if polled else idle
                if poll_size and shutil.get_terminal_size((80, 24)) != size:
                    size, self._dirty = shutil.get_terminal_size((80, 24)), True
                continue
            polled, idle = False, 0.0
            if kind == "resize":
                self._dirty = True
            elif kind == "key":
                code = self._key(value.lower(), grader, files)
                if code is not None:
                    self._draw()
                    return code

    def _key(self, key: str, grader: WarmGrader, events: FileEvents) -> int | None:
        if key in ("q", "\x04"):  # q, or Ctrl-D
            return EXIT_QUIT
        if key in ("n", "p"):
            self._switch(1 if key == "n" else -1, events)
        elif key == "r":
            self._digest = self._signature = None  # grade again whatever the file holds
            self.view.note = []
        elif key == "h":
            self._hint()
        elif key.strip():
            self.view.note = [f"keys: h hint, n next, p previous, r re-check, q quit (not {key!r})"]
            self._dirty = True
        return None

    def _switch(self, step: int, events: FileEvents) -> None:
        index = (self.problems.index(self.view.current) + step) % len(self.problems)
        self.view.current = self.problems[index]
        self.view.shown_path = _shown(self.path)
        self.view.result, self.view.waiting, self.view.note = None, [], []
        self.view.failing_function = None
        self._signature = self._digest = None
        events.watch(self.folder, self.view.current.filename)
        self._dirty = True

    def _grade_if_changed(self, grader: WarmGrader, *, polled: bool = False) -> None:
        """Grade the file if its content differs from what was graded last.

        `polled`: no event woke us (the safety poll); a file written less than the debounce
        time ago may be mid-burst, and its event is still to come.
        """
        signature = _signature(self.path)
        if signature is None:
            if self._signature is not None or not self.view.waiting:
                self.view.waiting = [f"{self.view.shown_path} is not there (deleted or moved?). "
                                     "Waiting for it to appear again …"]
                self._signature = self._digest = None
                self._dirty = True
            return
        if signature == self._signature:
            return
        if polled and 0 <= time.time_ns() - signature[1] < self.debounce_ns:
            return
        self._signature = signature
        try:
            source = _read(self.path)
        except RegquizError as exc:
            self.view.waiting, self._dirty = [str(exc), "Waiting for the next save …"], True
            return
        digest = hashlib.blake2b(source, digest_size=16).digest()
        if digest == self._digest:
            return
        self._digest = digest
        problem = syntax_problem(source, self.view.shown_path)
        if problem:
            self.view.waiting = problem + ["Waiting for the next save …"]
            self._dirty = True
            return
        self._check(grader, source)

    def _check(self, grader: WarmGrader, source: bytes) -> None:
        from .runner import fresh_seed
        from .verdicts import function_passes

        problem = self.view.current
        result = grader.grade(problem, self.path, source, fresh_seed())
        self.view.result, self.view.waiting = result, []
        self.view.checks_run += 1
        self.view.checked_at = time.strftime("%H:%M:%S")
        self.view.latest = {**self.view.latest,
                            problem.id: (result.score, result.max_score, result.passed)}
        statuses = {test.name: test.status for test in result.tests}
        self.view.failing_function = next(
            (function.name for function in problem.functions
             if not function_passes(problem, function.name, statuses)), None)
        self.view.note = []
        self._draw()  # the student sees the result first; recording it comes after
        try:
            from .records import open_records

            with open_records() as records:
                records.record_check(result)
        except RegquizError as exc:
            self.view.note = [f"this check was not recorded: {exc}"]
            self._dirty = True

    def _hint(self) -> None:
        from .hints import next_hint
        from .records import open_records
        from .render import hint_text

        try:
            with open_records() as records:
                shown = next_hint(self.view.current, self.view.failing_function, records)
        except RegquizError as exc:
            self.view.note = [f"no hint: {exc}"]
        else:
            self.view.note = hint_text(shown, in_watch=True).splitlines()
            if shown.rung == len(self.view.current.ladder(shown.function).rungs):
                self._digest = self._signature = None  # re-check: the closed form shows now
        self._dirty = True

    def _draw(self) -> None:
        from .render import use_colour

        size = shutil.get_terminal_size((80, 24))
        screen = render(self.view, width=size.columns, height=size.lines,
                        colour=use_colour(sys.stdout))
        sys.stdout.write(CLEAR + screen + "\n")  # (the tty's ONLCR makes each \n a \r\n)
        sys.stdout.flush()
        self._dirty = False


def syntax_problem(source: bytes, shown: str) -> list[str]:
    """[] if `source` compiles; else the error, its line and a caret, cleaned for the screen.

    compile() parses without running anything, so this is safe in the trusted process.
    """
    from .sandbox.wire import clean_text

    try:
        compile(source, shown, "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"{shown} line {exc.lineno}" if exc.lineno else shown
        lines = [f"{where}: {type(exc).__name__}: {clean_text(str(exc.msg))}"]
        if exc.text:
            text = clean_text(exc.text.rstrip("\n"))[:200]
            lines.append(f"    {text}")
            if exc.offset and 0 < exc.offset <= len(text) + 1:
                lines.append("    " + " " * (exc.offset - 1) + "^")
        return lines
    except (ValueError, RecursionError, MemoryError) as exc:
        return [f"{shown}: cannot be compiled: {type(exc).__name__}"]
    return []


def _read(path: Path) -> bytes:
    from .submission import check_readable

    check_readable(path)  # a symlink out of the folder is refused, as by check
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SubmissionNotFound(f"cannot read {path}: {exc.strerror}") from None


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


class FileEvents:
    """Puts ("file", "") on the loop's queue when the watched file is written, created or replaced.

    watchfiles (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows) runs
    in a thread on the file's folder, not on the file: an editor that saves by writing a
    temporary file and renaming it over the original replaces the inode a file watch would
    follow.  Its `step` groups a burst of writes into one wake-up.
    """

    def __init__(self, events: queue.Queue[Event], debounce_ms: int = DEBOUNCE_MS) -> None:
        self.debounce_ms = debounce_ms
        self._events = events
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._folder: Path | None = None
        self.filename = ""

    def __enter__(self) -> FileEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def watch(self, folder: Path, filename: str) -> None:
        """Report changes of folder/filename from now on."""
        self.filename = filename
        if self._folder != folder:
            self._folder = folder
            self._thread = threading.Thread(target=self._run, args=(folder,), daemon=True,
                                            name="regquiz-watch-files")
            self._thread.start()

    def _run(self, folder: Path) -> None:
        import watchfiles

        def ours(change: object, path: str) -> bool:
            return os.path.basename(path) == self.filename

        try:
            for _ in watchfiles.watch(folder, watch_filter=ours, step=self.debounce_ms,
                                      debounce=max(400, 4 * self.debounce_ms),
                                      stop_event=self._stop, recursive=False,
                                      raise_interrupt=False, rust_timeout=0):
                self._events.put(("file", ""))
        except Exception:  # noqa: BLE001 - the folder vanished: the safety poll goes on
            return
