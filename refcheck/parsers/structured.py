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

from refcheck.model import Author, Reference, SourceText

__all__ = ["TYPE_CONTAINER", "Record", "fill_text", "year_of"]

# Which BibTeX field holds the container for a BibTeX entry type.
TYPE_CONTAINER = {
    "article": "journal",
    "incollection": "booktitle",
    "inproceedings": "booktitle",
    "inbook": "booktitle",
    "book": "series",
    "online": "journal",
    "misc": "journal",
    "phdthesis": "school",
    "techreport": "institution",
}

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
        mapped = to_source(*span) if span else None
        value = values[name]
        if value is None and span is not None:
            value = text[span[0] : span[1]]
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
