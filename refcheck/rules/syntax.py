"""Syntax rules (RC001–RC049) and the URL-extraction artifact rule RC201.

These rules read the text of each reference as written (``Reference.raw`` for
plain text, the literal field values for BibTeX and CSL-JSON) and the parse
problems a parser left in ``Document.problems``.  They never consult a parser's
internals: what a DOI or URL is, and where it starts and ends, is decided here
from the text itself, so that every finding points at the exact characters.

DOIs and URLs are found by :func:`_scan_dois` (``syntax_doi.py``, RC001) and
:func:`_scan_urls` (``syntax_url.py``, RC002 and RC201); both work on
:class:`_Region` values (``syntax_regions.py``: a piece of the document text
with its offset) so that one scanner serves every input format.  This module
holds the bracket, quote and parse-problem rules and lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from refcheck.model import Category, Document, Severity
from refcheck.rules.base import Context, Hit, rule

# Some names are imported only for the tests, which reach the per-region
# scanners through this module (hence the noqa).
from refcheck.rules.syntax_doi import (
    _DOI_BARE,
    _doi_hits,  # noqa: F401
    malformed_doi,
)
from refcheck.rules.syntax_regions import (  # noqa: F401
    _CACHE,
    _CACHE_SIZE,
    _FIELD_BRACKETS,
    _FIELD_HINT,
    _FIELD_QUOTES,
    _TEXT_BRACKETS,
    _TEXT_HINT,
    _TEXT_QUOTES,
    _all_regions,
    _Region,
    _regions,
)
from refcheck.rules.syntax_url import (  # noqa: F401
    _broken_url_hits,
    _scan_urls,
    _url_hits,
    malformed_url,
    url_whitespace,
)
from refcheck.text.patterns import lazy_re

# --------------------------------------------------------------------------
# Brackets and quotes

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
# A leading list label such as "1)" or "a)" closes nothing.
_LABEL_PAREN = lazy_re(r"\s*(?:\d{1,4}|[A-Za-z])\)")


def _masked_identifiers(region: _Region) -> str:
    """The region text with URLs and DOIs blanked out (their brackets are theirs)."""
    t = region.text
    spans = [(u.start, u.end) for u in region.urls()]
    if "10." in t:  # every bare DOI starts so
        spans += [(m.start(), m.end()) for m in _DOI_BARE.finditer(t)]
    if not spans:
        return t
    chars = list(t)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _unbalanced(text: str, brackets: re.Pattern[str], pos: int = 0) -> Iterator[tuple[int, str]]:
    """Offsets and characters of brackets in ``text[pos:]`` that have no partner.

    ``brackets`` matches the bracket characters to pair (``_TEXT_BRACKETS`` or
    ``_FIELD_BRACKETS``); visiting only those, not every character, is what
    makes the walk cheap.
    """
    stack: list[tuple[int, str]] = []
    # Openers of each kind on the stack: asking the stack itself for each closer
    # was quadratic (35,000 stray brackets of a fuzzed file took two minutes).
    waiting: dict[str, int] = {}
    for m in brackets.finditer(text, pos):
        i, c = m.start(), m.group()
        if c in _OPEN:
            stack.append((i, c))
            waiting[c] = waiting.get(c, 0) + 1
        else:
            opener = _CLOSE[c]
            if stack and stack[-1][1] == opener:
                stack.pop()
                waiting[opener] -= 1
            elif waiting.get(opener, 0) > 0:
                # The openers above the partner were never closed.
                while stack[-1][1] != opener:
                    dropped = stack.pop()
                    waiting[dropped[1]] -= 1
                    yield dropped
                stack.pop()
                waiting[opener] -= 1
            else:
                yield i, c
    yield from stack


@rule(
    code="RC003",
    name="unbalanced-brackets",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="A parenthesis or bracket opened in a reference and never closed, or the reverse.",
)
def unbalanced_brackets(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Matches `()`, `[]` and `{}` within each reference and reports every
        bracket without a partner: an opener never closed, or a closer with
        nothing open.  Brackets inside URLs and DOIs are left to RC002, a
        leading list label such as `1)` is ignored, and in BibTeX and CSL-JSON
        only `()` and `[]` inside each field value are checked (braces there
        are BibTeX syntax, reported by RC005).

    Why it matters:
        An unclosed parenthesis usually marks a series name, an edition or a
        translation that lost its end in editing, and makes the reference
        hard to parse for people and for reference managers alike.

    Example:
        `Kelsen, Hans. 2001. Collective Security Under International Law
        (International Law Studies. Cambridge: Lawbook Exchange Ltd.` — the
        `(` before `International Law Studies` is never closed.
    """
    for region in _regions(doc):
        brackets = _TEXT_BRACKETS if region.field is None else _FIELD_BRACKETS
        # Masking only removes brackets: a region without any has nothing to report.
        if brackets.search(region.text):
            yield from _bracket_hits(region)


def _bracket_hits(region: _Region) -> Iterator[Hit]:
    """RC003 in one region."""
    masked = _masked_identifiers(region)
    brackets = _FIELD_BRACKETS
    skip = 0
    if region.field is None:
        brackets = _TEXT_BRACKETS
        label = _LABEL_PAREN.match(masked)
        skip = label.end() if label else 0
    for i, c in _unbalanced(masked, brackets, skip):
        at, stop = region.at(i, i + 1)
        if c in _OPEN:
            msg = f"'{c}' is opened here but never closed in this reference"
        else:
            msg = f"'{c}' closes a bracket that was never opened in this reference"
        yield Hit(at, stop, msg, field=region.field, reference=region.ref)


_QUOTE_OPEN = "“„«"
_QUOTE_CLOSE = "”‟»"
_STRAIGHT = lazy_re('"')


def _quote_problems(text: str, straight: bool) -> Iterator[tuple[int, str]]:
    """Offsets and messages of unpaired quotation marks."""
    stack: list[tuple[int, str]] = []

    def between_letters(i: int) -> bool:
        return 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()

    for m in _FIELD_QUOTES.finditer(text):  # the typographic marks only
        i, c = m.start(), m.group()
        if between_letters(i):
            continue  # a mark used as an apostrophe ("NATO‟s"); the encoding rules see it
        top = stack[-1][1] if stack else ""
        if (c == "“" and top == "„") or (c == "«" and top == "»"):
            stack.pop()  # German „…“, Danish »…«
        elif c in _QUOTE_OPEN or (c == "»" and "«" not in (o for _, o in stack)):
            stack.append((i, c))
        elif stack:
            stack.pop()
        else:
            yield i, f"closing quotation mark '{c}' without an opening one in this reference"
    for i, c in stack:
        yield i, f"opening quotation mark '{c}' is never closed in this reference"
    if straight:
        marks = [m.start() for m in _STRAIGHT.finditer(text) if not between_letters(m.start())]
        if len(marks) % 2:
            yield marks[-1], "odd number of '\"' quotation marks in this reference"


@rule(
    code="RC004",
    name="unbalanced-quotes",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="A quotation mark opened in a reference and never closed, or the reverse.",
)
def unbalanced_quotes(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Pairs the double quotation marks of each reference — `“…”`, `„…“`,
        `«…»`, `»…«` and, in plain text, straight `"` (which must come in an
        even number) — and reports the mark without a partner.  Single marks
        (`‘’`, `'`) are not checked because `’` is also the apostrophe, and a
        mark between two letters (`NATO‟s`) is taken for a mangled apostrophe
        rather than a quote.  A title that wraps over lines is fine: the whole
        reference is checked at once.  In BibTeX straight quotes delimit
        values and `\\"` is an umlaut, so only the typographic marks are paired.

    Why it matters:
        A title missing its closing quote runs into the journal name; readers
        and citation parsers then cannot tell where the title ends.

    Example:
        `Smith, J. 2001. “The Concept of Alliance. Journal of Peace 12: 1–9.`
        — the `“` is never closed.
    """
    for region in _regions(doc):
        quotes = _TEXT_QUOTES if region.field is None else _FIELD_QUOTES
        # Masking only removes marks: a region without any has nothing to report.
        if quotes.search(region.text):
            yield from _quote_hits(region)


def _quote_hits(region: _Region) -> Iterator[Hit]:
    """RC004 in one region."""
    masked = _masked_identifiers(region)
    for i, msg in _quote_problems(masked, straight=region.field is None):
        at, stop = region.at(i, i + 1)
        yield Hit(at, stop, msg, field=region.field, reference=region.ref)


# --------------------------------------------------------------------------
# Parse problems


# Parse problems of files that cannot be read as written, by format.
_UNREADABLE = (
    "bibtex-syntax",
    "json-syntax",
    "csl-schema",
    "xml-syntax",
    "ris-syntax",
    "bbl-syntax",
)


def _problem_hits(doc: Document, kinds: tuple[str, ...]) -> Iterator[Hit]:
    for p in doc.problems:
        if p.kind in kinds:
            yield Hit(p.start, max(p.end, p.start), p.message, suggestion=p.suggestion)


@rule(
    code="RC005",
    name="bibtex-syntax",
    category=Category.SYNTAX,
    severity=Severity.ERROR,
    summary="A bibliography (BibTeX, CSL-JSON, XML, RIS, .bbl) that cannot be read as written.",
)
def bibtex_syntax(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports what the BibTeX and CSL-JSON parsers could not read: unclosed
        braces, missing commas or keys, JSON syntax errors, CSL items that
        break the schema (an `author` that is not a list of names, an
        `issued` that is not a date).  The message names the entry and the
        problem; the position is where the parser found it.  Likewise XML
        (JATS, EndNote) that is not well-formed or declares entities (refused
        unread: no entity expansion, no external entities), RIS records not
        closed by `ER`, and `.bbl` entries not closed.

    Why it matters:
        BibTeX skips (or silently merges) an entry it cannot parse, so the
        work vanishes from the bibliography; a JSON error loses the whole file.

    Example:
        `@article{smith2001, title = {Alliances, year = 2001}` —
        `entry 'smith2001': unclosed brace`.
    """
    yield from _problem_hits(doc, _UNREADABLE)


@rule(
    code="RC006",
    name="duplicate-field",
    category=Category.SYNTAX,
    severity=Severity.ERROR,
    summary="An entry that sets the same field twice.",
)
def duplicate_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a field given twice in one BibTeX entry (or CSL item), as the
        parser found it; the position is the second occurrence.

    Why it matters:
        BibTeX keeps one of the values and drops the other without a word
        (biber warns, bibtex uses the first), so an edit to the field that is
        ignored has no effect and the two copies drift apart.

    Example:
        `@article{a, year = {2001}, title = {X}, year = {2002}}` — which year?
    """
    yield from _problem_hits(doc, ("duplicate-field",))


@rule(
    code="RC008",
    name="empty-field",
    category=Category.SYNTAX,
    severity=Severity.INFO,
    summary="A BibTeX field whose value is empty.",
    formats=("bibtex",),
)
def empty_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports BibTeX fields written with an empty value (`month = {}`,
        `note = ""`).

    Why it matters:
        An empty field says nothing and hides a missing value: a required
        field that is present but empty still prints nothing, and exports
        from reference managers often leave such placeholders behind.

    Example:
        `month = {},` — delete the line or fill it in.
    """
    text = doc.text
    for ref in doc.references:
        fields = ref.fields
        for name, (s, e) in ref.field_spans.items():
            # Not .get(name, text[s:e]): that copies every field to use none.
            value = fields[name] if name in fields else text[s:e]
            if not value.strip(" \t\r\n{}"):
                name_at = text.rfind(name, ref.start, s)
                start = name_at if name_at >= 0 else s
                end = e + 1 if text[e : e + 1] in ("}", '"') else e
                yield Hit(
                    start,
                    max(end, start),
                    f"field '{name}' is empty",
                    field=name,
                    reference=ref,
                )


RULES = (
    malformed_doi,
    malformed_url,
    unbalanced_brackets,
    unbalanced_quotes,
    bibtex_syntax,
    duplicate_field,
    empty_field,
    url_whitespace,
)
