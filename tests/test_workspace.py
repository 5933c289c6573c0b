"""The student's own workspace: init copies pristine stubs, reset restores one with a backup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REPO
from regquiz.cli import cli


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def one_line(result: Result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_init_copies_the_pristine_stubs_and_keeps_existing_files(tmp_path: Path) -> None:
    home = tmp_path / "regularization"
    result = run("init", str(home))
    assert result.exit_code == 0, result.output
    for number in range(1, 6):
        name = f"problem{number}.py"
        assert (home / "exercises" / name).read_bytes() == (REPO / "exercises" / name).read_bytes()
    (home / "exercises" / "problem2.py").write_text("# my work\n", encoding="utf-8")
    again = run("init", str(home))
    assert again.exit_code == 0 and "kept 5 existing file(s)" in again.output
    assert (home / "exercises" / "problem2.py").read_text(encoding="utf-8") == "# my work\n"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_init_into_the_course_clone_is_one_line_exit_2(force: list[str]) -> None:
    before = (REPO / "exercises" / "problem1.py").read_bytes()
    result = run("init", str(REPO), *force)
    assert result.exit_code == 2
    assert "elsewhere" in one_line(result)
    assert (REPO / "exercises" / "problem1.py").read_bytes() == before


def test_init_never_copies_an_edited_stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited = tmp_path / "package-stubs"
    edited.mkdir()
    for path in (REPO / "exercises").glob("problem*.py"):
        (edited / path.name).write_bytes(path.read_bytes())
    text = (edited / "problem3.py").read_text(encoding="utf-8")
    (edited / "problem3.py").write_text(text.replace(
        'raise NotImplementedError("dropout_backward', 'return grad_out  # ("dropout_backward'),
        encoding="utf-8")
    monkeypatch.setattr("regquiz.workspace.stubs_dir", lambda: edited)
    result = run("init", str(tmp_path / "ws"))
    assert result.exit_code == 3
    assert "has been edited" in one_line(result) and "dropout_backward" in result.stderr
    assert not list((tmp_path / "ws" / "exercises").glob("*.py"))


def test_reset_asks_keeps_a_backup_and_restores_the_stub(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    run("init", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "exercises" / "problem2.py"
    mine.write_text("# attempt 1\n", encoding="utf-8")
    refused = run("reset", "problem2", input="n\n")
    assert refused.exit_code == 1 and "nothing was changed" in refused.output
    assert mine.read_text(encoding="utf-8") == "# attempt 1\n"
    confirmed = run("reset", "problem2", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert mine.read_bytes() == (REPO / "exercises" / "problem2.py").read_bytes()
    assert (tmp_path / "exercises" / "problem2.py.bak").read_text(encoding="utf-8") == "# attempt 1\n"
    mine.write_text("# attempt 2\n", encoding="utf-8")
    quiet = run("reset", "problem2", "--yes")
    assert quiet.exit_code == 0 and "problem2.py.bak2" in quiet.output
    assert (tmp_path / "exercises" / "problem2.py.bak").read_text(encoding="utf-8") == "# attempt 1\n"
    assert (tmp_path / "exercises" / "problem2.py.bak2").read_text(encoding="utf-8") == "# attempt 2\n"


@pytest.mark.parametrize(("args", "words"), [(["reset", "problm2", "--yes"], "did you mean problem2?"),
                                             (["reset", "problem2", "--yes"], "regquiz init")])
def test_reset_usage_errors_are_one_line_exit_2(args: list[str], words: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2 and words in one_line(result)


def test_hint_reset_says_what_it_reset_and_scores_json_lists_the_hints_seen() -> None:
    run("hint", "problem2", "soft_threshold")
    run("hint", "problem2", "soft_threshold")
    payload = json.loads(run("scores", "--json").stdout)
    assert payload["hints"] == [{"problem": "problem2", "function": "soft_threshold",
                                 "rungs_seen": 2, "rungs": 3}]
    one = run("hint", "problem2", "soft_threshold", "--reset").stdout
    assert "Reset the hints of soft_threshold" in one and "Hint 1 of" in one
    every = run("hint", "problem2", "--reset").stdout
    assert "every function of problem2 (soft_threshold, l1_l2_scalar_optimum, lasso_ista)" in every


def test_watch_says_press_h_for_the_next_rung() -> None:
    from regquiz.hints import HintShown
    from regquiz.manifest import load_manifest
    from regquiz.render import hint_text

    problem = load_manifest().problem("problem2")
    shown = HintShown(problem, "soft_threshold", 1, False, "")
    assert "Press h for the next hint." in hint_text(shown, in_watch=True)
    assert "Press h" not in hint_text(shown)
