"""Curated phrases and real journal titles, read from ``refcheck/data``.

See ``refcheck/data/README.md`` for where each list comes from.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple


class Phrase(NamedTuple):
    category: str
    text: str
    words: tuple[str, ...]  # lower-cased


def _lines(name: str) -> list[str]:
    data = (Path(__file__).resolve().parent.parent / "data" / name).read_text(encoding="utf-8")
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


@lru_cache(maxsize=1)
def journal_titles() -> tuple[str, ...]:
    return tuple(_lines("journals.txt"))


@lru_cache(maxsize=1)
def journal_words() -> frozenset[str]:
    """Every word of a known journal title or curated phrase (lower-cased)."""
    import regex

    out: set[str] = set()
    for title in (*journal_titles(), *(p.text for p in phrases())):
        out.update(w.lower() for w in regex.findall(r"\p{L}+", title))
    return frozenset(out)
