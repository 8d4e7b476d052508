"""Judging one token: is it a misspelled English word, and of what?

The judgement is deliberately conservative.  A token is reported only when
it is rare in English, is no common word of a neighbouring language, has
exactly one clearly better correction one edit away (a swap of two adjacent
letters counts as one edit), and its surroundings do not look like a name or
a run of non-English words.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import NamedTuple

from refcheck.text import freq
from refcheck.text.patterns import lazy
from refcheck.text.tokens import Token, is_acronym, is_alpha

# A token at least this common in English is a word, whatever it looks like.
WORD_MIN_ZIPF = 2.0
# The correction must be this much more common (Zipf units: 2.5 = about 300 times).
MIN_GAIN = 2.5
_ROMAN = lazy(r"m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
# A word at least this common is attested: its correction must gain this much.
ATTESTED_ZIPF = 1.0
ATTESTED_MIN_GAIN = 3.0
# ...and clearly ahead of any other correction at the same distance.
MIN_LEAD = 1.0
# The least frequency (zipf) a correction of a capitalised word must have.
CAPITALISED_MIN_ZIPF = 3.5

LIGATURES = ("fi", "fl", "ff", "ffi", "ffl")

# Prose only: an unknown long word may be corrected towards a rarer word
# ("reafirming" -> "reaffirming", Zipf 2.65), and from 12 letters on, two
# edits away ("mulitalaterally" -> "multilaterally"), when that word is the
# only one so close.  Long words have few neighbours, so one near word is
# strong evidence; short ones have many.
RARE_MIN_ZIPF = freq.RARE_MIN_ZIPF  # 1.5: the word tables keep those words by length
RARE_MIN_LENGTH = 9
RARE_TWO_EDITS_LENGTH = 12

_SURNAME_AFTER = lazy(r"^,\s*(?:\p{Lu}\p{Ll}?\.|\p{Lu}\p{Ll}+\b)")
_LIST_BEFORE = lazy(r"(?:^|[,;&:]|\band|\bIn)\s*$")
_INITIAL_BEFORE = lazy(r"\b\p{Lu}\p{Ll}?\.\s?$")
# Two initials before a capitalised word: a name, whatever follows ("edited by A. H.
# Sameh (Academic Press"); a journal's abbreviation after "J. R." has its own full
# stop ("J. R. Stat. Soc.").
_INITIALS_BEFORE = lazy(r"\b\p{Lu}\.\s?\p{Lu}\.\s?$")
_END_OF_NAME_AFTER = lazy(r"^\s*(?:,|;|and\b|&|\.\s*\(?\d{4}|\s*\(\d{4})")
_INITIALS_AFTER = lazy(r"^\s+(?:\p{Lu}\.\s?){1,3}(?:[,;]|\s|$)")
_CITATION_AFTER = lazy(r"^(?:,|\s+et\s+al\.?,?)?\s*\(?(?:1[5-9]|20)\d\d[a-z]?\b")
_CAP_BEFORE = lazy(r"\b\p{Lu}\p{Ll}+\s$")
_YEAR_AFTER = lazy(r"^[.,]?\s*\(?(?:1[5-9]|20)\d\d\b")
# A year followed by ";" and the volume (with a month or day between at most) is a
# journal's date in a numbered reference ("Urban Studies. 2011;49(11)"): the word
# before it ends the journal's name, where a name-and-year citation has no ";".
_JOURNAL_DATE_AFTER = lazy(
    r"^[.,]?\s*(?:1[5-9]|20)\d\d[a-z]?(?:\s+\p{Lu}\p{Ll}{2}\.?(?:\s+\d{1,2})?)?\s*;")
_HYPHEN_AFTER = lazy(r"-\p{L}")
_LETTERS = lazy(r"\p{L}+")
_CLAUSE_BREAK = lazy(r"[.;:()\[\]\"“”«»]")


class Correction(NamedTuple):
    token: Token
    suggestion: str
    message: str


def match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# Distinct words after which ligature_repair() tests candidates against the per-length
# sets of common words (freq.common_words: ~3 ms to start, then a set lookup for each
# candidate) rather than searching the tables for each (~3 µs a search, up to ~20 a
# word): a short run asks about a few dozen words and builds no set.
_COMMON_SETS_FROM = 200


# Asked for every rare word of every reference; the answer depends on the word alone.
@lru_cache(maxsize=65536)
def ligature_repair(word: str) -> str | None:
    """The word with a lost ligature restored ("Articial" -> "Artificial"), if any."""
    low = word.lower()
    z_low = freq.zipf(low)
    if z_low >= WORD_MIN_ZIPF:
        return None
    best: tuple[float, str] | None = None
    table = None
    if low.isascii() and low.isalpha():
        # A candidate of such a word is lower-case ASCII letters: zipf() of it is the
        # table's value, 0 when absent, read here without filling zipf()'s memo; only
        # a word of Zipf 3 or more can qualify.
        table = freq.tables()
        if ligature_repair.cache_info().currsize >= _COMMON_SETS_FROM:
            common = {n: freq.common_words(len(low) + n) for n in {len(x) for x in LIGATURES}}
            for i in range(1, len(low)):
                head, tail = low[:i], low[i:]
                for lig in LIGATURES:
                    cand = head + lig + tail
                    if cand not in common[len(lig)]:
                        continue
                    z = table.zipf_of(cand)
                    if z - z_low >= MIN_GAIN and (best is None or z > best[0]):
                        best = (z, cand)
            return match_case(word, best[1]) if best else None
    lookup = freq.zipf if table is None else table.zipf_of
    for i in range(1, len(low)):
        # When no word starts like the five candidates of one place (low[:i] + "f"),
        # one lookup rules them all out.
        if table is not None and not table.has_prefix(low[:i] + "f"):
            continue
        for lig in LIGATURES:
            cand = low[:i] + lig + low[i:]
            z = lookup(cand)
            if z >= 3.0 and z - z_low >= MIN_GAIN and (best is None or z > best[0]):
                best = (z, cand)
    return match_case(word, best[1]) if best else None


def looks_like_name(text: str, tok: Token, venue: bool = False) -> bool:
    """Whether a capitalised token stands where a personal name stands.

    ``venue``: the token is in the name of the journal or proceedings (as the
    reference was read), where a capitalised word before the year ends the
    venue's name ("Neural Information Processing Systems. 2021."), not an
    author's as in "Ole Waever. 2003.".
    """
    if not tok.text[:1].isupper():
        return False
    before = text[max(0, tok.start - 24) : tok.start]
    after = text[tok.end : tok.end + 24]
    if _SURNAME_AFTER.match(after) and _LIST_BEFORE.search(before):
        return True
    if _INITIAL_BEFORE.search(before) and _END_OF_NAME_AFTER.match(after):
        return True
    if _INITIALS_BEFORE.search(before) and not after.startswith("."):
        return True
    if _INITIALS_AFTER.match(after) or _CITATION_AFTER.match(after):
        return True
    return bool(
        not venue
        and _CAP_BEFORE.search(before)
        and _YEAR_AFTER.match(after)
        and not _JOURNAL_DATE_AFTER.match(after)
    )


_HEAD_BEFORE = lazy(r"(?<![\p{L}\-])(\p{L}{3,})-$")


def _compound_tail(text: str, tok: Token) -> bool:
    """Whether a lower-case token after a hyphen is a whole word of an English compound.

    After a common English word ("Post-socialist", "long-term") the part after
    the hyphen is a word of its own and can be misspelt like any other; a part
    of a name ("Jean-Pierre"), of a word cut at a line's end ("interna-tional")
    or of a coined form after a rare head is not judged.
    """
    if not tok.text[:1].islower():
        return False
    m = _HEAD_BEFORE.search(text, max(0, tok.start - 40), tok.start)
    return m is not None and freq.zipf(m.group(1)) >= 3.5


def in_foreign_run(text: str, tok: Token, lo: int, hi: int, venue: bool = False) -> bool:
    """Whether another unknown word stands next to this one in the same clause.

    Two unknown words side by side are far more often a transliterated or
    foreign title, or a name, than two typos.  "Next to" is read outwards
    from the token, up to three words a side, and a common English word ends
    the run on its side: in "Streptococcus agalactiae that controbutes to"
    the Latin name is not beside the slip.  An unknown word built the way
    English builds technical words (a compound, a suffix, a British spelling:
    "scanpath", "substitutability", "urbanisation") is no sign of a foreign
    run, though it does not end one either.  Both readings are for lower-case
    words: a capitalised one beside an unknown word may be part of a name
    ("Martin Hutner, \\booktitle{…}"), and any unknown word within three keeps
    it unjudged, unless it is a word of a venue's name (``venue``).
    """
    from refcheck.text.tokens import words

    left = text[max(lo, tok.start - 60) : tok.start]
    right = text[tok.end : min(hi, tok.end + 60)]
    cut = list(_CLAUSE_BREAK.finditer(left))
    if cut:
        left = left[cut[-1].end() :]
    m = _CLAUSE_BREAK.search(right)
    if m:
        right = right[: m.start()]
    from refcheck.text.lexicon import misspelling_of

    before = [t.text for t in words(left)][-3:][::-1]  # nearest first
    after = [t.text for t in words(right)][:3]
    lower = venue or tok.text[:1].islower()
    for side in (before, after):
        for n in side:
            if len(n) < 3 or not is_alpha(n) or is_acronym(n) or misspelling_of(n.lower()):
                continue  # a listed misspelling next door is a second slip, not a foreign word
            z = freq.zipf(n)
            # Unknown everywhere (a transliteration, a name), or a word of another
            # language that English rarely uses ("und", "seine").
            if z < 1.5 or (z < 3.0 and freq.other_language(n) is not None):
                if not (lower and english_shaped(n)):
                    return True
            elif lower and z >= COMMON_ZIPF:
                break
    return False


# A word at least this common ends a run of unknown words (in_foreign_run).
COMMON_ZIPF = 3.0
# British spellings whose American form a word list may hold instead.
_SPELLING_VARIANTS = (
    ("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"),
    ("ising", "izing"), ("yse", "yze"), ("our", "or"), ("tre", "ter"), ("ogue", "og"),
)


@lru_cache(maxsize=16384)
def english_shaped(word: str) -> bool:
    """Whether an unknown word is built from English the way technical English builds words.

    A known word with a productive ending or prefix, a British spelling of a
    known word ("urbanisation"), or a compound whose last part is a common
    English word: a long one after anything ("substitut-ability",
    "morpho-dynamics"), a shorter one after another common word ("scan-path").
    Transliterations, Latin and names are rarely so built ("agalactiae").
    """
    low = word.lower()
    if len(low) < 6 or not low.isascii():
        return False
    if _derived(low) or _inflected(low):
        return True
    for british, american in _SPELLING_VARIANTS:
        if low.endswith(british) and freq.zipf(low[: -len(british)] + american) >= COMMON_ZIPF:
            return True
    for i in range(3, len(low) - 3):
        head, tail = low[:i], low[i:]
        if freq.zipf(tail) < 3.5:
            continue
        if len(tail) >= 6 or freq.zipf(head) >= 3.5:
            return True
    return False


@lru_cache(maxsize=65536)
def is_camel_case(word: str) -> bool:
    """A capital after a lower-case letter inside the word (not ALL CAPS)."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))


def describe_edit(wrong: str, right: str) -> str:
    from rapidfuzz.distance import OSA

    w, r = wrong.lower(), right.lower()
    if len(w) == len(r) and sorted(w) == sorted(r) and w != r:
        return "two swapped letters away"
    return "one letter away" if OSA.distance(w, r) <= 1 else "two edits away"


# Productive suffixes: a known word plus one of them is a word wordfreq may lack.
_SUFFIXES = ("isms", "ism", "ists", "ist", "ness", "less", "ity", "ization", "isation", "ly")


def _derived(word: str) -> bool:
    """Whether ``word`` is a known word with a productive suffix ("bilateralism")."""
    return any(
        word.endswith(s) and len(word) - len(s) >= 4 and freq.zipf(word[: -len(s)]) >= 2.5
        for s in _SUFFIXES
    )


@lru_cache(maxsize=4096)
def rare_candidate(word: str) -> freq.Candidate | None:
    """The only English word (Zipf >= RARE_MIN_ZIPF) near an unknown long ``word``."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    w = word.lower()
    if len(w) < RARE_MIN_LENGTH or _derived(w):
        return None
    limit = 2 if len(w) >= RARE_TWO_EDITS_LENGTH else 1
    found: list[tuple[int, str]] = []
    for length in range(len(w) - limit, len(w) + limit + 1):
        for cand, dist, _ in process.extract(
            w, freq.rare_bucket(length), scorer=OSA.distance, score_cutoff=limit, limit=None
        ):
            if cand != w:
                found.append((int(dist), cand))
    if not found:
        return None
    best = min(d for d, _ in found)
    closest = [c for d, c in found if d == best]
    if len(closest) != 1 or closest[0][0] != w[0]:
        return None  # typists rarely miss the first letter; "bilateralism" is no "unilateralism"
    return freq.Candidate(closest[0], best, freq.zipf(closest[0]))


def judge(
    text: str,
    tok: Token,
    lo: int,
    hi: int,
    rare: bool = False,
    proper: frozenset[str] = frozenset(),
    venue: bool = False,
) -> Correction | None:
    """A correction for ``tok`` (a token of ``text[lo:hi]``) when it is a clear misspelling.

    ``rare`` (prose) also lets an unknown long word be corrected towards a
    rarer word, or one two edits away, when it is the only such word
    (:func:`rare_candidate`).  ``proper`` holds (lower-cased) words the
    document capitalises in mid-sentence: a capitalised token one slip from
    one of them ("Kyrgystan" where "Kyrgyzstan" is written elsewhere) is
    judged like any other word, however rare the proper noun.  ``venue``: the
    token is in a journal's or proceedings' name, where no author stands.
    """
    assessed = _assess(tok.text, rare)
    if assessed is None:
        return None
    if text[tok.start - 1 : tok.start] in ("\\", "@", "#", "_", "/", "]", "-") and not (
        _compound_tail(text, tok)
    ):
        return None
    word = tok.text
    best, z = assessed
    from refcheck.text.lexicon import abbreviated_words, misspelling_of

    if text[tok.end : tok.end + 1] == "." and word.lower() in abbreviated_words():
        return None  # an ISO 4 abbreviation ("J. Alloys Compd.")
    if _HYPHEN_AFTER.match(text, tok.end):
        rest = _LETTERS.match(text, tok.end + 1)
        if rest and freq.zipf((word + rest.group()).lower()) >= ATTESTED_ZIPF:
            return None  # a word hyphenated apart, in earnest or in play ("Hyphe-nation")
    if (
        misspelling_of(word.lower()) is not None
        and not looks_like_name(text, tok, venue)
        and not in_foreign_run(text, tok, lo, hi, venue)
    ):
        right = match_case(word, best.word)
        return Correction(
            tok,
            right,
            f"'{word}' is a common misspelling of '{right}', "
            f"{freq.times_more_common(best.zipf, z)} times more common",
        )
    # A capitalised word may be a name or a foreign proper noun ("Fargey", "Der
    # Radiologe"): only a correction to a common word is convincing there.
    if word[:1].isupper() and best.zipf < CAPITALISED_MIN_ZIPF and best.word not in proper:
        return None
    # A capitalised word that is its correction less the last letter is more often a
    # Latin or Romance cognate in a title ("Compositio Mathematica", "Historia")
    # than a slip of the keyboard.
    if (
        word[:1].isupper()
        and len(best.word) == len(word) + 1
        and best.word.startswith(word.lower())
    ):
        return None
    if looks_like_name(text, tok, venue) or in_foreign_run(text, tok, lo, hi, venue):
        return None
    suggestion = match_case(word, best.word)
    message = (
        f"'{word}' is not an English word; '{suggestion}' is {describe_edit(word, best.word)} "
        f"and {freq.times_more_common(best.zipf, z)} times more common"
    )
    return Correction(tok, suggestion, message)


# Inflections a word list may lack for a rare or technical word: a plural of a
# word seen at all ("perceptrons"), and agent or verb forms of a common one
# ("recommender").  A misspelling rarely ends in a real word plus an ending.
_PLURAL_STEM_MIN_ZIPF = 1.0
_DERIVED_STEM_MIN_ZIPF = 3.0
_PREFIXED_STEM_MIN_ZIPF = 2.5
_ENDINGS = ("ers", "er", "ing", "ed")


# Latinate combining forms build technical adjectives a word list lacks
# ("coniform", "vermiform"); a slip rarely produces one.
_COMBINING_FORMS = ("iform", "iforms")
_PREFIXES = ("pre", "re", "non", "sub", "inter", "multi", "co", "anti", "post", "micro", "meta")


@lru_cache(maxsize=65536)
def _inflected(low: str) -> bool:
    """Whether ``low`` is a known word with an ending or a prefix added.

    A plural of a word seen at all ("perceptrons", "toposes"), an agent or
    verb form of a common word, its last consonant doubled or not
    ("recommender", "formatter"), a common word with a productive prefix
    ("prepaging"), and a Latinate compound in -iform ("coniform").
    """
    if len(low) < 5:
        return False
    for plural in ("s", "es"):
        stem = low[: -len(plural)]
        # The plural of a misspelling ("scaners") is no word: the stem must not
        # itself be one slip from a far more common word ("scaner").
        if (
            low.endswith(plural)
            and freq.zipf(stem) >= _PLURAL_STEM_MIN_ZIPF
            and _assess(stem, False) is None
        ):
            return True
    for e in _ENDINGS:
        if not low.endswith(e) or len(low) - len(e) < 4:
            continue
        stem = low[: -len(e)]
        if freq.zipf(stem) >= _DERIVED_STEM_MIN_ZIPF:
            return True
        if stem[-1] == stem[-2] and freq.zipf(stem[:-1]) >= _DERIVED_STEM_MIN_ZIPF:
            return True
    if low.endswith(_COMBINING_FORMS):
        return True
    return any(
        low.startswith(p)
        and len(low) - len(p) >= 4
        and freq.zipf(low[len(p) :]) >= _PREFIXED_STEM_MIN_ZIPF
        for p in _PREFIXES
    )


def could_correct(word: str, rare: bool = False) -> bool:
    """Whether judge() may correct ``word`` somewhere: its letters do not rule it out."""
    return _assess(word, rare) is not None


# judge() asks this of every rare word of every reference; a word recurs in many.
@lru_cache(maxsize=65536)
def _assess(word: str, rare: bool) -> tuple[freq.Candidate, float] | None:
    """The correction judge() makes of ``word`` from its letters alone, and its Zipf value.

    None when the word itself rules a correction out, wherever it stands.
    """
    # English misspellings are ASCII; "Gärtner" or "þessa" are names or foreign words.
    if len(word) < 4 or not word.isascii() or not word.isalpha() or is_acronym(word):
        return None
    if is_camel_case(word):  # eLife, iConference, mBio, McAllister: coined or names
        return None
    low = word.lower()
    z = freq.zipf(low)
    from refcheck.text.lexicon import journal_words, misspelling_of

    known = misspelling_of(low)
    if known is not None:
        # A curated misspelling: the list is the evidence, however often the web
        # misspells the word too ("recieve", Zipf 2.75).
        from rapidfuzz.distance import OSA

        return freq.Candidate(known, OSA.distance(low, known), freq.zipf(known)), z
    if z >= WORD_MIN_ZIPF or _inflected(low):
        return None
    # A word the web uses at all (Zipf 1+: "medallic", "formatter") is a rare
    # term more often than a slip; its correction must be far more common.
    gain = MIN_GAIN if z < ATTESTED_ZIPF else ATTESTED_MIN_GAIN
    # A roman numeral is common in text ("Part III") but is no word to correct to
    # ("Iiwi", a Hawaiian bird, is not a slip of "Iii").
    cands = [
        c
        for c in freq.candidates(low, 1)
        if c.zipf - z >= gain and not _ROMAN.fullmatch(c.word)
    ]
    if not cands:
        only = rare_candidate(low) if rare and z == 0.0 else None
        if only is None:
            return None
        cands = [only]
    best = cands[0]
    # A word that is the candidate plus a leading letter is a prefixed form or a
    # brand ("asocial", "Apress", the program "dformat"), not a slip of the
    # keyboard; a doubled first letter ("Jjournal") is one.
    if low[1:] == best.word and low[0] != low[1]:
        return None
    rivals = [c for c in freq.candidates(low, 1) if c.word != best.word and c.zipf >= 3.0]
    if rivals and best.zipf - rivals[0].zipf < MIN_LEAD:
        return None
    if freq.other_language(low) is not None:
        return None
    if low in journal_words():
        return None
    return best, z


# Function words a lost space glues to a neighbour ("ofthe", "Associationfor").
FUNCTION_WORDS = ("of", "the", "for", "and", "in", "on", "to", "with", "from", "by", "at")
# The capital after the function word fixes where it ends: the order of the
# alternatives does not matter.
_CAMEL_GLUE = lazy(rf"({'|'.join(FUNCTION_WORDS)})(\p{{Lu}}\p{{Ll}}{{2,}})")


# Pure in the word; asked for every token of every reference.
@lru_cache(maxsize=65536)
def glue_split(word: str) -> str | None:
    """'Associationfor' -> 'Association for', 'ofthe' -> 'of the', else None."""
    low = word.lower()
    # Every split below puts a function word first or last: most words neither
    # start nor end with one.
    if not (low.startswith(FUNCTION_WORDS) or low.endswith(FUNCTION_WORDS)):
        return None
    m = _CAMEL_GLUE.fullmatch(word)
    if m and freq.zipf(m.group(2)) >= 3.0:
        return f"{m.group(1)} {m.group(2)}"
    if not word.isalpha() or (word[1:] != low[1:]) or freq.other_language(low):
        return None
    zw = freq.zipf(low)
    best: tuple[float, str] | None = None
    for i in range(1, len(low)):
        a, b = low[:i], low[i:]
        if a not in FUNCTION_WORDS and b not in FUNCTION_WORDS:
            continue
        both_function = a in FUNCTION_WORDS and b in FUNCTION_WORDS
        if both_function:
            if zw >= 4.0 or len(low) < 4:
                continue
        elif zw >= ATTESTED_ZIPF or _inflected(low) or (
            min(len(a), len(b)) < 3 and not (a in FUNCTION_WORDS or b in FUNCTION_WORDS)
        ):
            continue
        content = [x for x in (a, b) if x not in FUNCTION_WORDS]
        if any(len(x) < 4 or freq.zipf(x) < 3.0 for x in content):
            continue
        score = min(freq.zipf(a), freq.zipf(b))
        if best is None or score > best[0]:
            best = (score, word[:i] + " " + word[i:])
    return best[1] if best else None
