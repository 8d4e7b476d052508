"""The word tables' cache file: built once, mapped later, rebuilt when damaged or stale."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from refcheck.text import freq, spelling

ENGLISH = {
    "the": 0.05,
    "economy": 7e-5,
    "economic": 9e-5,
    "world": 4e-4,
    "word": 3e-4,
    "ward": 2e-5,
    "wordy": 3e-8,  # Zipf 1.48: below the rare vocabulary
    "reaffirming": 5e-7,  # Zipf 2.7: rare, not a candidate
    "co-operation": 2e-6,  # not alphabetic: a word, never a candidate
    "élan": 3e-6,
    "edgeway": 9.91e-7,  # Zipf 2.996: 3.00 as zipf() rounds it, yet no candidate
}
OTHER = {"de": {"und": 0.02, "welt": 3e-4, "the": 1e-5}, "fr": {"économie": 1e-4}}

_CACHED = (
    freq.tables,
    freq.zipf,
    freq.other_language,
    freq.candidates,
    freq._bucket,
    freq._bucket_index,
    freq.rare_bucket,
    freq.common_words,
    freq._rounded_up_to_three,
)


def _clear() -> None:
    for f in _CACHED:
        f.cache_clear()


@pytest.fixture
def small_wordfreq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """freq over a ten-word wordfreq, caching in a temporary directory."""
    fake = SimpleNamespace(
        get_frequency_dict=lambda lang: ENGLISH if lang == "en" else OTHER.get(lang, {})
    )
    monkeypatch.setattr(freq, "_wordfreq", lambda: fake)
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path))
    _clear()
    yield tmp_path
    _clear()  # the other tests use the real tables again


def _answers() -> tuple[object, ...]:
    return (
        [freq.zipf(w) for w in (*ENGLISH, "und", "missing", "")],
        [freq.other_language(w) for w in ("und", "welt", "the", "économie", "economy")],
        freq.candidates("eonomy"),
        freq.candidates("wrod"),
        freq._bucket(5),
        [list(x) for x in freq._bucket_index(4)],
        freq.rare_bucket(11),
        [freq.tables().has_prefix(p) for p in ("eco", "ecz", "wor", "z", "")],
    )


def test_tables_read_back_from_the_mapped_file_as_built(small_wordfreq: Path) -> None:
    built = _answers()
    assert isinstance(freq.tables().buf, bytes)  # built in memory on first use
    (path,) = small_wordfreq.glob("wordfreq-*.bin")
    _clear()
    assert not isinstance(freq.tables().buf, bytes)  # now mapped from the file
    assert _answers() == built
    assert built[2] == (freq.Candidate("economy", 1, 4.85),)
    assert freq.candidates("wrod")[0].word == "word"
    assert freq.rare_bucket(11) == ["reaffirming"]
    assert freq.zipf("economy") == 4.85 and freq.other_language("und") == "de"
    assert freq.other_language("economy") is None
    assert path.stat().st_size > 0


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # cut short
        lambda b: b"XXXX" + b[4:],  # not our magic
        lambda b: b[:8] + b"{" + b[9:],  # header is not JSON
        lambda b: b.replace(b'"format": ', b'"format":0', 1),  # another layout
        lambda b: b"",
    ],
)
def test_a_damaged_cache_file_is_rebuilt(small_wordfreq: Path, damage: object) -> None:
    built = _answers()
    (path,) = small_wordfreq.glob("wordfreq-*.bin")
    good = path.read_bytes()
    path.write_bytes(damage(good))  # type: ignore[operator]
    _clear()
    assert _answers() == built
    assert path.read_bytes() == good  # written again


def test_earlier_layouts_are_deleted_other_versions_kept(small_wordfreq: Path) -> None:
    version = freq.wordfreq_version()
    stale = [
        f"wordfreq-{version}-de-fr-es-it-pt-nl-pl-2.5-v2.bin",
        f"wordfreq-{version}-de-fr-es-it-pt-nl-pl-2.5.pickle",
    ]
    # Another environment sharing the cache directory may use another wordfreq.
    kept = ["wordfreq-0.0.1-de-fr-2.5-v3.bin", "http_cache.sqlite", "journal-lexicon.marshal"]
    for name in (*stale, *kept):
        (small_wordfreq / name).write_bytes(b"x")
    freq.tables()
    left = sorted(os.listdir(small_wordfreq))
    current = os.path.basename(freq._cache_path() or "")
    assert sorted(n for n in left if n.startswith(f"wordfreq-{version}")) == [current]
    assert all(n in left for n in kept)


def test_without_a_usable_cache_directory_the_tables_are_built_in_memory(
    small_wordfreq: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = small_wordfreq / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(blocker))
    assert freq.zipf("economy") == 4.85
    assert freq.candidates("eonomy")[0].word == "economy"
    assert blocker.read_text().startswith("a file")


def test_common_words_are_the_words_zipf_puts_at_three_or_more(small_wordfreq: Path) -> None:
    for n in range(1, 15):
        expected = {w for w in ENGLISH if len(w) == n and w.isalpha() and freq.zipf(w) >= 3.0}
        assert freq.common_words(n) == expected
    assert "edgeway" in freq.common_words(7) and "edgeway" not in freq._bucket(7)


def _ligature_repair_by_search(word: str) -> str | None:
    """ligature_repair() by its definition: every candidate looked up."""
    low = word.lower()
    z_low = freq.zipf(low)
    if z_low >= spelling.WORD_MIN_ZIPF:
        return None
    best: tuple[float, str] | None = None
    for i in range(1, len(low)):
        for lig in spelling.LIGATURES:
            cand = low[:i] + lig + low[i:]
            z = freq.zipf(cand)
            if z >= 3.0 and z - z_low >= spelling.MIN_GAIN and (best is None or z > best[0]):
                best = (z, cand)
    return spelling.match_case(word, best[1]) if best else None


@pytest.mark.parametrize("sets_from", [0, 10**9])  # with the common-word sets, and without
def test_ligature_repair_finds_what_looking_up_every_candidate_finds(
        monkeypatch: pytest.MonkeyPatch, sets_from: int) -> None:
    monkeypatch.setattr(spelling, "_COMMON_SETS_FROM", sets_from)
    words = []
    for length in range(4, 16):
        for w in freq._bucket(length)[:400]:
            for lig in ("ffi", "ffl", "fi", "fl", "ff"):
                k = w.find(lig)
                if k > 0:  # the word with its ligature lost, as PDF extraction loses it
                    lost = w[:k] + w[k + len(lig) :]
                    words += [lost, lost.capitalize(), lost.upper()]
                    break
    words += ["Articial", "eect", "Signicant", "Oce", "naïve", "xyzzy", "Knuth"]
    repaired = [spelling.ligature_repair.__wrapped__(w) for w in words]
    assert repaired == [_ligature_repair_by_search(w) for w in words]
    assert sum(r is not None for r in repaired) > 100  # the comparison means something
