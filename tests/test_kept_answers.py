"""Answers kept between runs (refcheck/text/kept.py) come back only while their sources stand."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from refcheck.text.kept import KeptAnswers


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "table.txt"
    path.write_text("one\n")
    return path


def _counting() -> tuple[list[str], Callable[[str], int]]:
    calls: list[str] = []

    def length(word: str) -> int:
        calls.append(word)
        return len(word)

    return calls, length


def test_a_later_run_gets_the_kept_answer_without_computing_it(source: Path) -> None:
    calls, length = _counting()
    first = KeptAnswers("t", lambda: [source], limit=100)
    assert [first.answer(w, length, w) for w in ("ab", "abc")] == [2, 3]
    first.save()
    later = KeptAnswers("t", lambda: [source], limit=100)
    assert later.answer("abc", length, "abc") == 3
    assert later.answer("abcd", length, "abcd") == 4
    assert calls == ["ab", "abc", "abcd"]


def test_a_changed_source_discards_every_kept_answer(source: Path) -> None:
    calls, length = _counting()
    first = KeptAnswers("t", lambda: [source], limit=100)
    first.answer("ab", length, "ab")
    first.save()
    stat = source.stat()
    source.write_text("two\n")  # same size: the time tells
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    later = KeptAnswers("t", lambda: [source], limit=100)
    later.answer("ab", length, "ab")
    assert calls == ["ab", "ab"]


def _kept(source: Path, limit: int, compute: Callable[[str], int],
          words: tuple[str, ...]) -> None:
    """A run that answers ``words`` with ``compute`` and keeps its answers."""
    first = KeptAnswers("t", lambda: [source], limit=limit)
    for w in words:
        first.answer(w, compute, w)
    first.save()


def test_nothing_is_kept_while_a_source_is_missing(source: Path, tmp_path: Path) -> None:
    _, length = _counting()
    missing = tmp_path / "not-built-yet.bin"
    first = KeptAnswers("t", lambda: [source, missing], limit=100)
    assert first.answer("ab", length, "ab") == 2
    first.save()
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_only_the_newest_answers_past_the_limit_are_kept(source: Path) -> None:
    calls, length = _counting()
    _kept(source, 2, length, ("a", "bb", "ccc"))
    later = KeptAnswers("t", lambda: [source], limit=2)
    for w in ("a", "bb", "ccc"):
        later.answer(w, length, w)
    assert calls == ["a", "bb", "ccc", "a"]


def test_word_kinds_kept_are_the_kinds_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refcheck.text import scan
    from refcheck.text.kept import word_sources

    words = ["recieve", "Revew", "goverment", "the", "neuroimaging", "finaly", "ofthe",
             "inthe", "Varoquaux", "connectome", "Effciency", "brain", "fMRI"]
    computed = {w: scan._kind(w, False) for w in words}  # the tables as the user has them
    assert any(computed.values()) and not all(computed.values())
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path))

    def sources() -> list[Path]:  # the real sources, but for the tables' file (not in tmp)
        return [p for p in word_sources() if p.exists()]

    first = KeptAnswers("kinds", sources, limit=1000)
    for w in words:
        first.answer("r" + w, scan._kind, w, False)
    first.save()
    later = KeptAnswers("kinds", sources, limit=1000)
    never = lambda *a: pytest.fail("computed again")  # noqa: E731
    assert {w: later.answer("r" + w, never) for w in words} == computed


def test_the_answers_a_run_used_outlive_older_ones(source: Path) -> None:
    calls, length = _counting()
    _kept(source, 3, length, ("a", "bb", "ccc"))
    second = KeptAnswers("t", lambda: [source], limit=3)
    second.answer("a", length, "a")  # kept: used again
    second.answer("dddd", length, "dddd")  # new: "bb", the oldest unused, makes room
    second.save()
    third = KeptAnswers("t", lambda: [source], limit=3)
    for w in ("a", "ccc", "dddd", "bb"):
        third.answer(w, length, w)
    assert calls == ["a", "bb", "ccc", "dddd", "bb"]


def test_venue_answers_kept_are_the_answers_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refcheck.rules import typos, venue_forms
    from refcheck.text.kept import word_sources

    venues = ["Jounal of Geophysical Research", "Journal of the American Chemistry Society",
              "Physical Review Letters", "Nature", "Journal of Statistical Sofware",
              "American Astronomy Society Meeting Abstracts", "NeuroImage"]
    slips = {v: typos._venue_slip_of(v) for v in venues}
    forms = {v: venue_forms._word_form_slip(v) for v in venues}
    assert any(slips.values()) and any(forms.values()) and not all(slips.values())
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path))

    def sources() -> list[Path]:
        return [p for p in word_sources(typos.__file__) if p.exists()]

    for fn, answers in ((typos._venue_slip_of, slips), (venue_forms._word_form_slip, forms)):
        first = KeptAnswers("venues", sources, limit=100)
        for v in venues:
            first.answer(v, fn, v)
        first.save()
        later = KeptAnswers("venues", sources, limit=100)
        never = lambda *a: pytest.fail("computed again")  # noqa: E731
        assert {v: later.answer(v, never) for v in venues} == answers
        for kept in tmp_path.glob("venues-*"):
            kept.unlink()


def test_run_together_cuts_kept_are_the_cuts_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refcheck.rules import pdfdamage
    from refcheck.text.kept import word_sources

    words = ["Ananalysisofthe", "representationsofwords", "ArtofComputer", "Nevertheless",
             "photosynthesis", "neuroimaging"]
    cuts = {w: pdfdamage._segment(w) for w in words}
    assert any(cuts.values()) and not all(cuts.values())
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path))

    def sources() -> list[Path]:
        return [p for p in word_sources(pdfdamage.__file__) if p.exists()]

    first = KeptAnswers("cuts", sources, limit=100)
    for w in words:
        first.answer(w, pdfdamage._segment, w)
    first.save()
    later = KeptAnswers("cuts", sources, limit=100)
    never = lambda *a: pytest.fail("computed again")  # noqa: E731
    assert {w: later.answer(w, never) for w in words} == cuts


def test_a_long_key_is_answered_but_never_kept(source: Path) -> None:
    calls, length = _counting()
    long = "x" * 5000
    first = KeptAnswers("t", lambda: [source], limit=100)
    assert first.answer(long, length, long) == 5000
    first.save()
    later = KeptAnswers("t", lambda: [source], limit=100)
    assert later.answer(long, length, long) == 5000
    assert len(calls) == 2
