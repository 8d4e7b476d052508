"""Word frequencies from the ``wordfreq`` package, and correction candidates.

Frequencies are Zipf values (log10 of occurrences per billion words): 7 is
"the", 3 a word seen once per million, 0 an unseen token.  Every lookup is
cached for the process.

wordfreq's own tables take seconds to build and over 100 MB as Python
dicts, far too much for a hook that runs on every commit.  The first use
builds, from wordfreq's data, one compact file in the user cache directory
(``REFCHECK_CACHE_DIR`` when set), keyed by the wordfreq version: every
word of English and of :data:`OTHER_LANGUAGES`, sorted by its UTF-8 bytes,
with parallel arrays of English Zipf values (hundredths, exact) and of the
other language a word belongs to.  Later runs read it in milliseconds and
answer by binary search, without creating an object per word; nothing is
read until a token actually needs a frequency.  With no usable cache
directory the same tables are built in memory, so findings never depend on
the cache.
"""

from __future__ import annotations

import bisect
import math
import sys
from array import array
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

# Bumped whenever the file layout or what it holds changes.
_FORMAT = 2
# Words between two entries of the sampled index of Tables.find.
_STRIDE = 64
_MAGIC = b"RCWF"


class Candidate(NamedTuple):
    word: str
    distance: int
    zipf: float


@lru_cache(maxsize=1)
def _wordfreq() -> Any:
    import wordfreq

    return wordfreq


class Tables:
    """The compact form: sorted words and parallel arrays, searched by bisection.

    ``words`` holds every word followed by a newline, sorted by UTF-8 bytes
    (which is code point order); ``offsets[i]`` is where word ``i`` starts
    (one extra entry marks the end).  ``zipf[i]`` is the English Zipf value
    times 100 (0: not an English word), ``lang[i]`` one plus the index in
    OTHER_LANGUAGES of the language it is a common word of (0: none).
    ``vocabulary`` holds the candidate words grouped by length, each group
    newline-separated in wordfreq's order (most frequent first);
    ``vocabulary_index`` is (length, start, end) triples into it, so that a
    lookup decodes only the lengths it needs.
    """

    __slots__ = (
        "_count",
        "_sample",
        "lang",
        "offsets",
        "vocabulary",
        "vocabulary_index",
        "words",
        "zipf",
    )

    def __init__(
        self,
        words: bytes,
        offsets: array[int],
        zipf: array[int],
        lang: bytes,
        vocabulary: bytes,
        vocabulary_index: array[int],
    ) -> None:
        self.words = words
        self.offsets = offsets
        self.zipf = zipf
        self.lang = lang
        self.vocabulary = vocabulary
        self.vocabulary_index = vocabulary_index
        self._count = len(offsets) - 1
        self._sample: list[bytes] | None = None

    def find(self, word: str) -> int:
        """Index of ``word`` (exact, already lower-cased), or -1."""
        key = word.encode("utf-8", "surrogatepass")
        if b"\n" in key:
            return -1  # no word holds the separator (and it would match across words)
        lo, hi = self._stride(key)
        words, offsets = self.words, self.offsets
        if lo >= self._count:
            return -1
        if words.startswith(key + b"\n", offsets[lo]):
            return lo
        # Any other word of the stride starts after a newline: one search in C
        # instead of a Python-level bisection over the stride.
        at = words.find(b"\n" + key + b"\n", offsets[lo], offsets[hi] + len(key) + 1)
        if at < 0:
            return -1
        return bisect.bisect_left(offsets, at + 1, lo, hi + 1)

    def zipf_of(self, word: str) -> float:
        """English Zipf value of ``word`` (exact, already lower-cased); 0.0 when absent."""
        i = self.find(word)
        return self.zipf[i] / 100 if i >= 0 else 0.0

    def has_prefix(self, prefix: str) -> bool:
        """Whether some word starts with ``prefix``."""
        key = prefix.encode("utf-8", "surrogatepass")
        if b"\n" in key:
            return False  # as in find()
        lo, hi = self._stride(key)
        if lo >= self._count:
            return False
        # Words with the prefix are the first ones not less than it, which the
        # stride holds.
        words, offsets = self.words, self.offsets
        return (
            words.startswith(key, offsets[lo])
            or words.find(b"\n" + key, offsets[lo], offsets[hi] + len(key)) >= 0
        )

    def _stride(self, key: bytes) -> tuple[int, int]:
        """Indices lo <= hi such that the first word not less than ``key`` is among lo..hi.

        hi may be ``_count`` (no word: then offsets[hi] is the end of ``words``).
        """
        sample = self._sample
        if sample is None:
            # Every _STRIDE-th word, searched by bisect in C.
            words, offsets = self.words, self.offsets
            sample = self._sample = [
                words[offsets[i] : offsets[i + 1] - 1] for i in range(0, self._count, _STRIDE)
            ]
        j = bisect.bisect_left(sample, key)
        # word(j-1 strides) < key <= word(j strides): the answer is in between.
        lo = (j - 1) * _STRIDE + 1 if j else 0
        return lo, min(j * _STRIDE, self._count)


def _build() -> Tables:
    """The tables from wordfreq's data (seconds; done once per wordfreq version)."""
    wf = _wordfreq()
    english: dict[str, float] = wf.get_frequency_dict("en")
    zipf_of: dict[str, int] = {}
    for w, f in english.items():
        # Stored in hundredths: exactly the value zipf() has always returned.
        zipf_of[w] = round(round(math.log10(f * 1e9), 2) * 100)
    other: dict[str, int] = {}
    cutoff = 10 ** (OTHER_MIN_ZIPF - 9)
    for k, lang in enumerate(OTHER_LANGUAGES, start=1):
        for w, f in wf.get_frequency_dict(lang).items():
            if f >= cutoff and w.isalpha():
                other.setdefault(w, k)
    vocab_cutoff = 10 ** (CANDIDATE_MIN_ZIPF - 9)
    groups: dict[int, list[str]] = {}
    for w, f in english.items():
        if f >= vocab_cutoff and w.isalpha():
            groups.setdefault(len(w), []).append(w)
    vocabulary = bytearray()
    vocabulary_index = array("I")
    for length in sorted(groups):
        chunk = "\n".join(groups[length]).encode("utf-8", "surrogatepass")
        vocabulary_index.extend((length, len(vocabulary), len(vocabulary) + len(chunk)))
        vocabulary += chunk
    keys = sorted(
        {w.encode("utf-8", "surrogatepass") for w in (*english, *other) if "\n" not in w}
    )
    offsets = array("I", [0])
    zipf = array("H")
    langs = bytearray()
    pos = 0
    for key in keys:
        pos += len(key) + 1
        offsets.append(pos)
        w = key.decode("utf-8", "surrogatepass")
        zipf.append(zipf_of.get(w, 0))
        langs.append(other.get(w, 0))
    blob = b"\n".join(keys) + b"\n" if keys else b""
    return Tables(blob, offsets, zipf, bytes(langs), bytes(vocabulary), vocabulary_index)


def _header() -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "wordfreq": wordfreq_version(),
        "languages": list(OTHER_LANGUAGES),
        "other_min_zipf": OTHER_MIN_ZIPF,
        "candidate_min_zipf": CANDIDATE_MIN_ZIPF,
        "byteorder": sys.byteorder,
        "itemsize": [array("I").itemsize, array("H").itemsize],
    }


def _serialise(t: Tables) -> bytes:
    import json

    sections = [
        t.words, t.offsets.tobytes(), t.zipf.tobytes(), t.lang, t.vocabulary,
        t.vocabulary_index.tobytes(),
    ]
    head = _header()
    head["sections"] = [len(s) for s in sections]
    encoded = json.dumps(head, sort_keys=True).encode("ascii")
    return b"".join([_MAGIC, len(encoded).to_bytes(4, "little"), encoded, *sections])


def _deserialise(data: bytes) -> Tables | None:
    """The tables of a cache file, or None when it is not one this code wrote."""
    import json

    if not data.startswith(_MAGIC) or len(data) < 8:
        return None
    size = int.from_bytes(data[4:8], "little")
    try:
        head = json.loads(data[8 : 8 + size].decode("ascii"))
        lengths = [int(n) for n in head.pop("sections")]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if head != _header() or len(lengths) != 6 or 8 + size + sum(lengths) != len(data):
        return None
    parts: list[bytes] = []
    pos = 8 + size
    for n in lengths:
        parts.append(data[pos : pos + n])
        pos += n
    offsets, zipf, vocabulary_index = array("I"), array("H"), array("I")
    try:
        offsets.frombytes(parts[1])
        zipf.frombytes(parts[2])
        vocabulary_index.frombytes(parts[5])
    except ValueError:
        return None
    count = len(offsets) - 1
    if count < 0 or len(zipf) != count or len(parts[3]) != count or offsets[-1] != len(parts[0]):
        return None
    if len(vocabulary_index) % 3 or any(
        e > len(parts[4]) for e in vocabulary_index[2::3]
    ):
        return None
    return Tables(parts[0], offsets, zipf, parts[3], parts[4], vocabulary_index)


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The word tables: read from the cache file, or built (and kept) on first use."""
    import os

    path = _cache_path()
    if path is not None:
        try:
            with open(path, "rb") as fh:
                loaded = _deserialise(fh.read())
            if loaded is not None:
                return loaded
        except OSError:
            pass
    built = _build()
    if path is not None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(_serialise(built))
            os.replace(tmp, path)
        except OSError:
            pass
    return built


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
    return os.path.join(
        base, f"wordfreq-{wordfreq_version()}-{langs}-{OTHER_MIN_ZIPF}-v{_FORMAT}.bin"
    )


@lru_cache(maxsize=1)
def wordfreq_version() -> str:
    """The installed wordfreq's version, read without importing wordfreq or importlib.metadata.

    Both cost tens of milliseconds at start-up; the distribution's
    ``*.dist-info`` directory beside the package names the version.
    """
    import importlib.util
    import os

    spec = importlib.util.find_spec("wordfreq")
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        try:
            names = os.listdir(site)
        except OSError:
            names = []
        found = [
            n[len("wordfreq-") : -len(".dist-info")]
            for n in names
            if n.startswith("wordfreq-") and n.endswith(".dist-info")
        ]
        if len(found) == 1:
            return found[0]
    from importlib.metadata import version

    return version("wordfreq")


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str = "en") -> float:
    """Zipf frequency of ``word`` (case-insensitive); 0.0 when unseen."""
    w = word.lower().replace("’", "'")
    if lang == "en":
        z = tables().zipf_of(w)
        if z or not any(c in w for c in " -'"):
            return z
    value: float = _wordfreq().zipf_frequency(w, lang)
    return value


# Asked for most tokens by several rules; pure in the word, like zipf().
@lru_cache(maxsize=200_000)
def other_language(word: str) -> str | None:
    """A language of OTHER_LANGUAGES in which ``word`` is a common word."""
    t = tables()
    i = t.find(word.lower())
    code = t.lang[i] if i >= 0 else 0
    return OTHER_LANGUAGES[code - 1] if code else None


@lru_cache(maxsize=1)
def _vocabulary_spans() -> dict[int, tuple[int, int]]:
    index = tables().vocabulary_index
    return {index[k]: (index[k + 1], index[k + 2]) for k in range(0, len(index), 3)}


@lru_cache(maxsize=256)
def _bucket(length: int) -> list[str]:
    """Common alphabetic English words of one length (most frequent first)."""
    span = _vocabulary_spans().get(length)
    if span is None:
        return []
    return tables().vocabulary[span[0] : span[1]].decode("utf-8", "surrogatepass").split("\n")


@lru_cache(maxsize=20_000)
def candidates(word: str, max_distance: int = 1) -> tuple[Candidate, ...]:
    """Common English words within ``max_distance`` edits (OSA: a swap is one edit).

    Sorted by distance, then most frequent first (then shorter, then as
    wordfreq lists them).
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    w = word.lower()
    if max_distance == 1 and len(w) >= 2 and w.isascii():
        return _one_edit_candidates(w)
    out: list[Candidate] = []
    for length in range(len(w) - max_distance, len(w) + max_distance + 1):
        bucket = _bucket(length)
        if not bucket:
            continue
        for cand, dist, _ in process.extract(
            w, bucket, scorer=OSA.distance, score_cutoff=max_distance, limit=None
        ):
            if cand != w:
                out.append(Candidate(cand, int(dist), zipf(cand)))
    out.sort(key=lambda c: (c.distance, -c.zipf))
    return tuple(out)


@lru_cache(maxsize=256)
def _bucket_index(length: int) -> tuple[list[str], list[int], list[str], list[int]]:
    """One bucket sorted by its words and by its reversed words, with bucket positions."""
    bucket = _bucket(length)
    by_word = sorted(range(len(bucket)), key=bucket.__getitem__)
    reversed_words = [w[::-1] for w in bucket]
    by_end = sorted(range(len(bucket)), key=reversed_words.__getitem__)
    return (
        [bucket[i] for i in by_word],
        by_word,
        [reversed_words[i] for i in by_end],
        by_end,
    )


def _prefixed(keys: list[str], positions: list[int], prefix: str) -> list[int]:
    """Bucket positions of the sorted ``keys`` that start with ``prefix`` (ASCII)."""
    lo = bisect.bisect_left(keys, prefix)
    hi = bisect.bisect_left(keys, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return positions[lo:hi]


def _one_edit_candidates(w: str) -> tuple[Candidate, ...]:
    """candidates(w, 1) for an ASCII ``w`` of 2+ letters, without scanning whole buckets.

    One edit (insertion, deletion, substitution or swap) changes at most two
    adjacent letters of ``w``, starting at some position p: the first p
    letters stay, and so do the last len - p - 2 or more.  So either the
    first k letters stay (p >= k) or the last len - k - 1 do: only bucket
    words sharing that prefix or that suffix are compared.  The order is
    candidates()'s: distance, then frequency, then the order the bucket
    search met them in (length, then place in the bucket).
    """
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    head = (len(w) - 1) // 2
    tail = len(w) - 1 - head
    found: list[tuple[int, float, int, int, str]] = []
    for length in (len(w) - 1, len(w), len(w) + 1):
        bucket = _bucket(length)
        if not bucket:
            continue
        by_word, word_pos, by_end, end_pos = _bucket_index(length)
        if head:
            near = set(_prefixed(by_word, word_pos, w[:head]))
            near.update(_prefixed(by_end, end_pos, w[::-1][:tail]))
            places = list(near)
        else:
            places = list(range(len(bucket)))
        choices = [bucket[i] for i in places]
        for cand, dist, k in process.extract(
            w, choices, scorer=OSA.distance, score_cutoff=1, limit=None
        ):
            if cand != w:
                found.append((int(dist), -zipf(cand), length, places[k], cand))
    found.sort()
    return tuple(Candidate(cand, dist, -negz) for dist, negz, _, _, cand in found)


def times_more_common(a: float, b: float) -> str:
    """'10⁵' for a Zipf difference of about 5, for messages."""
    exp = max(1, round(a - b))
    sup = str(exp).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"10{sup}"
