"""Artifact rules (RC202–RC249): text broken by PDF extraction or copy-paste.

Words split by a line-break hyphen ("Interna- tional"), words glued together
("ofMachine", "Associationfor"), DOIs with stray spaces, lost ligatures
("Articial"), sentence punctuation taken into a delimited URL.  URLs cut by
spaces are RC201 in ``rules/syntax.py``.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator

import regex

from refcheck.model import Category, Document, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text import freq
from refcheck.text.context import RefContext, analyse
from refcheck.text.patterns import lazy
from refcheck.text.spelling import FUNCTION_WORDS
from refcheck.text.tokens import is_acronym

# From a word's start only: tried at every letter of a long word, its letters
# were read again each time (quadratic; found by benchmarks/fuzz.py).
_SPLIT = lazy(r"(?<!\p{L})(\p{L}+)-([ \t]*\r?\n[ \t]*|[ \t]+)(\p{L}+)")
_HYPHEN_BLANK = lazy(r"-[ \t\r\n]")
# A suspended hyphen ("pre- and post-war") is followed by a conjunction.
_SUSPENDED = {"and", "or", "to", "nor", "und", "oder", "et", "ou", "y", "o", "vs", "versus", "as"}
_DOI_GAP = lazy(
    r"(?<![\w/])10\.(?:(\s+)\d{4,9}/|\d{4,9}(\s+)/(?=\S)|\d{4,9}/(\s+)(?=[\w(]))"
)
_NON_SPACE = lazy(r"\S*")
_IN_URL = lazy(r"(?:https?://|www\.)\S*\s?$", regex.IGNORECASE)
_NO_ARTIFACT = {"url", "email", "latex", "protected"}


def _scan(doc: Document, prose: bool = False) -> Iterator[tuple[Reference | None, RefContext]]:
    for ref in doc.entries():
        yield ref, analyse(doc, ref)
    if prose:
        from refcheck.rules.typos import prose_regions

        for start, end in prose_regions(doc):
            plain = RefContext(regions=[(start, end, None)])
            from refcheck.text.context import _mask_markup

            _mask_markup(doc.text, start, end, plain)
            yield None, plain.finish()


@rule(
    code="RC202",
    name="split-word",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="a word split by a line-break hyphen ('Interna- tional').",
    fix="safe",
    options={"prose": False},
)
def split_word(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Finds a hyphen followed by a space (or a line break) inside a word, as PDF
    extraction leaves it.  When the joined word is an English word and more
    common than its halves, suggests the joined word; when both halves are
    words and the second is capitalised ("Franco- British"), when the second
    is an acronym ("Interfax- AVN", "anti- NATO"), or when the join is not a
    word, suggests keeping the hyphen and dropping the space.  A
    suspended hyphen ("pre- and post-war") is left alone, and so is a
    hyphenated compound wrapped at the end of a line.

    Why it matters:
    Split words break searches and look careless in a published list.

    Example:
    `The Structure of Interna- tional Security` -> `International`.

    Fix safety:
    Safe: only the hyphen and the whitespace are removed.
    """
    text = doc.text
    for ref, rc in _scan(doc, bool(ctx.options.get("prose", False))):
        for lo, hi, fld in rc.regions:
            # A split needs a hyphen followed by a blank: most values have none, and
            # testing for one is much cheaper than running the pattern over them.
            if text.find("-", lo, hi) < 0 or not _HYPHEN_BLANK.search(text, lo, hi):
                continue
            for m in _SPLIT.finditer(text, lo, hi):
                left, gap, right = m.group(1), m.group(2), m.group(3)
                start, end = m.start(), m.end()
                if rc.mask_reason(start, end) in _NO_ARTIFACT:
                    continue
                if right.lower() in _SUSPENDED or text[end : end + 1] == "-":
                    continue
                joined = left + right
                zj, zl, zr = freq.zipf(joined), freq.zipf(left), freq.zipf(right)
                newline = "\n" in gap
                if right[:1].islower() and zj >= 2.5 and zj >= min(zl, zr) - 1.0:
                    suggestion = joined
                    why = f"'{joined}' is a word, split by a line-break hyphen"
                elif (
                    not newline
                    # "Security- The Case": a hyphen standing for a dash, not a compound.
                    and right.lower() not in (*FUNCTION_WORDS, "a", "an")
                    and (
                        (zl >= 2.5 and zr >= 2.5 and right[:1].isupper())
                        or (zl >= 3.0 and zr >= 3.0 and zj < 2.5)
                        # A name or word joined to an acronym: "Interfax- AVN", "anti- NATO".
                        or (len(left) >= 2 and is_acronym(right) and right.isupper())
                    )
                ):
                    suggestion = f"{left}-{right}"
                    why = "a hyphenated compound with a stray space after the hyphen"
                else:
                    continue
                yield Hit(
                    start,
                    end,
                    f"'{text[start:end]}': {why}",
                    suggestion=suggestion,
                    field=fld,
                    reference=ref,
                    fix=Fix(start, end, suggestion, safe=True),
                )


# Function words that are not also English prefixes or suffixes: "in", "on", "to",
# "at", "by" begin and end too many real words ("Incorporations", "polaron",
# "toposes") for a word merely starting or ending with them to be evidence.
_GLUE_WORDS = frozenset({"of", "the", "and", "for", "with", "from"})
# Endings of inflected and derived words: a rare word that is a common word plus
# one of them ("Incorporations") is that word, not two words glued.
_ENDINGS = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "al", "ness", "ment", "ments")
# Characters that, next to a token, show it is part of a longer written word.
_GLUE_NOT_BEFORE = "}\\'’"
_GLUE_NOT_AFTER = "{\\'’"
_CAMEL = lazy(r"(\p{Ll}+)(\p{Lu}\p{Ll}+)")


def _inflected(low: str) -> bool:
    """Whether ``low`` is a common word with an inflection or derivation added."""
    for end in _ENDINGS:
        if low.endswith(end) and len(low) - len(end) >= 4 and freq.zipf(low[: -len(end)]) >= 3.0:
            return True
    return False


def glue_evidence(text: str, start: int, end: int, split: str) -> str | None:
    """Whether ``text[start:end]``, read as ``split``, is surely two words glued.

    Returns "safe" when the split cannot be wrong (a lower-case function word
    glued to a capitalised word: "ofMachine"), "unsafe" when the evidence is
    strong but a rare real word remains possible, None when it is too weak.
    The token must stand alone: a neighbouring brace or backslash means LaTeX
    markup cut the word ("{E}instein"), a following full stop an abbreviation
    ("Mach. Intell."), a following apostrophe an elision ("signifyin'").
    """
    word = text[start:end]
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before in _GLUE_NOT_BEFORE or after in _GLUE_NOT_AFTER:
        return None
    if before.isalnum() or after.isalnum() or unicodedata.category(after).startswith("M"):
        return None
    parts = split.split(" ")
    if len(parts) != 2:
        return None
    a, b = (x.lower() for x in parts)
    camel = _CAMEL.fullmatch(word)
    if camel is not None and camel.group(1) in _GLUE_WORDS and freq.zipf(b) >= 3.0:
        return "safe"
    if after == ".":
        return None  # an abbreviation: "Intell.", "Compd."
    low = word.lower()
    if word[1:] != low[1:] or _inflected(low):
        return None
    if a in FUNCTION_WORDS and b in FUNCTION_WORDS:
        # "ofthe", "inthe", "forthe": one of them must be a word that begins or
        # ends nothing ("onto", "into", "anon" are words).
        return "unsafe" if (a in _GLUE_WORDS or b in _GLUE_WORDS) else None
    if a in FUNCTION_WORDS:
        return "unsafe" if a in _GLUE_WORDS and freq.zipf(b) >= 3.5 else None
    return "unsafe" if b in _GLUE_WORDS and freq.zipf(a) >= 3.5 else None


@rule(
    code="RC203",
    name="missing-space",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="two words glued together ('ofMachine', 'Associationfor', 'ofthe').",
    fix="safe",
    options={"prose": False},
)
def missing_space(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a token that is not an English word but is exactly a common word
    glued to a function word that begins and ends no English word ("of",
    "the", "and", "for", "with", "from"), two function words glued ("ofthe",
    "inthe"), or a lower-case function word glued to a capitalised word
    ("ofMachine").  The token must stand alone: a brace, backslash or
    apostrophe next to it means markup or an elision cut it ("{H}andbook",
    "signifyin'"), a full stop after it an abbreviation ("Mach. Intell."); a
    rare word that is a common word inflected ("Incorporations") is a word.
    Names, URLs and identifiers are skipped.

    Why it matters:
    Extraction from PDF drops spaces; the glued words defeat search and
    look like typos.

    Example:
    `Proceedings ofMachine Learning Research` -> `of Machine`.

    Fix safety:
    Safe only for a lower-case function word glued to a capitalised word
    ("ofMachine"): no English word is written so.  Otherwise unsafe, since a
    rare real word ("toposes") can look like two glued words; applied with
    `--fix-typos`.
    """
    text = doc.text
    skip = _NO_ARTIFACT | {"name", "doi", "transliteration"}
    for ref, rc in _scan(doc, bool(ctx.options.get("prose", False))):
        for (_, _, fld), words in zip(rc.regions, rc.scan(text), strict=True):
            for tok, split in words.glued:
                if rc.mask_reason(tok.start, tok.end) in skip:
                    continue
                grade = glue_evidence(text, tok.start, tok.end, split)
                if grade is None:
                    continue
                yield Hit(
                    tok.start,
                    tok.end,
                    f"'{tok.text}' looks like two words with the space lost: '{split}'",
                    suggestion=split,
                    field=fld,
                    reference=ref,
                    fix=Fix(tok.start, tok.end, split, safe=grade == "safe"),
                )


@rule(
    code="RC205",
    name="doi-whitespace",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="a DOI broken by a stray space ('10. 48550/arXiv…').",
    fix="safe",
)
def doi_whitespace(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Finds a bare DOI (`doi: 10.xxxx/…` or `10.xxxx/…`) with whitespace after
    "10.", before the slash, or right after the slash.  DOIs inside a URL
    (`https://doi.org/ 10…`) are left to RC201.

    Why it matters:
    A DOI with a space in it resolves nowhere, and tools that extract DOIs
    stop at the space.

    Example:
    `doi: 10. 48550/arXiv.2303.08774` -> `10.48550/arXiv.2303.08774`.

    Fix safety:
    Safe: only the whitespace inside the DOI is removed.
    """
    text = doc.text
    for ref in doc.entries():
        for m in _DOI_GAP.finditer(text, ref.start, ref.end):
            if _IN_URL.search(text, max(0, m.start() - 60), m.start()):
                continue
            fld = next((k for k, (s, e) in ref.field_spans.items() if s <= m.start() < e), None)
            gap = next(i for i in (1, 2, 3) if m.group(i) is not None)
            gs, ge = m.span(gap)
            start = m.start()
            # The DOI ends where its field does ("10.1000/ 182}," is not all DOI).
            limit = ref.field_spans[fld][1] if fld is not None else ref.end
            tail = _NON_SPACE.match(text, ge, max(ge, limit))
            end = tail.end() if tail else ge
            broken = text[start:end]
            fixed = text[start:gs] + text[ge:end]
            yield Hit(
                start,
                end,
                f"DOI broken by whitespace: '{broken}'",
                suggestion=fixed,
                field=fld,
                reference=ref,
                fix=Fix(start, end, fixed, safe=True),
            )


@rule(
    code="RC207",
    name="lost-ligature",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="a word missing an fi/fl/ff ligature lost in extraction ('Articial').",
    fix="unsafe",
)
def lost_ligature(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a token that is not an English word but becomes a common one when
    "fi", "fl", "ff", "ffi" or "ffl" is put back at one place: PDF text
    extraction drops ligature glyphs it cannot map.

    Why it matters:
    The damaged word is no longer searchable and reads as a typo.

    Example:
    `International Joint Conference on Articial Intelligence` -> `Artificial`.

    Fix safety:
    Unsafe: the restored word is the likeliest one; applied with `--fix-typos`.
    """
    from refcheck.text.spelling import ligature_repair, looks_like_name

    text = doc.text
    skip = {"name", "publisher", "url", "doi", "email", "latex", "protected", "transliteration"}
    for ref in doc.entries():
        rc = analyse(doc, ref)
        for (_, _, fld), words in zip(rc.regions, rc.scan(text), strict=True):
            # Only a rare ASCII word (a suspect) can be missing a ligature.
            for tok in words.suspects:
                # Most suspects are misspellings, not lost ligatures: the memoised
                # repair rules them out before the masks and the name test are read.
                fixed = ligature_repair(tok.text)
                if fixed is None:
                    continue
                if rc.mask_reason(tok.start, tok.end) in skip or looks_like_name(text, tok):
                    continue
                yield Hit(
                    tok.start,
                    tok.end,
                    f"'{tok.text}' is not an English word; '{fixed}' is, with the "
                    f"'{_missing(tok.text, fixed)}' ligature restored",
                    suggestion=fixed,
                    field=fld,
                    reference=ref,
                    fix=Fix(tok.start, tok.end, fixed, safe=False),
                )


def _missing(short: str, long: str) -> str:
    i = 0
    while i < len(short) and short[i].lower() == long[i].lower():
        i += 1
    return long[i : i + len(long) - len(short)]


# Fields whose whole value is one URL.
_URL_FIELDS = frozenset({"url", "link"})


# A file names the same few fields in every entry: one lower() per name, not per field.
@functools.lru_cache(maxsize=1024)
def _is_url_field(name: str) -> bool:
    return name.lower() in _URL_FIELDS


# URLs whose end the text marks: \url{…}, <…>, a Markdown link target (one level
# of balanced parentheses inside, as in Wikipedia addresses).
_DELIMITED_URL = lazy(
    r"\\url\{(?P<u>[^{}\s]+)\}"
    r"|<(?P<u>(?:https?|ftp)://[^<>\s]+)>"
    r"|\]\((?P<u>(?:https?|ftp)://(?:[^()\s]|\([^()\s]*\))+)\)",
    regex.IGNORECASE,
)
_URL_MARKERS = lazy(r"[\\<]|\]\(")
_SENTENCE_END = ".,;:!?"


@functools.lru_cache(maxsize=8192)
def _swallowed(url: str) -> int:
    """How many characters at the end of ``url`` are punctuation, not URL.

    Memoised: bibliographies repeat their URL fields from entry to entry.
    """
    n = len(url)
    while n:
        last = url[n - 1]
        body = url[: n - 1]
        opener = {")": "(", "]": "["}.get(last)
        if last in _SENTENCE_END or (opener and body.count(opener) < body.count(last) + 1):
            n -= 1
            continue
        break
    return len(url) - n


def _url_spans(doc: Document, ref: Reference) -> Iterator[tuple[int, int, str | None]]:
    """Absolute offsets of the URLs of ``ref`` whose written end is certain."""
    text = doc.text
    # A delimited URL needs a backslash, "<" or "](": most references have none,
    # and then only their URL fields are read (a span outside the reference is
    # searched all the same).
    markers = _URL_MARKERS.search(text, ref.start, ref.end) is not None
    csl = ref.format == "csl-json"
    if ref.format == "text" or not ref.field_spans:
        if markers and not (csl and "\\" in text[ref.start : ref.end]):
            for m in _DELIMITED_URL.finditer(text, ref.start, ref.end):
                yield m.start("u"), m.end("u"), None
        return
    for name, (s, e) in ref.field_spans.items():
        if csl and "\\" in text[s:e]:
            continue  # a JSON escape: offsets of the decoded value are unknown
        if _is_url_field(name):
            value = text[s:e]
            lead = len(value) - len(value.lstrip())
            yield s + lead, s + len(value.rstrip()), name
            continue
        if markers or s < ref.start or e > ref.end:
            for m in _DELIMITED_URL.finditer(text, s, e):
                yield m.start("u"), m.end("u"), name


@rule(
    code="RC204",
    name="url-trailing-punctuation",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="sentence punctuation taken into a URL's own delimiters ('\\url{…/page.}').",
    fix="safe",
)
def url_trailing_punctuation(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Looks at URLs whose end the text marks, so that what belongs to the URL
    is certain: a BibTeX `url` field or CSL-JSON `URL`, `\\url{…}`, `<…>` and
    a Markdown link target `[…](…)`.  A URL that ends there with sentence
    punctuation (`.`, `,`, `;`, `:`, `!`, `?`) or a bracket it never opened
    has swallowed the punctuation of the sentence around it; the trimmed URL
    is suggested.  A bare URL in running text is left alone: whether the
    full stop after it is part of the reference's punctuation is a matter of
    style (Chicago and MLA put one there, APA does not), and a bracket it
    never opened is RC003's.

    Why it matters:
    The link target is what readers click and tools fetch: `…/page.` is a
    different address from `…/page`, and often a 404.

    Example:
    `url = {https://example.org/report.html.}` ->
    `https://example.org/report.html`; `<http://example.org/a/)>` ->
    `http://example.org/a/`.

    Fix safety:
    Safe when a single `.` or `,` ends a URL with no query or fragment (no
    address ends in a bare full stop or comma); otherwise, where the
    character may be data (`?q=a.`, `;jsessionid`, a closing bracket), the
    trimmed URL is only suggested.
    """
    text = doc.text
    for ref in doc.references:
        for start, end, fld in _url_spans(doc, ref):
            url = text[start:end]
            n = _swallowed(url)
            if not n or n == len(url) or ("://" not in url and not url.lower().startswith("www.")):
                continue
            trimmed, tail = url[:-n], url[-n:]
            safe = tail in (".", ",") and not any(c in trimmed for c in "?#")
            yield Hit(
                start,
                end,
                f"URL ends with '{tail}', punctuation of the sentence taken into the link: '{url}'",
                suggestion=trimmed,
                field=fld,
                reference=ref,
                fix=Fix(start, end, trimmed, safe=safe),
            )


RULES = (split_word, missing_space, url_trailing_punctuation, doi_whitespace, lost_ligature)
