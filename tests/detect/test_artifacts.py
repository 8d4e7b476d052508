from __future__ import annotations

import pytest

from refcheck.rules.artifacts import (
    doi_whitespace,
    lost_ligature,
    missing_space,
    split_word,
    url_trailing_punctuation,
)
from tests.detect.helpers import ROOT, hits, one_reference, parsed, texts


def test_seed_split_words() -> None:
    doc = parsed(ROOT / "references" / "004-jrs-post-soviet-security.txt")
    found = {doc.text[h.start : h.end]: h.suggestion for h in hits(split_word, doc)}
    assert found["Interna- tional"] == "International"
    assert found["Alli- ance"] == "Alliance"
    assert found["Com- ing"] == "Coming"
    assert all(h.fix is not None and h.fix.safe for h in hits(split_word, doc))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Relations in Franco- British Affairs. 2005.", "Franco-British"),
        ("Superpixel seg-\nmentation. In Proc. 2015.", "segmentation"),
        ("Interfax- AVN Military News Agency. Moscow. July 7.", "Interfax-AVN"),
        ("The anti- NATO coalition. 2004.", "anti-NATO"),
    ],
)
def test_split_word_suggestions(text: str, expected: str) -> None:
    (h,) = hits(split_word, one_reference(text))
    assert h.suggestion == expected


@pytest.mark.parametrize(
    "text",
    [
        "Pre- and post-war planning. 1999.",
        "NATO- and EU-led missions. 2003.",
        "Regional Security- The Case of Central Asia. 2005.",
        "Adaptive multi-\ndomain learning. 2020.",
        "Available at http://www.glo- balsecurity.org/military/ (accessed 2017).",
    ],
)
def test_split_word_left_alone(text: str) -> None:
    assert texts(split_word, one_reference(text)) == []


def test_missing_space() -> None:
    doc = one_reference(
        "In Proceedings ofthe 59th Annual Meeting ofthe Associationfor Computational "
        "Linguistics, volume 202 of Proceedings ofMachine Learning Research. Theodor, 2021."
    )
    found = {doc.text[h.start : h.end]: h.suggestion for h in hits(missing_space, doc)}
    assert found == {
        "ofthe": "of the",
        "Associationfor": "Association for",
        "ofMachine": "of Machine",
    }


def test_missing_space_fix_safety() -> None:
    doc = one_reference(
        "Proceedings ofMachine Learning Research, and Associationfor Computing. 2021."
    )
    safety = {doc.text[h.start : h.end]: h.fix.safe for h in hits(missing_space, doc) if h.fix}
    assert safety == {"ofMachine": True, "Associationfor": False}


@pytest.mark.parametrize(
    "text",
    [
        # Reported in issue 14 as damaged by RC203's fix: abbreviations, words cut
        # by brace markup, rare real words, inflected words, elisions.
        "IEEE Trans. Pattern Anal. Mach. Intell. 2001.",
        "{E}instein and the {H}andbook of physics. 2001.",
        "Sheaves on toposes. 2001.",
        "Incorporations of firms. 2001.",
        "The Signifyin' Monkey. 1988.",
        "Polaron physics. Compd. Compositio Math. 2001.",
        "Looking onto the sea, into the night, anon. 2001.",
    ],
)
def test_missing_space_left_alone(text: str) -> None:
    assert texts(missing_space, one_reference(text)) == []


def test_doi_whitespace_stops_at_field_end() -> None:
    from refcheck.model import SourceText
    from refcheck.parsers import parse

    doc = parse(SourceText("t.bib", "@misc{k,\n  doi = {10.1000/ 182},\n}\n"), "bibtex")
    (h,) = hits(doi_whitespace, doc)
    assert h.suggestion == "10.1000/182"


def test_doi_whitespace() -> None:
    doc = one_reference("OpenAI. GPT-4 technical report. 2023. doi: 10. 48550/arXiv.2303.08774.")
    (h,) = hits(doi_whitespace, doc)
    assert h.suggestion == "10.48550/arXiv.2303.08774."
    assert texts(doi_whitespace, one_reference("doi: 10.1000/xyz123 and more")) == []


def test_lost_ligature() -> None:
    doc = one_reference("C. Elkan. In Proc. Joint Conference on Articial Intelligence, 2001.")
    (h,) = hits(lost_ligature, doc)
    assert h.suggestion == "Artificial" and "'fi' ligature" in h.message


def test_seed_acronym_compound() -> None:
    doc = parsed(ROOT / "references" / "004-jrs-post-soviet-security.txt")
    found = {doc.text[h.start : h.end]: h for h in hits(split_word, doc)}
    h = found["Interfax- AVN"]
    assert h.suggestion == "Interfax-AVN" and h.fix is not None and h.fix.safe


@pytest.mark.parametrize(
    ("text", "fmt", "url", "trimmed", "safe"),
    [
        (
            "@misc{k, title={T}, year={2001}, url={https://example.org/report.html.}}",
            "bibtex",
            "https://example.org/report.html.",
            "https://example.org/report.html",
            True,
        ),
        (
            "Doe J. Other. 2002. <http://example.org/b/page,>",
            "text",
            "http://example.org/b/page,",
            "http://example.org/b/page",
            True,
        ),
        (
            "Roe J. Third. 2003. <http://example.org/a/)>",
            "text",
            "http://example.org/a/)",
            "http://example.org/a/",
            False,
        ),
        (
            "Poe J. Fourth. 2004. \\url{http://example.org/?q=a.}",
            "text",
            "http://example.org/?q=a.",
            "http://example.org/?q=a",
            False,
        ),
    ],
)
def test_url_trailing_punctuation(text: str, fmt: str, url: str, trimmed: str, safe: bool) -> None:
    from refcheck.model import SourceText
    from refcheck.parsers import parse

    doc = parse(SourceText("t", text), fmt)
    (h,) = hits(url_trailing_punctuation, doc)
    assert doc.text[h.start : h.end] == url
    assert h.suggestion == trimmed
    assert h.fix is not None and h.fix.safe is safe


@pytest.mark.parametrize(
    "text",
    [
        # A bare URL ending a Chicago or MLA reference: the full stop is the reference's.
        "Blagov, Sergei. 2010. Accessed January 3, 2017. http://akipress.com/en/news:192291.",
        "(see http://example.org/a.html).",
        "[Treaty](https://en.wikipedia.org/wiki/Treaty_(1992))",
        "<http://example.org/page>",
        "[link](http://example.org/page)).",
    ],
)
def test_url_trailing_punctuation_left_alone(text: str) -> None:
    assert texts(url_trailing_punctuation, one_reference(text)) == []


def test_url_trailing_punctuation_silent_on_seeds() -> None:
    for path in sorted((ROOT / "references").glob("*.txt")):
        assert texts(url_trailing_punctuation, parsed(path)) == [], path.name
