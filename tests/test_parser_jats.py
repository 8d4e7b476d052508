"""JATS XML: ref-list citations with exact positions; XML read without entity expansion."""
# ruff: noqa: E501  (documents and expected values are clearer on one line)

from __future__ import annotations

import time
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.config import Settings
from refcheck.engine import check
from refcheck.model import SourceText
from refcheck.parsers import jats, parse
from refcheck.parsers.xmlsafe import read

DATA = Path(__file__).parent / "data" / "formats"


def _doc(text: str, path: str = "article.xml"):  # type: ignore[no-untyped-def]
    return parse(SourceText(path, text), "jats")


def _at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of ``needle``."""
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return SourceText("x", text).position(pos)


def test_element_citation_fields_and_their_places() -> None:
    text = (DATA / "article.xml").read_text(encoding="utf-8")
    doc = _doc(text)
    assert not doc.problems
    assert [r.key for r in doc.references] == ["B1", "B2", "B3", "B4"]
    b1 = doc.references[0]
    assert b1.format == "jats" and b1.label == "1" and b1.entry_type == "article"
    assert [(a.family, a.given) for a in b1.authors] == [("Smith", "J"), ("König", "A")]
    assert (b1.title, b1.container) == ("Alliances in the long run", "Journal of Internatonal Affairs")
    assert (b1.year, b1.volume, b1.issue, b1.pages) == (2001, "12", "3", "1–10")
    assert b1.doi == "10.1000/xyz123"
    # Every field points at its text in the file, not at the markup around it.
    for name, value in (("title", "Alliances in the long run"), ("doi", "10.1000/xyz123"),
                        ("journal", "Journal of Internatonal Affairs")):
        s, e = b1.field_spans[name]
        assert text[s:e] == value
    assert b1.raw.startswith('<ref id="B1">') and b1.raw.endswith("</ref>")
    assert b1.line == _at(text, '<ref id="B1">')[0]


def test_mixed_citation_tagged_book_and_chapter_with_inline_markup() -> None:
    text = (DATA / "article.xml").read_text(encoding="utf-8")
    b2, _, b4 = (r for r in _doc(text).references if r.key in ("B2", "B3", "B4"))
    assert b2.entry_type == "book" and b2.title == "The Origins of Alliances"
    assert (b2.publisher, b2.place, b2.year) == ("Cornell University Press", "Ithaca", 1987)
    assert b2.urls == ["https://example.org/walt"]
    assert b4.entry_type == "incollection"
    assert b4.title == "Growth of Escherichia coli in the cold"
    assert b4.container == "Methods in Microbiology"
    assert [a.family for a in b4.authors] == ["van der Berg"]
    assert [a.family for a in b4.editors] == ["Lee"]
    # A DOI link is the DOI.
    assert b4.doi == "10.1016/bs.mim.2019.01.002"
    s, e = b4.field_spans["doi"]
    assert text[s:e] == "10.1016/bs.mim.2019.01.002"


def test_untagged_mixed_citation_is_read_and_checked_as_text() -> None:
    text = (DATA / "article.xml").read_text(encoding="utf-8")
    doc = _doc(text)
    b3 = doc.references[2]
    assert b3.format == "text" and b3.key == "B3" and b3.label == "3"
    # The reference is the citation's text, entities as written.
    assert b3.raw == "Jones A, Lee B. Metabolic rates of mice &amp; rats. Nature Genetcis. 2010;42(5):100&#x2013;110."
    assert b3.title == "Metabolic rates of mice & rats"
    findings = check([doc], Settings(offline=True)).findings
    typo = [f for f in findings if f.text and "Genetcis" in f.text]
    assert typo, [f.message for f in findings]
    line, col = _at(text, "Genetcis")
    assert any(f.span.line == line and f.span.column <= col < f.span.end_column for f in typo)


def test_typo_in_element_citation_reported_at_its_line_and_column() -> None:
    text = (DATA / "article.xml").read_text(encoding="utf-8")
    findings = check([_doc(text)], Settings(offline=True)).findings
    hit = [f for f in findings if f.code == "RC101" and f.text == "Internatonal"]
    assert len(hit) == 1
    assert (hit[0].span.line, hit[0].span.column) == _at(text, "Internatonal")
    assert hit[0].field == "journal" or hit[0].field is None
    # Tag names, attributes and entities are not words of the reference.
    assert all(f.severity.value == "info" or f.text in ("Internatonal", "Nature Genetcis", "Genetcis")
               for f in findings), [(f.code, f.text) for f in findings]


def test_entities_map_to_their_place() -> None:
    text = ('<article><back><ref-list><ref id="r1"><element-citation publication-type="journal">'
            "<article-title>Caf&#233; &amp; society</article-title><source>J</source><year>2001</year>"
            "</element-citation></ref></ref-list></back></article>")
    ref = _doc(text).references[0]
    assert ref.title == "Café & society"
    s, e = ref.field_spans["title"]
    assert text[s:e] == "Caf&#233; &amp; society"


def test_not_well_formed_keeps_what_came_before_and_says_where() -> None:
    text = (
        '<article><back><ref-list>\n<ref id="a"><element-citation publication-type="journal">'
        "<article-title>First</article-title><source>J</source><year>2001</year>"
        '</element-citation></ref>\n<ref id="b"><element-citation><article-title>Broken'
        "</source></element-citation></ref></ref-list></back></article>"
    )
    doc = _doc(text)
    assert [r.key for r in doc.references][:1] == ["a"]
    (problem,) = doc.problems
    assert problem.kind == "xml-syntax" and "not well-formed" in problem.message
    assert SourceText("x", text).position(problem.start)[0] == 3


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE article [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<article><back><ref-list><ref id="a"><mixed-citation>&lol9;</mixed-citation></ref></ref-list></back></article>
"""


def test_billion_laughs_is_refused_not_expanded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t0 = time.perf_counter()
    doc = _doc(BILLION_LAUGHS)
    assert time.perf_counter() - t0 < 1.0
    assert doc.references == []
    (problem,) = doc.problems
    assert "entity" in problem.message and "refused" in problem.message
    path = tmp_path / "lol.xml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert main(["check", "--offline", str(path)]) == 1
    out = capsys.readouterr().out
    assert "lol.xml:3:" in out and "RC005" in out and "lollol" not in out


def test_external_entities_and_dtds_are_never_fetched(tmp_path: Path, httpserver) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    httpserver.expect_request("/dtd").respond_with_data('<!ENTITY x "FETCHED">')
    httpserver.expect_request("/ent").respond_with_data("FETCHED")
    for text in (
        f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<article><back><ref-list><ref><mixed-citation>&x;</mixed-citation></ref></ref-list></back></article>",
        f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "{httpserver.url_for("/ent")}">]>'
        "<article><back><ref-list><ref><mixed-citation>&x;</mixed-citation></ref></ref-list></back></article>",
        f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY % p SYSTEM "{httpserver.url_for("/dtd")}"> %p;]>'
        "<article><back><ref-list><ref><mixed-citation>&x;</mixed-citation></ref></ref-list></back></article>",
    ):
        doc = _doc(text)
        assert doc.problems and doc.references == []
        assert "TOP-SECRET" not in repr(doc.references)
    # An external DTD (every JATS file names one) is not loaded; its entities stay unread.
    text = (
        f'<?xml version="1.0"?><!DOCTYPE article SYSTEM "{httpserver.url_for("/dtd")}">'
        '<article><back><ref-list><ref id="a"><element-citation publication-type="journal">'
        "<article-title>A&nbsp;title</article-title><source>J</source><year>2001</year>"
        "</element-citation></ref></ref-list></back></article>"
    )
    doc = _doc(text)
    assert not doc.problems
    assert doc.references[0].title == "A title"
    assert httpserver.log == []


def test_xml_reader_offsets_with_non_ascii_and_empty_elements() -> None:
    text = '<a k="1>2">é<b>ü&amp;</b><c/><d x="y" /></a>'
    root, error = read(text)
    assert error is None and root is not None
    b, c, d = root.children()
    assert text[b.content_start : b.content_end] == "ü&amp;"
    assert text[c.start : c.end] == "<c/>" and text[d.start : d.end] == '<d x="y" />'
    assert b.plain(text).text == "ü&"


def test_not_jats_xml_is_skipped_with_a_note() -> None:
    doc = _doc('<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion></project>', "pom.xml")
    assert doc.references == []
    assert [p.kind for p in doc.problems] == ["not-a-bibliography"]
    assert jats.looks_like("<article><back><ref-list/></back></article>")


def test_nlm_citation_and_citation_alternatives() -> None:
    text = (
        '<article><back><ref-list><ref id="n1"><citation-alternatives>'
        '<nlm-citation citation-type="journal"><person-group person-group-type="author">'
        "<name><surname>Walt</surname><given-names>SM</given-names></name></person-group>"
        "<article-title>Alliance formation</article-title><source>Int Secur</source>"
        "<year>1985</year><volume>9</volume><issue>4</issue><fpage>3</fpage><lpage>43</lpage>"
        "</nlm-citation><mixed-citation>Walt SM. Alliance formation. Int Secur. 1985;9(4):3-43."
        "</mixed-citation></citation-alternatives></ref></ref-list></back></article>"
    )
    (ref,) = _doc(text).references
    assert (ref.key, ref.format, ref.entry_type) == ("n1", "jats", "article")
    assert (ref.title, ref.container, ref.pages, ref.volume, ref.issue) == (
        "Alliance formation", "Int Secur", "3–43", "9", "4")


def test_numbered_labels_are_followed_and_reported_at_the_label() -> None:
    text = (DATA / "article.xml").read_text(encoding="utf-8").replace("<label>3</label>", "<label>5</label>")
    doc = _doc(text)
    assert doc.layout == "numbered"
    (hit,) = [f for f in check([doc], Settings(offline=True)).findings if f.code == "RC404"]
    assert (hit.span.line, hit.span.column) == _at(text, "5</label>")
    assert "expected 3" in hit.message
