"""PDF documents: the text layer read (PDFium), repaired, and handed to the text reader.

The page layout (:mod:`refcheck.parsers.pdf_layout`) gives the body's
paragraphs in reading order and each page's footnotes, without running
headers and page numbers.  They are written out as plain text: each
paragraph on one line, blank lines between paragraphs, then the footnotes
after a separator line, one note a line, which is the shape
:mod:`refcheck.parsers.text` reads reference sections and notes from.

While writing, what the typesetter did is undone, so that no rule reports
it as an error of the document:

* a word hyphenated at a line end is joined; the hyphen is kept only when
  the joined word is no word and both halves are (``self-reported``);
* a URL or DOI wrapped onto the next line is joined without a space;
* ligature glyphs (U+FB00–FB06) are written as their letters;
* superscript note markers in the body become Unicode superscript digits
  (``states¹²``), which the citation reader understands.

The text is a :class:`~refcheck.parsers.located.LocatedSource`: a finding's
position is the page, and the line and column on that page (lines counted
in reading order, running headers included), not a line of the text.

A PDF with no text layer, an encrypted or a damaged one is an input error
(one line, exit status 2), never a traceback.
"""

from __future__ import annotations

import re

from refcheck.errors import InputError
from refcheck.model import Document, SourceText
from refcheck.parsers import text as text_parser
from refcheck.parsers.located import LocatedSource
from refcheck.parsers.pdf_layout import (
    Layout,
    Line,
    is_ref_heading,
    opens_note,
    paragraphs,
    read_layout,
)

FORMAT = "pdf"

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_HYPHENS = ("\x02", "\u00ad", "-", "\u2010")
# A token that holds a URL or DOI, and characters a typesetter breaks one after.
_LINKISH = re.compile(r"(?:https?:|www\.|doi:|\b10\.\d{4,9}/)\S*$", re.IGNORECASE)
_LINK_BREAK_AFTER = "/.-_=&?#~%:"
_SEPARATOR = "_" * 20


class _Writer:
    """Text being written, with the pieces that map it back to pages and lines."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pieces: list[tuple[int, str, int, int]] = []
        self.pos = 0

    def at(self, ln: Line, index: int) -> None:
        self.pieces.append((self.pos, f"p{ln.page}", ln.number, index + 1))

    def write(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def line(self, ln: Line, a: int, b: int, marker: bool = False) -> None:
        """Characters ``a:b`` of a line; superscripts become Unicode superscript digits."""
        self.at(ln, a)
        buf: list[str] = []
        text, sup = ln.text, ln.sup
        for i in range(a, b):
            ch = text[i]
            if ch in _LIGATURES:
                buf.append(_LIGATURES[ch])
                self.write("".join(buf))
                buf = []
                self.at(ln, i + 1)
                continue
            if sup[i] and not marker:
                ch = ch.translate(_SUPERSCRIPT)
            elif ch < " " or ch == "\ufffe":
                ch = " "
            buf.append(ch)
        self.write("".join(buf))


def _zipf(word: str) -> float:
    from refcheck.text.freq import zipf

    return zipf(word)


def _known(word: str) -> bool:
    return _zipf(word) > 0


def _hyphen_join(left: str, right: str, words: frozenset[str] = frozenset()) -> bool | None:
    """For ``left-`` ending a line and ``right`` starting the next: keep the hyphen?

    None when this is no hyphenated word (the line ends in a dash or the
    next line does not continue a word).  ``words``: the document's own words
    (and hyphenated compounds) written whole on a line; the document's own
    spelling decides first ("SpringerBriefs" elsewhere: no hyphen).
    """
    lw = re.search(r"[^\W\d_]+$", left)
    rw = re.match(r"[^\W\d_]+", right)
    if lw is None or rw is None:
        return None
    a, b = lw.group(0), rw.group(0)
    if f"{a}-{b}" in words:
        return True
    if a + b in words:
        return False
    if a.isupper() and b.isupper():
        a, b = a.lower(), b.lower()  # a title set in capitals: judged as words
    elif b[0].isupper():
        return True  # "Smith-Jones", "Anglo-American"
    if _known(a + b):
        return False
    # Both halves words of their own: a compound ("self-reported", "Cross-sectional");
    # a capitalised rare half is a name cut in two ("Shi-mojo").
    common = len(a) > 2 and len(b) > 2 and _zipf(a) >= 3.0 and _zipf(b) >= 3.0
    return common and (a[0].islower() or _zipf(a) >= 4.5)


def _link_continues(a: Line, at: str, bt: str, carried: bool = False) -> bool:
    """Whether line ``a`` ends in a URL or DOI that the next line (text ``bt``) continues.

    ``carried``: line ``a`` itself continues a link from the line before; when
    it is one unbroken token, the link may go on to a third line.
    """
    linkish = _LINKISH.search(at) is not None or (carried and " " not in at.strip())
    if not linkish or not bt or bt[0] in "([{<\"'“‘":
        return False
    if at.lower().endswith(("http:", "https:")):
        return bt.startswith("//")
    if at[-1] in _HYPHENS:
        return True  # a link's own hyphen ends the line; the link goes on
    head = bt.split(" ", 1)[0]
    if re.match(r"^[A-Z][a-z]+[,.:;]?$", head):
        return False  # a capitalised word: the text resumes after the link
    if head.isalpha() and head.islower() and _known(head) and not at.endswith(("/", "-", "_")):
        return False
    full = a.right - a.x1 < 3 * a.size
    return at[-1] in _LINK_BREAK_AFTER or full


def _write_paragraph(
    w: _Writer, lines: list[Line], words: frozenset[str], notes: bool = False
) -> None:
    in_link = False
    for k, ln in enumerate(lines):
        start = len(ln.text) - len(ln.text.lstrip())
        end = len(ln.text.rstrip())
        if k == 0 and notes:
            m = re.match(r"\d{1,4}", ln.text)
            if m is not None:
                w.line(ln, 0, m.end(), marker=True)
                start = m.end()
                if start < len(ln.text) and ln.text[start] not in " .)":
                    w.write(" ")
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        joined = ""
        carried, in_link = in_link, False
        if nxt is not None:
            at = ln.text[:end]
            bt = nxt.text.lstrip()
            if _link_continues(ln, at, bt, carried):
                in_link = True
                # URLs are broken without adding a hyphen: one at the break is the link's.
                if at[-1] in _HYPHENS:
                    w.line(ln, start, end - 1)
                    w.write("-")
                else:
                    w.line(ln, start, end)
                continue
            if at.endswith(_HYPHENS) and len(at) > 1:
                keep = _hyphen_join(at[:-1], bt, words)
                if keep is not None:
                    w.line(ln, start, end - 1)
                    if keep:
                        w.write("-")
                    continue
            joined = " "
        w.line(ln, start, end)
        w.write(joined)


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _words(layout: Layout) -> frozenset[str]:
    """Words and compounds written whole inside a line (not at its end)."""
    out: set[str] = set()
    for ln in layout.lines:
        text = ln.text.rstrip()
        for m in _WORD.finditer(text):
            if m.end() < len(text) or not text.endswith(_HYPHENS):
                out.add(m.group(0))
    return frozenset(out)


def _is_heading(para: list[Line], body_size: float) -> bool:
    """A short paragraph set larger than the body text."""
    return (
        body_size > 0
        and all(ln.size > body_size * 1.05 for ln in para)
        and sum(len(ln.text) for ln in para) < 100
    )


def _compose(layout: Layout) -> tuple[str, list[tuple[int, str, int, int]]]:
    w = _Writer()
    words = _words(layout)
    in_list = False
    list_size = 0.0
    for para in paragraphs(layout.body, layout.body_size):
        head = para[0].text.strip()
        if w.pos:
            # After the reference list, a heading set larger than the text (an
            # appendix, "A. R code") or text set smaller than the list (the
            # authors' addresses) ends it: four blank lines say so to the text
            # reader, which would otherwise read it as more references.
            if in_list and not list_size:
                list_size = para[0].size
            ends = in_list and (
                (len(para) <= 2 and _is_heading(para, min(layout.body_size, list_size)))
                or para[0].size < 0.9 * list_size
            )
            w.write("\n\n\n\n\n" if ends else "\n\n")
            in_list = in_list and not ends
        if is_ref_heading(head):
            in_list, list_size = True, 0.0
        _write_paragraph(w, para, words)
    for block in layout.notes:
        # Four blank lines end a reference section for the text reader; the
        # separator line opens a block of notes.
        w.write(f"\n\n\n\n\n{_SEPARATOR}\n")
        note: list[Line] = []
        for ln in block:
            if note and re.match(r"\d{1,4}", ln.text) and opens_note(ln):
                _write_paragraph(w, note, words, notes=True)
                w.write("\n")
                note = []
            note.append(ln)
        if note:
            _write_paragraph(w, note, words, notes=True)
            w.write("\n")
    return "".join(w.parts), w.pieces


def read(data: bytes, path: str) -> Layout:
    """The layout of a PDF's bytes; an unreadable PDF is an :class:`InputError`."""
    try:
        import pypdfium2  # type: ignore[import-untyped]
        import pypdfium2.raw as raw  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise InputError(f"{path}: reading PDF needs pypdfium2 (pip install pypdfium2)") from exc
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise InputError(f"{path}: encrypted PDF (a password is needed to read it)") from exc
        raise InputError(f"{path}: damaged or not a PDF ({reason})") from exc
    try:
        layout = read_layout(pdf, raw)
    except pypdfium2.PdfiumError as exc:
        raise InputError(f"{path}: damaged PDF ({exc})") from exc
    finally:
        pdf.close()
    if layout.chars == 0:
        raise InputError(f"{path}: the PDF has no text layer (a scan?); run OCR on it first")
    return layout


def parse(source: SourceText) -> Document:
    """Read a PDF (``source.data``) and find its references as in a text document."""
    data = source.data
    if data is None or b"%PDF-" not in data[:1024]:
        # Read as text (--input-format pdf on a text file): no PDF's bytes survive that.
        raise InputError(f"{source.path}: not a PDF file")
    layout = read(data, source.path)
    text, pieces = _compose(layout)
    located = LocatedSource(source.path, text, pieces, digest=source.digest, kind="pdf")
    located.data = data  # the document itself, for whoever needs its own lines
    doc = text_parser.parse(located)
    located.locate(doc.references)
    return doc
