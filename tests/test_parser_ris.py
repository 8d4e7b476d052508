"""RIS: records, wrapped values, problems, positions of fields and findings."""
# ruff: noqa: E501  (documents and expected values are clearer on one line)

from __future__ import annotations

from pathlib import Path

from refcheck.config import Settings
from refcheck.engine import check
from refcheck.model import SourceText
from refcheck.parsers import parse

DATA = Path(__file__).parent / "data" / "formats"


def _doc(text: str):  # type: ignore[no-untyped-def]
    return parse(SourceText("refs.ris", text), "ris")


def test_records_fields_and_spans() -> None:
    text = (DATA / "refs.ris").read_text(encoding="utf-8")
    doc = _doc(text)
    assert not doc.problems
    a, b = doc.references
    assert (a.key, a.entry_type, a.line, a.end_line) == ("smith2001", "article", 1, 15)
    assert [(x.family, x.given) for x in a.authors] == [("Smith", "John A."), ("Jones", "Anne")]
    # A wrapped title continues on the next line; its span covers both lines.
    assert a.title == "Alliances in the long run"
    s, e = a.field_spans["title"]
    assert text[s:e] == "Alliances in the\n  long run"
    assert (a.container, a.year, a.volume, a.issue, a.pages) == (
        "Journal of Internatonal Affairs", 2001, "12", "3", "1–10")
    assert a.doi == "10.1000/xyz123" and a.urls == ["https://example.org/a"]
    s, e = a.field_spans["doi"]
    assert text[s:e] == "10.1000/xyz123"
    assert (b.entry_type, b.title, b.publisher, b.place, b.year) == (
        "book", "The Origins of Alliances", "Cornell University Press", "Ithaca", 1987)


def test_typo_in_journal_found_at_its_place() -> None:
    text = (DATA / "refs.ris").read_text(encoding="utf-8")
    findings = check([_doc(text)], Settings(offline=True)).findings
    (hit,) = [f for f in findings if f.severity.value != "info"]
    assert (hit.code, hit.text, hit.span.line, hit.span.column) == ("RC101", "Internatonal", 7, 18)


def test_unclosed_record_and_stray_tags_are_problems() -> None:
    text = "AU  - Stray, A.\nTY  - JOUR\nTI  - One\nTY  - BOOK\nTI  - Two\n"
    doc = _doc(text)
    assert [r.title for r in doc.references] == ["One", "Two"]
    messages = [p.message for p in doc.problems]
    assert any("outside any RIS record" in m for m in messages)
    assert any("before the next" in m for m in messages)
    assert any("end of the file" in m for m in messages)
    findings = check([doc], Settings(offline=True)).findings
    assert sum(f.code == "RC005" for f in findings) == 3


def test_organisation_authors_and_several_urls() -> None:
    text = ("TY  - RPRT\nAU  - World Health Organization\nTI  - Report on things\nPY  - 2020/01/05/\n"
            "UR  - https://a.example/x; https://b.example/y\nER  - \n")
    (ref,) = _doc(text).references
    assert ref.authors[0].family == "World Health Organization" and ref.authors[0].literal
    assert ref.year == 2020 and ref.entry_type == "techreport"
    assert ref.urls == ["https://a.example/x", "https://b.example/y"]
    s, e = ref.field_spans["url"]
    assert text[s:e] == "https://a.example/x"


def test_missing_fields_named_in_ris_terms() -> None:
    text = ("TY  - JOUR\nAU  - Smith, J.\nTI  - No journal here\nPY  - 2001\nER  - \n\n"
            "TY  - BOOK\nTI  - A book\nPY  - 2001\nER  - \n\n"
            "TY  - JOUR\nAU  - Lee, K.\nTI  - Complete\nJO  - Nature\nPY  - 2003\nER  - \n")
    findings = [f for f in check([_doc(text)], Settings(offline=True)).findings if f.code == "RC403"]
    assert [(f.span.line, f.message.split(": ", 1)[1]) for f in findings] == [
        (1, "JO or T2 (RIS)"), (7, "AU or A2 (RIS)")]
