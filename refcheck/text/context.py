"""Where a token stands in a reference, so that rules leave non-English alone.

A reference mixes ordinary English (titles, venue names) with text that a
spelling check must not touch: personal names, publishers, transliterated
titles (the segment before a bracketed translation), URLs, DOIs, e-mail
addresses, LaTeX commands and brace-protected words.  :func:`analyse`
returns, for one reference, the regions worth checking and the masked
stretches with the reason each is masked.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import regex

from refcheck.model import Document, DocumentMemo, Reference
from refcheck.text import freq
from refcheck.text.patterns import lazy
from refcheck.text.scan import RegionWords, scan_recurring, scan_region
from refcheck.text.tokens import Token, is_acronym, words

# BibTeX/CSL fields whose values are ordinary prose worth spell-checking.
PROSE_FIELDS = (
    "title",
    "booktitle",
    "journal",
    "journaltitle",
    "series",
    "school",
    "institution",
    "organization",
    "howpublished",
    "type",
    "container-title",
    "collection-title",
    "event",
)
# Prose fields whose values recur from entry to entry (titles and whole
# references do not): their scans are shared by value.
_RECURRING = frozenset(PROSE_FIELDS) - {"title"}
# Fields holding names: never spell-checked token by token.
NAME_FIELDS = ("author", "editor", "publisher", "address", "location", "translator")

_URL = lazy(r"(?:https?://|ftp://|www\.)\S+(?:(?<=[-/.])\s{1,2}\S+)*", regex.IGNORECASE)
_DOI = lazy(r"\b(?:doi:\s*)?10\.\s?\d{3,9}\s?/\S+", regex.IGNORECASE)
# Each starts only where its leading run starts (the lookbehind): tried from every
# position of a long word, the run was scanned again each time (quadratic).
_EMAIL = lazy(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A LaTeX command, with the rest of the word it sits in ("K{\\"o}rper").
_LATEX = lazy(r"(?<![^\s\\])[^\s\\]*\\(?:[a-zA-Z]+|.)[^\s]*")
# A braced word or phrase standing alone ("{IEEE}", "{{MIT}}"): a name its writer
# protected.  Not a brace group inside a word ("{S}ydney"), which protects
# only the capital of an ordinary word (refcheck/text/tokens.py joins them).
_PROTECTED_MAX_WORDS = 3
_BRACED = lazy(r"(?<![\p{L}\p{M}\p{N}])\{\{?[^{}]*\}?\}(?![\p{L}\p{M}\p{N}])")
_TRANSLATION = lazy(r"\[([^\[\]]{3,})\]")
_YEAR = lazy(r"\(?\b(?:1[5-9]\d\d|20\d\d)[a-z]?\b\)?")
_LABEL = lazy(r"^\s*(?:\\?\[\w{1,6}\\?\]|\(\d{1,4}\)|\d{1,4}[.)]|[*\-•]+)\s*")
_NAME_PART = lazy(
    r"(?:\p{Lu}\p{Ll}?\.-?)+|\p{Lu}[\p{L}\p{M}'’\-]*|and|&|et|al\.?|van|von|der|den|de|da|di|"
    r"du|la|le|del|dos|bin|ibn|[,;.*]+|\(?eds?\.\)?",
)
# Surname followed by initials, Russian/Vancouver style: "Troitskii E.F., Zinov’ev V.P."
_GOST = lazy(
    r"(?:\p{Lu}[\p{L}\p{M}'’\-]+(?:\s\p{Lu}[\p{L}'’\-]+)?\s+(?:\p{Lu}\p{Ll}?\.\s?){1,3}[,;]?\s*)+"
)
# Initials first, IEEE style: "C. Elkan,", "A.E.Niell,", "P.-S. Huang, M. Kim, and".
_IEEE = lazy(
    r"(?:(?:and\s+)?(?:\p{Lu}\.-?\s?){1,3}\s?\p{Lu}[\p{L}\p{M}'’\-]+(?:\s\p{Lu}[\p{L}'’\-]+)?,?\s*)+"
)

_SENTENCE_END = lazy(r"(?<!\b\p{Lu}\p{Ll}?)\.\s")
_SPACES = lazy(r"\s+")


@dataclass(slots=True)
class RefContext:
    regions: list[tuple[int, int, str | None]]
    masks: list[tuple[int, int, str]] = field(default_factory=list)
    _starts: list[int] | None = None  # mask starts, indexed only when there are many masks
    _words: tuple[RegionWords, ...] | None = None

    def region_tokens(self, text: str) -> list[list[Token]]:
        """The word tokens of each region (of ``text``).

        Not kept: splitting a region again costs less than holding every token of a
        10,000-entry file between the rules (~40 MiB).
        """
        return [words(text[lo:hi], lo) for lo, hi, _ in self.regions]

    def scan(self, text: str) -> tuple[RegionWords, ...]:
        """What the word-level rules must look at in each region (of ``text``).

        Computed by the first rule that asks and kept: it is a few tokens per
        reference, not every token.
        """
        if self._words is None:
            self._words = tuple(
                scan_recurring(text, lo, hi) if fld in _RECURRING else scan_region(text, lo, hi)
                for lo, hi, fld in self.regions
            )
        return self._words

    def finish(self) -> RefContext:
        self.masks.sort()
        return self

    def mask_reason(self, start: int, end: int) -> str | None:
        """Why the span [start, end) is not ordinary text, or None."""
        masks = self.masks
        if len(masks) > 40:
            if self._starts is None:
                self._starts = [m[0] for m in masks]
            i = bisect.bisect_right(self._starts, end)
            masks = masks[i - 40 : i] if i > 40 else masks[:i]
        # With 40 masks or fewer, scanning them all meets the overlapping ones in
        # the same order as scanning the last 40 that start before ``end``.
        for s, e, reason in masks:
            if s < end and start < e:
                return reason
        return None

    def field_at(self, start: int) -> str | None:
        for s, e, name in self.regions:
            if s <= start < e:
                return name
        return None


# Per document (the last few): every reference's context, computed once and shared by
# the typo and artifact rules, which would otherwise each re-mask and re-split it.
_ANALYSES: DocumentMemo[dict[int, tuple[Reference, RefContext]]] = DocumentMemo(8)


def analyse(doc: Document, ref: Reference) -> RefContext:
    """Regions to check and masked stretches of one reference (shared; do not mutate)."""
    per_ref = _ANALYSES.get(doc)
    if per_ref is None:
        per_ref = _ANALYSES.put(doc, {})
    hit = per_ref.get(id(ref))
    if hit is not None and hit[0] is ref:
        return hit[1]
    ctx = _analyse(doc, ref)
    per_ref[id(ref)] = (ref, ctx)
    return ctx


# Field names of an entry, in order -> its prose fields (with lower-cased names)
# and its masked fields (with the reason).  The entries of a file name their
# fields alike: one lookup per entry instead of lower-casing and classifying
# every field of every entry.
_FieldPlan = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]
_FIELD_PLANS: dict[tuple[str, ...], _FieldPlan] = {}


def _field_plan(names: tuple[str, ...]) -> _FieldPlan:
    plan = _FIELD_PLANS.get(names)
    if plan is not None:
        return plan
    prose: list[tuple[str, str]] = []
    masked: list[tuple[str, str]] = []
    for name in names:
        low = name.lower()
        if low in PROSE_FIELDS:
            prose.append((name, low))
        elif low in NAME_FIELDS:
            masked.append((name, "name" if low != "publisher" else "publisher"))
    plan = tuple(prose), tuple(masked)
    if len(_FIELD_PLANS) < 4096:  # bounded, whatever fields a file invents
        _FIELD_PLANS[names] = plan
    return plan


def _analyse(doc: Document, ref: Reference) -> RefContext:
    if ref.format != "text" and ref.fields and ref.field_spans:
        text = doc.text
        spans = ref.field_spans
        prose, masked = _field_plan(tuple(spans))
        regions: list[tuple[int, int, str | None]] = [
            (*spans[name], low)
            for name, low in prose
            if low != "type" or not _is_type_key(text, *spans[name])
        ]
        ctx = RefContext(regions, [(*spans[name], reason) for name, reason in masked])
        for s, e, _ in regions:
            _mask_markup(text, s, e, ctx)
        return ctx.finish()
    ctx = RefContext(regions=[])
    start, end = ref.start, ref.end
    ctx.regions.append((start, end, None))
    raw = doc.text[start:end]
    for name, (s, e) in ref.field_spans.items():
        low = name.lower()
        if low in ("author", "authors", "editor", "editors"):
            ctx.masks.append((s, e, "name"))
        elif low == "publisher":
            ctx.masks.append((s, e, "publisher"))
    if not any(r == "name" for _, _, r in ctx.masks):
        a = author_prefix(raw)
        if a:
            ctx.masks.append((start + a[0], start + a[1], "name"))
    _mask_markup(doc.text, start, end, ctx)
    _mask_transliterations(raw, start, ctx)
    return ctx.finish()


_TYPE_KEY = lazy(r"[\s{\"]*[a-z]+[\s}\"]*")


def _is_type_key(text: str, start: int, end: int) -> bool:
    """Whether a ``type`` field holds a biblatex localisation key ("patentus", "mathesis").

    biblatex prints such a key as a localised phrase; a phrase written out
    ("PhD dissertation", "Technical Report") has a capital or a space.
    """
    return _TYPE_KEY.fullmatch(text, start, end) is not None


def _mask_markup(text: str, start: int, end: int, ctx: RefContext) -> None:
    chunk = text[start:end]
    # Each pattern needs a character or string most values lack: testing for it
    # in C spares five regex scans of nearly every field.
    if "://" in chunk or "www." in chunk.lower():
        _mask_all(_URL, chunk, start, "url", ctx)
    if "10." in chunk:
        _mask_all(_DOI, chunk, start, "doi", ctx)
    if "@" in chunk:
        _mask_all(_EMAIL, chunk, start, "email", ctx)
    if "\\" in chunk:
        _mask_all(_LATEX, chunk, start, "latex", ctx)
    if "{" in chunk:
        for m in _BRACED.finditer(chunk):
            # A long braced stretch keeps a whole title's case ("{{Deep Learning
            # for Protein Folding}}", as reference managers export titles): its
            # words are ordinary words.  A short one is a name or an acronym.
            if len(m.group().split()) <= _PROTECTED_MAX_WORDS:
                ctx.masks.append((start + m.start(), start + m.end(), "protected"))


def _mask_all(
    pattern: regex.Pattern[str], chunk: str, start: int, reason: str, ctx: RefContext
) -> None:
    for m in pattern.finditer(chunk):
        ctx.masks.append((start + m.start(), start + m.end(), reason))


def author_prefix(raw: str) -> tuple[int, int] | None:
    """Offsets (in ``raw``) of a leading author list, when one is recognisable."""
    label = _LABEL.match(raw)
    pos = label.end() if label else 0
    rest = raw[pos:]
    for pattern in (_GOST, _IEEE):
        m = pattern.match(rest)
        if m and m.end() > 3:
            return pos, pos + m.end()
    # Up to the year, an opening quote, or the first sentence end: accepted
    # only when everything before it looks like names ("Buzan, Barry, and Ole Waever.").
    stops = [len(rest)]
    y = _YEAR.search(rest)
    if y:
        stops.append(y.start())
    for q in ("“", '"', "«", "‘"):
        i = rest.find(q)
        if i > 0:
            stops.append(i)
    m = _SENTENCE_END.search(rest)
    if m:
        stops.append(m.end())
    stop = min(stops)
    if stop == len(rest) or stop > 300:
        return None
    prefix = rest[:stop]
    parts = [p for p in _SPACES.split(prefix.strip()) if p]
    if not parts or not all(_NAME_PART.fullmatch(p.rstrip(",;.:")) or p in ",;." for p in parts):
        return None
    return pos, pos + stop


def _mask_transliterations(raw: str, start: int, ctx: RefContext) -> None:
    """Mask a segment followed by an English translation in brackets.

    "Vtoroi shans Tsentral’noi Azii [Central Asia’s Second Chance]": the text
    before the bracket is a transliterated title, not misspelled English.
    """
    if "[" not in raw:
        return
    prev = 0
    for m in _TRANSLATION.finditer(raw):
        inner = [t.text for t in words(m.group(1)) if t.text.isalpha()]
        before = [t for t in words(raw[prev : m.start()]) if t.text.isalpha()]
        if len(inner) >= 2 and before and english_share(inner) >= 0.6:
            share = english_share([t.text for t in before])
            if share < 0.6:
                ctx.masks.append((start + prev, start + m.start(), "transliteration"))
        prev = m.end()


def english_share(tokens: list[str]) -> float:
    """Fraction of tokens that are common English words (acronyms count as English)."""
    if not tokens:
        return 1.0
    good = sum(1 for t in tokens if is_acronym(t) or freq.zipf(t) >= 3.0)
    return good / len(tokens)
