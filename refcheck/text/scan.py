"""One reading of a region's words for every word-level rule.

RC101 (misspelling), RC102 (phrase slip), RC203 (missing space) and RC207
(lost ligature) each report a few words of a reference, but finding them
used to mean splitting every region into one ``Token`` per word, once per
rule.  :func:`scan_region` reads a region's words once, as plain strings (one
``findall`` in C), and classifies each distinct word once per run
(memoised): offsets are computed only for a region where some rule has
something to look at.  What it keeps is small (the candidate tokens and the
phrase slips), so the results for every reference of a large file can be
held between the rules that share them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from refcheck.text import freq
from refcheck.text.kept import KeptAnswers, word_sources
from refcheck.text.lexicon import Phrase, abbreviated_words, misspelling_of, phrase_index
from refcheck.text.spelling import (
    WORD_MIN_ZIPF,
    could_correct,
    glue_split,
    is_camel_case,
    ligature_repair,
    match_case,
)
from refcheck.text.tokens import WORD, Token, is_acronym, plain

# What a word can be, whatever its place (bits of _kind()).
_SUSPECT = 1  # a word RC101 may correct or RC207 restore
_GLUED = 2  # two words with the space lost (RC203)
_ANCHOR = 4  # a word of a multi-word phrase of the lexicon (RC102)


class PhraseSlip(NamedTuple):
    start: int
    end: int
    wrong: str  # the text as written
    right: str  # the phrase, in the writer's capitalisation
    category: str


class RegionWords(NamedTuple):
    """The words of one region that word-level rules must look at."""

    # Tokens that ligature_repair() restores or judge() may correct, as far as the
    # word alone tells: rarer than Zipf 2, ASCII letters only, 4+ of them.
    suspects: tuple[Token, ...]
    glued: tuple[tuple[Token, str], ...]  # a token and glue_split()'s answer for it
    slips: tuple[PhraseSlip, ...]  # phrase slips, before masks are consulted


EMPTY = RegionWords((), (), ())


def _kind(word: str, prose: bool) -> int:
    kind = 0
    # Only ASCII words of 4+ letters are looked up: zipf() of a word with an
    # apostrophe ("Russia's") would load wordfreq itself (~0.5 s, 35 MiB).
    if len(word) >= 4 and word.isascii():
        low = word.lower()
        if word.isalpha() and (
            (
                freq.zipf(low) < WORD_MIN_ZIPF
                and (ligature_repair(word) is not None or could_correct(word, prose))
            )
            or (misspelling_of(low) is not None and could_correct(word, prose))
        ):
            kind |= _SUSPECT
        if glue_split(word) is not None:
            kind |= _GLUED
    if word.lower() in _anchors():
        kind |= _ANCHOR
    return kind


# Each word's kind, kept between runs (text/kept.py): a hook's next run meets the same
# words, and classifying a short file's few hundred costs ~20 ms of its ~100 ms.
_KEPT_KINDS = KeptAnswers("word-kinds", word_sources, limit=10_000)


# One memo per kind of region: a one-argument lru_cache looks a string up directly.
@lru_cache(maxsize=131072)
def _kind_in_references(word: str) -> int:
    kind: int = _KEPT_KINDS.answer("r" + word, _kind, word, False)
    return kind


@lru_cache(maxsize=32768)
def _kind_in_prose(word: str) -> int:
    kind: int = _KEPT_KINDS.answer("p" + word, _kind, word, True)
    return kind


class _Entry(NamedTuple):
    order: int  # position in phrase_index()'s list for the anchor word
    phrase: Phrase
    k: int  # where the anchor word stands in the phrase


_Probes = tuple[tuple[int, dict[str, tuple[_Entry, ...]]], ...]


@lru_cache(maxsize=1)
def _anchors() -> dict[str, _Probes]:
    """Anchor word -> (offset of a neighbouring phrase word, that word -> phrases).

    "of" belongs to 30 phrases: comparing every window around every "of" with
    each of them cost most of RC102.  A slipped phrase has each word equal to
    the phrase's, a plural of it or one edit from it, so the word next to the
    anchor must be near the phrase's word there (:func:`_near`): that
    neighbour picks the few phrases worth comparing.
    """
    out: dict[str, _Probes] = {}
    for word, entries in phrase_index().items():
        groups: dict[int, dict[str, list[_Entry]]] = {}
        for order, (p, k) in enumerate(entries):
            rel = -1 if k > 0 else 1
            groups.setdefault(rel, {}).setdefault(p.words[k + rel], []).append(
                _Entry(order, p, k)
            )
        out[word] = tuple(
            (rel, {w: tuple(es) for w, es in table.items()}) for rel, table in groups.items()
        )
    return out


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


# What _phrase_keys() is built from: the phrase list, and the code reading it.
_PHRASE_SOURCES = (
    Path(__file__).resolve().parent.parent / "data" / "phrases.txt",
    Path(__file__).resolve().parent / "lexicon.py",
    Path(__file__).resolve(),
)


@lru_cache(maxsize=1)
def _phrase_keys() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Words of multi-word phrases, and their deletion neighbourhoods (4+ letters).

    Kept in the user cache (``text/store.py``): building them costs a short run
    a few milliseconds.
    """
    from refcheck.text.store import derived

    return derived("phrase-keys", _PHRASE_SOURCES, _build_phrase_keys)


def _build_phrase_keys() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    words = frozenset(phrase_index())  # the index holds every word of every such phrase
    keys: dict[str, set[str]] = {}
    for w in words:
        if len(w) >= 4:
            for key in _deletions(w):
                keys.setdefault(key, set()).add(w)
    return words, {k: frozenset(v) for k, v in keys.items()}


_NOTHING: frozenset[str] = frozenset()


@lru_cache(maxsize=65536)
def _near(word: str) -> frozenset[str]:
    """Phrase words ``word`` may stand for in a slipped phrase (a superset).

    Equal, a plural either way, or one edit (a swap counts as one) from a
    phrase word of 4+ letters.  Two words one edit apart share a word of
    their deletion neighbourhoods (the word itself, or it minus one letter);
    sharing one does not prove a single edit, which _window_slipped decides.
    """
    w = word.lower()
    words, keys = _phrase_keys()
    found = {x for x in (w, w + "s", w + "es") if x in words}
    if w.endswith("s") and w[:-1] in words:
        found.add(w[:-1])
    if w.endswith("es") and w[:-2] in words:
        found.add(w[:-2])
    # One edit changes a length by at most one: a longer word needs no deletion
    # neighbourhood (quadratic in its length: a 50,000-character "word" took 1.5 GB).
    if len(w) <= _longest_phrase_word() + 1:
        for key in _deletions(w):
            found.update(keys.get(key, ()))
    return frozenset(found) if found else _NOTHING


@lru_cache(maxsize=1)
def _longest_phrase_word() -> int:
    return max((len(w) for w in _phrase_keys()[0]), default=0)


def _plural_pair(a: str, b: str) -> bool:
    return a + "s" == b or b + "s" == a or a + "es" == b or b + "es" == a


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one edit apart (OSA: a swap of neighbours is one edit).

    rapidfuzz's ``OSA.distance(a, b) == 1`` without importing rapidfuzz (~7 ms of a
    short run's start-up) for a word or two: one substitution, one letter more or
    less, or two neighbours swapped.
    """
    if a == b:
        return False
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    i = 0
    while i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) > len(b):
        return a[i + 1 :] == b[i:]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


def _window_slipped(ws: list[str], i: int, phrase: Phrase) -> bool:
    """Whether ``ws[i:]`` is ``phrase`` with a word slipped (one edit, clearly rarer)."""
    evidence = False
    for t, pw in enumerate(phrase.words, i):
        word = ws[t]
        w = word.lower()
        if w == pw:
            continue
        # Neither a plural (1-2 letters) nor one edit (1 letter) changes the
        # length by more than 2.
        if not -2 <= len(w) - len(pw) <= 2:
            return False
        if _plural_pair(w, pw):
            continue
        if (
            len(pw) >= 4
            and word.isalpha()
            and not is_acronym(word)
            and not is_camel_case(word)
            and _one_edit(w, pw)
            and freq.zipf(pw) - freq.zipf(w) >= 1.0
        ):
            evidence = True
            continue
        return False
    return evidence


class _Words:
    """A region's words, with their offsets computed on first need."""

    __slots__ = ("_spans", "hi", "lo", "text", "ws")

    def __init__(self, text: str, lo: int, hi: int, ws: list[str]) -> None:
        self.text, self.lo, self.hi, self.ws = text, lo, hi, ws
        self._spans: list[tuple[int, int]] | None = None

    def span(self, i: int) -> tuple[int, int]:
        if self._spans is None:
            # finditer finds exactly findall's words, in the same order.
            self._spans = [m.span() for m in WORD.finditer(self.text, self.lo, self.hi)]
        return self._spans[i]

    def token(self, i: int) -> Token:
        s, e = self.span(i)
        return Token(self.ws[i], s, e)


def scan_region(text: str, lo: int, hi: int, prose: bool = False) -> RegionWords:
    """What word-level rules must look at in ``text[lo:hi]``.

    ``prose``: the region is body text, where judge() is more lenient (``rare``).
    """
    ws: list[str] = WORD.findall(text, lo, hi)
    # Words holding case-protection braces ("{E}instein"): judged without them.
    braced: frozenset[int] = frozenset()
    if text.find("{", lo, hi) >= 0:
        braced = frozenset(i for i, w in enumerate(ws) if "{" in w)
        ws = [plain(w) for w in ws]
    kinds = list(map(_kind_in_prose if prose else _kind_in_references, ws))
    if not any(kinds):
        return EMPTY
    words = _Words(text, lo, hi, ws)
    suspects: list[Token] = []
    glued: list[tuple[Token, str]] = []
    anchors: list[int] = []
    for i in [i for i, kind in enumerate(kinds) if kind]:
        kind = kinds[i]
        if kind == _ANCHOR:
            anchors.append(i)
            continue
        if kind & _SUSPECT:
            suspects.append(words.token(i))
        # A word its writer braced was typed as one word, not glued by extraction;
        # and a split of it would lose the braces.
        if kind & _GLUED and i not in braced:
            split = glue_split(ws[i])
            if split is not None and not _shortened(text, words.span(i)[1], ws[i]):
                glued.append((words.token(i), split))
        if kind & _ANCHOR:
            anchors.append(i)
    slips = _phrase_slips(words, anchors) if anchors else ()
    if not (suspects or glued or slips):
        return EMPTY
    return RegionWords(tuple(suspects), tuple(glued), slips)


def _shortened(text: str, end: int, word: str) -> bool:
    """Whether the word ending at ``end`` is cut short on purpose.

    An ISO 4 abbreviation before its period ("Mach. Intell."), or a dropped g
    before an apostrophe ("signifyin'"): typed as one word, not two glued.
    """
    after = text[end : end + 1]
    low = word.lower()
    if after == ".":
        return low in abbreviated_words()
    return after in ("'", "’") and freq.zipf(low + "g") >= WORD_MIN_ZIPF


@lru_cache(maxsize=65536)
def _compared(anchor: str, before: str, after: str) -> tuple[_Entry, ...]:
    """Phrases a window around ``anchor`` may be a slip of, given its neighbours.

    ``before``/``after`` are the words next to it ("" at an edge of the
    region).  In phrase_index() order.
    """
    out: list[_Entry] = []
    for rel, table in _anchors()[anchor.lower()]:
        neighbour = before if rel < 0 else after
        if not neighbour:
            continue
        low = neighbour.lower()
        for pw in _near(neighbour):
            for entry in table.get(pw, ()):
                # A two-word phrase with its other word as written, or its plural,
                # shows no slip: the anchor is exact, so nothing differs.
                if len(entry.phrase.words) == 2 and (low == pw or _plural_pair(low, pw)):
                    continue
                out.append(entry)
    out.sort(key=lambda e: e.order)
    return tuple(out)


def scan_recurring(text: str, lo: int, hi: int) -> RegionWords:
    """scan_region() of a value that recurs from entry to entry (a venue, a series).

    The scan depends on ``text[lo:hi]`` alone: the answer for the value is
    kept, and only its offsets are moved.
    """
    found = _scan_value(text[lo:hi])
    if found is EMPTY or lo == 0:
        return found
    return RegionWords(
        tuple(Token(t.text, t.start + lo, t.end + lo) for t in found.suspects),
        tuple((Token(t.text, t.start + lo, t.end + lo), split) for t, split in found.glued),
        tuple(s._replace(start=s.start + lo, end=s.end + lo) for s in found.slips),
    )


@lru_cache(maxsize=4096)
def _scan_value(value: str) -> RegionWords:
    return scan_region(value, 0, len(value))


def _phrase_slips(words: _Words, anchors: list[int]) -> tuple[PhraseSlip, ...]:
    """Windows one slip from a lexicon phrase, in the order of their anchor words.

    A slipped phrase keeps at least one of its words exactly: windows are
    aligned on such an anchor.  Once a window is reported, windows starting
    inside it are not.
    """
    text, ws = words.text, words.ws
    last = len(ws) - 1
    out: list[PhraseSlip] = []
    reported_until = -1
    for j in anchors:
        compared = _compared(ws[j], ws[j - 1] if j else "", ws[j + 1] if j < last else "")
        for _, p, k in compared:
            i = j - k
            n = len(p.words)
            if i < 0 or i + n > len(ws) or i <= reported_until:
                continue
            if not _window_slipped(ws, i, p):
                continue
            # A phrase never spans punctuation: its words are separated by single spaces.
            if any(
                text[words.span(t)[1] : words.span(t + 1)[0]] not in (" ", "\u00a0")
                for t in range(i, i + n - 1)
            ):
                continue
            start, end = words.span(i)[0], words.span(i + n - 1)[1]
            right = " ".join(
                w if w.lower() == pw else match_case(w, orig)
                for w, pw, orig in zip(ws[i : i + n], p.words, p.text.split(), strict=True)
            )
            reported_until = i + n - 1
            out.append(PhraseSlip(start, end, text[start:end], right, p.category))
    return tuple(out)
