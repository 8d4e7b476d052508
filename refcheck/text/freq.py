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
import contextlib
import math
import sys
from array import array
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

# Latin-script languages whose words commonly appear in English reference
# lists (titles, names, places).  A token that is a word in one of them is
# not reported as an English misspelling.  The Scandinavian ones came with
# real bibliographies (Beebe's TeX bibliographies: "Introduktion til LaTeX").
OTHER_LANGUAGES: tuple[str, ...] = ("de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "nb")

# A word at least this common in another language is that language's word.
OTHER_MIN_ZIPF = 2.5

# Corrections are drawn from English words at least this common.
CANDIDATE_MIN_ZIPF = 3.0

# Prose may also be corrected towards rarer words, down to this Zipf value
# (see refcheck.text.spelling.rare_candidate).
RARE_MIN_ZIPF = 1.5

# Bumped whenever the file layout or what it holds changes.
_FORMAT = 3
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
    """The compact form, searched in place: no object per word is ever created.

    ``buf`` is the whole cache file (an mmap, or bytes when built in memory);
    every section lies in it, 8-byte aligned.  ``words`` holds every word
    followed by a newline, sorted by UTF-8 bytes (which is code point order),
    starting at ``base``; ``offsets[i]`` is where word ``i`` starts relative to
    ``base`` (one extra entry marks the end).  ``zipf[i]`` is the English Zipf
    value times 100 (0: not an English word), ``lang[i]`` one plus the index in
    OTHER_LANGUAGES of the language it is a common word of (0: none).  The
    sample lists every _STRIDE-th word for the first, C-level bisection.

    The candidate words (common, alphabetic English words) are grouped by
    length; each group is stored three times, newline-separated: in
    wordfreq's order (most frequent first), sorted, and sorted by the
    reversed words, with the bucket positions of the two sorted orders
    (``by_word``, ``by_end``).  So a candidate search decodes the few lengths
    it needs and sorts nothing.  The rare vocabulary of prose corrections
    (alphabetic words from RARE_MIN_ZIPF up) is grouped by length the same
    way, in code point order.
    """

    __slots__ = (
        "_buckets",
        "_count",
        "_rare",
        "_sample",
        "_sections",
        "base",
        "buf",
        "by_end",
        "by_word",
        "end",
        "lang",
        "offsets",
        "zipf",
    )

    def __init__(self, buf: Any, sections: dict[str, tuple[int, int]]) -> None:
        view = memoryview(buf)

        def part(name: str) -> memoryview:
            at, size = sections[name]
            return view[at : at + size]

        self.buf = buf
        self._sections = sections
        self.base, size = sections["words"]
        self.end = self.base + size
        self.offsets = part("offsets").cast("I")
        self.zipf = part("zipf").cast("H")
        self.lang = part("lang")
        self.by_word = part("by_word").cast("I")
        self.by_end = part("by_end").cast("I")
        self._count = len(self.offsets) - 1
        self._sample: list[bytes] | None = None
        index = part("bucket_index").cast("I")
        rare = part("rare_index").cast("I")
        self._rare = {rare[k]: (rare[k + 1], rare[k + 2]) for k in range(0, len(rare), 3)}
        self._buckets = {
            index[k]: tuple(index[k + 1 : k + _BUCKET_ROW])
            for k in range(0, len(index), _BUCKET_ROW)
        }

    def valid(self) -> bool:
        """Whether the parts agree with each other (a cheap check, not a checksum)."""
        count = self._count
        vocabulary = self._sections["buckets"][1]
        return (
            count >= 0
            and len(self.zipf) == count
            and len(self.lang) == count
            and self.offsets[-1] == self.end - self.base
            and len(self.by_word) == len(self.by_end)
            and all(
                row[0] + row[-1] <= len(self.by_word) and max(row[1:-1]) <= vocabulary
                for row in self._buckets.values()
            )
            and all(b <= self._sections["rare"][1] for _, b in self._rare.values())
        )

    def word(self, i: int) -> bytes:
        """Word ``i`` as stored (UTF-8)."""
        return bytes(self.buf[self.base + self.offsets[i] : self.base + self.offsets[i + 1] - 1])

    def find(self, word: str) -> int:
        """Index of ``word`` (exact, already lower-cased), or -1."""
        key = word.encode("utf-8", "surrogatepass")
        if b"\n" in key:
            return -1  # no word holds the separator (and it would match across words)
        lo, hi = self._stride(key)
        if lo >= self._count:
            return -1
        buf, base, offsets = self.buf, self.base, self.offsets
        start = base + offsets[lo]
        if buf[start : start + len(key) + 1] == key + b"\n":
            return lo
        # Any other word of the stride starts after a newline: one search in C
        # instead of a Python-level bisection over the stride.
        stop = min(base + offsets[hi] + len(key) + 1, self.end)
        at = buf.find(b"\n" + key + b"\n", start, stop)
        if at < 0:
            return -1
        return bisect.bisect_left(offsets, at + 1 - base, lo, hi + 1)

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
        buf, base, offsets = self.buf, self.base, self.offsets
        start = base + offsets[lo]
        if buf[start : start + len(key)] == key:
            return True
        stop = min(base + offsets[hi] + len(key), self.end)
        return bool(buf.find(b"\n" + key, start, stop) >= 0)

    def _stride(self, key: bytes) -> tuple[int, int]:
        """Indices lo <= hi such that the first word not less than ``key`` is among lo..hi.

        hi may be ``_count`` (no word: then offsets[hi] is the end of the words).
        """
        sample = self._sample
        if sample is None:
            at, size = self._sections["sample"]
            sample = self._sample = self.buf[at : at + size].split(b"\n") if self._count else []
        j = bisect.bisect_left(sample, key)
        # word(j-1 strides) < key <= word(j strides): the answer is in between.
        lo = (j - 1) * _STRIDE + 1 if j else 0
        return lo, min(j * _STRIDE, self._count)

    def bucket_text(self, length: int, order: int) -> str | None:
        """One length's candidate words, newline-separated, or None when there are none.

        ``order``: 0 wordfreq's (most frequent first), 1 sorted, 2 sorted by
        the reversed words (and stored reversed).
        """
        row = self._buckets.get(length)
        if row is None:
            return None
        at = self._sections["buckets"][0]
        a, b = row[1 + 2 * order], row[2 + 2 * order]
        return bytes(self.buf[at + a : at + b]).decode("utf-8", "surrogatepass")

    def rare_text(self, length: int) -> str | None:
        """Alphabetic English words of one length from RARE_MIN_ZIPF up (code point order)."""
        span = self._rare.get(length)
        if span is None:
            return None
        at = self._sections["rare"][0]
        return bytes(self.buf[at + span[0] : at + span[1]]).decode("utf-8", "surrogatepass")

    def bucket_positions(self, length: int) -> tuple[memoryview, memoryview]:
        """(by_word, by_end): the bucket positions of the two sorted orders of one length."""
        row = self._buckets[length]
        n, pos = row[0], row[-1]
        return self.by_word[pos : pos + n], self.by_end[pos : pos + n]


# What a cache file holds, each section named in its header (see Tables).
_SECTIONS = frozenset(
    {
        "words",
        "offsets",
        "zipf",
        "lang",
        "sample",
        "buckets",
        "bucket_index",
        "by_word",
        "by_end",
        "rare",
        "rare_index",
    }
)

# A bucket_index row: length, word count, (start, end) of the three texts in
# the buckets section, start of the bucket's positions in by_word / by_end.
_BUCKET_ROW = 9


def _build() -> bytes:
    """The cache file's content, from wordfreq's data (seconds; once per wordfreq version)."""
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
    buckets = bytearray()
    bucket_index = array("I")
    by_word = array("I")
    by_end = array("I")
    for length in sorted(groups):
        bucket = groups[length]
        word_order = sorted(range(len(bucket)), key=bucket.__getitem__)
        reversed_words = [w[::-1] for w in bucket]
        end_order = sorted(range(len(bucket)), key=reversed_words.__getitem__)
        row = [length, len(bucket)]
        for texts in (
            bucket,
            [bucket[i] for i in word_order],
            [reversed_words[i] for i in end_order],
        ):
            chunk = "\n".join(texts).encode("utf-8", "surrogatepass")
            row += [len(buckets), len(buckets) + len(chunk)]
            buckets += chunk
        row.append(len(by_word))
        bucket_index.extend(row)
        by_word.extend(word_order)
        by_end.extend(end_order)
    keys = sorted({w.encode("utf-8", "surrogatepass") for w in (*english, *other) if "\n" not in w})
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
    rare_cutoff = round(RARE_MIN_ZIPF * 100)
    rare_groups: dict[int, list[bytes]] = {}
    for key, z in zip(keys, zipf, strict=True):
        if z >= rare_cutoff:
            w = key.decode("utf-8", "surrogatepass")
            if w.isalpha():
                rare_groups.setdefault(len(w), []).append(key)
    rare = bytearray()
    rare_index = array("I")
    for length in sorted(rare_groups):
        chunk = b"\n".join(rare_groups[length])
        rare_index.extend((length, len(rare), len(rare) + len(chunk)))
        rare += chunk
    words = b"\n".join(keys) + b"\n" if keys else b""
    sample = b"\n".join(keys[::_STRIDE])
    return _serialise(
        {
            "words": words,
            "offsets": offsets.tobytes(),
            "zipf": zipf.tobytes(),
            "lang": bytes(langs),
            "sample": sample,
            "buckets": bytes(buckets),
            "bucket_index": bucket_index.tobytes(),
            "by_word": by_word.tobytes(),
            "by_end": by_end.tobytes(),
            "rare": bytes(rare),
            "rare_index": rare_index.tobytes(),
        }
    )


def _header() -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "wordfreq": wordfreq_version(),
        "languages": list(OTHER_LANGUAGES),
        "other_min_zipf": OTHER_MIN_ZIPF,
        "candidate_min_zipf": CANDIDATE_MIN_ZIPF,
        "rare_min_zipf": RARE_MIN_ZIPF,
        "stride": _STRIDE,
        "byteorder": sys.byteorder,
        "itemsize": [array("I").itemsize, array("H").itemsize],
    }


def _aligned(n: int) -> int:
    return -(-n // 8) * 8


def _serialise(parts: dict[str, bytes]) -> bytes:
    """Magic, header length, JSON header (naming each section's place), sections."""
    import json

    start = 0
    while True:
        # The sections start after the header, whose size depends on where
        # they start: lay out again until the header fits.
        at = start
        sections: dict[str, list[int]] = {}
        for name, part in parts.items():
            sections[name] = [at, len(part)]
            at = _aligned(at + len(part))
        encoded = json.dumps({**_header(), "sections": sections}, sort_keys=True).encode("ascii")
        if 8 + len(encoded) <= start:
            break
        start = _aligned(8 + len(encoded))
    out = bytearray(_MAGIC + len(encoded).to_bytes(4, "little") + encoded)
    for name, part in parts.items():
        out += bytes(sections[name][0] - len(out)) + part
    return bytes(out)


def _deserialise(buf: Any) -> Tables | None:
    """The tables over a cache file's content, or None when it is not one this code wrote."""
    import json

    if len(buf) < 8 or buf[:4] != _MAGIC:
        return None
    size = int.from_bytes(buf[4:8], "little")
    try:
        head = json.loads(bytes(buf[8 : 8 + size]).decode("ascii"))
        sections = {str(name): (int(at), int(n)) for name, (at, n) in head.pop("sections").items()}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None
    if head != _header() or set(sections) != set(_SECTIONS):
        return None
    if any(at < 8 + size or at % 8 or at + n > len(buf) for at, n in sections.values()):
        return None
    try:
        loaded = Tables(buf, sections)
    except (ValueError, TypeError, IndexError):  # a section not a whole number of items
        return None
    return loaded if loaded.valid() else None


def _map(path: str) -> Any:
    """The file mapped read-only (pages are read when touched), or its bytes."""
    import mmap

    with open(path, "rb") as fh:
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):  # empty file, or a file system without mmap
            return fh.read()


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The word tables: the cache file mapped, or built (and kept) on first use."""
    from refcheck.text.store import keep

    path = _cache_path()
    if path is not None:
        try:
            loaded = _deserialise(_map(path))
            if loaded is not None:
                return loaded
        except OSError:
            pass
    data = _build()
    if path is not None and keep(path, data):
        _remove_stale(path)
    built = _deserialise(data)
    if built is None:
        raise AssertionError("the word tables just built do not read back")
    return built


def _remove_stale(path: str) -> None:
    """Delete the earlier layouts of these tables (same wordfreq version) beside ``path``.

    Tables of another wordfreq version are left alone: another environment (a
    pre-commit hook's, say) may share the cache directory and still use them;
    deleting them would have each rebuild the other's file in turn.
    """
    import os

    folder, name = os.path.split(path)
    own = f"wordfreq-{wordfreq_version()}-"
    for other in os.listdir(folder):
        if other != name and other.startswith(own) and other.endswith((".bin", ".pickle")):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(folder, other))


def _cache_path() -> str | None:
    import os

    from refcheck.text.store import cache_dir

    base = cache_dir()
    if base is None:
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


@lru_cache(maxsize=256)
def _bucket(length: int) -> list[str]:
    """Common alphabetic English words of one length (most frequent first)."""
    text = tables().bucket_text(length, 0)
    return text.split("\n") if text is not None else []


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


@lru_cache(maxsize=64)
def common_words(length: int) -> frozenset[str]:
    """Alphabetic English words of ``length`` letters whose Zipf value is 3.00 or more.

    As :func:`zipf` gives the value (rounded to hundredths), so ``zipf(w) >= 3.0``
    exactly when ``w`` is in the set of its length: a search for words of that
    frequency among many made-up strings tests each in a set instead of searching
    the tables.  The candidate bucket holds the words wordfreq puts at 3.0 or
    more; rounding adds those just below it (:func:`_rounded_up_to_three`).
    """
    words = set(_bucket(length))
    words.update(_rounded_up_to_three().get(length, ()))
    return frozenset(words)


@lru_cache(maxsize=1)
def _rounded_up_to_three() -> dict[int, list[str]]:
    """Alphabetic words stored at Zipf 3.00 exactly, by length.

    Some of them are below 3.0 in wordfreq (2.995 and up) and so in no
    candidate bucket.  The value array is searched in place for the one value.
    """
    t = tables()
    at, size = t._sections["zipf"]
    value = (round(CANDIDATE_MIN_ZIPF * 100)).to_bytes(t.zipf.itemsize, sys.byteorder)
    out: dict[int, list[str]] = {}
    pos = t.buf.find(value, at, at + size)
    while pos >= 0:
        if (pos - at) % t.zipf.itemsize == 0:
            w = t.word((pos - at) // t.zipf.itemsize).decode("utf-8", "surrogatepass")
            if w.isalpha():
                out.setdefault(len(w), []).append(w)
        pos = t.buf.find(value, pos + 1, at + size)
    return out


@lru_cache(maxsize=256)
def rare_bucket(length: int) -> list[str]:
    """Alphabetic English words of one length from RARE_MIN_ZIPF up (code point order)."""
    text = tables().rare_text(length)
    return text.split("\n") if text is not None else []


@lru_cache(maxsize=256)
def _bucket_index(length: int) -> tuple[list[str], Sequence[int], list[str], Sequence[int]]:
    """One bucket sorted by its words and by its reversed words, with bucket positions."""
    t = tables()
    by_word, by_end = t.bucket_positions(length)
    return (
        (t.bucket_text(length, 1) or "").split("\n"),
        by_word,
        (t.bucket_text(length, 2) or "").split("\n"),
        by_end,
    )


def _prefixed(keys: list[str], positions: Sequence[int], prefix: str) -> Sequence[int]:
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
