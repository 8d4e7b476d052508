"""JATS XML (journal production): the ``<ref-list>``'s citations as references.

Each ``<ref>`` is one reference (its ``id`` the key, its ``<label>`` the
label), read from its first ``element-citation``, ``mixed-citation``,
``nlm-citation`` or ``citation``: ``person-group``/``name``
(``surname``, ``given-names``), ``string-name`` and ``collab``,
``article-title``/``chapter-title``, ``source``, ``year``, ``volume``,
``issue``, ``fpage``/``lpage``/``elocation-id``, ``publisher-name``/``-loc``,
``pub-id[@pub-id-type=doi]``, ``ext-link``/``uri`` and the access date.
Fields keep BibTeX's names (:mod:`refcheck.parsers.structured`) and the
offsets of their text in the file.  A ``mixed-citation`` whose parts are
not tagged is a reference written as text: it is read by the plain-text
field reader, and its reference (the citation's text, not the XML around
it) has the format ``text``, so the rules check it whole, as they check a
reference list in a text file.

The XML is read by :mod:`refcheck.parsers.xmlsafe` (no entity expansion,
no external entities); what cannot be read is a problem, never an
exception.
"""

from __future__ import annotations

import re

from refcheck.model import Author, Document, ParseProblem, Reference, SourceText
from refcheck.parsers.structured import TEXT_FORMAT, Record, fill_text, put_element, read_guarded
from refcheck.parsers.xmlsafe import Node, read

__all__ = ["looks_like", "parse"]

FORMAT = "jats"

_NUMBERED = re.compile(r"[\[(]?\d{1,4}[\]).]?")
_DOI_LINK = re.compile(r"https?://(?:dx\.)?doi\.org/(10\.\S+)$", re.IGNORECASE)
_CITATIONS = ("element-citation", "mixed-citation", "nlm-citation", "citation")
_TYPES = {
    "journal": "article",
    "book": "book",
    "chapter": "incollection",
    "bookchapter": "incollection",
    "confproc": "inproceedings",
    "conference": "inproceedings",
    "conf-proc": "inproceedings",
    "proceedings": "inproceedings",
    "thesis": "phdthesis",
    "report": "techreport",
    "web": "online",
    "webpage": "online",
    "website": "online",
    "preprint": "article",
    "data": "misc",
    "software": "misc",
    "patent": "misc",
    "other": "misc",
}
# Elements whose text is not part of the reference as printed.
_NOT_TEXT = frozenset({"comment"})


def looks_like(text: str) -> bool:
    """Whether XML text is JATS (an article or a reference list), judged from its head."""
    head = text[:20000]
    return any(m in head for m in ("<ref-list", "<article", "<element-citation",
                                   "<mixed-citation", "JATS", "<back>"))


def parse(source: SourceText) -> Document:
    doc = Document(source=source, format=FORMAT, layout="jats")
    return read_guarded(doc, _parse_into, "xml-syntax", "JATS")


def _parse_into(doc: Document) -> None:
    text = doc.text
    if not looks_like(text):
        # A build file or a configuration (pom.xml) met by a directory scan or a
        # pre-commit hook: not read at all, said once.
        doc.problems.append(ParseProblem(
            "not-a-bibliography", 0, 0,
            "XML that is neither JATS nor an EndNote export: skipped"))
        return
    root, error = read(text)
    if error is not None:
        doc.problems.append(ParseProblem("xml-syntax", error.offset, error.offset, str(error)))
    if root is None:
        return
    lists = root.iter("ref-list")
    refs = [r for lst in lists for r in lst.children("ref")]
    seen: set[int] = set()
    ordered = []
    for r in refs:
        if id(r) not in seen:
            seen.add(id(r))
            ordered.append(r)
    if not ordered:
        # A bare list of citations (no <ref> wrappers): each is a reference.
        ordered = root.iter(*_CITATIONS)
    if lists:
        doc.section = (min(n.start for n in lists), max(n.end for n in lists))
    for node in ordered:
        ref = _reference(doc, node, len(doc.references) + 1)
        if ref is not None:
            doc.references.append(ref)
    # Labels "1", "2", … make a numbered list (whose numbering RC404 follows).
    labels = [r.label for r in doc.references]
    if len(labels) >= 2 and all(lb and _NUMBERED.fullmatch(lb) for lb in labels):
        doc.layout = "numbered"


def _reference(doc: Document, node: Node, index: int) -> Reference | None:
    text = doc.text
    cite = node if node.local in _CITATIONS else None
    if cite is None:
        found = node.iter(*_CITATIONS)
        cite = found[0] if found else None
    rec = Record()
    if node.local == "ref":
        rec.key = node.attr("id")
        label = node.child("label")
        if label is not None:
            rec.label = label.text(text) or None
            span = label.plain(text).stripped_span()
            if rec.label and span is not None:
                rec.spans["label"] = span
    if cite is None:
        doc.problems.append(ParseProblem(
            "xml-syntax", node.start, node.content_start,
            "a <ref> without element-citation, mixed-citation or nlm-citation"))
        return None
    kind = (cite.attr("publication-type") or cite.attr("citation-type") or "").lower()
    rec.entry_type = _TYPES.get(kind)
    tagged = _structured(rec, cite, text)
    if not tagged and cite.local != "element-citation":
        # A citation that is only text is a reference written as text: read by
        # the text reader, and checked whole like one (TEXT_FORMAT).
        plain = cite.plain(text, _NOT_TEXT)
        fill_text(rec, plain.text, plain.span)
        span = plain.stripped_span()
        if span is not None:
            return rec.reference(doc.source, TEXT_FORMAT, index, *span)
    if rec.entry_type is None:
        rec.entry_type = "article" if "journal" in rec.values else "misc"
    return rec.reference(doc.source, FORMAT, index, node.start, node.end)


def _structured(rec: Record, cite: Node, text: str) -> bool:
    """Read the tagged parts of a citation; False when it has none worth the name."""
    _people(rec, cite, text)
    title = cite.iter("article-title", "chapter-title", "part-title", "data-title")
    source = cite.iter("source")
    container = "booktitle" if rec.entry_type in ("incollection", "inproceedings") else "journal"
    if title:
        put_element(rec, "title", title[0], text)
        if source:
            put_element(rec, container, source[0], text)
    elif source:
        # A book (or a web page) has its title in <source>.
        if rec.entry_type in (None, "book", "online", "misc", "techreport", "phdthesis"):
            put_element(rec, "title", source[0], text)
            if rec.entry_type is None:
                rec.entry_type = "book"
        else:
            put_element(rec, container, source[0], text)
    conf = cite.child("conf-name")
    if conf is not None and "booktitle" not in rec.values:
        put_element(rec, "booktitle", conf, text)
    for name, tags in (
        ("year", ("year",)),
        ("volume", ("volume",)),
        ("number", ("issue",)),
        ("publisher", ("publisher-name",)),
        ("address", ("publisher-loc",)),
        ("edition", ("edition",)),
    ):
        found = cite.iter(*tags)
        if found:
            put_element(rec, name, found[0], text)
    _pages(rec, cite, text)
    for pid in cite.iter("pub-id", "object-id"):
        kind = (pid.attr("pub-id-type") or "").lower()
        if kind == "doi":
            put_element(rec, "doi", pid, text)
        elif kind in ("pmid", "pmcid", "arxiv", "isbn"):
            put_element(rec, kind, pid, text)
    for link in cite.iter("ext-link", "uri"):
        _link(rec, link, text)
    for date in cite.iter("date-in-citation"):
        if (date.attr("content-type") or "access-date") in ("access-date", "accessed"):
            put_element(rec, "urldate", date, text)
    return bool(rec.values.keys() & {"title", "journal", "booktitle"}) or bool(rec.authors)


def _pages(rec: Record, cite: Node, text: str) -> None:
    first = cite.child("fpage")
    last = cite.child("lpage")
    if first is not None:
        fp = first.plain(text)
        fspan = fp.stripped_span()
        value = fp.text.strip()
        span = fspan
        if last is not None:
            lp = last.plain(text)
            lspan = lp.stripped_span()
            if lp.text.strip():
                value = f"{value}–{lp.text.strip()}"
                if fspan and lspan:
                    span = (fspan[0], lspan[1])
        rec.put("pages", value, span)
        return
    page = cite.child("page-range") or cite.child("elocation-id")
    put_element(rec, "pages", page, text)


def _link(rec: Record, link: Node, text: str) -> None:
    kind = (link.attr("ext-link-type") or "uri").lower()
    href = link.attr("href")
    plain = link.plain(text)
    shown = plain.text.strip()
    if kind == "doi":
        rec.put("doi", shown or href, plain.stripped_span())
        return
    if kind not in ("uri", "url", "ftp", ""):
        return
    value = shown if shown.lower().startswith(("http", "ftp", "www.")) else href
    if not value:
        return
    span = plain.stripped_span() if value == shown else _attr_span(text, link, "href")
    doi = _DOI_LINK.match(value)
    if doi is not None and "doi" not in rec.values:
        # A DOI link is the DOI (the rules check it as one, through the registry).
        rec.put("doi", doi.group(1), (span[0] + doi.start(1), span[1]) if span else None)
        return
    if "url" in rec.values:
        rec.urls.append(value)
    else:
        rec.put("url", value, span)


def _attr_span(text: str, node: Node, name: str) -> tuple[int, int] | None:
    """Offsets of an attribute's value in the start tag (``xlink:href="…"``)."""
    tag = text[node.start : node.content_start]
    m = re.search(r"(?:^|\s)(?:[\w.-]+:)?" + re.escape(name) + r"\s*=\s*([\"'])(.*?)\1", tag, re.S)
    if m is None:
        return None
    return node.start + m.start(2), node.start + m.end(2)


def _people(rec: Record, cite: Node, text: str) -> None:
    groups = cite.children("person-group")
    if groups:
        for g in groups:
            kind = (g.attr("person-group-type") or "author").lower()
            target = rec.editors if kind in ("editor", "editors") else rec.authors
            if kind not in ("author", "editor", "editors", "authors"):
                continue
            _names(g, text, target)
    else:
        _names(cite, text, rec.authors)


def _names(parent: Node, text: str, out: list[tuple[Author, tuple[int, int] | None]]) -> None:
    for n in parent.children("name", "string-name", "collab", "name-alternatives"):
        if n.local == "name-alternatives":
            inner = n.children("name", "string-name")
            if not inner:
                continue
            n = inner[0]
        span = n.plain(text).stripped_span()
        if n.local == "collab":
            out.append((Author(n.text(text), literal=True), span))
            continue
        surname = n.child("surname")
        given = n.child("given-names")
        if surname is None:
            whole = n.text(text)
            if whole:
                out.append((Author(whole, literal=n.local == "string-name"), span))
            continue
        family = surname.text(text)
        prefix = n.child("prefix")
        if prefix is not None and prefix.text(text):
            family = f"{prefix.text(text)} {family}"
        out.append((Author(family, given.text(text) if given is not None else None), span))
