"""Rules about refcheck's own inline comments (ruff's unused-noqa, for refcheck)."""

from __future__ import annotations

from collections.abc import Iterator

from refcheck.model import Category, Document, Severity
from refcheck.rules.base import Context, Hit, rule


@rule(
    code="RC047",
    name="unknown-suppression-code",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="A `refcheck: ignore[…]` comment names a code that no rule has.",
)
def unknown_suppression_code(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reads every `refcheck: ignore[…]` and `refcheck: ignore-file[…]`
        comment and reports each code in it that is neither a rule's code nor
        the start of one (`RC2` covers every RC2xx rule), with the nearest
        real code as the suggestion.

    Why it matters:
        A suppression with a mistyped code (`RC2O1`, a letter O for a zero)
        suppresses nothing, so the finding it was meant to silence keeps
        coming back, or, worse, the author believes a rule is silenced when
        it is not. ruff reports the same slip in `# noqa` comments (RUF100).

    Example:
        `% refcheck: ignore[RC2O1]` before an entry gives
        `refs.bib:3:22: RC047 'RC2O1' in a suppression comment is no rule's
        code [suggestion: RC201]`.

    Fix safety:
        No automatic fix: which code was meant is the author's call.
    """
    from refcheck.rules import all_rules
    from refcheck.suppress import suppression_codes

    codes = [r.code for r in all_rules()]
    for start, code in suppression_codes(doc.text):
        wanted = code.upper()
        if any(c.startswith(wanted) for c in codes):
            continue
        yield Hit(start, start + len(code),
                  f"'{code}' in a suppression comment is no rule's code",
                  suggestion=_nearest(wanted, codes))


# Letters typed for the digits they look like, in the numeric part of a code.
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _nearest(wanted: str, codes: list[str]) -> str | None:
    """The code meant: the same with look-alike letters read as digits, else the one code
    one edit away (None when none or several are)."""
    head, tail = wanted[:2], wanted[2:].translate(_LOOKALIKE)
    if any(c.startswith(head + tail) for c in codes):
        return head + tail
    from rapidfuzz.distance import Levenshtein

    close = [c for c in codes if Levenshtein.distance(wanted, c) == 1]
    return close[0] if len(close) == 1 else None


RULES = (unknown_suppression_code,)
