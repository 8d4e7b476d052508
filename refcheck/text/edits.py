"""Whether an edit changes words: the yardstick of a safe fix.

A safe fix (one ``--fix`` applies unasked) may change what stands between
words — a dash, a quotation mark, an invisible character, whitespace inside
a DOI or URL — but never the letters of a word, a number's sign ("10−7" is
ten to the minus seven), or where one word ends and the next begins
("Formatter" is not "For matter").  :func:`changed_words` tells which edits
do; ``tests/test_fix_safety.py`` holds every rule's safe fixes to it on real
bibliographies, and ``benchmarks/false_alarms.py`` counts them.
"""

from __future__ import annotations

import regex

# A word, or a number with its minus signs.
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:\u2212\p{N}+)*")
# Invisible format characters (zero-width space, soft hyphen) belong to no word.
_FORMAT = regex.compile(r"[\p{Cf}\u00ad]")
# An identifier is not made of words: its form is for the DOI and URL rules
# (RC001, RC002, RC020, RC201, RC205) to judge, each with its own tests.
_IDENTIFIER = regex.compile(
    r"\S*(?:://|www\.|doi:|doi\.org|\b10\.\d{4,9}\s?/)\S*", regex.IGNORECASE
)


def words_of(text: str) -> list[str]:
    """The words of ``text`` as a safe edit must keep them."""
    found: list[str] = _WORD.findall(_IDENTIFIER.sub(" ", _FORMAT.sub("", text)))
    return found


def changed_words(text: str, start: int, end: int, replacement: str) -> tuple[str, str] | None:
    """(before, after) of the whitespace-delimited stretch around an edit that
    changes its words; None when the words stay as they are."""
    lo = max(0, start - 1)
    hi = min(len(text), end + 1)
    # Widened to whole words on both sides, so that a split or a join shows.
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    before = text[lo:hi]
    after = text[lo:start] + replacement + text[end:hi]
    if words_of(before) == words_of(after):
        return None
    return before, after
