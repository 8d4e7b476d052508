"""BibTeX name lists: splitting on ``and`` and reading each name's parts (BibTeX's rules)."""

from __future__ import annotations

import re
from functools import lru_cache

from refcheck.model import Author
from refcheck.parsers.latex import decode

# ---------------------------------------------------------------------------
# Names


# Separators and braces, the only characters that matter when splitting names.
_WORD_MARKS = re.compile(r"[{}]|[\s~]+")
_COMMA_MARKS = re.compile(r"[{},]")


def _top_level_words(text: str) -> list[str]:
    """Words separated by whitespace or ``~`` outside braces."""
    if "{" not in text:
        # A `}` without its `{` changes no depth: it is part of a word.
        return text.replace("~", " ").split()
    words: list[str] = []
    depth = 0
    word_start = 0
    for m in _WORD_MARKS.finditer(text):
        token = m.group()
        if token == "{":
            depth += 1
        elif token == "}":
            if depth > 0:
                depth -= 1
        elif depth == 0:
            if m.start() > word_start:
                words.append(text[word_start : m.start()])
            word_start = m.end()
    if word_start < len(text):
        words.append(text[word_start:])
    return words


def split_names(value: str) -> list[str]:
    """The names of a BibTeX name list (``A and B and {C and D}``), as written."""
    if not value.strip():
        return []
    names: list[str] = []
    current: list[str] = []
    for word in _top_level_words(value):
        if len(word) == 3 and word.lower() == "and":
            if current:
                names.append(" ".join(current))
            current = []
        else:
            current.append(word)
    if current:
        names.append(" ".join(current))
    # "and others" is BibTeX's et al.: not a person.
    return [n for n in names if len(n) < 6 or n.strip().lower() != "others"]


def _split_commas(name: str) -> list[str]:
    if "{" not in name:
        return [part.strip() for part in name.split(",")]
    parts: list[str] = []
    depth = 0
    last = 0
    for m in _COMMA_MARKS.finditer(name):
        char = m.group()
        if char == "{":
            depth += 1
        elif char == "}":
            if depth > 0:
                depth -= 1
        elif depth == 0:
            parts.append(name[last : m.start()].strip())
            last = m.end()
    parts.append(name[last:].strip())
    return parts


def _is_whole_group(name: str) -> bool:
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for i, char in enumerate(name):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and i != len(name) - 1:
                return False
    return depth == 0


def _starts_lower(word: str) -> bool:
    """BibTeX's 'von' test: the first letter at brace depth 0 is lower case."""
    depth = 0
    for char in word:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char.isalpha():
            return char.islower()
    return False


def _people(value: str) -> list[Author]:
    """The Authors of a name list; each reference gets Authors of its own."""
    return [Author(family, given, literal) for family, given, literal in _name_list(value)]


# The same people, and the same lists of them, recur across a bibliography.
# Author is mutable, so what is kept is its parts.
@lru_cache(maxsize=4096)
def _name_list(value: str) -> tuple[tuple[str, str | None, bool], ...]:
    return tuple(_name_parts(name) for name in split_names(value))


@lru_cache(maxsize=8192)
def _name_parts(name: str) -> tuple[str, str | None, bool]:
    name = name.strip()
    if _is_whole_group(name):
        return decode(name[1:-1]), None, True
    parts = _split_commas(name)
    if len(parts) >= 2:
        # "von Last, First" or "von Last, Jr, First" (the Jr part is not kept).
        return decode(parts[0]), decode(parts[-1]) or None, False
    words = _top_level_words(name)
    if len(words) <= 1:
        return decode(name), None, False
    last = len(words) - 1
    # The first lower-case word starts the family name ("Ludwig van Beethoven").
    von = next((i for i in range(last) if _starts_lower(words[i])), last)
    given = decode(" ".join(words[:von])) or None
    return decode(" ".join(words[von:])), given, False
