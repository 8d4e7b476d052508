"""One way to build a :class:`Reference` from a structured record (JATS, RIS, EndNote, .bbl).

Structured formats name their fields differently (``article-title``,
``TI``, ``<title>``, ``\\field{title}``); each parser maps them onto the
BibTeX field names the rules already know (``title``, ``journal``,
``booktitle``, ``author``, ``pages``, ``doi``, …), so that every rule that
reads a BibTeX entry's fields — the typo rules on ``title`` and
``journal``, the DOI and URL syntax rules, the registry comparisons —
reads these references the same way, at the exact place in the file.

A record that is only text (a ``\\bibitem``, an untagged JATS
``mixed-citation``) is read by the plain-text field reader
(:func:`refcheck.parsers.fields.fill`) on its text, and the fields found
are mapped back to the file through the text's offset map.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from refcheck.model import Author, Document, ParseProblem, Reference, SourceText

if TYPE_CHECKING:
    from refcheck.parsers.xmlsafe import Node

__all__ = [
    "TEXT_FORMAT",
    "Record",
    "comma_author",
    "fill_text",
    "put_element",
    "read_guarded",
    "year_of",
]

# The format of a reference written as text inside a structured file (a
# \bibitem, an untagged mixed-citation): the rules check such a reference
# whole, as they check one in a text file, instead of field by field, where a
# field the text reader cut short (a title ending at "(v0.") would look broken.
TEXT_FORMAT = "text"

def read_guarded(
    doc: Document, read: Callable[[Document], None], code: str, reader: str
) -> Document:
    """``read(doc)``, with a reader's crash kept as a parse problem ``code`` of the document."""
    try:
        read(doc)
    except Exception as exc:  # pragma: no cover - a parser bug must not stop a lint run
        doc.problems.append(ParseProblem(code, 0, 0, f"the {reader} reader failed: {exc}"))
    return doc


_YEAR = re.compile(r"(?<!\d)(1[4-9]\d\d|20\d\d)([a-z]?)(?!\d)")


def year_of(value: str | None) -> tuple[int | None, str | None]:
    """The year (and a 2010a suffix) in a date or year value."""
    if not value:
        return None, None
    m = _YEAR.search(value)
    if m is None:
        return None, None
    return int(m.group(1)), (m.group(2) or None)


@dataclass
class Record:
    """Fields of one record as they are found: value and where it is written."""

    entry_type: str | None = None
    key: str | None = None
    label: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    authors: list[tuple[Author, tuple[int, int] | None]] = field(default_factory=list)
    editors: list[tuple[Author, tuple[int, int] | None]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def put(self, name: str, value: str | None, span: tuple[int, int] | None) -> None:
        """Set a field once (the first value found wins, as BibTeX's would not be doubled)."""
        if value is None:
            return
        value = " ".join(value.split())
        if not value or name in self.values:
            return
        self.values[name] = value
        if span is not None:
            self.spans[name] = span

    def replace(self, name: str, value: str, span: tuple[int, int] | None) -> None:
        """Set a field over what an earlier, less certain reading put there."""
        self.values.pop(name, None)
        self.spans.pop(name, None)
        self.put(name, value, span)

    def reference(
        self, source: SourceText, fmt: str, index: int, start: int, end: int
    ) -> Reference:
        line, _ = source.position(start)
        end_line, _ = source.position(max(start, end - 1))
        v = self.values
        ref = Reference(
            path=source.path,
            format=fmt,
            index=index,
            start=start,
            end=end,
            raw=source.text[start:end],
            key=self.key,
            entry_type=self.entry_type,
            label=self.label,
            line=line,
            end_line=end_line,
        )
        ref.authors = [a for a, _ in self.authors]
        ref.editors = [a for a, _ in self.editors]
        for name, people in (("author", self.authors), ("editor", self.editors)):
            spans = [s for _, s in people if s is not None]
            if people and name not in v:
                v[name] = " and ".join(_name_text(a) for a, _ in people)
            if spans and name not in self.spans:
                self.spans[name] = (spans[0][0], spans[-1][1])
        ref.year, ref.year_suffix = year_of(v.get("year") or v.get("date"))
        ref.title = v.get("title")
        ref.container = v.get("journal") or v.get("booktitle")
        if ref.container is None and ref.entry_type not in ("book", None) and "series" in v:
            ref.container = v["series"]
        ref.volume = v.get("volume")
        ref.issue = v.get("number")
        ref.pages = v.get("pages")
        ref.publisher = v.get("publisher")
        ref.place = v.get("address")
        ref.accessed = v.get("urldate")
        doi = v.get("doi")
        if doi:
            ref.doi = _bare_doi(doi)
            ref.dois = [ref.doi]
        urls = list(dict.fromkeys(u for u in [v.get("url"), *self.urls] if u))
        ref.urls = urls
        ref.fields = dict(v)
        ref.field_spans = dict(self.spans)
        return ref


def put_element(rec: Record, name: str, node: Node | None, text: str) -> None:
    """Set field ``name`` to an XML element's text, where it is written (JATS, EndNote)."""
    if node is None:
        return
    plain = node.plain(text)
    rec.put(name, plain.text, plain.stripped_span())


def comma_author(value: str) -> Author:
    """``Family, Given`` (the form RIS and EndNote prescribe for people); a name
    without a comma is an organisation ("GTEx Consortium") and is kept whole."""
    if "," in value:
        family, _, given = value.partition(",")
        given = given.strip().strip(",").strip()
        family = family.strip()
        if family:
            return Author(family, given or None, literal=not given and " " in family)
    return Author(value.strip().strip(","), literal=True)


def _name_text(a: Author) -> str:
    return a.family if a.literal or not a.given else f"{a.family}, {a.given}"


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def _bare_doi(value: str) -> str:
    return _DOI_PREFIX.sub("", value.strip())


# Field names of the plain-text reader -> BibTeX names.
_TEXT_FIELDS = {
    "authors": "author",
    "title": "title",
    "volume": "volume",
    "issue": "number",
    "pages": "pages",
    "publisher": "publisher",
    "place": "address",
    "doi": "doi",
    "urls": "url",
    "accessed": "urldate",
    "year": "year",
}


_LOCATORS = frozenset({"volume", "issue", "pages", "year"})
_OPEN_OR_CLOSE = re.compile(r"[()\[\]]")


def _balanced(value: str) -> str:
    """A locator up to a bracket it does not close ("89(14" read as a volume: "89").

    Its span reaches the bracket rules on its own, where the stray half of a
    pair the text reader cut through would be reported as unbalanced.
    """
    if value.count("(") == value.count(")") and value.count("[") == value.count("]"):
        return value
    m = _OPEN_OR_CLOSE.search(value)
    return value[: m.start()].strip() if m else value


def _closed(value: str) -> bool:
    """Whether every bracket and straight double quote of ``value`` is paired."""
    return (
        value.count("(") == value.count(")")
        and value.count("[") == value.count("]")
        and value.count('"') % 2 == 0
    )


def _narrow(text: str, span: tuple[int, int], value: str) -> tuple[int, int] | None:
    """The part of ``span`` that holds ``value``, or None when it does not hold it.

    A field's span reaches the rules on its own (not as part of the whole
    reference): a volume span that took in "(14" would be an unclosed bracket.
    """
    a, b = span
    written = text[a:b]
    if " ".join(written.split()) == value:
        return span
    i = written.find(value)
    if i >= 0:
        return a + i, a + i + len(value)
    return None


def fill_text(
    record: Record,
    text: str,
    to_source: Callable[[int, int], tuple[int, int] | None],
) -> Reference:
    """Read a reference written as text into ``record``; returns the text reader's result.

    ``to_source`` maps ``[a, b)`` of ``text`` to offsets in the file.
    """
    from refcheck.parsers.fields import fill

    tmp = Reference(path="", format="text", index=0, start=0, end=len(text), raw=text)
    fill(tmp)
    spans = tmp.field_spans
    values: dict[str, str | None] = {
        "authors": None,
        "title": tmp.title,
        "volume": tmp.volume,
        "issue": tmp.issue,
        "pages": tmp.pages,
        "publisher": tmp.publisher,
        "place": tmp.place,
        "doi": tmp.doi,
        "urls": tmp.urls[0] if tmp.urls else None,
        "accessed": tmp.accessed,
        "year": str(tmp.year) + (tmp.year_suffix or "") if tmp.year else None,
    }
    for name, target in _TEXT_FIELDS.items():
        span = spans.get(name)
        value = values[name]
        if value is None and span is not None:
            value = text[span[0] : span[1]]
        if value is not None and name in _LOCATORS:
            value = _balanced(value)
        if span is not None and value is not None and name != "authors":
            span = _narrow(text, span, value)
            if span is not None and not _closed(value):
                # Most likely cut short by the text reader ("… interactions (v0"):
                # on its own, the field would be reported as an unclosed bracket.
                span = None
        mapped = to_source(*span) if span else None
        if name == "authors":
            if span is not None:
                record.spans.setdefault("author", mapped) if mapped else None
            continue
        record.put(target, value, mapped)
    if tmp.container:
        span = spans.get("container")
        periodical = bool(tmp.volume or tmp.issue) or tmp.entry_type == "article"
        record.put("journal" if periodical else "booktitle", tmp.container,
                   to_source(*span) if span else None)
    record.entry_type = record.entry_type or tmp.entry_type
    for a in tmp.authors:
        record.authors.append((a, None))
    for a in tmp.editors:
        record.editors.append((a, None))
    record.urls.extend(tmp.urls[1:])
    return tmp
