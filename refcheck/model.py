"""The data every part of refcheck shares: sources, references, findings.

Positions are kept as character offsets into the decoded file text while
parsing and checking; they become 1-based line/column pairs only when a
finding is made, through :class:`SourceText`.  Findings are frozen: rules
produce them, reporters only render them.
"""

from __future__ import annotations

import array
import bisect
import enum
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Category(str, enum.Enum):
    """The contract's finding categories."""

    TYPO = "typo"
    ARTIFACT = "artifact"
    ENCODING = "encoding"
    SYNTAX = "syntax"
    LINK = "link"
    DOI = "doi"
    METADATA = "metadata"
    RETRACTION = "retraction"
    STRUCTURE = "structure"
    CITATION = "citation"
    EXISTENCE = "existence"


@dataclass(frozen=True)
class Span:
    """A 1-based region of a file; ``end_column`` is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    # A finding in a PDF names its page (line/column are counted on that page); one in
    # a Word file names its part ("body", "footnote 3"), with line the paragraph number.
    page: int | None = None
    part: str | None = None


class SourceText:
    """A decoded file with an offset -> (line, column) index."""

    # --fix rewrites a file only when its text is what people edit; otherwise
    # (a PDF, a Word file, a .bbl BibTeX wrote) ``not_rewritten`` says why, once.
    rewritable = True
    not_rewritten: str | None = None

    def __init__(
        self, path: str, text: str, encoding: str = "utf-8", digest: str | None = None
    ) -> None:
        self.path = path
        self.text = text
        # How the bytes were decoded, and their sha256: --fix writes back in the
        # same encoding and refuses a file whose bytes changed since they were read.
        self.encoding = encoding
        self.digest = digest
        # The file's bytes, for formats read from binary (PDF, Word); None for text.
        self.data: bytes | None = None
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        # Packed: 8 bytes a line instead of an int object and a pointer (40); a
        # 100,000-line bibliography's index took 4 MB for as long as the file was held.
        self._line_starts = array.array("q", starts)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(self.path, line, col, end_line, end_col)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its newline."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end]

    def line_start(self, line: int) -> int:
        return self._line_starts[line - 1]

    @property
    def line_count(self) -> int:
        return len(self._line_starts)


@dataclass(slots=True)
class Author:
    family: str
    given: str | None = None
    literal: bool = False  # an institution ("UNODC"), not a person

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"family": self.family, "given": self.given}
        if self.literal:
            data["literal"] = True
        return data


# Slots: with its 37 attributes a Reference's instance dict outgrows CPython's
# shared-key limit (30) and costs ~1.5 KB; 200,000 references in one file took 300 MB.
@dataclass(slots=True)
class Reference:
    """One cited work as found in a file.

    ``start``/``end`` are offsets of the reference as written (``raw`` is
    exactly ``source.text[start:end]``).  ``field_spans`` maps a field name
    to the offsets where its value is written, when the parser knows them,
    so that a finding on a field points at the field, not the entry.
    """

    path: str
    format: str
    index: int
    start: int
    end: int
    raw: str
    key: str | None = None
    entry_type: str | None = None
    authors: list[Author] = field(default_factory=list)
    editors: list[Author] = field(default_factory=list)
    year: int | None = None
    year_suffix: str | None = None
    title: str | None = None
    translated_title: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    place: str | None = None
    doi: str | None = None
    dois: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    accessed: str | None = None
    label: str | None = None  # "1", "[12]", a footnote number, "For citation"
    kind: str = "entry"  # entry | footnote | citation-line | ibid | op-cit
    repeats: int | None = None  # index of the reference an ibid./op. cit. repeats
    fields: dict[str, str] = field(default_factory=dict)  # raw BibTeX/CSL fields
    field_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    line: int = 0
    end_line: int = 0
    # In a PDF the page ``line`` is counted on; in a Word file the part ("footnote 2").
    page: int | None = None
    part: str | None = None

    def where(self) -> dict[str, Any]:
        """The JSON keys naming a PDF page or a Word part, as findings carry them."""
        if self.page is not None:
            return {"page": self.page}
        return {"part": self.part} if self.part is not None else {}

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            **({"page": self.page} if self.page is not None else {}),
            **({"part": self.part} if self.part is not None else {}),
            "index": self.index,
            "key": self.key,
            "format": self.format,
            "raw": self.raw,
            "kind": self.kind,
            "label": self.label,
            "type": self.entry_type,
            "authors": [a.to_json() for a in self.authors],
            "editors": [a.to_json() for a in self.editors],
            "year": self.year,
            "title": self.title,
            "translated_title": self.translated_title,
            "container": self.container,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "publisher": self.publisher,
            "place": self.place,
            "doi": self.doi,
            "dois": list(self.dois),
            "urls": list(self.urls),
            "accessed": self.accessed,
            "repeats": self.repeats,
        }


@dataclass(frozen=True)
class ParseProblem:
    """Something a parser could not read; a rule turns it into a finding.

    ``kind`` names the rule family that reports it (for example
    ``"bibtex-syntax"``); parsers never decide codes or severities.
    """

    kind: str
    start: int
    end: int
    message: str
    suggestion: str | None = None


@dataclass
class Document:
    """A parsed file: its text, the references found in it, and what went wrong."""

    source: SourceText
    format: str
    references: list[Reference] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    # Offsets of the reference section (or list) when one was found.
    section: tuple[int, int] | None = None
    # How the references are laid out: numbered, author-date, footnotes, bibtex, csl-json.
    layout: str | None = None
    # A document whose format implies a list (a .bib, a CSL-JSON file) always "has" one.
    expects_list: bool = True
    # Offset ranges holding inline suppression comments: (start, end, codes or None=all).
    suppressions: list[tuple[int, int, frozenset[str] | None]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def text(self) -> str:
        return self.source.text

    def entries(self) -> Iterator[Reference]:
        """References that describe a work (not ibid./op. cit. repeats)."""
        return (r for r in self.references if r.kind not in ("ibid", "op-cit"))


_T = TypeVar("_T")


class DocumentMemo(Generic[_T]):
    """A value derived from each of the last few documents, for rules that share work.

    The document itself is held, so that its ``id()`` cannot be taken by a newer
    object while cached; a value is stale once the document's text or its list
    of references changed (a reference appended by a caller).
    """

    # Every memo, so that the engine can drop what they hold for a document it is
    # done with (a slice of a large file, a file of a streamed run).
    _every: ClassVar[weakref.WeakSet[DocumentMemo[Any]]] = weakref.WeakSet()

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[int, tuple[Document, str, list[Reference], int, _T]] = {}
        DocumentMemo._every.add(self)

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def release(cls, doc: Document) -> None:
        """Forget what every memo derived from ``doc``."""
        key = id(doc)
        for memo in list(cls._every):
            entry = memo._entries.get(key)
            if entry is not None and entry[0] is doc:
                # pop, not del: the network rules' thread may clear the memo meanwhile.
                memo._entries.pop(key, None)

    def get(self, doc: Document) -> _T | None:
        entry = self._entries.get(id(doc))
        if (
            entry is not None
            and entry[0] is doc
            and entry[1] is doc.text
            and entry[2] is doc.references
            and entry[3] == len(doc.references)
        ):
            return entry[4]
        return None

    def put(self, doc: Document, value: _T) -> _T:
        if len(self._entries) >= self.size and id(doc) not in self._entries:
            self._entries.clear()
        self._entries[id(doc)] = (doc, doc.text, doc.references, len(doc.references), value)
        return value


@dataclass(frozen=True)
class Fix:
    """A replacement of ``text[start:end]``; ``safe`` fixes are applied by --fix."""

    start: int
    end: int
    replacement: str
    safe: bool = True


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    category: Category
    severity: Severity
    message: str
    span: Span
    text: str | None = None
    suggestion: str | None = None
    field: str | None = None
    reference_index: int | None = None
    reference_key: str | None = None
    url: str | None = None
    status: str | None = None
    fix: Fix | None = None
    transient: bool = False

    @property
    def path(self) -> str:
        return self.span.path

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.column, self.code)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.span.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            **({"page": self.span.page} if self.span.page is not None else {}),
            **({"part": self.span.part} if self.span.part is not None else {}),
            "code": self.code,
            "name": self.name,
            "category": self.category.value,
            "severity": self.severity.value,
            "message": self.message,
            "text": self.text,
            "suggestion": self.suggestion,
            "field": self.field,
            "reference": {"index": self.reference_index, "key": self.reference_key},
            "url": self.url,
            "status": self.status,
            "transient": self.transient,
            "fix": None
            if self.fix is None
            else {"replacement": self.fix.replacement, "safe": self.fix.safe},
        }
