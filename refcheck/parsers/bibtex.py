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

from refcheck.model import Document, ParseProblem, Reference, SourceText
from refcheck.parsers.bibtex_names import _people, split_names
from refcheck.parsers.bibtex_scan import _closing_len, _Entry, _EntryScanner, _Field, _Scan

# The splitter and the fast path are tested through this module's names.
from refcheck.parsers.bibtex_split import (  # noqa: F401
    _Block,
    _fallback_blocks,
    _fast_entry,
    _fast_entry_end,
    _mask_comments,
    _split_blocks,
    _SplitFailure,
    _Splitter,
)
from refcheck.parsers.latex import decode, unbrace

__all__ = ["extract_dois", "extract_urls", "normalize_doi", "parse", "split_names"]

FORMAT = "bibtex"

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
    if entry.bare or entry.joined:
        entry.values = dict(entry.fields)
        for name in entry.bare:
            entry.values[name] = _join([("bare", entry.fields[name])], strings)
        for name, pieces in entry.joined.items():
            entry.values[name] = _join(pieces, strings)
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
