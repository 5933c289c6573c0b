"""The score database: numbered migrations that keep history, backups, concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from regquiz import records
from regquiz.errors import RecordsError
from regquiz.records import MIGRATIONS, SCHEMA_VERSION, open_records
from regquiz.results import CheckResult, TestResult


def _result(score: int, seed: int = 1) -> CheckResult:
    tests = (TestResult("a", "pass" if score else "fail", score, 2, ""),)
    return CheckResult("problem2", "title", seed, "exercises/problem2.py", tests)


def test_blank_database_gets_every_migration(regquiz_home: Path) -> None:
    with open_records() as opened:
        names = opened.db.execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
        version = opened.db.execute("PRAGMA user_version").fetchone()[0]
    assert [number for number, _ in names] == [number for number, _, _ in records.MIGRATIONS]
    assert version == SCHEMA_VERSION


def test_older_schema_is_migrated_with_rows_intact_and_a_backup(
        regquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_records() as opened:
        opened.record_check(_result(2, seed=11))
        opened.record_check(_result(0, seed=12))
    added = (SCHEMA_VERSION + 1, "add a note column",
             lambda db: db.execute("ALTER TABLE checks ADD COLUMN note TEXT"))
    monkeypatch.setattr(records, "MIGRATIONS", [*records.MIGRATIONS, added])
    monkeypatch.setattr(records, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with open_records() as opened:
        assert [c["seed"] for c in opened.checks()] == [11, 12]
        assert opened.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert "note" in [row[1] for row in opened.db.execute("PRAGMA table_info(checks)")]
    backup = regquiz_home / f"regquiz.db.v{SCHEMA_VERSION}.bak"
    with sqlite3.connect(backup) as db:
        assert db.execute("SELECT seed FROM checks ORDER BY id").fetchall() == [(11,), (12,)]


def test_database_from_a_newer_release_is_refused_not_rewritten(regquiz_home: Path) -> None:
    with open_records() as opened:
        opened.record_check(_result(2))
        opened.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = (regquiz_home / "regquiz.db").read_bytes()
    with pytest.raises(RecordsError, match="newer regquiz"):
        open_records()
    assert (regquiz_home / "regquiz.db").read_bytes() == before


def _writer(home: str, count: int, offset: int) -> None:
    with open_records(Path(home)) as opened:
        for index in range(count):
            opened.record_check(_result(index % 3, seed=offset + index))


def test_concurrent_writers_lose_nothing(regquiz_home: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(regquiz_home), 25, 1000 * n))
               for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with open_records() as opened:
        seeds = sorted(check["seed"] for check in opened.checks())
    assert seeds == sorted(1000 * n + i for n in range(4) for i in range(25))


def test_hint_rungs_count_up_per_function_and_reset(regquiz_home: Path) -> None:
    with open_records() as opened:
        assert [opened.take_rung("problem1", "sgd_l2_step", 3) for _ in range(5)] == [1, 2, 3, 3, 3]
        assert opened.take_rung("problem1", "adamw_step", 3) == 1
        assert opened.rungs_seen("problem1") == {"sgd_l2_step": 3, "adamw_step": 1}
        assert opened.hints_shown("problem1") == 4
        opened.reset_hints("problem1", "adamw_step")
        assert opened.rungs_seen("problem1") == {"sgd_l2_step": 3}
        opened.reset_hints("problem1")
        assert opened.hints_shown("problem1") == 0


def test_migrations_build_a_blank_database_to_the_latest_schema(regquiz_home: Path) -> None:
    from regquiz.records import MIGRATIONS, SCHEMA_VERSION

    with open_records() as opened:
        applied = opened.db.execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
        tables = {row[0] for row in opened.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert applied == [(number, name) for number, name, _ in MIGRATIONS]
    assert SCHEMA_VERSION == 4 and {"checks", "hints", "quiz_attempts", "hint_rungs"} <= tables


def test_a_version_2_database_gains_hint_rungs_and_keeps_its_rows(regquiz_home: Path) -> None:
    import sqlite3

    from regquiz.records import MIGRATIONS

    regquiz_home.mkdir(parents=True)
    database = regquiz_home / "regquiz.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                   "applied_at TEXT NOT NULL)")
        for number, name, migrate in MIGRATIONS[:2]:
            migrate(db)
            db.execute("INSERT INTO migrations VALUES (?, ?, 'then')", (number, name))
        db.execute("INSERT INTO checks (problem, score, max_score, passed, seed, file, at, tests) "
                   "VALUES ('problem2', 5, 22, 0, 9, 'x.py', '2026-01-01T00:00:00+00:00', "
                   "'[{\"name\": \"soft_threshold_examples\", \"status\": \"pass\"}]')")
        db.execute("INSERT INTO hints VALUES ('problem2', 2)")
        db.execute("PRAGMA user_version = 2")
    with open_records() as opened:
        assert [c["seed"] for c in opened.checks()] == [9]
        assert opened.latest_statuses("problem2") == {"soft_threshold_examples": "pass"}
        assert opened.rungs_seen("problem2") == {}
        assert opened.take_rung("problem2", "lasso_ista", 3) == 1
        assert opened.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with sqlite3.connect(regquiz_home / "regquiz.db.v2.bak") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("SELECT shown FROM hints").fetchall() == [(2,)]


def test_a_version_3_database_keeps_its_quiz_answers_and_records_the_shown_order(
        regquiz_home: Path) -> None:
    """Migration 4: answers given before shuffling was the default read as the file's order."""
    import json as _json

    from click.testing import CliRunner

    from regquiz.cli import cli

    regquiz_home.mkdir(parents=True)
    database = regquiz_home / "regquiz.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                   "applied_at TEXT NOT NULL)")
        for number, name, migrate in MIGRATIONS[:3]:
            migrate(db)
            db.execute("INSERT INTO migrations VALUES (?, ?, 'then')", (number, name))
        db.execute("INSERT INTO quiz_attempts (quiz, quiz_version, quiz_digest, mode, seed, "
                   "started_at, max_score, score, complete) VALUES ('regularization', 1, 'abc', "
                   "'question', NULL, '2026-01-01T00:00:00+00:00', 1, 1, 1)")
        db.execute("INSERT INTO quiz_answers VALUES (1, 0, 'q2', 'B', 1, 'B', "
                   "'2026-01-01T00:00:01+00:00')")
        db.execute("PRAGMA user_version = 3")
    CliRunner().invoke(cli, ["quiz", "--question", "1", "--seed", "3"], input="a\n")
    with open_records() as opened:
        assert opened.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 4
        old, new = opened.quiz_attempts()
    assert old["answers"][0]["answer"] == "B" and old["answers"][0]["shown_order"] is None
    assert old["quiz_version"] == 1
    order = new["answers"][0]["shown_order"]
    assert order is not None and sorted(order) == list("ABCD") and new["seed"] == 3
    assert (regquiz_home / "regquiz.db.v3.bak").is_file()
    assert _json.loads(CliRunner().invoke(cli, ["scores", "--json"]).stdout)["quiz_attempts"]
