"""Derived data kept between runs: reused while its sources stand still, rebuilt otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from refcheck.text import lexicon, store


class Builder:
    def __init__(self, source: Path) -> None:
        self.source = source
        self.calls = 0

    def __call__(self) -> tuple[frozenset[str], dict[int, tuple[str, ...]]]:
        self.calls += 1
        words = self.source.read_text().split()
        return frozenset(words), {len(w): (w,) for w in words}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_value_is_built_once_and_read_back(cache: Path, tmp_path: Path) -> None:
    src = tmp_path / "words.txt"
    src.write_text("alpha beta")
    build = Builder(src)
    first = store.derived("words", [src], build)
    assert store.derived("words", [src], build) == first
    assert build.calls == 1
    assert len(list(cache.glob("words-*.marshal"))) == 1
    assert first == (frozenset({"alpha", "beta"}), {5: ("alpha",), 4: ("beta",)})


def test_an_edited_source_is_derived_again(cache: Path, tmp_path: Path) -> None:
    src = tmp_path / "words.txt"
    src.write_text("alpha beta")
    build = Builder(src)
    store.derived("words", [src], build)
    src.write_text("gamma")
    st = src.stat()
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert store.derived("words", [src], build)[0] == frozenset({"gamma"})
    assert build.calls == 2


@pytest.mark.parametrize("content", [b"", b"\x00garbage", b"\xe9"])
def test_a_damaged_file_is_rebuilt(cache: Path, tmp_path: Path, content: bytes) -> None:
    src = tmp_path / "words.txt"
    src.write_text("alpha")
    build = Builder(src)
    store.derived("words", [src], build)
    (path,) = cache.glob("words-*.marshal")
    path.write_bytes(content)
    assert store.derived("words", [src], build)[0] == frozenset({"alpha"})
    assert build.calls == 2
    assert store.derived("words", [src], build)[0] == frozenset({"alpha"})
    assert build.calls == 2  # and written again


def test_sources_elsewhere_get_their_own_file(cache: Path, tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    for d in (one, other):
        d.mkdir()
        (d / "words.txt").write_text(f"from {d.name}")
    first, second = Builder(one / "words.txt"), Builder(other / "words.txt")
    for _ in range(2):  # alternating, as two environments sharing a cache would
        assert "one" in store.derived("words", [one / "words.txt"], first)[0]
        assert "other" in store.derived("words", [other / "words.txt"], second)[0]
    assert (first.calls, second.calls) == (1, 1)
    assert len(list(cache.glob("words-*.marshal"))) == 2


def test_an_unusable_cache_directory_still_gives_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(blocker))
    src = tmp_path / "words.txt"
    src.write_text("alpha")
    build = Builder(src)
    assert store.derived("words", [src], build)[0] == frozenset({"alpha"})
    assert store.derived("words", [src], build)[0] == frozenset({"alpha"})
    assert build.calls == 2
    assert blocker.read_text() == "not a directory"


def test_the_journal_lexicon_is_the_same_built_or_read_back(cache: Path) -> None:
    lexicon._journals.cache_clear()
    try:
        built = lexicon._journals()
        assert len(list(cache.glob("journal-lexicon-*.marshal"))) == 1
        lexicon._journals.cache_clear()
        read = lexicon._journals()
        assert read == built and read is not built
        assert "geophysical" in read.words and "journal of geophysical research" in read.known
        assert read.titles[read.lowered.index("journal of geophysical research")] == (
            "Journal of Geophysical Research"
        )
    finally:
        lexicon._journals.cache_clear()


def test_each_name_keeps_only_its_latest_files(cache: Path, tmp_path: Path) -> None:
    # One file per environment using the cache: twelve checkouts of the data leave the
    # newest eight, and other names are left alone.
    for n in range(12):
        source = tmp_path / f"checkout{n}" / "words.txt"
        source.parent.mkdir()
        source.write_text(f"alpha beta{n}\n")
        store.derived("words", [source], Builder(source))
        for older in cache.glob("words-*.marshal"):
            os.utime(older, ns=(older.stat().st_atime_ns, older.stat().st_mtime_ns - 10**9))
    (cache / "other-0000000a.marshal").write_bytes(b"")
    store.keep(str(cache / "words-ffffffff.marshal"), b"x")
    kept = sorted(p.name for p in cache.glob("words-*.marshal"))
    assert len(kept) == store.KEPT_PER_NAME and "words-ffffffff.marshal" in kept
    assert (cache / "other-0000000a.marshal").exists()
    # The newest builds survive: the last checkout's value is read back, not rebuilt.
    last = tmp_path / "checkout11" / "words.txt"
    builder = Builder(last)
    store.derived("words", [last], builder)
    assert builder.calls == 0
