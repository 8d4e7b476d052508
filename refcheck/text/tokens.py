"""Word tokens with offsets, and the shape tests the rules use on them."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from refcheck.text.patterns import lazy

# A run of letters/digits, with inner apostrophes ("Russia’s", "O'Neil").  A
# brace group of letters belongs to the word it touches: BibTeX protects a
# capital with braces ("{S}ydney", "{I}nternational"), and splitting there would
# leave a fragment ("ydney") that looks like a misspelling.  A token's text is
# the word without its braces (plain()); its offsets cover the braces.  No
# lookaround: searching text[lo:hi] and text with pos/endpos lo, hi find the same words.
# Two branches, a word starting with a letter and one starting with a brace
# group, so that the common case runs letter runs, not a choice per character.
_L = r"[\p{L}\p{M}\p{N}]"
_TAIL = r"(?:['’][\p{L}\p{M}]+)*"
WORD = lazy(
    rf"{_L}+(?:\{{{_L}+\}}{_L}*)*{_TAIL}|\{{{_L}+\}}(?:{_L}|\{{{_L}+\}})*{_TAIL}"
)
_INITIAL = lazy(r"\p{Lu}\p{Ll}?\.")


class Token(NamedTuple):
    text: str
    start: int  # absolute offset into the document text
    end: int


_new_tuple = tuple.__new__


def plain(word: str) -> str:
    """A matched word without the case-protection braces inside it."""
    return word.replace("{", "").replace("}", "") if "{" in word else word


def words(text: str, offset: int = 0) -> list[Token]:
    """Every word-like token of ``text``; offsets are shifted by ``offset``."""
    # tuple.__new__ makes the same Token without the namedtuple's Python-level
    # __new__ (the word rules read regions through refcheck/text/scan.py instead).
    new, token = _new_tuple, Token
    return [
        new(token, (plain(m.group()), m.start() + offset, m.end() + offset))
        for m in WORD.finditer(text)
    ]


def is_alpha(word: str) -> bool:
    return all(c.isalpha() or c in "'’" for c in word)


# Asked for every token by several rules; a dictionary hit beats re-counting letters.
@lru_cache(maxsize=65536)
def is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2


def is_capitalized(word: str) -> bool:
    return word[:1].isupper()


def is_initial(text: str) -> bool:
    return bool(_INITIAL.fullmatch(text))
