"""EndNote XML (``<xml><records><record>…``): each record as a reference.

EndNote wraps most values in ``<style face=… font=… size=…>`` runs; a
field's value is the text of its element and its span the text itself,
not the markup around it.  ``ref-type`` (by its ``name`` attribute or
number) gives the entry type; ``contributors/authors/author`` (``Family,
Given``), ``secondary-authors`` (editors of a book section), ``titles``
(``title``, ``secondary-title``, ``tertiary-title``), ``periodical/full-title``,
``pages``, ``volume``, ``number``, ``dates/year``, ``publisher``,
``pub-location``, ``electronic-resource-num`` (the DOI), ``urls`` and
``rec-number``/``label`` map onto BibTeX's field names.

The XML is read by :mod:`refcheck.parsers.xmlsafe` (no entity expansion,
no external entities).
"""

from __future__ import annotations

import re

from refcheck.model import Document, ParseProblem, Reference, SourceText
from refcheck.parsers.structured import Record, comma_author, put_element, read_guarded
from refcheck.parsers.xmlsafe import Node, read

__all__ = ["looks_like", "parse"]

FORMAT = "endnote-xml"

# EndNote's reference type names (and numbers) -> BibTeX types.
_TYPES = {
    "journal article": "article",
    "magazine article": "article",
    "newspaper article": "article",
    "electronic article": "article",
    "book": "book",
    "edited book": "book",
    "electronic book": "book",
    "book section": "incollection",
    "electronic book section": "incollection",
    "conference proceedings": "inproceedings",
    "conference paper": "inproceedings",
    "thesis": "phdthesis",
    "report": "techreport",
    "web page": "online",
    "generic": "misc",
}
_TYPE_NUMBERS = {"17": "article", "6": "book", "28": "book", "5": "incollection",
                 "10": "inproceedings", "47": "inproceedings", "32": "phdthesis",
                 "27": "techreport", "12": "online", "13": "misc"}


def looks_like(text: str) -> bool:
    """Whether XML text is an EndNote export: ``<records>`` holding ``<record>``."""
    head = text[:20000]
    return "<records" in head and "<record" in head.replace("<records", "")


def parse(source: SourceText) -> Document:
    doc = Document(source=source, format=FORMAT, layout="endnote-xml")
    return read_guarded(doc, _parse_into, "xml-syntax", "EndNote")


def _parse_into(doc: Document) -> None:
    text = doc.text
    root, error = read(text)
    if error is not None:
        doc.problems.append(ParseProblem("xml-syntax", error.offset, error.offset, str(error)))
    if root is None:
        return
    records = root.iter("record")
    if not records and error is None:
        doc.problems.append(ParseProblem(
            "xml-syntax", root.start, root.content_start,
            "an XML file without EndNote <record> elements"))
    for node in records:
        doc.references.append(_reference(doc, node, len(doc.references) + 1))


def _reference(doc: Document, node: Node, index: int) -> Reference:
    text = doc.text
    rec = Record()
    rtype = node.child("ref-type")
    if rtype is not None:
        name = (rtype.attr("name") or "").strip().lower()
        rec.entry_type = _TYPES.get(name) or _TYPE_NUMBERS.get(rtype.text(text), "misc")
    key = node.child("label") or node.child("rec-number")
    if key is not None:
        rec.key = key.text(text) or None
    contributors = node.child("contributors")
    if contributors is not None:
        for group, target in (("authors", rec.authors), ("secondary-authors", rec.editors)):
            g = contributors.child(group)
            if g is None:
                continue
            for a in g.children("author"):
                plain = a.plain(text)
                value = " ".join(plain.text.split())
                if value:
                    target.append((comma_author(value), plain.stripped_span()))
    titles = node.child("titles")
    container = "booktitle" if rec.entry_type in ("incollection", "inproceedings") else "journal"
    if titles is not None:
        put_element(rec, "title", titles.child("title"), text)
        if rec.entry_type == "book":
            put_element(rec, "series", titles.child("secondary-title"), text)
        else:
            put_element(rec, container, titles.child("secondary-title"), text)
    periodical = node.child("periodical") or node.child("alt-periodical")
    if periodical is not None and rec.entry_type not in ("book", "incollection", "inproceedings"):
        journal = periodical.child("full-title") or periodical.child("abbr-1")
        put_element(rec, "journal", journal, text)
    for name, tag in (("pages", "pages"), ("volume", "volume"), ("number", "number"),
                      ("publisher", "publisher"), ("address", "pub-location"),
                      ("edition", "edition"), ("doi", "electronic-resource-num"),
                      ("isbn", "isbn")):
        put_element(rec, name, node.child(tag), text)
    if "doi" in rec.values and not re.search(r"10\.\d", rec.values["doi"]):
        rec.values.pop("doi")  # EndNote's field holds other resource numbers too
        rec.spans.pop("doi", None)
    dates = node.child("dates")
    if dates is not None:
        put_element(rec, "year", dates.child("year"), text)
    if "year" not in rec.values:
        put_element(rec, "year", node.child("year"), text)
    urls = node.child("urls")
    if urls is not None:
        for u in urls.iter("url"):
            plain = u.plain(text)
            value = plain.text.strip()
            if not value:
                continue
            if "url" in rec.values:
                rec.urls.append(value)
            else:
                rec.put("url", value, plain.stripped_span())
    put_element(rec, "urldate", node.child("access-date"), text)
    if rec.entry_type is None:
        rec.entry_type = "article" if "journal" in rec.values else "misc"
    return rec.reference(doc.source, FORMAT, index, node.start, node.end)
