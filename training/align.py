"""Turn labelled references into character spans per field.

Two sources, one procedure.  Each labelled reference gives field *values*
(AnyStyle's gold gives the field as written, "pp. 433-40."; a rendered record
gives the record's value, "433-440") and the text they came from.  A value is
placed on the text by searching it:

1. exact substring at token boundaries; failing that, the same search on a
   folded copy of the text (lower case, one dash, one quote, ligatures
   expanded one character for one, so offsets stay the text's);
2. long fields first (title, container, authors), so a short value ("4") is
   not placed inside a title; each value takes the first place that overlaps
   no field placed before it, and volume, issue and pages take the first
   place after the container (after the title when there is no container);
3. each span is trimmed to its content: surrounding spaces, punctuation and
   quotes go ("“Title,”" → "Title"), a closing bracket stays only when its
   opening one is inside, "?" and "!" closing a title stay; locator words go
   ("pp. 433-40" → "433-40", "Vol. 3" → "3"), and a date keeps only its year
   ("(Oct. 1988)" → "1988"), because the rendered records label only these.

A reference whose non-empty field cannot be placed is left out of training
and evaluation (the counts are printed).  Token labels are then the label of
the span holding a token's first character, else "O".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

Span = tuple[str, int, int]

_DASHES = "‐‑‒–—−"
_QUOTES = '“”„‟«»‘’‚‛`´"'
# A locator word is a whole word: "pages 381" loses "pages", not its "p";
# "sec. 1A" is no "S." (German "Seite").
_LOCATOR_WORD = re.compile(
    r"(?:pages?|pp?|vol(?:ume)?|no|nr|issue|iss|[ТтСс]|№|Bd|Heft|S)(?![^\W\d_])\.?\s*(?=\w)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)[a-z]?(?!\d)")
ORDER = ("title", "container", "author", "pages", "year", "volume", "issue")
_AFTER_CONTAINER = ("volume", "issue", "pages")


def fold(text: str) -> str:
    """A copy of ``text`` for searching, one character for one."""
    out: list[str] = []
    for c in text:
        if c in _DASHES:
            out.append("-")
        elif c in _QUOTES:
            out.append("'")
        else:
            k = unicodedata.normalize("NFKD", c)
            k = "".join(x for x in k if not unicodedata.combining(x))[:1] or c
            out.append(k.lower()[:1] or c)
    return "".join(out)


def _boundary(text: str, a: int, b: int) -> bool:
    left = a == 0 or not (text[a - 1].isalnum() and text[a].isalnum())
    right = b >= len(text) or not (text[b - 1].isalnum() and text[b].isalnum())
    return left and right


def _occurrences(text: str, folded: str, value: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for hay, needle in ((text, value), (folded, fold(value))):
        if not needle:
            continue
        i = hay.find(needle)
        while i >= 0 and len(out) < 50:
            if _boundary(text, i, i + len(needle)) and (i, i + len(needle)) not in out:
                out.append((i, i + len(needle)))
            i = hay.find(needle, i + 1)
        if out:
            break
    return out


def trim(text: str, label: str, a: int, b: int) -> tuple[int, int]:
    """Trim a span to its content (see the module docstring)."""
    for _ in range(4):
        while a < b and not text[a].isalnum() and text[a] not in "([":
            a += 1
        while b > a and not text[b - 1].isalnum():
            c = text[b - 1]
            if c in "?!" and label == "title":
                break
            if c == ")" and "(" in text[a : b - 1]:
                break
            if c == "]" and "[" in text[a : b - 1]:
                break
            b -= 1
        if a < b and text[a] in "([":
            close = ")" if text[a] == "(" else "]"
            if close not in text[a:b]:
                a += 1
                continue
        if label in ("volume", "issue", "pages"):
            m = _LOCATOR_WORD.match(text, a, b)
            if m and m.end() < b:
                a = m.end()
                continue
        break
    if label == "year":
        m = _YEAR.search(text, a, b)
        if m is None:
            return a, a
        return m.start(), m.end()
    return a, b


def align(text: str, values: dict[str, str | None], strict: bool = False) -> list[Span] | None:
    """Place each field value on ``text``; None when a value cannot be placed.

    ``strict`` (rendered records, whose style may leave a value out): volume,
    issue and pages are looked for only after the container or title, and a
    value not found there is taken as not printed.
    """
    folded = fold(text)
    placed: dict[str, tuple[int, int]] = {}
    for label in ORDER:
        value = values.get(label)
        if not value or not value.strip():
            continue
        value = value.strip()
        cands = _occurrences(text, folded, value)
        if not cands and label == "year":
            m = _YEAR.search(value)
            if m:
                cands = _occurrences(text, folded, m.group())
        free = [(a, b) for a, b in cands if not any(a < y and x < b for x, y in placed.values())]
        if label in _AFTER_CONTAINER:
            anchor = placed.get("container") or placed.get("title")
            if anchor is not None:
                after = [c for c in free if c[0] >= anchor[1]]
                free = after if after or strict else free
            if not free and strict:
                continue
        if not free:
            return None
        placed[label] = free[0]
    spans: list[Span] = []
    for label, (a, b) in placed.items():
        a, b = trim(text, label, a, b)
        if b > a:
            spans.append((label, a, b))
    return sorted(spans, key=lambda s: s[1])


def anystyle_values(text: str, gold: dict[str, Any]) -> dict[str, str | None]:
    """The field values of one AnyStyle gold row, as ``align`` takes them.

    AnyStyle labels whitespace-separated tokens, one label a token, so a glued
    "31(3):491–514" is labelled volume whole; the shared corpus split it into
    volume and issue and dropped the pages (53 of 53 such tokens in the gold
    have no pages; none elsewhere lacks them).  The pages are the rest of that
    token after the colon; taken so for training and evaluation alike.
    """
    values: dict[str, str | None] = {
        "author": gold.get("authors_raw"),
        "year": gold.get("date_raw") or gold.get("year"),
        "title": gold.get("title"),
        "container": gold.get("container"),
        "volume": gold.get("volume"),
        "issue": gold.get("issue"),
        "pages": gold.get("pages"),
    }
    vol = (values["volume"] or "").strip(" .,:;")
    glued = re.fullmatch(r"([^\s():;]+)(?:\(([^()\s]+)\))?:(\S*\d\S*)", vol)
    if glued and not values["pages"]:
        # The whole token in the volume ("4:103–122,"): volume, issue, pages.
        values["volume"] = glued.group(1)
        values["issue"] = values["issue"] or glued.group(2)
        values["pages"] = glued.group(3)
    elif vol and not values["pages"]:
        m = re.search(
            rf"(?<!\S){re.escape(vol)}(?:\([^()\s]*\))?:([^\s:]*\d[^\s:]*?)[.,;]?(?!\S)", text
        )
        if m:
            values["pages"] = m.group(1)
    return values


def token_labels(tokens: Sequence[tuple[str, int, int]], spans: Sequence[Span]) -> list[str]:
    out: list[str] = []
    for _, a, _ in tokens:
        lab = "O"
        for label, x, y in spans:
            if x <= a < y:
                lab = label
                break
        out.append(lab)
    return out


def held_out(key: str) -> bool:
    """The fixed evaluation split: a fifth of the keys, by hash, never trained on."""
    return hashlib.sha1(key.encode("utf-8")).digest()[0] % 5 == 0
