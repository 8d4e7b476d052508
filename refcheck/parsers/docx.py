"""Word (.docx) documents: paragraphs, footnotes, endnotes and reference managers' fields.

A .docx is a zip of XML parts.  The body (``word/document.xml``), the
footnotes and the endnotes are read paragraph by paragraph, as Word displays
them: text runs, tabs, non-breaking hyphens, and the *results* of fields
(what a citation field shows), never their instructions.  They are written
out as plain text for :mod:`refcheck.parsers.text`: each paragraph on one
line with a blank line between paragraphs, then the footnotes and endnotes
after separator lines, one note a line, numbered as Word numbers them.

Reference managers keep the cited works inside the fields they insert:
Zotero (``ADDIN ZOTERO_ITEM CSL_CITATION {json}``), Mendeley
(``ADDIN CSL_CITATION {json}``) and EndNote (``ADDIN EN.CITE <EndNote>…``).
Each work is read like a CSL-JSON item (:func:`refcheck.parsers.csljson.item_reference`
when available); a work that none of the document's own references shows —
a document citing only through fields, footnote styles without a list — is
added as a reference at the citation that displays it, so its DOI, registry
record and existence are checked too.  Invalid field JSON is a
``json-syntax`` problem.

The XML is parsed with :mod:`defusedxml`: no DTDs, no entity expansion, no
external entities.  Zip members are read with a size limit (no zip bombs).
A file that is no .docx, an encrypted one (an OLE container) or a damaged
one is an input error: one line, exit status 2.

Positions: a finding names its part (``body``, ``footnote 3``,
``endnote 1``) with ``line`` the paragraph number within it (counting every
paragraph Word has, empty ones too) and ``column`` the character in the
paragraph's displayed text.
"""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from refcheck.errors import InputError
from refcheck.model import Author, Document, ParseProblem, Reference, SourceText
from refcheck.parsers import text as text_parser
from refcheck.parsers.bibtex import normalize_doi
from refcheck.parsers.docx_numbering import Numbering
from refcheck.parsers.located import LocatedSource

FORMAT = "docx"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# No single part of a real document is this large uncompressed; a zip bomb is.
_MAX_PART = 64 * 1024 * 1024
_SEPARATOR = "_" * 20
_CSL_FIELD = re.compile(r"ADDIN\s+(?:ZOTERO_ITEM\s+)?CSL_CITATION\s*", re.IGNORECASE)
_ENDNOTE_FIELD = re.compile(r"ADDIN\s+EN\.CITE\s*", re.IGNORECASE)


@dataclass
class Paragraph:
    text: str
    # (offset in text, instruction, displayed result) of each field it holds.
    fields: list[tuple[int, str, str]] = field(default_factory=list)
    label: str | None = None  # the list number Word draws before it ("1.", "[3]")


@dataclass
class _Runs:
    """Walks a paragraph's runs, keeping field results and collecting instructions."""

    out: list[str] = field(default_factory=list)
    fields: list[tuple[int, str, str]] = field(default_factory=list)
    # Open complex fields: [instruction parts, result start offset or None].
    stack: list[list[Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        return sum(len(s) for s in self.out)

    def text(self, s: str) -> None:
        if self.stack and self.stack[-1][1] is None:
            return  # between begin and separate: the field's code, not shown
        self.out.append(s)


def _walk(el: Element, runs: _Runs) -> None:
    for child in el:
        tag = child.tag
        if tag == _W + "t":
            runs.text(child.text or "")
        elif tag == _W + "instrText":
            if runs.stack and runs.stack[-1][1] is None:
                runs.stack[-1][0].append(child.text or "")
        elif tag == _W + "fldChar":
            kind = child.get(_W + "fldCharType")
            if kind == "begin":
                runs.stack.append([[], None])
            elif kind == "separate" and runs.stack:
                runs.stack[-1][1] = runs.length
            elif kind == "end" and runs.stack:
                parts, start = runs.stack.pop()
                at = runs.length if start is None else start
                shown = "".join(runs.out)[at:]
                runs.fields.append((at, "".join(parts), shown))
        elif tag == _W + "fldSimple":
            at = runs.length
            _walk(child, runs)
            runs.fields.append((at, child.get(_W + "instr") or "", "".join(runs.out)[at:]))
        elif tag == _W + "tab":
            runs.text("\t")
        elif tag in (_W + "br", _W + "cr"):
            runs.text(" ")
        elif tag == _W + "noBreakHyphen":
            runs.text("-")
        elif tag in (_W + "footnoteReference", _W + "endnoteReference"):
            runs.text("")  # the mark is a number Word draws; the note is read on its own
        elif tag in (_W + "del", _W + "delText", _W + "moveFrom", _W + "rPr", _W + "pPr"):
            continue  # deleted or moved-away text (tracked changes) and formatting
        elif tag == _W + "txbxContent":
            continue  # a text box's paragraphs are read as paragraphs of their own
        else:
            _walk(child, runs)


def _paragraphs(
    root: Element, container: str, numbering: Numbering | None = None
) -> list[tuple[str, list[Paragraph]]]:
    """[(part, paragraphs)]: one part for the body, one per footnote or endnote."""
    if container == "body":
        body = root.find(_W + "body")
        if body is None:
            return [("body", [])]
        paras = []
        for p in body.iter(_W + "p"):
            para = _paragraph(p)
            if numbering is not None:
                para.label = numbering.label(p)
            paras.append(para)
        return [("body", paras)]
    parts: list[tuple[str, list[Paragraph]]] = []
    for note in root.findall(_W + container):
        if note.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        # Named by the number Word displays (notes in order), not by the XML id.
        parts.append(
            (f"{container} {len(parts) + 1}", [_paragraph(p) for p in note.iter(_W + "p")])
        )
    return parts


def _paragraph(p: Element) -> Paragraph:
    runs = _Runs()
    _walk(p, runs)
    while runs.stack:  # an unclosed field: keep what it showed
        parts, start = runs.stack.pop()
        if start is not None:
            runs.fields.append((start, "".join(parts), "".join(runs.out)[start:]))
    return Paragraph("".join(runs.out), runs.fields)


def _xml(zf: zipfile.ZipFile, name: str, path: str) -> Element | None:
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import ParseError, fromstring  # type: ignore[import-untyped]

    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        raise InputError(f"{path}: {name} is larger than {_MAX_PART // 1048576} MiB unpacked")
    try:
        with zf.open(info) as fh:
            data = fh.read(_MAX_PART + 1)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"{path}: damaged Word file ({name}: {exc})") from exc
    if len(data) > _MAX_PART:
        raise InputError(f"{path}: {name} is larger than {_MAX_PART // 1048576} MiB unpacked")
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(f"{path}: {name} declares a DTD or entities; not read") from exc
    except ParseError as exc:
        raise InputError(f"{path}: damaged Word file ({name}: {exc})") from exc
    return root


def read_parts(data: bytes, path: str) -> list[tuple[str, list[Paragraph]]]:
    """The body, footnotes and endnotes of a .docx's bytes."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{path}: an encrypted or legacy (.doc) Word file; save it as .docx")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: damaged or not a Word file ({exc})") from exc
    with zf:
        doc = _xml(zf, "word/document.xml", path)
        if doc is None:
            raise InputError(f"{path}: not a Word document (no word/document.xml)")
        numbering = Numbering.read(
            _xml(zf, "word/numbering.xml", path), _xml(zf, "word/styles.xml", path)
        )
        parts = _paragraphs(doc, "body", numbering)
        for name, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
            root = _xml(zf, name, path)
            if root is not None:
                parts.extend(_paragraphs(root, tag))
    return parts


# ---------------------------------------------------------------------------
# Text


def _compose(
    parts: list[tuple[str, list[Paragraph]]],
) -> tuple[str, list[tuple[int, str, int, int]], list[tuple[int, str, str, str]]]:
    """The text, its pieces, and (offset, part, instruction, shown) of every field."""
    out: list[str] = []
    pieces: list[tuple[int, str, int, int]] = []
    fields: list[tuple[int, str, str, str]] = []
    pos = 0

    def write(s: str) -> None:
        nonlocal pos
        out.append(s)
        pos += len(s)

    def paragraph(part: str, number: int, p: Paragraph) -> None:
        # Word's own line breaks inside a paragraph are no paragraph breaks here.
        shown = p.text.replace("\n", " ").replace("\r", " ")
        if p.label:
            # Word's list number, drawn before the text: column 1 as the text's first.
            pieces.append((pos, part, number, 1))
            write(p.label + " ")
        pieces.append((pos, part, number, 1))
        for at, instr, result in p.fields:
            fields.append((pos + at, part, instr, result))
        write(shown)

    body = [pp for part, pp in parts if part == "body"]
    for k, p in enumerate(body[0] if body else [], 1):
        if not p.text.strip():
            continue
        if pos:
            write("\n\n")
        paragraph("body", k, p)
    # Endnotes are numbered on from the footnotes: the text reader takes a note
    # number that does not increase for a page number.  Labels are put back in parse().
    shift = 0
    for kind in ("footnote", "endnote"):
        notes = [(part, pp) for part, pp in parts if part.startswith(kind + " ")]
        if not notes:
            continue
        # Four blank lines end a reference section for the text reader; the
        # separator line opens a block of notes.
        write(f"\n\n\n\n\n{_SEPARATOR}\n")
        for n, (part, paras) in enumerate(notes, 1):
            first = True
            for k, p in enumerate(paras, 1):
                if not p.text.strip():
                    continue
                if first:
                    write(f"{n + shift} ")
                    first = False
                else:
                    write(" ")
                paragraph(part, k, p)
            if not first:
                write("\n")
        shift += len(notes)
    return "".join(out), pieces, fields


# ---------------------------------------------------------------------------
# Reference managers' fields


@dataclass
class _Citation:
    """What a reference manager's field stores: its works and the citation it generated."""

    items: list[dict[str, Any]] = field(default_factory=list)
    # Per item: the citation leaves the author out ("Smith (2010)" written as "(2010)").
    suppressed: list[bool] = field(default_factory=list)
    generated: str | None = None  # Zotero's and Mendeley's plainCitation
    manager: str = "the reference manager"
    error: str | None = None


def _field_items(instr: str) -> _Citation:
    """The CSL items a field carries, or an error message when its data cannot be read."""
    m = _CSL_FIELD.search(instr)
    if m is not None:
        zotero = "ZOTERO" in instr[: m.end()].upper()
        cite = _Citation(manager="Zotero" if zotero else "Mendeley")
        payload = instr[m.end() :].strip()
        brace = payload.find("{")
        if brace < 0:
            cite.error = "citation field without its JSON data"
            return cite
        try:
            data, _ = json.JSONDecoder().raw_decode(payload[brace:])
        except json.JSONDecodeError as exc:
            cite.error = f"citation field data is not valid JSON ({exc.msg})"
            return cite
        items = data.get("citationItems") if isinstance(data, dict) else None
        if not isinstance(items, list):
            cite.error = "citation field data has no 'citationItems' list"
            return cite
        for it in items:
            if isinstance(it, dict) and isinstance(it.get("itemData"), dict):
                cite.items.append(it["itemData"])
                cite.suppressed.append(bool(it.get("suppress-author")))
        props = data.get("properties")
        if isinstance(props, dict) and isinstance(props.get("plainCitation"), str):
            cite.generated = props["plainCitation"]
        return cite
    m = _ENDNOTE_FIELD.search(instr)
    if m is not None:
        items, error = _endnote_items(instr[m.end() :])
        return _Citation(items, [False] * len(items), None, "EndNote", error)
    return _Citation()


def _fold(s: str) -> str:
    """Lower case without accents or spacing differences, for comparing what is shown."""
    decomposed = unicodedata.normalize("NFKD", s)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def _mismatch(cite: _Citation, shown: str) -> str | None:
    """How the citation Word shows disagrees with the field's own data, or None."""
    if not shown.strip():
        return None
    if cite.generated is not None and _fold(cite.generated) != _fold(shown):
        return (
            f"the citation shows '{shown.strip()}' but {cite.manager} generated "
            f"'{cite.generated.strip()}' for the works it stores: edited by hand, and "
            "a refresh of the citations will undo the edit"
        )
    if not re.search(r"[^\W\d_]", shown):
        return None  # a numbered style shows only numbers
    folded = _fold(shown)
    for item, suppressed in zip(cite.items, cite.suppressed, strict=True):
        names = _names(item.get("author")) or _names(item.get("editor"))
        year = _year(item)
        who = names[0].family if names and not names[0].literal else None
        if who and not suppressed and _fold(who) not in folded:
            return (
                f"the citation shows '{shown.strip()}' but the work stored in its field "
                f"is by {who}"
            )
        if year and str(year) not in folded:
            return (
                f"the citation shows '{shown.strip()}' but the work stored in its field "
                f"is of {year}"
            )
    return None


def _endnote_items(payload: str) -> tuple[list[dict[str, Any]], str | None]:
    """EndNote's ``<EndNote><Cite>…<record>`` XML turned into CSL-like items."""
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import ParseError, fromstring  # type: ignore[import-untyped]

    start = payload.find("<EndNote")
    if start < 0:
        return [], None  # EN.CITE.DATA: the record is in binary field data
    try:
        root = fromstring(payload[start:].strip(), forbid_dtd=True)
    except (DefusedXmlException, ParseError) as exc:
        return [], f"EndNote citation field is not readable XML ({exc})"
    items = []
    for rec in root.iter("record"):

        def text(p: str, rec: Element = rec) -> str | None:
            el = rec.find(p)
            if el is None:
                return None
            value = "".join(el.itertext()).strip()
            return value or None

        item: dict[str, Any] = {"type": "article-journal"}
        authors = []
        for a in rec.iterfind("contributors/authors/author"):
            name = "".join(a.itertext()).strip()
            if "," in name:
                fam, given = name.split(",", 1)
                authors.append({"family": fam.strip(), "given": given.strip()})
            elif name:
                authors.append({"literal": name})
        if authors:
            item["author"] = authors
        for key, p in (
            ("title", "titles/title"),
            ("container-title", "titles/secondary-title"),
            ("volume", "volume"),
            ("issue", "number"),
            ("page", "pages"),
            ("DOI", "electronic-resource-num"),
            ("publisher", "publisher"),
        ):
            value = text(p)
            if value:
                item[key] = value
        year = text("dates/year")
        if year and year[:4].isdigit():
            item["issued"] = {"date-parts": [[int(year[:4])]]}
        items.append(item)
    return items, None


def _names(value: Any) -> list[Author]:
    out = []
    if isinstance(value, list):
        for n in value:
            if not isinstance(n, dict):
                continue
            if isinstance(n.get("family"), str):
                out.append(
                    Author(n["family"], n.get("given") if isinstance(n.get("given"), str) else None)
                )
            elif isinstance(n.get("literal"), str):
                out.append(Author(n["literal"], literal=True))
    return out


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return html.unescape(value).strip() or None if isinstance(value, str) else None


def _year(item: dict[str, Any]) -> int | None:
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                return int(parts[0][0])
            except (TypeError, ValueError):
                return None
        raw = issued.get("raw") or issued.get("literal")
        if isinstance(raw, str):
            m = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", raw)
            return int(m.group(1)) if m else None
    return None


def _norm(s: str | None) -> str:
    return re.sub(r"[^\w]+", " ", (s or "").lower()).strip()


def _shown_by(item: dict[str, Any], refs: list[Reference]) -> bool:
    """Whether one of the document's own references shows this item (same DOI or title)."""
    doi = _text(item, "DOI") or _text(item, "doi")
    ndoi = normalize_doi(doi) if doi else None
    title = _norm(_text(item, "title"))
    for r in refs:
        if ndoi and ndoi in {d.lower() for d in ([r.doi] if r.doi else []) + r.dois}:
            return True
        if title and len(title) > 12 and title in _norm(r.raw):
            return True
    return False


def _item_reference(source: SourceText, item: dict[str, Any], start: int, end: int) -> Reference:
    ref = Reference(
        path=source.path,
        format="text",
        index=0,
        start=start,
        end=end,
        raw=source.text[start:end],
        line=source.position(start)[0],
        end_line=source.position(max(start, end - 1))[0],
    )
    ref.key = str(item["id"]) if isinstance(item.get("id"), (str, int)) else None
    ref.entry_type = item.get("type") if isinstance(item.get("type"), str) else None
    ref.kind = "entry"
    ref.label = "citation field"
    ref.authors = _names(item.get("author"))
    ref.editors = _names(item.get("editor"))
    ref.year = _year(item)
    ref.title = _text(item, "title")
    ref.container = _text(item, "container-title")
    ref.volume = _text(item, "volume")
    ref.issue = _text(item, "issue")
    ref.pages = _text(item, "page")
    ref.publisher = _text(item, "publisher")
    doi = _text(item, "DOI") or _text(item, "doi")
    ref.doi = normalize_doi(doi) if doi else None
    ref.dois = [ref.doi] if ref.doi else []
    url = _text(item, "URL") or _text(item, "url")
    ref.urls = [url] if url else []
    return ref


def _add_field_items(doc: Document, fields: list[tuple[int, str, str, str]]) -> None:
    source = doc.source
    shown = list(doc.entries())
    seen: set[str] = set()
    added: list[Reference] = []
    for at, _part, instr, result in fields:
        cite = _field_items(instr)
        end = at + len(result)
        if cite.error is not None:
            doc.problems.append(ParseProblem("json-syntax", at, max(end, at + 1), cite.error))
        problem = _mismatch(cite, result) if cite.items else None
        if problem is not None:
            lead = len(result) - len(result.lstrip())
            doc.problems.append(
                ParseProblem("citation-field", at + lead, at + len(result.rstrip()), problem)
            )
        for item in cite.items:
            ident = json.dumps(
                [_text(item, "DOI"), _norm(_text(item, "title")), _year(item)], sort_keys=True
            )
            if ident in seen or _shown_by(item, shown):
                continue
            seen.add(ident)
            added.append(_item_reference(source, item, at, max(end, at)))
    if not added:
        return
    refs = sorted(doc.references + added, key=lambda r: (r.start, r.kind != "entry"))
    renumber = {r.index: i for i, r in enumerate(refs, 1) if r.index}
    for i, r in enumerate(refs, 1):
        r.index = i
        if r.repeats is not None:
            r.repeats = renumber.get(r.repeats)
    doc.references = refs


def parse(source: SourceText) -> Document:
    """Read a .docx (``source.data``) and find its references as in a text document."""
    data = source.data
    if data is None:
        raise InputError(f"{source.path}: not a Word file")
    parts = read_parts(data, source.path)
    text, pieces, fields = _compose(parts)
    located = LocatedSource(source.path, text, pieces, digest=source.digest, kind="docx")
    located.data = data  # the document itself, for whoever needs its own lines
    doc = text_parser.parse(located)
    for ref in doc.references:
        if ref.kind in ("footnote", "ibid", "op-cit"):
            part = located.place(ref.start)[0]
            if part.startswith("endnote "):
                ref.label = part.split(" ", 1)[1]
    _add_field_items(doc, fields)
    located.locate(doc.references)
    return doc
