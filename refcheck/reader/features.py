"""Tokens of one reference string and the features the field labeller sees.

A token is a run of letters and digits or one other non-space character, so
field boundaries fall between tokens ("53(4):293–300" is seven tokens) and
every token keeps its character offsets.  Features are the ones CRF reference
parsers use (ParsCit, GROBID, AnyStyle): the word, its shape, punctuation,
lexicon memberships (given names, journal words, publisher words, months),
where it sits (relative position, inside quotes or brackets, how many
sentences and commas precede it) and its neighbours.  What depends on the
token alone is computed once per distinct token string and cached: a list of
10,000 references repeats most of its tokens.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "LABELS",
    "Lexicons",
    "Token",
    "load_lexicons",
    "tagger_features",
    "token_features",
    "tokenize",
]

# The labels the model assigns.  Publisher, place, editors and notes are "O":
# the labelled sets it learns from do not mark them (refcheck/parsers reads them).
LABELS = ("author", "year", "title", "container", "volume", "issue", "pages", "O")

Token = tuple[str, int, int]  # text, start, end

_TOKEN_RE = re.compile(r"[^\W_]+|\S")
_OPEN_QUOTES = frozenset('“"‘«„')
_CLOSE_QUOTES = frozenset("”’»")
_RANGE_DASHES = frozenset("‐‑‒–—−")
_MONTHS = frozenset(
    [
        "jan",
        "january",
        "feb",
        "february",
        "mar",
        "march",
        "apr",
        "april",
        "may",
        "jun",
        "june",
        "jul",
        "july",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "nov",
        "november",
        "dec",
        "december",
    ]
)
_KEYWORDS = {
    "vol": "vol",
    "volume": "vol",
    "no": "no",
    "nr": "no",
    "issue": "no",
    "pp": "pp",
    "p": "pp",
    "pages": "pp",
    "page": "pp",
    "in": "in",
    "ed": "ed",
    "eds": "ed",
    "editor": "ed",
    "editors": "ed",
    "et": "etal",
    "al": "etal",
    "and": "and",
    "doi": "id",
    "available": "id",
    "accessed": "id",
    "retrieved": "id",
}

LEXICON_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lexicons.json")


class Lexicons:
    """Word sets the features consult, each lower-cased."""

    def __init__(self, sets: Mapping[str, Sequence[str]]) -> None:
        self.sets = {name: frozenset(words) for name, words in sets.items()}

    def tags(self, low: str) -> tuple[str, ...]:
        return tuple(name for name, words in self.sets.items() if low in words)


def load_lexicons(path: str = LEXICON_FILE) -> Lexicons:
    with open(path, encoding="utf-8") as fh:
        return Lexicons(json.load(fh))


def tokenize(text: str) -> list[Token]:
    # Only spaces lie between two tokens, so each token starts where it is
    # first found after the previous one (faster than a match object each).
    out: list[Token] = []
    pos = 0
    find = text.find
    for tok in _TOKEN_RE.findall(text):
        a = find(tok, pos)
        pos = a + len(tok)
        out.append((tok, a, pos))
    return out


def _shape(tok: str) -> str:
    out: list[str] = []
    for c in tok[:8]:
        k = "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c
        if len(out) < 2 or out[-1] != k or out[-2] != k:
            out.append(k)
    return "".join(out)


def _static(tok: str, lex: Lexicons) -> tuple[str, ...]:
    """Features of a token that do not depend on its context."""
    if tok in _RANGE_DASHES:
        tok = "–"  # PDFs and typists write a range with any of them ("3−43", "3—43")
    low = tok.lower()
    feats = ["w=" + low[:16], "sh=" + _shape(tok)]
    if tok.isdigit():
        n = int(tok[:6])
        feats.append("num" + str(min(len(tok), 5)))
        if 1500 <= n <= 2039 and len(tok) == 4:
            feats.append("yearlike")
    elif tok[:4].isdigit() and len(tok) == 5 and tok[4].islower():
        feats.append("yearsuffix")
    elif tok.isalpha():
        if len(tok) == 1:
            feats.append("letter" + ("U" if tok.isupper() else "l"))
        elif tok.isupper():
            feats.append("allcaps")
        elif tok[0].isupper():
            feats.append("cap")
        else:
            feats.append("lower")
        if re.fullmatch(r"[ivxlcdm]+", low) and len(tok) <= 5:
            feats.append("roman")
        if low in _MONTHS:
            feats.append("month")
        kw = _KEYWORDS.get(low)
        if kw:
            feats.append("kw=" + kw)
        feats.extend("lex=" + t for t in lex.tags(low))
        if len(low) > 4:
            feats.append("suf=" + low[-3:])
    elif not tok.isalnum():
        feats.append("punct")
    else:
        feats.append("alnum")
    return tuple(feats)


@lru_cache(maxsize=8)
def _cache_for(lex_id: int, as_bytes: bool) -> dict[str, tuple[Any, ...]]:
    return {}


# Context features, as text and as the UTF-8 bytes the tagger is given.
_TEXT_CONSTANTS: tuple[Any, ...] = (
    tuple(f"pos={k}" for k in range(10)),
    ("q=0", "q=1"),
    ("par=0", "par=1"),
    tuple(f"sent={k}" for k in range(5)),
    tuple(f"com={k}" for k in range(7)),
    "afteryear",
    "glued",
    "spaced",
    "BOS",
    "EOS",
    "gluednext",
)


def _encoded(x: Any) -> Any:
    return x.encode() if isinstance(x, str) else tuple(_encoded(y) for y in x)


_BYTE_CONSTANTS = _encoded(_TEXT_CONSTANTS)


def token_features(text: str, tokens: Sequence[Token], lex: Lexicons) -> list[list[str]]:
    """One feature list per token."""
    return _features(text, tokens, lex, False)


def tagger_features(text: str, tokens: Sequence[Token], lex: Lexicons) -> list[list[bytes]]:
    """``token_features`` as UTF-8 bytes, the form the CRF tagger reads: it
    encodes each text feature it is given, and a token's own features,
    cached per token string, are then encoded once."""
    return _features(text, tokens, lex, True)


def _features(text: str, tokens: Sequence[Token], lex: Lexicons, as_bytes: bool) -> list[list[Any]]:
    cache = _cache_for(id(lex), as_bytes)
    pos_f, q_f, par_f, sent_f, com_f, afteryear, glued, spaced, bos, eos, gluednext = (
        _BYTE_CONSTANTS if as_bytes else _TEXT_CONSTANTS
    )
    n = len(tokens)
    info = []
    for tok, _, _ in tokens:
        got = cache.get(tok)
        if got is None:
            st = _static(tok, lex)
            w, sh = st[0][2:], st[1][3:]
            year = "yearlike" in st or "yearsuffix" in st
            got = (st, "p1" + w, "p2" + w, "n1" + w, "n2" + w, "ps1" + sh, "ns1" + sh, year)
            if as_bytes:
                got = (*_encoded(got[:7]), year)
            if len(cache) < 200_000:
                cache[tok] = got
        info.append(got)
    out: list[list[Any]] = []
    quote = paren = sentences = commas = 0
    seen_year = False
    prev_end = 0
    tlen = len(text)
    last = n - 1
    for i in range(n):
        tok, a, b = tokens[i]
        me = info[i]
        # The order of a token's features does not matter to the CRF.
        f = [
            *me[0],
            pos_f[10 * i // n],
            q_f[quote > 0],
            par_f[paren > 0],
            sent_f[sentences if sentences < 4 else 4],
            com_f[commas if commas < 6 else 6],
        ]
        if seen_year:
            f.append(afteryear)
        if i:
            prev = info[i - 1]
            f += (prev[1], prev[5], glued if a == prev_end else spaced)
            if i > 1:
                f.append(info[i - 2][2])
        else:
            f.append(bos)
        if i < last:
            nxt = info[i + 1]
            f += (nxt[3], nxt[6])
            if tokens[i + 1][1] == b:
                f.append(gluednext)
            if i + 1 < last:
                f.append(info[i + 2][4])
        else:
            f.append(eos)
        out.append(f)
        prev_end = b
        # State after this token, for the tokens that follow.
        if len(tok) == 1 and not tok.isalnum():
            if tok in _OPEN_QUOTES and (tok != '"' or quote == 0):
                quote += 1
            elif (tok in _CLOSE_QUOTES or tok == '"') and quote > 0:
                quote -= 1
            elif tok in "([":
                paren += 1
            elif tok in ")]":
                if paren > 0:
                    paren -= 1
            elif tok in ".?!":
                # An initial's full stop ("J. Smith") does not end a sentence.
                if (b >= tlen or text[b].isspace()) and not (
                    i > 0 and len(tokens[i - 1][0]) == 1 and tokens[i - 1][0].isupper()
                ):
                    sentences += 1
            elif tok == ",":
                commas += 1
        if me[7]:
            seen_year = True
    return out
