"""`grade --similarity`: code that is unusually alike, by winnowed token fingerprints.

Compares text only (it never runs anything): each problem's code is tokenized with the
standard library's `tokenize`, names become one token (renaming hides nothing), strings
and comments drop out, and the k-grams of what is left are winnowed (Schleimer, Wilkerson &
Aiken 2003, the algorithm of MOSS).  Fingerprints of the stub (the signatures and
docstrings every student starts from) never count, nor do those most of the class shares
(the natural way to write a one-liner).  A submission is flagged against another when they
share at least MIN_SHARED fingerprints covering PAIR_SCORE of the smaller one, and against
"package" when PACKAGE_SCORE of its fingerprints come from the code the students' package
ships (the graded suites, checks and figure formulas, which necessarily encode the answers).
"""

from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

K, WINDOW = 10, 5  # k-gram length in tokens, winnowing window: any match of 14 tokens is seen
MIN_SHARED = 6
PAIR_SCORE = 0.6
PACKAGE_SCORE = 0.6
MAX_CODE_BYTES = 1024 * 1024
PACKAGE_TO = "package"


@dataclass(frozen=True)
class Fingerprints:
    """One text's winnowed fingerprints: hash -> the lines (first, last) of its k-gram."""

    spans: dict[int, tuple[int, int]]

    def hashes(self) -> set[int]:
        """The fingerprints themselves."""
        return set(self.spans)


@dataclass(frozen=True)
class Alike:
    """A submission's code for `problem` resembles `to`'s (another submission, or "package")."""

    problem: str
    to: str
    score: float  # 0-1: the share of this code's fingerprints found in the other's
    lines: tuple[tuple[int, int], ...]  # the matching lines of this submission's file
    to_lines: tuple[tuple[int, int], ...] = ()  # and of the other's (empty for "package")

    def to_dict(self) -> dict[str, Any]:
        """SPEC §3's shape: problem, to, score; plus the matching lines."""
        return {"problem": self.problem, "to": self.to, "score": round(self.score, 3),
                "lines": [list(span) for span in self.lines],
                "to_lines": [list(span) for span in self.to_lines]}

    def note(self) -> str:
        """One line for the table's and the CSV's notes."""
        where = f"lines {_ranges(self.lines)}"
        if self.to_lines:
            where += f" ~ its lines {_ranges(self.to_lines)}"
        whom = "the code shipped in the students' package" if self.to == PACKAGE_TO else self.to
        return f"alike {whom} ({self.score:.0%}; {where})"


def fingerprints(code: str) -> Fingerprints:
    """Winnowed fingerprints of Python source (what does not tokenize is cut off there)."""
    tokens = _normalized_tokens(code)
    grams = []
    for start in range(len(tokens) - K + 1):
        window = tokens[start:start + K]
        digest = hashlib.blake2b("\x1f".join(text for text, _ in window).encode(),
                                 digest_size=8).digest()
        grams.append((int.from_bytes(digest, "big"), window[0][1], window[-1][1]))
    spans: dict[int, tuple[int, int]] = {}
    for start in range(max(0, len(grams) - WINDOW + 1) or (1 if grams else 0)):
        window = grams[start:start + WINDOW]
        chosen = min(window, key=lambda gram: gram[0])  # the leftmost smallest hash
        first, last = spans.get(chosen[0], (chosen[1], chosen[2]))
        spans[chosen[0]] = (min(first, chosen[1]), max(last, chosen[2]))
    return Fingerprints(spans)


def _normalized_tokens(code: str) -> list[tuple[str, int]]:
    """(token text, line) with names as "V" (attributes kept) and no strings or comments."""
    out: list[tuple[str, int]] = []
    previous = ""
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
               tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.STRING)
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type in skipped:
                continue
            text = token.string
            if token.type == tokenize.NAME and not keyword.iskeyword(text) and previous != ".":
                text = "V"
            previous = token.string
            out.append((text, token.start[0]))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        pass  # compared up to where the text stops being Python
    return out


def package_fingerprints(root: Path) -> set[int]:
    """Every fingerprint of the code the students' package ships that encodes answers."""
    files = [*sorted((root / "suites").glob("*.py")), root / "checks.py",
             *sorted((root / "plots").glob("*.py"))]
    found: set[int] = set()
    for file in files:
        try:
            found |= fingerprints(file.read_text(encoding="utf-8")).hashes()
        except OSError:
            continue
    return found


def find_alike(codes: Sequence[dict[str, str]], names: Sequence[str],
               stubs: dict[str, str], package: set[int]) -> list[list[Alike]]:
    """For each submission, what its code resembles, problem by problem.

    `codes[i]` maps a problem id to submission i's code (absent: nothing to compare);
    `stubs` maps a problem id to its stub's text, whose fingerprints never count.
    """
    found: list[list[Alike]] = [[] for _ in codes]
    for problem, stub in stubs.items():
        boilerplate = fingerprints(stub).hashes()
        prints = {i: fingerprints(code[problem]) for i, code in enumerate(codes) if problem in code}
        own = {i: fp.hashes() - boilerplate for i, fp in prints.items()}
        common = _common(own.values(), len(own))
        own = {i: hashes - common for i, hashes in own.items()}
        for i, hashes in own.items():
            shipped = hashes & package
            if len(shipped) >= MIN_SHARED and len(shipped) / len(hashes) >= PACKAGE_SCORE:
                found[i].append(Alike(problem, PACKAGE_TO, len(shipped) / len(hashes),
                                      _lines(prints[i], shipped)))
        ids = sorted(own)
        for a_index, a in enumerate(ids):
            for b in ids[a_index + 1:]:
                shared = own[a] & own[b]
                smaller = min(len(own[a]), len(own[b]))
                if len(shared) < MIN_SHARED or len(shared) / smaller < PAIR_SCORE:
                    continue
                score = len(shared) / smaller
                a_lines, b_lines = _lines(prints[a], shared), _lines(prints[b], shared)
                found[a].append(Alike(problem, names[b], score, a_lines, b_lines))
                found[b].append(Alike(problem, names[a], score, b_lines, a_lines))
    return found


def _common(sets: Iterable[set[int]], count: int) -> set[int]:
    """Fingerprints in more than max(5, a third of) the submissions: the natural solution."""
    seen: dict[int, int] = {}
    for hashes in sets:
        for value in hashes:
            seen[value] = seen.get(value, 0) + 1
    limit = max(5, count // 3)
    return {value for value, times in seen.items() if times > limit}


def _lines(prints: Fingerprints, shared: set[int]) -> tuple[tuple[int, int], ...]:
    """The merged line ranges that the shared fingerprints cover."""
    spans = sorted(prints.spans[value] for value in shared if value in prints.spans)
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def _ranges(spans: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans[:6]) + \
        (", ..." if len(spans) > 6 else "")


def read_codes(folders: Sequence[Path], problem_ids: Sequence[str]) -> list[dict[str, str]]:
    """Each folder's code per problem, read before any student code runs (text only, capped)."""
    from ..submission import check_readable, notebook_code

    codes: list[dict[str, str]] = []
    for folder in folders:
        code: dict[str, str] = {}
        for problem_id in problem_ids:
            for suffix in (".py", ".ipynb"):
                path = folder / f"{problem_id}{suffix}"
                if not path.exists():
                    continue
                try:
                    check_readable(path)
                    if path.stat().st_size > MAX_CODE_BYTES:
                        break
                    code[problem_id] = notebook_code(path) if suffix == ".ipynb" else \
                        path.read_bytes().decode("utf-8", errors="replace")
                except Exception:  # noqa: BLE001, S110 - an unreadable file is not compared
                    pass
                break
        codes.append(code)
    return codes


def similarity_report(folders: Sequence[Path], problem_ids: Sequence[str],
                      names: Sequence[str]) -> list[list[Alike]]:
    """What each submission's code resembles: classmates' code and the package's."""
    from ..paths import stubs_dir

    root = Path(__file__).resolve().parent.parent
    stubs = {}
    for problem_id in problem_ids:
        try:
            stubs[problem_id] = (stubs_dir() / f"{problem_id}.py").read_text(encoding="utf-8")
        except OSError:
            stubs[problem_id] = ""
    return find_alike(read_codes(folders, problem_ids), names, stubs, package_fingerprints(root))
