"""RC103 venue-misspelling: container titles one slip from a known journal title."""

from __future__ import annotations

import pytest

from refcheck.model import SourceText
from refcheck.parsers import parse
from refcheck.rules.typos import misspelling, phrase_misspelling, venue_misspelling
from refcheck.text.lexicon import is_known_venue, journal_titles, nearest_journal
from tests.detect.helpers import ROOT, SHARED, hits, parsed


def test_real_word_slip_in_known_title() -> None:
    # Every word is English: only the venue list shows that "Arias" is wrong.
    doc = parse(
        SourceText(
            "t.txt",
            "[1] A. Smith, Enzymes at work, Advances in Enzymology and Related Arias "
            "of Molecular Biology, 2001.",
        ),
        "text",
    )
    (h,) = hits(venue_misspelling, doc)
    written = "Advances in Enzymology and Related Arias of Molecular Biology"
    assert doc.text[h.start : h.end] == written
    assert h.suggestion == written.replace("Arias", "Areas")
    assert "'Arias' → 'Areas'" in h.message and "known journal title" in h.message
    assert h.fix is not None and not h.fix.safe
    assert hits(misspelling, doc) == []


def test_bibtex_journal_field_keeps_writers_case() -> None:
    bib = (
        "@article{k,\n  author = {Smith, Ann},\n  title = {Ceramics},\n"
        "  journal = {Americas ceramic society bulletin},\n  year = {2001}\n}\n"
    )
    doc = parse(SourceText("x.bib", bib), "bibtex")
    (h,) = hits(venue_misspelling, doc)
    assert h.field == "journal"
    assert h.suggestion == "American ceramic society bulletin"


def test_word_reported_once_with_venue_evidence() -> None:
    # RC101 already reports 'Reserch': RC103 stays silent, RC101 carries the venue.
    doc = parse(
        SourceText("t.txt", "[2] B. Jones. Waves. Journal of Geophysical Reserch, 12(3), 2001."),
        "text",
    )
    assert hits(venue_misspelling, doc) == []
    (h,) = hits(misspelling, doc)
    assert "'Journal of Geophysical Research'" in h.message


@pytest.mark.parametrize(
    "venue",
    [
        "Journal of Geophysical Research",  # a listed title
        "journal of geophysical research",  # case is not an edit
        "J. Geophys. Res.",  # a listed abbreviation
        "Physical Review E",  # A/B/C/D are listed: a letter is never a slip
        "Journal of Applied Phycology",  # a real journal next to "Physiology"
        "Natural Products Reports",  # a plural
        "Inorganic Reaction Mechanisms",  # a prefix
        "Nature Physic",  # too short to judge
    ],
)
def test_no_venue_finding(venue: str) -> None:
    text = f"[3] C. Doe. A study. {venue}, 12(3), 2001."
    assert hits(venue_misspelling, parse(SourceText("t.txt", text), "text")) == []


def test_abbreviations_are_known() -> None:
    assert is_known_venue("J. Geophys. Res.")
    assert is_known_venue("Journal  of Geophysical\nResearch")


def test_real_titles_missing_from_the_list_are_not_slips() -> None:
    # Leave-one-out on a sample of the real titles: a real journal that the list
    # lacks must not be taken for a slip of another one.
    from refcheck.rules.typos import _plausible_venue_slip

    titles = journal_titles()
    sample = titles[::9]
    alarms = []
    for title in sample:
        match = nearest_journal(title)
        assert match is None  # every listed title is known
        others = [t for t in titles if t != title]
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        low = title.lower()
        if len(low) < 12 or len(low.split()) < 2:
            continue
        found = process.extract(
            low, [t.lower() for t in others], scorer=OSA.distance, score_cutoff=2, limit=2
        )
        if len(found) != 1 or found[0][0] == low:
            continue
        other = others[found[0][2]]
        pairs = [
            (a, b)
            for a, b in zip(title.split(), other.split(), strict=False)
            if a.lower() != b.lower()
        ]
        if len(title.split()) == len(other.split()) and all(
            _plausible_venue_slip(a, b) for a, b in pairs
        ):
            alarms.append((title, other))
    assert len(alarms) <= 1, alarms


@pytest.mark.parametrize(
    "path",
    [
        *sorted((ROOT / "references").iterdir()),
        *sorted((ROOT / "tests" / "data" / "clean").iterdir()),
        SHARED / "corpus" / "clean.bib",
    ],
    ids=lambda p: p.name,
)
def test_silent_on_seeds_and_clean_lists(path: object) -> None:
    from pathlib import Path

    from refcheck.parsers import format_for

    assert isinstance(path, Path)
    fmt = format_for(str(path)) or "text"
    doc = parsed(path, fmt)
    assert hits(venue_misspelling, doc) == []
    # RC102 still reports the seed's degree slip: the shared pass is intact.
    if path.name.startswith("001-"):
        assert len(hits(phrase_misspelling, doc)) == 1
