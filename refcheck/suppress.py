"""The suppression grammar: `refcheck: ignore[CODES]`, `refcheck: ignore`, `refcheck: ignore-file`.

A comment on its own line applies to the reference (or line) that follows it; a
comment inside a reference applies to that reference; otherwise to its line.
Codes are prefixes (`RC2` silences every artifact rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from refcheck.model import Document

# `refcheck: ignore[RC101,RC2]`, `refcheck: ignore` (all rules), `refcheck: ignore-file`.
_SUPPRESS = re.compile(
    r"refcheck:\s*(?P<kind>ignore-file|ignore)(?:\[(?P<codes>[A-Za-z0-9_,\s-]*)\])?"
)
_COMMENT_LEAD = re.compile(r"^\s*(?:%+|<!--|#+|//|;)?\s*$")
_SUPPRESSED_CODE = re.compile(r"[^,\s]+")


def suppression_codes(text: str) -> Iterator[tuple[int, str]]:
    """The offset and text of every code a suppression comment names (for RC047)."""
    if "refcheck:" not in text:
        return
    for m in _SUPPRESS.finditer(text):
        if m.group("codes"):
            base = m.start("codes")
            for c in _SUPPRESSED_CODE.finditer(m.group("codes")):
                yield base + c.start(), c.group()


def find_suppressions(doc: Document) -> list[tuple[int, int, frozenset[str] | None]]:
    text = doc.text
    if "refcheck:" not in text:
        return []
    out: list[tuple[int, int, frozenset[str] | None]] = []
    for m in _SUPPRESS.finditer(text):
        codes_text = m.group("codes")
        codes = (
            frozenset(c.strip().upper() for c in codes_text.split(",") if c.strip())
            if codes_text
            else None
        )
        if m.group("kind") == "ignore-file":
            out.append((0, len(text), codes))
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end == -1 else line_end
        own_line = bool(_COMMENT_LEAD.match(text[line_start : m.start()]))
        if own_line:
            # Applies to the reference (or line) that follows the comment.
            target = next((r for r in doc.references if r.start >= line_end), None)
            nxt = line_end + 1
            while nxt < len(text) and text[nxt] in " \t\r\n":
                nxt += 1
            if target is not None and text[nxt : target.start].strip() == "":
                out.append((target.start, target.end, codes))
            else:
                stop = text.find("\n", nxt)
                out.append((nxt, len(text) if stop == -1 else stop, codes))
        else:
            host = next((r for r in doc.references if r.start <= m.start() < r.end), None)
            if host is not None:
                out.append((host.start, host.end, codes))
            else:
                out.append((line_start, line_end, codes))
    return out


def suppressed(doc: Document, start: int, code: str) -> bool:
    for s, e, codes in doc.suppressions:
        if s <= start <= e and (codes is None or any(code.startswith(c) for c in codes)):
            return True
    return False
