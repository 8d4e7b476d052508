"""BibTeX/biblatex (``.bib``) parser: one :class:`Reference` per entry, with positions.

Each entry becomes a Reference whose ``raw`` is the entry exactly as written
(``source.text[start:end]``); ``fields`` keeps every field value as written
(inside its braces or quotes, lower-case names) and ``field_spans`` the
offsets of those values, so ``fields[name] == text[slice(*field_spans[name])]``.
The decoded attributes (authors, title, container, ...) have LaTeX turned into
Unicode by :mod:`refcheck.parsers.latex`.  What cannot be read becomes a
:class:`ParseProblem` of kind ``bibtex-syntax``, ``duplicate-key`` or
``duplicate-field``; the parser never raises.

Why a splitter of its own (and not pybtex or bibtexparser)
----------------------------------------------------------
refcheck must report every problem in a file, with its position, and keep
reading past it.  pybtex (0.26.1) stops at the first data error unless a
process-global strict-mode switch is turned off, gives line numbers only for
syntax errors, keeps no entry positions, and lets an unclosed brace swallow the
next entry.  bibtexparser (2.1.0) splits a file into blocks, returns failed
blocks instead of raising and recovers the entry after an unclosed brace, which
is what a linter needs, and refcheck was built on its splitter.  But that
splitter walks every brace, comma and newline of a file in Python and was a
third of the parse time, so :class:`_Splitter` now reproduces its decisions
(block boundaries, which blocks fail, and the reasons reported for them, word
for word) over the same marks, skipping the text between blocks in one search.
Entries of the usual shape are read by a few regular expressions that accept
only what the splitter and the scanner read alike (see "Fast path" below); the
rest goes mark by mark through the splitter and then :class:`_EntryScanner`,
which computes exact offsets and says what is wrong.  ``%`` comment lines
inside entries are blanked before splitting (bibtexparser glued them onto the
next field name), without changing any offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from refcheck.model import Author, Document, ParseProblem, Reference, SourceText
from refcheck.parsers.latex import decode, unbrace

__all__ = ["extract_dois", "extract_urls", "normalize_doi", "parse", "split_names"]

FORMAT = "bibtex"

# A block start as bibtexparser's splitter sees it: `@type` then `{` or `(`.
_BLOCK_START = re.compile(r"@(\w*)[ \t]*([{(])")
_BLOCK_START_AT_LINE = re.compile(r"[ \t]*@\w*[ \t]*[{(]")
# Characters that matter to the comment masking pre-scan.
_MASK_MARKS = re.compile(r'\\[{}"%]|[{}"()@%\n]')
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

_MONTHS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}]+")
_URL_IN_TEXT = re.compile(r"https?://[^\s{}\"<>\\]+(?:\\[_&#%~][^\s{}\"<>\\]*)*", re.IGNORECASE)
_URL_MACRO = re.compile(r"\\url\s*\{([^{}]*)\}")
_URL_UNESCAPE = re.compile(r"\\([_&#%~])")
_PROSE_TRAILER = ".,;:)]"


# ---------------------------------------------------------------------------
# Shared helpers (also used by the CSL-JSON parser)


def normalize_doi(value: str) -> str | None:
    """A DOI without resolver prefix or ``doi:``; trailing punctuation is kept.

    Keeping a stray trailing ``.`` lets the DOI rules see and report it.
    """
    doi = _DOI_PREFIX.sub("", unbrace(_URL_UNESCAPE.sub(r"\1", value)).strip())
    doi = doi.strip()
    return doi or None


def extract_urls(text: str, prose: bool) -> list[str]:
    """URLs written in ``text`` (``\\url{...}`` or bare), in order, deduplicated.

    In ``prose`` (note, howpublished) a trailing sentence punctuation mark is
    not part of the URL.
    """
    found: list[str] = []
    for m in _URL_MACRO.finditer(text):
        found.append(m.group(1).strip())
    rest = _URL_MACRO.sub(" ", text)
    for m in _URL_IN_TEXT.finditer(rest):
        url = _URL_UNESCAPE.sub(r"\1", m.group(0))
        if prose:
            url = url.rstrip(_PROSE_TRAILER)
        found.append(url)
    return _dedupe(u for u in found if u)


def extract_dois(text: str) -> list[str]:
    """DOIs written anywhere in ``text`` (bare or in a resolver link)."""
    out = []
    for m in _DOI_IN_TEXT.finditer(_URL_UNESCAPE.sub(r"\1", text)):
        out.append(m.group(0).rstrip(_PROSE_TRAILER))
    return _dedupe(out)


def _dedupe(items: Iterator[str] | list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


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
    while pos <= last_percent:
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


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()


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


# ---------------------------------------------------------------------------
# Block splitting


# bibtexparser's marks: value delimiters, separators and block starts.  Its
# newline marks only counted lines, which are computed from offsets here.
_SPLIT_START = re.compile(r"@\w*[ \t]*(?=[{(])")
_SPLIT_MARKS = re.compile(r'(?<!\\)[{}",=]|@\w*[ \t]*(?=[{(])')
# Inside a `(`-delimited block the closing `)` is a mark too.
_SPLIT_MARKS_PAREN = re.compile(r'(?<!\\)[{}",=)]|@\w*[ \t]*(?=[{(])')


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
# (comments, `#`, `@string`, parentheses, a `@` that could start a line,
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
_FAST_HEADER = re.compile(_FAST_HEAD)
_FAST_FIELD = re.compile(rf"{_WS}({_FAST_NAME}){_WS}={_WS}({_FAST_VALUE}){_WS}([,}}])")
_FAST_CLOSE = re.compile(rf"{_WS}\}}")
# The same shape in one expression, for where only the entry's end matters.
_FAST_FIELD_ONLY = rf"{_WS}{_FAST_NAME}{_WS}={_WS}(?:{_FAST_VALUE}){_WS}"
_FAST_WHOLE = re.compile(rf"{_FAST_HEAD}(?:{_FAST_FIELD_ONLY},)*(?:{_FAST_FIELD_ONLY}|{_WS})\}}")


def _fast_entry_end(text: str, start: int) -> int | None:
    """Where the entry at ``start`` ends, if it has the fast path's shape."""
    whole = _FAST_WHOLE.match(text, start)
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
    pos = head.end()
    field_at = _FAST_FIELD.match
    while (m := field_at(text, pos)) is not None:
        name = m.group(1).lower()
        if name in fields:
            return None
        value_start, value_end = m.span(2)
        if text[value_start] in '{"':
            value_start += 1
            value_end -= 1
        else:
            bare.append(name)
        fields[name] = text[value_start:value_end]
        spans[name] = (value_start, value_end)
        pos = m.end()
        if m.group(3) == "}":
            break
    else:  # no field closed the entry: only space may be left before its `}`
        close = _FAST_CLOSE.match(text, pos)
        if close is None:
            return None
        pos = close.end()
    # Until _finish_fast_entry resolves the bare words, values are as written.
    return _Entry(entry_type, head.group(2), head.span(2), pos, fields, spans, fields, bare)


# ---------------------------------------------------------------------------
# Parsing


def parse(source: SourceText) -> Document:
    """Parse a BibTeX/biblatex file; never raises."""
    doc = Document(source=source, format=FORMAT, layout="bibtex", expects_list=True)
    try:
        _parse_into(doc)
    except Exception as exc:  # last resort: malformed input must never raise
        end = min(len(source.text), 1)
        doc.problems.append(
            ParseProblem("bibtex-syntax", 0, end, f"could not parse this file ({exc!r})")
        )
    return doc


def _trim_region(text: str, start: int, end: int) -> int:
    """End of a broken entry's region, without trailing blank and ``%`` lines."""
    region = text[start:end]
    lines = region.split("\n")
    while len(lines) > 1 and (not lines[-1].strip() or lines[-1].lstrip().startswith("%")):
        lines.pop()
    return start + len("\n".join(lines).rstrip())


def _parse_into(doc: Document) -> None:
    masked = _mask_comments(doc.source.text)
    try:
        _read_blocks(doc, masked, _split_blocks(masked))
    except _SplitFailure:  # a splitter bug must not take the whole run down
        doc.references.clear()
        doc.problems.clear()
        _read_blocks(doc, masked, _fallback_blocks(masked))


def _read_blocks(
    doc: Document, masked: str, blocks: Iterator[tuple[_Block, _Entry | None]]
) -> None:
    source = doc.source
    text = source.text

    strings: dict[str, str] = {}
    first_key: dict[str, Reference] = {}
    index = 0
    following = next(blocks, None)
    while following is not None:
        block, entry = following
        # Each block ends where the next one starts at the latest.
        following = next(blocks, None)
        limit = following[0].start if following is not None else len(text)
        if block.kind in ("comment", "preamble"):
            if block.failed:
                stopped = _EntryScanner(source, masked, block.start, limit)._where_stopped(limit)
                doc.problems.append(
                    ParseProblem(
                        "bibtex-syntax",
                        block.start,
                        max(block.end, block.start + 1),
                        f"@{block.kind} block is not closed {stopped}",
                    )
                )
            continue
        scan = None
        if entry is not None:
            # Read whole by the fast path: the scanner would find exactly this.
            _finish_fast_entry(entry, text, masked, strings)
        else:
            scan = _EntryScanner(source, masked, block.start, limit).scan()
            if block.kind == "string":
                _read_string(scan, strings)
                if scan.error is not None or block.failed:
                    doc.problems.append(_syntax_problem(scan, block, source))
                continue
            if block.failed or scan.error is not None:
                doc.problems.append(_syntax_problem(scan, block, source))
            if not block.failed and scan.error is None:
                end = block.end
            elif scan.end is not None and scan.error is None:
                end = scan.end
            else:
                end = _trim_region(text, block.start, limit)
            entry = _scanned_entry(text, scan, max(end, block.start + 1), strings)
        index += 1
        ref = _reference(source, index, block.start, entry)
        doc.references.append(ref)
        _check_key(doc, entry, ref, first_key)
        if scan is not None:
            _check_fields(doc, scan, ref)


def _syntax_problem(scan: _Scan, block: _Block, source: SourceText) -> ParseProblem:
    if scan.error is not None:
        start, end, message = scan.error
        return ParseProblem("bibtex-syntax", start, max(end, start + 1), message)
    # bibtexparser failed where the scanner did not: keep its reason.
    label = f"entry '{scan.key}'" if scan.key else f"@{scan.entry_type} block"
    reason = (block.reason or "could not be parsed").strip()
    line_end = source.text.find("\n", block.start)
    end = len(source.text) if line_end == -1 else line_end
    return ParseProblem(
        "bibtex-syntax", block.start, max(end, block.start + 1), f"{label}: {reason}"
    )


def _read_string(scan: _Scan, strings: dict[str, str]) -> None:
    for fld in scan.fields:
        strings[fld.name] = _join(fld.pieces, strings)


def _check_key(
    doc: Document, entry: _Entry, ref: Reference, first_key: dict[str, Reference]
) -> None:
    key = entry.key
    if not key:
        return
    # BibTeX compares keys without regard to case.
    folded = key.casefold()
    first = first_key.get(folded)
    if first is None:
        first_key[folded] = ref
        return
    span = entry.key_span or (ref.start, ref.start + 1)
    same = "" if first.key == key else f" (as '{first.key}', differing in case)"
    doc.problems.append(
        ParseProblem(
            "duplicate-key",
            span[0],
            span[1],
            f"duplicate key '{key}': already used{same} by the entry at line {first.line}",
        )
    )


def _check_fields(doc: Document, scan: _Scan, ref: Reference) -> None:
    if len(scan.fields) == len(ref.fields):
        return  # one field per name
    seen: dict[str, _Field] = {}
    for fld in scan.fields:
        earlier = seen.get(fld.name)
        if earlier is None:
            seen[fld.name] = fld
            continue
        label = f"entry '{scan.key}'" if scan.key else f"@{scan.entry_type} entry"
        line = doc.source.position(earlier.name_start)[0]
        doc.problems.append(
            ParseProblem(
                "duplicate-field",
                fld.name_start,
                fld.value_end + _closing_len(fld),
                f"{label} has field '{fld.name}' twice: the first one (line {line}) is used",
            )
        )


def _join(pieces: list[tuple[str, str]], strings: dict[str, str]) -> str:
    if len(pieces) == 1:
        kind, content = pieces[0]
        if kind != "bare" or content.isdigit():
            return content
    parts = []
    for kind, content in pieces:
        if kind == "bare" and not content.isdigit():
            name = content.lower()
            parts.append(strings.get(name, _MONTHS.get(name, content)))
        else:
            parts.append(content)
    return "".join(parts)


def _text(values: dict[str, str], *names: str) -> str | None:
    """The first of ``names`` given and not blank, as plain text."""
    for name in names:
        value = values.get(name)
        if value and not value.isspace():
            return decode(value) or None
    return None


def _plain(values: dict[str, str], *names: str) -> str | None:
    """The first of ``names`` given and not blank, without braces (numbers, dates)."""
    for name in names:
        value = values.get(name)
        if value and not value.isspace():
            return unbrace(value) or None
    return None


_REPORT_TYPES = frozenset(("techreport", "report", "phdthesis", "mastersthesis", "thesis"))
_DOI_ORG = re.compile(r"doi\.org/", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)([a-z])?")
_BCE = re.compile(r"\s*[-\u2212]\d")


def _finish_fast_entry(entry: _Entry, text: str, masked: str, strings: dict[str, str]) -> None:
    """Resolve the fast path's bare words with the @strings read so far, and take
    the values as written from the file rather than from the masked text."""
    if entry.bare:
        entry.values = dict(entry.fields)
        for name in entry.bare:
            entry.values[name] = _join([("bare", entry.fields[name])], strings)
    if masked is not text:
        entry.fields = {name: text[a:b] for name, (a, b) in entry.spans.items()}


def _scanned_entry(text: str, scan: _Scan, end: int, strings: dict[str, str]) -> _Entry:
    """A scanned entry's parts, ending at ``end``."""
    fields: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    values: dict[str, str] = {}
    for fld in scan.fields:
        name = fld.name
        if name in fields:
            continue  # BibTeX keeps the first of a repeated field
        fields[name] = text[fld.value_start : fld.value_end]
        spans[name] = (fld.value_start, fld.value_end)
        values[name] = _join(fld.pieces, strings)
    return _Entry(scan.entry_type, scan.key, scan.key_span, end, fields, spans, values)


def _reference(source: SourceText, index: int, start: int, entry: _Entry) -> Reference:
    """The Reference of an entry starting at ``start``, its macros resolved."""
    end = entry.end
    entry_type = entry.entry_type
    values = entry.values
    raw = source.text[start:end]
    line = source.position(start)[0]
    ref = Reference(
        path=source.path,
        format=FORMAT,
        index=index,
        start=start,
        end=end,
        raw=raw,
        key=entry.key,
        entry_type=entry_type or None,
        fields=entry.fields,
        field_spans=entry.spans,
        line=line,
        # The line of the last character, counted within the entry.
        end_line=line + raw.count("\n", 0, max(len(raw) - 1, 0)),
    )

    author = values.get("author")
    if author is not None:
        ref.authors = _people(author)
    editor = values.get("editor")
    if editor is not None:
        ref.editors = _people(editor)
    ref.year, ref.year_suffix = _year(values.get("year"), values.get("date"))
    ref.title = _text(values, "title")
    ref.container = _text(values, "journal", "journaltitle", "booktitle")
    ref.volume = _plain(values, "volume")
    ref.issue = _plain(values, "number", "issue")
    ref.pages = _plain(values, "pages")
    ref.publisher = _text(values, "publisher")
    if ref.publisher is None and entry_type in _REPORT_TYPES:
        ref.publisher = _text(values, "institution", "school", "organization")
    ref.place = _text(values, "address", "location")
    ref.accessed = _plain(values, "urldate")

    if "doi" in values:
        ref.doi = normalize_doi(values["doi"])
    prose = [values[name] for name in ("howpublished", "note") if name in values]
    if "url" not in values and not prose:
        # The usual case: no links to look for DOIs in.
        if ref.doi:
            ref.dois = [ref.doi]
        return ref
    urls: list[str] = []
    if "url" in values:
        # The url field holds one URL verbatim (the url package): take it whole.
        urls.append(_URL_UNESCAPE.sub(r"\1", unbrace(values["url"])).replace(" ", ""))
    for value in prose:
        urls.extend(extract_urls(value, prose=True))
    ref.urls = _dedupe([u for u in urls if u])
    dois = [ref.doi] if ref.doi else []
    for url in ref.urls:
        if _DOI_ORG.search(url):
            dois.extend(extract_dois(url))
    for value in prose:
        dois.extend(extract_dois(value))
    ref.dois = _dedupe(dois)
    if ref.doi is None and ref.dois:
        ref.doi = ref.dois[0]
    return ref


def _year(year: str | None, date: str | None) -> tuple[int | None, str | None]:
    for value in (year, date):
        if not value:
            continue
        if len(value) == 4 and value.isascii() and value.isdigit():
            return int(value), None
        plain = unbrace(value)
        if _BCE.match(plain):
            # biblatex (EDTF) writes a year before the common era with a minus
            # ("-3000~", "-0429"): no plain AD year to take from it.
            return None, None
        m = _YEAR.search(plain)
        if m:
            return int(m.group(1)), m.group(2)
    return None, None


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
