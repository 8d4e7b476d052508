"""Typo rules (RC101–RC149): misspelled words and slipped phrases in references.

Both rules share one pass over each reference (:func:`analyse`), so that a
phrase slip and a non-word in the same place are reported once.  Word
frequencies come from wordfreq, loaded on first use (see
``refcheck/text/freq.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from refcheck.model import Category, Document, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text import freq
from refcheck.text.context import RefContext, analyse
from refcheck.text.tokens import Token, is_acronym, words

# Masks under which no typo is reported at all.
_SKIP_WORDS = {"name", "publisher", "url", "doi", "email", "latex", "protected", "transliteration"}
_SKIP_PHRASES = _SKIP_WORDS - {"publisher"}


@dataclass(frozen=True)
class TypoHit:
    code: str
    start: int
    end: int
    message: str
    suggestion: str
    reference: Reference | None
    field: str | None


_CACHE: dict[int, tuple[str, list[TypoHit]]] = {}


def analyse_document(doc: Document, prose: bool = False) -> list[TypoHit]:
    """Every typo hit of a document (cached per document text)."""
    key = id(doc) * 2 + int(prose)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is doc.text:
        return cached[1]
    hits: list[TypoHit] = []
    for ref in doc.entries():
        ctx = analyse(doc, ref)
        for start, end, fld in ctx.regions:
            hits.extend(_check_region(doc.text, start, end, ctx, ref, fld))
    if prose:
        for start, end in prose_regions(doc):
            plain = RefContext(regions=[(start, end, None)])
            from refcheck.text.context import _mask_markup

            _mask_markup(doc.text, start, end, plain)
            hits.extend(_check_region(doc.text, start, end, plain.finish(), None, None))
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = (doc.text, hits)
    return hits


def prose_regions(doc: Document) -> list[tuple[int, int]]:
    """The stretches of a text document outside its references."""
    if doc.format != "text":
        return []
    out: list[tuple[int, int]] = []
    pos = 0
    for ref in sorted(doc.references, key=lambda r: r.start):
        if ref.start > pos:
            out.append((pos, ref.start))
        pos = max(pos, ref.end)
    if pos < len(doc.text):
        out.append((pos, len(doc.text)))
    return out


def _check_region(
    text: str, lo: int, hi: int, ctx: RefContext, ref: Reference | None, fld: str | None
) -> list[TypoHit]:
    from refcheck.text.spelling import judge, ligature_repair

    out: list[TypoHit] = []
    toks = words(text[lo:hi], lo)
    for tok in toks:
        if ctx.mask_reason(tok.start, tok.end) in _SKIP_WORDS:
            continue
        if ligature_repair(tok.text) is not None:
            continue  # reported as an extraction artifact (RC207)
        c = judge(text, tok, lo, hi)
        if c is not None:
            out.append(TypoHit("RC101", tok.start, tok.end, c.message, c.suggestion, ref, fld))
    taken = [(h.start, h.end) for h in out]
    for start, end, wrong, right, category in _phrase_slips(text, toks):
        if any(s < end and start < e for s, e in taken):
            continue
        if ctx.mask_reason(start, end) in _SKIP_PHRASES:
            continue
        message = f"'{wrong}' looks like a misspelling of the {category} phrase '{right}'"
        out.append(TypoHit("RC102", start, end, message, right, ref, fld))
        taken.append((start, end))
    return out


def _plural_pair(a: str, b: str) -> bool:
    return a + "s" == b or b + "s" == a or a + "es" == b or b + "es" == a


def _phrase_slips(text: str, toks: list[Token]) -> Iterator[tuple[int, int, str, str, str]]:
    from rapidfuzz.distance import OSA

    from refcheck.text.lexicon import phrase_index
    from refcheck.text.spelling import match_case

    index = phrase_index()
    # Runs of words separated by single spaces only: a phrase never spans punctuation.
    runs: list[list[Token]] = []
    for tok in toks:
        if runs and text[runs[-1][-1].end : tok.start] in (" ", "\u00a0"):
            runs[-1].append(tok)
        else:
            runs.append([tok])
    for run in runs:
        if len(run) < 2:
            continue
        lows = [t.text.lower() for t in run]
        reported_until = -1
        # A slipped phrase keeps at least one of its words exactly: align on it.
        for j, low in enumerate(lows):
            for p, k in index.get(low, ()):
                i = j - k
                n = len(p.words)
                if i < 0 or i + n > len(run) or i <= reported_until:
                    continue
                window = run[i : i + n]
                evidence = False
                ok = True
                for tok, w, pw in zip(window, lows[i : i + n], p.words, strict=True):
                    if w == pw or _plural_pair(w, pw):
                        continue
                    if (
                        len(pw) >= 4
                        and tok.text.isalpha()
                        and not is_acronym(tok.text)
                        and OSA.distance(w, pw) == 1
                        and freq.zipf(pw) - freq.zipf(w) >= 1.0
                    ):
                        evidence = True
                        continue
                    ok = False
                    break
                if ok and evidence:
                    start, end = window[0].start, window[-1].end
                    right = " ".join(
                        t.text if t.text.lower() == pw else match_case(t.text, orig)
                        for t, pw, orig in zip(window, p.words, p.text.split(), strict=True)
                    )
                    reported_until = i + n - 1
                    yield start, end, text[start:end], right, p.category


def _hits(doc: Document, ctx: Context, code: str) -> Iterator[Hit]:
    prose = bool(ctx.options.get("prose", False))
    for h in analyse_document(doc, prose):
        if h.code == code:
            yield Hit(
                h.start,
                h.end,
                h.message,
                suggestion=h.suggestion,
                field=h.field,
                reference=h.reference,
                fix=Fix(h.start, h.end, h.suggestion, safe=False),
            )


@rule(
    code="RC101",
    name="misspelling",
    category=Category.TYPO,
    severity=Severity.WARNING,
    summary="a word that is not English and is one slip from a much more common word.",
    fix="unsafe",
    options={"prose": False},
)
def misspelling(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a word of a reference that is rare in English (wordfreq), is not a
    common word of a neighbouring language, and is one edit (a swap of two
    letters counts as one) from exactly one word at least 100 times more
    common.  Author names, publishers, transliterated titles before a
    bracketed translation, acronyms, identifiers, URLs and DOIs are skipped,
    and so is a word standing next to another unknown word.

    Why it matters:
    Misspellings in titles and venue names survive proofreading, break
    searches and make a bibliography look careless.

    Example:
    `World Eonomy and International Relations` is reported: 'Eonomy' is not
    an English word; 'Economy' is one letter away and 10⁵ times more common.
    `Vtoroi shans Tsentral’noi Azii [Central Asia’s Second Chance]` is not.

    Fix safety:
    Unsafe: the suggestion is the likeliest word, not a certainty; it is
    applied only with `--fix-typos`.

    Options:
    `prose` (bool, default false): also check the text outside the references.
    """
    return _hits(doc, ctx, "RC101")


@rule(
    code="RC102",
    name="phrase-misspelling",
    category=Category.TYPO,
    severity=Severity.WARNING,
    summary="a set phrase (degree, venue, publisher) with a word slipped.",
    fix="unsafe",
    options={"prose": False},
)
def phrase_misspelling(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Compares runs of words with a curated lexicon of phrases that recur in
    references (degree names, "Proceedings of the", "University Press",
    "Department of", names of fields) and flags a run that differs from a
    phrase by one letter in a word, when the phrase's word is clearly more
    common.  Every word may be real: only the phrase shows the slip.

    Why it matters:
    Real-word errors pass every spell checker.

    Example:
    `the Degree of Muster of Art` is reported as a misspelling of
    'Master of Arts'.

    Fix safety:
    Unsafe: applied only with `--fix-typos`.

    Options:
    `prose` (bool, default false): also check the text outside the references.
    """
    return _hits(doc, ctx, "RC102")


RULES = (misspelling, phrase_misspelling)
