"""Build the PDF and Word documents the tests and ``benchmarks/formats.py`` read.

Nothing here is read from outside the repository: the documents are typeset
from the paragraphs and references a caller gives.  The PDF builder does its
own line breaking so that it can imitate what a typesetter does to a
reference list: one or two columns, a running header and a page number on
every page, footnotes in a smaller font with superscript markers in the
text, words hyphenated at line ends, URLs and DOIs wrapped without a hyphen,
and fi/fl ligature glyphs (U+FB01, U+FB02) in place of letter pairs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


def dejavu() -> str | None:
    """The path of DejaVu Serif (Debian's fonts-dejavu-core), or None."""
    for d in _FONT_DIRS:
        path = os.path.join(d, "DejaVuSerif.ttf")
        if os.path.exists(path):
            return path
    return None


@dataclass
class Para:
    """A paragraph: body text, a heading, or a reference-list entry."""

    text: str
    kind: str = "body"  # body | heading | title | ref
    label: str | None = None  # "[3]" for a numbered entry
    # Footnotes anchored at the end of this paragraph (superscript marker in the text).
    notes: list[str] = field(default_factory=list)


@dataclass
class PdfStyle:
    columns: int = 2
    size: float = 10.0
    note_size: float = 7.5
    header: str | None = "Journal of Reproducible Examples · Vol. 12 (2024)"
    page_numbers: bool = True
    hyphenate: bool = True
    ligatures: bool = True
    margin: float = 56.0
    gutter: float = 18.0
    # False: every word placed on its own, no space glyphs (as TeX writes PDFs).
    space_glyphs: bool = True
    ref_size: float | None = None  # the reference list in smaller type
    justify: bool = False  # lines stretched to the column's width (words placed apart)


_URLISH = re.compile(r"^(?:https?://|doi:|10\.\d{4,9}/)", re.IGNORECASE)
_LIGATURES = (
    ("ffi", "\ufb03"),
    ("ffl", "\ufb04"),
    ("fi", "\ufb01"),
    ("fl", "\ufb02"),
    ("ff", "\ufb00"),
)


def _ligate(word: str) -> str:
    if _URLISH.match(word):
        return word  # typesetters set URLs in a font without ligatures
    for pair, glyph in _LIGATURES:
        word = word.replace(pair, glyph)
    return word


class _Typesetter:
    def __init__(self, style: PdfStyle, font: str | None) -> None:
        from fpdf import FPDF

        self.style = style
        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_title("Generated test article")
        if font is not None:
            self.pdf.add_font("Body", "", font)
            self.family = "Body"
        else:  # core font: Latin-1 only, no ligature glyphs
            self.family = "Helvetica"
            style.ligatures = False
        self.unicode = font is not None
        self.width = self.pdf.w
        self.height = self.pdf.h
        m = style.margin
        inner = self.width - 2 * m
        if style.columns == 2:
            cw = (inner - style.gutter) / 2
            self.columns = [(m, cw), (m + cw + style.gutter, cw)]
        else:
            self.columns = [(m, inner)]
        self.top = m + 24
        self.bottom = self.height - m - 10
        self.page_notes: list[tuple[int, str]] = []
        self.note_number = 0
        self.col = 0
        self.y = 0.0
        self.notes_height = 0.0
        self.page = 0
        self._new_page()

    # -- pages ----------------------------------------------------------
    def _text(self, s: str) -> str:
        if self.unicode:
            return s
        return s.encode("latin-1", "replace").decode("latin-1")

    def _new_page(self) -> None:
        if self.page:
            self._flush_notes()
        self.pdf.add_page()
        self.page += 1
        st = self.style
        if st.header:
            self.pdf.set_font(self.family, size=8)
            self.pdf.text(st.margin, st.margin - 10, self._text(st.header))
        if st.page_numbers:
            self.pdf.set_font(self.family, size=8)
            label = str(self.page)
            w = self.pdf.get_string_width(label)
            self.pdf.text((self.width - w) / 2, self.height - st.margin + 14, label)
        self.col = 0
        self.y = self.top
        self.notes_height = 0.0
        self.page_notes = []

    def _limit(self) -> float:
        return self.bottom - self.notes_height

    def _advance(self, lead: float) -> None:
        if self.y + lead > self._limit():
            if self.col + 1 < len(self.columns):
                self.col += 1
                self.y = self.top
            else:
                self._new_page()
        self.y += lead

    def _flush_notes(self) -> None:
        if not self.page_notes:
            return
        st = self.style
        x, width = st.margin, self.columns[0][1]
        y = self.bottom - self.notes_height + st.note_size
        self.pdf.set_draw_color(0)
        self.pdf.line(x, y - st.note_size, x + 60, y - st.note_size)
        for number, note in self.page_notes:
            lines = self._break(note, width - 10, st.note_size)
            self.pdf.set_font(self.family, size=st.note_size * 0.7)
            self.pdf.text(x, y + 1 - st.note_size * 0.35, str(number))
            for line in lines:
                self._draw_words(x + 8, y, line, st.note_size)
                y += st.note_size * 1.25
        self.page_notes = []

    # -- lines ----------------------------------------------------------
    def _width(self, s: str, size: float) -> float:
        self.pdf.set_font(self.family, size=size)
        return float(self.pdf.get_string_width(self._text(s)))

    def _break(
        self, text: str, width: float, size: float, first: float | None = None
    ) -> list[list[str]]:
        """Greedy line breaking; long words are hyphenated, URLs cut at a slash or dot.

        ``first`` is the first line's width when it differs (hanging indentation).
        """
        full = width
        width = first if first is not None else width
        words = text.split()
        lines: list[list[str]] = []
        cur: list[str] = []
        space = self._width(" ", size)
        used = 0.0
        i = 0
        while i < len(words):
            w = words[i]
            ww = self._width(w, size)
            need = ww + (space if cur else 0.0)
            if used + need <= width:
                cur.append(w)
                used += need
                i += 1
                continue
            room = width - used - (space if cur else 0.0)
            head, tail = self._split(w, room, size)
            if head:
                cur.append(head)
                words[i] = tail
            elif not cur:  # a word wider than the line: put it alone
                cur.append(w)
                i += 1
            lines.append(cur)
            cur, used = [], 0.0
            width = full
        if cur:
            lines.append(cur)
        return lines

    def _split(self, word: str, room: float, size: float) -> tuple[str, str]:
        if room <= 0:
            return "", word
        if _URLISH.match(word) or "/" in word:
            cuts = [k + 1 for k, ch in enumerate(word[:-1]) if ch in "/.-_" and k > 8]
            for k in reversed(cuts):
                if self._width(word[:k], size) <= room:
                    return word[:k], word[k:]
            # No break point fits: cut anywhere (as xurl does) rather than overflow.
            for k in range(len(word) - 2, 8, -1):
                if self._width(word[:k], size) <= room:
                    return word[:k], word[k:]
            return "", word
        if not self.style.hyphenate:
            return "", word
        core = re.match(r"^([A-Za-z]{3,})([A-Za-z]{3,})([,.;:]?)$", word)
        if core is None or len(word) < 8 or "-" in word:
            return "", word
        letters = word.rstrip(",.;:")
        for k in range(len(letters) - 3, 2, -1):
            if self._width(letters[:k] + "-", size) <= room:
                return letters[:k] + "-", word[k:]
        return "", word

    def _draw_words(
        self, x: float, y: float, words: Sequence[str], size: float, fill: float = 0.0
    ) -> None:
        """One line; ``fill`` is the width to justify it to (0: ragged right)."""
        self.pdf.set_font(self.family, size=size)
        line = " ".join(words)
        if self.style.ligatures:
            line = " ".join(_ligate(w) for w in line.split(" "))
        if self.style.space_glyphs and not fill:
            self.pdf.text(x, y, self._text(line))
            return
        space = self._width(" ", size)
        parts = line.split(" ")
        if fill and len(parts) > 1:
            space += (fill - self._width(line, size)) / (len(parts) - 1)
        for word in parts:
            self.pdf.text(x, y, self._text(word))
            x += self._width(word, size) + space

    def paragraph(self, para: Para) -> None:
        st = self.style
        size = st.size
        lead = size * 1.3
        if para.kind == "title":
            size, lead = size * 1.5, size * 2.2
        elif para.kind == "heading":
            size, lead = size * 1.15, size * 1.8
            self._advance(size * 0.6)
        x0, width = self.columns[self.col]
        indent = 0.0
        text = para.text
        if para.kind == "ref":
            indent = 14.0
            if st.ref_size:
                size, lead = st.ref_size, st.ref_size * 1.3
            if para.label:
                text = f"{para.label} {text}"
        notes = []
        for note in para.notes:
            self.note_number += 1
            notes.append((self.note_number, note))
        lines = self._break(text, width - indent, size, first=width)
        for n, words in enumerate(lines):
            self._advance(lead)
            x0, width = self.columns[self.col]
            x = x0 + (indent if n > 0 else 0.0)
            fill = 0.0
            if st.justify and n < len(lines) - 1:
                fill = width - (indent if n > 0 else 0.0)
            self._draw_words(x, self.y, words, size, fill)
            if n == len(lines) - 1:
                end = x + self._width(" ".join(words), size)
                for number, note in notes:
                    self.pdf.set_font(self.family, size=size * 0.65)
                    self.pdf.text(end + 0.5, self.y - size * 0.38, str(number))
                    end += self._width(str(number), size * 0.65) + 1
                    self._add_note(number, note)
        self.y += size * 0.6

    def _add_note(self, number: int, note: str) -> None:
        st = self.style
        lines = self._break(note, self.columns[0][1] - 10, st.note_size)
        h = len(lines) * st.note_size * 1.25 + (st.note_size if not self.page_notes else 0)
        self.page_notes.append((number, note))
        self.notes_height += h

    def finish(self) -> bytes:
        self._flush_notes()
        return bytes(self.pdf.output())


def build_pdf(
    paras: Sequence[Para], style: PdfStyle | None = None, *, font: str | None = "auto"
) -> bytes:
    """The bytes of a PDF typesetting ``paras``; ``font="auto"`` uses DejaVu when installed."""
    chosen = dejavu() if font == "auto" else font
    ts = _Typesetter(style or PdfStyle(), chosen)
    for p in paras:
        ts.paragraph(p)
    return ts.finish()


# ---------------------------------------------------------------------------
# Word


@dataclass
class Field:
    """A reference manager's citation field: instruction text and the displayed result."""

    instruction: str
    result: str


def build_docx(
    paras: Sequence[Para | tuple[str, Field, str]],
    *,
    footnotes: Sequence[str] = (),
    endnotes: Sequence[str] = (),
) -> bytes:
    """A .docx of ``paras``; a tuple (before, field, after) is a paragraph holding a field.

    Footnotes and endnotes are written as raw XML parts (python-docx cannot
    make them); the first paragraph gets their reference marks.
    """
    import io
    import zipfile

    from docx import Document as make_document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = make_document()
    for p in paras:
        if isinstance(p, tuple):
            before, fld, after = p
            para = d.add_paragraph(before)
            for xml in _field_runs(fld):
                para._p.append(parse_xml(xml))
            para.add_run(after)
        elif p.kind in ("heading", "title"):
            d.add_heading(p.text, level=1 if p.kind == "heading" else 0)
        elif p.kind == "ref" and p.label:
            d.add_paragraph(f"{p.label} {p.text}")
        else:
            d.add_paragraph(p.text)
    if footnotes or endnotes:
        first = d.paragraphs[0]._p
        for n in range(1, len(footnotes) + 1):
            first.append(
                parse_xml(
                    f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    f'<w:footnoteReference w:id="{n}"/></w:r>'
                )
            )
        for n in range(1, len(endnotes) + 1):
            first.append(parse_xml(f'<w:r {nsdecls("w")}><w:endnoteReference w:id="{n}"/></w:r>'))
    buf = io.BytesIO()
    d.save(buf)
    if not footnotes and not endnotes:
        return buf.getvalue()
    return _add_notes(buf.getvalue(), footnotes, endnotes, zipfile)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _field_runs(fld: Field) -> list[str]:
    from docx.oxml.ns import nsdecls

    ns = nsdecls("w")
    return [
        f'<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {ns}><w:instrText xml:space="preserve">{_esc(fld.instruction)}</w:instrText></w:r>',
        f'<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {ns}><w:t xml:space="preserve">{_esc(fld.result)}</w:t></w:r>',
        f'<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ]


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _notes_xml(tag: str, notes: Sequence[str]) -> str:
    body = [
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>',
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        f"<w:continuationSeparator/></w:r></w:p></w:{tag}>",
    ]
    for n, note in enumerate(notes, 1):
        paras = "".join(
            f'<w:p><w:r><w:t xml:space="preserve">{_esc(part)}</w:t></w:r></w:p>'
            for part in note.split("\n")
        )
        body.append(f'<w:{tag} w:id="{n}">{paras}</w:{tag}>')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:{tag}s xmlns:w="{_W}">{"".join(body)}</w:{tag}s>'
    )


def _add_notes(
    data: bytes, footnotes: Sequence[str], endnotes: Sequence[str], zipfile: object
) -> bytes:
    import io
    import zipfile as zf

    src = zf.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    rel_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    ct_type = "application/vnd.openxmlformats-officedocument.wordprocessingml."
    with zf.ZipFile(out, "w", zf.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                text = content.decode("utf-8")
                extra = ""
                if footnotes:
                    extra += (
                        f'<Override PartName="/word/footnotes.xml" '
                        f'ContentType="{ct_type}footnotes+xml"/>'
                    )
                if endnotes:
                    extra += (
                        f'<Override PartName="/word/endnotes.xml" '
                        f'ContentType="{ct_type}endnotes+xml"/>'
                    )
                content = text.replace("</Types>", extra + "</Types>").encode("utf-8")
            elif item.filename == "word/_rels/document.xml.rels":
                text = content.decode("utf-8")
                extra = ""
                if footnotes:
                    extra += (
                        f'<Relationship Id="rIdFn" Type="{rel_type}footnotes" '
                        f'Target="footnotes.xml"/>'
                    )
                if endnotes:
                    extra += (
                        f'<Relationship Id="rIdEn" Type="{rel_type}endnotes" '
                        f'Target="endnotes.xml"/>'
                    )
                content = text.replace("</Relationships>", extra + "</Relationships>").encode()
            dst.writestr(item, content)
        if footnotes:
            dst.writestr("word/footnotes.xml", _notes_xml("footnote", footnotes))
        if endnotes:
            dst.writestr("word/endnotes.xml", _notes_xml("endnote", endnotes))
    return out.getvalue()


# ---------------------------------------------------------------------------
# A whole article around a reference list

_SENTENCES = (
    "Earlier work established the basic effect and offered a first efficient explanation",
    "The finding was confirmed in later field studies with larger samples",
    "A different reflection on the same question reached the opposite conclusion",
    "Several authors have since questioned the affluent samples used in this literature",
    "The classification of these results remains a matter of considerable debate",
    "Our own analysis follows the approach described by these studies",
)


def article(
    entries: Sequence[str],
    cites: Sequence[str],
    *,
    numbered: bool,
    notes: Sequence[str] = (),
    paragraphs_per_cite: int = 1,
) -> list[Para]:
    """Paragraphs of an article whose body cites every entry once (``cites[i]`` is how).

    ``notes`` are attached as footnotes to the first body paragraphs.
    """
    paras = [
        Para("Checking References in Scholarly Manuscripts", "title"),
        Para("Introduction", "heading"),
    ]
    pending = list(notes)
    for i, cite in enumerate(cites):
        for k in range(paragraphs_per_cite):
            s1 = _SENTENCES[(i + k) % len(_SENTENCES)]
            s2 = _SENTENCES[(i + k + 3) % len(_SENTENCES)]
            text = f"{s1} {cite}. {s2}." if k == 0 else f"{s1}. {s2}."
            paras.append(Para(text, notes=[pending.pop(0)] if pending and k == 0 else []))
    paras.append(Para("References", "heading"))
    for n, e in enumerate(entries, 1):
        paras.append(Para(e, "ref", label=f"[{n}]" if numbered else None))
    return paras


# Real, well-known works (checked by hand against their DOIs' landing pages), for
# documents whose content must be free of errors.
# (authors as listed, short citation name, year, title, journal, volume, issue, pages, DOI)
WORKS: list[tuple[str, str, int, str, str, str | None, str | None, str, str]] = [
    (
        "Walt, S. M.",
        "Walt",
        1985,
        "Alliance formation and the balance of world power",
        "International Security",
        "9",
        "4",
        "3–43",
        "10.2307/2538540",
    ),
    (
        "LeCun, Y., Bengio, Y., & Hinton, G.",
        "LeCun et al.",
        2015,
        "Deep learning",
        "Nature",
        "521",
        "7553",
        "436–444",
        "10.1038/nature14539",
    ),
    (
        "Watson, J. D., & Crick, F. H. C.",
        "Watson & Crick",
        1953,
        "Molecular structure of nucleic acids: A structure for deoxyribose nucleic acid",
        "Nature",
        "171",
        "4356",
        "737–738",
        "10.1038/171737a0",
    ),
    (
        "Shannon, C. E.",
        "Shannon",
        1948,
        "A mathematical theory of communication",
        "Bell System Technical Journal",
        "27",
        "3",
        "379–423",
        "10.1002/j.1538-7305.1948.tb01338.x",
    ),
    (
        "Hochreiter, S., & Schmidhuber, J.",
        "Hochreiter & Schmidhuber",
        1997,
        "Long short-term memory",
        "Neural Computation",
        "9",
        "8",
        "1735–1780",
        "10.1162/neco.1997.9.8.1735",
    ),
    (
        "Kahneman, D., & Tversky, A.",
        "Kahneman & Tversky",
        1979,
        "Prospect theory: An analysis of decision under risk",
        "Econometrica",
        "47",
        "2",
        "263–291",
        "10.2307/1914185",
    ),
    (
        "Hardin, G.",
        "Hardin",
        1968,
        "The tragedy of the commons",
        "Science",
        "162",
        "3859",
        "1243–1248",
        "10.1126/science.162.3859.1243",
    ),
    (
        "Granovetter, M. S.",
        "Granovetter",
        1973,
        "The strength of weak ties",
        "American Journal of Sociology",
        "78",
        "6",
        "1360–1380",
        "10.1086/225469",
    ),
    (
        "Ioannidis, J. P. A.",
        "Ioannidis",
        2005,
        "Why most published research findings are false",
        "PLoS Medicine",
        "2",
        "8",
        "e124",
        "10.1371/journal.pmed.0020124",
    ),
    (
        "Lowry, O. H., Rosebrough, N. J., Farr, A. L., & Randall, R. J.",
        "Lowry et al.",
        1951,
        "Protein measurement with the Folin phenol reagent",
        "Journal of Biological Chemistry",
        "193",
        "1",
        "265–275",
        "10.1016/S0021-9258(19)52451-6",
    ),
]


def apa(work: tuple[str, str, int, str, str, str | None, str | None, str, str]) -> str:
    authors, _, year, title, journal, volume, issue, pages, doi = work
    vol = (f", {volume}" + (f"({issue})" if issue else "")) if volume else ""
    return f"{authors} ({year}). {title}. {journal}{vol}, {pages}. https://doi.org/{doi}"


def plain_text(paras: Sequence[Para]) -> str:
    """The same article as a text file: paragraphs, the list, then the notes."""
    sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    out: list[str] = []
    notes: list[str] = []
    for p in paras:
        text = f"{p.label} {p.text}" if p.label else p.text
        for note in p.notes:
            notes.append(note)
            text += str(len(notes)).translate(sup)
        out.append(text)
    body = "\n\n".join(out)
    if notes:
        body += (
            "\n\n\n\n\n"
            + "_" * 20
            + "\n"
            + "".join(f"{n} {note}\n" for n, note in enumerate(notes, 1))
        )
    return body + "\n"
