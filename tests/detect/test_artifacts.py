from __future__ import annotations

import pytest

from refcheck.rules.artifacts import doi_whitespace, lost_ligature, missing_space, split_word
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
    ],
)
def test_split_word_suggestions(text: str, expected: str) -> None:
    (h,) = hits(split_word, one_reference(text))
    assert h.suggestion == expected


@pytest.mark.parametrize(
    "text",
    [
        "Pre- and post-war planning. 1999.",
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


def test_doi_whitespace() -> None:
    doc = one_reference("OpenAI. GPT-4 technical report. 2023. doi: 10. 48550/arXiv.2303.08774.")
    (h,) = hits(doi_whitespace, doc)
    assert h.suggestion == "10.48550/arXiv.2303.08774."
    assert texts(doi_whitespace, one_reference("doi: 10.1000/xyz123 and more")) == []


def test_lost_ligature() -> None:
    doc = one_reference("C. Elkan. In Proc. Joint Conference on Articial Intelligence, 2001.")
    (h,) = hits(lost_ligature, doc)
    assert h.suggestion == "Artificial" and "'fi' ligature" in h.message
