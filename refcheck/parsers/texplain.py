"""LaTeX text as plain text, with each character's place in the source.

A ``\\bibitem``'s text or a biblatex field value is LaTeX (``{\\em Journal},
12(3):1--10``, ``K{\\"o}nig``, ``\\newblock``); the plain-text field reader
and the rules want the words.  :func:`to_plain` renders the text the way it
prints — accents decoded, braces and font switches dropped, ``~`` a space,
``--`` an en dash — and keeps a map from every character back to the
source (an :class:`~refcheck.parsers.xmlsafe.Plain`), so what is found in
the plain text is reported where it is written.  Linear in the input,
never raises.
"""

from __future__ import annotations

import re

from refcheck.parsers.latex import decode
from refcheck.parsers.xmlsafe import Plain

__all__ = ["bracket_end", "group_end", "to_plain"]

_ACCENT_CMDS = frozenset("'\"`^~=.uvHcdbtrk")
_LETTER_SYMBOLS = frozenset(
    {"ss", "o", "O", "ae", "AE", "aa", "AA", "oe", "OE", "l", "L", "i", "j"}
)
# Commands printed as text.
_WORDS = {
    "urlprefix": "URL ",
    "BIBand": "and",
    "bibrangedash": "–",
    "textendash": "–",
    "textemdash": "—",
    "dots": "…",
    "ldots": "…",
    "bibinitperiod": ".",
    "bibinitdelim": " ",
    "bibnamedelima": " ",
    "bibnamedelimb": " ",
    "bibnamedelimc": " ",
    "bibnamedelimd": " ",
    "bibnamedelimi": " ",
    "addspace": " ",
    "space": " ",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "doiprefix": "doi:",
}
# Commands whose first argument is markup, not text (``\bibinfo{author}{…}``).
_DROP_FIRST = frozenset({"bibinfo", "bibfield", "href", "bibitemdeclare"})
# Commands whose argument is dropped with them.
_DROP_ALL = frozenset({"penalty", "hskip", "vskip", "label", "bibitemStart", "providecommand",
                       "showISSN", "showISBNx", "showCODEN", "showLCCN", "showDOI",
                       "EOS", "bibAnnote", "bibAnnoteFile", "selectlanguage"})
_VERBATIM = frozenset({"url", "path", "nolinkurl"})
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:pt|em|ex)?")


def group_end(text: str, pos: int, limit: int | None = None) -> int:
    """Offset after the brace group opened at ``text[pos] == '{'`` (``limit`` if unclosed)."""
    return _closing(text, pos, len(text) if limit is None else limit, "}")


def bracket_end(text: str, pos: int, limit: int) -> int:
    """Offset after the ``]`` closing the optional argument at ``text[pos] == '['``."""
    return _closing(text, pos, limit, "]")


def _closing(text: str, pos: int, n: int, closer: str) -> int:
    """Offset after the first ``closer`` that leaves no brace open from ``pos`` on, or ``n``."""
    depth = 0
    i = pos
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == closer and depth <= 0:
            return i + 1
        i += 1
    return n


def to_plain(text: str, start: int = 0, end: int | None = None) -> Plain:
    """``text[start:end]`` rendered as plain text, mapped to offsets of ``text``."""
    out = Plain()
    _render(text, start, len(text) if end is None else end, out)
    return out


def _render(text: str, i: int, n: int, out: Plain) -> None:
    while i < n:
        c = text[i]
        if c == "%":
            nl = text.find("\n", i, n)
            i = n if nl == -1 else nl + 1
            while i < n and text[i] in " \t":
                i += 1
            continue
        if c in "{}$":
            i += 1
            continue
        if c == "~":
            out.add(" ", i, i + 1, opaque=True)
            i += 1
            continue
        if c == "-" and text.startswith("--", i):
            k = 3 if text.startswith("---", i) else 2
            out.add("—" if k == 3 else "–", i, i + k, opaque=True)
            i += k
            continue
        if c in "`'" and i + 1 < n and text[i + 1] == c:
            out.add("“" if c == "`" else "”", i, i + 2, opaque=True)
            i += 2
            continue
        if c == "\\":
            i = _command(text, i, n, out)
            continue
        j = i
        while j < n and text[j] not in "%{}$~-`'\\":
            j += 1
        if j == i:
            j = i + 1
        out.add(text[i:j], i, j)
        i = j


def _skip_spaces(text: str, i: int, n: int) -> int:
    while i < n and text[i] in " \t":
        i += 1
    return i


def _command(text: str, i: int, n: int, out: Plain) -> int:
    if i + 1 >= n:
        return n
    nxt = text[i + 1]
    if not nxt.isalpha():
        if nxt in _ACCENT_CMDS:
            return _accent(text, i, n, out)
        if nxt in "&%_#$":
            out.add(nxt, i, i + 2, opaque=True)
        elif nxt in " \\,;:!\n":
            out.add(" ", i, i + 2, opaque=True)
        return i + 2
    j = i + 1
    while j < n and text[j].isalpha():
        j += 1
    name = text[i + 1 : j]
    if j < n and text[j] == "*":
        j += 1
    if name in _ACCENT_CMDS and len(name) == 1:
        return _accent(text, i, n, out)
    after = _skip_spaces(text, j, n)
    if name in _LETTER_SYMBOLS:
        end = after
        if end < n and text[end] == "{" and text.startswith("{}", end):
            end += 2
        out.add(decode("\\" + name + "{}") or name, i, j, opaque=True)
        return end
    if name in _WORDS:
        out.add(_WORDS[name], i, j, opaque=True)
        return after
    if name in _VERBATIM and after < n and text[after] == "{":
        close = group_end(text, after, n)
        inner_end = close - 1 if text[close - 1 : close] == "}" else close
        out.add(text[after + 1 : inner_end], after + 1, inner_end)
        return close
    if name in _DROP_ALL:
        k = after
        if k < n and text[k] == "{":
            k = group_end(text, k, n)
        else:
            m = _NUMBER.match(text, k, n)
            if m:
                k = m.end()
                if k < n and text[k] == " ":
                    k += 1  # the space that ends a TeX number is not printed
        return k
    if name in _DROP_FIRST and after < n and text[after] == "{":
        return group_end(text, after, n)
    # Any other command (\newblock, \em, \emph, \textit, \natexlab, …):
    # the name goes, its arguments stay as text.  TeX swallows the spaces
    # after a command word; one is kept when text follows directly, so
    # "\newblock Title" does not glue to the previous sentence.
    if after > j or (j < n and text[j] == "\n"):
        out.add(" ", j, after, opaque=True)
    return after


def _accent(text: str, i: int, n: int, out: Plain) -> int:
    """``\\"o``, ``\\"{o}``, ``\\v{c}``, ``\\'{\\i}``: one decoded letter."""
    j = i + 2
    if text[i + 1].isalpha():  # \v, \u, \H, …: a letter command, maybe then a space
        j = _skip_spaces(text, i + 2, n)
    if j < n and text[j] == "{":
        end = group_end(text, j, n)
    elif j < n and text[j] == "\\":
        k = j + 1
        while k < n and text[k].isalpha():
            k += 1
        end = k
    else:
        end = min(j + 1, n)
    piece = text[i:end]
    rendered = decode(piece) or piece
    out.add(rendered, i, end, opaque=True)
    return end
