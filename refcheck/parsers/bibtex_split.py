"""Splitting a BibTeX file into blocks, and the fast path for entries of the usual shape.

``%`` comment lines inside entries are blanked first (:func:`_mask_comments`)
without changing any offset.

:class:`_Splitter` reproduces bibtexparser's block decisions (see
:mod:`refcheck.parsers.bibtex` for why); :func:`_fast_entry` reads an entry of
the usual shape with a few regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from refcheck.parsers.bibtex_scan import _BLOCK_START, _Entry
from refcheck.text.patterns import lazy_re

# Characters that matter to the comment masking pre-scan.
_MASK_MARKS = lazy_re(r'\\[{}"%]|[{}"()@%\n]')
# A block start the masking reads as one wherever it stands (see _at_line_start).
_LINE_BLOCK = lazy_re(r"^[ \t]*(@)\w*[ \t]*[{(]", re.M)


# ---------------------------------------------------------------------------
# Comment masking


def _mask_comments(text: str) -> str:
    """``text`` with ``%`` comments blanked where they cannot be field data.

    A ``%`` outside entries, or between fields of an entry, starts a comment to
    the end of the line; inside a braced or quoted value it is data.  Blanking
    keeps every offset and line (newlines stay), so blocks found in the masked
    text are where they are in the original.
    """
    if "%" not in text:
        return text
    pieces: list[str] = []  # the text up to the last blanked comment
    done = 0
    depth = 0  # 0: between blocks; 1: between fields; >1: inside a braced value
    closer = "}"
    in_quote = False
    pos = 0
    n = len(text)
    # Only a '%' changes anything: past the last one (a file's header comment is
    # often its only one) the rest of the file needs no scan.
    last_percent = text.rfind("%")
    next_percent = -1
    while pos <= last_percent:
        if pos > next_percent:
            # A block start at the beginning of a line sets the state whatever it was:
            # from the last one before the next '%', the entries before it (in a large
            # bibliography, most of them) need no scan.
            next_percent = text.find("%", pos)
            pos = _last_line_block(text, pos, next_percent)
        m = _MASK_MARKS.search(text, pos)
        if m is None:
            break
        tok = m.group(0)
        pos = m.end()
        if tok.startswith("\\"):
            continue
        if tok == "%":
            if depth == 0 or (depth == 1 and not in_quote):
                eol = text.find("\n", m.start())
                eol = n if eol == -1 else eol
                pieces.append(text[done : m.start()])
                pieces.append(" " * (eol - m.start()))
                done = pos = eol
            continue
        if tok == "@":
            start = _BLOCK_START.match(text, m.start())
            if start is not None and (depth == 0 or _at_line_start(text, m.start())):
                # An entry of the fast path's shape has a '%' only inside its
                # values: step over it whole instead of mark by mark.
                end = _fast_entry_end(text, m.start()) if start.group(2) == "{" else None
                if end is not None:
                    depth, in_quote, closer = 0, False, "}"
                    pos = end
                    continue
                depth, in_quote = 1, False
                closer = "}" if start.group(2) == "{" else ")"
                pos = start.end()
            continue
        if depth == 0 or tok == "\n":
            continue
        if tok == '"' and depth == 1:
            in_quote = not in_quote
        elif in_quote:
            continue
        elif tok == "{":
            depth += 1
        elif tok == "}":
            if depth > 1:
                depth -= 1
            elif closer == "}":
                depth = 0
        elif tok == ")" and depth == 1 and closer == ")":
            depth = 0
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _last_line_block(text: str, pos: int, stop: int) -> int:
    """Where the `@` of the last block start at a line start within ``text[pos:stop]``
    is (as _LINE_BLOCK finds them), or ``pos`` when there is none.

    Looked for from ``stop`` back: the entries before it need no reading.
    """
    at = text.rfind("@", pos, stop)
    while at >= 0:
        line = text.rfind("\n", 0, at) + 1
        if line < pos:
            break
        if not text[line:at].strip(" \t"):
            m = _LINE_BLOCK.match(text, line, stop)
            if m is not None:
                return m.start(1)
        at = text.rfind("@", pos, at)
    return pos


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()


# ---------------------------------------------------------------------------
# Block splitting


# bibtexparser's marks: value delimiters, separators and block starts.  Its
# newline marks only counted lines, which are computed from offsets here.
_SPLIT_START = lazy_re(r"@\w*[ \t]*(?=[{(])")
_SPLIT_MARKS = lazy_re(r'(?<!\\)[{}",=]|@\w*[ \t]*(?=[{(])')
# Inside a `(`-delimited block the closing `)` is a mark too.
_SPLIT_MARKS_PAREN = lazy_re(r'(?<!\\)[{}",=)]|@\w*[ \t]*(?=[{(])')


@dataclass
class _Block:
    kind: str  # entry | string | comment | preamble
    start: int
    end: int  # end of the block's text as the splitter delimited it
    failed: bool
    reason: str | None = None


class _SplitAbort(Exception):
    def __init__(self, reason: str, end: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.end = end


class _Splitter:
    """Splits a file into blocks exactly as bibtexparser 2.1.0's ``Splitter`` does.

    The block boundaries decide where the scanner stops and which entries a
    broken one may not swallow, and a failed block's reason is reported
    whenever the scanner finds nothing wrong itself, so the splitter's
    decisions (and its messages) are kept verbatim.  Unlike the original, it
    skips everything between blocks with one search, and an entry that the
    fast path reads whole needs no mark-by-mark walk at all.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.marks = _SPLIT_MARKS
        # Where the search for the next mark starts: past the last mark found
        # (the unaccepted one included) or past an entry the fast path read.
        self.pos = 0
        self.unaccepted: re.Match[str] | None = None
        self.closer = "}"

    def split(self) -> Iterator[tuple[int, int, bool, str | None, _Entry | None]]:
        """(start, end, failed, reason, entry) of every block, in order.

        ``entry`` is the entry as the fast path read it, or None.
        """
        text = self.text
        while True:
            pending = self.unaccepted
            self.unaccepted = None
            if pending is not None and pending.group(0).startswith("@"):
                m = pending
            else:
                # Between blocks, only a block start matters.
                found = _SPLIT_START.search(text, self.pos)
                if found is None:
                    break
                m = found
            if text[m.end()] == "{":
                entry = _fast_entry(text, m.start())
                if entry is not None:
                    yield m.start(), entry.end, False, None, entry
                    self.pos = entry.end
                    continue
            block: tuple[int, int, bool, str | None, _Entry | None]
            opener = m.group(0).lower()
            try:
                self._open_block(m)
                if opener.startswith("@comment"):
                    end = self._move_to_closing_delimiter(track_quotes=False) + 1
                elif opener.startswith("@preamble"):
                    end = self._move_to_closing_delimiter(track_quotes=True) + 1
                elif opener.startswith("@string"):
                    end = self._handle_string()
                else:
                    end = self._handle_entry()
                block = (m.start(), end, False, None, None)
            except _SplitAbort as abort:
                block = (m.start(), abort.end, True, abort.reason, None)
            yield block

    def _next_mark(self) -> re.Match[str]:
        m = self.unaccepted
        if m is not None:
            self.unaccepted = None
            return m
        m = self.marks.search(self.text, self.pos)
        if m is None:
            self.pos = len(self.text)
            raise _SplitAbort("Unexpectedly reached end of file.", len(self.text))
        self.pos = m.end()
        return m

    def _open_block(self, m: re.Match[str]) -> None:
        """Start reading the block whose ``@type`` is ``m``, past its ``{`` or ``(``."""
        if self.text[m.end()] == "(":
            self.closer = ")"
            self.marks = _SPLIT_MARKS_PAREN
        else:
            self.closer = "}"
            self.marks = _SPLIT_MARKS
        self.pos = m.end() + 1

    def _move_to_closing_delimiter(self, track_quotes: bool) -> int:
        depth = 0
        in_quotes = False
        track_quotes = track_quotes and self.closer == ")"
        while True:
            m = self._next_mark()
            tok = m.group(0)
            if tok == "{":
                depth += 1
            elif tok == "}" and depth > 0:
                depth -= 1
            elif depth == 0 and tok == '"' and track_quotes:
                in_quotes = not in_quotes
            elif depth == 0 and tok == self.closer and not in_quotes:
                return m.start()
            elif tok.startswith("@") and _at_line_start(self.text, m.start()):
                self.unaccepted = m
                raise _SplitAbort(
                    f"Unexpected block start: `{tok}`. Was still looking for closing bracket",
                    m.start() - 1,
                )

    def _move_to_comma_or_closing_delimiter(self) -> None:
        text = self.text
        quoted = False
        curls = 0
        while True:
            m = self._next_mark()
            tok = m.group(0)
            if tok == '"' and curls == 0:
                pos = m.start()
                # `{"}` is a literal quote inside a quoted value.
                if (
                    quoted
                    and pos > 0
                    and pos + 2 < len(text)
                    and text[pos - 1] == "{"
                    and text[pos + 1] == "}"
                ):
                    continue
                quoted = not quoted
            elif tok == "{" and not quoted:
                curls += 1
            elif tok == "}" and not quoted and curls > 0:
                curls -= 1
            elif (tok == "," or tok == self.closer) and not quoted and curls == 0:
                self.unaccepted = m
                return
            elif tok.startswith("@") and _at_line_start(self.text, m.start()):
                self.unaccepted = m
                if quoted:
                    looking_for = '`"`'
                elif curls > 0:
                    looking_for = "`}`"
                else:
                    looking_for = f"`,` or `{self.closer}`"
                raise _SplitAbort(
                    f"Unexpected block start: `{tok}`. "
                    f"Was still looking for field-value closing {looking_for} ",
                    m.start() - 1,
                )

    def _move_to_end_of_entry(self, key_start: int) -> int:
        while True:
            equals = self._next_mark()
            if equals.group(0) == self.closer:
                dangling = self.text[key_start : equals.start()].strip()
                if dangling:
                    raise _SplitAbort(
                        f"Expected a `=` after entry key `{dangling}`, "
                        f"but found the end of the entry (`{self.closer}`).",
                        equals.end(),
                    )
                return equals.end()
            if equals.group(0) != "=":
                self.unaccepted = equals
                raise _SplitAbort(
                    f"Expected a `=` after entry key, but found `{equals.group(0)}`.",
                    equals.start(),
                )
            self._move_to_comma_or_closing_delimiter()
            after = self._next_mark()
            if after.group(0) == ",":
                key_start = after.end()
            elif after.group(0) == self.closer:
                self.unaccepted = after
                key_start = after.start()
            else:  # unreachable in bibtexparser too: the value stops at one of both
                self.unaccepted = after
                raise _SplitAbort(
                    f"Expected either a `,` or `{self.closer}` after a closed entry field "
                    f"value, but found a {after.group(0)} before.",
                    after.start(),
                )

    def _handle_entry(self) -> int:
        comma = self._next_mark()
        if comma.group(0) == self.closer:
            return comma.end()  # a key and no fields
        if comma.group(0) != ",":
            self.unaccepted = comma
            raise _SplitAbort(
                f"Expected comma after entry key, but found {comma.group(0)}", comma.end()
            )
        return self._move_to_end_of_entry(comma.end())

    def _handle_string(self) -> int:
        equals = self._next_mark()
        if equals.group(0) != "=":
            self.unaccepted = equals
            raise _SplitAbort(
                f"Expected equals sign after field key, but found {equals.group(0)}",
                equals.end(),
            )
        return self._move_to_closing_delimiter(track_quotes=True) + 1


def _split_blocks(masked: str) -> Iterator[tuple[_Block, _Entry | None]]:
    """The splitter's blocks at the offsets where it found them.

    (refcheck once looked bibtexparser's blocks up by their text, which could
    find an earlier copy and lose the entry after an unclosed one.)

    Blocks come one at a time, so that an entry's fast-path reading is dropped
    as soon as its Reference is built: keeping 10,000 of them alive made every
    garbage collection pass walk them all.
    """
    try:
        # Every block ends past its start: at least after its `{` or `(`.
        for start, stop, failed, reason, entry in _Splitter(masked).split():
            if entry is not None:
                yield _Block("entry", start, stop, failed, reason), entry
                continue
            type_m = _BLOCK_START.match(masked, start)
            btype = type_m.group(1).lower() if type_m else ""
            kind = btype if btype in ("string", "comment", "preamble") else "entry"
            yield _Block(kind, start, stop, failed, reason), None
    except Exception as exc:  # only the splitter's own failures, not the reader's
        raise _SplitFailure from exc


class _SplitFailure(Exception):
    pass


def _fallback_blocks(masked: str) -> Iterator[tuple[_Block, _Entry | None]]:
    """Block starts found without the splitter: every ``@type{`` at a line start."""
    for m in re.finditer(r"(?m)^[ \t]*(@(\w*)[ \t]*[{(])", masked):
        btype = m.group(2).lower()
        kind = btype if btype in ("string", "comment", "preamble") else "entry"
        yield _Block(kind, m.start(1), m.start(1), failed=True), None


# ---------------------------------------------------------------------------
# Fast path: an entry of the usual shape, read with a few regular expressions
#
# Every construct accepted here is one that the splitter (bibtexparser's rules)
# and the scanner above read the same way, with the same result: anything else
# (comments, `@string`, parentheses, a `@` that could start a line,
# other than ASCII spaces between the parts, braces nested deeper than
# _FAST_DEPTH, a repeated field ...) makes the whole entry go the full way.
# The rules that make both agree:
# - a `{`, `}` or `"` right after a backslash is data for both, so a backslash
#   pairs with the next character unless that is a backslash too;
# - a `@` may only follow a non-space character, so it can never start a
#   block at the beginning of a line;
# - a quoted value holds no `"` and balanced braces (the splitter ignores
#   braces inside quotes, the scanner counts them), and no `\{`, which could
#   make its closing quote look like bibtexparser's `{"}` escape.

_FAST_DEPTH = 4
# Block types that bibtexparser recognises by their prefix and reads otherwise.
_NOT_ENTRIES = ("comment", "preamble", "string")
_WS = "[ \t\r\n]*"


def _fast_content(plain: str, escape: str, depth: int) -> str:
    special = [escape, r"(?<=\S)@"]
    if depth > 0:
        special.append(r"\{" + _fast_content(plain, escape, depth - 1) + r"\}")
    # Unrolled loop: each special token starts with a character that `plain`
    # excludes, so there is one way to match and a failure costs linear time.
    return f"{plain}(?:(?:{'|'.join(special)}){plain})*"


_FAST_HEAD = rf'@(\w*)[ \t]*\{{{_WS}([^\s,{{}}"=()#%@\\]+){_WS},'
_FAST_NAME = r'[^\s=,{}"#%()@\\]+'
_FAST_VALUE = (
    r"\{" + _fast_content(r"[^{}\\@]*", r"\\(?:(?=\\)|[^\\])", _FAST_DEPTH) + r"\}"
    r'|"' + _fast_content(r'[^{}\\@"]*', r"\\(?:(?=\\)|[^\\{])", _FAST_DEPTH) + r'"'
    r'|[^\s,{}"#=%()@\\]+'
)
_FAST_HEADER = lazy_re(_FAST_HEAD)
# A value may be pieces joined by `#` (Beebe's bibliographies write `ack-nhfb # " and "
# # ack-bnb` in most entries), between which only spaces, as between the parts: a
# field ending in `#` goes on with _FAST_NEXT.  One copy of the value's expression in
# each: compiling these takes a short run's start-up a few milliseconds a copy.
_FAST_FIELD = lazy_re(rf"{_WS}({_FAST_NAME}){_WS}={_WS}({_FAST_VALUE}){_WS}([,}}#])")
_FAST_NEXT = lazy_re(rf"{_WS}({_FAST_VALUE}){_WS}([,}}#])")
_FAST_CLOSE = lazy_re(rf"{_WS}\}}")


@lru_cache(maxsize=1)
def _fast_whole() -> re.Pattern[str]:
    """The fast path's shape in one expression, for where only the entry's end matters.

    Compiled on first need: only a file with a `%` needs it.  A field is followed
    by its comma or by the entry's `}`.
    """
    joined = rf"(?:{_FAST_VALUE})(?:{_WS}#{_WS}(?:{_FAST_VALUE}))*"
    field = rf"{_WS}{_FAST_NAME}{_WS}={_WS}{joined}{_WS}"
    return lazy_re(rf"{_FAST_HEAD}(?:{field}(?:,|(?=\}})))*{_WS}\}}")


def _fast_entry_end(text: str, start: int) -> int | None:
    """Where the entry at ``start`` ends, if it has the fast path's shape."""
    whole = _fast_whole().match(text, start)
    return None if whole is None else whole.end()


def _fast_entry(text: str, start: int) -> _Entry | None:
    """The ``{``-delimited entry of the usual shape at ``start``, or None.

    ``text`` is the comment-masked text.  An entry that repeats a field also
    goes the full way, which reports it.
    """
    head = _FAST_HEADER.match(text, start)
    if head is None:
        return None
    entry_type = head.group(1).lower()
    if entry_type.startswith(_NOT_ENTRIES):
        return None
    fields: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    bare: list[str] = []
    joined: dict[str, list[tuple[str, str]]] = {}
    pos = head.end()
    field_at = _FAST_FIELD.match
    while (m := field_at(text, pos)) is not None:
        name = m.group(1).lower()
        if name in fields:
            return None
        value_start, value_end = m.span(2)
        pos, mark = m.end(), m.group(3)
        if mark == "#":
            # Pieces as the scanner reads them; the value spans them all, delimiters
            # included, and is resolved once the @strings before it are known.
            pieces = [_piece(text, value_start, value_end)]
            while mark == "#":
                more = _FAST_NEXT.match(text, pos)
                if more is None:
                    return None
                a, value_end = more.span(1)
                pieces.append(_piece(text, a, value_end))
                pos, mark = more.end(), more.group(2)
            joined[name] = pieces
        elif text[value_start] in '{"':
            value_start += 1
            value_end -= 1
        else:
            bare.append(name)
        fields[name] = text[value_start:value_end]
        spans[name] = (value_start, value_end)
        if mark == "}":
            break
    else:  # no field closed the entry: only space may be left before its `}`
        close = _FAST_CLOSE.match(text, pos)
        if close is None:
            return None
        pos = close.end()
    # Until _finish_fast_entry resolves the bare words, values are as written.
    return _Entry(entry_type, head.group(2), head.span(2), pos, fields, spans, fields, bare,
                  joined)


def _piece(text: str, a: int, b: int) -> tuple[str, str]:
    """One piece of a `#`-joined value, written at ``text[a:b]``, as the scanner reads it."""
    if text[a] == "{":
        return ("brace", text[a + 1 : b - 1])
    if text[a] == '"':
        return ("quote", text[a + 1 : b - 1])
    return ("bare", text[a:b])
