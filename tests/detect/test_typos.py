from __future__ import annotations

import pytest

from refcheck.rules.typos import misspelling, phrase_misspelling
from tests.detect.helpers import ROOT, hits, one_reference, parsed, texts

SEEDS = ROOT / "references"


def test_seed_memo_typos_found_and_names_left_alone() -> None:
    doc = parsed(SEEDS / "001-memo-krivopalov-2021.txt")
    words = texts(misspelling, doc)
    phrases = texts(phrase_misspelling, doc)
    assert "Eonomy" in words
    assert phrases == ["Muster of Art"]
    for correct in ("krizis", "voenno", "koordinaty", "shans", "Rusin", "Radary"):
        assert correct not in words


def test_seed_journal_typo_found_and_names_left_alone() -> None:
    doc = parsed(SEEDS / "004-jrs-post-soviet-security.txt")
    words = texts(misspelling, doc)
    assert words == ["Secuirty"]


def test_message_carries_evidence_and_unsafe_fix() -> None:
    doc = one_reference(
        "Krivopalov A. CSTO. World Eonomy and International Relations, 2021, vol. 65."
    )
    (h,) = hits(misspelling, doc)
    assert h.suggestion == "Economy"
    assert "not an English word" in h.message and "10⁵ times more common" in h.message
    assert h.fix is not None and not h.fix.safe and h.fix.replacement == "Economy"


def test_phrase_suggestion_keeps_case() -> None:
    doc = one_reference(
        "Borkoeva J. A Thesis Submitted for the Degree of Muster of Art. Ankara, 2011."
    )
    (h,) = hits(phrase_misspelling, doc)
    assert (doc.text[h.start : h.end], h.suggestion) == ("Muster of Art", "Master of Arts")


@pytest.mark.parametrize(
    "text",
    [
        # names in author positions, inverted and with initials
        "Buzan, Barry, and Ole Waever. 2003. Regions and Powers. Cambridge University Press.",
        "Kuzio, Taras. 2009. Geopolitical Pluralism in the CIS. European Security 9 (2): 81-114.",
        "In: Reiter, Erich and Gärtner, Heinz. Small States and Alliances. Heidelberg.",
        # a transliterated title before its translation
        "Olcott M.B. Vtoroi shans Tsentral’noi Azii [Central Asia’s Second Chance]. Moscow, 2005.",
        # plural/singular and British spellings of lexicon phrases are fine
        "A Thesis in Partial Fulfilment of the Requirements for the Degree of Master of Art.",
        # a rare but real word
        "Barbuti R. Intensional Negation of Logic Programs. LNCS 250, 1987.",
    ],
)
def test_no_false_alarm(text: str) -> None:
    doc = one_reference(text)
    assert texts(misspelling, doc) == []
    assert texts(phrase_misspelling, doc) == []


def test_bibtex_fields_checked_and_names_skipped() -> None:
    from refcheck.model import SourceText
    from refcheck.parsers import parse

    bib = (
        "@inproceedings{k,\n  author = {Waever, Ole and Kuzio, Taras},\n"
        "  title = {Regional Secuirty},\n  booktitle = {Procedings of the Workshop},\n"
        "  year = {2003}\n}\n"
    )
    doc = parse(SourceText("x.bib", bib), "bibtex")
    assert sorted(texts(misspelling, doc)) == ["Procedings", "Secuirty"]


def test_prose_option() -> None:
    from refcheck.model import Document, Reference, SourceText

    text = "The body text, Constisting of plain words.\n\nSmith J. Title. 2001.\n"
    start = text.index("Smith")
    ref = Reference("t", "text", 1, start, len(text) - 1, text[start:-1])
    doc = Document(SourceText("t", text), "text", [ref])
    assert texts(misspelling, doc) == []
    assert "Constisting" in texts(misspelling, doc, prose=True)
