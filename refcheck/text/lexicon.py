"""Curated phrases and real journal titles, read from ``refcheck/data``.

See ``refcheck/data/README.md`` for where each list comes from.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple


class Phrase(NamedTuple):
    category: str
    text: str
    words: tuple[str, ...]  # lower-cased


_DATA = Path(__file__).resolve().parent.parent / "data"


def _lines(name: str) -> list[str]:
    data = (_DATA / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in data.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def phrases() -> tuple[Phrase, ...]:
    out: list[Phrase] = []
    for line in _lines("phrases.txt"):
        category, _, text = line.partition(":")
        text = text.strip()
        out.append(Phrase(category.strip(), text, tuple(text.lower().split())))
    return tuple(out)


@lru_cache(maxsize=1)
def phrases_by_length() -> dict[int, tuple[Phrase, ...]]:
    grouped: dict[int, list[Phrase]] = {}
    for p in phrases():
        grouped.setdefault(len(p.words), []).append(p)
    return {n: tuple(ps) for n, ps in grouped.items()}


@lru_cache(maxsize=1)
def phrase_index() -> dict[str, tuple[tuple[Phrase, int], ...]]:
    """word -> (phrase, position of the word in it), for multi-word phrases."""
    index: dict[str, list[tuple[Phrase, int]]] = {}
    for p in phrases():
        if len(p.words) < 2:
            continue
        for k, w in enumerate(p.words):
            index.setdefault(w, []).append((p, k))
    return {w: tuple(v) for w, v in index.items()}


class _Journals(NamedTuple):
    titles: tuple[str, ...]  # as listed
    words: frozenset[str]  # every word of a title or curated phrase, lower-cased
    lowered: tuple[str, ...]  # the titles lower-cased, in list order
    known: frozenset[str]  # lower-cased titles and abbreviations
    by_length: dict[int, tuple[tuple[str, ...], tuple[int, ...]]]  # lowered, by length


def _build_journals() -> tuple[Any, ...]:
    """_Journals' fields as a plain tuple (what marshal can keep)."""
    import regex

    titles = tuple(_lines("journals.txt"))
    # One scan of all titles at once: a scan per title costs 0.1 s in pattern-cache lookups.
    everything = "\n".join((*titles, *(p.text for p in phrases())))
    words = frozenset(w.lower() for w in regex.findall(r"\p{L}+", everything))
    lowered = tuple(t.lower() for t in titles)
    known = frozenset({*lowered, *(a.lower() for a in _lines("journal_abbreviations.txt"))})
    groups: dict[int, list[int]] = {}
    for i, t in enumerate(lowered):
        groups.setdefault(len(t), []).append(i)
    by_length = {n: (tuple(lowered[i] for i in ix), tuple(ix)) for n, ix in groups.items()}
    return tuple(_Journals(titles, words, lowered, known, by_length))


@lru_cache(maxsize=1)
def _journals() -> _Journals:
    """The journal lexicon and its indexes, derived once and kept in the user cache."""
    from refcheck.text.store import derived

    sources = [_DATA / n for n in ("journals.txt", "journal_abbreviations.txt", "phrases.txt")]
    return _Journals(*derived("journal-lexicon", sources, _build_journals))


@lru_cache(maxsize=1)
def _misspelling_lines() -> str:
    """misspellings.txt without its header: sorted "wrong right" lines."""
    text = (_DATA / "misspellings.txt").read_text(encoding="utf-8")
    start = 0
    while text.startswith("#", start):
        start = text.index("\n", start) + 1
    return text[start:]


@lru_cache(maxsize=65536)
def misspelling_of(word: str) -> str | None:
    """The correction of ``word`` (lower case) if it is a known common misspelling.

    From codespell's curated list, filtered (``refcheck/data/README.md``): word
    frequencies cannot tell these from words, as the web misspells "recieve"
    and "goverment" often enough for wordfreq to count them.  The sorted file
    is searched in place (a binary search over its lines): building a table of
    its 40,000 lines would cost a small run more than all its lookups.
    """
    text = _misspelling_lines()
    # Searched among the lines of its first two letters (a few dozen), not all.
    lo, hi = _lines_starting(word[:2])
    while lo < hi:
        start = text.rfind("\n", lo, (lo + hi) // 2) + 1 or lo
        gap = text.index(" ", start)
        written = text[start:gap]
        if written == word:
            return text[gap + 1 : text.index("\n", gap)]
        if written < word:
            lo = text.index("\n", gap) + 1
        else:
            hi = start
    return None


@lru_cache(maxsize=4096)
def _lines_starting(prefix: str) -> tuple[int, int]:
    """Where the lines of misspelt words beginning with ``prefix`` are (both at a line start)."""
    text = _misspelling_lines()
    if not prefix or ord(prefix[-1]) == sys.maxunicode:
        return 0, len(text)
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # the least text past them all
    return _first_line_from(text, prefix), _first_line_from(text, after)


def _first_line_from(text: str, key: str) -> int:
    """Start of the first line whose misspelt word is not less than ``key``."""
    lo, hi = 0, len(text)  # both at the start of a line
    while lo < hi:
        start = text.rfind("\n", lo, (lo + hi) // 2) + 1 or lo
        gap = text.index(" ", start)
        if text[start:gap] < key:
            lo = text.index("\n", gap) + 1
        else:
            hi = start
    return lo


@lru_cache(maxsize=1)
def abbreviated_words() -> frozenset[str]:
    """Words the journal abbreviation list abbreviates with a period ("compd", "heterocycl").

    Lower-cased, without the period, 4+ letters: a word of a reference written
    so, before a period, is an ISO 4 abbreviation and not a misspelling.  Kept
    in the user cache: scanning the list costs ~6 ms, a tenth of a short run.
    """
    from refcheck.text.store import derived

    sources = [_DATA / "journal_abbreviations.txt", Path(__file__).resolve()]
    return frozenset(derived("abbreviated-words", sources, _build_abbreviated_words))


def _build_abbreviated_words() -> frozenset[str]:
    import regex

    text = "\n".join(_lines("journal_abbreviations.txt"))
    return frozenset(w.lower() for w in regex.findall(r"(\p{L}{4,})\.", text))


def journal_titles() -> tuple[str, ...]:
    return _journals().titles


def journal_words() -> frozenset[str]:
    """Every word of a known journal title or curated phrase (lower-cased)."""
    return _journals().words


class VenueMatch(NamedTuple):
    title: str  # the known title, as the list writes it
    distance: int  # edits between the container and the title (OSA, case-insensitive)
    slips: tuple[tuple[int, str, str], ...]  # (word index, word as written, title's word)


def is_known_venue(name: str) -> bool:
    """Whether ``name`` is a listed journal title or abbreviation (case-insensitive)."""
    return " ".join(name.split()).lower() in _journals().known


# Bibliographies name the same few venues again and again, and each search scans
# every known title: remember the answers (pure in the name and the shipped list).
@lru_cache(maxsize=8192)
def nearest_journal(name: str, min_length: int = 12) -> VenueMatch | None:
    """The one known journal title ``name`` is one or two edits from, if any.

    ``name`` is a container title as written (surrounding punctuation already
    stripped).  None when the name is short, is itself a known title or
    abbreviation, or is equally close to several titles.  Edits are counted
    case-insensitively: "Jounal of geophysical research" is one edit from
    "Journal of Geophysical Research".
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    name = " ".join(name.split())
    low = name.lower()
    if len(low) < min_length or len(low.split()) < 2 or is_known_venue(name):
        return None
    lowered = _journals().lowered
    # Two edits in a short name change too much of it to be a slip.
    cutoff = 1 if len(low) < 20 else 2
    # Each edit changes the length by one at most: only titles of a near length can match.
    by_length = _journals().by_length
    found: list[tuple[int, int]] = []  # (distance, index in the list)
    for length in range(len(low) - cutoff, len(low) + cutoff + 1):
        titles, indices = by_length.get(length, ((), ()))
        for _, d, k in process.extract(
            low, titles, scorer=OSA.distance, score_cutoff=cutoff, limit=None
        ):
            found.append((int(d), indices[k]))
    if not found:
        return None
    best = min(d for d, _ in found)
    closest = {lowered[i] for d, i in found if d == best}
    if len(closest) != 1:
        return None
    # The first in the list, as a search of the whole list meets them.
    index = min(i for d, i in found if d == best)
    title = journal_titles()[index]
    written, proper = name.split(), title.split()
    if len(written) != len(proper):
        return None  # a merged or split word: not the slip this matcher explains
    slips = tuple(
        (k, w, p)
        for k, (w, p) in enumerate(zip(written, proper, strict=True))
        if w.lower() != p.lower()
    )
    return VenueMatch(title, best, slips)
