"""PDF reading: layout, repairs, positions by page, unreadable files (issue 17).

Every PDF here is typeset by ``tests/docbuild.py`` (fpdf2) from well-known
works: two columns, a running header and page numbers on every page,
footnotes with superscript markers, words hyphenated at line ends, DOIs
wrapped across lines and fi/fl ligature glyphs.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

pytest.importorskip("fpdf")
pytest.importorskip("pypdfium2")

from docbuild import WORKS, PdfStyle, apa, article, build_pdf, dejavu, plain_text

from refcheck.cli import main
from refcheck.io import read_source
from refcheck.model import Document
from refcheck.parsers import pdf
from refcheck.parsers.pdf_layout import read_layout

NOTES = [
    "See Hardin, G. (1968). The tragedy of the commons. Science, 162(3859), 1243–1248.",
    "On the wider debate see Granovetter (1973), pp. 1360–1380.",
]


def _author_date(works: list = WORKS, paragraphs: int = 3) -> tuple[list[str], bytes]:
    entries = sorted(apa(w) for w in works)
    cites = [f"({w[1]}, {w[2]})" for w in works]
    paras = article(entries, cites, numbered=False, notes=NOTES, paragraphs_per_cite=paragraphs)
    return entries, build_pdf(paras)


def _plain(entries: list[str]) -> Document:
    from refcheck.model import SourceText
    from refcheck.parsers import text

    return text.parse(SourceText("plain.txt", "References\n\n" + "\n\n".join(entries) + "\n"))


def _fields(r: object) -> tuple:
    keys = ("title", "container", "year", "volume", "issue", "pages", "doi")
    authors = tuple((a.family, a.given) for a in r.authors)  # type: ignore[attr-defined]
    return (authors, *(getattr(r, k) for k in keys))


def _write(tmp_path: Path, data: bytes, name: str = "paper.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _parse(path: str) -> Document:
    return pdf.parse(read_source(path))


def _raw_lines(path: str) -> list:
    import pypdfium2
    import pypdfium2.raw as raw

    doc = pypdfium2.PdfDocument(path)
    try:
        layout = read_layout(doc, raw)
    finally:
        doc.close()
    return layout.body + [ln for block in layout.notes for ln in block]


def _all_lines(path: str) -> dict[tuple[int, int], str]:
    """Every line of every page (headers included) by (page, line number)."""
    import pypdfium2
    import pypdfium2.raw as raw

    doc = pypdfium2.PdfDocument(path)
    try:
        layout = read_layout(doc, raw)
    finally:
        doc.close()
    return {(ln.page, ln.number): ln.text for ln in layout.lines}


def test_two_column_article_reads_every_reference_and_footnote(tmp_path: Path) -> None:
    entries, data = _author_date()
    path = _write(tmp_path, data)
    doc = _parse(path)
    assert doc.layout == "author-date"
    refs = [r for r in doc.references if r.kind == "entry"]
    assert len(refs) == len(WORKS)
    # Read as well as the same list in a text file.
    plain = [r for r in _plain(entries).references if r.kind == "entry"]
    assert [_fields(r) for r in refs] == [_fields(r) for r in plain]
    assert sorted((r.doi or "").lower() for r in refs) == sorted(w[8].lower() for w in WORKS)
    notes = [r for r in doc.references if r.kind == "footnote"]
    assert [n.label for n in notes] == ["1", "2"]
    assert notes[0].raw == NOTES[0]
    # The layout really has what must be repaired or left out.
    raw = _raw_lines(path)
    assert max(ln.page for ln in raw) >= 2
    assert any(ln.column == 2 for ln in raw)


def test_headers_page_numbers_and_typesetting_are_not_in_the_text(tmp_path: Path) -> None:
    _, data = _author_date()
    path = _write(tmp_path, data)
    text = _parse(path).text
    assert "Journal of Reproducible Examples" not in text
    assert not re.search(r"(?m)^\d{1,3}$", text)  # no page number left on a line of its own
    assert "\x02" not in text and "\ufb01" not in text and "\ufb02" not in text
    # Superscript markers survive as superscripts for the citation reader.
    assert "literature.¹" in text
    lines = _all_lines(path)
    ends = [t for t in lines.values() if t.endswith(("\x02", "-"))]
    assert ends, "the typesetter hyphenated nothing: the test would prove nothing"
    for t in ends:
        head = re.search(r"(\w+)[\x02-]$", t)
        assert head is not None
    # Every word hyphenated at a line end is whole in the text.
    for (page, n), t in lines.items():
        m = re.search(r"([a-z]{3,})[\x02-]$", t)
        nxt = lines.get((page, n + 1), "")
        m2 = re.match(r"([a-z]+)", nxt)
        if m and m2:
            assert m.group(1) + m2.group(1) in text
    # A DOI was wrapped across lines and is whole in the text.
    wrapped = [
        t
        for t in lines.values()
        if re.search(r"https://doi\.org/\S*$", t)
        and not re.search(r"https://doi\.org/10\.\d+/\S+[0-9a-z)]$", t)
    ]
    assert wrapped, "no DOI wrapped: the test would prove nothing"
    for w in WORKS:
        assert f"https://doi.org/{w[8]}" in text


@pytest.mark.skipif(dejavu() is None, reason="DejaVu fonts (fonts-dejavu-core) not installed")
def test_ligature_glyphs_are_letters(tmp_path: Path) -> None:
    import pypdfium2
    import pypdfium2.raw as raw

    from refcheck.parsers import pdf_layout

    _, data = _author_date(paragraphs=1)
    path = _write(tmp_path, data)
    doc = pypdfium2.PdfDocument(path)
    try:
        textpage = doc[0].get_textpage()
        chars = pdf_layout._chars(textpage, raw)
    finally:
        doc.close()
    # The page really holds ligature glyphs: PDFium gives one glyph's letters one box.
    shared = [a[0] + b[0] for a, b in pairwise(chars) if a[1:3] == b[1:3] and a[0] != " "]
    assert {"fi", "ff"} & set(shared), shared
    text = _parse(path).text
    for word in ("efficient", "first", "affluent", "reflection", "classification"):
        assert word in text, word


def test_ligature_code_points_are_written_as_letters() -> None:
    """Where PDFium keeps a ligature's own code point (U+FB01), the letters are written."""
    from refcheck.parsers.pdf_layout import Line

    w = pdf._Writer()
    text = "e\ufb03cient \ufb02ow²"
    ln = Line(text, [0.0] * len(text), 0, 100, 0, 10, [c == "²" for c in text], page=2, number=7)
    w.line(ln, 0, len(text))
    out = "".join(w.parts)
    assert out == "efficient flow²"
    from refcheck.parsers.located import LocatedSource

    src = LocatedSource("x.pdf", out, w.pieces)
    # "flow" starts where its ligature glyph stood: column 9 of the page's line 7.
    assert src.place(out.index("flow")) == ("p2", 7, 9)
    assert src.place(out.index("cient")) == ("p2", 7, 3)


def _findings(path: str, capsys: pytest.CaptureFixture[str]) -> set[tuple[str, str]]:
    main(["check", "--offline", "--fail-on", "info", "--format", "json", path])
    report = json.loads(capsys.readouterr().out)
    return {(f["code"], f["text"]) for f in report["findings"]}


def test_clean_article_has_no_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = sorted(apa(w) for w in WORKS)
    cites = [f"({w[1]}, {w[2]})" for w in WORKS]
    paras = article(entries, cites, numbered=False, notes=NOTES, paragraphs_per_cite=3)
    path = _write(tmp_path, build_pdf(paras))
    found = _findings(path, capsys)
    # Nothing the typesetting did is reported ...
    assert not [f for f in found if f[0].startswith(("RC1", "RC2", "RC3"))], found
    # ... and nothing beyond what the same article says as a text file.
    (tmp_path / "same.txt").write_text(plain_text(paras), encoding="utf-8")
    assert found <= _findings(str(tmp_path / "same.txt"), capsys)


def test_numbered_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = [apa(w) for w in WORKS]
    cites = [f"[{i}]" for i in range(1, len(WORKS) + 1)]
    paras = article(entries, cites, numbered=True, paragraphs_per_cite=2)
    path = _write(tmp_path, build_pdf(paras, PdfStyle(columns=1)))
    doc = _parse(path)
    assert doc.layout == "numbered"
    refs = [r for r in doc.references if r.kind == "entry"]
    assert [r.label for r in refs] == [f"[{i}]" for i in range(1, len(WORKS) + 1)]
    assert [r.raw for r in refs] == entries
    plain = [r for r in _plain([f"[{i}] {e}" for i, e in enumerate(entries, 1)]).references]
    assert [_fields(r) for r in refs] == [_fields(r) for r in plain]
    found = _findings(path, capsys)
    assert not [f for f in found if f[0].startswith(("RC1", "RC2", "RC3"))], found
    (tmp_path / "same.txt").write_text(plain_text(paras), encoding="utf-8")
    assert found <= _findings(str(tmp_path / "same.txt"), capsys)


def _with_typo(tmp_path: Path) -> str:
    works = list(WORKS)
    k = next(i for i, w in enumerate(works) if w[1] == "Kahneman & Tversky")
    w = works[k]
    works[k] = (
        w[0],
        w[1],
        w[2],
        "Prospect theory: An analysis of decision under rsik",
        w[4],
        w[5],
        w[6],
        w[7],
        w[8],
    )
    _, data = _author_date(works)
    return _write(tmp_path, data)


def test_typo_is_found_at_its_page_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _with_typo(tmp_path)
    assert main(["check", "--offline", "--format", "json", path]) == 1
    report = json.loads(capsys.readouterr().out)
    hits = [f for f in report["findings"] if f["text"] == "rsik"]
    assert len(hits) == 1, report["findings"]
    f = hits[0]
    line = _all_lines(path)[(f["page"], f["line"])]
    assert line[f["column"] - 1 : f["end_column"] - 1] == "rsik"
    # Text output names the page.
    main(["check", "--offline", path])
    out = capsys.readouterr().out
    assert re.search(rf"paper\.pdf:p{f['page']}:{f['line']}:{f['column']}: RC101 ", out), out
    # SARIF keeps the region and adds the page.
    main(["check", "--offline", "--format", "sarif", path])
    sarif = json.loads(capsys.readouterr().out)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "RC101")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (f["line"], f["column"])
    assert result["properties"]["page"] == f["page"]


def test_fix_never_rewrites_a_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    works = list(WORKS)
    w = works[0]
    works[0] = (
        w[0],
        w[1],
        w[2],
        "Alliance formation and the world`s balance of power",
        w[4],
        w[5],
        w[6],
        w[7],
        w[8],
    )
    _, data = _author_date(works, paragraphs=1)
    path = _write(tmp_path, data)
    main(["check", "--offline", "--fix", path])
    captured = capsys.readouterr()
    assert "RC302" in captured.out
    assert "never rewrites a PDF" in captured.err + captured.out
    assert Path(path).read_bytes() == data


def _scan() -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_fill_color(120)
    doc.rect(20, 20, 100, 60, style="F")  # an image of a page, no text
    return bytes(doc.output())


def _encrypted() -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_encryption(owner_password="owner", user_password="secret")
    doc.add_page()
    doc.set_font("Helvetica", size=10)
    doc.text(20, 20, "Walt, S. M. (1985). Alliance formation. International Security, 9(4).")
    return bytes(doc.output())


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("scan.pdf", _scan, "no text layer"),
        ("locked.pdf", _encrypted, "encrypted"),
        (
            "broken.pdf",
            lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + b"\x00" * 40,
            "damaged",
        ),
        ("cut.pdf", lambda: _author_date(paragraphs=1)[1][:3000], "damaged"),
    ],
)
def test_unreadable_pdf_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, make, says: str
) -> None:
    path = _write(tmp_path, make(), name)
    assert main(["check", "--offline", path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and name in err[0], err


@pytest.mark.parametrize(
    ("left", "right", "words", "keep"),
    [
        ("Interna", "tional relations", (), False),  # a typesetter's hyphen
        ("self", "reported data", (), True),  # a compound
        ("Cross", "sectional study", (), True),
        ("Shi", "mojo, S.", (), False),  # a name cut in two
        ("Smith", "Jones", (), True),
        ("DEO", "XYHAEMOGLOBIN AT", (), False),  # capitals judged as words
        ("Springer", "Briefs in", ("SpringerBriefs",), False),  # the document's own spelling
        ("multi", "scale models", ("multi-scale",), True),
        ("pp. 12", "15", (), None),  # a range, not a word
    ],
)
def test_line_end_hyphens(left: str, right: str, words: tuple[str, ...], keep: bool | None) -> None:
    assert pdf._hyphen_join(left, right, frozenset(words)) is keep


def test_audit_names_the_page_and_shows_the_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _with_typo(tmp_path)
    main(["check", "--offline", "--format", "json", path])
    f = next(f for f in json.loads(capsys.readouterr().out)["findings"] if f["text"] == "rsik")
    out = tmp_path / "audit"
    main(["audit", "--offline", path, "--out", str(out)])
    capsys.readouterr()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"| p{f['page']}:{f['line']}:{f['column']} |" in md
    assert "decision under **rsik**" in md  # the snippet is the reference, from the PDF's text
    assert f"page {f['page']}, line {f['line']}" in (out / "report.html").read_text("utf-8")


@pytest.mark.parametrize("name", ["paper.txt", "paper", "paper.md"])
def test_a_pdf_is_known_by_its_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _, data = _author_date(paragraphs=1)
    path = _write(tmp_path, data, name)
    main(["check", "--offline", "--format", "json", path])
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == [
        {"path": path, "format": "pdf", "layout": "author-date", "references": len(WORKS) + 2}
    ]


def test_words_placed_without_space_glyphs_read_the_same(tmp_path: Path) -> None:
    """TeX places words and writes no space characters: the gaps are the spaces."""
    entries = sorted(apa(w) for w in WORKS)
    cites = [f"({w[1]}, {w[2]})" for w in WORKS]
    paras = article(entries, cites, numbered=False, notes=NOTES)
    with_spaces = _parse(_write(tmp_path, build_pdf(paras), "a.pdf"))
    positioned = _parse(_write(tmp_path, build_pdf(paras, PdfStyle(space_glyphs=False)), "b.pdf"))
    assert [r.raw for r in positioned.references] == [r.raw for r in with_spaces.references]
    assert len(positioned.references) == len(WORKS) + 2


@pytest.mark.parametrize("numbered", [False, True])
def test_reference_list_in_small_type_is_not_footnotes(tmp_path: Path, numbered: bool) -> None:
    """A list set smaller than the body fills the foot of its pages like footnotes do."""
    entries = [apa(w) for w in WORKS] * 3  # long enough to run over pages
    cites = [f"[{i}]" if numbered else f"({w[1]}, {w[2]})" for i, w in enumerate(WORKS * 3, 1)]
    paras = article(entries, cites, numbered=numbered, notes=NOTES)
    path = _write(tmp_path, build_pdf(paras, PdfStyle(ref_size=7.5)))
    doc = _parse(path)
    assert len([r for r in doc.references if r.kind == "entry"]) == len(entries)
    assert [r.label for r in doc.references if r.kind == "footnote"] == ["1", "2"]


@pytest.mark.parametrize("numbered", [False, True])
def test_justified_columns_read_the_same(tmp_path: Path, numbered: bool) -> None:
    entries = [apa(w) for w in WORKS] if numbered else sorted(apa(w) for w in WORKS)
    cites = [f"[{i}]" if numbered else f"({w[1]}, {w[2]})" for i, w in enumerate(WORKS, 1)]
    paras = article(entries, cites, numbered=numbered, notes=NOTES, paragraphs_per_cite=2)
    doc = _parse(_write(tmp_path, build_pdf(paras, PdfStyle(justify=True))))
    assert [r.raw for r in doc.references if r.kind == "entry"] == entries
    assert [r.raw for r in doc.references if r.kind == "footnote"] == NOTES


def test_a_scan_among_other_files_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = _author_date(paragraphs=1)
    _write(tmp_path, data, "good.pdf")
    _write(tmp_path, _scan(), "scan.pdf")
    assert main(["check", "--offline", "--format", "json", str(tmp_path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], Path(f["path"]).name) for f in report["findings"]] == [
        ("RC049", "scan.pdf")
    ]
    assert "no text layer" in report["findings"][0]["message"]
    assert report["summary"]["references"] == len(WORKS) + 2


def test_a_text_file_named_pdf_is_read_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, (apa(WORKS[0]) + "\n").encode(), "list.pdf")
    main(["check", "--offline", "--format", "json", path])
    assert json.loads(capsys.readouterr().out)["files"][0]["format"] == "text"
    # Forced, it is refused in one line.
    assert main(["check", "--offline", "--input-format", "pdf", path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a PDF" in err[0]
