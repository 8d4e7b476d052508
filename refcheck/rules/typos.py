"""Typo rules (RC101–RC149): misspelled words and slipped phrases in references.

The rules share one pass over each reference (:func:`analyse_document`), so
that a phrase slip, a non-word and a venue slip in the same place are
reported once.  The words worth judging come from the scan of each region
that the artifact rules share (``refcheck/text/scan.py``).  Word
frequencies come from wordfreq, loaded on first use (see
``refcheck/text/freq.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from refcheck.model import Category, Document, DocumentMemo, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text import freq
from refcheck.text.context import RefContext, analyse
from refcheck.text.kept import KeptAnswers, word_sources
from refcheck.text.patterns import lazy
from refcheck.text.prose import ProseEvidence
from refcheck.text.scan import EMPTY, RegionWords, scan_region

# Masks under which no typo is reported at all.
_SKIP_WORDS = {"name", "publisher", "url", "doi", "email", "latex", "protected", "transliteration"}
_SKIP_PHRASES = _SKIP_WORDS - {"publisher"}


@dataclass(frozen=True)
class TypoHit:
    """A word-level finding of RC101-RC103, before it becomes a Hit."""

    code: str
    start: int
    end: int
    message: str
    suggestion: str
    reference: Reference | None
    field: str | None


# Per prose setting: the hits of the last few documents (RC101-RC103 share them).
_HITS: dict[bool, DocumentMemo[list[TypoHit]]] = {False: DocumentMemo(8), True: DocumentMemo(8)}


def analyse_document(doc: Document, prose: bool = False) -> list[TypoHit]:
    """Every typo hit of a document (computed once per document)."""
    cached = _HITS[prose].get(doc)
    if cached is not None:
        return cached
    hits: list[TypoHit] = []
    name_tokens: set[str] = set()
    for ref in doc.entries():
        ctx = analyse(doc, ref)
        found: list[TypoHit] = []
        for (start, end, fld), words in zip(ctx.regions, ctx.scan(doc.text), strict=True):
            if words is not EMPTY:
                found.extend(_check_region(doc.text, start, end, ctx, ref, fld, words))
        if prose:
            for toks in ctx.region_tokens(doc.text):
                name_tokens.update(
                    t.text for t in toks if ctx.mask_reason(t.start, t.end) == "name"
                )
        hits.extend(_with_venue_slips(doc.text, ref, found))
    if prose:
        from refcheck.text import prose as names_in_prose
        from refcheck.text.context import _mask_markup

        evidence = names_in_prose.collect(doc, name_tokens)
        for start, end in prose_regions(doc):
            plain = RefContext(regions=[(start, end, None)])
            _mask_markup(doc.text, start, end, plain)
            words = scan_region(doc.text, start, end, prose=True)
            hits.extend(
                _check_region(doc.text, start, end, plain.finish(), None, None, words, evidence)
            )
    return _HITS[prose].put(doc, hits)


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
    text: str,
    lo: int,
    hi: int,
    ctx: RefContext,
    ref: Reference | None,
    fld: str | None,
    words: RegionWords,
    prose: ProseEvidence | None = None,
) -> list[TypoHit]:
    """Typo hits of ``text[lo:hi]``; ``prose`` is the document's name evidence in body text.

    ``words`` is the region's scan: only its suspect words can be misspellings.
    """
    from refcheck.text.prose import looks_like_name
    from refcheck.text.spelling import judge, ligature_repair

    out: list[TypoHit] = []
    venues = _venue_spans(ref, fld, lo, hi)
    for tok in words.suspects:
        if ctx.mask_reason(tok.start, tok.end) in _SKIP_WORDS:
            continue
        if ligature_repair(tok.text) is not None:
            continue  # reported as an extraction artifact (RC207)
        c = judge(
            text,
            tok,
            lo,
            hi,
            rare=prose is not None,
            proper=prose.capitalised if prose is not None else frozenset(),
            venue=any(s <= tok.start and tok.end <= e for s, e in venues),
        )
        if c is not None and prose is not None and looks_like_name(text, tok, c.suggestion, prose):
            continue
        if c is not None:
            out.append(TypoHit("RC101", tok.start, tok.end, c.message, c.suggestion, ref, fld))
    taken = [(h.start, h.end) for h in out]
    for start, end, wrong, right, category in words.slips:
        if any(s < end and start < e for s, e in taken):
            continue
        if ctx.mask_reason(start, end) in _SKIP_PHRASES:
            continue
        message = f"'{wrong}' looks like a misspelling of the {category} phrase '{right}'"
        out.append(TypoHit("RC102", start, end, message, right, ref, fld))
        taken.append((start, end))
    return out


def _venue_spans(
    ref: Reference | None, fld: str | None, lo: int, hi: int
) -> list[tuple[int, int]]:
    """Where the region names the venue: a venue field whole, or the venue the reader found.

    No author stands there, which the judgement of a capitalised word needs to know.
    """
    if ref is None:
        return []
    if fld is not None:
        return [(lo, hi)] if fld.lower() in _VENUE_FIELDS else []
    return [ref.field_spans[n] for n in _VENUE_FIELDS if n in ref.field_spans]


# Fields naming the venue a work appeared in (text parser, BibTeX/biblatex, CSL-JSON).
_VENUE_FIELDS = ("container", "journal", "journaltitle", "booktitle", "container-title")
_VENUE_LEAD = lazy(r"[\s\"“‘'*_]*")
_VENUE_TAIL = lazy(r"[\s\"”’'*_.,;:]*$")
_NON_SPACE = lazy(r"\S+")


def _with_venue_slips(text: str, ref: Reference, found: list[TypoHit]) -> list[TypoHit]:
    """``found`` plus RC103 hits for venue names one slip from a known journal title.

    A word of the venue that RC101/RC102 already reports is not reported a
    second time: that hit's message gains the venue evidence instead, and
    RC103 reports only the slips the word-level rules cannot see (real words,
    words too rare or too foreign to judge alone).
    """
    out = list(found)
    for name in _VENUE_FIELDS:
        span = ref.field_spans.get(name)
        if span is None:
            continue
        slip = _venue_slip(text, *span)
        if slip is None:
            continue
        start, end, suggestion, title, message = slip
        inside = [i for i, h in enumerate(out) if h.start < end and start < h.end]
        if inside:
            for i in inside:
                note = f"; the venue is one slip from the known journal title '{title}'"
                out[i] = dataclasses.replace(out[i], message=out[i].message + note)
        else:
            out.append(TypoHit("RC103", start, end, message, suggestion, ref, name))
    return out


def _venue_slip(text: str, s: int, e: int) -> tuple[int, int, str, str, str] | None:
    """(start, end, suggestion, known title, message) for a slipped venue in ``text[s:e]``."""
    slip = _venue_slip_in(text[s:e])
    if slip is None:
        return None
    start, end, suggestion, title, message = slip
    return s + start, s + end, suggestion, title, message


# Each venue's answer, kept between runs (text/kept.py): the journal list (~4 ms to read)
# and rapidfuzz (~7 ms to import) are needed only for a venue not met before.
_KEPT_VENUES = KeptAnswers("venue-slips", lambda: word_sources(__file__), limit=2_000)


# Pure in the value: a bibliography names the same venues again and again.
@lru_cache(maxsize=8192)
def _venue_slip_in(value: str) -> tuple[int, int, str, str, str] | None:
    """_venue_slip() of a field value, with offsets into the value."""
    slip: tuple[int, int, str, str, str] | None = _KEPT_VENUES.answer(
        value, _venue_slip_of, value
    )
    return slip


def _venue_slip_of(value: str) -> tuple[int, int, str, str, str] | None:
    from refcheck.text.lexicon import nearest_journal

    lead = _VENUE_LEAD.match(value)
    tail = _VENUE_TAIL.search(value)
    start = lead.end() if lead else 0
    end = max(start, tail.start() if tail else len(value))
    written = value[start:end]
    if not written or "\\" in written or "{" in written:
        return None  # LaTeX or brace-protected text: not comparable with plain titles
    match = nearest_journal(written)
    if match is None or not match.slips:
        return None
    if not all(_plausible_venue_slip(w, p) for _, w, p in match.slips):
        return None
    slipped = {k: (w, p) for k, w, p in match.slips}
    parts: list[str] = []
    pos = 0
    for k, m in enumerate(_NON_SPACE.finditer(written)):
        if k in slipped:
            parts.append(written[pos : m.start()] + _in_case_of(*slipped[k]))
            pos = m.end()
    suggestion = "".join(parts) + written[pos:]
    changes = ", ".join(f"'{w}' → '{_in_case_of(w, p)}'" for w, p in slipped.values())
    message = (
        f"venue '{' '.join(written.split())}' is not a known journal title or abbreviation, "
        f"but is {match.distance} edit{'s' if match.distance > 1 else ''} from exactly one: "
        f"'{match.title}' ({changes})"
    )
    return start, end, suggestion, match.title, message


def _plausible_venue_slip(wrong: str, right: str) -> bool:
    """Whether a word of a venue differing from a known title's word looks like a slip.

    Real journals differ from each other by one letter or one word too
    ("Physics Letters A"/"B", "Organic"/"Inorganic", "Product"/"Products",
    "Phycology"/"Physiology"): those differences are never slips.
    """
    from rapidfuzz.distance import OSA

    if not (wrong.isalpha() and right.isalpha()) or len(wrong) < 3 or len(right) < 4:
        return False
    w, r = wrong.lower(), right.lower()
    if w.startswith(r) or r.startswith(w) or w.endswith(r) or r.endswith(w):
        return False  # a plural, an adjective, a negation: another journal's name
    zw, zr = freq.zipf(w), freq.zipf(r)
    if zr < 3.0:
        return False  # only correct towards a word known to be common
    distance = OSA.distance(w, r)
    if zw >= 1.0:
        # A real word: only a one-letter slip to a far more common word ("Pubic").
        return distance == 1 and zr - zw >= 1.5
    return distance <= 2


def _in_case_of(written: str, proper: str) -> str:
    """``proper`` written in the capitalisation style of ``written``."""
    if written.isupper() and len(written) > 1:
        return proper.upper()
    if written[:1].islower():
        return proper.lower()
    return proper


def _hits(doc: Document, ctx: Context, code: str) -> Iterator[Hit]:
    prose = bool(ctx.options.get("prose", False))
    if code == "RC103":
        # RC103 has no prose option; reuse the prose pass RC101 already made, if any.
        prose = _HITS[True].get(doc) is not None
    for h in analyse_document(doc, prose):
        if h.code == code:
            replacement = _keep_braces(doc.text[h.start : h.end], h.suggestion)
            yield Hit(
                h.start,
                h.end,
                h.message,
                suggestion=h.suggestion,
                field=h.field,
                reference=h.reference,
                fix=None if replacement is None else Fix(h.start, h.end, replacement, safe=False),
            )


_BRACED_CAPITAL = lazy(r"\{(\p{Lu})\}([^{}]*)")


def _keep_braces(written: str, suggestion: str) -> str | None:
    """``suggestion`` with the case-protection braces of ``written`` kept.

    "{I}nternatonal {C}onference" becomes "{I}nternational {C}onference".
    None (no fix; the suggestion stays in the message) unless every braced
    word is a braced capital before plain letters, and the suggestion has the
    same words starting with the same capitals.
    """
    if "{" not in written:
        return suggestion
    have, want = written.split(" "), suggestion.split(" ")
    if len(have) != len(want):
        return None
    out: list[str] = []
    for w, r in zip(have, want, strict=True):
        if "{" not in w and "}" not in w:
            out.append(r)
            continue
        m = _BRACED_CAPITAL.fullmatch(w)
        if m is None or r[:1] != m.group(1):
            return None
        out.append("{" + r[:1] + "}" + r[1:])
    return " ".join(out)


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
    and so is a word standing next to another unknown word (for a lower-case
    word: with no common English word between, and not counting unknown words
    built the English way, "scanpath", "urbanisation").  A capitalised word
    before a year is taken for a name, unless the year is a journal's
    (`2019;10`) or the word is in the venue the reader found.  A word after a
    hyphen is judged when a common English word stands before the hyphen
    ("Post-socilaist").  A word the web
    uses at all (Zipf 1 or more) needs a correction 1,000 times more common.
    Not misspellings: a plural of an attested word ("perceptrons"), an agent
    or verb form or a prefixed form of a common word ("recommender",
    "prepaging"), an ISO 4 abbreviation before its period ("Compd."), a
    capitalised word that is its correction less the last letter (Latin or
    Romance title words: "Compositio"), a roman numeral as the correction, a
    biblatex `type` key ("patentus").  A brace-protected capital belongs to
    its word (`{S}ydney` is read as "Sydney").

    Words of a curated list of common misspellings (codespell's dictionary,
    filtered by word frequency; see `refcheck/data/README.md`) are reported
    however often the web misspells them too ("recieve", "goverment").

    Why it matters:
    Misspellings in titles and venue names survive proofreading, break
    searches and make a bibliography look careless.

    Example:
    `World Eonomy and International Relations` is reported: 'Eonomy' is not
    an English word; 'Economy' is one letter away and 10⁵ times more common.
    `Vtoroi shans Tsentral’noi Azii [Central Asia’s Second Chance]` is not.

    Fix safety:
    Unsafe: the suggestion is the likeliest word, not a certainty; it is
    applied only with `--fix-typos`.  A brace-protected capital keeps its
    braces (`{I}nternatonal` -> `{I}nternational`); where braces cannot be
    carried over exactly there is no fix, only the suggestion.

    Options:
    `prose` (bool, default false): also check the text outside the references.
    There a capitalised word is taken for a name when the document uses it as
    one (an author of its references, a possessive, a citation), when a
    reporting verb follows ("Checkel also points out"), or when it stands
    capitalised in mid-sentence and its correction is a word the document
    never capitalises there; and an unknown word of 9+ letters may be
    corrected towards a rarer word, or from 12 letters one two edits away,
    when that word is the only one so close ("mulitalaterally").
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


@rule(
    code="RC103",
    name="venue-misspelling",
    category=Category.TYPO,
    severity=Severity.WARNING,
    summary="a journal or proceedings name one or two edits from exactly one known title.",
    fix="unsafe",
)
def venue_misspelling(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Compares each reference's venue (the container: `journal`, `booktitle`,
    `container-title`, or the venue a plain-text reference names) with a
    list of about 4,500 real journal titles and their abbreviations
    (bibbreviate, see `refcheck/data/README.md`).  A venue that is not
    itself a listed title or abbreviation, has at least two words and 12
    letters, and is one edit (two for names of 20 characters or more) from
    exactly one listed title is reported, with the title in the message.
    Case does not count as an edit.  Each differing word must look like a
    slip: an unknown word, or a real word one letter from a far more common
    one; never a letter or number ("Physics Letters A"/"B"), a plural, a
    prefix or suffix ("Organic"/"Inorganic"), or a word towards a rare one.
    When RC101 or RC102 already reports a word of the venue, that finding
    carries the venue evidence and RC103 stays silent, so that one word is
    not reported twice.

    Why it matters:
    A misspelt venue makes a reference hard to find and look careless; a
    real-word slip ("Pubic Health") passes every spell checker.

    Example:
    `Jornal of Geophysical Research` is reported: one edit from the known
    title 'Journal of Geophysical Research' ('Jornal' → 'Journal').  `Journal
    of Applied Phycology` (a real journal) is not.

    Fix safety:
    Unsafe: the venue may be a real journal missing from the list; the fix
    (only the slipped words, in the writer's capitalisation) is applied only
    with `--fix-typos`.
    """
    return _hits(doc, ctx, "RC103")


RULES = (misspelling, phrase_misspelling, venue_misspelling)
