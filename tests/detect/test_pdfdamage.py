"""PDF-damage rules (RC220–RC224): good and bad cases."""

from __future__ import annotations

import pytest

from refcheck.model import SourceText
from refcheck.parsers import parse
from refcheck.rules.pdfdamage import (
    letter_in_year,
    ligature_glyph,
    run_together_words,
    segment,
    spacing_diacritic,
    split_formula,
)
from tests.detect.helpers import hits, one_reference, texts


def test_ligature_glyphs() -> None:
    doc = one_reference("J. Lee. Eﬃcient ﬁltering of signals. Proc. IEEE, 2001.")
    found = {doc.text[h.start : h.end]: h for h in hits(ligature_glyph, doc)}
    assert found["Eﬃcient"].suggestion == "Efficient" and found["Eﬃcient"].fix.safe  # type: ignore[union-attr]
    assert found["ﬁltering"].suggestion == "filtering"
    assert texts(ligature_glyph, one_reference("J. Lee. Efficient filtering. 2001.")) == []


def test_superscript_ligature() -> None:
    doc = one_reference("A. Lee. Signal <sup>fi</sup>ltering for <sup>fl</sup>ows. 2010.")
    assert [h.suggestion for h in hits(ligature_glyph, doc)] == ["filtering", "flows"]
    # A superscript standing alone is a real superscript.
    assert texts(ligature_glyph, one_reference("A. Lee. The 2<sup>nd</sup> case. 2010.")) == []


@pytest.mark.parametrize(
    ("text", "word", "suggestion"),
    [
        ("J. Mu ̈ller. A study. 2001.", "Mu ̈ller", "Müller"),
        ("M. Garci´ a. A study. 2001.", "Garci´ a", "García"),
        ("K. M¨uller. A study. 2001.", "M¨uller", "Müller"),
        ("J. Garc´ıa. A study. 2001.", "Garc´ıa", "García"),
    ],
)
def test_spacing_diacritic(text: str, word: str, suggestion: str) -> None:
    doc = one_reference(text)
    (h,) = hits(spacing_diacritic, doc)
    assert doc.text[h.start : h.end] == word and h.suggestion == suggestion


def test_spacing_diacritic_left_alone() -> None:
    for text in ("J. Müller. García's study. 2001.", "Dal´nego Vostoka. 2001.", "Ü ber. 2001."):
        assert texts(spacing_diacritic, one_reference(text)) == []


def test_run_together_words() -> None:
    doc = one_reference("A. Lee. Ananalysisofthe data. J. Stat., 2001.")
    (h,) = hits(run_together_words, doc)
    assert h.suggestion == "An analysis of the" and h.fix is not None and not h.fix.safe
    assert segment("Nevertheless") is None
    assert segment("photosynthesis") is None
    assert texts(run_together_words, one_reference("A. Lee. Interdisciplinary data. 2001.")) == []


def test_letter_in_year() -> None:
    doc = one_reference("A. Lee. A study. J. Stat., 12, 2oo5.")
    (h,) = hits(letter_in_year, doc)
    assert h.suggestion == "2005" and h.fix is not None and h.fix.safe
    bibdoc = parse(SourceText("t.bib", "@article{k, title={T}, year={19O8}}\n"), "bibtex")
    assert [h.suggestion for h in hits(letter_in_year, bibdoc)] == ["1908"]
    for text in ("A. Lee. Room 2oo. 2001.", "A. Lee. Model 2ooo-X. 2001.", "A. Lee. 2005."):
        assert texts(letter_in_year, one_reference(text)) == []
    url = one_reference("See https://example.org/2oo5/page. 2001.")
    assert texts(letter_in_year, url) == []


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("A. Lee. Global CO 2 emissions. 2001.", "CO2"),
        ("A. Lee. Water H 2 O in rocks. 2001.", "H2O"),
        ("A. Lee. Thin TiO 2 films. 2001.", "TiO2"),
        ("A. Lee. Magnetite Fe 3 O 4 particles. 2001.", "Fe3O4"),
    ],
)
def test_split_formula(text: str, suggestion: str) -> None:
    (h,) = hits(split_formula, one_reference(text))
    assert h.suggestion == suggestion


@pytest.mark.parametrize(
    "text",
    [
        "A. Lee. Journal of Things, VOL 12, NO 2, pp. 1-9. 2001.",
        "A. Lee. The US 2 trillion question. 2001.",
        "A. Lee. Part 2. PM 2.5 exposure. 2001.",
        "A. Lee. Emissions of CO2 and NO2. 2001.",
        "A. Lee. Figure 2 shows. 2001.",
    ],
)
def test_split_formula_left_alone(text: str) -> None:
    assert texts(split_formula, one_reference(text)) == []


def test_rules_leave_clean_references_alone() -> None:
    """Issue 14's rules find nothing, and so fix nothing, in correct reference lists."""
    from refcheck.rules import bibfields, pdfdamage, venue_forms
    from refcheck.rules.artifacts import missing_space
    from tests.detect.helpers import ROOT, parsed

    rules = [*pdfdamage.RULES, *bibfields.RULES, *venue_forms.RULES, missing_space]
    clean = sorted((ROOT / "tests" / "data" / "clean").iterdir())
    assert clean
    for path in clean:
        fmt = "bibtex" if path.suffix == ".bib" else "text"
        doc = parsed(path, fmt)
        for rule in rules:
            if rule.applies_to(fmt):
                assert texts(rule, doc) == [], (path.name, rule.code)
