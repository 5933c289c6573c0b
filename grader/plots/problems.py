"""The data series of each problem's figure, computed from a student and/or a reference Source.

Every builder takes the same inputs (fixed seeds, so a figure is reproducible) for whichever
sources it is given, batches its calls (whole arrays per call), and adds the fixed comparison
curves ("context": ridge shrinkage, the source text's wrong formulas) only beside a reference.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import formulas
from .series import (Contours, FigureData, Marker, Panel, Series, Source, Style, array_of,
                     number, positive_number, tuple_of)

Sources = list[Source]
SEED = 1608  # the subject's number: every random input of every figure comes from it


def _sources(student: Source | None, reference: Source | None) -> Sources:
    return [source for source in (student, reference) if source is not None]


def _named(source: Source, name: str) -> str:
    return f"{name} (reference)" if source.kind == "reference" else f"{name} (yours)"


# -- problem 1: L2 penalty vs weight decay, under SGD and under Adam ---------------------------

P1_CURVATURE = np.array([1.0, 0.05])  # L_data(w) = ½·Σ hᵢ(wᵢ − cᵢ)²: condition number 20
P1_CENTRE = np.array([2.0, 2.0])
P1_START = np.array([-1.0, -1.0])
P1_LAM = 0.3
P1_SGD = (0.5, 80)  # learning rate, steps
P1_ADAM = (0.05, 200)


def _data_gradient(w: np.ndarray) -> np.ndarray:
    return P1_CURVATURE * (w - P1_CENTRE)


def _sgd_path(source: Source, function: str) -> np.ndarray | None:
    lr, steps = P1_SGD
    w, path = P1_START.copy(), [P1_START]
    for _ in range(steps):
        w = source.value(function, [w, _data_gradient(w), lr, P1_LAM], array_of((2,)))
        if w is None:
            return None
        path.append(w)
    return np.array(path)


def _adam_path(source: Source, function: str) -> np.ndarray | None:
    lr, steps = P1_ADAM
    w, m, v = P1_START.copy(), np.zeros(2), np.zeros(2)
    path = [w]
    triple = tuple_of(array_of((2,)), array_of((2,)), array_of((2,)))
    for t in range(1, steps + 1):
        answer = source.value(function, [w, _data_gradient(w), m, v, t, lr, P1_LAM], triple)
        if answer is None:
            return None
        w, m, v = answer
        path.append(w)
    return np.array(path)


P1_PANELS: tuple[tuple[str, tuple[float, int], tuple[tuple[str, str, Style], ...],
                      Callable[[Source, str], np.ndarray | None]], ...] = (
    ("SGD: L2 penalty = weight decay", P1_SGD,
     (("sgd_l2_step", "SGD + L2", "line"),
      ("sgd_weight_decay_step", "SGD + weight decay", "dashed")), _sgd_path),
    ("Adam: L2 penalty ≠ AdamW", P1_ADAM,
     (("adam_l2_step", "Adam + L2", "line"), ("adamw_step", "AdamW", "dashed")), _adam_path),
)


def problem1(student: Source | None, reference: Source | None) -> list[Panel]:
    """Weight paths on an ill-conditioned quadratic: SGD's two forms agree, Adam's do not."""
    grid = np.linspace(-1.5, 3.0, 60)
    xx, yy = np.meshgrid(grid, grid)
    loss = 0.5 * (P1_CURVATURE[0] * (xx - P1_CENTRE[0]) ** 2
                  + P1_CURVATURE[1] * (yy - P1_CENTRE[1]) ** 2)
    contours = Contours(grid, grid, loss)
    minimum = P1_CURVATURE * P1_CENTRE / (P1_CURVATURE + P1_LAM)
    panels = []
    for title, lr_steps, pairs, path_of in P1_PANELS:
        series = []
        for source in _sources(student, reference):
            for group, (function, name, style) in enumerate(pairs):
                path = path_of(source, function)
                if path is not None:
                    series.append(Series(_named(source, name), path[:, 0], path[:, 1],
                                         source.kind, group, style))
        markers = (Marker(float(minimum[0]), float(minimum[1]),
                          "penalised minimum", "context", 7),) if reference else ()
        lr, steps = lr_steps
        panels.append(Panel(f"{title} (lr = {lr:g}, λ = {P1_LAM:g}, {steps} steps)", "w₁", "w₂",
                            tuple(series), markers, contours=contours,
                            xlim=(grid[0], grid[-1]), ylim=(grid[0], grid[-1]),
                            legend="lower right"))
    return panels


# -- problem 2: soft-thresholding and the Lasso path ------------------------------------------

P2_MU = np.linspace(-3.0, 3.0, 301)
P2_LAMS = (0.5, 1.0, 2.0)
P2_PATH_LAMS = np.geomspace(1e-3, 2.0, 24)
P2_ITERATIONS = 200  # ISTA on this well-conditioned X has converged to ~1e-11 by then


def _lasso_problem() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(60, 6))
    X[:, 3] = 0.6 * X[:, 0] + 0.8 * X[:, 3]  # correlated columns bend the path
    y = X @ np.array([2.0, -1.5, 0.0, 0.8, 0.0, 0.3]) + 0.3 * rng.normal(size=60)
    return X, y


def problem2(student: Source | None, reference: Source | None) -> list[Panel]:
    """soft_threshold against μ beside ridge shrinkage, and the Lasso path of lasso_ista."""
    shrink: list[Series] = []
    for source in _sources(student, reference):
        for group, lam in enumerate(P2_LAMS):
            values = source.value("soft_threshold", [P2_MU, lam], array_of(P2_MU.shape))
            if values is not None:
                shrink.append(Series(_named(source, f"soft_threshold, λ = {lam:g}"), P2_MU,
                                     values, source.kind, group))
    if reference is not None:
        for group, lam in enumerate(P2_LAMS):
            shrink.append(Series("ridge μ/(1 + λ), same colours" if group == 0 else "", P2_MU,
                                 formulas.ridge_shrinkage(P2_MU, lam), "context", group,
                                 "dashed"))
    X, y = _lasso_problem()
    path: list[Series] = []
    for source in _sources(student, reference):
        rows = []
        for lam in P2_PATH_LAMS:
            w = source.value("lasso_ista", [X, y, float(lam), P2_ITERATIONS],
                             array_of((X.shape[1],)))
            if w is None:
                break
            rows.append(w)
        else:
            coefficients = np.array(rows)
            for j in range(X.shape[1]):
                label = _named(source, "lasso_ista coefficients") if j == 0 else ""
                path.append(Series(label, P2_PATH_LAMS, coefficients[:, j], source.kind, j,
                                   key=f"lasso_ista w{j + 1}"))
            zero_at = np.nonzero(coefficients == 0.0)[0]  # the λ of every exact zero
            path.append(Series(_named(source, "exactly 0.0"), P2_PATH_LAMS[zero_at],
                               np.zeros(zero_at.size), source.kind, 7, "points"))
    return [Panel("Soft-thresholding: a dead zone |μ| ≤ λ; ridge only shrinks", "μ",
                  "minimiser w*", tuple(shrink), xlim=_padded(P2_MU)),
            Panel("Lasso path (ISTA): coefficients reach exactly 0", "λ", "coefficient wⱼ",
                  tuple(path), xscale="log", xlim=_padded(P2_PATH_LAMS, log=True),
                  legend="lower left", legend_anchor=(0.0, 0.1))]


# -- problem 3: the variance of a dropout unit --------------------------------------------------

P3_P = np.linspace(0.0, 0.8, 17)
P3_MU, P3_SIGMA2 = 1.0, 1.0
P3_UNITS = 20_000
P3_BAND = 4.0  # standard errors either side of the Monte Carlo estimate


def _unit_inputs() -> np.ndarray:
    """a with sample mean μ and sample variance σ² exactly, so the formula is the target."""
    z = np.random.default_rng(SEED).normal(size=P3_UNITS)
    z = (z - z.mean()) / z.std()
    return P3_MU + np.sqrt(P3_SIGMA2) * z


def monte_carlo_variance(out: np.ndarray) -> tuple[float, float]:
    """The sample variance of `out` and its standard error sqrt((m₄ − s⁴)/n)."""
    centred = out - out.mean()
    variance = float(np.mean(centred**2))
    fourth = float(np.mean(centred**4))
    return variance, float(np.sqrt(max(fourth - variance**2, 0.0) / out.size))


def problem3(student: Source | None, reference: Source | None) -> list[Panel]:
    """Var(d) against p: exact, Monte Carlo from inverted_dropout (±4 SE), and the source's."""
    a = _unit_inputs()
    series: list[Series] = []
    for source in _sources(student, reference):
        if source.kind == "student" or student is None:
            estimates = []
            for index, p in enumerate(P3_P):
                rng = np.random.default_rng([SEED, index])
                answer = source.value("inverted_dropout", [a, float(p), rng],
                                      tuple_of(array_of(a.shape), array_of(a.shape)))
                if answer is None:
                    break
                estimates.append(monte_carlo_variance(answer[0]))
            else:
                variance, error = np.array(estimates).T
                series.append(Series(
                    _named(source, f"Monte Carlo, inverted_dropout (±{P3_BAND:g} SE)"), P3_P,
                    variance, source.kind, 0, "points",
                    (variance - P3_BAND * error, variance + P3_BAND * error)))
        exact = []
        for p in P3_P:
            pair = source.value("dropout_moments", [P3_MU, P3_SIGMA2, float(p)],
                                tuple_of(number, number))
            if pair is None:
                break
            exact.append(pair[1])
        else:
            series.append(Series(_named(source, "dropout_moments variance"), P3_P,
                                 np.array(exact), source.kind, 1))
    if reference is not None:
        wrong = np.array([formulas.source_text_dropout_variance(P3_SIGMA2, p) for p in P3_P])
        series.append(Series("source text's σ²·p/(1 − p) (wrong)", P3_P, wrong, "context", 3,
                             "dashed"))
    title = f"Dropout unit d = a·m/(1 − p), a with μ = {P3_MU:g}, σ² = {P3_SIGMA2:g}"
    return [Panel(title, "drop probability p", "Var(d)", tuple(series), xlim=_padded(P3_P))]


# -- problem 4: early stopping and ridge, filter factor by filter factor -----------------------

P4_EIGVALS = np.geomspace(1e-4, 1.0, 200)
P4_LR = 1.0
P4_STEPS = (10, 100, 1000)


def problem4(student: Source | None, reference: Source | None,
             earned: frozenset[str] = frozenset()) -> list[Panel]:
    """GD's filter factors after t steps beside ridge's at λ = 1/(lr·t), over the spectrum."""
    series: list[Series] = []
    markers: list[Marker] = []
    shape = array_of(P4_EIGVALS.shape)
    for source in _sources(student, reference):
        for group, t in enumerate(P4_STEPS):
            gd = source.value("gd_filter_factors", [P4_EIGVALS, P4_LR, t], shape)
            if gd is not None:
                series.append(Series(_named(source, f"gradient descent, t = {t}"), P4_EIGVALS,
                                     gd, source.kind, group))
            ridge = source.value("ridge_filter_factors",
                                 [P4_EIGVALS, formulas.early_stopping_lambda(P4_LR, t)], shape)
            if ridge is not None:
                name = (f"ridge, λ = 1/(lr·t) = {1 / (P4_LR * t):g}"
                        if "early_stopping_lambda" in earned
                        else f"ridge at the matching λ for t = {t}")
                series.append(Series(_named(source, name),
                                     P4_EIGVALS, ridge, source.kind, group, "dashed"))
            lam = source.value("early_stopping_lambda", [P4_LR, t], positive_number)
            if lam is not None:
                markers.append(Marker(lam, 0.5, _named(source, "early_stopping_lambda")
                                      if group == 0 else "", source.kind, group))
    return [Panel(f"Filter factors over the spectrum of XᵀX/N (lr = {P4_LR:g})", "eigenvalue s", "filter factor", tuple(series),
                  tuple(markers), xscale="log", xlim=_padded(P4_EIGVALS, log=True),
                  ylim=(-0.04, 1.04), legend="lower right")]


# -- problem 5: the floor of cross-entropy under label smoothing -------------------------------

P5_K = 10
P5_EPS = np.linspace(0.0, 0.5, 51)
P5_MARK = 0.1


def problem5(student: Source | None, reference: Source | None,
             earned: frozenset[str] = frozenset()) -> list[Panel]:
    """The lowest reachable cross-entropy against ε under both smoothing conventions."""
    series: list[Series] = []
    markers: list[Marker] = []
    one_row = array_of((1, P5_K))
    label = np.zeros(1, dtype=np.int64)
    for source in _sources(student, reference):
        floors = _each(P5_EPS, lambda eps: source.value("min_cross_entropy", [P5_K, eps], number))
        if floors is not None:
            series.append(Series(_named(source, "min_cross_entropy (this subject: ε/(K − 1))"),
                                 P5_EPS, floors, source.kind, 0))
            if source.kind == "reference" or reference is None:
                at = float(np.interp(P5_MARK, P5_EPS, floors))
                value = f": {at:.3f} nats" if "min_cross_entropy" in earned else ""
                markers.append(Marker(P5_MARK, at, f"K = {P5_K}, ε = {P5_MARK:g}{value}",
                                      source.kind, 0, side="left"))
        rows = [source.value("smooth_labels_uniform", [label, P5_K, float(eps)], one_row)
                for eps in P5_EPS]
        if all(row is not None for row in rows):
            uniform = np.array([formulas.row_entropy(row) for row in rows])
            series.append(Series(_named(source, "entropy of smooth_labels_uniform (torch: ε/K)"),
                                 P5_EPS, uniform, source.kind, 1))
    if reference is not None:
        wrong = np.array([formulas.source_text_floor(eps) for eps in P5_EPS])
        series.append(Series("source text's −log(1 − ε) (wrong)", P5_EPS, wrong, "context", 3,
                             "dashed"))
        markers.append(Marker(P5_MARK, formulas.source_text_floor(P5_MARK),
                              f"−log 0.9 ≈ {formulas.source_text_floor(P5_MARK):.3f}",
                              "context", 3))
    return [Panel(f"Cross-entropy floor with smoothed targets, K = {P5_K}", "ε",
                  "lowest mean cross-entropy (nats)", tuple(series), tuple(markers),
                  xlim=_padded(P5_EPS))]


def _padded(grid: np.ndarray, *, log: bool = False) -> tuple[float, float]:
    """The grid's range with a 4 % margin (on a log scale, in decades)."""
    low, high = (np.log10(grid[0]), np.log10(grid[-1])) if log else (grid[0], grid[-1])
    margin = 0.04 * (high - low)
    ends = (low - margin, high + margin)
    return (float(10 ** ends[0]), float(10 ** ends[1])) if log else (float(ends[0]), float(ends[1]))


def _each(grid: np.ndarray, one: Callable[[float], float | None]) -> np.ndarray | None:
    """one(x) for every x of the grid, or None at the first failure."""
    values = []
    for x in grid:
        value = one(float(x))
        if value is None:
            return None
        values.append(value)
    return np.array(values)


# Builders whose words state a result take the functions the student has earned (SPEC §7):
# until then the reference curve is drawn and named neutrally.
BUILDERS: dict[str, tuple[str, Callable[..., list[Panel]]]] = {
    "problem1": ("weight decay is the L2 penalty for SGD, not for Adam", problem1),
    "problem2": ("L1 sets weights to exactly zero; L2 only shrinks them", problem2),
    "problem3": ("dropout inflates a unit's variance, mean included", problem3),
    "problem4": ("stopping gradient descent early acts like ridge", problem4),
    "problem5": ("label smoothing puts a floor under the loss", problem5),
}


def build_figure(problem_id: str, title: str, student: Source | None,
                 reference: Source | None, reference_from: str = "",
                 earned: frozenset[str] = frozenset()) -> FigureData:
    """The figure of one problem; its words state only the results of `earned` functions."""
    caption, builder = BUILDERS[problem_id]
    panels = builder(student, reference, earned) if problem_id in _GATED else \
        builder(student, reference)
    failures = tuple(student.failures.values()) if student is not None else ()
    return FigureData(problem_id, f"{problem_id} · {title}: {caption}", tuple(panels), failures,
                      reference_from if reference is not None else "")


_GATED = frozenset({"problem4", "problem5"})
