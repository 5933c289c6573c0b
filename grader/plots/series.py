"""What a figure shows, as plain data (no matplotlib), and the door its student values come in by.

A :class:`Source` is one implementation of a problem's functions: the student's, called in
the sandbox child, or the reference, called in this process.  Whatever a call returns is
checked here (type, shape, finiteness) before it becomes a :class:`Series`; a call that
raised, hung, crashed or answered nonsense becomes a :class:`Failure` with a fixed phrase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..sandbox.process import CallOutcome

Kind = Literal["student", "reference", "context"]
Style = Literal["line", "dashed", "points"]
LegendPlace = Literal["best", "upper left", "upper right", "lower left", "lower right"]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, eq=False)  # arrays inside: equal means the same object
class Series:
    """One curve (or set of points) of a panel, with where it came from."""

    label: str  # "" keeps it out of the legend
    x: np.ndarray
    y: np.ndarray
    kind: Kind
    group: int = 0  # the colour: the student's and the reference's version of a curve share one
    style: Style = "line"
    band: tuple[np.ndarray, np.ndarray] | None = None  # (low, high) around y, shaded
    key: str = ""  # pairs a student series with its reference; default: the label, unsuffixed

    def __post_init__(self) -> None:
        if not self.key:
            plain = self.label.removesuffix(" (yours)").removesuffix(" (reference)")
            object.__setattr__(self, "key", plain)


@dataclass(frozen=True)
class Marker:
    """A labelled point (a worked number, a matching λ)."""

    x: float
    y: float
    label: str
    kind: Kind
    group: int = 0
    side: Literal["right", "left"] = "right"  # where its label goes


@dataclass(frozen=True, eq=False)
class Contours:
    """Level lines of a function on a grid (z[i, j] at x[j], y[i])."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray


@dataclass(frozen=True)
class Panel:
    """One set of axes."""

    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    markers: tuple[Marker, ...] = ()
    xscale: Literal["linear", "log"] = "linear"
    contours: Contours | None = None
    xlim: tuple[float, float] | None = None  # fixed limits (else the reference's, or matplotlib's)
    ylim: tuple[float, float] | None = None
    legend: LegendPlace = "upper left"  # "best" is slow with many points
    legend_anchor: tuple[float, float] | None = None


@dataclass(frozen=True)
class Failure:
    """A student function whose values are not drawn, and why, in a fixed phrase."""

    function: str
    how: str

    def __str__(self) -> str:
        return f"{self.function} {self.how}"


@dataclass(frozen=True)
class FigureData:
    """Everything one figure draws, and which student functions could not be drawn."""

    problem: str
    title: str
    panels: tuple[Panel, ...]
    failures: tuple[Failure, ...] = ()
    reference_from: str = ""  # "solutions", "formulas", or "" when no reference is drawn

    @property
    def failure_line(self) -> str:
        """The second line of the title when something failed, else ''."""
        if not self.failures:
            return ""
        tail = "; the reference is drawn instead" if self.reference_from else ""
        return "Not drawn from your code: " + "; ".join(map(str, self.failures)) + tail

    def series_of(self, kind: Kind) -> list[Series]:
        """Every series of that kind, panel by panel."""
        return [s for panel in self.panels for s in panel.series if s.kind == kind]

    def twin(self, series: Series) -> Series | None:
        """The reference series drawn beside a student series (the same key), if any."""
        for panel in self.panels:
            if any(other is series for other in panel.series):
                for other in panel.series:
                    if other.kind == "reference" and other.key == series.key:
                        return other
        return None

    def find(self, label: str, kind: Kind | None = None) -> Series:
        """The first series with this label (and kind)."""
        for panel in self.panels:
            for series in panel.series:
                if series.label == label and kind in (None, series.kind):
                    return series
        raise KeyError(label)


class BadValue(Exception):
    """A returned value the figure cannot use; its message is a fixed phrase."""


Call = Callable[[str, list[Any]], CallOutcome]
Checker = Callable[[Any], Any]


@dataclass
class Source:
    """One implementation of a problem's functions; remembers the first failure of each."""

    kind: Kind
    call: Call
    failures: dict[str, Failure] = field(default_factory=dict)

    def value(self, function: str, args: list[Any], check: Checker) -> Any:
        """`check(function(*args))`, or None once the function has failed (never called again)."""
        if function in self.failures or "" in self.failures:
            return None
        outcome = self.call(function, args)
        if outcome.status == "unloadable":
            self.failures[""] = Failure("your file", "could not be loaded"
                                        + _exception_name(outcome.error, " ({})"))
            return None
        if outcome.status != "ok":
            self.failures[function] = Failure(function, outcome_phrase(outcome))
            return None
        try:
            return check(outcome.value)
        except BadValue as exc:
            self.failures[function] = Failure(function, str(exc))
            return None


def outcome_phrase(outcome: CallOutcome) -> str:
    """How a call failed, in words of ours (only an identifier-like exception name is kept)."""
    if outcome.status == "raised":
        name = _exception_name(outcome.error, "{}")
        if name == "NotImplementedError":
            return "is not written yet (it raises NotImplementedError)"
        return f"raised {name}" if name else "raised an exception"
    return {"timeout": "did not return in time",
            "crashed": "ended the process running it",
            "missing": "is not defined in your file"}.get(outcome.status, "could not be called")


def _exception_name(error: dict[str, Any], template: str) -> str:
    name = error.get("type") if isinstance(error, dict) else None
    if isinstance(name, str) and len(name) <= 60 and _IDENTIFIER.match(name):
        return template.format(name)
    return ""


def reference_call(module: Any) -> Call:
    """Call a trusted module's functions in this process, with the sandbox's outcome shapes."""
    def call(function: str, args: list[Any]) -> CallOutcome:
        target = getattr(module, function, None)
        if not callable(target):
            return CallOutcome("missing")
        try:
            return CallOutcome("ok", value=target(*args))
        except Exception as exc:  # noqa: BLE001 - a bug in the reference must not hide the figure
            return CallOutcome("raised", error={"type": type(exc).__name__})
    return call


# -- checkers: each turns a returned value into plain float64 data or raises BadValue ---------


def array_of(shape: tuple[int, ...]) -> Checker:
    """A finite float64 array of exactly this shape (lists and tuples accepted)."""
    def check(value: Any) -> np.ndarray:
        return _finite(_as_array(value, shape))
    return check


def number(value: Any) -> float:
    """A finite real number (a float, an int, a numpy scalar or a 0-d array)."""
    if isinstance(value, bool):
        raise BadValue("returned True or False where a number was expected")
    array = _as_array(value, ())
    return float(_finite(array))


def positive_number(value: Any) -> float:
    """A finite number > 0."""
    result = number(value)
    if result <= 0:
        raise BadValue("returned a number that is not positive")
    return result


def tuple_of(*checks: Checker) -> Checker:
    """A tuple, list or array of len(checks) items, each checked by its checker."""
    def check(value: Any) -> tuple[Any, ...]:
        if isinstance(value, np.ndarray) and value.ndim >= 1:
            items: Sequence[Any] = list(value)
        elif isinstance(value, (tuple, list)):
            items = value
        else:
            raise BadValue(f"returned a single value where {len(checks)} were expected")
        if len(items) != len(checks):
            raise BadValue(f"returned {len(items)} values where {len(checks)} were expected")
        return tuple(c(item) for c, item in zip(checks, items))
    return check


def _as_array(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        raw = np.asarray(value)  # no dtype: numpy would turn the text "1.5" into a number
    except (TypeError, ValueError, OverflowError):
        raw = np.asarray(None)
    if raw.dtype.kind not in "biuf":
        raise BadValue("returned something that is not an array of numbers")
    array = raw.astype(np.float64)
    if array.shape != shape:
        want = "a number" if shape == () else f"shape {shape}"
        got = "a number" if array.ndim == 0 else f"shape {tuple(array.shape)}"
        raise BadValue(f"returned {got} where {want} was expected")
    return array


def _finite(array: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(array)):
        raise BadValue("returned values that are not finite (nan or inf)")
    return array
