"""The score history in SQLite: schema, numbered migrations, writes and queries.

Migrations are append-only and numbered; the applied ones are listed in the table
``migrations`` and mirrored in ``PRAGMA user_version``.  Before a database that already
holds history is migrated, a copy is kept beside it (``regquiz.db.v<N>.bak``), so that a
failed upgrade never costs a user their records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import RecordsError
from .paths import regquiz_home
from .results import CheckResult

DB_NAME = "regquiz.db"


def _create_checks_and_hints(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE checks (
        id INTEGER PRIMARY KEY,
        problem TEXT NOT NULL,
        score INTEGER NOT NULL,
        max_score INTEGER NOT NULL,
        passed INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        file TEXT NOT NULL,
        at TEXT NOT NULL,
        tests TEXT NOT NULL)""")
    db.execute("CREATE INDEX checks_problem ON checks(problem)")
    db.execute("""CREATE TABLE hints (
        problem TEXT PRIMARY KEY,
        shown INTEGER NOT NULL)""")


# Append only: never edit or reorder an entry that has been released.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "create checks and hints", _create_checks_and_hints),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def now() -> str:
    """The current UTC time as an ISO 8601 string (seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Records:
    """An open score database; use as a context manager or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = 30000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise _records_error(path, exc) from None
        except OSError as exc:
            raise RecordsError(f"cannot create the folder of the score database {path}: "
                               f"{exc.strerror}; set REGQUIZ_HOME to a writable folder") from None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise _records_error(self.path, exc) from None

    # -- schema ----------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RecordsError(f"the score database {self.path} was written by a newer regquiz "
                               f"(schema {version} > {SCHEMA_VERSION}); upgrade regquiz "
                               "(pip install -U regquiz)")
        if version == SCHEMA_VERSION:
            return
        if version > 0:
            self._backup(version)
        with self._writing() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations "
                       "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            current = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
            for number, name, migrate in MIGRATIONS:
                if number > current:
                    migrate(db)
                    db.execute("INSERT INTO migrations VALUES (?, ?, ?)", (number, name, now()))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _backup(self, version: int) -> None:
        target = self.path.with_name(f"{self.path.name}.v{version}.bak")
        if target.exists():
            return
        copy = sqlite3.connect(target)
        try:
            self.db.backup(copy)
        finally:
            copy.close()

    # -- checks ------------------------------------------------------------------------------

    def record_check(self, result: CheckResult) -> None:
        """Append one check of one problem."""
        tests = json.dumps([test.to_dict() for test in result.tests])
        with self._writing() as db:
            db.execute(
                "INSERT INTO checks (problem, score, max_score, passed, seed, file, at, tests) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (result.problem, result.score, result.max_score, int(result.passed),
                 result.seed, result.source, now(), tests))

    def checks(self) -> list[dict[str, Any]]:
        """Every recorded check, oldest first, in the SPEC §3 `scores --json` shape."""
        rows = self.db.execute("SELECT problem, score, max_score, seed, at, file, passed "
                               "FROM checks ORDER BY id").fetchall()
        return [{"problem": p, "score": s, "max_score": m, "seed": seed, "at": at,
                 "file": file, "passed": bool(passed)}
                for p, s, m, seed, at, file, passed in rows]

    def best_scores(self) -> dict[str, tuple[int, int]]:
        """problem id -> (best score, its max score)."""
        rows = self.db.execute("SELECT problem, MAX(score), max_score FROM checks "
                               "GROUP BY problem").fetchall()
        return {problem: (score, max_score) for problem, score, max_score in rows}

    # -- hints -------------------------------------------------------------------------------

    def hints_shown(self, problem: str) -> int:
        """How many hints of `problem` the user has already seen."""
        row = self.db.execute("SELECT shown FROM hints WHERE problem = ?", (problem,)).fetchone()
        return row[0] if row else 0

    def take_hint(self, problem: str, available: int) -> int:
        """Count one more hint seen (at most `available`); return the 1-based hint number."""
        with self._writing() as db:
            row = db.execute("SELECT shown FROM hints WHERE problem = ?", (problem,)).fetchone()
            shown = min((row[0] if row else 0) + 1, available)
            db.execute("INSERT INTO hints VALUES (?, ?) ON CONFLICT(problem) "
                       "DO UPDATE SET shown = excluded.shown", (problem, shown))
        return shown

    def reset_hints(self, problem: str) -> None:
        """Start the hints of `problem` from the first again."""
        with self._writing() as db:
            db.execute("DELETE FROM hints WHERE problem = ?", (problem,))


def open_records(home: Path | None = None) -> Records:
    """The user's score database under $REGQUIZ_HOME (or the platform's data folder)."""
    return Records((home or regquiz_home()) / DB_NAME)


def _records_error(path: Path, exc: sqlite3.DatabaseError) -> RecordsError:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return RecordsError(f"the score database {path} is damaged ({text}); it was left as "
                            "it is: move it aside to start a new history, or restore a backup "
                            f"({path.name}.v*.bak) if there is one")
    if "readonly" in text or "unable to open" in text or "disk I/O" in text:
        return RecordsError(f"cannot write the score database {path} ({text}); make it "
                            "writable or set REGQUIZ_HOME to a writable folder")
    return RecordsError(f"the score database {path} cannot be used: {text}")
