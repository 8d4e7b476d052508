"""RC920/RC921: a JATS article's bibr xrefs against its reference list."""

from __future__ import annotations

from pathlib import Path

from refcheck.config import Settings
from refcheck.engine import check
from refcheck.model import Finding, SourceText
from refcheck.parsers import parse

DATA = Path(__file__).parent / "data" / "formats"


def _findings(body: str) -> tuple[str, list[Finding]]:
    text = (DATA / "article.xml").read_text(encoding="utf-8")
    start, end = text.index("<body>"), text.index("</body>") + len("</body>")
    text = text[:start] + body + text[end:]
    doc = parse(SourceText("article.xml", text), "jats")
    found = check([doc], Settings(offline=True, select=["RC920", "RC921"])).findings
    return text, found


def _at(text: str, needle: str) -> tuple[int, int]:
    return SourceText("x", text).position(text.index(needle))


def test_xref_to_a_missing_ref_is_reported_at_its_rid() -> None:
    text, found = _findings(
        '<body><p>Known <xref ref-type="bibr" rid="B1 B2">[1,2]</xref>, '
        '<xref rid="B12" ref-type="bibr">[12]</xref> and a figure '
        '<xref ref-type="fig" rid="F9">1</xref>.</p></body>'
    )
    (dead,) = [f for f in found if f.code == "RC920"]
    assert dead.text == "B12" and (dead.span.line, dead.span.column) == _at(text, 'B12"')
    assert dead.suggestion in ("B1", "B2")


def test_uncited_refs_reported_once_the_article_cites_by_xref() -> None:
    text, found = _findings(
        '<body><p><xref ref-type="bibr" rid="B1">[1]</xref>, '
        '<xref ref-type="bibr" rid="B2">[2]</xref>.</p></body>'
    )
    uncited = sorted((f.text or "", f.span.line) for f in found if f.code == "RC921")
    # B3 is read as text (its reference starts inside the citation): the <ref> tag is reported.
    assert uncited == [('<ref id="B3">', _at(text, '<ref id="B3">')[0]),
                       ('<ref id="B4">', _at(text, '<ref id="B4">')[0])]


def test_silent_without_enough_xrefs() -> None:
    _, found = _findings('<body><p>Only <xref ref-type="bibr" rid="B1">[1]</xref>.</p></body>')
    assert found == []
    _, found = _findings("<body><p>No citations at all.</p></body>")
    assert found == []
