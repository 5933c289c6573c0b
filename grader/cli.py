"""The `regquiz` command: parse, call one library function, print, exit with SPEC §3's code.

Only click and the manifest are imported at start-up; numpy, pytest and the sandbox load
inside the commands that need them.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from .errors import RegquizError, SubmissionNotFound, UsageError
from .manifest import Problem, load_manifest

EXIT_PASSED, EXIT_FAILED, EXIT_BROKEN, EXIT_INTERRUPTED = 0, 1, 3, 130
REPORT_TO = "https://github.com/regquiz/regquiz/issues"


def internal_error(exc: BaseException) -> str:
    """One line for an exception nobody expected: what, where, and where to report it."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    text = " ".join(str(exc).split())[:200]
    return (f"regquiz itself failed: {type(exc).__name__}{': ' + text if text else ''}{where}. "
            f"Nothing was graded or recorded by this step. Please report it (with this line and "
            f"`regquiz --version`) at {REPORT_TO}")


class RegquizGroup(click.Group):
    """Turns RegquizError into one line on stderr and its exit code; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RegquizError as exc:
            click.echo(f"regquiz: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("regquiz: interrupted; nothing was recorded for this run", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - a bug: one line and exit 3, never a traceback
            click.echo(f"regquiz: error: {internal_error(exc)}", err=True)
            ctx.exit(EXIT_BROKEN)


@click.group(cls=RegquizGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="regquiz", prog_name="regquiz")
def cli() -> None:
    """Auto-graded exercises on the mathematics of neural-network regularization.

    Start with `regquiz init`, edit exercises/problemN.py, then `regquiz check problemN`.
    """


@cli.command("list")
def list_problems() -> None:
    """The problems, their points and your best recorded scores."""
    from .records import open_records
    from .render import problem_list

    from .quiz import load_quiz_file, quiz_files

    problems = load_manifest().problems
    quizzes = [load_quiz_file(path) for path in quiz_files()]
    with open_records() as records:
        best = records.best_scores()
        best_quiz = records.best_quiz_scores()
        hints = {problem.id: records.hints_shown(problem.id) for problem in problems}
    click.echo(problem_list(problems, best, hints, quizzes, best_quiz))


@cli.command()
@click.argument("directory", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite stubs that already exist.")
def init(directory: Path, force: bool) -> None:
    """Write the package's pristine stubs to DIRECTORY/exercises (e.g. ~/regularization)."""
    from .workspace import init_workspace

    report = init_workspace(directory, load_manifest().problems, force=force)
    for path in report.written:
        click.echo(f"wrote {path}")
    if report.kept:
        target = report.kept[0].parent
        click.echo(f"kept {len(report.kept)} existing file(s) in {target} (use --force to "
                   "overwrite, or `regquiz reset PROBLEM` for one): "
                   + ", ".join(path.name for path in report.kept))
    where = "" if directory == Path(".") else f"cd {directory}, then "
    click.echo(f"Next: {where}edit exercises/problem1.py and run `regquiz check problem1`.")


@cli.command()
@click.argument("problem")
@click.option("--yes", is_flag=True, help="Do not ask for a confirmation.")
def reset(problem: str, yes: bool) -> None:
    """Restore PROBLEM's stub in the workspace, keeping your file beside it as a backup."""
    from .paths import find_workspace_file
    from .workspace import backup_path, reset_stub

    chosen = load_manifest().problem(problem)
    path = find_workspace_file(chosen.filename)
    if path is None:
        raise SubmissionNotFound(f"no exercises/{chosen.filename} in {Path.cwd()} or its parents; "
                                 "run `regquiz init DIR` to create a workspace")
    if not yes:
        question = (f"Replace {path} with a fresh stub? Your file is kept as "
                    f"{backup_path(path).name}")
        try:
            confirmed = click.confirm(question, default=False)
        except click.Abort:
            confirmed = False
        if not confirmed:
            click.echo("nothing was changed")
            sys.exit(EXIT_FAILED)
    backup = reset_stub(path, chosen)
    kept = f"; your file is kept as {backup}" if backup is not None else ""
    click.echo(f"restored the stub {path}{kept}")


@cli.command()
@click.argument("problem", required=False)
@click.option("--all", "check_all", is_flag=True, help="Check every problem.")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=True),
              help="The file to grade (.py or .ipynb); default exercises/PROBLEM.py.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1),
              help="Replay the random inputs of an earlier run.")
def check(problem: str | None, check_all: bool, file: Path | None, as_json: bool,
          seed: int | None) -> None:
    """Grade your implementation of PROBLEM (or --all) and record the score."""
    from .runner import fresh_seed

    problems = _chosen_problems(problem, check_all, file)
    seed = fresh_seed() if seed is None else seed
    gc.disable()  # a check imports pytest and numpy and lasts seconds: collecting is wasted time
    try:
        results = _grade(problems, file, seed)
        _record(results, as_json)
        _print_results(results, as_json, many=check_all)
    finally:
        gc.enable()
    sys.exit(EXIT_PASSED if all(result.passed for result in results) else EXIT_FAILED)


@cli.command()
@click.argument("problem", required=False)
@click.option("--debounce", "debounce_ms", type=click.IntRange(1, 5000), default=10,
              show_default=True, metavar="MS",
              help="Grade a save once the file has had no other write for MS milliseconds.")
def watch(problem: str | None, debounce_ms: int) -> None:
    """Re-grade PROBLEM's file on every save (default: the first problem not yet passing).

    On a terminal only: a compact screen with the latest scores, the checks of the watched
    problem and keys: h the next hint, n / p the next / previous problem, r re-check,
    q quit.  Every re-check is recorded like a `regquiz check`.
    """
    from .watch import run_watch

    sys.exit(run_watch(problem, debounce_ms=debounce_ms))


@cli.command()
@click.argument("problem")
@click.argument("function", required=False)
@click.option("--reset", is_flag=True, help="Start the function's hints (all, without FUNCTION) again.")
def hint(problem: str, function: str | None, reset: bool) -> None:
    """Show the next hint for FUNCTION of PROBLEM (default: the first not yet passing)."""
    from .hints import next_hint
    from .records import open_records
    from .render import hint_text

    chosen = load_manifest().problem(problem)
    if function is not None:
        chosen.ladder(function)  # an unknown function is a usage error before anything is kept
    with open_records() as records:
        rungs_before = records.rungs_seen(chosen.id)
        shown = next_hint(chosen, function, records, reset=reset)
        if reset:
            which = (f"the hints of {function}" if function is not None else
                     f"the hints of every function of {chosen.id} "
                     f"({', '.join(f.name for f in chosen.functions)})")
            click.echo(f"Reset {which}: they start again from hint 1.")
        try:
            click.echo(hint_text(shown))
        except BaseException:
            # A rung counts as seen only once it is on the screen (a pipe closed early, say)
            if reset or rungs_before.get(shown.function, 0) < shown.rung:
                records.forget_rung(chosen.id, shown.function, shown.rung)
            raise


@cli.command()
@click.argument("problem")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=True),
              help="The file to draw from (.py or .ipynb); default exercises/PROBLEM.py.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Where to write the PNG; default PROBLEM.png beside the exercise.")
@click.option("--reference/--no-reference", default=True, show_default=True,
              help="Draw the reference beside your curves.")
@click.option("--show", is_flag=True, help="Open the PNG in the system's viewer.")
def plot(problem: str, file: Path | None, out: Path | None, reference: bool, show: bool) -> None:
    """Draw what PROBLEM's regularizer does, from your code beside the reference (a PNG).

    Needs the `plots` extra (matplotlib).  Exit 0 when every function could be drawn, 1 when
    one raised, hung or returned the wrong shape (the figure's title names it).
    """
    from .plots import plot_problem

    plotted = plot_problem(problem, file=file, out=out, reference=reference)
    click.echo(str(plotted.path))
    for failure in plotted.failures:
        click.echo(f"regquiz: not drawn: {failure}", err=True)
    if show:
        click.launch(str(plotted.path))
    sys.exit(EXIT_FAILED if plotted.failures else EXIT_PASSED)


@cli.command()
@click.argument("submissions", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per submission.")
@click.option("--csv", "as_csv", is_flag=True, help="A row per submission, a column per problem.")
@click.option("--gradescope", is_flag=True, help="Gradescope's results.json (one submission).")
@click.option("--out", type=click.Path(path_type=Path),
              help="Write the output to FILE instead of stdout.")
@click.option("--workers", type=click.IntRange(1, 256),
              help="Parallel grading processes (default: the number of cores).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), help="The seed of the random inputs.")
@click.option("--problem", "problem_ids", multiple=True,
              help="Grade only this problem (repeatable; default: every problem).")
@click.option("--unconfined", is_flag=True,
              help="Grade even where the kernel cannot confine student code (Landlock and "
                   "seccomp): submissions then run with your rights. Also REGQUIZ_UNCONFINED=1.")
@click.option("--feedback", "feedback_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="Write one Markdown file per submission (named after its folder) to DIR.")
@click.option("--similarity", is_flag=True,
              help="Flag code that is unusually alike: between submissions, or to the code "
                   "shipped in the students' package (compares text; runs nothing).")
def grade(submissions: tuple[Path, ...], as_json: bool, as_csv: bool, gradescope: bool,
          out: Path | None, workers: int | None, seed: int | None,
          problem_ids: tuple[str, ...], unconfined: bool, feedback_dir: Path | None,
          similarity: bool) -> None:
    """Instructors: grade SUBMISSIONS (folders of problemN.py or .ipynb), held-out cases included.

    Student code runs confined (Linux: Landlock and seccomp); where that is impossible,
    grading refuses with exit 3 unless --unconfined.  Nothing is recorded.  Exit 0 when
    every submission got full marks, 1 otherwise.
    """
    if as_json + as_csv + gradescope > 1:
        raise UsageError("choose one output format: --json, --csv or --gradescope")
    from .instructor import grade_report
    from .instructor.grading import grade_submissions, submission_folders
    from .outputs import check_writable, write_atomically
    from .runner import fresh_seed

    manifest = load_manifest()
    problems = [manifest.problem(problem_id) for problem_id in dict.fromkeys(problem_ids)]
    folders = submission_folders(list(submissions))
    if gradescope and len(folders) != 1:
        raise UsageError(f"--gradescope writes the results of one submission; got {len(folders)}")
    if out is not None:
        check_writable(out)
    if feedback_dir is not None:
        from .instructor.feedback import prepare_feedback_dir

        prepare_feedback_dir(feedback_dir)
    seed = fresh_seed() if seed is None else seed
    workers = workers or _cores()
    problems = problems or list(manifest.problems)
    alike = None
    if similarity:  # read before any student code runs, compared as text only
        from .instructor.notes import display_names
        from .instructor.similarity import similarity_report

        alike = similarity_report(folders, [problem.id for problem in problems],
                                  display_names([str(folder) for folder in folders]))
    with _progress_bar(len(folders)) as advance:
        results = grade_submissions(folders, problems=problems,
                                    seed=seed, workers=workers, unconfined=unconfined,
                                    progress=advance)
    if alike is not None:
        import dataclasses

        results = [dataclasses.replace(result, similar=tuple(found))
                   for result, found in zip(results, alike)]
    if feedback_dir is not None:
        from .instructor.feedback import write_feedback

        click.echo(f"wrote {len(write_feedback(feedback_dir, results))} feedback file(s) "
                   f"to {feedback_dir}", err=True)
    if gradescope:
        text = grade_report.as_gradescope(results[0])
    elif as_json:
        text = grade_report.as_json(results)
    elif as_csv:
        text = grade_report.as_csv(results)
    else:
        text = grade_report.as_table(results)
    if out is None:
        click.echo(text.rstrip("\n"))
    else:
        write_atomically(out, text if text.endswith("\n") else text + "\n")
        click.echo(f"wrote {out}", err=True)
    sys.exit(EXIT_PASSED if all(result.passed for result in results) else EXIT_FAILED)


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextlib.contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None] | None]:
    """click's progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="grading", file=sys.stderr,
                           show_pos=True) as bar:
        yield bar.update


@cli.command()
@click.option("--answers", metavar="LETTERS",
              help="Answer without prompts, one letter A-D per question in the file's order "
                   "(e.g. ABCDA, or AB-DA to leave question 3 unanswered; either case), "
                   "always in the file's letters.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--shuffle/--no-shuffle", default=True, show_default=True,
              help="Show each question's options in a random order, from a printed and "
                   "recorded seed (--no-shuffle keeps the file's order).")
@click.option("--seed", type=click.IntRange(0, 2**31 - 1),
              help="The seed of the shuffle, to see an earlier attempt's order again.")
@click.option("--question", metavar="N", help="Ask only question N (1-5, or its id such as q3).")
@click.option("--review", is_flag=True, help="Ask only the questions whose latest answer was wrong.")
@click.option("--quiz", "name", default="regularization", show_default=True, metavar="NAME",
              help="Which quiz of quizzes/ to take.")
@click.option("--problem", "problem_id", metavar="PROBLEM",
              help="Take PROBLEM's concept questions instead of the subject's quiz.")
def quiz(answers: str | None, as_json: bool, shuffle: bool, seed: int | None,
         question: str | None, review: bool, name: str, problem_id: str | None) -> None:
    """Take the quiz: a question at a time, an explanation after each answer, a final score."""
    from .quiz_session import run_quiz

    if problem_id is not None:
        if name != "regularization":
            raise UsageError("give either --problem or --quiz, not both")
        name = load_manifest().problem(problem_id).id  # unknown: exit 2, did you mean …?

    sys.exit(run_quiz(name=name, answers=answers, as_json=as_json, shuffle=shuffle, seed=seed,
                      question=question, review=review))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Everything, as one JSON object.")
@click.option("--csv", "as_csv", is_flag=True, help="Everything, as CSV (a row per record).")
def scores(as_json: bool, as_csv: bool) -> None:
    """Your recorded history: every check and every quiz attempt."""
    from .records import open_records
    from .render import scores_csv, scores_table

    if as_json and as_csv:
        raise UsageError("give either --json or --csv, not both")
    with open_records() as records:
        checks, attempts, where = records.checks(), records.quiz_attempts(), records.path
        hints = [{"problem": problem.id, "function": ladder.function,
                  "rungs_seen": records.rungs_seen(problem.id).get(ladder.function, 0),
                  "rungs": len(ladder.rungs)}
                 for problem in load_manifest().problems for ladder in problem.hints]
    if as_json:
        import json

        click.echo(json.dumps({"checks": checks, "quiz_attempts": attempts,
                               "hints": [h for h in hints if h["rungs_seen"]]}, indent=2))
    elif as_csv:
        click.echo(scores_csv(checks, attempts), nl=False)
    else:
        click.echo(scores_table(checks, attempts, where))


def _chosen_problems(problem: str | None, check_all: bool, file: Path | None) -> list[Problem]:
    manifest = load_manifest()
    if check_all and problem:
        raise UsageError("give either a problem or --all, not both")
    if check_all and file:
        raise UsageError("--file names one problem's file; use it without --all")
    if not check_all and not problem:
        raise UsageError(f"which problem? choose from {', '.join(manifest.ids)} (or --all)")
    return list(manifest.problems) if check_all else [manifest.problem(str(problem))]


def _grade(problems: list[Problem], file: Path | None, seed: int) -> list[Any]:
    import tempfile

    from .hints import closed_forms_revealed
    from .paths import find_workspace_file
    from .submission import as_python_file, check_readable

    shown = []
    for problem in problems:
        path = file if file is not None else find_workspace_file(problem.filename)
        if path is None:
            raise SubmissionNotFound(
                f"no exercises/{problem.filename} in {Path.cwd()} or its parents; "
                "run `regquiz init` to create the stubs, or pass --file PATH")
        check_readable(path)
        shown.append(path)
    from .runner import Job, run_checks

    with tempfile.TemporaryDirectory(prefix="regquiz-notebook-") as workdir, \
            closed_forms_revealed(problems):
        jobs = [Job(problem, as_python_file(path, Path(workdir), problem.id), str(path))
                for problem, path in zip(problems, shown)]
        return run_checks(jobs, seed=seed, under_pytest=False)


def _record(results: list[Any], as_json: bool) -> None:
    from .records import open_records

    try:
        with open_records() as records:
            for result in results:
                records.record_check(result)
    except RegquizError:
        _print_results(results, as_json, many=len(results) > 1)  # the work is not lost
        raise


def _print_results(results: list[Any], as_json: bool, *, many: bool) -> None:
    if as_json:
        import json

        payload = [r.to_dict() for r in results] if many else results[0].to_dict()
        click.echo(json.dumps(payload, indent=2))
        return
    from .render import check_report, summary, use_colour

    colour = use_colour()
    click.echo("\n\n".join(check_report(result, colour=colour) for result in results),
               color=colour)
    if many:
        click.echo(summary(results, colour=colour), color=colour)


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def gradescope(out: Path) -> None:
    """Instructors: write a Gradescope autograder zip (setup.sh, run_autograder, pinned
    constraints.txt, course source); see the README for the base image and settings."""
    from .instructor.gradescope_export import build_gradescope_zip

    click.echo(f"wrote {build_gradescope_zip(out)}")


@cli.command()
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option("--assignment", default="regularization", show_default=True,
              help="The nbgrader assignment name.")
def nbgrader(course_dir: Path, assignment: str) -> None:
    """Instructors: write nbgrader source notebooks for the problems and the quiz to COURSE_DIR.

    Writes COURSE_DIR/nbgrader_config.py (only if absent) and
    source/ASSIGNMENT/problem1..5.ipynb and quiz.ipynb; re-running updates those and
    leaves the course's other files alone.  Then, in COURSE_DIR: `nbgrader
    generate_assignment ASSIGNMENT` and, once students submit, `nbgrader autograde ASSIGNMENT`.
    """
    from .instructor.nbgrader_export import export_course

    for path in export_course(course_dir, assignment):
        click.echo(f"wrote {path}")


def main() -> None:
    """The console-script entry point.

    Leaves through os._exit once the streams are flushed: tearing down an interpreter that
    holds numpy and pytest costs ~60 ms, a tenth of a check.  Every command releases its
    files, databases and processes itself (context managers) before it returns.
    """
    from .streams import make_streams_safe

    make_streams_safe()
    try:
        cli(prog_name="regquiz")
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        click.echo(code, err=True)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 1
    os._exit(code if isinstance(code, int) else 0)
