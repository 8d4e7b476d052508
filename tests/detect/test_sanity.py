from __future__ import annotations

from refcheck.rules.sanity import access_date, expand_range, page_range_reversed, year_out_of_range
from tests.detect.helpers import hits, one_reference


def _ref(text: str, **attrs: object):  # type: ignore[no-untyped-def]
    doc = one_reference(text)
    for k, v in attrs.items():
        setattr(doc.references[0], k, v)
    return doc


def test_access_date_before_publication_and_future() -> None:
    before = _ref(
        "Smith J. Title. 2019. Available at: http://x.org (accessed 05.06.2017).", year=2019
    )
    (h,) = hits(access_date, before, today="2024-01-01")
    assert "before the publication year 2019" in h.message
    assert before.text[h.start : h.end] == "05.06.2017"
    future = _ref("Smith J. Title. 2019. Accessed January 7, 2031.", year=2019)
    assert "future" in hits(access_date, future, today="2024-01-01")[0].message
    fine = _ref("Smith J. Title. 2019. Accessed January 7, 2020.", year=2019)
    assert hits(access_date, fine, today="2024-01-01") == []


def test_year_range() -> None:
    assert hits(year_out_of_range, _ref("Smith J. Title. 2091.", year=2091), today="2024-01-01")
    assert not hits(year_out_of_range, _ref("Newton I. Principia. 1687.", year=1687))


def test_page_range() -> None:
    assert expand_range("1234", "56") == (1234, 1256)
    doc = _ref("Smith J. Title. Journal, 2001, pp. 351-335.", pages="351-335")
    (h,) = hits(page_range_reversed, doc)
    assert doc.text[h.start : h.end] == "351-335"
    assert not hits(page_range_reversed, _ref("x, pp. 1234-56.", pages="1234-56"))
