"""Word frequencies from the ``wordfreq`` package, and correction candidates.

Frequencies are Zipf values (log10 of occurrences per billion words): 7 is
"the", 3 a word seen once per million, 0 an unseen token.  wordfreq is
imported on first use so that rule modules stay cheap to import; every
lookup is cached for the process.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

# Latin-script languages whose words commonly appear in English reference
# lists (titles, names, places).  A token that is a word in one of them is
# not reported as an English misspelling.
OTHER_LANGUAGES: tuple[str, ...] = ("de", "fr", "es", "it", "pt", "nl", "pl")

# A word at least this common in another language is that language's word.
OTHER_MIN_ZIPF = 2.5

# Corrections are drawn from English words at least this common.
CANDIDATE_MIN_ZIPF = 3.0


class Candidate(NamedTuple):
    word: str
    distance: int
    zipf: float


@lru_cache(maxsize=1)
def _wordfreq() -> Any:
    import wordfreq

    return wordfreq


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, float], dict[str, str]]:
    """English frequencies and {word: language} for the other languages.

    Building them from wordfreq takes seconds (one msgpack per language), so
    a compact form is kept in the user cache directory, keyed by the
    wordfreq version; it loads in a fraction of that.
    """
    import os
    import pickle

    path = _cache_path()
    if path is not None and os.path.exists(path):
        try:
            with open(path, "rb") as fh:
                data = pickle.load(fh)
            if isinstance(data, tuple) and len(data) == 2:
                return data
        except (OSError, pickle.PickleError, EOFError, ValueError):
            pass
    wf = _wordfreq()
    english: dict[str, float] = wf.get_frequency_dict("en")
    other: dict[str, str] = {}
    cutoff = 10 ** (OTHER_MIN_ZIPF - 9)
    for lang in OTHER_LANGUAGES:
        for w, f in wf.get_frequency_dict(lang).items():
            if f >= cutoff and w.isalpha():
                other.setdefault(w, lang)
    if path is not None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump((english, other), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
    return english, other


def _cache_path() -> str | None:
    import os

    base = os.environ.get("REFCHECK_CACHE_DIR")
    if not base:
        try:
            import platformdirs

            base = platformdirs.user_cache_dir("refcheck")
        except Exception:
            return None
    langs = "-".join(OTHER_LANGUAGES)
    return os.path.join(base, f"wordfreq-{wordfreq_version()}-{langs}-{OTHER_MIN_ZIPF}.pickle")


def _english() -> dict[str, float]:
    return _tables()[0]


def wordfreq_version() -> str:
    from importlib.metadata import version

    return version("wordfreq")


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str = "en") -> float:
    """Zipf frequency of ``word`` (case-insensitive); 0.0 when unseen."""
    w = word.lower().replace("’", "'")
    if lang == "en":
        f = _english().get(w)
        if f is not None:
            return round(math.log10(f * 1e9), 2)
        if not any(c in w for c in " -'"):
            return 0.0
    value: float = _wordfreq().zipf_frequency(w, lang)
    return value


def other_language(word: str) -> str | None:
    """A language of OTHER_LANGUAGES in which ``word`` is a common word."""
    return _tables()[1].get(word.lower())


@lru_cache(maxsize=1)
def _vocabulary() -> dict[int, list[str]]:
    """Common alphabetic English words, bucketed by length."""
    cutoff = 10 ** (CANDIDATE_MIN_ZIPF - 9)
    buckets: dict[int, list[str]] = {}
    for w, f in _english().items():
        if f >= cutoff and w.isalpha():
            buckets.setdefault(len(w), []).append(w)
    return buckets


@lru_cache(maxsize=20_000)
def candidates(word: str, max_distance: int = 1) -> tuple[Candidate, ...]:
    """Common English words within ``max_distance`` edits (OSA: a swap is one edit).

    Sorted by distance, then most frequent first.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    w = word.lower()
    vocab = _vocabulary()
    out: list[Candidate] = []
    for length in range(len(w) - max_distance, len(w) + max_distance + 1):
        bucket = vocab.get(length)
        if not bucket:
            continue
        for cand, dist, _ in process.extract(
            w, bucket, scorer=OSA.distance, score_cutoff=max_distance, limit=None
        ):
            if cand != w:
                out.append(Candidate(cand, int(dist), zipf(cand)))
    out.sort(key=lambda c: (c.distance, -c.zipf))
    return tuple(out)


def times_more_common(a: float, b: float) -> str:
    """'10⁵' for a Zipf difference of about 5, for messages."""
    exp = max(1, round(a - b))
    sup = str(exp).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"10{sup}"
