"""Helpers of the plot tests: call a student through the sandbox as `plot` does, read PNGs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from regquiz.cli import cli
from regquiz.manifest import load_manifest
from regquiz.plots import command
from regquiz.plots.series import FigureData
from regquiz.sandbox import Limits, StudentProcess
from regquiz.sandbox.launch import confinement_mode

PROBLEMS = load_manifest().ids
SIZE = (800, 450)
# The functions each figure calls: a stub's figure must name every one of them.
DRAWN = {
    "problem1": {"sgd_l2_step", "sgd_weight_decay_step", "adam_l2_step", "adamw_step"},
    "problem2": {"soft_threshold", "lasso_ista"},
    "problem3": {"inverted_dropout", "dropout_moments"},
    "problem4": {"gd_filter_factors", "ridge_filter_factors", "early_stopping_lambda"},
    "problem5": {"min_cross_entropy", "smooth_labels_uniform"},
}
# problem2 with a correct lasso_ista (its own prox) and soft_threshold's body left open
PROBLEM2 = """import numpy as np


def _prox(mu, lam):
    return np.sign(mu) * np.maximum(np.abs(mu) - lam, 0.0)


def lasso_ista(X, y, lam, n_iter=1000, lr=None):
    N, d = X.shape
    lr = 1.0 / np.linalg.eigvalsh(X.T @ X / N).max() if lr is None else lr
    w = np.zeros(d)
    for _ in range(n_iter):
        w = _prox(w - lr * X.T @ (X @ w - y) / N, lr * lam)
    return w


def soft_threshold(mu, lam):
    BODY
"""


def problem2_with(body: str) -> str:
    """The problem2 module above with this body for soft_threshold."""
    return PROBLEM2.replace("BODY", body)


@pytest.fixture
def mpl() -> None:
    """Skip a test that draws where the `plots` extra is not installed."""
    pytest.importorskip("matplotlib")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line_error(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def student_data(problem_id: str, path: Path, *, reference: bool = True,
                 limits: Limits | None = None) -> FigureData:
    """The figure's data from a student file, called through the sandbox as `plot` does."""
    problem = load_manifest().problem(problem_id)
    with StudentProcess(path, problem.id, [f.name for f in problem.functions],
                        limits or command.problem_limits(problem),
                        confinement=confinement_mode(required=False)) as process:
        return command.student_figure(problem, process.call, reference=reference)


def reference_data(problem_id: str) -> FigureData:
    return command.reference_figure(load_manifest().problem(problem_id))


def png_text(png: bytes) -> dict[str, str]:
    """The tEXt and (uncompressed) iTXt chunks of a PNG."""
    found, position = {}, 8
    while position < len(png):
        length = int.from_bytes(png[position:position + 4], "big")
        kind, body = png[position + 4:position + 8], png[position + 8:position + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            _, _, rest = rest[2:].partition(b"\0")  # language tag
            _, _, value = rest.partition(b"\0")  # translated keyword
            found[key.decode()] = value.decode()
        position += 12 + length
    return found


def write_student(tmp_path: Path, problem_id: str, code: str) -> Path:
    path = tmp_path / f"{problem_id}.py"
    path.write_text(code)
    return path
