"""EndNote XML: records with <style> runs, fields at the text (not the markup), typos found."""


from __future__ import annotations

from pathlib import Path

from refcheck.config import Settings
from refcheck.engine import check
from refcheck.model import SourceText
from refcheck.parsers import parse

DATA = Path(__file__).parent / "data" / "formats"


def test_records_fields_and_spans() -> None:
    text = (DATA / "library.xml").read_text(encoding="utf-8")
    doc = parse(SourceText("library.xml", text), "endnote-xml")
    assert not doc.problems
    a, b, c = doc.references
    assert (a.key, a.entry_type, a.title) == (
        "1", "article", "Alliance formation and the balance of world power")
    assert [(x.family, x.given) for x in a.authors] == [("Walt", "Stephen M.")]
    assert (a.container, a.volume, a.issue, a.pages, a.year) == (
        "Internatonal Security", "9", "4", "3-43", 1985)
    assert a.doi == "10.2307/2538540" and a.urls == ["https://www.jstor.org/stable/2538540"]
    for name in ("title", "journal", "doi"):
        s, e = a.field_spans[name]
        assert "<" not in text[s:e] and text[s:e] == a.fields[name]
    assert (b.entry_type, b.publisher, b.place) == ("book", "Addison-Wesley", "Reading, MA")
    assert c.entry_type == "incollection" and c.container == "Handbook of Human Genetics"
    assert c.authors[0].family == "GTEx Consortium" and c.authors[0].literal
    assert [x.family for x in c.editors] == ["Doe"]


def test_typo_found_once_at_its_column() -> None:
    text = (DATA / "library.xml").read_text(encoding="utf-8")
    doc = parse(SourceText("library.xml", text), "endnote-xml")
    findings = [f for f in check([doc], Settings(offline=True)).findings
                if f.severity.value != "info"]
    (hit,) = findings
    assert hit.text == "Internatonal"
    assert (hit.span.line, hit.span.column) == (1, text.index("Internatonal") + 1)


def test_no_records_is_a_problem() -> None:
    doc = parse(SourceText("x.xml", "<xml><records></records></xml>"), "endnote-xml")
    assert doc.references == [] and [p.kind for p in doc.problems] == ["xml-syntax"]
