"""Word .docx reading: paragraphs, notes, reference managers' fields, safety (issue 17).

The documents are made by ``tests/docbuild.py`` with python-docx; footnotes,
endnotes and citation fields are written as raw XML.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("docx")

from docbuild import WORKS, Field, Para, apa, build_docx, plain_text

from refcheck.cli import main
from refcheck.io import read_source
from refcheck.model import Document, SourceText
from refcheck.parsers import docx, text

ITEM = {
    "id": "http://zotero.org/users/1/items/ABCD",
    "type": "article-journal",
    "title": "Deep residual learning for image recognition",
    "author": [{"family": "He", "given": "Kaiming"}, {"family": "Zhang", "given": "Xiangyu"}],
    "issued": {"date-parts": [[2016]]},
    "DOI": "10.1109/CVPR.2016.90",
    "container-title": "Proceedings of the IEEE Conference on Computer Vision and "
    "Pattern Recognition",
}


def _zotero(items: list[dict], shown: str, generated: str | None = None) -> Field:
    made = shown if generated is None else generated
    data = {
        "citationID": "a1",
        "properties": {"formattedCitation": made, "plainCitation": made},
        "citationItems": [
            {"id": i, "uris": [it["id"]], "itemData": it} for i, it in enumerate(items)
        ],
        "schema": "https://github.com/citation-style-language/schema/raw/master/csl-citation.json",
    }
    return Field("ADDIN ZOTERO_ITEM CSL_CITATION " + json.dumps(data), shown)


def _doc(paras: list, **notes: list[str]) -> bytes:
    return build_docx(paras, **notes)


def _write(tmp_path: Path, data: bytes, name: str = "paper.docx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _parse(path: str) -> Document:
    return docx.parse(read_source(path))


def _article(works: list = WORKS) -> list:
    paras: list = [Para("Checking references", "title")]
    for w in works:
        paras.append(Para(f"Earlier work established the basic effect ({w[1]}, {w[2]})."))
    paras.append(Para("References", "heading"))
    paras.extend(Para(e, "ref") for e in sorted(apa(w) for w in works))
    return paras


def test_reference_list_reads_as_plain_text(tmp_path: Path) -> None:
    entries = sorted(apa(w) for w in WORKS)
    doc = _parse(_write(tmp_path, _doc(_article())))
    refs = [r for r in doc.references if r.kind == "entry"]
    plain = text.parse(SourceText("p.txt", "References\n\n" + "\n\n".join(entries) + "\n"))
    keys = ("authors", "title", "container", "year", "volume", "issue", "pages", "doi")
    assert len(refs) == len(WORKS)
    assert [tuple(getattr(r, k) for k in keys) for r in refs] == [
        tuple(getattr(r, k) for k in keys) for r in plain.references
    ]
    # Positions: the part and the paragraph number in it (title 1, citing paragraphs, heading).
    first = refs[0]
    assert (first.part, first.line) == ("body", len(WORKS) + 3)


def test_footnotes_and_endnotes_are_parts(tmp_path: Path) -> None:
    paras = [Para("A body paragraph."), Para("Another one.")]
    data = _doc(
        paras,
        footnotes=[
            "A remark with no source.",
            "See Hardin, G. (1968). The tragedy of the commons. Science, 162(3859), 1243–1248.",
        ],
        endnotes=[
            "Granovetter, M. S. (1973). The strength of weak ties. American Journal of "
            "Sociology, 78(6), 1360–1380."
        ],
    )
    doc = _parse(_write(tmp_path, data))
    notes = [r for r in doc.references if r.kind == "footnote"]
    assert [(r.part, r.label, r.title) for r in notes] == [
        ("footnote 2", "2", "The tragedy of the commons"),
        ("endnote 1", "1", "The strength of weak ties"),
    ]
    assert notes[0].line == 1


def test_typo_in_a_footnote_is_located_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _doc(
        [Para("Body.")],
        footnotes=["Hardin, G. (1968). The tragedy of the commons. Sceince, 162(3859), 1243–1248."],
    )
    path = _write(tmp_path, data)
    assert main(["check", "--offline", "--format", "json", path]) == 1
    report = json.loads(capsys.readouterr().out)
    hit = next(f for f in report["findings"] if f["text"] == "Sceince")
    note = "Hardin, G. (1968). The tragedy of the commons. Sceince, 162(3859), 1243–1248."
    assert hit["part"] == "footnote 1" and hit["line"] == 1
    assert note[hit["column"] - 1 : hit["end_column"] - 1] == "Sceince"
    main(["check", "--offline", path])
    assert re.search(r"paper\.docx:footnote 1:1:\d+: RC101 ", capsys.readouterr().out)


def _findings(path: str, capsys: pytest.CaptureFixture[str]) -> set[tuple[str, str]]:
    main(["check", "--offline", "--fail-on", "info", "--format", "json", path])
    report = json.loads(capsys.readouterr().out)
    return {(f["code"], f["text"]) for f in report["findings"]}


def test_clean_document_has_no_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paras = _article()
    found = _findings(_write(tmp_path, _doc(paras)), capsys)
    assert not [f for f in found if f[0].startswith(("RC1", "RC2", "RC3"))], found
    # Nothing beyond what the same document says as a text file.
    (tmp_path / "same.txt").write_text(plain_text(paras), encoding="utf-8")
    assert found <= _findings(str(tmp_path / "same.txt"), capsys)


def test_zotero_item_not_in_the_list_becomes_a_reference(tmp_path: Path) -> None:
    paras = _article(WORKS[:3])
    paras.insert(1, ("As shown ", _zotero([ITEM], "(He et al., 2016)"), " before."))
    doc = _parse(_write(tmp_path, _doc(paras)))
    added = [r for r in doc.references if r.label == "citation field"]
    assert len(added) == 1
    ref = added[0]
    assert ref.doi == "10.1109/cvpr.2016.90" or ref.doi == "10.1109/CVPR.2016.90"
    assert ref.title == ITEM["title"] and ref.year == 2016
    assert [a.family for a in ref.authors] == ["He", "Zhang"]
    assert ref.raw == "(He et al., 2016)"  # the text Word displays
    assert (ref.part, ref.line) == ("body", 2)
    assert [r.index for r in doc.references] == list(range(1, len(doc.references) + 1))


def test_zotero_item_shown_in_the_list_is_not_repeated(tmp_path: Path) -> None:
    walt = WORKS[0]
    item = {
        "id": "w",
        "type": "article-journal",
        "title": walt[3],
        "DOI": walt[8],
        "issued": {"date-parts": [[walt[2]]]},
    }
    paras = _article(WORKS[:3])
    paras.insert(1, ("As shown ", _zotero([item], "(Walt, 1985)"), "."))
    doc = _parse(_write(tmp_path, _doc(paras)))
    assert not [r for r in doc.references if r.label == "citation field"]
    assert len(doc.references) == 3


def test_mendeley_field_with_broken_json_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paras = _article(WORKS[:2])
    broken = Field('ADDIN CSL_CITATION {"citationItems": [{"itemData": {"title": "x"', "(X, 2000)")
    paras.insert(1, ("Cited ", broken, "."))
    path = _write(tmp_path, _doc(paras))
    main(["check", "--offline", path])
    out = capsys.readouterr().out
    assert re.search(r"paper\.docx:body:2:7: RC005 citation field data is not valid JSON", out), out


def test_endnote_field_record_is_read(tmp_path: Path) -> None:
    record = (
        "<EndNote><Cite><Author>Hochreiter</Author><Year>1997</Year><record>"
        "<contributors><authors><author>Hochreiter, S.</author><author>Schmidhuber, J.</author>"
        "</authors></contributors><titles><title>Long short-term memory</title>"
        "<secondary-title>Neural Computation</secondary-title></titles>"
        "<pages>1735-1780</pages><volume>9</volume><number>8</number>"
        "<dates><year>1997</year></dates>"
        "<electronic-resource-num>10.1162/neco.1997.9.8.1735</electronic-resource-num>"
        "</record></Cite></EndNote>"
    )
    paras = _article(WORKS[:2])
    paras.insert(
        1, ("Memory ", Field("ADDIN EN.CITE " + record, "(Hochreiter & Schmidhuber, 1997)"), ".")
    )
    doc = _parse(_write(tmp_path, _doc(paras)))
    ref = next(r for r in doc.references if r.label == "citation field")
    assert (ref.title, ref.container, ref.year, ref.volume, ref.issue, ref.pages) == (
        "Long short-term memory",
        "Neural Computation",
        1997,
        "9",
        "8",
        "1735-1780",
    )
    assert ref.doi and ref.doi.lower() == "10.1162/neco.1997.9.8.1735"
    assert [a.family for a in ref.authors] == ["Hochreiter", "Schmidhuber"]


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, content if item.filename == name else src.read(item.filename))
    return out.getvalue()


def test_entities_are_never_expanded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&x;&b;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    data = _replace_part(_doc([Para("x")]), "word/document.xml", xml)
    path = _write(tmp_path, data)
    assert main(["check", "--offline", path]) == 2
    captured = capsys.readouterr()
    assert "TOP SECRET" not in captured.out + captured.err
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "DTD" in err[0]


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d[: len(d) // 2], "damaged"),
        (lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "encrypted or legacy"),
        (lambda d: _replace_part(d, "word/document.xml", b"<w:document"), "damaged"),
    ],
)
def test_unreadable_word_file_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, says: str
) -> None:
    path = _write(tmp_path, make(_doc(_article(WORKS[:2]))))
    code = main(["check", "--offline", path])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and says in err[0], err


def test_fix_never_rewrites_a_docx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paras = _article(WORKS[:2])
    paras.append(
        Para(
            "Walt, S. M. (1985). Alliance formation and the world`s balance of power. "
            "International Security, 9(4), 3–43.",
            "ref",
        )
    )
    data = _doc(paras)
    path = _write(tmp_path, data)
    main(["check", "--offline", "--fix", path])
    captured = capsys.readouterr()
    assert "RC302" in captured.out
    assert "never rewrites a PDF or Word file" in captured.err
    assert Path(path).read_bytes() == data


def _mendeley(items: list[dict], shown: str, suppress: bool = False) -> Field:
    data = {
        "citationItems": [{"id": 1, "itemData": it, "suppress-author": suppress} for it in items]
    }
    return Field("ADDIN CSL_CITATION " + json.dumps(data), shown)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (_zotero([ITEM], "(He et al., 2016)"), None),
        (
            _zotero([ITEM], "(He et al., 2015)", "(He et al., 2016)"),
            "the citation shows '(He et al., 2015)' but Zotero generated '(He et al., 2016)'",
        ),
        (_mendeley([ITEM], "(He & Zhang, 2016)"), None),
        (
            _mendeley([ITEM], "(Smith, 2016)"),
            "the citation shows '(Smith, 2016)' but the work stored in its field is by He",
        ),
        (
            _mendeley([ITEM], "(He, 2017)"),
            "the citation shows '(He, 2017)' but the work stored in its field is of 2016",
        ),
        (_mendeley([ITEM], "(2016)", suppress=True), None),  # "He (2016)" written by hand
        (_mendeley([ITEM], "[7]"), None),  # a numbered style
    ],
)
def test_citation_field_against_what_word_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: Field, message: str | None
) -> None:
    paras = _article(WORKS[:2])
    paras.insert(1, ("As shown ", field, " before."))
    path = _write(tmp_path, _doc(paras))
    main(["check", "--offline", "--select", "RC913", "--format", "json", path])
    findings = json.loads(capsys.readouterr().out)["findings"]
    if message is None:
        assert findings == []
    else:
        (f,) = findings
        assert f["message"].startswith(message)
        assert (f["part"], f["line"], f["column"]) == ("body", 2, len("As shown ") + 1)
        assert f["text"] == field.result


def test_zotero_item_doi_is_checked_online(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], httpserver: Any
) -> None:
    """A work known only from a citation field is checked like any reference: here its DOI."""
    from werkzeug import Request, Response

    def answer(request: Request) -> Response:
        if request.path == "/works":  # Crossref's filter and search: nothing
            body = {"status": "ok", "message": {"items": [], "total-results": 0}}
            return Response(json.dumps(body), content_type="application/json")
        if request.path.startswith("/works/"):  # Crossref: no record for the DOI
            return Response("Resource not found.", status=404)
        # The DOI proxy's handle API: "handle not found".
        return Response(json.dumps({"responseCode": 100}), status=404,
                        content_type="application/json")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    invented = dict(ITEM, DOI="10.1109/CVPR.2016.99999")
    paras = _article(WORKS[:2])
    paras.insert(1, ("As shown ", _zotero([invented], "(He et al., 2016)"), " before."))
    path = _write(tmp_path, _doc(paras))
    base = httpserver.url_for("").rstrip("/")
    main(["check", path, "--select", "RC601", "--format", "json", "--sources", "crossref",
          "--crossref-url", base, "--doi-resolver", base, "--allow-private-hosts",
          "--no-cache", "--timeout", "5"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    # (The stand-in registry knows no DOI at all: the list's own are reported too.)
    (f,) = [f for f in findings if "10.1109/cvpr.2016.99999" in f["message"].lower()]
    assert f["code"] == "RC601"
    assert (f["part"], f["line"]) == ("body", 2)


def test_word_numbered_list_gets_its_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list made with Word's numbering holds no number in its text; Word draws it."""
    import io as _io

    from docx import Document as make_document

    d = make_document()
    d.add_heading("Checking references", 0)
    for n in range(1, 6):
        d.add_paragraph(f"Earlier work established the basic effect [{n}].")
    d.add_heading("References", 1)
    for w in WORKS[:5]:
        d.add_paragraph(apa(w), style="List Number")
    buf = _io.BytesIO()
    d.save(buf)
    path = _write(tmp_path, buf.getvalue())
    doc = _parse(path)
    refs = [r for r in doc.references if r.kind == "entry"]
    assert doc.layout == "numbered"
    assert [r.label for r in refs] == ["1", "2", "3", "4", "5"]
    assert [r.raw for r in refs] == [apa(w) for w in WORKS[:5]]
    # Every [n] finds its entry: no citation finding.
    main(["check", "--offline", "--select", "RC9", "--format", "json", path])
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_numbering_formats_and_levels() -> None:
    from xml.etree.ElementTree import fromstring

    from refcheck.parsers.docx_numbering import Numbering

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = fromstring(
        f"<w:numbering {ns}>"
        '<w:abstractNum w:abstractNumId="7">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="[%1]"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
        '<w:lvlText w:val="%1%2)"/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="8"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="•"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>'
        '<w:num w:numId="4"><w:abstractNumId w:val="8"/></w:num></w:numbering>'
    )
    nb = Numbering.read(numbering, None)

    def para(num: str, level: int) -> object:
        return fromstring(
            f'<w:p {ns}><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/>'
            "</w:numPr></w:pPr></w:p>"
        )

    got = [nb.label(para(n, lvl)) for n, lvl in  # type: ignore[arg-type]
           [("3", 0), ("3", 0), ("3", 1), ("3", 1), ("3", 0), ("4", 0), ("0", 0)]]
    assert got == ["[1]", "[2]", "2a)", "2b)", "[3]", None, None]
