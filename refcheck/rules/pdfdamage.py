"""Text damaged by PDF extraction or OCR (RC220–RC229, artifact family).

What a PDF-to-text step leaves behind besides split and glued words
(``rules/artifacts.py``): ligature glyphs (`ﬁ`) and ligatures turned into
HTML superscripts (`<sup>fi</sup>`), accents extracted as separate spacing
characters (`Mu ̈ller`, `Garci´ a`), several words run together
(`Ananalysisofthe`), a letter o read for a zero in a year (`2oo5`), and a
chemical formula's subscript split off (`CO 2`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import regex

from refcheck.model import Category, Document, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text import freq
from refcheck.text.context import RefContext, analyse
from refcheck.text.kept import KeptAnswers, word_sources
from refcheck.text.patterns import lazy, lazy_re

# Masks inside which nothing here is damage: addresses, identifiers, markup.
_SKIP = frozenset({"url", "email", "doi", "latex"})


def _spans(doc: Document, ref: Reference) -> tuple[RefContext, list[tuple[int, int, str | None]]]:
    """A reference's context, and where to look: all of it, field by field if known."""
    rc = analyse(doc, ref)
    if ref.format != "text" and ref.field_spans:
        return rc, [(s, e, name) for name, (s, e) in ref.field_spans.items()]
    return rc, [(ref.start, ref.end, None)]


def _masked(rc: RefContext, start: int, end: int) -> bool:
    return rc.mask_reason(start, end) in _SKIP


def _holding(doc: Document, pattern: re.Pattern[str] | regex.Pattern[str]) -> set[int]:
    """ids of the entries that hold a match of ``pattern`` inside their text.

    One search of the whole text instead of one per entry: a rule whose every
    finding holds such a match reads only these entries (most hold none).
    """
    refs = list(doc.entries())
    if not refs:
        return set()
    # Only the entries' stretch: a document may be one slice of a large file's text.
    lo, hi = min(r.start for r in refs), max(r.end for r in refs)
    found = [m.span() for m in pattern.finditer(doc.text, lo, hi)]
    if not found:
        return set()
    starts = [a for a, _ in found]
    out: set[int] = set()
    for ref in refs:
        i = bisect.bisect_left(starts, ref.start)
        if i < len(found) and found[i][1] <= ref.end:
            out.add(id(ref))
    return out


def _field_at(ref: Reference, pos: int) -> str | None:
    for name, (s, e) in ref.field_spans.items():
        if s <= pos < e:
            return name
    return None


# --------------------------------------------------------------------------
# RC220 ligature-glyph

_LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
_LIGATURE_WORD = lazy(rf"[\p{{L}}{_LIGATURES}]*[{_LIGATURES}][\p{{L}}{_LIGATURES}]*")
_SUP_LIGATURE = lazy(
    rf"(\p{{L}}*)<(su[pb])>\s*(ffi|ffl|ff|fi|fl|ft|st|[{_LIGATURES}])\s*</\2>(\p{{L}}*)",
    regex.IGNORECASE,
)


@rule(
    code="RC220",
    name="ligature-glyph",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="a ligature glyph ('ﬁ', 'ﬀ') or a '<sup>fi</sup>' left inside a word.",
    fix="safe",
)
def ligature_glyph(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Finds the typographic ligature characters U+FB00–U+FB06 (`ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ
    ﬆ`) that PDF extraction copies instead of their letters, and ligatures
    that a PDF-to-HTML step wrapped in `<sup>…</sup>` or `<sub>…</sub>`
    inside a word (`<sup>fi</sup>ltering`).

    Why it matters:
    `Eﬃcient` and `efficient` are different strings: searches, sorting,
    spell checkers and registries miss the word, and many fonts used for
    references have no glyph for it.

    Example:
    `Eﬃcient ﬁltering` -> `Efficient filtering`; `<sup>fi</sup>ltering` ->
    `filtering`.

    Fix safety:
    Safe for the glyphs: each is, by Unicode's own compatibility mapping,
    exactly its letters.  For `<sup>…</sup>` safe when the joined word is an
    English word; otherwise only suggested.
    """
    text = doc.text
    for ref in doc.entries():
        raw = ref.raw
        glyphs = any(c in raw for c in _LIGATURES)
        tags = "<su" in raw.lower()
        if not (glyphs or tags):
            continue
        rc, spans = _spans(doc, ref)
        for lo, hi, fld in spans:
            tagged = [m.span() for m in _SUP_LIGATURE.finditer(text, lo, hi)] if tags else []
            if glyphs:
                for m in _LIGATURE_WORD.finditer(text, lo, hi):
                    if _masked(rc, m.start(), m.end()) or any(
                        a <= m.start() < b for a, b in tagged
                    ):
                        continue  # "<sup>ﬁ</sup>nite" is reported whole below
                    word = m.group()
                    fixed = "".join(
                        unicodedata.normalize("NFKC", c) if c in _LIGATURES else c for c in word
                    )
                    yield Hit(
                        m.start(),
                        m.end(),
                        f"'{word}' holds a ligature glyph from a PDF; write the letters: '{fixed}'",
                        suggestion=fixed,
                        field=fld,
                        reference=ref,
                        fix=Fix(m.start(), m.end(), fixed, safe=True),
                    )
            if tags:
                for m in _SUP_LIGATURE.finditer(text, lo, hi):
                    if not (m.group(1) or m.group(4)):
                        continue  # a real superscript, not part of a word
                    lig = unicodedata.normalize("NFKC", m.group(3))
                    fixed = m.group(1) + lig + m.group(4)
                    known = freq.zipf(fixed.lower()) >= 2.5
                    yield Hit(
                        m.start(),
                        m.end(),
                        f"'{m.group()}': a ligature extracted as markup inside a word; '{fixed}'",
                        suggestion=fixed,
                        field=fld,
                        reference=ref,
                        fix=Fix(m.start(), m.end(), fixed, safe=known),
                    )


# --------------------------------------------------------------------------
# RC221 spacing-diacritic

# Spacing forms of accents and the combining mark each stands for.
_SPACING = {
    "\u00b4": "\u0301",  # ´
    "\u00a8": "\u0308",  # ¨
    "\u02c6": "\u0302",  # ˆ
    "\u02dc": "\u0303",  # ˜
    "\u00b8": "\u0327",  # ¸
    "\u02c7": "\u030c",  # ˇ
    "\u02d8": "\u0306",  # ˘
    "\u02da": "\u030a",  # ˚
    "\u02dd": "\u030b",  # ˝
    "\u00af": "\u0304",  # ¯
    "\u02d9": "\u0307",  # ˙
}
_SPACING_CLASS = "".join(_SPACING)
_SPACING_HINT = lazy_re(f"[{_SPACING_CLASS}]")
_NON_ASCII = lazy_re(r"[^\x00-\x7f]")
_LOOSE_MARK_HINT = lazy(r"\s\p{M}")
# A combining mark standing after a space ("Mu ̈ller"): it belongs to the letter before.
_LOOSE_MARK = lazy(r"(\p{L})[ \t]+(\p{M}+)(\p{L}*)")
# A spacing accent inside a word, with a space on one side at most ("Garci´ a",
# "M¨uller", "Garc´ıa").
_LOOSE_ACCENT = lazy(
    rf"(\p{{L}})(?:([{_SPACING_CLASS}])[ \t]?(\p{{L}})|[ \t]([{_SPACING_CLASS}])(\p{{L}}))"
)
# Accents that also stand in for an apostrophe or a prime (RC302's business when
# nothing but letters surrounds them).
_APOSTROPHE_LIKE = frozenset("\u00b4")


_WORD_HEAD = lazy(r"\p{L}*$")
_WORD_TAIL = lazy(r"\p{L}*")


def _precomposed(pair: str) -> bool:
    """Whether the accented letter of a composed pair is one Unicode character."""
    return len(pair) == 2


def _compose(letter: str, mark: str) -> str:
    if letter == "\u0131":  # a dotless i under an accent is an i: "Garc´ıa"
        letter = "i"
    return unicodedata.normalize("NFC", letter + mark)


def _loose_accent_fix(m: regex.Match[str]) -> str | None:
    """The letters of an ``_LOOSE_ACCENT`` match with the accent on one of them, or None
    for an acute between letters with no space (RC302's apostrophe or prime)."""
    before: str = m.group(1)
    accent: str
    after: str
    if m.group(2) is None:
        accent, after = m.group(4), m.group(5)
        return before + _compose(after, _SPACING[accent])
    accent, after = m.group(2), m.group(3)
    spaced = m.group().count(" ") + m.group().count("\t") > 0
    if not spaced and accent in _APOSTROPHE_LIKE and after != "\u0131":
        return None
    mark = _SPACING[accent]
    on_before = _compose(before, mark) + after
    on_after = before + _compose(after, mark)
    if after == "\u0131":
        return on_after  # LaTeX-made PDFs: "Garc´ıa"
    if _precomposed(on_before) != _precomposed(on_after):
        # Only one letter takes the accent as one character:
        # "Mu¨ller" is "Müller", "M¨uller" too.
        return on_before if _precomposed(on_before) else on_after
    if not spaced and accent == "\u00a8":
        return on_after
    return on_before


@rule(
    code="RC221",
    name="spacing-diacritic",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="an accent extracted apart from its letter ('Mu ̈ller', 'Garci´ a').",
    fix="unsafe",
)
def spacing_diacritic(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Finds accents that PDF extraction separated from their letters: a
    combining mark after a space (`Mu ̈ller`), or a spacing accent character
    (`´ ¨ ˆ ˜ ¸ ˇ ˘ ˚ ˝ ¯ ˙`) inside a word with a space beside it (`Garci´
    a`), or, for all but the acute accent, with no space (`M¨uller`).  An
    acute accent between letters with no space (`Dal´nego`) is left to
    RC302, which reads it as an apostrophe or a prime.  The suggestion puts
    the accent on the letter it touches (the one before when it touches
    both; the one after when that is a dotless ı, as LaTeX-made PDFs write
    `Garc´ıa`).

    Why it matters:
    The name is no longer the author's: searches, citation matching and
    registries miss it, and it prints with a stray mark.

    Example:
    `Mu ̈ller, J.` -> `Müller`; `Garci´ a, M.` -> `García`.

    Fix safety:
    Unsafe: extraction places accents before or after their letters
    depending on the PDF; applied with `--fix-typos`.
    """
    text = doc.text
    refs = list(doc.entries())
    # Both hints are non-ASCII: an ASCII stretch (most bibliographies) holds neither.
    lo, hi = (min(r.start for r in refs), max(r.end for r in refs)) if refs else (0, 0)
    if not _NON_ASCII.search(text, lo, hi):
        return
    with_marks, with_accents = _holding(doc, _LOOSE_MARK_HINT), _holding(doc, _SPACING_HINT)
    if not (with_marks or with_accents):
        return
    for ref in doc.entries():
        marks = id(ref) in with_marks
        accents = id(ref) in with_accents
        if not (marks or accents):
            continue
        rc, spans = _spans(doc, ref)
        for lo, hi, fld in spans:
            found: list[tuple[int, int, str]] = []
            if marks:
                for m in _LOOSE_MARK.finditer(text, lo, hi):
                    fixed = _compose(m.group(1), m.group(2)) + m.group(3)
                    found.append((m.start(), m.end(), fixed))
            if accents:
                for m in _LOOSE_ACCENT.finditer(text, lo, hi):
                    accent_fix = _loose_accent_fix(m)
                    if accent_fix is not None:
                        found.append((m.start(), m.end(), accent_fix))
            for start, end, fixed in found:
                if _masked(rc, start, end):
                    continue
                # Report the whole word: "Mu ̈ller", not "u ̈ller".
                head = _WORD_HEAD.search(text, lo, start)
                tail = _WORD_TAIL.match(text, end, hi)
                prefix = text[head.start() : start] if head else ""
                suffix = tail.group() if tail else ""
                start, end = start - len(prefix), end + len(suffix)
                fixed = prefix + fixed + suffix
                written = text[start:end]
                yield Hit(
                    start,
                    end,
                    f"'{written}': an accent extracted apart from its letter; '{fixed}'",
                    suggestion=fixed,
                    field=fld,
                    reference=ref,
                    fix=Fix(start, end, fixed, safe=False),
                )


# --------------------------------------------------------------------------
# RC222 run-together-words

_LONG_WORD = lazy(r"(?<![\p{L}\p{M}\d\\{}'’-])[A-Za-z]{9,}(?![\p{L}\p{M}\d{}'’-])")
# Short words that glue in extraction; longer pieces must be common words.
_GLUE_SHORT = frozenset(
    ["a", "an", "of", "the", "and", "for", "in", "on", "to", "with", "from", "by", "at", "is"]
)
_ANCHORS = frozenset(["of", "the", "and", "for", "with", "from"])
# Function words that join two content words run together ("dilemmainalliance").
_MIDDLE = _ANCHORS | {"in", "on", "to"}


# Each long word's cut, kept between runs (text/kept.py): a hook's next run meets the
# same words, and cutting them means reading the word tables.
_KEPT_CUTS = KeptAnswers("run-together", lambda: word_sources(__file__), limit=10_000)


@lru_cache(maxsize=65536)
def segment(word: str) -> tuple[str, ...] | None:
    """``word`` cut into three or more common words, with function words among them.

    None unless the word is unknown and exactly one cut of it into common
    words scores best.  Pieces are function words or words of four letters
    or more with a Zipf frequency of at least 3.5.
    """
    cut: tuple[str, ...] | None = _KEPT_CUTS.answer(word, _segment, word)
    return cut


def _segment(word: str) -> tuple[str, ...] | None:
    low = word.lower()
    if freq.zipf(low) > 0.0 or freq.other_language(low):
        return None
    n = len(low)
    # A capital inside the word marks where a word begins ("ClashofCivilizations"):
    # cuts fall there, and a word that begins there needs less frequency evidence.
    caps = {i for i in range(1, n) if word[i].isupper()}
    # best[i]: (pieces, score) for low[:i]; fewer pieces, then rarer-piece-first.
    best: list[tuple[tuple[str, ...], float] | None] = [None] * (n + 1)
    best[0] = ((), 0.0)
    for i in range(1, n + 1):
        choice: tuple[tuple[str, ...], float] | None = None
        for j in range(max(0, i - 20), i):
            prev = best[j]
            if prev is None or any(j < c < i for c in caps):
                continue
            piece = low[j:i]
            z = freq.zipf(piece)
            if piece in _GLUE_SHORT:
                score = z  # "and" beats "sand": a function word is the likelier cut
            elif (
                (len(piece) >= 4 and z >= 3.5)
                or (len(piece) == 3 and z >= 4.5)
                or (j in caps and len(piece) >= 3 and z >= 2.5)
            ):
                score = z
            else:
                continue
            cand = ((*prev[0], piece), prev[1] + score)
            if choice is None or (len(cand[0]), -cand[1]) < (len(choice[0]), -choice[1]):
                choice = cand
        best[i] = choice
    done = best[n]
    if done is None:
        return None
    pieces = done[0]
    content = [p for p in pieces if p not in _GLUE_SHORT]
    anchors = [p for p in pieces if p in _ANCHORS]
    if len(pieces) < 3 or not content or not (anchors or pieces[1] in _MIDDLE):
        return None
    # Two short words ("an", "of", "the"), or one of the anchors between two
    # common words ("representationsofwords", "ArtofComputer").
    if sum(1 for p in pieces if p in _GLUE_SHORT) < 2 and not (
        len(pieces) == 3 and pieces[1] in _MIDDLE and len(content) == 2
    ):
        return None
    return pieces


def _restore_case(written: str, pieces: tuple[str, ...]) -> str:
    out: list[str] = []
    pos = 0
    for p in pieces:
        out.append(written[pos : pos + len(p)])
        pos += len(p)
    return " ".join(out)


@rule(
    code="RC222",
    name="run-together-words",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="several words run together by extraction ('Ananalysisofthe').",
    fix="unsafe",
)
def run_together_words(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a word of nine letters or more, unknown to the word list, that
    cuts into three or more common words of which at least two are short
    function words ("a", "an", "of", "the", "and", "for", …) and one of
    "of", "the", "and", "for", "with", "from" (`Ananalysisofthe` ->
    `An analysis of the`), or into two common words around one of those or
    "in", "on", "to" (`representationsofwords`, `ArtofComputer`); a capital
    inside the word marks where a word begins.  Two words glued are RC203's;
    names, URLs, identifiers and LaTeX are skipped, and only ASCII words are
    read.

    Why it matters:
    Extraction that loses every space of a line leaves a title nobody can
    search for.

    Example:
    `Ananalysisofthe data` -> `An analysis of the data`.

    Fix safety:
    Unsafe: the cut is the likeliest one, not the only possible one;
    applied with `--fix-typos`.
    """
    text = doc.text
    skip = _SKIP | {"name", "transliteration", "protected", "publisher"}
    for ref in doc.entries():
        rc = analyse(doc, ref)
        for lo, hi, fld in rc.regions:
            for m in _LONG_WORD.finditer(text, lo, hi):
                written = m.group()
                if sum(c.isupper() for c in written[1:]) > 1 or written[1:].isupper():
                    continue  # an acronym or a name in camel case, not prose
                pieces = segment(written)
                if pieces is None or rc.mask_reason(m.start(), m.end()) in skip:
                    continue
                fixed = _restore_case(written, pieces)
                yield Hit(
                    m.start(),
                    m.end(),
                    f"'{written}' looks like {len(pieces)} words run together: '{fixed}'",
                    suggestion=fixed,
                    field=fld,
                    reference=ref,
                    fix=Fix(m.start(), m.end(), fixed, safe=False),
                )


# --------------------------------------------------------------------------
# RC223 letter-in-year

_YEARISH = lazy(r"(?<![\p{L}\d])[12][\doO]{3}(?![\p{L}\d])")
# What every year read with a letter holds, up to its first o: the entries to read.
_YEAR_WITH_O = lazy_re(r"[12][0-9oO]{0,2}[oO]")


def _as_year(token: str) -> int | None:
    # Two real digits at least: "2ooo" is as likely a model name as a year.
    if not any(c in "oO" for c in token) or sum(c.isdigit() for c in token) < 2:
        return None
    year = int(token.translate(str.maketrans("oO", "00")))
    return year if 1450 <= year <= 2099 else None


@rule(
    code="RC223",
    name="letter-in-year",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="a year with the letter o for a zero ('2oo5').",
    fix="safe",
)
def letter_in_year(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Finds a four-character token, standing alone, that starts with 1 or 2,
    holds at least one letter `o`/`O` and two digits, and is a year between
    1450 and 2099 once the o's are read as zeros (`2oo5`, `19O8`).  URLs
    and identifiers are skipped.

    Why it matters:
    OCR and retyping read zeros as o's; a year that is not a number breaks
    sorting, author-date citations and registry look-ups.

    Example:
    `year = {2oo5}` -> `2005`.

    Fix safety:
    Safe: a token of digits and o's standing alone has no other reading.
    """
    text = doc.text
    candidates = _holding(doc, _YEAR_WITH_O)
    for ref in doc.entries():
        if id(ref) not in candidates:
            continue
        rc = None
        for m in _YEARISH.finditer(text, ref.start, ref.end):
            year = _as_year(m.group())
            if year is None:
                continue
            rc = rc or analyse(doc, ref)
            if _masked(rc, m.start(), m.end()):
                continue
            yield Hit(
                m.start(),
                m.end(),
                f"'{m.group()}' reads as the year {year} with a letter for a digit",
                suggestion=str(year),
                field=_field_at(ref, m.start()),
                reference=ref,
                fix=Fix(m.start(), m.end(), str(year), safe=True),
            )


# --------------------------------------------------------------------------
# RC224 split-formula

# Molecules whose formula reference titles write most (climate, air, materials):
# an all-capital stem is a word or an acronym as often as a formula ("NO 2"),
# so only these are read as formulas; a stem mixing capitals and lower case
# ("TiO 2", "Fe 3 O 4") is read as one whatever it is.
_FORMULAS = frozenset(
    [
        "CO2",
        "NO2",
        "SO2",
        "CH4",
        "N2O",
        "H2O",
        "O2",
        "O3",
        "NH3",
        "H2S",
        "SF6",
        "H2",
        "N2",
        "NO3",
        "SO4",
        "PO4",
        "CO3",
        "CH3",
        "HNO3",
        "H2SO4",
        "C2H6",
        "C2H4",
        "C3H8",
        "C6H6",
        "CCl4",
        "CS2",
        "HCl",
        "H2O2",
        "Cl2",
        "OH",
    ]
)
_ELEMENTS = frozenset(
    [
        "H",
        "He",
        "Li",
        "Be",
        "B",
        "C",
        "N",
        "O",
        "F",
        "Ne",
        "Na",
        "Mg",
        "Al",
        "Si",
        "P",
        "S",
        "Cl",
        "Ar",
        "K",
        "Ca",
        "Sc",
        "Ti",
        "V",
        "Cr",
        "Mn",
        "Fe",
        "Co",
        "Ni",
        "Cu",
        "Zn",
        "Ga",
        "Ge",
        "As",
        "Se",
        "Br",
        "Kr",
        "Rb",
        "Sr",
        "Y",
        "Zr",
        "Nb",
        "Mo",
        "Ru",
        "Rh",
        "Pd",
        "Ag",
        "Cd",
        "In",
        "Sn",
        "Sb",
        "Te",
        "I",
        "Xe",
        "Cs",
        "Ba",
        "La",
        "Ce",
        "Pr",
        "Nd",
        "Sm",
        "Eu",
        "Gd",
        "Tb",
        "Dy",
        "Ho",
        "Er",
        "Tm",
        "Yb",
        "Lu",
        "Hf",
        "Ta",
        "W",
        "Re",
        "Os",
        "Ir",
        "Pt",
        "Au",
        "Hg",
        "Tl",
        "Pb",
        "Bi",
        "U",
    ]
)
# Element symbols, then at least one space-separated digit, then more symbols
# and digits: the longest stretch of it that is a formula is taken.
_FORMULA_RUN = lazy(
    r"(?<![\p{L}\d])(?:[A-Z][a-z]?\d*)+(?:[ \t]\d(?:[ \t]?[A-Z][a-z]?\d?)*)+"
)
_PIECE = lazy(r"[ \t]?(?:[A-Z][a-z]?|\d)")
_AFTER_OK = lazy(r"(?![\p{L}\d.,:/–-])|[.,:](?!\d)")
_SYMBOL = lazy(r"[A-Z][a-z]?")
_PROSE_AFTER = lazy(r"[ \t]*(?:-\s*)?\p{Ll}{2,}")
_PROSE_BEFORE = lazy(r"(?<![\p{L}.])\p{Ll}{2,}[ \t]+$")


def _elements_only(stem: str) -> bool:
    return all(s in _ELEMENTS for s in _SYMBOL.findall(stem))


def _is_formula(joined: str, text: str, start: int, stop: int) -> bool:
    if any(c.islower() for c in joined):
        return _elements_only(joined) and len(_SYMBOL.findall(joined)) >= 2
    if joined not in _FORMULAS:
        return False
    # "NO 2," and "SO 2" may be an issue number or a word: such a stem needs the
    # prose of a title around it ("CO 2 emissions", "atmospheric CO 2.").
    stem = joined.rstrip("0123456789")
    if freq.zipf(stem.lower()) >= 3.0:
        return (
            _PROSE_AFTER.match(text, stop) is not None
            or _PROSE_BEFORE.search(text, max(0, start - 30), start) is not None
        )
    return True


def _formula_at(text: str, start: int, end: int) -> tuple[int, str] | None:
    """The longest formula written from ``start`` within ``text[start:end]`` with a split digit."""
    ends = [m.end() for m in _PIECE.finditer(text, start, end)]
    for stop in reversed(ends):
        written = text[start:stop]
        if not any(c.isspace() for c in written) or not written[-1].isalnum():
            continue
        if _AFTER_OK.match(text, stop) is None:
            continue
        joined = "".join(written.split())
        if _is_formula(joined, text, start, stop):
            return stop, joined
    return None


@rule(
    code="RC224",
    name="split-formula",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="a chemical formula with its subscript split off ('CO 2').",
    fix="unsafe",
)
def split_formula(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Finds a chemical formula whose subscript digits extraction set apart
    (`CO 2`, `H 2 O`, `TiO 2`): element symbols followed by a space and a
    single digit, the digit not followed by another number or a unit-like
    punctuation (`Part 2.5`).  An all-capital stem counts only when the
    joined formula is a common molecule (`CO2`, `NO2`, `CH4`, …), since
    "NO 2" is as often "No. 2"; a stem mixing capitals and lower case
    (`TiO 2`, `Fe 3 O 4`) must consist of element symbols.

    Why it matters:
    `CO 2` is not searchable as CO₂ and reads as "CO, 2": titles about
    emissions and materials become unfindable.

    Example:
    `Global CO 2 emissions` -> `CO2`.

    Fix safety:
    Unsafe: a capitalised abbreviation followed by a number can look the
    same; applied with `--fix-typos`.
    """
    text = doc.text
    for ref in doc.entries():
        rc = None
        for m in _FORMULA_RUN.finditer(text, ref.start, ref.end):
            found = _formula_at(text, m.start(), m.end())
            if found is None:
                continue
            stop, joined = found
            rc = rc or analyse(doc, ref)
            if rc.mask_reason(m.start(), stop) in _SKIP | {"name"}:
                continue
            written = text[m.start() : stop]
            yield Hit(
                m.start(),
                stop,
                f"'{written}': a chemical formula with its subscript split off; '{joined}'",
                suggestion=joined,
                field=_field_at(ref, m.start()),
                reference=ref,
                fix=Fix(m.start(), stop, joined, safe=False),
            )


RULES = (ligature_glyph, spacing_diacritic, run_together_words, letter_in_year, split_formula)
