"""`regquiz grade --similarity`: copied code is flagged, independent code and the stub are not."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from conftest import REPO, STUDENTS
from regquiz.cli import cli
from regquiz.instructor.similarity import PACKAGE_TO, find_alike, fingerprints

SOLUTION = (REPO / "solutions" / "problem2.py").read_text()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["grade", *args])


def folder_with(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for filename, text in files.items():
        (folder / filename).write_text(text)
    return folder


def renamed(code: str) -> str:
    """The same code with its own names and comments changed: what a copier does."""
    code = re.sub(r"\bmu\b", "values", code)
    code = re.sub(r"\blam\b", "strength", code)
    return re.sub(r"#[^\n]*", "# my own work", code)


def test_a_renamed_copy_is_flagged_both_ways_with_its_lines(tmp_path: Path) -> None:
    alice = folder_with(tmp_path, "alice", {"problem2.py": SOLUTION})
    bob = folder_with(tmp_path, "bob", {"problem2.py": renamed(SOLUTION)})
    carol = folder_with(tmp_path, "carol", {
        "problem2.py": (STUDENTS / "problem2" / "correct_np_where.py").read_text()})
    result = run(str(alice), str(bob), str(carol), "--problem", "problem2", "--similarity",
                 "--json", "--seed", "1")
    payload = {Path(item["submission"]).name: item for item in json.loads(result.stdout)}
    to_bob = [a for a in payload["alice"]["similar"] if a["to"] == "bob"]
    to_alice = [a for a in payload["bob"]["similar"] if a["to"] == "alice"]
    assert len(to_bob) == len(to_alice) == 1
    assert to_bob[0]["problem"] == "problem2" and 0.9 <= to_bob[0]["score"] <= 1
    assert to_bob[0]["lines"] and to_bob[0]["to_lines"] == to_alice[0]["lines"]
    assert not [a for a in payload["carol"]["similar"] if a["to"] != PACKAGE_TO]
    assert payload["carol"]["similar"] == []  # an independent correct solution
    table = run(str(alice), str(bob), str(carol), "--problem", "problem2", "--similarity")
    assert "alice: problem2: alike bob (" in table.stdout
    assert "bob: problem2: alike alice (" in table.stdout and "carol:" not in table.stdout
    csv_text = run(str(alice), str(bob), "--problem", "problem2", "--similarity", "--csv").stdout
    assert "alike bob" in csv_text and "alike alice" in csv_text


def test_untouched_stubs_are_never_alike(tmp_path: Path) -> None:
    stub = (REPO / "exercises" / "problem2.py").read_text()
    folders = [folder_with(tmp_path, name, {"problem2.py": stub}) for name in ("s1", "s2", "s3")]
    result = run(*map(str, folders), "--problem", "problem2", "--similarity", "--json")
    assert [item["similar"] for item in json.loads(result.stdout)] == [[], [], []]


def test_code_lifted_from_the_package_is_flagged(tmp_path: Path) -> None:
    formulas = (REPO / "grader" / "plots" / "formulas.py").read_text()
    lifted = formulas[:formulas.index("def soft_threshold")]  # problem1's closed forms
    dan = folder_with(tmp_path, "dan", {"problem1.py": lifted})
    own = folder_with(tmp_path, "own", {
        "problem1.py": (STUDENTS / "problem1" / "correct_loops.py").read_text()})
    result = run(str(dan), str(own), "--problem", "problem1", "--similarity", "--json")
    dan_found, own_found = (item["similar"] for item in json.loads(result.stdout))
    [shipped] = [a for a in dan_found if a["to"] == PACKAGE_TO]
    assert shipped["problem"] == "problem1" and 0.6 <= shipped["score"] <= 1 and shipped["lines"]
    assert not [a for a in own_found if a["to"] == PACKAGE_TO]
    assert "the code shipped in the students' package" in run(
        str(dan), "--problem", "problem1", "--similarity").stdout


def test_without_similarity_there_is_no_similar_key(tmp_path: Path) -> None:
    alice = folder_with(tmp_path, "alice", {"problem2.py": SOLUTION})
    [item] = json.loads(run(str(alice), "--problem", "problem2", "--json").stdout)
    assert "similar" not in item


def test_fingerprints_survive_text_that_is_not_python() -> None:
    broken = fingerprints("def f(x):\n    return x + 1 + 2 + 3 + 4 + 5\n  '''unterminated")
    assert broken.spans  # compared up to where it stops being Python
    assert len(fingerprints("\0" * 10).spans) <= 1  # no exception, next to nothing
    found = find_alike([{"problem2": "x = ("}, {"problem2": "x = ("}], ["a", "b"],
                       {"problem2": ""}, set())
    assert found == [[], []]  # too little code to call anything alike


def test_similarity_reads_notebooks_as_their_code(tmp_path: Path) -> None:
    cells = [{"cell_type": "code", "source": SOLUTION, "metadata": {}, "outputs": [],
              "execution_count": None}]
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    nb = folder_with(tmp_path, "nb", {"problem2.ipynb": notebook})
    py = folder_with(tmp_path, "py", {"problem2.py": renamed(SOLUTION)})
    result = run(str(nb), str(py), "--problem", "problem2", "--similarity", "--json")
    first, _ = json.loads(result.stdout)
    assert [a["to"] for a in first["similar"] if a["to"] != PACKAGE_TO] == ["py"]
    shutil.rmtree(nb)
