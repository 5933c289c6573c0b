"""Graded checks for problem 5: label smoothing, softmax, cross-entropy, its gradient and floor.

Every test is worth the points the manifest gives `test_<name>`.  Inputs are drawn from the
`rng` fixture (seeded, replayable); beside direct formula comparisons the answers are judged
by properties that need no reference (rows summing to 1, invariance to a constant per row,
finite differences of the student's own loss, the loss floor reached at q = ỹ), so a student
cannot pass by echoing Worked Example 3.
"""

from __future__ import annotations

import numpy as np

from regquiz.checks import (Returned, Student, as_array, as_float, close, closed_form, expect_close,
                            expect_finite, fail, hint_of, matches, show)

GRADIENT = "∂L/∂z = (softmax(z) − targets)/N"
FLOOR = "−(1 − ε)·log(1 − ε) − ε·log(ε/(K − 1)), ≈ 0.545 nats for K = 10, ε = 0.1"

SUBJECT = "smooth_labels (this subject's convention)"
UNIFORM = "smooth_labels_uniform (the torch/Keras convention)"


def _subject_rows(y: np.ndarray, k: int, eps: float) -> np.ndarray:
    rows = np.full((y.shape[0], k), eps / (k - 1))
    rows[np.arange(y.shape[0]), y] = 1.0 - eps
    return rows


def _uniform_rows(y: np.ndarray, k: int, eps: float) -> np.ndarray:
    rows = np.full((y.shape[0], k), eps / k)
    rows[np.arange(y.shape[0]), y] += 1.0 - eps
    return rows


def _labels(rng: np.random.Generator, k: int, n: int = 6) -> np.ndarray:
    """n int labels that include the first and the last class, in random order."""
    labels = np.concatenate([[0, k - 1], rng.integers(0, k, size=n - 2)])
    return rng.permutation(labels).astype(np.int64)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(_log_softmax(z))


def _cross_entropy(z: np.ndarray, targets: np.ndarray) -> float:
    return float(-(targets * _log_softmax(z)).sum(axis=-1).mean())


def _first_bad_row(got: np.ndarray, want: np.ndarray) -> int:
    with np.errstate(invalid="ignore"):
        good = np.isclose(got, want, rtol=1e-7, atol=1e-10).all(axis=-1)
    bad = np.flatnonzero(~good)
    return int(bad[0]) if bad.size else 0


def _shown(array: np.ndarray, row: int) -> str:
    """`show(array)`, plus one full row when the whole array is too big to print."""
    text = show(array)
    if array.ndim == 2 and text.startswith("array of shape"):
        text += f", row {row} = {show(array[row])}"
    return text


def _entropy(row: np.ndarray) -> float:
    positive = row[row > 0]
    return float(-(positive * np.log(positive)).sum())


# -- smooth_labels and smooth_labels_uniform -------------------------------------------------


def _judge_smoothing(got: Returned, y: np.ndarray, k: int, eps: float, *, uniform: bool) -> None:
    want = (_uniform_rows if uniform else _subject_rows)(y, k, eps)
    other = (_subject_rows if uniform else _uniform_rows)(y, k, eps)
    this_one, other_one = (UNIFORM, SUBJECT) if uniform else (SUBJECT, UNIFORM)
    rows = as_array(got, shape=want.shape, why="one row of K class probabilities per label")
    if close(rows, want):
        return
    if matches(rows, other):
        fail(got, expected=_expected_rows(got, rows, want), got=_shown(rows, 0),
             why=f"these are the numbers of {other_one}, the other convention; this function is "
                 f"{this_one}, and for the same ε the two give different rows")
    sums = rows.sum(axis=-1)
    if not close(sums, np.ones_like(sums)):
        this_one += (f"; your rows sum to {show(sums) if sums.size > 1 else f'{sums[0]:.10g}'}, "
                     "not 1: a smoothed target is a probability distribution, so the mass ε "
                     "taken from the true class is shared out, neither more nor less")
    values = (f"; with K = {k}, ε = {eps:.6g} the true class gets {want.max():.10g} and every "
              f"other class {want.min():.10g}" if got.revealed else f"; here K = {k}, ε = {eps:.6g}")
    expect_close(got, want, why=this_one + values)


def _expected_rows(got: Returned, rows: np.ndarray, want: np.ndarray) -> str:
    """The expected rows in full once earned, else one entry (SPEC §7)."""
    return _shown(want, 0) if got.revealed else hint_of(rows, want)


def test_smooth_labels_subject_convention(student: Student, rng: np.random.Generator) -> None:
    y = np.array([3, 0], dtype=np.int64)
    _judge_smoothing(student.call("smooth_labels", y, 10, 0.1), y, 10, 0.1, uniform=False)
    k = int(rng.integers(4, 10))
    eps = float(rng.uniform(0.05, 0.3))
    y = _labels(rng, k)
    _judge_smoothing(student.call("smooth_labels", y, k, eps), y, k, eps, uniform=False)


def test_smooth_labels_uniform_convention(student: Student, rng: np.random.Generator) -> None:
    y = np.array([0], dtype=np.int64)
    _judge_smoothing(student.call("smooth_labels_uniform", y, 4, 0.2), y, 4, 0.2, uniform=True)
    k = int(rng.integers(4, 10))
    eps = float(rng.uniform(0.05, 0.3))
    y = _labels(rng, k)
    _judge_smoothing(student.call("smooth_labels_uniform", y, k, eps), y, k, eps, uniform=True)


def test_smoothed_rows_are_distributions(student: Student, rng: np.random.Generator) -> None:
    k = int(rng.integers(4, 10))
    y = _labels(rng, k, n=5)
    for function in ("smooth_labels", "smooth_labels_uniform"):
        eps = float(rng.uniform(0.05, 0.4))
        got = student.call(function, y, k, eps)
        rows = as_array(got, shape=(y.shape[0], k),
                        why="one row of K class probabilities per label")
        sums = rows.sum(axis=1)
        if not close(sums, np.ones_like(sums)) or np.any(rows < 0):
            fail(got, expected="rows of non-negative numbers that each sum to 1",
                 got=f"{show(rows)} with row sums {show(sums)}",
                 why="a smoothed target is a probability distribution: smoothing moves mass ε "
                     "from the true class to the others, it neither creates nor loses any")
        onehot = np.eye(k)[y]
        expect_close(student.call(function, y, k, 0.0), onehot,
                     why="with ε = 0 there is no smoothing: the targets are the plain one-hot rows")


# -- softmax ---------------------------------------------------------------------------------


def test_softmax_row_wise(student: Student, rng: np.random.Generator) -> None:
    z = rng.normal(scale=2.0, size=5)
    expect_close(student.call("softmax", z), _softmax(z),
                 why="softmax(z)_k = exp(z_k)/Σ_j exp(z_j); a 1-D vector is one row and gives a "
                     "vector of the same length")
    z = rng.normal(scale=2.0, size=(4, 5))
    got = student.call("softmax", z)
    probs = as_array(got, shape=z.shape, why="an (N, K) input gives (N, K) probabilities")
    if not close(probs, _softmax(z)) and close(probs.sum(axis=0), np.ones(z.shape[1])):
        fail(got, expected=f"{_expected_rows(got, probs, _softmax(z))} (each ROW sums to 1)",
             got=f"{show(probs)}, whose columns sum to 1",
             why="each row holds the logits of one example over its K classes, so softmax "
                 "normalises along the last axis (axis=-1), not down the columns (axis=0)")
    expect_close(got, _softmax(z), why="softmax is applied to each row separately: every row "
                 "of the result is exp(z_row)/Σ exp(z_row) and sums to 1")


def test_softmax_shift_invariance(student: Student, rng: np.random.Generator) -> None:
    z = rng.normal(size=(3, 4))
    shift = rng.uniform(-300.0, 300.0, size=(3, 1))
    base = as_array(student.call("softmax", z), shape=z.shape,
                    why="an (N, K) input gives (N, K) probabilities")
    expect_close(student.call("softmax", z + shift), base,
                 why=f"adding a constant c to a row multiplies numerator and denominator by e^c, "
                     f"so softmax(z + c) must equal your own softmax(z), shown as expected (here "
                     f"c = {show(shift.ravel())}, one constant per row)")


def test_softmax_stable(student: Student) -> None:
    z = np.array([[1e4, 0.0, -1e4],
                  [1e4, 1e4 - np.log(3.0), -1e4],
                  [-1e4, -1e4 + np.log(3.0), -1e4 - 30.0]])
    logits = "z = [[1e4, 0, −1e4], [1e4, 1e4 − log 3, −1e4], [−1e4, −1e4 + log 3, −1e4 − 30]]"
    got = student.call("softmax", z)
    probs = as_array(got, shape=z.shape, why=f"(N, K) logits give (N, K) probabilities; {logits}",
                     finite=False)
    with np.errstate(all="ignore"):
        naive = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    if not np.all(np.isfinite(probs)) and matches(probs, naive):
        row = int(np.flatnonzero(~np.isfinite(probs).all(axis=1))[0])
        fail(got, expected="finite probabilities in every row, each row summing to 1",
             got=_shown(probs, row),
             why=f"for {logits}, exp(1e4) overflows to inf and exp(−1e4) underflows to 0 (then "
                 "0/0 = nan); subtract each row's maximum before exponentiating — the result is "
                 "unchanged and the largest exponent becomes exp(0) = 1")
    expect_finite(got, probs, why=f"(N, K) logits give (N, K) probabilities; {logits}")
    expect_close(got, _softmax(z), why=f"for {logits}: softmax depends only on the differences "
                 "between the logits of a row, so [1e4, 1e4 − log 3, −1e4] gives [0.75, 0.25, 0], "
                 "like [0, −log 3, −2e4]")


# -- cross_entropy -------------------------------------------------------------------------


def _judge_loss(got: Returned, z: np.ndarray, targets: np.ndarray, why: str) -> None:
    want = _cross_entropy(z, targets)
    loss = as_float(got, why="the loss is one number, the mean over the rows", finite=False)
    n = z.shape[0] if z.ndim == 2 else 1
    with np.errstate(all="ignore"):
        naive = float(-(targets * np.log(_softmax(z))).sum(axis=-1).mean())
    if not np.isfinite(loss) and matches(loss, naive):
        fail(got, expected="a finite loss",
             why="softmax of large logits underflows to exactly 0, and log 0 = −inf (0·(−inf) = "
                 "nan): log softmax must be computed without forming softmax first")
    expect_finite(got, loss, why="the loss is one number, the mean over the rows")
    if n > 1 and not close(np.asarray(loss), want) and matches(loss, n * want):
        fail(got, expected=f"{want:.10g}" if got.revealed else f"{n} times less than yours",
             got=f"{loss:.10g}",
             why=f"that is the SUM of the {n} per-row losses; the loss is their MEAN "
                 "(1/N)·Σᵢ −Σₖ targets_ik·log softmax(z_i)_k, which does not grow with the "
                 "batch size")
    expect_close(got, want, why=why)


def test_cross_entropy_mean(student: Student, rng: np.random.Generator) -> None:
    n, k = 5, 4
    z = rng.normal(scale=2.0, size=(n, k))
    targets = _subject_rows(_labels(rng, k, n=n), k, float(rng.uniform(0.05, 0.3)))
    _judge_loss(student.call("cross_entropy", z, targets), z, targets,
                why="L = (1/N)·Σᵢ [−Σₖ targets_ik·log softmax(z_i)_k]: the mean over rows of the "
                    "cross-entropy between each target row and its softmax")
    _judge_loss(student.call("cross_entropy", z[0], targets[0]), z[0], targets[0],
                why="a 1-D logits vector with a 1-D target is a single row (N = 1): "
                    "−Σₖ targetsₖ·log softmax(z)ₖ")


def test_cross_entropy_stable(student: Student) -> None:
    why = ("with the log-sum-exp form, log softmax([1e4, 0, −1e4]) = [0, −1e4, −2e4] exactly, "
           "so a confident mistake costs about 1e4 nats: finite, not inf; shift each row by its "
           "own max")
    z, targets = np.array([1e4, 0.0, -1e4]), np.array([0.05, 0.9, 0.05])
    _judge_loss(student.call("cross_entropy", z, targets), z, targets, why=why)
    z = np.array([[1e4, 0.0, -1e4],
                  [-1e4, -1e4 - 1.0, -1e4 + 2.0]])
    targets = np.array([[0.0, 1.0, 0.0],
                        [0.1, 0.1, 0.8]])
    _judge_loss(student.call("cross_entropy", z, targets), z, targets, why=why)


# -- cross_entropy_grad ------------------------------------------------------------------------


def _judge_grad(student: Student, got: Returned, z: np.ndarray, targets: np.ndarray,
                why: str) -> None:
    n = z.shape[0] if z.ndim == 2 else 1
    want = (_softmax(z) - targets) / n
    grad = as_array(got, shape=z.shape, why="the gradient has the shape of the logits")
    if close(grad, want):
        return
    row = _first_bad_row(grad, want) if grad.ndim == 2 else 0
    expected = _shown(want, row) if got.revealed else hint_of(grad, want)
    shown = _shown(grad, row)
    formula = closed_form(student, "cross_entropy_grad", GRADIENT)
    if close(grad, targets):
        fail(got, expected=expected, got=shown,
             why="you returned the targets y. The source text's \"∇L = y\" is a misprint: "
                 "differentiate −Σₖ yₖ·log softmax(z)ₖ yourself; the prediction appears too"
                 + formula)
    if close(grad, -targets / n):
        fail(got, expected=expected, got=shown,
             why="−y/N is the derivative of −Σₖ yₖzₖ alone; log softmax(z) = z − log Σⱼ exp(zⱼ) "
                 "and the log-sum-exp term contributes too" + formula)
    if close(grad, -want):
        fail(got, expected=expected, got=shown,
             why="the sign is flipped: the gradient of the loss is negative on an "
                 "under-predicted true class, so that gradient descent raises its logit" + formula)
    if n > 1 and close(grad, n * want):
        fail(got, expected=expected, got=shown,
             why=f"this is N = {n} times too large: the loss is the MEAN over the rows, so "
                 "each row's gradient is divided by N" + formula)
    expect_close(got, want, why=why + formula)


def test_worked_example_3(student: Student) -> None:
    z = np.log(np.array([[0.7, 0.2, 0.1]]))
    why = ("Worked Example 3: softmax(z) = ŷ = [0.7, 0.2, 0.1] and the true class is the first; "
           "the gradient with respect to the logits, for y = [1, 0, 0] and for the smoothed "
           "ỹ = [0.9, 0.05, 0.05]. Smoothing shrinks the push on the true class, but not every "
           "component: a wrong class predicted below ε/(K − 1) changes sign")
    _judge_grad(student, student.call("cross_entropy_grad", z, np.array([[1.0, 0.0, 0.0]])), z,
                np.array([[1.0, 0.0, 0.0]]), why)
    _judge_grad(student, student.call("cross_entropy_grad", z, np.array([[0.9, 0.05, 0.05]])), z,
                np.array([[0.9, 0.05, 0.05]]), why)


def test_cross_entropy_grad_formula(student: Student, rng: np.random.Generator) -> None:
    n, k = 4, 5
    z = rng.normal(scale=2.0, size=(n, k))
    targets = _subject_rows(_labels(rng, k, n=n), k, float(rng.uniform(0.05, 0.3)))
    _judge_grad(student, student.call("cross_entropy_grad", z, targets), z, targets,
                why="the gradient of the mean loss over N rows with respect to the logits")
    _judge_grad(student, student.call("cross_entropy_grad", z[1], targets[1]), z[1], targets[1],
                why="a 1-D logits vector is one row (N = 1)")


def test_cross_entropy_grad_finite_differences(student: Student, rng: np.random.Generator) -> None:
    n, k, h = 2, 3, 1e-5
    z = rng.normal(size=(n, k))
    targets = _subject_rows(_labels(rng, k, n=n), k, float(rng.uniform(0.1, 0.3)))
    why_loss = "the loss is one number, the mean over the rows"
    numeric = np.zeros_like(z)
    for index in np.ndindex(*z.shape):
        step = np.zeros_like(z)
        step[index] = h
        up = as_float(student.call("cross_entropy", z + step, targets), why=why_loss)
        down = as_float(student.call("cross_entropy", z - step, targets), why=why_loss)
        numeric[index] = (up - down) / (2 * h)
    # Central differences are accurate to O(h²) ≈ 1e-10 plus rounding ≈ 1e-11: a 1e-6 margin
    # separates them from any real mistake (those are off by 0.01 or more).
    expect_close(student.call("cross_entropy_grad", z, targets), numeric, rtol=1e-5, atol=1e-6,
                 reveal=True,
                 why="your gradient must match central differences (L(z + h·e) − L(z − h·e))/2h "
                     f"of your own cross_entropy (h = {h:g}, shown as expected); if it does not, "
                     "one of the two functions is wrong")


# -- min_cross_entropy -------------------------------------------------------------------------


def _judge_floor(student: Student, got: Returned, k: int, eps: float) -> None:
    want = _entropy(_subject_rows(np.array([0]), k, eps)[0])
    value = np.asarray(as_float(got, why="the floor is one number, in nats"))
    if close(value, want):
        return
    expected = f"{want:.10g}" if got.revealed else hint_of(value, np.asarray(want))
    if eps > 0 and matches(value, -np.log1p(-eps)):
        fail(got, expected=expected,
             why=f"−log(1 − ε) = {-np.log1p(-eps):.4g} counts only the true class. The source's "
                 "−log 0.9 ≈ 0.105 is wrong: the K − 1 wrong classes have non-zero targets "
                 "too, and they contribute to the loss even at the best prediction"
                 + closed_form(student, "min_cross_entropy", FLOOR))
    if eps > 0 and matches(value, _entropy(_uniform_rows(np.array([0]), k, eps)[0])):
        fail(got, expected=expected, why="that is the entropy of the row made by "
             f"{UNIFORM}; the floor asked for is that of {SUBJECT}")
    expect_close(got, want, why="the infimum over all logits of the mean cross-entropy "
                 "against smoothed targets (with 0·log 0 = 0)"
                 + closed_form(student, "min_cross_entropy", FLOOR))


def test_min_cross_entropy_value(student: Student, rng: np.random.Generator) -> None:
    _judge_floor(student, student.call("min_cross_entropy", 10, 0.1), 10, 0.1)
    k, eps = int(rng.integers(3, 20)), float(rng.uniform(0.02, 0.5))
    _judge_floor(student, student.call("min_cross_entropy", k, eps), k, eps)


def test_min_cross_entropy_is_the_floor(student: Student, rng: np.random.Generator) -> None:
    k, eps = int(rng.integers(3, 12)), float(rng.uniform(0.05, 0.4))
    floor_call = student.call("min_cross_entropy", k, eps)
    floor = as_float(floor_call, why="the floor is one number, in nats")
    row = _subject_rows(np.array([int(rng.integers(0, k))]), k, eps)
    reached = student.call("cross_entropy", np.log(row), row)
    perfect = as_float(reached, why="the loss is one number")
    expect_close(floor_call, perfect,
                 why=f"with logits log ỹ the prediction softmax(log ỹ) is ỹ itself, and there the "
                     f"loss reaches its floor: your cross_entropy(log ỹ, ỹ) returns "
                     f"{perfect:.10g} for the smoothed row ỹ = {show(row[0])}")
    y = _labels(rng, k, n=3)
    targets = _subject_rows(y, k, eps)
    for _ in range(3):
        z = np.log(targets) + rng.normal(scale=1.0, size=targets.shape)
        loss_call = student.call("cross_entropy", z, targets)
        loss = as_float(loss_call, why="the loss is one number")
        if loss < floor - 1e-9:
            fail(floor_call, expected=f"a value ≤ {loss:.10g}",
                 why=f"your cross_entropy gives {loss:.10g} for other logits, below your floor; "
                     "CE(ỹ, q) = H(ỹ) + KL(ỹ‖q) ≥ H(ỹ), so no prediction can beat the entropy")


def test_min_cross_entropy_eps_zero(student: Student, rng: np.random.Generator) -> None:
    k = int(rng.integers(2, 12))
    expect_close(student.call("min_cross_entropy", k, 0.0), 0.0,
                 why="with ε = 0 the target is one-hot and a confident, correct prediction costs "
                     "−log 1 = 0 (using 0·log 0 = 0 for the zero targets, not nan)")
