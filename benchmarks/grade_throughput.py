"""Throughput of `regquiz grade` against two baselines measured in the same run.

Generates N submissions (default 200): each problem file is, at random, the reference
solution, the untouched stub, or one of the fixture students of tests/students/ (correct
variants and real mistakes).  Then, in the same run:

* `regquiz grade` on all of them (`--workers`, default the cores), reporting submissions/s
  and the CPU every process spent per submission;
* the naive baseline: one `regquiz grade SUBMISSION --workers 1` per submission (a fresh
  interpreter, pytest session and sandboxes each time) on `--baseline` of them;
* nbgrader autograde on `--nbgrader` of them (default 3; 0 skips it; skipped with a
  printed line when nbgrader is not installed): the course from `regquiz nbgrader`,
  `nbgrader generate_assignment`, each student's problemN.py as the notebook's first
  solution cell (other solution cells emptied), then `nbgrader autograde`, timed.  The same
  handful is graded by one `regquiz grade` command too, for a like-for-like figure per
  submission, and the scores are compared with nbgrader's gradebook (a disagreement is
  printed, it does not stop the benchmark).

Goals on the 2-core machine: >= 10 submissions/s, and per submission >= 20x faster than
nbgrader autograde.

    python benchmarks/grade_throughput.py [--submissions 200] [--baseline 6] [--nbgrader 3]
                                          [--workers N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _timing import regquiz_command

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "regularization"
NBGRADER_SEED = 0  # the seed `regquiz nbgrader` writes into the notebooks' grading cells
RATE_GOAL = 10.0  # submissions/s
NBGRADER_GOAL = 20.0  # times faster per submission


def make_submissions(root: Path, count: int, problems: list[str], seed: int) -> list[Path]:
    """`count` folders with a mix of solutions, stubs, correct variants and mistakes."""
    chooser = random.Random(seed)
    folders = []
    for number in range(count):
        folder = root / f"student{number:03d}"
        folder.mkdir(parents=True)
        for problem in problems:
            kind = chooser.random()
            if kind < 0.3:
                source = REPO / "solutions" / f"{problem}.py"
            elif kind < 0.45:
                source = REPO / "exercises" / f"{problem}.py"
            else:
                source = chooser.choice(sorted((REPO / "tests" / "students" / problem).glob("*.py")))
            shutil.copyfile(source, folder / f"{problem}.py")
        folders.append(folder)
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=6, help="submissions graded the naive way")
    parser.add_argument("--nbgrader", type=int, default=3,
                        help="submissions graded by nbgrader autograde too (0: skip)")
    machine_cores = len(os.sched_getaffinity(0))
    parser.add_argument("--workers", type=int, default=machine_cores)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from regquiz.manifest import load_manifest

    problems = list(load_manifest().ids)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folders = make_submissions(root / "subs", args.submissions, problems, seed=16)
        env = {**os.environ, "REGQUIZ_HOME": str(root / "home"), "NO_COLOR": "1",
               "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
        command = [*regquiz_command(), "grade", "--seed", "1", "--csv"]
        # warm the file cache and the .pyc files
        subprocess.run([*command, str(folders[0])], env=env, capture_output=True)

        cpu_before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run([*command, "--workers", str(args.workers), "--out",
                               str(root / "grades.csv"), *map(str, folders)],
                              env=env, capture_output=True, text=True)
        batch_time = time.perf_counter() - started
        batch_cpu = _children_cpu() - cpu_before
        if done.returncode not in (0, 1) or not (root / "grades.csv").exists():
            sys.exit(f"regquiz grade failed (exit {done.returncode}): {done.stderr}")
        rows = (root / "grades.csv").read_text().splitlines()[1:]
        if len(rows) != len(folders):
            sys.exit(f"regquiz grade: {len(rows)} CSV rows for {len(folders)} submissions")

        naive = []
        for folder in folders[:args.baseline]:
            started = time.perf_counter()
            subprocess.run([*command, "--workers", "1", str(folder)], env=env, capture_output=True)
            naive.append(time.perf_counter() - started)

        rate = len(folders) / batch_time
        print(f"regquiz grade: {len(folders)} submissions x {len(problems)} problems in "
              f"{batch_time:.1f} s with {args.workers} workers = {rate:.1f} submissions/s "
              f"({batch_time / len(folders) * 1000:.0f} ms per submission); goal >= "
              f"{RATE_GOAL:g} submissions/s: {'met' if rate >= RATE_GOAL else 'NOT met'}")
        cpu = batch_cpu / len(folders)
        cores = min(args.workers, machine_cores)  # more workers share the cores
        print(f"  CPU (user + sys, every process) per submission: {cpu * 1000:.0f} ms, so "
              f"{cores / cpu:.1f} submissions/s if {cores} cores were free "
              f"(load average at the start: {load:.2f}; other work on the machine slows the "
              "wall time)")
        if naive:
            per_naive = sum(naive) / len(naive)
            print(f"naive baseline, one `regquiz grade SUBMISSION --workers 1` each: "
                  f"{per_naive:.2f} s per submission, mean of {len(naive)}; the batch is "
                  f"{per_naive * rate:.1f}x faster per submission")
        if args.nbgrader > 0:
            nbgrader_comparison(root, folders[:args.nbgrader], problems, env, args.workers,
                                batch_per_submission=batch_time / len(folders))


def nbgrader_comparison(root: Path, folders: list[Path], problems: list[str], env: dict[str, str],
                        workers: int, *, batch_per_submission: float) -> None:
    """Time nbgrader autograde and `regquiz grade` on the same folders; print the ratio."""
    if importlib.util.find_spec("nbgrader") is None:
        print("nbgrader autograde: skipped, nbgrader is not installed (pip install "
              "'regquiz[instructor]' to compare)")
        return
    problem = ensure_python3_kernel(env)
    if problem:
        print(f"nbgrader autograde: skipped, {problem}")
        return
    course = root / "course"
    students = [folder.name for folder in folders]
    try:
        notebooks = build_course(course, folders, env)
    except subprocess.CalledProcessError as exc:
        print(f"nbgrader autograde: skipped, {' '.join(exc.cmd[1:4])} failed: "
              f"{(exc.stderr or '').strip()[-300:]}")
        return
    cpu_before = _children_cpu()
    started = time.perf_counter()
    graded = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"],
                            cwd=course, env=env, capture_output=True, text=True, timeout=3600)
    nbgrader_time = time.perf_counter() - started
    nbgrader_cpu = _children_cpu() - cpu_before
    if graded.returncode != 0:
        print(f"nbgrader autograde failed (exit {graded.returncode}), no comparison: "
              f"{graded.stderr.strip()[-500:]}")
        return

    started = time.perf_counter()
    ours = subprocess.run([*regquiz_command(), "grade", "--seed", str(NBGRADER_SEED), "--json",
                           "--workers", str(workers), *map(str, folders)],
                          env=env, capture_output=True, text=True)
    regquiz_time = time.perf_counter() - started
    if ours.returncode not in (0, 1):
        print(f"regquiz grade on the nbgrader handful failed (exit {ours.returncode}): "
              f"{ours.stderr.strip()[-500:]}")
        return

    per_nbgrader = nbgrader_time / len(folders)
    per_regquiz = regquiz_time / len(folders)
    ratio = per_nbgrader / per_regquiz
    print(f"nbgrader autograde: {len(folders)} submissions ({notebooks} notebooks) in "
          f"{nbgrader_time:.1f} s = {per_nbgrader:.2f} s per submission "
          f"(CPU {nbgrader_cpu / len(folders):.2f} s per submission)")
    verdict = "met" if ratio >= NBGRADER_GOAL else "NOT met"
    print(f"regquiz grade on the same {len(folders)} (one command, start-up included): "
          f"{regquiz_time:.2f} s = {per_regquiz:.2f} s per submission; {ratio:.0f}x faster per "
          f"submission; goal >= {NBGRADER_GOAL:g}x: {verdict}")
    print(f"  at class scale ({batch_per_submission * 1000:.0f} ms per submission in the batch "
          f"above): {per_nbgrader / batch_per_submission:.0f}x faster per submission")
    print(compare_scores(course, json.loads(ours.stdout), students, problems))


_KERNEL_ARGV = """
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
try:
    print(KernelSpecManager().get_kernel_spec("python3").argv[0])
except NoSuchKernel:
    pass
"""


def ensure_python3_kernel(env: dict[str, str]) -> str:
    """Make the `python3` kernel run this interpreter (nbgrader's notebooks name it); '' if ok."""
    def kernel_interpreter() -> str | None:
        # asked of jupyter_client in this interpreter, as nbgrader will (`jupyter kernelspec`
        # runs whichever jupyter-kernelspec program is first on PATH)
        found = subprocess.run([sys.executable, "-c", _KERNEL_ARGV], env=env, capture_output=True,
                               text=True)
        return found.stdout.strip() or None

    if kernel_interpreter() == sys.executable:
        return ""
    # the kernel's interpreter must import regquiz: the notebooks' grading cell runs
    # `python -m regquiz grade` with it
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix"], env=env,
                   capture_output=True)
    found = kernel_interpreter()
    if found == sys.executable:
        return ""
    return (f"the `python3` Jupyter kernel runs {found or 'nothing'}, not {sys.executable} "
            f"(`{sys.executable} -m ipykernel install --sys-prefix` did not take precedence)")


def build_course(course: Path, folders: list[Path], env: dict[str, str]) -> int:
    """The nbgrader course with each folder submitted as notebooks; the notebook count."""
    from regquiz.instructor.nbgrader_export import export_course

    export_course(course, ASSIGNMENT, seed=NBGRADER_SEED)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
                   cwd=course, env=env, capture_output=True, text=True, check=True, timeout=600)
    sources = sorted(path for path in (course / "source" / ASSIGNMENT).glob("*.ipynb")
                     if re.fullmatch(r"problem\d+\.ipynb", path.name))
    count = 0
    for folder in folders:
        target = course / "submitted" / folder.name / ASSIGNMENT
        target.mkdir(parents=True)
        for source in sources:
            code = folder / f"{source.stem}.py"
            if code.exists():
                notebook = as_submission(json.loads(source.read_text()), code.read_text())
                (target / source.name).write_text(json.dumps(notebook))
                count += 1
    return count


def as_submission(notebook: dict[str, Any], code: str) -> dict[str, Any]:
    """The source notebook with `code` in its first solution cell and the others emptied."""
    first = True
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell["source"] = code if first else ""
            first = False
    return notebook


def compare_scores(course: Path, graded: list[dict[str, Any]], students: list[str],
                   problems: list[str]) -> str:
    """A line saying whether nbgrader's gradebook and `regquiz grade --json` agree."""
    from nbgrader.api import Gradebook, MissingEntry

    ours = {(Path(entry["submission"]).name, result["problem"]): result["score"]
            for entry in graded for result in entry["problems"]}
    differences, compared = [], 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            for problem in problems:
                try:
                    theirs = gradebook.find_submission_notebook(problem, ASSIGNMENT, student).score
                except MissingEntry:
                    continue
                compared += 1
                if theirs != ours.get((student, problem)):
                    differences.append(f"{student}/{problem}: nbgrader {theirs:g}, "
                                       f"regquiz {ours.get((student, problem))}")
    if not differences:
        return f"scores: nbgrader's gradebook and regquiz grade agree on all {compared} notebooks"
    return (f"scores DIFFER on {len(differences)} of {compared} notebooks: "
            + "; ".join(differences))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
