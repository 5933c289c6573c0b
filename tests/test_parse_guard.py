"""Every parse of a submission is guarded: a hostile file costs its own submission only.

Each notebook of tests/students/attacks/inject_notebooks/ (and the generated ones below:
nested a million deep, over the size cap, a FIFO) is graded as `problem2.ipynb` in one
batch beside honest classmates, who keep full marks.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.errors import BadSubmission
from regquiz.instructor.grading import grade_batch
from regquiz.submission import (MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_DEPTH, nesting_depth,
                                notebook_code)

HOSTILE = STUDENTS / "attacks" / "inject_notebooks"
FILES = sorted(HOSTILE.glob("*.ipynb"))
SOLUTION = REPO / "solutions" / "problem2.py"


def _honest_notebook() -> str:
    code = SOLUTION.read_text(encoding="utf-8")
    return json.dumps({"cells": [{"cell_type": "markdown", "source": "<b>mine</b>"},
                                 {"cell_type": "code", "source": code.splitlines(True),
                                  "metadata": {}}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _generated(root: Path) -> dict[str, Path]:
    """Hostile notebooks too big to keep as files: a very deep one, an oversized one, a FIFO."""
    made = {}
    deep = root / "million_deep.ipynb"
    deep.write_text('{"cells": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}")
    made["million_deep"] = deep
    huge = root / "huge.ipynb"
    with open(huge, "wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_NOTEBOOK_BYTES + 1)
    made["huge"] = huge
    if hasattr(os, "mkfifo"):
        fifo = root / "fifo.ipynb"
        os.mkfifo(fifo)
        made["fifo"] = fifo
    return made


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_hostile_notebook_is_one_bad_submission(path: Path) -> None:
    with pytest.raises(BadSubmission, match="not a readable Jupyter notebook"):
        notebook_code(path)


def test_nesting_is_measured_before_parsing() -> None:
    assert nesting_depth(b'{"a": [1, [2]], "s": "[[[[\\"[[{{"}') == 3
    assert nesting_depth(b"[" * 10_000) == MAX_NOTEBOOK_DEPTH + 1  # stops counting early


def test_hostile_notebooks_cost_only_their_own_submission(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    root = tmp_path / "subs"
    hostile: dict[str, Path] = {}
    sources = {path.stem: path for path in FILES}
    generated = tmp_path / "generated"
    generated.mkdir()
    sources.update(_generated(generated))
    for name, source in sources.items():
        folder = root / name
        folder.mkdir(parents=True)
        if source.suffix == ".ipynb" and not source.is_fifo():
            shutil.copyfile(source, folder / "problem2.ipynb")
        else:
            os.replace(source, folder / "problem2.ipynb")
        hostile[name] = folder
    honest = []
    for name in ("alice", "bob"):
        folder = root / name
        folder.mkdir()
        (folder / "problem2.ipynb").write_text(_honest_notebook())
        honest.append(folder)
    carol = root / "carol"
    carol.mkdir()
    shutil.copyfile(SOLUTION, carol / "problem2.py")
    honest.append(carol)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    order = [honest[0], *hostile.values(), honest[1], carol]
    results = {Path(r.submission): r for r in grade_batch([str(f) for f in order], ["problem2"],
                                                           seed=5)}
    for folder in honest:
        assert results[folder].passed, results[folder].problems[0].tests
    for name, folder in hostile.items():
        [problem] = results[folder].problems
        assert problem.score == 0, name
        messages = {test.message for test in problem.tests}
        assert len(messages) == 1, name
        [message] = messages
        assert "\n" not in message and len(message) < 400, message
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before
    assert list(scratch.iterdir()) == []  # no workdir left behind


def test_csv_notes_name_the_unreadable_notebook(tmp_path: Path) -> None:
    bad = tmp_path / "mallory"
    bad.mkdir()
    shutil.copyfile(HOSTILE / "source_a_dict.ipynb", bad / "problem2.ipynb")
    deep = tmp_path / "trent"
    deep.mkdir()
    shutil.copyfile(HOSTILE / "deeply_nested.ipynb", deep / "problem2.ipynb")
    good = tmp_path / "alice"
    good.mkdir()
    (good / "problem2.ipynb").write_text(_honest_notebook())
    result = CliRunner().invoke(cli, ["grade", str(good), str(bad), str(deep), "--problem",
                                      "problem2", "--csv", "--workers", "1"])
    assert result.exit_code == 1, result.output
    rows = {row["submission"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["alice"]["total"] == rows["alice"]["max_score"]
    assert rows["mallory"]["total"] == "0"
    assert '"source" is neither a string' in rows["mallory"]["notes"]
    assert f"nested deeper than {MAX_NOTEBOOK_DEPTH}" in rows["trent"]["notes"]


def test_a_huge_python_file_is_refused_before_reading(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "problem2.py", "wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    good = tmp_path / "good"
    good.mkdir()
    shutil.copyfile(SOLUTION, good / "problem2.py")
    results = grade_batch([str(good), str(folder)], ["problem2"], seed=1)
    assert results[0].passed
    assert results[1].score == 0
    assert "bytes" in results[1].problems[0].tests[0].message
