"""The reference solutions, loaded as trusted code for the held-out cases of `grade`."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import UsageError
from .paths import HELDOUT_DIR, solutions_dir

NEEDS_SOURCE = ("grading needs the course source (solutions/ and the held-out cases): run it "
                "from a clone of the course repository, not from the students' install")


class GradingNeedsSource(UsageError):
    """`grade` was run where there are no reference solutions (a student's install)."""


def load_references(problem_ids: Iterable[str]) -> dict[str, ModuleType]:
    """problem id -> the reference module from solutions/, or GradingNeedsSource."""
    folder = require_source()
    references = {}
    for problem_id in problem_ids:
        path = folder / f"{problem_id}.py"
        spec = importlib.util.spec_from_file_location(f"regquiz_reference_{problem_id}", path)
        if spec is None or spec.loader is None or not path.is_file():
            raise GradingNeedsSource(f"{NEEDS_SOURCE} ({path} is missing)")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        references[problem_id] = module
    return references


class RememberingReference(ModuleType):
    """A reference module whose answers are remembered, for the held-out cases of a batch.

    The held-out inputs come from a generator seeded by the test's name, so every
    submission of a batch asks the reference the same questions (an ISTA run, 2ⁿ dropout
    masks …).  A call whose arguments are numbers, numpy arrays, tuples and lists is
    answered from memory after the first time, with copies (a check that changes an
    answer cannot change the next one); any other call (a random generator, which the
    reference advances) runs every time, as do calls that raise.
    """

    MAX_ANSWERS = 4096  # per module: then new questions are no longer remembered

    def __init__(self, module: ModuleType) -> None:
        super().__init__(module.__name__, module.__doc__)
        self._module = module
        self._answers: dict[tuple[Any, ...], Any] = {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if name.startswith("_") or not callable(value):
            return value
        return lambda *args, **kwargs: self._call(name, value, args, kwargs)

    def _call(self, name: str, function: Callable[..., Any], args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        key = _question(name, args, sorted(kwargs.items()))
        if key is None:
            return function(*args, **kwargs)
        if key in self._answers:
            return _copy(self._answers[key])
        answer = function(*args, **kwargs)
        # not remembered: an answer that cannot be copied, or a call that changed its arguments
        if (len(self._answers) < self.MAX_ANSWERS and _copyable(answer)
                and _question(name, args, sorted(kwargs.items())) == key):
            self._answers[key] = _copy(answer)
        return answer


def _question(name: str, *values: Any) -> tuple[Any, ...] | None:
    """An exact, hashable key for a call's arguments; None if one cannot be remembered."""
    import numpy as np

    parts: list[Any] = [name]
    pending = list(values)
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind in (tuple, list):
            parts.append((kind.__name__, len(value)))
            pending.extend(value)
        elif kind is float or kind is np.float64:
            parts.append((kind.__name__, float(value).hex()))  # -0.0 and 0.0 differ
        elif kind in (int, bool, str, type(None)) or isinstance(value, np.integer):
            parts.append((kind.__name__, value))
        elif kind is np.ndarray and value.dtype.kind in "biufc":
            parts.append(("ndarray", value.dtype.str, value.shape, value.strides,
                          value.tobytes()))
        else:
            return None
    return tuple(parts)


def _copyable(value: Any) -> bool:
    import numpy as np

    if type(value) in (tuple, list):
        return all(map(_copyable, value))
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biufc"
    return isinstance(value, (float, int, np.number, np.bool_)) or value is None


def _copy(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) in (tuple, list):
        return type(value)(map(_copy, value))
    return value


def require_source() -> Path:
    """The solutions folder, or GradingNeedsSource unless it and the held-out cases exist."""
    folder = solutions_dir()
    if folder is None or not HELDOUT_DIR.is_dir():
        raise GradingNeedsSource(NEEDS_SOURCE)
    return folder
