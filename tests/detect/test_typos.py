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

    text = "The body text. Constisting of plain words.\n\nSmith J. Title. 2001.\n"
    start = text.index("Smith")
    ref = Reference("t", "text", 1, start, len(text) - 1, text[start:-1])
    doc = Document(SourceText("t", text), "text", [ref])
    assert texts(misspelling, doc) == []
    assert "Constisting" in texts(misspelling, doc, prose=True)


def _prose_findings(path: str) -> dict[str, str]:
    doc = parsed(SEEDS / path)
    return {
        doc.text[h.start : h.end]: h.suggestion or "" for h in hits(misspelling, doc, prose=True)
    }


def test_prose_finds_body_typos_and_leaves_scholars_alone() -> None:
    found = _prose_findings("003-thesis-csto-nato.txt")
    # A rarer word two edits away (a long word), and proper nouns the thesis
    # writes correctly elsewhere.
    assert found["mulitalaterally"] == "multilaterally"
    assert found["Kyrgystan"] == "Kyrgyzstan" and found["Uzbeikstan"] == "Uzbekistan"
    assert found["Constisting"] == "Consisting"
    # Scholars named in the body: a reporting verb follows, or the capital is mid-sentence.
    for name in ("Fierke", "Checkel", "Ruggie"):
        assert name not in found
    # A known word with a productive suffix is no misspelling of a word two edits away.
    assert "bilateralism" not in found


def test_prose_rarer_correction() -> None:
    assert _prose_findings("002-sair-csto-kyrgyzstan.txt") == {"reafirming": "reaffirming"}


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        # Sentence-initial, nothing says it is a name: reported.
        ("Theory matters. Fierke in tone, the debate went on.", True),
        # A reporting verb follows.
        ("Theory matters. As Karin Fierke points out, identity is made.", False),
        ("Theory matters. Fierke also argues that norms spread.", False),
        # Mid-sentence capital, and the correction is a lower-case word.
        ("Theory matters, and the work of Fierke is known.", False),
        # The document uses the word as a name elsewhere: possessive, citation.
        ("Fierke's model helps. Fierke in tone, the debate went on.", False),
        ("See Fierke (2007). Fierke in tone, the debate went on.", False),
    ],
)
def test_prose_name_signals(body: str, flagged: bool) -> None:
    from refcheck.model import Document, Reference, SourceText

    text = body + "\n\nSmith J. Title. 2001.\n"
    start = text.index("Smith")
    ref = Reference("t", "text", 1, start, len(text) - 1, text[start:-1])
    doc = Document(SourceText("t", text), "text", [ref])
    assert ("Fierke" in texts(misspelling, doc, prose=True)) is flagged


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("recieve", "receive"),  # Zipf 2.75: the web misspells it too
        ("goverment", "government"),
        ("enviroment", "environment"),
        ("managment", "management"),
        ("Procedings", "Proceedings"),
        ("Univeristy", "University"),
        ("Jounal", "Journal"),
    ],
)
def test_listed_common_misspellings_are_found(wrong: str, right: str) -> None:
    doc = one_reference(f"Lee, A. (2001). How to {wrong} the Best Care. Health Policy, 3, 1-9.")
    (h,) = hits(misspelling, doc)
    assert doc.text[h.start : h.end] == wrong and h.suggestion == right
    assert "common misspelling" in h.message
    assert h.fix is not None and not h.fix.safe


def test_misspelling_list_spares_other_languages_and_names() -> None:
    from refcheck.text.lexicon import misspelling_of

    # Portuguese "jornal" is codespell's misspelling of "journal": filtered out.
    assert misspelling_of("recieve") == "receive" and misspelling_of("jornal") is None
    # The first and last lines of the sorted list, and words between lines.
    assert misspelling_of("aaccess") == "access" and misspelling_of("aaa") is None
    assert misspelling_of("zzzzz") is None and misspelling_of("receive") is None
    doc = one_reference("Silva, J. (2001). O Jornal do Brasil. Revista de História, 3, 1-9.")
    assert texts(misspelling, doc) == []
    # A program's name in a list of unknown words stays alone ("Indx and findphrases").
    doc = one_reference("Lee, A. (1990). Indx and findphrases, a system for indexes. TUGboat.")
    assert texts(misspelling, doc) == []


def test_whole_title_in_braces_is_still_checked() -> None:
    from refcheck.model import SourceText
    from refcheck.parsers import parse

    bib = (
        "@article{k,\n  title = {{A Survey of Goverment Data for Deep Learning}},\n"
        "  publisher = {{MIT} Press},\n  journal = {{Acme Jrnal}},\n  year = 2020,\n}\n"
    )
    doc = parse(SourceText("x.bib", bib), "bibtex")
    # A title braced whole keeps its case only; a short braced name stays protected.
    assert texts(misspelling, doc) == ["Goverment"]


def test_doubled_first_letter_is_a_slip_but_a_prefixed_word_is_not() -> None:
    doc = one_reference("Lee, A. (2001). Rivers. The Jjournal of Hydrology, 3, 1-9.")
    assert texts(misspelling, doc) == ["Jjournal"]
    doc = one_reference("Lee, A. (1990). dformat: a language for data formats. TUGboat.")
    assert texts(misspelling, doc) == []
