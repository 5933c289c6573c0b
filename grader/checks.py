"""What the graded suites use to talk to the student and to judge what comes back.

A suite never touches the student's module: it calls ``student.call("name", *args)``,
which runs the function in the sandbox child and returns a :class:`Returned` (the value and
the call as text).  The ``expect_*`` helpers raise :class:`CheckFailed` with a message that
says what was called, what came back, what was expected and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from .hints import REVEALED
from .results import STUB_NOTE, Status
from .reveal import number
from .sandbox.wire import Opaque

if TYPE_CHECKING:
    from .manifest import Problem
    from .sandbox.process import StudentProcess

_FROM_RETURNED: Any = object()  # "use returned.value"
# False while a held-out case is judged: expect_reference throws the message away, so
# values are not rendered into it (rendering arrays is most of a failing check's time).
_RENDERING = [True]
RTOL = 1e-7
ATOL = 1e-10


def earned(student: Student, function: str) -> bool:
    """Whether the student has earned `function`'s results (passed it, or saw its last rung)."""
    return (student.problem.id, function) in REVEALED


def closed_form(student: Student, function: str, text: str) -> str:
    """'; closed form: TEXT' once the student has earned `function` (SPEC §7), else ''."""
    return f"; closed form: {text}" if earned(student, function) else ""


class CheckFailed(AssertionError):
    """The student's code ran but its answer is wrong; the message teaches why."""


class StudentCodeProblem(Exception):
    """The student's code raised, hung, crashed or is missing: no answer to judge."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class CallText:
    """`name(param=value, …)`, rendered only when a message needs it (rendering is slow)."""

    def __init__(self, student: Student, function: str, args: tuple[Any, ...]) -> None:
        self._parts = (student, function, args)
        self._text: str | None = None

    def __str__(self) -> str:
        if not _RENDERING[0]:
            return ""
        if self._text is None:
            student, function, args = self._parts
            self._text = student.describe_call(function, args)
        return self._text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


@dataclass(frozen=True)
class Returned:
    """A value the student's function returned, with the call that produced it."""

    call: str | CallText
    value: Any
    revealed: bool = False  # the student has earned this function: expected values in full


class Student:
    """The suites' only door to the student's code (a proxy into the sandbox child)."""

    def __init__(self, problem: Problem, process: StudentProcess, filename: str = "") -> None:
        self.problem = problem
        self.process = process
        self.filename = filename or process.source.name

    def call(self, function: str, *args: Any) -> Returned:
        """Run `function(*args)` in the sandbox and return its value, or stop the check."""
        text = CallText(self, function, args)
        outcome = self.process.call(function, list(args))
        if outcome.status == "ok":
            return Returned(text, outcome.value, earned(self, function))
        raise _problem_for(text, outcome, self.filename)

    def expect_raises(self, error: str, function: str, *args: Any, why: str) -> None:
        """Check that `function(*args)` raises `error` (a built-in exception's name)."""
        text = CallText(self, function, args)
        outcome = self.process.call(function, list(args))
        if outcome.status == "raised" and error in outcome.error.get("mro", []):
            return
        if outcome.status == "ok":
            fail(Returned(text, outcome.value), expected=f"it to raise {error}", why=why)
        problem = _problem_for(text, outcome, self.filename)
        if outcome.status == "raised":
            raise CheckFailed(f"{problem.message}\nexpected  {error}\nwhy       {why}")
        raise problem

    def describe_call(self, function: str, args: tuple[Any, ...]) -> str:
        """`name(param=value, …)` with the parameter names the manifest declares."""
        try:
            params = self.problem.function(function).params
        except Exception:  # noqa: BLE001 - an undeclared helper still gets a readable call
            params = ()
        parts = [
            f"{params[i]}={show(arg)}" if i < len(params) else show(arg)
            for i, arg in enumerate(args)
        ]
        return f"{function}({', '.join(parts)})"


def _problem_for(call: str | CallText, outcome: Any, filename: str) -> StudentCodeProblem:
    if outcome.status == "raised":
        error = outcome.error
        kind, message = error.get("type", "an exception"), error.get("message", "")
        where = "".join(f"\n          at {line}" for line in error.get("where", []))
        if kind == "NotImplementedError":
            return StudentCodeProblem(
                "fail", f"called    {call}\nraised    {STUB_NOTE}; write its body in {filename}")
        return StudentCodeProblem("error", f"called    {call}\nraised    {kind}: {message}{where}"
                                  + _denied_note(error))
    if outcome.status == "unloadable":
        error = outcome.error
        where = "".join(f"\n          at {line}" for line in error.get("where", []))
        return StudentCodeProblem(
            "error", f"{filename} could not be loaded: {error.get('type')}: "
            f"{error.get('message')}{where}" + _denied_note(error))
    status: Status = "timeout" if outcome.status == "timeout" else "error"
    return StudentCodeProblem(status, f"called    {call}\nproblem   {outcome.detail}")


SANDBOX_DENIAL = ("the grader's sandbox refused this: student code may not start processes, "
                  "open network sockets, signal other processes, or read or write files "
                  "outside its own folder")


def _denied_note(error: dict[str, Any]) -> str:
    """The sandbox's explanation after a PermissionError that the confinement caused."""
    return f"\nnote      {SANDBOX_DENIAL}" if error.get("denied") else ""


# -- showing values ------------------------------------------------------------------------


MAX_SHOWN = 400  # characters of one rendered value: the rest is the student's, not the lesson


def show(value: Any) -> str:
    """A compact, exact-enough rendering of a value for a message (at most MAX_SHOWN characters)."""
    if not _RENDERING[0]:
        return ""
    text = _show(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def _show(value: Any) -> str:
    if isinstance(value, Opaque):
        return value.description
    if isinstance(value, np.random.Generator):
        return "<numpy Generator>"
    if isinstance(value, np.ndarray):
        if value.size > 12 or (value.ndim > 1 and value.size > 6):
            return f"array of shape {value.shape}"
        text = np.array2string(value, precision=10, max_line_width=10**6, separator=", ")
        return f"array({' '.join(text.split())})"
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, float):
        return repr(value) if len(repr(value)) <= 12 else f"{value:.10g}"
    if isinstance(value, tuple):
        return "(" + _items(value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + _items(value) + "]"
    return repr(value)[:MAX_SHOWN]


def _items(values: list[Any] | tuple[Any, ...]) -> str:
    """The first dozen items, stopping once MAX_SHOWN characters are reached (nesting is bounded)."""
    parts: list[str] = []
    length = 0
    for item in values[:12]:
        if length > MAX_SHOWN:
            break
        parts.append(_show(item)[:MAX_SHOWN])
        length += len(parts[-1]) + 2
    return ", ".join(parts) + (", …" if len(parts) < len(values) else "")


def fail(returned: Returned, *, expected: str, why: str, got: str | None = None) -> NoReturn:
    """Stop the check with the four-part message."""
    shown = got if got is not None else show(returned.value)
    raise CheckFailed(
        f"called    {returned.call}\nreturned  {shown}\nexpected  {expected}\nwhy       {why}")


# -- turning answers into numbers ------------------------------------------------------------


def as_array(returned: Returned, *, why: str, shape: tuple[int, ...] | None = None,
             value: Any = _FROM_RETURNED, part: str = "", finite: bool = True) -> np.ndarray:
    """The answer as a float64 array (lists and tuples accepted), else a failure.

    With `finite` (the default) nan and inf fail here; a check that diagnoses them itself
    passes False and calls `expect_finite` after its own diagnoses.
    """
    raw = returned.value if value is _FROM_RETURNED else value
    label = f" ({part})" if part else ""
    if isinstance(raw, Opaque) or raw is None or isinstance(raw, (str, np.random.Generator)):
        fail(returned, expected=f"an array of numbers{label}", why=why,
             got=show(raw))
    try:
        array = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        fail(returned, expected=f"an array of numbers{label}", why=why, got=show(raw))
    if shape is not None and array.shape != tuple(shape):
        fail(returned, expected=f"an array of shape {tuple(shape)}{label}", why=why,
             got=f"{show(raw)} (shape {array.shape})")
    if finite:
        expect_finite(returned, array, why=why, part=part)
    return array


def expect_finite(returned: Returned, values: Any, *, why: str, part: str = "") -> None:
    """Fail unless every number in `values` is finite (no nan, no inf)."""
    if not np.all(np.isfinite(values)):
        label = f" ({part})" if part else ""
        fail(returned, expected=f"finite numbers{label} (no nan or inf)", why=why)


def as_float(returned: Returned, *, why: str, value: Any = _FROM_RETURNED, part: str = "",
             finite: bool = True) -> float:
    """The answer as one number (float, numpy scalar or 0-d array), else a failure."""
    raw = returned.value if value is _FROM_RETURNED else value
    label = f" ({part})" if part else ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        array = np.asarray(float(raw))
    else:
        array = as_array(returned, why=why, value=raw, part=part, finite=False)
    if array.shape != ():
        fail(returned, expected=f"a single number{label}", why=why,
             got=f"{show(raw)} (shape {array.shape})")
    if finite:
        expect_finite(returned, array, why=why, part=part)
    return float(array)


def parts(returned: Returned, count: int, *, names: tuple[str, ...], why: str) -> tuple[Any, ...]:
    """The answer as `count` items: a tuple, a list or a numpy array of that length, else a failure.

    An array is split along its first axis (`np.array([w_l1, w_l2])`, or `np.array([w, m, v])`
    stacking three arrays of one shape).
    """
    raw = returned.value
    if isinstance(raw, np.ndarray) and raw.ndim >= 1 and raw.shape[0] == count:
        return tuple(raw[i] for i in range(count))
    if not isinstance(raw, (tuple, list)) or len(raw) != count:
        fail(returned, expected=f"{count} items ({', '.join(names)}) as a tuple, a list or an "
             "array of that length", why=why)
    return tuple(raw)


def close(got: np.ndarray, expected: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Numeric agreement with the project's default tolerances; NaN never agrees."""
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return False
    if np.isfinite(got).all() and np.isfinite(expected).all():
        # np.allclose's rule, |got − expected| ≤ atol + rtol·|expected|, without its overhead
        return bool((np.abs(got - expected) <= atol + rtol * np.abs(expected)).all())
    return bool(np.all(np.isfinite(got) == np.isfinite(expected))) and bool(
        np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=False))


def expect_close(returned: Returned, expected: Any, *, why: str, rtol: float = RTOL,
                 atol: float = ATOL, names: tuple[str, ...] = (), reveal: bool | None = None) -> None:
    """The answer equals `expected` (a number, an array, or a tuple of those) to tolerance.

    The whole expected value is shown only once the student has earned the function (or with
    `reveal`, for an expected value that is the student's own); before, one entry or the
    relative error (SPEC §7).
    """
    tolerance = f"(to rtol {rtol:g}, atol {atol:g})"
    whole = returned.revealed if reveal is None else reveal
    if isinstance(expected, tuple):
        items = parts(returned, len(expected), names=names or tuple(
            f"item {i}" for i in range(len(expected))), why=why)
        for index, (got_item, want) in enumerate(zip(items, expected)):
            name = names[index] if names else f"item {index}"
            got = _numeric(returned, got_item, want, why=why, part=name)
            if not close(got, want, rtol, atol):
                shown = f"{show(expected)} {tolerance}" if whole else \
                    f"{name}: {hint_of(got, want)} {tolerance}"
                fail(returned, expected=shown, why=why,
                     got=f"{show(returned.value)}  ← {name} differs")
        return
    got = _numeric(returned, returned.value, expected, why=why)
    if not close(got, expected, rtol, atol):
        want = np.asarray(expected, float)
        if whole:
            fail(returned, expected=f"{show(_plain(expected))} {tolerance}", why=why,
                 got=show(returned.value) + _first_difference(got, want))
        fail(returned, expected=f"{hint_of(got, want)} {tolerance}", why=why,
             got=show(returned.value))


def hint_of(got: Any, want: Any) -> str:
    """What an unearned expected value may show: one entry of an array, else a relative error."""
    if not _RENDERING[0]:
        return ""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if want.ndim == 0:
        scale = abs(float(want))
        if scale == 0.0:
            return f"a number much closer to 0 (yours is {number(abs(float(got)))} away from it)"
        error = (float(got) - float(want)) / scale
        side = "too large" if error > 0 else "too small"
        return f"another value: yours is off by a relative {number(abs(error), 2)} ({side})"
    if got.shape != want.shape:
        return f"an array of shape {want.shape}"
    with np.errstate(invalid="ignore"):
        wrong = ~np.isclose(got, want, rtol=RTOL, atol=ATOL)
    if not wrong.any():
        return f"an array of shape {want.shape}"
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    at = index[0] if len(index) == 1 else index
    return (f"an array of shape {want.shape} whose entry {at} is {want[index]:.10g} "
            f"(yours {got[index]:.10g}; the other entries are not shown before you earn them)")


def matches(got: Any, mistake: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Whether an answer equals what a known mistake gives for the same inputs (nan, inf too)."""
    got, mistake = np.asarray(got, dtype=np.float64), np.asarray(mistake, dtype=np.float64)
    if got.shape != mistake.shape:
        return False
    return bool(np.allclose(got, mistake, rtol=rtol, atol=atol, equal_nan=True))


def _first_difference(got: np.ndarray, expected: np.ndarray) -> str:
    if not _RENDERING[0] or got.ndim == 0 or got.shape != expected.shape:
        return ""
    with np.errstate(invalid="ignore"):
        wrong = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    index = tuple(int(i) for i in np.argwhere(wrong)[0]) if wrong.any() else None
    if index is None:
        return ""
    at = index[0] if len(index) == 1 else index
    return (f"\n          first difference at index {at}: got {got[index]:.10g}, "
            f"expected {expected[index]:.10g}")


def _numeric(returned: Returned, raw: Any, expected: Any, *, why: str, part: str = "") -> np.ndarray:
    if np.ndim(expected) == 0:
        return np.asarray(as_float(returned, why=why, value=raw, part=part))
    return as_array(returned, why=why, value=raw, shape=np.shape(expected), part=part)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return float(value)
    return value


def expect_reference(returned: Returned, expected: Any, *, case: str, rtol: float = RTOL,
                     atol: float = ATOL, names: tuple[str, ...] = ()) -> None:
    """Held-out: the answer equals the reference solution's to tolerance.

    The message names the case but shows no input or expected value, so that a held-out
    case can be reported to a student without giving it away.
    """
    _RENDERING[0] = False
    try:
        expect_close(returned, expected, why=case, rtol=rtol, atol=atol, names=names)
    except CheckFailed:
        raise CheckFailed(f"held-out case: {case}\nthe answer differs from the reference solution "
                          f"(to rtol {rtol:g}, atol {atol:g})") from None
    finally:
        _RENDERING[0] = True

