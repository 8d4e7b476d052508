from __future__ import annotations

from refcheck.model import Document, SourceText
from refcheck.rules.encoding import (
    invisible_character,
    low_high_quotes,
    minus_in_range,
    mojibake,
    wrong_apostrophe,
)
from tests.detect.helpers import ROOT, hits, one_reference, parsed, texts


def test_backtick_apostrophe_in_seed() -> None:
    doc = parsed(ROOT / "references" / "001-memo-krivopalov-2021.txt")
    found = {doc.text[h.start : h.end]: h.suggestion for h in hits(wrong_apostrophe, doc)}
    assert found["Putin`s"] == "Putin’s"


def test_reversed_quote_apostrophe_in_thesis() -> None:
    path = ROOT / "references" / "003-thesis-csto-nato.txt"
    text = path.read_text(encoding="utf-8")
    doc = Document(SourceText(str(path), text), "text", [])
    at = text.index("Master‟s")
    # The thesis body is prose: reported only with --prose, never by default.
    spans = [(h.start, h.suggestion) for h in hits(wrong_apostrophe, doc, prose=True)]
    assert (at, "Master’s") in spans
    assert (at, "Master’s") not in [(h.start, h.suggestion) for h in hits(wrong_apostrophe, doc)]


def test_latex_is_not_an_apostrophe() -> None:
    doc = one_reference("title = {Caf\\`e and ``quoted'' text}")
    assert texts(wrong_apostrophe, doc) == []


def test_low_high_quote_pair() -> None:
    doc = one_reference("a „self-help‟ system; the acute´s test")
    assert [h.suggestion for h in hits(low_high_quotes, doc)] == ["‘", "’"]
    assert [h.suggestion for h in hits(wrong_apostrophe, doc)] == ["acute’s"]


def test_mojibake_uses_ftfy() -> None:
    doc = one_reference("Cardoso, Jean-FranÃ§ois. Blind signal separation. 1998.")
    (h,) = hits(mojibake, doc)
    assert h.fix is not None
    fixed = doc.text[: h.start] + h.fix.replacement + doc.text[h.end :]
    assert "Jean-François" in fixed
    assert texts(mojibake, one_reference("Hämäläinen M. “Title”. Zinov’ev, 2004.")) == []


def test_minus_in_page_range() -> None:
    doc = one_reference("International Organization, 54 (3): 421−456.")
    (h,) = hits(minus_in_range, doc)
    assert doc.text[h.start : h.end] == "−" and h.suggestion == "–"


def test_invisible_characters() -> None:
    doc = one_reference("10.1000/\u200bxyz and soft\u00adhyphen")
    assert [doc.text[h.start : h.end] for h in hits(invisible_character, doc)] == [
        "\u200b",
        "\u00ad",
    ]
