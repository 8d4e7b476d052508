"""RIS (reference-manager export): ``TY  - JOUR`` … ``ER  -`` records as references.

Each line is ``XX  - value`` (two upper-case letters or a letter and a
digit, two spaces, a hyphen); a line without a tag continues the value
above it (some exporters wrap long titles).  Tags are mapped onto BibTeX's
field names (:mod:`refcheck.parsers.structured`): ``AU``/``A1`` authors,
``A2``/``ED`` editors, ``TI``/``T1`` title, ``JO``/``JF``/``T2``/``BT``
container, ``PY``/``Y1``/``DA`` year, ``VL``, ``IS``, ``SP``/``EP``,
``DO``, ``UR``, ``PB``, ``CY``, ``Y2`` access date, ``ID`` key.  A record
left open at the end of the file, or a tag outside any record, is a
problem; nothing raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from refcheck.model import Document, ParseProblem, SourceText
from refcheck.parsers.structured import Record, comma_author, read_guarded

__all__ = ["looks_like", "parse"]

FORMAT = "ris"

_TAG = re.compile(r"^(?P<tag>[A-Z][A-Z0-9])  -(?: (?P<value>.*?))?[ \t\r]*$")
_TYPES = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "ABST": "article",
    "INPR": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "incollection",
    "ECHAP": "incollection",
    "CONF": "inproceedings",
    "CPAPER": "inproceedings",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "ELEC": "online",
    "WEB": "online",
    "DATA": "misc",
    "COMP": "misc",
    "GEN": "misc",
}
# Container tags, best first; for a book, T2 is its series.
_CONTAINER_TAGS = ("JO", "JF", "T2", "JA", "J2", "BT", "J1")


def looks_like(text: str) -> bool:
    """Whether a text is RIS: its first non-blank line is a ``TY  -`` tag."""
    for line in text[:4000].lstrip("\ufeff").splitlines():
        if line.strip():
            return re.match(r"^TY  - ", line) is not None
    return False


def parse(source: SourceText) -> Document:
    doc = Document(source=source, format=FORMAT, layout="ris")
    return read_guarded(doc, _parse_into, "ris-syntax", "RIS")


@dataclass
class _Value:
    text: str
    start: int
    end: int


class _Open:
    def __init__(self, start: int) -> None:
        self.start = start
        # tag -> values in order; continuation lines extend the last value.
        self.tags: dict[str, list[_Value]] = {}
        self.last: _Value | None = None


def _parse_into(doc: Document) -> None:
    text = doc.text
    pos = 0
    current: _Open | None = None
    for line in text.splitlines(keepends=True):
        start = pos
        pos += len(line)
        body = line.rstrip("\r\n")
        m = _TAG.match(body.lstrip("\ufeff"))
        if m is None:
            if current is not None and current.last is not None and body.strip():
                # A wrapped value: it runs on to the end of this line.
                current.last.text = f"{current.last.text} {body.strip()}"
                current.last.end = start + len(body.rstrip())
            elif body.strip() and current is None:
                doc.problems.append(ParseProblem(
                    "ris-syntax", start, start + len(body),
                    "a line outside any RIS record (records start with 'TY  - ')"))
            continue
        offset = start + (1 if body.startswith("\ufeff") else 0)
        tag = m.group("tag")
        value = m.group("value") or ""
        vstart = offset + (m.start("value") if m.group("value") is not None else m.end())
        vend = vstart + len(value)
        if tag == "TY":
            if current is not None:
                doc.problems.append(ParseProblem(
                    "ris-syntax", current.start, start,
                    "RIS record not closed by 'ER  -' before the next 'TY  -'"))
                _finish(doc, current, start)
            current = _Open(offset)
        elif current is None:
            doc.problems.append(ParseProblem(
                "ris-syntax", offset, offset + len(body),
                f"tag '{tag}' outside any RIS record (records start with 'TY  - ')"))
            continue
        if tag == "ER":
            _finish(doc, current, offset + len(body))
            current = None
            continue
        item = _Value(value, vstart, vend)
        current.tags.setdefault(tag, []).append(item)
        current.last = item
    if current is not None:
        doc.problems.append(ParseProblem(
            "ris-syntax", current.start, current.start + 2,
            "RIS record not closed by 'ER  -' at the end of the file"))
        _finish(doc, current, len(text.rstrip()))


def _first(
    rec_tags: dict[str, list[_Value]], *tags: str
) -> tuple[str, tuple[int, int]] | None:
    for tag in tags:
        for v in rec_tags.get(tag, []):
            value, s, e = v.text, v.start, v.end
            if value.strip():
                lead = len(value) - len(value.lstrip())
                return value.strip(), (s + lead, e)
    return None


def _finish(doc: Document, op: _Open, end: int) -> None:
    tags = op.tags
    rec = Record()
    ty = _first(tags, "TY")
    kind = ty[0].upper() if ty else ""
    rec.entry_type = _TYPES.get(kind, "misc")
    ident = _first(tags, "ID")
    rec.key = ident[0] if ident else None

    def put(name: str, *names: str) -> None:
        got = _first(tags, *names)
        if got is not None:
            rec.put(name, got[0], got[1])

    put("title", "TI", "T1", "CT")
    if rec.entry_type == "book":
        put("series", "T2", "T3")
        put("booktitle", "BT") if "title" in rec.values else put("title", "BT")
    elif rec.entry_type in ("incollection", "inproceedings"):
        put("booktitle", "T2", "BT", "JO", "JF")
    else:
        put("journal", *_CONTAINER_TAGS)
    put("year", "PY", "Y1", "DA")
    put("volume", "VL")
    put("number", "IS", "CP")
    sp = _first(tags, "SP")
    ep = _first(tags, "EP")
    if sp is not None:
        value, span = sp
        if ep is not None and ep[0] and ep[0] != sp[0]:
            value = f"{sp[0]}–{ep[0]}"
            span = (sp[1][0], ep[1][1])
        rec.put("pages", value, span)
    put("doi", "DO")
    put("publisher", "PB")
    put("address", "CY", "PP")
    put("urldate", "Y2")
    put("edition", "ET")
    for tag in ("UR", "L1", "L2", "LK"):
        for v in tags.get(tag, []):
            value, s = v.text, v.start
            # Some exporters put several URLs on one UR line, separated by ';'.
            for m in re.finditer(r"[^;\s][^;]*", value):
                url = m.group(0).strip()
                if "url" in rec.values:
                    rec.urls.append(url)
                else:
                    rec.put("url", url, (s + m.start(), s + m.start() + len(url)))
    for tag, target in (("AU", rec.authors), ("A1", rec.authors), ("A2", rec.editors),
                        ("ED", rec.editors)):
        if tag == "A2" and rec.entry_type == "article":
            continue  # secondary author of a journal article: not an editor of the paper
        for v in tags.get(tag, []):
            value, s = v.text, v.start
            if value.strip():
                target.append((comma_author(value.strip()), (s, s + len(value.rstrip()))))
    ref = rec.reference(doc.source, FORMAT, len(doc.references) + 1, op.start, end)
    doc.references.append(ref)
