"""The misspelling list is searched in place: every word it holds is found, nothing else."""

from __future__ import annotations

from refcheck.text import lexicon


def test_every_listed_misspelling_is_found_and_nothing_else() -> None:
    pairs = dict(line.split(" ", 1) for line in lexicon._misspelling_lines().splitlines())
    assert len(pairs) > 30_000
    for wrong, right in pairs.items():
        assert lexicon.misspelling_of.__wrapped__(wrong) == right
    # Neighbours in the sorted order, at the ends of a first-two-letters block too.
    near = {w + "z" for w in pairs} | {w[:-1] for w in pairs} | {"", "a", "zzzzz", "éclair"}
    for word in near:
        assert lexicon.misspelling_of.__wrapped__(word) == pairs.get(word)
