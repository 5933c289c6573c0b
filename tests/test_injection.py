"""Nothing a student writes reaches the instructor as live HTML or a spreadsheet formula.

* markdown (tests/students/attacks/inject_markdown.md: a `<script>`, an `onerror=`, a
  `javascript:` link) added to a submitted nbgrader notebook is inert in the HTML that
  nbgrader's own formgrade and feedback templates render, after a real autograde;
* `grade --feedback` escapes everything the student wrote;
* `grade --csv` defuses a submission folder named like a formula, in a real batch.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, STUDENTS
from regquiz.cli import cli

ATTACK = (STUDENTS / "attacks" / "inject_markdown.md").read_text(encoding="utf-8")
ASSIGNMENT = "inject"
SOLUTION = REPO / "solutions" / "problem2.py"


def live_html(html: str) -> list[str]:
    """What of the attack would run in a browser: its script, onerror= and javascript: link."""
    found = re.findall(r"<script[^>]*>[^<]*pwned", html, flags=re.IGNORECASE)
    found += re.findall(r"<img[^>]*\sonerror\s*=", html, flags=re.IGNORECASE)
    found += re.findall(r"<a[^>]*href=[\"']?javascript:", html, flags=re.IGNORECASE)
    return found


def render(notebook: object, template: str) -> str:
    """The HTML nbgrader's own formgrade/feedback template makes of `notebook`."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = template
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    config.HTMLExporter.sanitize_html = True
    resources = {"assignment_id": ASSIGNMENT, "notebook_id": "problem2", "submission_id": "x",
                 "index": 0, "total": 1, "base_url": "", "student": "s", "last_name": "S",
                 "first_name": "S", "notebook_path": "problem2.ipynb",
                 "nbgrader": {"notebook": "problem2", "assignment": ASSIGNMENT, "student": "s"}}
    html, _ = HTMLExporter(config=config).from_notebook_node(notebook, resources=resources)
    return str(html)


def markdown_notebook(text: str) -> object:
    import nbformat.v4 as nbf

    return nbf.new_notebook(cells=[nbf.new_markdown_cell(text)])


def test_nbgraders_formgrade_template_alone_would_serve_the_script() -> None:
    """Why regquiz escapes: sanitize_html does not reach nbgrader's markdown blocks.

    (The feedback template needs nbgrader's static files: generate_feedback renders it
    for real below.)
    """
    pytest.importorskip("nbgrader")
    from regquiz.instructor.nbgrader_autograde import inert_markdown

    template = "formgrade"
    raw = render(markdown_notebook(ATTACK), template)
    assert live_html(raw), "nbgrader now sanitizes markdown itself: revisit inert_markdown"
    assert live_html(render(markdown_notebook(inert_markdown(ATTACK)), template)) == []


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course exported, released, submitted (with the attack's markdown) and autograded."""
    pytest.importorskip("nbgrader")
    root = tmp_path_factory.mktemp("course")
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"],
               REGQUIZ_HOME=str(tmp_path_factory.mktemp("home")))

    def run(*args: str) -> None:
        done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=900, check=False)
        assert done.returncode == 0, done.stderr[-3000:]

    run(sys.executable, "-m", "regquiz", "nbgrader", str(root), "--assignment", ASSIGNMENT)
    run(sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    source = json.loads((root / "source" / ASSIGNMENT / "problem2.ipynb").read_text())
    for name, attack in (("mallory", True), ("alice", False)):
        notebook = json.loads(json.dumps(source))
        solutions = [c for c in notebook["cells"]
                     if c["metadata"].get("nbgrader", {}).get("solution")]
        for number, cell in enumerate(solutions):
            cell["source"] = SOLUTION.read_text() if number == 0 else ""
        if attack:
            notebook["cells"].insert(1, {"cell_type": "markdown", "metadata": {},
                                         "source": ATTACK})
            statement = notebook["cells"][0]  # a locked cell, edited: restored, not escaped
            statement["source"] = ATTACK
        folder = root / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "problem2.ipynb").write_text(json.dumps(notebook))
    run(sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force")
    run(sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force")
    return root


@pytest.mark.slow
def test_student_markdown_is_inert_in_formgrader_and_feedback(graded_course: Path) -> None:
    import nbformat

    graded = graded_course / "autograded" / "mallory" / ASSIGNMENT / "problem2.ipynb"
    notebook = nbformat.read(str(graded), as_version=4)
    assert "&lt;script&gt;" in notebook.cells[1].source  # shown as text, not dropped
    assert "<script" not in notebook.cells[0].source  # the locked statement is the instructor's
    assert live_html(render(notebook, "formgrade")) == []
    feedback = graded_course / "feedback" / "mallory" / ASSIGNMENT / "problem2.html"
    html = feedback.read_text(encoding="utf-8")
    assert "pwned-by-script" in html and live_html(html) == []


@pytest.mark.slow
def test_the_honest_classmate_keeps_full_marks_and_the_seed_stays_in_the_course(
        graded_course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded_course / 'gradebook.db'}") as gradebook:
        for student in ("alice", "mallory"):
            [notebook] = [nb for nb in gradebook.find_submission(ASSIGNMENT, student).notebooks
                          if nb.name == "problem2"]
            assert notebook.score == notebook.max_score > 0, student
    seed = json.loads((graded_course / ".regquiz" / f"{ASSIGNMENT}.json").read_text())["seed"]
    for released in (graded_course / "release" / ASSIGNMENT).glob("*.ipynb"):
        text = released.read_text(encoding="utf-8")
        assert "seed" not in text, released.name
    assert str(seed) not in (graded_course / "release" / ASSIGNMENT / "problem2.ipynb").read_text()
    assert not (graded_course / "release" / ASSIGNMENT / ".regquiz").exists()


def test_feedback_files_escape_what_the_student_wrote(tmp_path: Path) -> None:
    pytest.importorskip("nbconvert")
    from nbconvert.filters import markdown2html

    name = '<img src=x onerror="alert(1)">'
    folder = tmp_path / name.replace("/", "_")
    folder.mkdir()
    (folder / "problem2.py").write_text(
        "raise ValueError('<script>document.title = \"pwned\"</script> "
        "<img src=x onerror=alert(1)>')\n")
    out = tmp_path / "feedback"
    result = CliRunner().invoke(cli, ["grade", str(folder), "--problem", "problem2",
                                      "--feedback", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output
    [written] = out.glob("*.md")
    html = markdown2html(written.read_text(encoding="utf-8"))
    assert "onerror" in html  # the text is there, as text
    assert live_html(html) == [] and "<script" not in html and "<img" not in html


def test_csv_defuses_a_formula_named_submission_in_a_real_batch(tmp_path: Path) -> None:
    # a folder name cannot hold "/": the issue's =HYPERLINK("http://x","y") as a folder name
    names = ['=HYPERLINK("http:x.example","y")', "+cmd", "-2+3", "@SUM(A1)", "\tTAB", "alice"]
    folders = []
    for name in names:
        folder = tmp_path / name
        folder.mkdir()
        shutil.copyfile(SOLUTION, folder / "problem2.py")
        folders.append(str(folder))
    result = CliRunner().invoke(cli, ["grade", *folders, "--problem", "problem2", "--csv",
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    cells = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http:x.example\",\"y\")" in cells and "alice" in cells
    for row in rows[1:]:
        assert row[0][:1] not in ("=", "+", "-", "@", "\t", "\r"), row
        assert all(cell.lstrip("-").isdigit() for cell in row[1:4]), row  # numbers stay numbers


def test_scores_csv_defuses_text_cells_too() -> None:
    from regquiz.render import scores_csv

    check = {"problem": "problem2", "score": 3, "max_score": 22, "at": "2026-12-04T10:00:00",
             "seed": 7, "passed": False, "file": '=HYPERLINK("http://x.example","y").py'}
    text = scores_csv([check], [])
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert ",3,22," in text  # numbers stay numbers
