"""LaTeX ``.bbl`` files: the bibliography BibTeX or biber wrote for a document.

Two shapes:

* ``thebibliography`` (BibTeX with plain, natbib and most ``.bst`` styles):
  ``\\bibitem[label]{key}`` followed by the formatted reference.  The item
  is rendered as plain text (:mod:`refcheck.parsers.texplain`) and read by
  the plain-text field reader, with every field mapped back to the file
  (the names from the item's first block, as the style wrote them).
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
from refcheck.parsers.structured import Record, fill_text, read_guarded
from refcheck.parsers.texplain import bracket_end, group_end, to_plain

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
    # BibTeX or biber writes the .bbl anew on every build: a fix made here is
    # lost, and the .bib it came from keeps the fault.
    source.rewritable = False
    source.not_rewritten = (
        "refcheck never rewrites a .bbl: BibTeX or biber generates it, so make the fix "
        "in the .bib it was made from")
    return read_guarded(doc, _parse_into, "bbl-syntax", ".bbl")


def _parse_into(doc: Document) -> None:
    if "\\entry{" in doc.text and _ENDENTRY.search(doc.text):
        _biblatex(doc)
    else:
        _thebibliography(doc)


# --- thebibliography ---------------------------------------------------------


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
        close = bracket_end(text, pos, end)
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
    _first_block_names(rec, text, pos, body_end)
    _emphasised_blocks(rec, text, pos, body_end)
    # Checked field by field (BibTeX's names), not whole: in the LaTeX as written
    # an emphasised title or journal is a brace group, which the text rules
    # leave alone as protected.
    return rec.reference(doc.source, FORMAT, index, start, body_end)


_NEWBLOCK = re.compile(r"\\newblock\b")
_EMPH = re.compile(r"\\emph\s*\{|\{\\(?:em|it|textit)\b\s*|\\textit\s*\{")
_IN = re.compile(r"^\s*(?:In|in)\b")


def _blocks(text: str, pos: int, end: int) -> list[tuple[int, int]]:
    """The item's blocks: the stretches between ``\\newblock`` commands."""
    out = []
    start = pos
    for m in _NEWBLOCK.finditer(text, pos, end):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, end))
    return out


def _emphasised_blocks(rec: Record, text: str, pos: int, end: int) -> None:
    """Title and container from the blocks a BibTeX style writes.

    Standard styles write the title as the block after the names and set the
    journal (``\\emph{Journal}, 12(3):1--10``), the book title, or the
    proceedings after "In" in italics.  These marks are surer than the text
    reader's guess at sentence ends, so they replace its title and container
    when they are there.
    """
    blocks = _blocks(text, pos, end)
    if len(blocks) < 3:
        return
    for block in blocks[2:]:
        # Standard styles end the block that places the work with its year.
        plain = to_plain(text, *block).squeezed()
        y = _YEAR_END.search(plain.text)
        if y is not None:
            rec.replace("year", y.group(1), plain.span(y.start(1), y.end(1)))
            break
    title_block = blocks[1]
    emph = _EMPH.search(text, *title_block)
    lead = text[title_block[0] : emph.start()].strip() if emph else ""
    if emph is not None and not lead:
        # The title itself is in italics: a book (or a thesis, a report).
        _replace(rec, "title", text, emph)
        return
    plain = to_plain(text, *title_block).squeezed()
    value = plain.text.strip().rstrip(".,").strip()
    if value and _closed_quotes(value):
        a = plain.text.find(value)
        rec.replace("title", value, plain.span(a, a + len(value)))
    for block in blocks[2:]:
        emph = _EMPH.search(text, *block)
        if emph is None:
            continue
        name = "booktitle" if _IN.match(text, block[0]) or _IN.match(
            to_plain(text, *block).text.strip()) else "journal"
        close = _replace(rec, name, text, emph)
        _locators(rec, text, close, block[1])
        if name == "booktitle":
            rec.values.pop("journal", None)
            rec.spans.pop("journal", None)
        else:
            rec.values.pop("booktitle", None)
            rec.spans.pop("booktitle", None)
        break


def _closed_quotes(value: str) -> bool:
    return value.count('"') % 2 == 0 and value.count("(") == value.count(")")


# What BibTeX's standard styles write after a journal's name: ", 12(3):1--10",
# ", 12:1--10", ", 12", ", pages 1--10".
_LOCATOR = re.compile(
    r"(?:\s*,\s*(?!pages\b)(?P<vol>[^\s(),:]+))?(?:\s*\((?P<num>[^()]{1,20})\))?"
    r"(?:\s*:\s*(?P<pages>[^\s,]+))?(?:\s*,?\s*pages\s+(?P<pages2>[^\s,]+))?"
)
_YEAR_END = re.compile(r"[,(]\s*((?:1[5-9]|20)\d\d)[a-z]?\)?\s*\.?\s*$")


def _locators(rec: Record, text: str, start: int, end: int) -> None:
    """Volume, number and pages as a standard style writes them after the journal."""
    plain = to_plain(text, start, end).squeezed()
    m = _LOCATOR.match(plain.text)
    if m is None:
        return
    for group, name in (("vol", "volume"), ("num", "number"), ("pages", "pages"),
                        ("pages2", "pages")):
        value = m.group(group)
        if value and not (group == "vol" and not any(c.isdigit() for c in value)):
            value = value.rstrip(".")
            rec.replace(name, value, plain.span(m.start(group), m.start(group) + len(value)))


def _replace(rec: Record, name: str, text: str, emph: re.Match[str]) -> int:
    """Set ``name`` to the emphasised group that ``emph`` opens; the group's end."""
    if emph.group(0).startswith("{"):
        close = group_end(text, emph.start())
        inner = (emph.end(), close - 1)
    else:
        close = group_end(text, emph.end() - 1)
        inner = (emph.end(), close - 1)
    plain = to_plain(text, *inner).squeezed()
    value = plain.text.strip().rstrip(",").strip()
    if value:
        a = plain.text.find(value)
        rec.replace(name, value, plain.span(a, a + len(value)))
    return close
_NAME_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?[\s-]*){1,4}$")
_PARTICLE = re.compile(r"^(?:van|von|der|den|de|del|della|di|da|du|dos|la|le|ter|ten)$")
_EDITORS = re.compile(r",?\s*\(?(?:editors?|eds?\.)\)?\.?$")


def _first_block_names(rec: Record, text: str, pos: int, end: int) -> None:
    """The names of a BibTeX-made item: its first block, up to the first ``\\newblock``.

    Standard styles (plain, plainnat, abbrv, unsrt, apalike, IEEEtran, …) write
    the author (or editor) list as the first block, in the order the style
    chose: "Robert~S. Sloviter and Lisa Ali-Akbarian" or "Sloviter, R.~S.".
    Reading that block by the style's own separators is surer than guessing
    where names end in the whole reference, so it replaces the text reader's
    names when it gives any.
    """
    m = _NEWBLOCK.search(text, pos, end)
    if m is None or m.start() - pos > 2000:
        return
    plain = to_plain(text, pos, m.start()).squeezed()
    block = plain.text.strip()
    if block.endswith(".") and not re.search(r"\b[A-Z][a-z]?\.$", block):
        block = block[:-1].strip()  # the block's full stop, not an initial's
    if not block or any(c.isdigit() for c in block):
        return
    editors = _EDITORS.search(block)
    if editors is not None:
        block = block[: editors.start()]
    people: list[Author] = []
    pieces = [p for p in _NAME_SPLIT.split(block) if p]
    inverted = len(pieces) % 2 == 0 and all(_INITIALS.match(p) for p in pieces[1::2])
    if inverted:
        people = [Author(f, g) for f, g in zip(pieces[::2], pieces[1::2], strict=True)]
    else:
        for piece in pieces:
            words = piece.split()
            if piece in ("et al.", "et al", "others") or not words:
                break
            if piece in ("Jr.", "Jr", "Sr.", "III", "II") and people:
                continue
            k = len(words) - 1
            while k > 0 and _PARTICLE.match(words[k - 1]):
                k -= 1
            family = " ".join(words[k:])
            given = " ".join(words[:k]) or None
            people.append(Author(family, given, literal=given is None and len(words) > 1))
    if not people:
        return
    span = plain.stripped_span()
    target = rec.editors if editors is not None else rec.authors
    target[:] = [(a, None) for a in people]
    if editors is None and span is not None:
        rec.spans["author"] = span
        rec.values.pop("author", None)


# --- biblatex ------------------------------------------------------------------


def _biblatex(doc: Document) -> None:
    text = doc.text
    doc.layout = "biblatex"
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
