"""Real, correct references that a naive non-word rule flags: each must stay silent."""

from __future__ import annotations

import pytest

from refcheck.model import Document, SourceText
from refcheck.parsers import parse
from refcheck.rules.base import Rule
from refcheck.rules.typos import misspelling, phrase_misspelling
from tests.detect.helpers import hits, one_reference, texts


@pytest.mark.parametrize(
    "reference",
    [
        # Coined, camel-cased names of journals and conferences.
        "Kuschel, F. (2014). Gene regulation in the fly. eLife, 3, e01567.",
        "Smith, A. (2019). Search as learning. In iConference on Information, 12-20.",
        # A prefixed word that is rarer than its stem.
        "Kemp, R. (2001). The asocial brain. Journal of Neuroscience, 21(3), 100-110.",
        # A publisher that is a brand, one letter from a common word.
        "Lutz, M. (2013). Learning Python. Berkeley, CA: Apress.",
        # A surname inside a title, a German journal title.
        "Doe, J. (2005). Fargey's method revisited. Der Radiologe, 45(2), 120-130.",
    ],
)
def test_no_typo_in_correct_reference(reference: str) -> None:
    doc = one_reference(reference)
    assert texts(misspelling, doc) == []
    assert texts(phrase_misspelling, doc) == []


def test_real_typos_next_to_them_are_still_found() -> None:
    doc = one_reference("Cornell, S. (2006). A Challenge to Regional Secuirty. eLife, 3, 1-2.")
    assert texts(misspelling, doc) == ["Secuirty"]


def test_access_words_inside_a_csl_item_belong_to_other_works() -> None:
    import json

    from refcheck.model import SourceText
    from refcheck.parsers import parse
    from refcheck.rules.sanity import access_date

    item = {
        "id": "a",
        "type": "article-journal",
        "title": "Digital libraries",
        "issued": {"date-parts": [[2007, 5, 1]]},
        "reference": [{"unstructured": "SBE-CISE report [last visited November 2006]"}],
    }
    doc = parse(SourceText("x.json", json.dumps([item])), "csl-json")
    assert hits(access_date, doc) == []
    item["accessed"] = {"date-parts": [[2006, 11, 1]]}
    doc = parse(SourceText("x.json", json.dumps([item])), "csl-json")
    assert len(hits(access_date, doc)) == 1


# ---------------------------------------------------------------------------
# Issue 14: false alarms seen on real bibliographies, each silenced at its cause.


def _bib(body: str) -> Document:
    return parse(SourceText("x.bib", body), "bibtex")


def _codes(doc: Document, *rules: Rule) -> list[tuple[str, str]]:
    out = []
    for r in rules:
        out += [(r.code, doc.text[h.start : h.end]) for h in hits(r, doc)]
    return out


def test_brace_protected_capitals_keep_their_word() -> None:
    from refcheck.rules.artifacts import RULES as ARTIFACTS

    doc = _bib(
        "@inproceedings{k,\n  title = {Learning in {S}ydney: the {E}instein {H}andbook},\n"
        "  booktitle = {{I}nternational {C}onference on Machine Learning},\n  year = 2019,\n}\n"
    )
    assert _codes(doc, misspelling, phrase_misspelling, *ARTIFACTS) == []


def test_brace_protected_misspelling_is_still_found_and_fix_keeps_braces() -> None:
    doc = _bib("@book{k,\n  title = {{I}nternatonal {R}elations},\n  year = 2019,\n}\n")
    (h,) = hits(misspelling, doc)
    assert doc.text[h.start : h.end] == "{I}nternatonal"
    assert h.fix is not None and h.fix.replacement == "{I}nternational" and not h.fix.safe


def test_brace_tokens_have_plain_text_and_exact_offsets() -> None:
    from refcheck.text.tokens import words

    text = "on {S}ydney and {IEEE} x"
    toks = words(text)
    assert [(t.text, text[t.start : t.end]) for t in toks][1:3] == [
        ("Sydney", "{S}ydney"),
        ("and", "and"),
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Chemistry of Compd. classes",  # an ISO 4 abbreviation before its period
        "Compositio Mathematica and others",  # a Latin title word
        "Deep recommender systems",  # an agent noun of a common verb
        "Multilayer perceptrons explained",  # a plural of an attested word
        "A study of prepaging",  # a prefix on a common word
        "Text formatters and toposes",
        "Coniform and vermiform shapes",  # Latinate compounds in -iform
        "dformat -- {A} Language for Typesetting",  # a program: a word plus a letter before
        "Comics: Hyphe-nation; Clumsy",  # a word hyphenated apart in play
        "Introduktion til {\\LaTeX}",  # Danish
        "Bird malaria in experimentally infected Iiwi",  # not a slip of the numeral "III"
    ],
)
def test_terms_and_abbreviations_are_words(title: str) -> None:
    doc = _bib(f"@article{{k,\n  title = {{{title}}},\n  year = 2019,\n}}\n")
    assert _codes(doc, misspelling) == []


def test_biblatex_type_key_is_not_prose() -> None:
    doc = _bib("@patent{k,\n  title = {A thing},\n  type = {patentus},\n  date = {2001},\n}\n")
    assert _codes(doc, misspelling) == []
    doc = _bib("@report{k,\n  title = {A thing},\n  type = {Technicl Report},\n  date = 2001,\n}\n")
    assert _codes(doc, misspelling) == [("RC101", "Technicl")]


def test_exponent_is_not_a_range() -> None:
    from refcheck.rules.encoding import minus_in_range

    doc = one_reference("Partial pressures between 10−7 atm and 10−12 atm. J. Phys., 3: 421−456.")
    found = hits(minus_in_range, doc)
    assert [doc.text[h.start - 3 : h.end + 3] for h in found] == ["421−456"]
    assert found[0].fix is not None and not found[0].fix.safe  # no pages field: unsafe
    doc = _bib("@article{k,\n  title = {10−7 atm},\n  pages = {421−456},\n  year = 2001,\n}\n")
    (h,) = hits(minus_in_range, doc)
    assert h.fix is not None and h.fix.safe and doc.text[h.start - 3 : h.start] == "421"


def test_prime_in_notation_is_not_an_apostrophe() -> None:
    from refcheck.rules.encoding import wrong_apostrophe

    assert hits(wrong_apostrophe, one_reference("Kröger–Vink defects V′Cu and f′x.")) == []
    (h,) = hits(wrong_apostrophe, one_reference("Putin′s way."))
    assert h.fix is not None and not h.fix.safe  # a prime: reported, never fixed unasked
    (h,) = hits(wrong_apostrophe, one_reference("Putin`s way."))
    assert h.fix is not None and h.fix.safe
    (h,) = hits(wrong_apostrophe, one_reference("Garci´a and Dal´nego."))[:1]
    assert h.fix is not None and not h.fix.safe  # may be a spacing accent ("García")


def test_bce_date_is_no_future_year() -> None:
    from refcheck.rules.sanity import year_out_of_range

    doc = _bib("@book{k,\n  author = {Homer},\n  title = {Iliad},\n  date = {-3000~},\n}\n")
    assert doc.references[0].year is None
    assert hits(year_out_of_range, doc) == []


def test_short_doi_and_escaped_url() -> None:
    from refcheck.rules.syntax_doi import malformed_doi
    from refcheck.rules.syntax_url import malformed_url

    doc = _bib(
        "@misc{k,\n  title = {Sheet},\n  doi = {10/cn2h9c},\n"
        "  url = {https://docs.google.com/d/e/2PACX-1vQ\\%5Fb8p0/pub},\n  year = 2020,\n}\n"
    )
    assert hits(malformed_doi, doc) == [] and hits(malformed_url, doc) == []
    doc = _bib("@misc{k,\n  doi = {10/},\n  url = {https://a.org/x\\y},\n}\n")
    assert len(hits(malformed_doi, doc)) == 1 and len(hits(malformed_url, doc)) == 1


def test_report_number_is_not_a_page_range() -> None:
    from refcheck.model import SourceText
    from refcheck.parsers import parse
    from refcheck.rules.sanity import page_range_reversed

    text = (
        "References\n\n1. Smith, J. (2008). Geology of the Sierra. U.S. Geological Survey "
        "Open-File Report 2008–1128, 45 p.\n2. Lee, A. (2001). Rocks. Journal of Geology, 3, "
        "pp. 351-335.\n"
    )
    doc = parse(SourceText("t.txt", text), "text")
    assert [doc.text[h.start : h.end] for h in hits(page_range_reversed, doc)] == ["351-335"]
