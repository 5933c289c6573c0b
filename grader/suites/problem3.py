"""Graded checks for problem 3: inverted dropout, its gradient, its moments and Worked Example 2.

Every test is worth the points the manifest gives `test_<name>`.  Inputs are drawn from the
`rng` fixture (seeded, replayable).  The random mask is judged by its distribution and by its
replay from the same generator state, never by equality with anyone's draws; the statistical
bounds are derived below so that a correct solution fails them with probability < 1e-10.
"""

from __future__ import annotations

import math

import numpy as np

from regquiz.checks import (Returned, Student, as_array, as_float, close, closed_form, earned,
                            expect_close, hint_of,
                            fail, parts)
from regquiz.reveal import number

VARIANCE = "Var(d) = σ²/(1 − p) + μ²·p/(1 − p)"

# -- statistical bounds ----------------------------------------------------------------------
#
# Hoeffding: for independent Xᵢ, each in an interval of width wᵢ,
#     P(|Σ Xᵢ − E Σ Xᵢ| ≥ s) ≤ 2·exp(−2s²/Σ wᵢ²).
# Setting the right side to DELTA gives s = sqrt(LOG_TERM·Σ wᵢ²/2) with LOG_TERM = ln(2/DELTA).
# The suite makes 8 such comparisons (2 frequency, 2 mean, 2 × 2 variance), so by the union
# bound a correct solution fails any of them with probability < 8·DELTA < 1e-10, for every seed.
DELTA = 1e-11
LOG_TERM = math.log(2 / DELTA)
UNITS = 20_000  # units per statistical call: tight enough, cheap even for a pure-Python loop
STATISTICAL_P = (0.2, 0.7)  # p ≠ 0.5, where Bernoulli(p) and Bernoulli(1 − p) differ


def _hoeffding_mean(a: np.ndarray, keep: float) -> float:
    """s with P(|mean(a·m/keep) − mean(a)| ≥ s) ≤ DELTA for mᵢ ~ Bernoulli(keep) independent.

    aᵢ·mᵢ/keep lies in an interval of width |aᵢ|/keep; Hoeffding on the sum, divided by n.
    """
    return math.sqrt(LOG_TERM * float(np.sum(a**2)) / 2) / (a.size * keep)


def _variance_bound(a: np.ndarray, keep: float) -> float:
    """s with P(|var(d) − (σ²/keep + μ²·p/keep)| ≥ s) ≤ 2·DELTA for d = a·m/keep.

    With S1 = mean(d), S2 = mean(d²) and μ, σ² the mean and variance of the fixed array a:
    E[S1] = μ and E[S2] = mean(a²)/keep, so the target is E[S2] − μ² = σ²/keep + μ²·p/keep.
    dᵢ² lies in an interval of width aᵢ²/keep², so Hoeffding gives |S2 − E[S2]| < s2; with
    |S1 − μ| < s1 (see _hoeffding_mean), |S1² − μ²| = |S1 − μ|·|S1 + μ| < s1·(2|μ| + s1).
    The sample variance S2 − S1² is therefore within s2 + s1·(2|μ| + s1) of the target.
    """
    s2 = math.sqrt(LOG_TERM * float(np.sum(a**4)) / 2) / (a.size * keep**2)
    s1 = _hoeffding_mean(a, keep)
    return s2 + s1 * (2 * abs(float(np.mean(a))) + s1)


# -- helpers -----------------------------------------------------------------------------------


def _generator(rng: np.random.Generator) -> np.random.Generator:
    """A fresh generator for the student, seeded from the test's (replayable) rng."""
    return np.random.default_rng(int(rng.integers(2**63)))


def _out_and_mask(returned: Returned, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The (out, mask) pair as float arrays of `shape`, the mask holding only 0 and 1."""
    why = ("inverted_dropout returns the pair (out, mask), both shaped like a; the mask is 1 "
           "where a unit is kept")
    out, mask = parts(returned, 2, names=("out", "mask"), why=why)
    out = as_array(returned, value=out, shape=shape, part="out", why=why)
    mask = as_array(returned, value=mask, shape=shape, part="mask", why=why)
    if not np.all((mask == 0) | (mask == 1)):
        odd = mask[(mask != 0) & (mask != 1)].ravel()[0]
        fail(returned, expected="a mask of 0s and 1s only (1 = kept, 0 = dropped)",
             why="the mask is a draw of Bernoulli(1 − p) variables; the 1/(1 − p) scaling belongs "
                 "in out, not in the mask", got=f"a mask containing {float(odd):.10g}")
    return out, mask


def _exact_moments(mu: float, sigma2: float, p: float) -> tuple[float, float]:
    """Mean and variance of d = a·m/(1 − p) by enumerating a = μ ± σ (each ½) and m ∈ {0, 1}.

    Any a with mean μ and variance σ² gives the same two moments, since they only depend
    on E[a] and E[a²]; the two-point a makes the expectation a finite sum.
    """
    sigma = math.sqrt(sigma2)
    outcomes = [((mu + sign * sigma) * m / (1 - p), 0.5 * (1 - p if m else p))
                for sign in (-1.0, 1.0) for m in (0, 1)]
    mean = sum(prob * d for d, prob in outcomes)
    return mean, sum(prob * d * d for d, prob in outcomes) - mean**2


def _moment_parts(returned: Returned) -> tuple[float, float]:
    why = "dropout_moments returns the pair (mean, var) of d = a·m/(1 − p)"
    mean, var = parts(returned, 2, names=("mean", "var"), why=why)
    return (as_float(returned, value=mean, part="mean", why=why),
            as_float(returned, value=var, part="var", why=why))


# -- inverted_dropout ----------------------------------------------------------------------------


def test_inverted_dropout_forward(student: Student, rng: np.random.Generator) -> None:
    a = rng.uniform(0.5, 2.0, size=(6, 8)) * rng.choice([-1.0, 1.0], size=(6, 8))
    for p in (float(rng.uniform(0.1, 0.35)), float(rng.uniform(0.65, 0.8))):
        got = student.call("inverted_dropout", a, p, _generator(rng))
        out, mask = _out_and_mask(got, a.shape)
        want = a * mask / (1 - p)
        if not close(out, want):
            i = tuple(int(k) for k in np.unravel_index(np.argmax(np.abs(out - want)), a.shape))
            fail(got, expected=f"out = a·mask/(1 − p) with the returned mask, e.g. entry {i}: "
                 f"{a[i]:.10g}·{mask[i]:g}/(1 − {p:.10g}) = {want[i]:.10g}",
                 why="inverted dropout divides the kept activations by the keep probability 1 − p "
                     "(p is the drop rate), so that E[out] = a and inference needs no rescaling",
                 got=f"out with entry {i} = {out[i]:.10g}")


def test_inverted_dropout_p_zero(student: Student, rng: np.random.Generator) -> None:
    a = rng.normal(size=(3, 5))
    got = student.call("inverted_dropout", a, 0.0, _generator(rng))
    out, mask = _out_and_mask(got, a.shape)
    if not np.all(mask == 1):
        fail(got, expected="a mask of all 1s", why="with p = 0 no unit is ever dropped: each unit is "
             "kept with probability 1 − p = 1", got=f"a mask with {int(np.sum(mask == 0))} of "
             f"{a.size} units dropped")
    expect_close(Returned(got.call, out), a,
                 why="with p = 0 every unit is kept and 1/(1 − p) = 1, so out equals a exactly "
                     "(dividing by p instead of 1 − p gives inf here)")


def test_inverted_dropout_rejects_bad_p(student: Student, rng: np.random.Generator) -> None:
    a = rng.normal(size=4)
    for p, reason in [(1.0, "p = 1 drops every unit and the scaling 1/(1 − p) divides by zero"),
                      (1.5, "a drop probability above 1 is meaningless"),
                      (-0.1, "a drop probability below 0 is meaningless")]:
        student.expect_raises("ValueError", "inverted_dropout", a, p, _generator(rng),
                              why=f"the drop rate must satisfy 0 ≤ p < 1: {reason}")


def test_inverted_dropout_replay(student: Student, rng: np.random.Generator) -> None:
    a = rng.normal(size=(10, 20))
    p = 0.3
    generator = _generator(rng)
    first = student.call("inverted_dropout", a, p, generator)
    out_1, mask_1 = _out_and_mask(first, a.shape)
    again = student.call("inverted_dropout", a, p, generator)  # the same state is sent again
    out_2, mask_2 = _out_and_mask(again, a.shape)
    if not (np.array_equal(mask_1, mask_2) and np.array_equal(out_1, out_2)):
        fail(again, expected="the same out and mask as the first call with this generator state",
             why="all randomness must come from the rng argument (rng.random, rng.binomial, …): "
                 "then the same generator state replays the same mask. np.random.* or a fresh "
                 "np.random.default_rng() ignore the generator you were given",
             got=f"a different mask ({int(np.sum(mask_1 != mask_2))} of {a.size} entries differ)")
    other = student.call("inverted_dropout", a, p, _generator(rng))
    _, mask_3 = _out_and_mask(other, a.shape)
    # Two independent correct masks of 200 units agree with probability 0.58**200 < 1e-47.
    if np.array_equal(mask_1, mask_3):
        fail(other, expected="a different mask for a different generator state",
             why="the mask must be drawn from the rng argument; an identical mask from another "
                 "generator state means the draws ignore it (a hard-coded seed?)",
             got="exactly the same mask as with the first generator")


def test_inverted_dropout_keep_frequency(student: Student, rng: np.random.Generator) -> None:
    a = np.ones(UNITS)
    # K = number of kept units ~ Binomial(n, 1 − p); Hoeffding: P(|K/n − (1 − p)| ≥ t) ≤ DELTA
    # for t = sqrt(LOG_TERM/(2n)) ≈ 0.026, while keeping with probability p misses by ≥ 0.4.
    tolerance = _hoeffding_mean(a, 1.0)
    for p in STATISTICAL_P:
        got = student.call("inverted_dropout", a, p, _generator(rng))
        _, mask = _out_and_mask(got, a.shape)
        kept = int(mask.sum())
        if abs(kept / a.size - (1 - p)) >= tolerance:
            swapped = abs(kept / a.size - p) < tolerance
            fail(got, expected=f"a kept fraction within {tolerance:.4f} of 1 − p = {1 - p:g}",
                 why="p is the DROP rate: each unit is kept with probability 1 − p. A correct mask "
                     "lands outside this range with probability < 1e-10 (Hoeffding's bound)"
                     + ("; yours keeps a fraction close to p itself, as if each unit were kept "
                        "with the drop probability (Bernoulli(p))" if swapped else ""),
                 got=f"a kept fraction of {kept / a.size:.4f} ({kept} of {a.size} units)")


def test_inverted_dropout_mean(student: Student, rng: np.random.Generator) -> None:
    c = float(rng.uniform(0.5, 3.0))
    a = np.full(UNITS, c)
    for p in STATISTICAL_P:
        # out = c·m/(1 − p), so mean(out) − c = c·(K/n − (1 − p))/(1 − p): the binomial bound
        # of the frequency check, scaled by c/(1 − p).
        tolerance = _hoeffding_mean(a, 1 - p)
        got = student.call("inverted_dropout", a, p, _generator(rng))
        out, _ = _out_and_mask(got, a.shape)
        if not abs(float(out.mean()) - c) < tolerance:
            fail(got, expected=(f"mean(out) within {number(tolerance, 4)} of c = {number(c, 6)} "
                                "(every entry of a)"),
                 why="E[out] = a·E[m]/(1 − p) = a·(1 − p)/(1 − p) = a: inverted dropout keeps the "
                     "expected activation equal to the inference-time one. A correct solution "
                     "misses this range with probability < 1e-10",
                 got=f"mean(out) = {number(float(out.mean()), 6)} over {a.size} units")


def test_inverted_dropout_variance(student: Student, rng: np.random.Generator) -> None:
    for p in STATISTICAL_P:
        a = rng.normal(float(rng.uniform(0.5, 1.5)), 1.0, size=UNITS)
        mu, sigma2 = float(a.mean()), float(a.var())
        target = sigma2 / (1 - p) + mu**2 * p / (1 - p)
        tolerance = _variance_bound(a, 1 - p)
        got = student.call("inverted_dropout", a, p, _generator(rng))
        out, _ = _out_and_mask(got, a.shape)
        spread = float(np.mean(out**2) - np.mean(out) ** 2)
        if not abs(spread - target) < tolerance:
            expected = (f"var(out) within {number(tolerance)} of {number(target, 5)} (a has mean "
                        f"μ = {number(mu, 4)}, variance σ² = {number(sigma2, 4)})"
                        if earned(student, "dropout_moments") else
                        f"var(out) within {number(tolerance)} of the exact variance of "
                        f"a·m/(1 − p) for these a (mean μ = {number(mu, 4)}, variance "
                        f"σ² = {number(sigma2, 4)}; "
                        "dropout_moments is the function that computes it)")
            fail(got, expected=expected,
                 why="a unit is 0 with probability p and a/(1 − p) otherwise, and the spread of "
                     "out over the units must be what that mask gives (dropout_moments computes "
                     "it exactly). A correct solution misses this range with probability < 1e-10",
                 got=f"var(out) = {spread:.5g} over {a.size} units")


# -- dropout_backward --------------------------------------------------------------------------


def test_dropout_backward(student: Student, rng: np.random.Generator) -> None:
    p = float(rng.uniform(0.2, 0.4))
    grad_out = rng.normal(size=(5, 8))
    mask = (rng.random(grad_out.shape) >= p).astype(np.float64)
    mask[0, :2] = (1.0, 0.0)  # at least one kept and one dropped unit
    got = student.call("dropout_backward", grad_out, mask, p)
    grad = as_array(got, shape=grad_out.shape, why="the gradient has the shape of grad_out")
    dropped = mask == 0
    if np.any(grad[dropped] != 0):
        fail(got, expected=f"exact zeros wherever mask = 0 ({int(dropped.sum())} entries)",
             why="a dropped unit contributed nothing to out (out = a·0), so no gradient flows "
                 "back to it",
             got=f"{int(np.sum(grad[dropped] != 0))} non-zero gradients on dropped units")
    expect_close(got, grad_out * mask / (1 - p),
                 why="the gradient with respect to a is grad_out times ∂out/∂a, entry by entry, for "
                     "the forward pass out = a·mask/(1 − p)" + closed_form(
                         student, "dropout_backward", "grad_out·mask/(1 − p)"))


# -- dropout_moments ---------------------------------------------------------------------------


def test_dropout_moments_mean(student: Student, rng: np.random.Generator) -> None:
    for p in (float(rng.uniform(0.1, 0.35)), float(rng.uniform(0.65, 0.9))):
        mu = float(rng.uniform(0.5, 3.0) * rng.choice([-1.0, 1.0]))
        sigma2 = float(rng.uniform(0.2, 2.0))
        got = student.call("dropout_moments", mu, sigma2, p)
        mean, _ = _moment_parts(got)
        if not close(np.asarray(mean), mu):
            fail(got, expected=f"mean = μ = {mu:.10g}",
                 why="the 1/(1 − p) scaling exists so that dropout leaves the mean of an "
                     "activation unchanged")


def test_dropout_moments_variance(student: Student, rng: np.random.Generator) -> None:
    mu = float(rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0]))
    sigma2 = float(rng.uniform(0.2, 2.0))
    # The cases that tell the two known mistakes apart come first (σ² > 0, p ≠ 0.5).
    cases = [(0.0, sigma2, float(rng.uniform(0.1, 0.4))),  # μ = 0
             (mu, sigma2, float(rng.uniform(0.1, 0.4))), (mu, sigma2, float(rng.uniform(0.6, 0.9))),
             (mu, 0.0, float(rng.uniform(0.6, 0.9))),      # a constant a: all noise is the mask's
             (0.0, 1.0, 0.5), (1.0, 1.0, 0.5)]             # the docstring's examples
    for m, s2, p in cases:
        got = student.call("dropout_moments", m, s2, p)
        _, var = _moment_parts(got)
        _, want = _exact_moments(m, s2, p)
        if close(np.asarray(var), want):
            continue
        inputs = f"(μ = {m:.6g}, σ² = {s2:.6g}, p = {p:.6g})"
        expected = (f"var = {want:.10g} {inputs}" if got.revealed else
                    f"var: {hint_of(var, want)} {inputs}")
        source_text, no_mean_term = s2 * p / (1 - p), s2 / (1 - p)
        if close(np.asarray(var), source_text) and not close(np.asarray(var), no_mean_term):
            why = ("σ²·p/(1 − p) is the source text's claim (its Practice Problem 3), and it is "
                   "wrong: it is only the increase Var(d) − σ² in the special case μ = 0, not the "
                   "total variance of d that is asked for")
        elif close(np.asarray(var), no_mean_term) and not close(np.asarray(var), source_text):
            why = ("σ²/(1 − p) is right only when μ = 0: with μ ≠ 0 the mask also turns the mean "
                   "into noise (d is 0 or a/(1 − p)), which adds a term in μ²")
        else:
            why = ("the total variance E[d²] − E[d]² of d = a·m/(1 − p), with a and m "
                   "independent")
        fail(got, expected=expected, why=why + closed_form(student, "dropout_moments", VARIANCE))


# -- dropout_expected_output (Worked Example 2) ------------------------------------------------


def test_worked_example_2(student: Student, rng: np.random.Generator) -> None:
    why = ("Worked Example 2: with p = 0.5 and two units there are four masks; E[y] averages "
           "their outputs, each weighted by its probability" + closed_form(
               student, "dropout_expected_output", "E[y] = w₁h₁ + w₂h₂, the output with dropout "
               "switched off"))
    got = student.call("dropout_expected_output", np.array([1.0, 2.0]), np.array([3.0, 4.0]), 0.5)
    expect_close(got, 11.0, why=why)
    w, h = rng.normal(size=2), rng.uniform(0.1, 2.0, size=2)
    got = student.call("dropout_expected_output", w, h, 0.5)
    expect_close(got, float(w @ h), why=why)


def test_expected_output_any_p(student: Student, rng: np.random.Generator) -> None:
    # Up to 12 units (4096 masks): a plain itertools loop over 2¹⁶ masks can take ~0.5 s.
    for p in (float(rng.uniform(0.1, 0.35)), float(rng.uniform(0.65, 0.9))):
        n = int(rng.integers(3, 13))
        w, h = rng.normal(size=n), rng.uniform(0.1, 2.0, size=n)
        got = student.call("dropout_expected_output", w, h, p)
        expect_close(got, float(w @ h),
                     why=f"E[y] over all 2ⁿ masks of n = {n} units, each weighted by its "
                         "probability (p is the DROP rate), for this p, not only 0.5"
                         + closed_form(student, "dropout_expected_output",
                                       "Σ over masks of (1 − p)^k·p^(n−k)·y(mask) = Σ wᵢhᵢ"))


def test_expected_output_rejects_17_units(student: Student, rng: np.random.Generator) -> None:
    w, h = rng.normal(size=17), rng.uniform(0.1, 2.0, size=17)
    student.expect_raises("ValueError", "dropout_expected_output", w, h, 0.3,
                          why="enumeration is limited to n ≤ 16 (2¹⁶ = 65536 masks); n = 17 would "
                              "already mean 131072 masks, so the function must refuse it")
