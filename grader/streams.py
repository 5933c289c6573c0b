"""Output that never fails on a stream's encoding (a cp1252 pipe on Windows, say).

The reports speak mathematics (−, λ, ≤, √, σ², …).  Where the stream cannot encode a
character, it is written in ASCII instead (``lambda``, ``<=``, ``-``) rather than raising
UnicodeEncodeError mid-report; UTF-8 streams are left alone.
"""

from __future__ import annotations

import codecs
import sys

HANDLER = "regquiz-ascii"
_SPELLINGS = {
    "−": "-", "–": "-", "—": "--", "‑": "-", "…": "...", "·": "*", "×": "x", "÷": "/",
    "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "≪": "<<", "≫": ">>", "→": "->", "←": "<-",
    "⇒": "=>", "∞": "inf", "√": "sqrt", "∑": "sum", "Σ": "Sum", "∂": "d", "∇": "grad",
    "‖": "||", "±": "+-", "∈": " in ", "°": " deg", "‘": "'", "’": "'", "“": '"', "”": '"',
    "λ": "lambda", "μ": "mu", "σ": "sigma", "η": "eta", "ε": "eps", "β": "beta", "α": "alpha",
    "θ": "theta", "π": "pi", "ŷ": "y_hat", "ỹ": "y~", "\u0302": "_hat", "\u0303": "~",
    "²": "^2", "³": "^3", "ᵗ": "^t", "ⁿ": "^n", "ᵀ": "^T", "₁": "1", "₂": "2", "ᵢ": "_i",
    "ₖ": "_k", "✓": "ok", "✗": "x", "▸": ">", "│": "|", "─": "-", "█": "#", "░": ".",
    "•": "*", "▶": ">",
}


def ascii_spelling(error: UnicodeError) -> tuple[str, int]:
    """A codecs error handler: the unencodable run, spelled in ASCII."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    out = []
    for char in text:
        spelled = _SPELLINGS.get(char)
        if spelled is None:
            import unicodedata

            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            spelled = base or "?"
        out.append(spelled)
    return "".join(out), error.end


def make_streams_safe() -> None:
    """Give stdout and stderr the ASCII fallback unless they already speak a UTF encoding."""
    try:
        codecs.lookup_error(HANDLER)
    except LookupError:
        codecs.register_error(HANDLER, ascii_spelling)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding.startswith("utf"):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=HANDLER)
            except (ValueError, OSError):
                pass
