"""PDF typesetting artifacts met in real documents (issue 17, benchmarks/real_documents.py).

Each PDF is drawn here with fpdf2, glyph by glyph where the artifact needs it:
accents set as glyphs of their own over a letter (TeX's ``\\"a``), a URL wrapped
over three lines or after ``http:``, a justified line with wide word gaps, an
appendix heading or the authors' addresses right after the list; and the glyph
codes a TeX font without a Unicode map leaves in the text layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from refcheck.io import read_source
from refcheck.model import Document, SourceText
from refcheck.parsers import pdf, text
from refcheck.parsers.pdf_layout import _decode_tex_codes

fpdf = pytest.importorskip("fpdf")
pytest.importorskip("pypdfium2")

BODY = (
    "This note compares two estimators of the sandwich covariance matrix and the tests "
    "built on them, as discussed in the literature cited below."
)


def _doc() -> Any:
    doc = fpdf.FPDF(unit="pt", format=(595, 842))
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.set_font("Helvetica", size=10)
    return doc


def _parse(tmp_path: Path, doc: Any) -> Document:
    path = tmp_path / "paper.pdf"
    path.write_bytes(bytes(doc.output()))
    return pdf.parse(read_source(str(path)))


def _composed(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "paper.pdf"
    path.write_bytes(bytes(doc.output()))
    layout = pdf.read(path.read_bytes(), str(path))
    return pdf._compose(layout)[0]


def _body(doc: Any, y: float = 80) -> float:
    for i in range(0, len(BODY), 90):
        doc.text(72, y, BODY[i : i + 90])
        y += 13
    return y + 13


def _hanging(doc: Any, y: float, entries: list[list[str]], size: float = 10) -> float:
    """Entries with hanging indentation, one list of lines each."""
    doc.set_font("Helvetica", size=size)
    for lines in entries:
        for k, ln in enumerate(lines):
            doc.text(72 if k == 0 else 84, y, ln)
            y += 13
    return y


def _accented(doc: Any, x: float, y: float, before: str, letter: str, after: str) -> None:
    """``before`` + ``letter`` with a separate diaeresis glyph over it + ``after``."""
    doc.text(x, y, before)
    x += doc.get_string_width(before)
    # TeX writes the accent first, over where the letter will stand.
    w_acc, w_let = doc.get_string_width("\u00a8"), doc.get_string_width(letter)
    doc.text(x + (w_let - w_acc) / 2, y, "\u00a8")
    doc.text(x, y, letter)
    doc.text(x + w_let, y, after)


def test_separate_accent_glyph_is_composed_with_its_letter(tmp_path: Path) -> None:
    doc = _doc()
    y = _body(doc)
    doc.text(72, y, "References")
    y += 20
    _accented(doc, 72, y, "Kr", "a", "mer W, Sonnberger H (1986). The Linear Regression Model")
    doc.text(84, y + 13, "Under Test. Physica-Verlag, Heidelberg.")
    # A caret and a tilde of the text itself stay as they are.
    doc.text(72, y + 40, "The model y ~ x^2 was fitted.")
    out = _composed(tmp_path, doc)
    assert "Krämer W, Sonnberger H (1986)" in out
    assert "\u00a8" not in out
    assert "y ~ x^2" in out


def test_tex_glyph_codes_decoded_by_the_pages_encoding() -> None:
    def chars(s: str) -> list[tuple[str, float, float, float, float]]:
        return [(c, float(i), float(i + 1), 0.0, 10.0) for i, c in enumerate(s)]

    def decoded(s: str) -> str:
        return "".join(c[0] for c in _decode_tex_codes(chars(s)))

    # Cork (T1): ffi and fi ligatures, an en dash in a page range.
    t1 = "e\x1eciency signi\x1ccance 557\x15565"
    assert decoded(t1) == "e\ufb03ciency signi\ufb01cance 557–565"
    # Old TeX (OT1): the fi ligature at 0x0C, so 0x1C is ø.
    assert decoded("\x0cnal signi\x0ccance Bj\x1crn") == "\ufb01nal signi\ufb01cance Bjørn"
    # PDFium's own line-end hyphen (0x02) is left for the hyphen repair.
    assert decoded("regres\x02") == "regres\x02"


def test_url_wrapped_over_three_lines_and_after_the_scheme(tmp_path: Path) -> None:
    doc = _doc()
    y = _body(doc)
    doc.text(72, y, "References")
    _hanging(
        doc,
        y + 20,
        [
            [
                "Franses PH (2014). Time Series Models for Business and Economic Forecasting. URL",
                "http://www.example.org/us/academic/subjects/economics/",
                "econometrics-statistics-and-mathematical-economics/",
                "time-series-models-2nd-edition.",
            ],
            [
                "De'ath G (2014). mvpart: Multivariate Partitioning. R package 1.6-2, URL http:",
                "//CRAN.R-project.org/package=mvpart.",
            ],
        ],
    )
    out = _composed(tmp_path, doc)
    assert (
        "http://www.example.org/us/academic/subjects/economics/"
        "econometrics-statistics-and-mathematical-economics/time-series-models-2nd-edition."
    ) in out
    assert "URL http://CRAN.R-project.org/package=mvpart." in out


def test_justified_line_with_wide_gaps_is_one_line(tmp_path: Path) -> None:
    doc = _doc()
    y = _body(doc)
    doc.text(72, y, "References")
    y += 20
    # The content stream writes the right-hand piece first, a little off the baseline.
    doc.text(330, y - 0.4, "Time Series Models for")
    doc.text(72, y, "Franses PH, van Dijk D, Opschoor A (2014).")
    doc.text(84, y + 13, "Business and Economic Forecasting. Cambridge University Press.")
    doc.text(72, y + 26, "Greene WH (2003). Econometric Analysis. Prentice Hall, New Jersey.")
    got = _parse(tmp_path, doc)
    raws = [r.raw for r in got.references]
    assert raws[0].startswith("Franses PH, van Dijk D, Opschoor A (2014). Time Series Models for")
    assert len(raws) == 2


def test_appendix_heading_set_larger_ends_the_list(tmp_path: Path) -> None:
    doc = _doc()
    y = _body(doc)
    doc.text(72, y, "References")
    y = _hanging(
        doc,
        y + 20,
        [
            [
                "White H (1980). A Heteroskedasticity-Consistent Covariance Matrix Estimator.",
                "Econometrica, 48, 817-838.",
            ],
            [
                "Zeileis A (2004). Econometric Computing with HC and HAC Covariance Matrix",
                "Estimators. Journal of Statistical Software, 11(10), 1-17.",
            ],
        ],
    )
    doc.set_font("Helvetica", "B", size=14)
    doc.text(72, y + 20, "A. R code")
    doc.set_font("Helvetica", size=10)
    doc.text(72, y + 40, "The packages sandwich and lmtest are required for the examples in 2004.")
    got = _parse(tmp_path, doc)
    assert [r.raw[:7] for r in got.references] == ["White H", "Zeileis"]


def test_addresses_set_smaller_after_the_list_end_it(tmp_path: Path) -> None:
    doc = _doc()
    y = _body(doc)
    doc.text(72, y, "References")
    y = _hanging(
        doc,
        y + 20,
        [
            [
                "Alan Genz. Numerical computation of multivariate normal probabilities. Journal",
                "of Computational and Graphical Statistics, 1:141-149, 1992.",
            ],
            [
                "P.D. Watson and M. B. Wolf. Blood and isoproterenol reduce capillary permeability",
                "in cat hindlimb. The American Journal of Physiology, 252:H47-H53, 1987.",
            ],
        ],
    )
    _hanging(
        doc,
        y + 10,
        [
            [
                "Universitat Hannover, LG Bioinformatik, FB Gartenbau, Herrenhauser",
                "Str. 2, D-30419 Hannover",
            ],
            [
                "Department of Mathematics, Washington State University, Pullman, WA",
                "99164-3113 USA",
            ],
        ],
        size=8.2,
    )
    got = _parse(tmp_path, doc)
    assert [r.raw[:6] for r in got.references] == ["Alan G", "P.D. W"]


def test_affiliation_heading_ends_a_text_list() -> None:
    src = SourceText(
        "paper.txt",
        "References\n\n"
        "Zeileis A (2006). Object-Oriented Computation of Sandwich Estimators. Journal of "
        "Statistical Software, 16(9), 1-16.\n\n"
        "Zeileis A, Hothorn T (2002). Diagnostic Checking in Regression Relationships. "
        "R News, 2(3), 7-10.\n\n"
        "Affiliation:\n\n"
        "Achim Zeileis\n\n"
        "Department of Statistics, Universitat Innsbruck, 6020 Innsbruck, Austria, 2002\n",
    )
    got = text.parse(src)
    assert [r.raw[:9] for r in got.references] == ["Zeileis A", "Zeileis A"]


def test_word_gaps_at_different_places_are_no_column_gutter(tmp_path: Path) -> None:
    doc = _doc()
    y = _body(doc)
    doc.text(72, y, "References")
    y += 20
    # Widely justified first lines: each one's right-hand piece starts elsewhere, so
    # the page is one column, not two.
    rows = [
        ("Chu CSJ, Hornik K, Kuan CM (1995).", 320, "MOSUM Tests for Parameter"),
        ("Chow GC (1960).", 380, "Tests of Equality Between Sets"),
        ("Hansen BE (1992).", 440, "Testing for Parameter Instability"),
        ("Brown RL, Durbin J, Evans JM (1975).", 350, "Techniques for Testing"),
    ]
    for left, x, right in rows:
        doc.text(72, y, left)
        doc.text(x, y, right)
        doc.text(84, y + 13, "Econometrica, 61, 821-856.")
        y += 26
    got = _parse(tmp_path, doc)
    raws = [r.raw for r in got.references]
    assert [r.split(" (")[0] for r in raws] == [
        "Chu CSJ, Hornik K, Kuan CM",
        "Chow GC",
        "Hansen BE",
        "Brown RL, Durbin J, Evans JM",
    ]
    assert raws[1].startswith("Chow GC (1960). Tests of Equality Between Sets Econometrica")


_SENTENCE = (
    "the estimators are compared on simulated panels with serial correlation and "
    "heteroskedasticity of unknown form where the kernel bandwidth is chosen by the "
    "data and the prewhitening step is optional for every sample size considered here"
)
WORDS = _SENTENCE.split()


def _justify(doc: Any, x: float, y: float, words: list[str], width: float) -> None:
    """Words set one by one so that the line fills ``width`` exactly (a justified line)."""
    widths = [doc.get_string_width(w) for w in words]
    space = (width - sum(widths)) / max(1, len(words) - 1)
    for w, ww in zip(words, widths, strict=True):
        doc.text(x, y, w)
        x += ww + space


def _column_lines(
    doc: Any, n: int, width: float, offset: int, upper: bool = False
) -> list[list[str]]:
    words = [w.capitalize() for w in WORDS] if upper else WORDS
    out: list[list[str]] = []
    k = offset
    while len(out) < n:
        line: list[str] = []
        while sum(doc.get_string_width(w + " ") for w in [*line, words[k % len(words)]]) < width:
            line.append(words[k % len(words)])
            k += 1
        out.append(line)
    return out


def test_narrow_gutter_crossed_by_lines_is_found(tmp_path: Path) -> None:
    doc = _doc()
    col = 240.0
    left = _column_lines(doc, 12, col, 0)
    right = _column_lines(doc, 12, col, 7, upper=True)
    y = 80.0
    for lw, rw in zip(left, right, strict=True):
        # A gutter of 9 pt: narrower than the gap that cuts a line (1.5 em).
        _justify(doc, 50, y, lw, col)
        _justify(doc, 50 + col + 9, y, rw, col)
        y += 13
    out = _composed(tmp_path, doc)
    first_left = " ".join(left[0])
    first_right = " ".join(right[0])
    assert first_left + " " + " ".join(left[1][:2]) in out
    assert first_left + " " + first_right not in out
    assert out.index(" ".join(left[-1])) < out.index(first_right)


def test_small_type_at_both_columns_foot_is_read_after_them(tmp_path: Path) -> None:
    doc = _doc()
    col = 240.0
    left = _column_lines(doc, 10, col, 0)
    right = _column_lines(doc, 10, col, 5, upper=True)
    y = 80.0
    for lw, rw in zip(left, right, strict=True):
        _justify(doc, 50, y, lw, col)
        _justify(doc, 320, y, rw, col)
        y += 13
    doc.set_font("Helvetica", size=8)
    doc.text(50, y + 30, "[1] E. Witten, (2001), hep-th/0106109.")
    doc.text(320, y + 30, "[2] R. P. Feynman, Phys. Rev. 94, 262 (1954).")
    out = _composed(tmp_path, doc)
    assert out.index(" ".join(right[-1])) < out.index("[1] E. Witten") < out.index("[2] R. P.")


def test_prose_under_a_references_heading_keeps_its_paragraphs(tmp_path: Path) -> None:
    doc = _doc()
    doc.text(72, 80, "3. References")
    lines = _column_lines(doc, 12, 420, 0)
    y = 100.0
    for k, words in enumerate(lines):
        # Paragraphs of four lines, the first line indented.
        first = k % 4 == 0
        _justify(doc, 84 if first else 72, y, words[:-1] if first else words, 408 if first else 420)
        y += 13
    out = _composed(tmp_path, doc)
    assert " ".join(lines[1]) + " " + " ".join(lines[2]) in out


def test_heading_at_body_size_ends_a_list_set_smaller(tmp_path: Path) -> None:
    doc = _doc()
    y = 80.0
    for _ in range(16):  # enough text (2,000 characters) to set the body's size
        y = _body(doc, y) - 13
    doc.text(72, y, "References")
    y = _hanging(
        doc,
        y + 20,
        [
            [
                "[1] Rafal Ablamowicz and Bertfried Fauser. 2007. CLIFFORD: a Maple 11 Package",
                "for Clifford Algebra Computations, version 11.",
            ],
            [
                "[2] Patricia S. Abril and Robert Plant. 2007. The patent holder's dilemma: Buy,",
                "sell, or troll? Commun. ACM 50, 1 (Jan. 2007), 36-44.",
            ],
        ],
        size=8,
    )
    doc.set_font("Helvetica", "B", size=10)
    doc.text(72, y + 16, "A RESEARCH METHODS")
    doc.set_font("Helvetica", size=10)
    doc.text(72, y + 32, "Received 20 February 2007; revised 12 March 2009; accepted 5 June 2009")
    got = _parse(tmp_path, doc)
    assert [r.raw[:10] for r in got.references] == ["Rafal Abla", "Patricia S"]
    assert "RESEARCH" not in got.references[-1].raw


def test_figure_caption_heading_ends_a_text_list() -> None:
    src = SourceText(
        "paper.txt",
        "References\n\n"
        "Shotton, M. A. (1989). Computer addiction? A study of computer dependency. "
        "Taylor & Francis.\n\n"
        "von Davier, M., Xu, X., & Carstensen, C. H. (2011). Measuring growth in a "
        "longitudinal large-scale assessment. Psychometrika, 76, 318-336.\n\n"
        "Figure 1\n\n"
        "This is my first figure caption, drawn from the 2011 survey.\n",
    )
    got = text.parse(src)
    assert [r.raw[:7] for r in got.references] == ["Shotton", "von Dav"]


def _raw_pdf(content: str) -> bytes:
    """A one-page PDF with Helvetica and the given content stream, written by hand."""
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    out = "%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def test_font_scaled_by_the_text_matrix_is_sized_by_its_glyphs(tmp_path: Path) -> None:
    # Size 1 in Tf, scaled to 10 pt by the text matrix: PDFium reports size 1.
    words = ["Econometric", "computing", "with", "HC", "and", "HAC", "covariance"]
    measure = _doc()
    ops = ["BT", "/F1 1 Tf"]
    for row in range(3):
        x = 72.0
        for w in words:
            ops.append(f"10 0 0 10 {x:.1f} {700 - 13 * row} Tm ({w}) Tj")
            x += measure.get_string_width(w) + 3.0  # a word space of about a third of an em
    ops.append("ET")
    path = tmp_path / "scaled.pdf"
    path.write_bytes(_raw_pdf("\n".join(ops)))
    layout = pdf.read(path.read_bytes(), str(path))
    texts = [ln.text for ln in layout.lines]
    assert texts.count(" ".join(words)) == 3
    # Sized as a reader sees it: ems (gaps, indents, superscripts) are measured in it.
    assert all(8.0 < ln.size < 12.0 for ln in layout.lines)
