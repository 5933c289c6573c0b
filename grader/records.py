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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import RecordsError
from .paths import regquiz_home
from .results import CheckResult

DB_NAME = "regquiz.db"


@dataclass(frozen=True)
class AttemptInfo:
    """What identifies a quiz attempt: the quiz, its wording, how it was taken and when."""

    quiz: str
    version: int
    digest: str
    mode: str  # "full", "question" (--question N) or "review" (--review)
    seed: int | None
    started_at: str
    max_score: int


@dataclass(frozen=True)
class AnswerRecord:
    """One answered question, in the file's letters."""

    question: str
    answer: str
    correct: bool
    correct_answer: str
    answered_at: str
    shown_order: str | None = None  # the file letters in the order shown (None: the file's)


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


def _create_quiz_attempts(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE quiz_attempts (
        id INTEGER PRIMARY KEY,
        quiz TEXT NOT NULL,
        quiz_version INTEGER NOT NULL,
        quiz_digest TEXT NOT NULL,
        mode TEXT NOT NULL,
        seed INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration REAL,
        score INTEGER NOT NULL DEFAULT 0,
        max_score INTEGER NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0)""")
    db.execute("CREATE INDEX quiz_attempts_quiz ON quiz_attempts(quiz)")
    db.execute("""CREATE TABLE quiz_answers (
        attempt INTEGER NOT NULL REFERENCES quiz_attempts(id),
        position INTEGER NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        correct INTEGER NOT NULL,
        correct_answer TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (attempt, position))""")


def _create_hint_rungs(db: sqlite3.Connection) -> None:
    # One row per rung of a function's hint ladder that the user has seen.  The old `hints`
    # table counted one ladder per problem; those ladders are gone, so its rows stay unread.
    db.execute("""CREATE TABLE hint_rungs (
        problem TEXT NOT NULL,
        function TEXT NOT NULL,
        rung INTEGER NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (problem, function, rung))""")


def _add_shown_order(db: sqlite3.Connection) -> None:
    # Quiz options are shuffled by default: each answer keeps the order it was shown in, so a
    # shuffled attempt can be read back (NULL for older answers: the file's order).
    db.execute("ALTER TABLE quiz_answers ADD COLUMN shown_order TEXT")


# Append only: never edit or reorder an entry that has been released.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "create checks and hints", _create_checks_and_hints),
    (2, "create quiz attempts and answers", _create_quiz_attempts),
    (3, "create hint rungs per function", _create_hint_rungs),
    (4, "quiz answers keep the order their options were shown in", _add_shown_order),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
_ANSWER_COLUMNS = ("attempt, position, question, answer, correct, correct_answer, answered_at, "
                   "shown_order")


def now() -> str:
    """The current UTC time as an ISO 8601 string (milliseconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


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

    # -- quiz attempts -----------------------------------------------------------------------

    def start_attempt(self, attempt: AttemptInfo) -> int:
        """Open an attempt (incomplete until finish_attempt); return its id."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO quiz_attempts (quiz, quiz_version, quiz_digest, mode, seed, "
                "started_at, max_score) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (attempt.quiz, attempt.version, attempt.digest, attempt.mode, attempt.seed,
                 attempt.started_at, attempt.max_score))
        return int(cursor.lastrowid or 0)

    def record_answer(self, attempt_id: int, answer: AnswerRecord) -> None:
        """Add one answer to an open attempt and count it in the attempt's score."""
        with self._writing() as db:
            position = db.execute("SELECT COUNT(*) FROM quiz_answers WHERE attempt = ?",
                                  (attempt_id,)).fetchone()[0]
            db.execute(f"INSERT INTO quiz_answers ({_ANSWER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (attempt_id, position, answer.question, answer.answer,
                        int(answer.correct), answer.correct_answer, answer.answered_at,
                        answer.shown_order))
            db.execute("UPDATE quiz_attempts SET score = score + ? WHERE id = ?",
                       (int(answer.correct), attempt_id))

    def finish_attempt(self, attempt_id: int, *, finished_at: str, duration: float,
                       complete: bool = True) -> None:
        """Close an attempt: its end time, duration and whether every question was answered."""
        with self._writing() as db:
            db.execute("UPDATE quiz_attempts SET finished_at = ?, duration = ?, complete = ? "
                       "WHERE id = ?", (finished_at, round(duration, 3), int(complete), attempt_id))

    def record_attempt(self, attempt: AttemptInfo, answers: list[AnswerRecord], *,
                       finished_at: str, duration: float) -> int:
        """Record a whole attempt in one transaction (non-interactive answers)."""
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO quiz_attempts (quiz, quiz_version, quiz_digest, mode, seed, "
                "started_at, finished_at, duration, score, max_score, complete) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt.quiz, attempt.version, attempt.digest, attempt.mode, attempt.seed,
                 attempt.started_at, finished_at, round(duration, 3),
                 sum(a.correct for a in answers), attempt.max_score,
                 int(len(answers) == attempt.max_score)))
            attempt_id = int(cursor.lastrowid or 0)
            db.executemany(f"INSERT INTO quiz_answers ({_ANSWER_COLUMNS}) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(attempt_id, position, a.question, a.answer, int(a.correct),
                             a.correct_answer, a.answered_at, a.shown_order)
                            for position, a in enumerate(answers)])
        return attempt_id

    def quiz_attempts(self, quiz: str | None = None) -> list[dict[str, Any]]:
        """Every recorded attempt (of `quiz`, or of all), oldest first, with its answers."""
        where, params = ("WHERE quiz = ?", (quiz,)) if quiz else ("", ())
        rows = self.db.execute(
            "SELECT id, quiz, quiz_version, quiz_digest, mode, seed, started_at, finished_at, "
            f"duration, score, max_score, complete FROM quiz_attempts {where} ORDER BY id",
            params).fetchall()
        answers: dict[int, list[dict[str, Any]]] = {}
        for attempt, question, answer, correct, correct_answer, at, order in self.db.execute(
                "SELECT attempt, question, answer, correct, correct_answer, answered_at, "
                "shown_order FROM quiz_answers ORDER BY attempt, position"):
            answers.setdefault(attempt, []).append(
                {"id": question, "answer": answer, "correct": bool(correct),
                 "correct_answer": correct_answer, "answered_at": at, "shown_order": order})
        return [{"quiz": q, "score": score, "max_score": max_score, "complete": bool(complete),
                 "started_at": started, "finished_at": finished, "duration": duration,
                 "mode": mode, "seed": seed, "quiz_version": version, "quiz_digest": digest,
                 "answers": answers.get(attempt_id, [])}
                for (attempt_id, q, version, digest, mode, seed, started, finished, duration,
                     score, max_score, complete) in rows]

    def best_quiz_scores(self) -> dict[str, tuple[int, int]]:
        """quiz id -> (best score, max score) over complete attempts of the whole quiz."""
        rows = self.db.execute("SELECT quiz, MAX(score), max_score FROM quiz_attempts "
                               "WHERE complete = 1 AND mode = 'full' GROUP BY quiz").fetchall()
        return {quiz: (score, max_score) for quiz, score, max_score in rows}

    def last_answers(self, quiz: str) -> dict[str, bool]:
        """question id -> whether its most recent recorded answer (in any attempt) was right."""
        rows = self.db.execute(
            "SELECT a.question, a.correct FROM quiz_answers a JOIN quiz_attempts t "
            "ON a.attempt = t.id WHERE t.quiz = ? ORDER BY a.answered_at, t.id, a.position",
            (quiz,)).fetchall()
        return {question: bool(correct) for question, correct in rows}

    def latest_scores(self) -> dict[str, tuple[int, int, bool]]:
        """problem id -> (score, max score, passed) of its latest recorded check."""
        rows = self.db.execute("SELECT problem, score, max_score, passed FROM checks WHERE id IN "
                               "(SELECT MAX(id) FROM checks GROUP BY problem)").fetchall()
        return {problem: (score, max_score, bool(passed)) for problem, score, max_score, passed in rows}

    def latest_statuses(self, problem: str) -> dict[str, str] | None:
        """check name -> status in the latest recorded check of `problem`, or None."""
        row = self.db.execute("SELECT tests FROM checks WHERE problem = ? ORDER BY id DESC "
                              "LIMIT 1", (problem,)).fetchone()
        if row is None:
            return None
        try:
            return {str(test["name"]): str(test["status"]) for test in json.loads(row[0])}
        except (ValueError, TypeError, KeyError):
            return None

    def all_statuses(self, problem: str) -> list[dict[str, str]]:
        """check name -> status, for every recorded check of `problem`, oldest first."""
        rows = self.db.execute("SELECT tests FROM checks WHERE problem = ? ORDER BY id",
                               (problem,)).fetchall()
        out = []
        for (tests,) in rows:
            try:
                out.append({str(test["name"]): str(test["status"]) for test in json.loads(tests)})
            except (ValueError, TypeError, KeyError):
                continue
        return out

    # -- hints -------------------------------------------------------------------------------

    def rungs_seen(self, problem: str) -> dict[str, int]:
        """function -> the highest rung of its hint ladder the user has seen (1-based)."""
        rows = self.db.execute("SELECT function, MAX(rung) FROM hint_rungs WHERE problem = ? "
                               "GROUP BY function", (problem,)).fetchall()
        return {function: int(rung) for function, rung in rows}

    def hints_shown(self, problem: str) -> int:
        """How many rungs of `problem`'s hint ladders the user has seen, all functions together."""
        return sum(self.rungs_seen(problem).values())

    def take_rung(self, problem: str, function: str, available: int) -> int:
        """Record the next rung of `function`'s ladder as seen (at most `available`); return it."""
        with self._writing() as db:
            row = db.execute("SELECT MAX(rung) FROM hint_rungs WHERE problem = ? AND function = ?",
                             (problem, function)).fetchone()
            rung = min((row[0] or 0) + 1, available)
            db.execute("INSERT OR IGNORE INTO hint_rungs VALUES (?, ?, ?, ?)",
                       (problem, function, rung, now()))
        return rung

    def forget_rung(self, problem: str, function: str, rung: int) -> None:
        """Take back one rung recorded as seen (it could not be shown after all)."""
        with self._writing() as db:
            db.execute("DELETE FROM hint_rungs WHERE problem = ? AND function = ? AND rung = ?",
                       (problem, function, rung))

    def reset_hints(self, problem: str, function: str | None = None) -> None:
        """Start the hint ladders of `problem` (or of one of its functions) from the first rung."""
        with self._writing() as db:
            if function is None:
                db.execute("DELETE FROM hint_rungs WHERE problem = ?", (problem,))
            else:
                db.execute("DELETE FROM hint_rungs WHERE problem = ? AND function = ?",
                           (problem, function))


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
