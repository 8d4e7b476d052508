"""Real, correct references that a naive non-word rule flags: each must stay silent."""

from __future__ import annotations

import pytest

from refcheck.rules.typos import misspelling, phrase_misspelling
from tests.detect.helpers import one_reference, texts


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
    from tests.detect.helpers import hits

    item = {
        "id": "a", "type": "article-journal", "title": "Digital libraries",
        "issued": {"date-parts": [[2007, 5, 1]]},
        "reference": [{"unstructured": "SBE-CISE report [last visited November 2006]"}],
    }
    doc = parse(SourceText("x.json", json.dumps([item])), "csl-json")
    assert hits(access_date, doc) == []
    item["accessed"] = {"date-parts": [[2006, 11, 1]]}
    doc = parse(SourceText("x.json", json.dumps([item])), "csl-json")
    assert len(hits(access_date, doc)) == 1
