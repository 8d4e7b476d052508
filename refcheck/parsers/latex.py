"""LaTeX-to-Unicode decoding for BibTeX field values.

BibTeX values are LaTeX: ``{\\"u}``, ``\\'{e}``, ``{\\c c}``, ``\\&`` and
case-protection braces (``{ABC}``) must be turned into plain text before any
text check, or a spelling rule would see ``M{\\"u}ller`` instead of ``Müller``.

:func:`decode` uses pylatexenc for ordinary input.  pylatexenc walks nested
groups recursively, so deeply nested or very long values (pathological or
hostile files) go to a small regex decoder instead; that path is linear in
the input, which bounds the time spent on any value.  The same decoder takes
the commonest LaTeX in bibliographies, accents on letters (``G{\\"o}del``),
when nothing else in the value could make pylatexenc read it differently:
pylatexenc costs about a millisecond a value, and importing it a few dozen.
Neither path raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from refcheck.text.patterns import lazy_re

__all__ = ["brace_depth", "decode", "unbrace"]

# Beyond these, pylatexenc's recursion and speed are not worth the risk.
_MAX_PYLATEXENC_DEPTH = 40
_MAX_PYLATEXENC_LENGTH = 4000

# A `%` not escaped by a backslash: literal in BibTeX data (URLs, "50%"), but
# pylatexenc would read it as the start of a LaTeX comment and drop the line.
_BARE_PERCENT = lazy_re(r"(?<!\\)%")

_ACCENTS: dict[str, str] = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
_SYMBOLS: dict[str, str] = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "textendash": "–",
    "textemdash": "—",
    "textquoteright": "’",
    "textquoteleft": "‘",
}
_ESCAPES: dict[str, str] = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    ",": " ",
}
# Logo macros that pylatexenc does not know and would drop ("The {\TeX}book").
_LOGO_TEXT: dict[str, str] = {
    "LaTeXe": "LaTeX2e",
    "LaTeX": "LaTeX",
    "BibTeX": "BibTeX",
    "TeX": "TeX",
    "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX",
    "AmS": "AMS",
    "METAFONT": "METAFONT",
}
_LOGOS = lazy_re(r"\\(" + "|".join(_LOGO_TEXT) + r")(?![A-Za-z])(?:\s*\{\})?")
_PARKED: dict[str, str] = {k: chr(0xE000 + i) for i, k in enumerate(_ESCAPES)}
_UNPARK: dict[int, str] = {ord(_PARKED[k]): v for k, v in _ESCAPES.items()}
# \'e, \'{e}, {\'e}, \'{\i}: symbol accents take a letter or a dotless i/j.
_SYMBOL_ACCENT = lazy_re(r"\\([`'^\"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))")
# \c c, \c{c}, \v{S}: letter accents need a space or a group after the name.
_LETTER_ACCENT = lazy_re(r"\\([uvHckrdb])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+([A-Za-z]))")
_SYMBOL_MACRO = lazy_re(r"\\([A-Za-z]+)(?:\{\})?")
_ESCAPE = lazy_re(r"\\([&%$#_{} ,])")
_OTHER_MACRO = lazy_re(r"\\[A-Za-z]+\*?|\\.")
# Values whose only macros are accents on a letter, letters like `{\ss}` or
# `\L{}`, escaped specials (`\&`, `\%`, `\$`, `\#`, `\_`) and spaces (`\,`, `\ `,
# the italic correction `\/`), which the simple
# decoder renders as pylatexenc does (checked on tens of thousands of generated
# values, and on every value of benchmarks/data's 11,012 real entries).
# Left to pylatexenc: math, specials, backquotes (pylatexenc's `?`` and `!``
# ligatures), a grave accent right after `?` or `!`, and a `-` or `'` next to a
# dash or quote kept apart from another by braces or an italic correction
# (pylatexenc keeps `-{}-`, `'}{'` and `-\/-` apart; removing them would join them).
_ACCENT_PLAIN = r"[^\\$`%&#_^]*"
_ACCENTS_ONLY = lazy_re(
    _ACCENT_PLAIN
    + r"(?:(?:(?<![?!])\\[`'^\"~=.](?:[A-Za-z]|\{[A-Za-z]\})"
    + r"|\\[uvHckrdb](?: [A-Za-z]|\{[A-Za-z]\})"
    + r"|\{\\(?:ss|ae|AE|oe|OE|aa|AA|[oOlLij])\}|\\(?:ss|ae|AE|oe|OE|aa|AA|[oOlLij])\{\}"
    + r"|\\[&%$#_,/ ])"
    + _ACCENT_PLAIN
    + r")*"
)
_LIGATURE_AT_BRACE = lazy_re(r"-[{}]+-|'[{}]+'|[-']\\/|\\/[-']")


def brace_depth(text: str) -> int:
    """The deepest ``{`` nesting in ``text`` (unbalanced closers are ignored)."""
    depth = deepest = 0
    for char in text:
        if char == "{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char == "}" and depth > 0:
            depth -= 1
    return deepest


def _squash(text: str) -> str:
    """Whitespace runs (no-break spaces included) as one space, none at the ends."""
    # str.split() splits on exactly the characters regex \s matches, and is
    # several times faster than a substitution on the values parsed here.
    return " ".join(text.split())


def unbrace(text: str) -> str:
    """Remove braces and surrounding whitespace only (for pages, DOIs, URLs)."""
    return _squash(text.replace("{", "").replace("}", ""))


def decode(text: str) -> str:
    """Plain Unicode text of a LaTeX/BibTeX value, whitespace collapsed.

    Never raises; bounded time on any input.
    """
    if not text:
        return ""
    if "\\" in text:
        text = _LOGOS.sub(lambda m: _LOGO_TEXT[m.group(1)], text)
    if "\\" not in text and "$" not in text:
        # No macro and no math: only case-protection braces, ties and dashes,
        # which need no LaTeX parser (pylatexenc costs about a millisecond a value).
        plain = _ligatures(text.replace("{", "").replace("}", "").replace("~", " "))
        return _squash(plain)
    return _decode_latex(text)


@lru_cache(maxsize=4096)
def _decode_latex(text: str) -> str:
    if _ACCENTS_ONLY.fullmatch(text) and not _LIGATURE_AT_BRACE.search(text):
        return _squash(_simple_decode(text))
    if "$" not in text and _SIMPLE_MACRO.search(text) and not _PARK_RANGE.search(text):
        plain = _SIMPLE_MACRO.sub(_simplified, text)
        if _ACCENTS_ONLY.fullmatch(plain) and not _LIGATURE_AT_BRACE.search(plain):
            return _squash(_simple_decode(plain).translate(_UNPARK_TEXT))
    if len(text) <= _MAX_PYLATEXENC_LENGTH and brace_depth(text) <= _MAX_PYLATEXENC_DEPTH:
        try:
            result = _pylatexenc_decode(text)
        except Exception:  # pylatexenc is tolerant, but it is third-party code on hostile input
            result = _simple_decode(text)
    else:
        result = _simple_decode(text)
    return _squash(result)


# A control word pylatexenc knows nothing of (TUGboat's `\acro{PDF}`, `\pkg{dvips}`,
# `{\Dash}`, `{\it TeX}`) is a macro of no arguments that prints nothing, and the
# spaces after it are its own: pylatexenc prints neither.  One it knows with no
# arguments and a fixed text (`\ldots`, `\ss`) prints that text, also without the
# spaces.  Right before a `{` or a `}`, or spaces (one line break at most) and a
# letter, a digit or a `{` (`Perl\slash {\XML}`), that is all either changes, so each
# is replaced by its text (parked in a private-use character until the end, so that
# nothing joins it), as is the soft hyphen `\-`; a value that is then accents only
# takes the simple decoder (checked against pylatexenc on generated values and on all
# of benchmarks/data; a `{` after the spaces: 7,606 generated values of that shape).
# Not in math, which pylatexenc keeps verbatim; a backslash before it could make it
# text (`\\acro`): left alone.
_SIMPLE_MACRO = lazy_re(
    r"(?<!\\)\\(?:([A-Za-z]+)(?:(?=[{}])|(?=[ \t\n])[ \t]*\n?[ \t]*(?=[A-Za-z0-9{]))|(-))"
)
# Read by pylatexenc's parser itself, whatever its macro tables say.
_PARSER_WORDS = frozenset({"begin", "end", "verb", "item", "par"})
# A macro right before it (spaces between) may take it as its argument (`\c \relax`).
_AFTER_MACRO = lazy_re(r"\\(?:[A-Za-z]+|[^A-Za-z]) *$")
# Texts of the macros replaced, parked in plane 15's private use area.
_PARK_BASE = 0xF0000
_PARKED_TEXT: dict[str, str] = {}
_UNPARK_TEXT: dict[int, str] = {}
_PARK_RANGE = lazy_re("[\U000F0000-\U000FFFFF]")


def _park(text: str) -> str:
    mark = _PARKED_TEXT.get(text)
    if mark is None:
        mark = chr(_PARK_BASE + len(_PARKED_TEXT))
        _UNPARK_TEXT[ord(mark)] = text
        _PARKED_TEXT[text] = mark
    return mark


def _simplified(m: re.Match[str]) -> str:
    if _AFTER_MACRO.search(m.string, 0, m.start()):
        return m.group(0)
    if m.group(2):
        return _park("\u00ad")  # pylatexenc's soft hyphen
    name = m.group(1)
    if name not in _known_macros():
        return ""
    text = _macro_texts().get(name)
    return m.group(0) if text is None else _park(text)


@lru_cache(maxsize=1)
def _macro_texts() -> dict[str, str]:
    """Macros pylatexenc reads with no arguments and prints as a fixed text."""
    converter, context = _converter()
    with_arguments = {spec.macroname for spec in context.iter_macro_specs()}
    out: dict[str, str] = {}
    for spec in converter.latex_context.iter_macro_specs():
        name, repl = spec.macroname, spec.simplify_repl
        if name in with_arguments or name in _PARSER_WORDS or not name.isalpha():
            continue
        if repl is None:
            out[name] = ""
        elif isinstance(repl, str) and "%" not in repl:
            out[name] = repl
    return out


@lru_cache(maxsize=1)
def _known_macros() -> frozenset[str]:
    """Every macro name pylatexenc's parser or its text conversion has a rule for."""
    converter, context = _converter()
    names = {spec.macroname for spec in context.iter_macro_specs()}
    names.update(spec.macroname for spec in converter.latex_context.iter_macro_specs())
    return frozenset(names | _PARSER_WORDS)


@lru_cache(maxsize=1)
def _converter() -> tuple[Any, Any]:
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import get_default_latex_context_db

    # A walker given no context builds pylatexenc's default macro database anew
    # (seven categories, ~15 % of its time on a short value); it is only read while
    # parsing, so one serves every value.
    converter = LatexNodes2Text(math_mode="verbatim", keep_comments=False)
    return converter, get_default_latex_context_db()


def _pylatexenc_decode(text: str) -> str:
    # Called from a generator, not directly.  pylatexenc's parser returns the
    # end-of-stream exception it caught (`return e` in LatexWalker.get_latex_nodes), and
    # that exception's traceback holds the parser's frames, whose locals hold it: a
    # cycle.  A finished frame kept alive keeps its caller's frame and locals, up the
    # whole stack -- the parser's `_read_blocks` and its half-built document, the engine's
    # chunk -- so every parsed bibliography waited for the cyclic collector (138,000
    # objects, 0.2 s, in one collection of the 11,000-entry corpus).  A generator's
    # frame is not linked to its caller's: the stack kept stops here.
    return next(_isolated(text))


def _isolated(text: str) -> Iterator[str]:
    escaped = _BARE_PERCENT.sub(r"\\%", text)
    converter, context = _converter()
    yield str(converter.latex_to_text(escaped, latex_context=context))


def _accent(mark: str, letter: str) -> str:
    if letter.startswith("\\"):
        letter = {"\\i": "i", "\\j": "j"}.get(letter, letter[1:])
    return unicodedata.normalize("NFC", letter + _ACCENTS[mark])


def _simple_decode(text: str) -> str:
    """A linear-time decoder for what pylatexenc should not be given."""
    out = _SYMBOL_ACCENT.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), text)
    out = _LETTER_ACCENT.sub(lambda m: _accent(m.group(1), m.group(2) or m.group(3)), out)
    # Escaped characters are parked in private-use code points so that the
    # brace and macro removal below cannot touch them.
    out = _ESCAPE.sub(lambda m: _PARKED[m.group(1)], out)
    out = _SYMBOL_MACRO.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(0)), out)
    out = _OTHER_MACRO.sub("", out)
    out = _ligatures(out.replace("{", "").replace("}", "").replace("~", " "))
    return out.translate(_UNPARK)


def _ligatures(text: str) -> str:
    """TeX's dash and quote ligatures, as pylatexenc renders them."""
    if "-" in text:
        text = text.replace("---", "—").replace("--", "–")
    if "`" in text or "''" in text:
        text = text.replace("``", "“").replace("''", "”")
    return text
