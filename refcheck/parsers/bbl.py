"""LaTeX ``.bbl`` files: the bibliography BibTeX or biber wrote for a document.

Two shapes:

* ``thebibliography`` (BibTeX with plain, natbib and most ``.bst`` styles):
  ``\\bibitem[label]{key}`` followed by the formatted reference.  The item
  is rendered as plain text (:mod:`refcheck.parsers.texplain`) and read by
  the plain-text field reader, with every field mapped back to the file.
* biblatex/biber: ``\\entry{key}{type}{}`` … ``\\endentry`` with
  ``\\field{title}{…}``, ``\\name{author}{n}{}{…family={…}…}``,
  ``\\list{publisher}{n}{…}`` and ``\\verb{doi}`` … ``\\endverb``: already
  structured, read field by field.

Fields keep BibTeX's names (:mod:`refcheck.parsers.structured`).
"""

from __future__ import annotations

import re

from refcheck.model import Author, Document, ParseProblem, Reference, SourceText
from refcheck.parsers.latex import decode
from refcheck.parsers.structured import Record, fill_text
from refcheck.parsers.texplain import group_end, to_plain

__all__ = ["looks_like", "parse"]

FORMAT = "bbl"

_BEGIN = re.compile(r"\\begin\s*\{thebibliography\}")
_END = re.compile(r"\\end\s*\{thebibliography\}")
_BIBITEM = re.compile(r"\\bibitem\b")
_ENTRY = re.compile(r"\\entry\{([^{}]*)\}\{([^{}]*)\}\{[^{}]*\}")
_ENDENTRY = re.compile(r"\\endentry\b")
_FIELD_CMD = re.compile(r"\\(field|name|list|verb|lverb|range|strng|true|keyw)\s*\{([^{}]*)\}")

_BIBLATEX_TYPES = {"report": "techreport", "thesis": "phdthesis", "collection": "book",
                   "mvbook": "book", "reference": "book", "proceedings": "book",
                   "mvcollection": "book", "inreference": "incollection"}
# biblatex field -> BibTeX field name; the rest are labels and hashes biber computes.
_FIELDS = {
    "title": "title",
    "journaltitle": "journal",
    "journal": "journal",
    "booktitle": "booktitle",
    "maintitle": "booktitle",
    "year": "year",
    "date": "year",
    "volume": "volume",
    "number": "number",
    "issue": "number",
    "pages": "pages",
    "series": "series",
    "edition": "edition",
    "eprint": "eprint",
    "howpublished": "howpublished",
    "note": "note",
    "type": "type",
    "urlyear": "urldate",
}
_LISTS = {"publisher": "publisher", "location": "address", "institution": "institution",
          "organization": "organization", "school": "school"}


def looks_like(text: str) -> bool:
    """Whether a text is a ``.bbl``: a thebibliography with items, or biber's entries."""
    head = text[:20000]
    return bool(_BEGIN.search(head) and _BIBITEM.search(head)) or (
        "\\entry{" in head and ("\\endentry" in head or "\\refsection" in head)
    )


def parse(source: SourceText) -> Document:
    # Not "numbered" or "author-date": BibTeX numbers and orders the list itself
    # (unsrtnat is author-date in citation order), so the list-order rules have
    # nothing to say about it.
    doc = Document(source=source, format=FORMAT, layout="bbl")
    try:
        if "\\entry{" in source.text and _ENDENTRY.search(source.text):
            _biblatex(doc)
        else:
            _thebibliography(doc)
    except Exception as exc:  # pragma: no cover - a parser bug must not stop a lint run
        doc.problems.append(ParseProblem("bbl-syntax", 0, 0, f"the .bbl reader failed: {exc}"))
    return doc


# --- thebibliography ---------------------------------------------------------


def _bracket_end(text: str, pos: int, limit: int) -> int:
    """Offset after the ``]`` closing the optional argument at ``text[pos] == '['``."""
    depth = 0
    i = pos
    while i < limit:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "]" and depth <= 0:
            return i + 1
        i += 1
    return limit


def _thebibliography(doc: Document) -> None:
    text = doc.text
    begin = _BEGIN.search(text)
    if begin is None:
        doc.problems.append(ParseProblem(
            "bbl-syntax", 0, 0, "no thebibliography environment and no biblatex entries"))
        return
    end_m = _END.search(text, begin.end())
    stop = end_m.start() if end_m else len(text)
    if end_m is None:
        doc.problems.append(ParseProblem(
            "bbl-syntax", begin.start(), begin.end(),
            "thebibliography is never closed by \\end{thebibliography}"))
    doc.section = (begin.start(), end_m.end() if end_m else len(text))
    starts = [m.start() for m in _BIBITEM.finditer(text, begin.end(), stop)]
    for k, s in enumerate(starts):
        item_end = starts[k + 1] if k + 1 < len(starts) else stop
        doc.references.append(_bibitem(doc, s, item_end, k + 1))


def _bibitem(doc: Document, start: int, end: int, index: int) -> Reference:
    text = doc.text
    pos = start + len("\\bibitem")
    while pos < end and text[pos] in " \t\n":
        pos += 1
    label: str | None = None
    if pos < end and text[pos] == "[":
        close = _bracket_end(text, pos, end)
        label = " ".join(to_plain(text, pos + 1, close - 1).text.split()) or None
        pos = close
    while pos < end and text[pos] in " \t\n":
        pos += 1
    rec = Record()
    if pos < end and text[pos] == "{":
        close = group_end(text, pos, end)
        rec.key = text[pos + 1 : close - 1].strip() or None
        pos = close
    else:
        doc.problems.append(ParseProblem("bbl-syntax", start, pos, "\\bibitem without a {key}"))
    while pos < end and text[pos] in " \t\r\n":
        pos += 1
    body_end = end
    while body_end > pos and text[body_end - 1] in " \t\r\n":
        body_end -= 1
    plain = to_plain(text, pos, body_end).squeezed()
    rec.label = label if label is not None else str(index)
    fill_text(rec, plain.text, plain.span)
    return rec.reference(doc.source, FORMAT, index, start, body_end)


# --- biblatex ------------------------------------------------------------------


def _biblatex(doc: Document) -> None:
    text = doc.text
    seen: set[str] = set()
    for m in _ENTRY.finditer(text):
        end_m = _ENDENTRY.search(text, m.end())
        nxt = _ENTRY.search(text, m.end())
        if end_m is None or (nxt is not None and nxt.start() < end_m.start()):
            stop = nxt.start() if nxt else len(text)
            doc.problems.append(ParseProblem(
                "bbl-syntax", m.start(), m.end(),
                f"entry '{m.group(1)}' is not closed by \\endentry"))
        else:
            stop = end_m.end()
        key = m.group(1).strip()
        if key in seen:
            continue  # the same entry in another sorting list of the refsection
        seen.add(key)
        rec = Record(key=key)
        kind = m.group(2).strip().lower()
        rec.entry_type = _BIBLATEX_TYPES.get(kind, kind)
        _entry_fields(doc, rec, m.end(), end_m.start() if end_m and end_m.end() == stop else stop)
        doc.references.append(
            rec.reference(doc.source, FORMAT, len(doc.references) + 1, m.start(), stop))
    if doc.references:
        doc.section = (doc.references[0].start, doc.references[-1].end)


def _entry_fields(doc: Document, rec: Record, pos: int, stop: int) -> None:
    text = doc.text
    for m in _FIELD_CMD.finditer(text, pos, stop):
        cmd, name = m.group(1), m.group(2).strip()
        at = m.end()
        if cmd == "verb" or cmd == "lverb":
            _verb(rec, text, name, at, stop)
            continue
        if cmd == "field" and name in _FIELDS:
            arg = _arg(text, at, stop)
            if arg is not None:
                plain = to_plain(text, arg[0], arg[1])
                rec.put(_FIELDS[name], plain.text, plain.stripped_span())
        elif cmd == "name" and name in ("author", "editor"):
            # \name{author}{count}{options}{names}
            args = _args(text, at, stop, 3)
            if len(args) == 3:
                target = rec.authors if name == "author" else rec.editors
                _names(text, args[2], target)
        elif cmd == "list" and name in _LISTS:
            args = _args(text, at, stop, 2)
            if len(args) == 2:
                items = _groups(text, args[1][0], args[1][1])
                values = [" ".join(to_plain(text, a, b).text.split()) for a, b in items]
                if items:
                    span = to_plain(text, items[0][0], items[-1][1]).stripped_span()
                    rec.put(_LISTS[name], " and ".join(v for v in values if v), span)


def _arg(text: str, pos: int, stop: int) -> tuple[int, int] | None:
    """Content offsets of the brace group at ``pos`` (after spaces)."""
    while pos < stop and text[pos] in " \t":
        pos += 1
    if pos >= stop or text[pos] != "{":
        return None
    close = group_end(text, pos, stop)
    return pos + 1, max(pos + 1, close - 1)


def _args(text: str, pos: int, stop: int, count: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(count):
        while pos < stop and text[pos] in " \t%\n":
            if text[pos] == "%":
                nl = text.find("\n", pos, stop)
                pos = stop if nl == -1 else nl
            pos += 1
        a = _arg(text, pos, stop)
        if a is None:
            break
        out.append(a)
        pos = a[1] + 1
    return out


def _groups(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Content offsets of the top-level brace groups in ``text[a:b]``."""
    out = []
    i = a
    while i < b:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            close = group_end(text, i, b)
            out.append((i + 1, max(i + 1, close - 1)))
            i = close
            continue
        i += 1
    return out


_KEYED = re.compile(r"\b(family|given|prefix|suffix)\s*=\s*\{")


def _names(
    text: str, span: tuple[int, int], out: list[tuple[Author, tuple[int, int] | None]]
) -> None:
    for a, b in _groups(text, *span):
        parts: dict[str, tuple[int, int]] = {}
        keyed = list(_KEYED.finditer(text, a, b))
        if keyed:
            for m in keyed:
                close = group_end(text, m.end() - 1, b)
                parts.setdefault(m.group(1), (m.end(), close - 1))
        else:
            # Older biber: {{options}{family}{familyi}{given}{giveni}{prefix}…}
            inner = _groups(text, a, b)
            if len(inner) == 1:
                inner = _groups(text, *inner[0])
            for k, part in zip((1, 3, 5, 7), ("family", "given", "prefix", "suffix"), strict=True):
                if k < len(inner):
                    parts[part] = inner[k]
        if "family" not in parts:
            continue
        family = decode(text[slice(*parts["family"])])
        given = decode(text[slice(*parts["given"])]) if "given" in parts else None
        prefix = decode(text[slice(*parts["prefix"])]) if "prefix" in parts else ""
        if prefix:
            family = f"{prefix} {family}"
        if family:
            out.append((Author(family, given or None), parts["family"]))


def _verb(rec: Record, text: str, name: str, pos: int, stop: int) -> None:
    """``\\verb{doi}`` then ``\\verb 10.1/x`` lines up to ``\\endverb``."""
    end = text.find("\\endverb", pos, stop)
    if end == -1:
        return
    pieces = []
    for m in re.finditer(r"\\verb[ \t]?([^\n]*)", text[pos:end]):
        s = pos + m.start(1)
        pieces.append((m.group(1).rstrip(), s))
    if not pieces:
        return
    value = "".join(p for p, _ in pieces).strip()
    first = pieces[0][1]
    last_text, last = pieces[-1]
    span = (first, last + len(last_text))
    if name == "doi":
        rec.put("doi", value, span)
    elif name in ("url", "urlraw"):
        if name == "url" or "url" not in rec.values:
            rec.put("url", value, span)
    elif name == "eprint":
        rec.put("eprint", value, span)
