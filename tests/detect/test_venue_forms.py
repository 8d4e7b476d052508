"""RC120 venue-word-form: good and bad cases."""

from __future__ import annotations

import pytest

from refcheck.model import SourceText
from refcheck.parsers import parse
from refcheck.rules.venue_forms import venue_word_form, word_form_slip
from tests.detect.helpers import hits


def _journal(name: str) -> list[str | None]:
    text = f"@article{{k, author={{Lee, Ann}}, title={{T}}, journal={{{name}}}, year=2001}}\n"
    return [h.suggestion for h in hits(venue_word_form, parse(SourceText("t.bib", text), "bibtex"))]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Journal of the American Chemistry Society", "Chemical"),
        ("Journal of the Royal Statistics Society", "Statistical"),
        ("Physics Review Letters", "Physical"),
        ("JOURNAL OF THE AMERICAN STATISTICS ASSOCIATION", "STATISTICAL"),
        # Not a listed title, but a society's name known titles spell otherwise.
        ("Publications of the Astronomy Society of the Pacific", "Astronomical"),
        ("Bulletin of the Geology Society of America", "Geological"),
    ],
)
def test_noun_for_adjective(name: str, suggestion: str) -> None:
    assert _journal(name) == [suggestion]


@pytest.mark.parametrize(
    "name",
    [
        "Journal of the American Chemical Society",
        "Chemistry Letters",
        "Physical Review Letters",
        "Journal of the American Society",
        "Journal of Applied Physics",
        "Journal of the Marine Biology Association",
        "Proceedings of the Royal Society",
    ],
)
def test_real_titles_left_alone(name: str) -> None:
    assert _journal(name) == []


def test_slip_names_the_title() -> None:
    slip = word_form_slip("Journal of the American Chemistry Society")
    assert slip is not None and slip[0] == "Journal of the American Chemical Society"
