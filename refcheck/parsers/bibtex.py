"""BibTeX/biblatex (``.bib``) parser: one :class:`Reference` per entry, with positions.

Each entry becomes a Reference whose ``raw`` is the entry exactly as written
(``source.text[start:end]``); ``fields`` keeps every field value as written
(inside its braces or quotes, lower-case names) and ``field_spans`` the
offsets of those values, so ``fields[name] == text[slice(*field_spans[name])]``.
The decoded attributes (authors, title, container, ...) have LaTeX turned into
Unicode by :mod:`refcheck.parsers.latex`.  What cannot be read becomes a
:class:`ParseProblem` of kind ``bibtex-syntax``, ``duplicate-key`` or
``duplicate-field``; the parser never raises.

Why bibtexparser (and not pybtex)
---------------------------------
refcheck must report every problem in a file, with its position, and keep
reading past it.  pybtex (0.26.1) stops at the first data error unless a
process-global strict-mode switch is turned off, gives line numbers only for
syntax errors, keeps no entry positions, and lets an unclosed brace swallow the
next entry.  bibtexparser (2.1.0) splits a file into blocks with their start
lines, returns failed blocks and duplicate entries as values instead of raising,
and recovers the entry after an unclosed brace, which is what a linter needs.
refcheck uses bibtexparser's splitter for the block structure and computes exact
character offsets for entries and field values itself; it also hides ``%``
comment lines from bibtexparser (which would otherwise glue a ``%`` line inside
an entry onto the next field name) without changing any offset.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    keeps every offset and line (newlines stay), so bibtexparser's block lines
    and raw strings map back onto the original text.
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
            at_line_start = _at_line_start(text, m.start())
            if start is not None and (depth == 0 or at_line_start):
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

    def __init__(self, source: SourceText, start: int, limit: int) -> None:
        self.source = source
        self.text = source.text
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
            char = text[pos]
            if char.isspace():
                if char == "\n" and self._block_start_at(pos):
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
        marks = re.compile(r"\\[{}]|[{}\n]")
        while True:
            m = marks.search(text, pos, self.limit)
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
        marks = re.compile(r'\\[{}"]|[{}"\n]')
        while True:
            m = marks.search(text, pos, self.limit)
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
# bibtexparser blocks, located in the text


@dataclass
class _Block:
    kind: str  # entry | string | comment | preamble
    start: int
    end: int  # end of the raw text bibtexparser kept
    failed: bool
    reason: str | None = None


class _DropRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def _split_blocks(masked: str, source: SourceText) -> list[_Block] | None:
    """bibtexparser's blocks with offsets, or None when bibtexparser itself failed."""
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        ImplicitComment,
        ParsingFailedBlock,
    )
    from bibtexparser.splitter import Splitter

    # The splitter logs every failed block as a warning; failures are reported
    # as ParseProblems instead.  The filter is removed again, so no global state stays.
    logger = logging.getLogger("bibtexparser.splitter")
    drop = _DropRecords()
    logger.addFilter(drop)
    try:
        library = Splitter(masked).split()
    except Exception:  # a splitter bug must not take the whole run down
        return None
    finally:
        logger.removeFilter(drop)

    blocks: list[_Block] = []
    cursor = 0
    for block in library.blocks:
        if isinstance(block, ImplicitComment):
            continue
        raw = block.raw or ""
        line = block.start_line if isinstance(block.start_line, int) else 0
        line_start = source.line_start(min(max(line + 1, 1), source.line_count))
        begin = max(cursor, line_start)
        at = masked.find(raw, begin) if raw else -1
        if at == -1:
            at = masked.find(raw, cursor) if raw else -1
        if at == -1:
            continue
        cursor = at + max(len(raw), 1)
        type_m = _BLOCK_START.match(masked, at)
        btype = type_m.group(1).lower() if type_m else ""
        kind = btype if btype in ("string", "comment", "preamble") else "entry"
        failed = isinstance(block, ParsingFailedBlock) and not isinstance(
            block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)
        )
        reason = None
        if failed:
            error = getattr(block, "error", None)
            reason = str(getattr(error, "abort_reason", "") or error or "") or None
        blocks.append(_Block(kind, at, at + len(raw), failed, reason))
    return blocks


def _fallback_blocks(masked: str) -> list[_Block]:
    """Block starts found without bibtexparser: every ``@type{`` at a line start."""
    blocks = []
    for m in re.finditer(r"(?m)^[ \t]*(@(\w*)[ \t]*[{(])", masked):
        btype = m.group(2).lower()
        kind = btype if btype in ("string", "comment", "preamble") else "entry"
        blocks.append(_Block(kind, m.start(1), m.start(1), failed=True))
    return blocks


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
    source = doc.source
    text = source.text
    masked = _mask_comments(text)
    blocks = _split_blocks(masked, source)
    if blocks is None:
        blocks = _fallback_blocks(masked)
    # A masked text only differs in comments, which the scanner skips itself.
    scan_source = source if masked == text else SourceText(source.path, masked)

    strings: dict[str, str] = {}
    first_key: dict[str, Reference] = {}
    index = 0
    for i, block in enumerate(blocks):
        limit = blocks[i + 1].start if i + 1 < len(blocks) else len(text)
        if block.kind in ("comment", "preamble"):
            if block.failed:
                doc.problems.append(
                    ParseProblem(
                        "bibtex-syntax",
                        block.start,
                        max(block.end, block.start + 1),
                        f"@{block.kind} block is not closed "
                        f"{_EntryScanner(source, block.start, limit)._where_stopped(limit)}",
                    )
                )
            continue
        scan = _EntryScanner(scan_source, block.start, limit).scan()
        if block.kind == "string":
            _read_string(scan, strings)
            if scan.error is not None or block.failed:
                doc.problems.append(_syntax_problem(scan, block, source))
            continue

        if block.failed or scan.error is not None:
            doc.problems.append(_syntax_problem(scan, block, source))
        if not block.failed and scan.error is None:
            end = block.end if block.end > block.start else (scan.end or block.start)
        elif scan.end is not None and scan.error is None:
            end = scan.end
        else:
            end = _trim_region(text, block.start, limit)
        end = max(end, block.start + 1)
        index += 1
        ref = _reference(source, scan, index, block.start, end, strings)
        doc.references.append(ref)
        _check_duplicates(doc, scan, ref, first_key)


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


def _check_duplicates(
    doc: Document, scan: _Scan, ref: Reference, first_key: dict[str, Reference]
) -> None:
    if scan.key:
        # BibTeX compares keys without regard to case.
        folded = scan.key.casefold()
        first = first_key.get(folded)
        if first is None:
            first_key[folded] = ref
        else:
            span = scan.key_span or (ref.start, ref.start + 1)
            same = "" if first.key == scan.key else f" (as '{first.key}', differing in case)"
            doc.problems.append(
                ParseProblem(
                    "duplicate-key",
                    span[0],
                    span[1],
                    f"duplicate key '{scan.key}': already used{same} by the entry at "
                    f"line {first.line}",
                )
            )
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
    parts = []
    for kind, content in pieces:
        if kind == "bare" and not content.isdigit():
            name = content.lower()
            parts.append(strings.get(name, _MONTHS.get(name, content)))
        else:
            parts.append(content)
    return "".join(parts)


def _reference(
    source: SourceText,
    scan: _Scan,
    index: int,
    start: int,
    end: int,
    strings: dict[str, str],
) -> Reference:
    text = source.text
    ref = Reference(
        path=source.path,
        format=FORMAT,
        index=index,
        start=start,
        end=end,
        raw=text[start:end],
        key=scan.key,
        entry_type=scan.entry_type or None,
        line=source.position(start)[0],
        end_line=source.position(max(start, end - 1))[0],
    )
    values: dict[str, str] = {}  # macro-resolved, still LaTeX
    for fld in scan.fields:
        if fld.name in ref.fields:
            continue  # BibTeX keeps the first of a repeated field
        ref.fields[fld.name] = text[fld.value_start : fld.value_end]
        ref.field_spans[fld.name] = (fld.value_start, fld.value_end)
        values[fld.name] = _join(fld.pieces, strings)

    def text_of(*names: str) -> str | None:
        for name in names:
            value = values.get(name)
            if value is not None and value.strip():
                return decode(value) or None
        return None

    def plain_of(*names: str) -> str | None:
        for name in names:
            value = values.get(name)
            if value is not None and value.strip():
                return unbrace(value) or None
        return None

    ref.authors = [_author(n) for n in split_names(values.get("author", ""))]
    ref.editors = [_author(n) for n in split_names(values.get("editor", ""))]
    ref.year, ref.year_suffix = _year(values.get("year"), values.get("date"))
    ref.title = text_of("title")
    ref.container = text_of("journal", "journaltitle", "booktitle")
    ref.volume = plain_of("volume")
    ref.issue = plain_of("number", "issue")
    ref.pages = plain_of("pages")
    ref.publisher = text_of("publisher")
    if ref.publisher is None and scan.entry_type in (
        "techreport",
        "report",
        "phdthesis",
        "mastersthesis",
        "thesis",
    ):
        ref.publisher = text_of("institution", "school", "organization")
    ref.place = text_of("address", "location")
    ref.accessed = plain_of("urldate")

    if "doi" in values:
        ref.doi = normalize_doi(values["doi"])
    urls: list[str] = []
    if "url" in values:
        # The url field holds one URL verbatim (the url package): take it whole.
        urls.append(_URL_UNESCAPE.sub(r"\1", unbrace(values["url"])).replace(" ", ""))
    for name in ("howpublished", "note"):
        if name in values:
            urls.extend(extract_urls(values[name], prose=True))
    ref.urls = _dedupe([u for u in urls if u])
    dois = [ref.doi] if ref.doi else []
    for url in ref.urls:
        if re.search(r"doi\.org/", url, re.IGNORECASE):
            dois.extend(extract_dois(url))
    for name in ("howpublished", "note"):
        if name in values:
            dois.extend(extract_dois(values[name]))
    ref.dois = _dedupe(dois)
    if ref.doi is None and ref.dois:
        ref.doi = ref.dois[0]
    return ref


def _year(year: str | None, date: str | None) -> tuple[int | None, str | None]:
    for value in (year, date):
        if not value:
            continue
        m = re.search(r"(?<!\d)(\d{4})(?!\d)([a-z])?", unbrace(value))
        if m:
            return int(m.group(1)), m.group(2)
    return None, None


# ---------------------------------------------------------------------------
# Names


def _top_level_words(text: str) -> list[tuple[str, int]]:
    """Whitespace-separated words outside braces, with their offsets."""
    words: list[tuple[str, int]] = []
    depth = 0
    start: int | None = None
    for i, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        if depth == 0 and (char.isspace() or char == "~"):
            if start is not None:
                words.append((text[start:i], start))
                start = None
        elif start is None:
            start = i
    if start is not None:
        words.append((text[start:], start))
    return words


def split_names(value: str) -> list[str]:
    """The names of a BibTeX name list (``A and B and {C and D}``), as written."""
    if not value.strip():
        return []
    names: list[str] = []
    current: list[str] = []
    for word, _ in _top_level_words(value):
        if word.lower() == "and":
            if current:
                names.append(" ".join(current))
            current = []
        else:
            current.append(word)
    if current:
        names.append(" ".join(current))
    # "and others" is BibTeX's et al.: not a person.
    return [n for n in names if n.strip().lower() != "others"]


def _split_commas(name: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    last = 0
    for i, char in enumerate(name):
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(name[last:i].strip())
            last = i + 1
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


def _author(name: str) -> Author:
    name = name.strip()
    if _is_whole_group(name):
        return Author(family=decode(name[1:-1]), literal=True)
    parts = _split_commas(name)
    if len(parts) >= 2:
        # "von Last, First" or "von Last, Jr, First" (the Jr part is not kept).
        given = decode(parts[-1]) or None
        return Author(family=decode(parts[0]), given=given)
    words = [w for w, _ in _top_level_words(name)]
    if len(words) <= 1:
        return Author(family=decode(name))
    last = len(words) - 1
    von = last
    for i in range(last - 1, -1, -1):
        if _starts_lower(words[i]):
            von = i
    # The first lower-case word starts the family name ("Ludwig van Beethoven").
    first_von = next((i for i in range(last) if _starts_lower(words[i])), last)
    von = min(von, first_von)
    given = decode(" ".join(words[:von])) or None
    family = decode(" ".join(words[von:]))
    return Author(family=family, given=given)
