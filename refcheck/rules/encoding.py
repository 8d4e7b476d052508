"""Encoding rules (RC301–RC349): wrong characters in the file.

Mojibake is recognised and repaired by ftfy (never a hand-made table).  The
other rules look for characters that render almost right: a backtick or an
acute accent for an apostrophe, the reversed quote U+201F, a minus sign in a
page range, invisible characters.  These faults belong to the file, not to
one reference; still, by default only the references are reported (a
thesis body full of U+201F apostrophes is not the bibliography's problem):
``--prose`` widens them to the whole text.
"""

from __future__ import annotations

import bisect
import difflib
import functools
from collections.abc import Callable, Iterator

import regex

from refcheck.model import Category, Document, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule

_APOSTROPHE_LIKE = regex.compile(r"(?<=\p{L})(?:(?<!\\)(?<!`)`(?!`)|´|‟|′)(?=\p{L})|(?<=\p{L})‟")
_LOW_HIGH_PAIR = regex.compile(r"„([^„‟“”\n]{1,200}?)‟")
_RANGE_MINUS = regex.compile(r"(?<=\d)[ \t]?\u2212[ \t]?(?=\d)")
_INVISIBLE = regex.compile(
    r"[\u200b\u2060\u2061\u2062\u2063\u2064\u00ad\ufeff]|(?<=[\p{Latin}\p{N}\s])[\u200c\u200d]"
)
_NAMES = {
    "`": "a backtick",
    "´": "an acute accent (U+00B4)",
    "‟": "a reversed quotation mark (U+201F)",
    "′": "a prime (U+2032)",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\u00ad": "a soft hyphen",
    "\ufeff": "a byte-order mark",
}


def _scoped(
    fn: Callable[[Document, Context], Iterator[Hit]],
) -> Callable[[Document, Context], Iterator[Hit]]:
    """Keep hits inside references unless prose is on (or the file is all bibliography)."""

    @functools.wraps(fn)
    def wrapped(doc: Document, ctx: Context) -> Iterator[Hit]:
        if ctx.options.get("prose") or doc.format != "text":
            yield from fn(doc, ctx)
            return
        spans = sorted((r.start, r.end) for r in doc.references)
        starts = [s for s, _ in spans]
        for hit in fn(doc, ctx):
            i = bisect.bisect_right(starts, hit.start) - 1
            if i >= 0 and spans[i][0] <= hit.start < spans[i][1]:
                yield hit

    return wrapped


def _reference_at(doc: Document, offset: int) -> Reference | None:
    for ref in doc.references:
        if ref.start <= offset < ref.end:
            return ref
    return None


@rule(
    code="RC301",
    name="mojibake",
    category=Category.ENCODING,
    severity=Severity.ERROR,
    summary="text decoded with the wrong encoding ('â€™', 'Ã©'), repaired by ftfy.",
    fix="safe",
    options={"prose": False},
)
@_scoped
def mojibake(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Runs ftfy's badness test on every line; where it finds mojibake (UTF-8
    read as Latin-1 or Windows-1252 and saved again), ftfy's `fix_encoding`
    gives the repaired text and each changed stretch is reported with it.

    Why it matters:
    "Ã©" for "é" and "â€™" for "’" make names unsearchable and a
    bibliography unreadable; they usually come from a copy through a
    mis-configured tool.

    Example:
    `Jean-FranÃ§ois` -> `Jean-François`.

    Fix safety:
    Safe: ftfy only changes text it can decode back unambiguously.
    """
    import ftfy
    from ftfy.badness import is_bad

    text = doc.text
    pos = 0
    for line in text.split("\n"):
        if line and not line.isascii() and is_bad(line):
            fixed = ftfy.fix_encoding(line)
            if fixed != line:
                matcher = difflib.SequenceMatcher(None, line, fixed, autojunk=False)
                for op, a0, a1, b0, b1 in matcher.get_opcodes():
                    if op == "equal":
                        continue
                    # Widen to whole words so that the reported text is readable.
                    while (
                        a0 > 0
                        and b0 > 0
                        and not line[a0 - 1].isspace()
                        and line[a0 - 1] == fixed[b0 - 1]
                    ):
                        a0, b0 = a0 - 1, b0 - 1
                    start, end = pos + a0, pos + a1
                    yield Hit(
                        start,
                        end,
                        f"mojibake: '{line[a0:a1]}' should read '{fixed[b0:b1]}'",
                        suggestion=fixed[b0:b1],
                        reference=_reference_at(doc, start),
                        fix=Fix(start, end, fixed[b0:b1], safe=True),
                    )
        pos += len(line) + 1


@rule(
    code="RC302",
    name="wrong-apostrophe",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="a backtick, acute accent or U+201F used as an apostrophe ('Putin`s').",
    fix="safe",
    options={"prose": False},
)
@_scoped
def wrong_apostrophe(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a backtick, an acute accent (´), a prime (′) or the reversed
    quotation mark U+201F (‟) standing between two letters, and a U+201F
    after a word ("members‟ interests"), where an apostrophe (’) belongs.
    LaTeX accents (`\\`e`) and LaTeX quotes (``` `` ```) are left alone.

    Why it matters:
    These characters come from keyboards without an apostrophe key or from
    PDF fonts with a broken character map; they break searches for the
    word and look wrong in print.

    Example:
    `Putin`s Grand Strategy` -> `Putin’s`; `Master‟s thesis` -> `Master’s`.

    Fix safety:
    Safe: one character is replaced by ’.
    """
    text = doc.text
    paired = {m.start() for m in _LOW_HIGH_PAIR.finditer(text)} | {
        m.end() - 1 for m in _LOW_HIGH_PAIR.finditer(text)
    }
    for m in _APOSTROPHE_LIKE.finditer(text):
        if m.start() in paired:
            continue
        ch = m.group()
        word_start = m.start()
        while word_start > 0 and text[word_start - 1].isalpha():
            word_start -= 1
        word_end = m.end()
        while word_end < len(text) and text[word_end].isalpha():
            word_end += 1
        shown = text[word_start:word_end]
        fixed = text[word_start : m.start()] + "’" + text[m.end() : word_end]
        yield Hit(
            word_start,
            word_end,
            f"{_NAMES.get(ch, repr(ch))} used as an apostrophe in '{shown}'",
            suggestion=fixed,
            reference=_reference_at(doc, m.start()),
            fix=Fix(word_start, word_end, fixed, safe=True),
        )


@rule(
    code="RC303",
    name="low-high-quotes",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="„…‟ quotes (U+201E … U+201F) where ‘…’ belongs.",
    fix="safe",
    options={"prose": False},
)
@_scoped
def low_high_quotes(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a quotation opened with „ (U+201E) and closed with ‟ (U+201F), a
    pair no typographic convention uses: PDF extraction produces it from
    single quotes.  Each of the two marks is reported with its replacement.

    Why it matters:
    The marks print as odd low and reversed quotes and hide the quoted term
    from searches.

    Example:
    `a „self-help‟ system` -> `a ‘self-help’ system`.

    Fix safety:
    Safe: only the two quotation marks change.
    """
    text = doc.text
    for m in _LOW_HIGH_PAIR.finditer(text):
        ref = _reference_at(doc, m.start())
        quoted = m.group()
        for pos, repl in ((m.start(), "‘"), (m.end() - 1, "’")):
            yield Hit(
                pos,
                pos + 1,
                f"low-high quotation marks „…‟ around '{quoted[1:-1]}'; use ‘…’",
                suggestion=repl,
                reference=ref,
                fix=Fix(pos, pos + 1, repl, safe=True),
            )


@rule(
    code="RC304",
    name="minus-in-range",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="a minus sign (U+2212) in a number range ('421−456').",
    fix="safe",
    options={"prose": False},
)
@_scoped
def minus_in_range(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags the minus sign U+2212 between two numbers in a reference, where
    a page or year range needs an en dash (–).

    Why it matters:
    A minus sign makes a range unreadable to reference managers and
    registries ("421−456" is not a page range to them).

    Example:
    `54 (3): 421−456` -> `421–456`.

    Fix safety:
    Safe: the sign and any space around it become one en dash.
    """
    text = doc.text
    for ref in doc.references:
        for m in _RANGE_MINUS.finditer(text, ref.start, ref.end):
            yield Hit(
                m.start(),
                m.end(),
                "minus sign (U+2212) in a number range; a range takes an en dash (–)",
                suggestion="–",
                reference=ref,
                field="pages",
                fix=Fix(m.start(), m.end(), "–", safe=True),
            )


@rule(
    code="RC305",
    name="invisible-character",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="an invisible character (zero-width space, soft hyphen, stray BOM).",
    fix="safe",
    options={"prose": False},
)
@_scoped
def invisible_character(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags zero-width spaces, word joiners, soft hyphens, a byte-order mark
    inside the text, and zero-width (non-)joiners between Latin letters or
    digits (elsewhere they shape scripts that need them).

    Why it matters:
    Invisible characters make two equal-looking strings differ: a DOI or a
    title with one fails to match, and nobody can see why.

    Example:
    `10.1000/\u200bxyz` (with a zero-width space) -> `10.1000/xyz`.

    Fix safety:
    Safe: the character is deleted.
    """
    text = doc.text
    for m in _INVISIBLE.finditer(text):
        if m.start() == 0 and m.group() == "\ufeff":
            continue  # a BOM that opens the file is the file's business
        ch = m.group()
        yield Hit(
            m.start(),
            m.end(),
            f"invisible character: {_NAMES.get(ch, f'U+{ord(ch):04X}')}",
            suggestion="",
            reference=_reference_at(doc, m.start()),
            fix=Fix(m.start(), m.end(), "", safe=True),
        )


RULES = (mojibake, wrong_apostrophe, low_high_quotes, minus_in_range, invisible_character)
