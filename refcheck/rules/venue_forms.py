"""A journal name one word form off a real title (RC120, typo family).

RC103 (``rules/typos.py``) catches venues one or two letters from a known
title.  A writer who remembers a title by its sense rather than its letters
swaps a word for another form of it, most often the adjective of a
society's or a field's name for its noun ("Journal of the American
Chemistry Society", "Physics Review Letters"): many edits apart, so RC103
cannot see it, yet the same title.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from refcheck.model import Category, Document, Fix, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text import freq
from refcheck.text.kept import KeptAnswers, word_sources
from refcheck.text.patterns import lazy

_VENUE_FIELDS = ("container", "journal", "journaltitle", "booktitle", "container-title")
_LEAD = lazy(r"[\s\"“‘'*_]*")
_TAIL = lazy(r"[\s\"”’'*_.,;:]*$")
_WORD = lazy(r"\S+")
# Endings that make an adjective of a noun ("Chemistry" -> "Chemical").
_ADJECTIVE = ("al", "ic", "ical", "ian", "an", "ar", "ary", "ory", "ive", "ese", "ish")


# What both indexes below are built from: the list, the code reading it
# (refcheck.text.lexicon.journal_titles()) and this module's.
_TITLES = (
    Path(__file__).resolve().parent.parent / "data" / "journals.txt",
    Path(__file__).resolve().parent.parent / "text" / "lexicon.py",
    Path(__file__).resolve(),
)


def _crc(words: Sequence[str]) -> str:
    """A stamp of the word lists an index is built with (the store stamps only its code)."""
    return f"{zlib.crc32(' '.join(words).encode()):08x}"


def _gap_key(k: int, others: Sequence[str]) -> str:
    """The key of a title's word ``k`` and its other words: one string, as the
    index is read back from the cache ~2x faster with string keys than with tuples."""
    return f"{k} {' '.join(others)}"


@lru_cache(maxsize=1)
def _by_gap() -> dict[str, tuple[tuple[str, str], ...]]:
    """Known titles of three words or more, keyed by (gap, their other words) (``_gap_key``).

    A venue one word from a title shares all its other words: looking up each
    of its words' gaps finds every candidate title without a scan of the list.
    Built once and kept in the user cache (``text/store.py``): building it costs
    a short run more than checking its references.
    """
    from refcheck.text.store import derived

    return derived(f"venue-gaps-{_crc(_ADJECTIVE)}", _TITLES, _build_by_gap)


def _build_by_gap() -> dict[str, tuple[tuple[str, str], ...]]:
    from refcheck.text.lexicon import journal_titles

    out: dict[str, list[tuple[str, str]]] = {}
    for title in journal_titles():
        words = tuple(title.lower().split())
        if len(words) < 3:
            continue
        for k, w in enumerate(words):
            if w.endswith(_ADJECTIVE):
                out.setdefault(_gap_key(k, words[:k] + words[k + 1 :]), []).append((title, w))
    return {key: tuple(v) for key, v in out.items()}


def _word_forms(wrong: str, right: str) -> bool:
    """Whether ``wrong`` is another form of the adjective ``right`` (a noun for it)."""
    if not (wrong.isalpha() and right.isalpha()) or wrong == right:
        return False
    if not right.endswith(_ADJECTIVE) or wrong.endswith(_ADJECTIVE):
        return False
    stem = 0
    while stem < min(len(wrong), len(right)) and wrong[stem] == right[stem]:
        stem += 1
    # A shared stem of five letters, most of each word ("chemi-stry"/"chemi-cal").
    if stem < 5 or stem < 0.6 * min(len(wrong), len(right)):
        return False
    return freq.zipf(wrong) >= 3.0 and freq.zipf(right) >= 3.0


# Words after which a name is a learned society's, which takes an adjective
# ("American Chemical Society", "Royal Statistical Society").
_SOCIETIES = frozenset({"society", "association", "institute", "union", "academy"})


@lru_cache(maxsize=1)
def _society_forms() -> tuple[frozenset[tuple[str, str]], dict[str, tuple[str, ...]]]:
    """(word, society word) pairs of known titles, and their words by 5-letter stem."""
    from refcheck.text.store import derived

    return derived(f"venue-societies-{_crc(sorted(_SOCIETIES))}", _TITLES, _build_society_forms)


def _build_society_forms() -> tuple[frozenset[tuple[str, str]], dict[str, tuple[str, ...]]]:
    from refcheck.text.lexicon import journal_titles

    pairs: set[tuple[str, str]] = set()
    stems: dict[str, set[str]] = {}
    for title in journal_titles():
        words = [w.strip(",:;()") for w in title.lower().split()]
        for a, b in pairwise(words):
            if b in _SOCIETIES:
                pairs.add((a, b))
        for w in words:
            if len(w) >= 5 and w.isalpha():
                stems.setdefault(w[:5], set()).add(w)
    return frozenset(pairs), {k: tuple(sorted(v)) for k, v in stems.items()}


def _society_slip(words: tuple[str, ...]) -> tuple[str, int, str] | None:
    """A society's name with a noun for its adjective, judged by the known titles.

    "American Chemistry Society": no known title writes "chemistry society",
    many write "chemical society", and "chemical" is a form of "chemistry".
    """
    # Most venues name no society: the pairs of every known title are not needed then.
    if not any(w.strip(",:;()") in _SOCIETIES for w in words[1:]):
        return None
    pairs, stems = _society_forms()
    for k in range(len(words) - 1):
        w, soc = words[k], words[k + 1].strip(",:;()")
        if soc not in _SOCIETIES or (w, soc) in pairs or len(w) < 5:
            continue
        forms = [r for r in stems.get(w[:5], ()) if (r, soc) in pairs and _word_forms(w, r)]
        if len(forms) == 1:
            return f"{forms[0]} {soc}", k, forms[0]
    return None


# Each venue's answer, kept between runs (text/kept.py): the title indexes and the
# journal list are read only for a venue not met before.
_KEPT_FORMS = KeptAnswers("venue-forms", lambda: word_sources(__file__), limit=2_000)


@lru_cache(maxsize=8192)
def word_form_slip(name: str) -> tuple[str, int, str, str] | None:
    """(known title, word index, word as written, title's word) for a one-word-form slip."""
    slip: tuple[str, int, str, str] | None = _KEPT_FORMS.answer(name, _word_form_slip, name)
    return slip


def _word_form_slip(name: str) -> tuple[str, int, str, str] | None:
    from refcheck.text.lexicon import is_known_venue

    words = tuple(name.lower().split())
    if len(words) < 3 or is_known_venue(name):
        return None
    found: list[tuple[str, int, str]] = []
    index = _by_gap()
    for k, w in enumerate(words):
        for title, right in index.get(_gap_key(k, words[:k] + words[k + 1 :]), ()):
            if _word_forms(w, right):
                found.append((title, k, right))
    if not found:
        society = _society_slip(words)
        if society is not None:
            phrase, k, right = society
            return f"… {phrase.title()} …", k, name.split()[k], right
    if len({(k, t) for _, k, t in found}) != 1:
        return None  # none, or several titles disagreeing on the word
    title, k, right = found[0]
    return title, k, name.split()[k], right


def _in_case_of(written: str, word: str) -> str:
    if written.isupper():
        return word.upper()
    if written[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@rule(
    code="RC120",
    name="venue-word-form",
    category=Category.TYPO,
    severity=Severity.WARNING,
    summary="a journal name with one word in the wrong form ('American Chemistry Society').",
    fix="unsafe",
)
def venue_word_form(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Compares each reference's venue (`journal`, `booktitle`,
    `container-title`, or the venue a plain-text reference names) of three
    words or more with the list of real journal titles (see
    `refcheck/data/README.md`).  A venue that is not itself a listed title
    or abbreviation, and differs from listed titles in exactly one word, the
    same word for all of them, where the title has an adjective ("Chemical",
    "Physical", "Statistical") and the venue another form of it that shares
    its stem ("Chemistry", "Physics", "Statistics"), is reported.  A venue
    with a subtitle after a colon is also compared by the part before it.
    A venue no listed title matches is still reported when it names a
    society ("Society", "Association", "Institute", "Union", "Academy") with
    a noun that no known title puts there while known titles put its
    adjective there ("Astronomy Society" for "Astronomical Society").

    Why it matters:
    The venue is the same journal named wrongly: searches and registries do
    not find it, and readers may look for a journal that does not exist.

    Example:
    `Journal of the American Chemistry Society` -> `Journal of the American
    Chemical Society`.

    Fix safety:
    Unsafe: a real journal missing from the list may bear the noun; applied
    with `--fix-typos`.
    """
    text = doc.text
    for ref in doc.entries():
        for name in _VENUE_FIELDS:
            span = ref.field_spans.get(name)
            if span is None:
                continue
            s, e = span
            value = text[s:e]
            lead = _LEAD.match(value)
            tail = _TAIL.search(value)
            a = lead.end() if lead else 0
            b = max(a, tail.start() if tail else len(value))
            written = value[a:b]
            if not written or "\\" in written or "{" in written:
                continue
            slip = word_form_slip(" ".join(written.split()))
            if slip is None and ":" in written:
                # "Journal of the Royal Statistics Society: Series B (…)": the
                # list names the journal without its series.
                slip = word_form_slip(" ".join(written.split(":", 1)[0].split()))
            if slip is None:
                continue
            title, k, wrong, right = slip
            m = list(_WORD.finditer(written))[k]
            start, end = s + a + m.start(), s + a + m.end()
            fixed = _in_case_of(wrong, right)
            if title.startswith("…"):
                why = f"known journal titles write '{title.strip('… ')}' with '{fixed}'"
            else:
                why = f"the known title '{title}' has '{fixed}' for '{wrong}'"
            yield Hit(
                start,
                end,
                f"venue '{' '.join(written.split())}' is not a known journal title; {why}",
                suggestion=fixed,
                field=name,
                reference=ref,
                fix=Fix(start, end, fixed, safe=False),
            )


RULES = (venue_word_form,)
