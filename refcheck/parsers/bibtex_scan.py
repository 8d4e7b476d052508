"""Reading one BibTeX entry mark by mark, with exact offsets (see :mod:`refcheck.parsers.bibtex`).

:class:`_EntryScanner` reads an entry the splitter (:mod:`refcheck.parsers.bibtex_split`)
delimited and says what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from refcheck.model import SourceText

# A block start as bibtexparser's splitter sees it: `@type` then `{` or `(`.
_BLOCK_START = re.compile(r"@(\w*)[ \t]*([{(])")
_BLOCK_START_AT_LINE = re.compile(r"[ \t]*@\w*[ \t]*[{(]")
_NAME_CHARS = re.compile(r'[^\s=,{}"#%()]+')
_BARE_VALUE = re.compile(r'[^\s,{}"#=%()]+')
_KEY_END = re.compile(r'[,{}"=()\n]')
# Whitespace other than a newline, after which a new block may start.
_INLINE_SPACE = re.compile(r"[^\S\n]*")
# What matters inside a braced and a quoted value (escaped delimiters are data).
_BRACE_MARKS = re.compile(r"\\[{}]|[{}\n]")
_QUOTE_MARKS = re.compile(r'\\[{}"]|[{}"\n]')
# A line inside a value that looks like the next field: `  year = 2020`.
_SWALLOWED_FIELD = re.compile(r"\n[ \t]*([A-Za-z][\w-]*)[ \t]*=")


# ---------------------------------------------------------------------------
# Entry scanning with exact offsets


@dataclass
class _Field:
    name: str  # lower-case
    name_start: int
    name_end: int
    value_start: int  # the value as written, inside the delimiters of a single piece
    value_end: int
    pieces: list[tuple[str, str]]  # (kind, content): brace | quote | bare


@dataclass
class _Scan:
    entry_type: str
    key: str | None = None
    key_span: tuple[int, int] | None = None
    fields: list[_Field] = field(default_factory=list)
    end: int | None = None  # just past the closing delimiter, when closed
    error: tuple[int, int, str] | None = None


@dataclass
class _Entry:
    """An entry's parts in the form a Reference takes them (fast path or scan)."""

    entry_type: str
    key: str | None
    key_span: tuple[int, int] | None
    end: int
    fields: dict[str, str]  # as written (the first of a repeated field)
    spans: dict[str, tuple[int, int]]
    values: dict[str, str]  # macros resolved, still LaTeX
    # Fields whose value in ``values`` is still a bare word: the fast path reads
    # an entry before the @string blocks ahead of it are read.
    bare: list[str] = field(default_factory=list)
    # Fields of `#`-joined pieces (kind, content), to be joined the same way.
    joined: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


class _Abort(Exception):
    def __init__(self, start: int, end: int, message: str) -> None:
        super().__init__(message)
        self.start = start
        self.end = end
        self.message = message


class _EntryScanner:
    """Reads one ``@type{key, name = value, ...}`` between ``start`` and ``limit``.

    ``limit`` is where the next block starts (or the end of the file); reaching
    it, or a block start at the beginning of a line, means something was left
    open, which is reported with where it was opened.
    """

    def __init__(self, source: SourceText, text: str, start: int, limit: int) -> None:
        # ``text``: the comment-masked text, which has the same lines as ``source``.
        self.source = source
        self.text = text
        self.start = start
        self.limit = limit

    def _line(self, offset: int) -> int:
        return self.source.position(offset)[0]

    def _line_end(self, offset: int) -> int:
        eol = self.text.find("\n", offset, self.limit)
        return self.limit if eol == -1 else eol

    def _where_stopped(self, pos: int) -> str:
        """'before the next entry at line N' or 'before the end of the file'."""
        nxt = _BLOCK_START_AT_LINE.match(self.text, pos) if pos < len(self.text) else None
        if pos < len(self.text) and nxt is not None:
            at = self.text.index("@", pos)
            return f"before the next entry at line {self._line(at)}"
        if self.limit < len(self.text):
            return f"before the next entry at line {self._line(self.limit)}"
        return "before the end of the file"

    def _block_start_at(self, pos: int) -> bool:
        """A new block starts on the line that begins after the newline at ``pos``."""
        return _BLOCK_START_AT_LINE.match(self.text, pos + 1) is not None

    def _skip_space(self, pos: int, comments: bool) -> int:
        text, limit = self.text, self.limit
        while pos < limit:
            space = _INLINE_SPACE.match(text, pos, limit)
            if space is not None:  # always: the pattern matches the empty string
                pos = space.end()
            if pos >= limit:
                break
            char = text[pos]
            if char == "\n":
                if self._block_start_at(pos):
                    return pos + 1
                pos += 1
            elif comments and char == "%":
                eol = text.find("\n", pos, limit)
                pos = limit if eol == -1 else eol
            else:
                break
        return pos

    def scan(self) -> _Scan:
        m = _BLOCK_START.match(self.text, self.start)
        if m is None:
            scan = _Scan(entry_type="")
            scan.error = (self.start, self._line_end(self.start), "not a BibTeX entry")
            return scan
        scan = _Scan(entry_type=m.group(1).lower())
        closer = "}" if m.group(2) == "{" else ")"
        try:
            if scan.entry_type == "string":
                self._scan_string(scan, m.end(), closer)
            else:
                self._scan_body(scan, m.end(), closer)
        except _Abort as abort:
            scan.error = (abort.start, abort.end, abort.message)
        return scan

    def _label(self, scan: _Scan) -> str:
        return f"entry '{scan.key}'" if scan.key else f"@{scan.entry_type} entry"

    def _not_closed(self, scan: _Scan, pos: int, closer: str) -> _Abort:
        header_end = scan.key_span[1] if scan.key_span else self._line_end(self.start)
        message = (
            f"{self._label(scan)} is not closed: missing '{closer}' {self._where_stopped(pos)}"
        )
        # The usual cause is a value whose '}' is missing, so that it runs over the
        # following fields and takes the entry's closing brace as its own.
        for fld in scan.fields:
            swallowed = _SWALLOWED_FIELD.search(self.text, fld.value_start, fld.value_end)
            if swallowed is not None and len(fld.pieces) == 1 and fld.pieces[0][0] == "brace":
                opened = fld.value_start - 1
                return _Abort(
                    opened,
                    max(self._line_end(opened), opened + 1),
                    f"{message}; the value of field '{fld.name}' (line {self._line(opened)}) "
                    f"runs over the field '{swallowed.group(1)}' at line "
                    f"{self._line(swallowed.start(1))}: its '}}' is probably missing",
                )
        return _Abort(self.start, max(header_end, self.start + 1), message)

    def _scan_string(self, scan: _Scan, pos: int, closer: str) -> None:
        """``@string{name = value}``: one field, no key."""
        text = self.text
        pos = self._skip_space(pos, comments=True)
        name_m = _NAME_CHARS.match(text, pos, self.limit)
        if name_m is None:
            raise _Abort(self.start, pos + 1, "@string definition has no name")
        scan.key = name_m.group(0)
        scan.key_span = (name_m.start(), name_m.end())
        pos = self._skip_space(name_m.end(), comments=False)
        if pos >= self.limit or text[pos] != "=":
            raise _Abort(
                name_m.start(),
                name_m.end(),
                f"@string '{scan.key}': expected '=' after the name",
            )
        fld = self._scan_value(scan, scan.key, name_m.start(), name_m.end(), pos + 1, closer)
        scan.fields.append(fld)
        pos = self._skip_space(fld.value_end + _closing_len(fld), comments=True)
        if pos >= self.limit or text[pos] != closer:
            raise self._not_closed(scan, pos, closer)
        scan.end = pos + 1

    def _scan_body(self, scan: _Scan, pos: int, closer: str) -> None:
        text = self.text
        # The key runs to the first comma (or the closer, for a key-only entry).
        key_m = _KEY_END.search(text, pos, self.limit)
        key_end = key_m.start() if key_m else self.limit
        while key_m is not None and key_m.group(0) == "\n":
            if self._block_start_at(key_m.start()):
                break
            key_m = _KEY_END.search(text, key_m.end(), self.limit)
            key_end = key_m.start() if key_m else self.limit
        raw_key = text[pos:key_end]
        # A key has no spaces: with a missing comma, the first word is the key.
        key = raw_key.split()[0] if raw_key.split() else ""
        if key:
            lead = len(raw_key) - len(raw_key.lstrip())
            scan.key = key
            scan.key_span = (pos + lead, pos + lead + len(key))
        if key_m is None or key_m.group(0) == "\n":
            raise self._not_closed(scan, key_end, closer)
        if key_m.group(0) == closer:
            scan.end = key_m.end()
            return
        if key_m.group(0) != ",":
            raise _Abort(
                key_m.start(),
                key_m.end(),
                f"{self._label(scan)}: expected ',' after the entry key, found '{key_m.group(0)}'",
            )
        pos = key_m.end()
        while True:
            pos = self._skip_space(pos, comments=True)
            if pos >= self.limit or (pos > 0 and text[pos - 1] == "\n" and self._at_block(pos)):
                raise self._not_closed(scan, pos, closer)
            char = text[pos]
            if char == closer:
                scan.end = pos + 1
                return
            name_m = _NAME_CHARS.match(text, pos)
            if name_m is None:
                raise _Abort(
                    pos,
                    pos + 1,
                    f"{self._label(scan)}: expected a field name, found '{char}'",
                )
            name = name_m.group(0)
            pos = self._skip_space(name_m.end(), comments=False)
            if pos >= self.limit or text[pos] != "=":
                found = "the end of the entry" if pos >= self.limit else repr(text[pos])
                raise _Abort(
                    name_m.start(),
                    name_m.end(),
                    f"{self._label(scan)}: expected '=' after field name '{name}', found {found}",
                )
            fld = self._scan_value(scan, name, name_m.start(), name_m.end(), pos + 1, closer)
            scan.fields.append(fld)
            pos = self._skip_space(fld.value_end + _closing_len(fld), comments=False)
            # The value of a single piece ends inside its delimiter; step over it.
            pos = self._after_value(scan, fld, pos, closer)

    def _at_block(self, pos: int) -> bool:
        return _BLOCK_START_AT_LINE.match(self.text, pos) is not None

    def _after_value(self, scan: _Scan, fld: _Field, pos: int, closer: str) -> int:
        text = self.text
        if pos >= self.limit or (text[pos - 1] == "\n" and self._at_block(pos)):
            raise self._not_closed(scan, pos, closer)
        char = text[pos]
        if char == ",":
            return pos + 1
        if char == closer:
            return pos
        if char == "%":
            # A comment after the value, before its comma: allowed, skip the line.
            return self._after_value(scan, fld, self._skip_space(pos, comments=True), closer)
        word = _NAME_CHARS.match(text, pos)
        found = word.group(0) if word else char
        return_line = self._line(pos)
        raise _Abort(
            fld.value_start,
            fld.value_end,
            f"{self._label(scan)}: missing ',' after the value of field '{fld.name}' "
            f"(found '{found}' at line {return_line})",
        )

    def _scan_value(
        self, scan: _Scan, name: str, name_start: int, name_end: int, pos: int, closer: str
    ) -> _Field:
        text = self.text
        pieces: list[tuple[str, str]] = []
        spans: list[tuple[int, int]] = []  # inner spans of each piece
        outer: list[tuple[int, int]] = []  # spans with delimiters
        while True:
            pos = self._skip_space(pos, comments=False)
            if pos >= self.limit:
                raise self._not_closed(scan, pos, closer)
            char = text[pos]
            if char == "{":
                inner_end = self._match_brace(scan, name, pos)
                pieces.append(("brace", text[pos + 1 : inner_end]))
                spans.append((pos + 1, inner_end))
                outer.append((pos, inner_end + 1))
                pos = inner_end + 1
            elif char == '"':
                inner_end = self._match_quote(scan, name, pos)
                pieces.append(("quote", text[pos + 1 : inner_end]))
                spans.append((pos + 1, inner_end))
                outer.append((pos, inner_end + 1))
                pos = inner_end + 1
            else:
                bare = _BARE_VALUE.match(text, pos)
                if bare is None:
                    raise _Abort(
                        name_start,
                        name_end,
                        f"{self._label(scan)}: field '{name}' has no value",
                    )
                pieces.append(("bare", bare.group(0)))
                spans.append((bare.start(), bare.end()))
                outer.append((bare.start(), bare.end()))
                pos = bare.end()
            after = self._skip_space(pos, comments=False)
            if after < self.limit and text[after] == "#":
                pos = after + 1
                continue
            break
        if len(spans) == 1:
            value_start, value_end = spans[0]
        else:
            value_start, value_end = outer[0][0], outer[-1][1]
        return _Field(name.lower(), name_start, name_end, value_start, value_end, pieces)

    def _match_brace(self, scan: _Scan, name: str, open_pos: int) -> int:
        """Offset of the ``}`` matching the ``{`` at ``open_pos``."""
        text = self.text
        depth = 0
        pos = open_pos
        while True:
            m = _BRACE_MARKS.search(text, pos, self.limit)
            if m is None:
                raise self._value_not_closed(scan, name, open_pos, "}", self.limit)
            tok = m.group(0)
            pos = m.end()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    return m.start()
            elif tok == "\n" and self._block_start_at(m.start()):
                raise self._value_not_closed(scan, name, open_pos, "}", m.end())

    def _match_quote(self, scan: _Scan, name: str, open_pos: int) -> int:
        """Offset of the ``"`` closing the quoted value opened at ``open_pos``."""
        text = self.text
        depth = 0
        pos = open_pos + 1
        while True:
            m = _QUOTE_MARKS.search(text, pos, self.limit)
            if m is None:
                raise self._value_not_closed(scan, name, open_pos, '"', self.limit)
            tok = m.group(0)
            pos = m.end()
            if tok == "{":
                depth += 1
            elif tok == "}" and depth > 0:
                depth -= 1
            elif tok == '"' and depth == 0:
                return m.start()
            elif tok == "\n" and self._block_start_at(m.start()):
                raise self._value_not_closed(scan, name, open_pos, '"', m.end())

    def _value_not_closed(
        self, scan: _Scan, name: str, open_pos: int, missing: str, stop: int
    ) -> _Abort:
        return _Abort(
            open_pos,
            max(self._line_end(open_pos), open_pos + 1),
            f"{self._label(scan)} is not closed: the value of field '{name}' opened at "
            f"line {self._line(open_pos)} is missing '{missing}' {self._where_stopped(stop)}",
        )


def _closing_len(fld: _Field) -> int:
    """Length of the closing delimiter after ``value_end`` (0 for bare or concatenated)."""
    if len(fld.pieces) == 1 and fld.pieces[0][0] != "bare":
        return 1
    return 0
