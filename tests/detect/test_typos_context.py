"""Issue 17: slips the typo rules missed because of what stood around them.

Each case pairs a slip that must now be found with the reading that kept it
hidden, and the look-alikes that must stay silent: names, transliterations,
words cut at a line's end.
"""

from __future__ import annotations

import pytest

from refcheck.rules.typos import misspelling
from refcheck.text.spelling import english_shaped
from tests.detect.helpers import one_reference, texts


def _found(text: str) -> list[str]:
    return texts(misspelling, one_reference(text))


@pytest.mark.parametrize(
    ("text", "slip"),
    [
        # The last word of a journal's name before a numbered style's "2019;12":
        # a journal's date, not a name and a year.
        ("Lee K, Park J. Soil carbon under grazing. Global Change Biollogy. "
         "2019;25(3):1-9.", "Biollogy"),
        ("Ruiz A. Floods in river towns. Water Resources Reserch. 2020 Mar;56:0123.",
         "Reserch"),
        # A Latin name two words away, with a common English word between: not beside it.
        ("Ahn S. A protease of Legionella pneumophila that degrdes host "
         "collagen. Microbiology. 2018;164:1-10.", "degrdes"),
        # Unknown neighbours built from English: a compound, a suffix, a British spelling.
        ("Moss T. Handwriting recognition with strokepath segmantation methods. "
         "Pattern Recognition. 2015;48:1-9.", "segmantation"),
        ("Ito H. Measuring the restorability of damaged ecosytems. Ecology. 2012;93:1-8.",
         "ecosytems"),
        ("Berg U. Suburbanisation and housing prcies in Nordic towns. Housing Studies. "
         "2010;25:1-20.", "prcies"),
        # The part of a compound after a common English word is a word of its own.
        ("Kerr D. Labour markets in the post-induustrial city. Urban Affairs Review. "
         "2009;45:1-30.", "induustrial"),
    ],
)
def test_slip_found_where_its_surroundings_hid_it(text: str, slip: str) -> None:
    assert slip in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        # A name and year in running text still read as a name ("Walt 1987").
        "As argued by Stephen Wlat 1987, alliances form against threats.",
        # A capitalised word beside an unknown one may be part of a name.
        "Bidwell J. Book Review: Martin Hutnre, \\booktitle{The Making of the Book}. 1991.",
        # A transliterated title keeps its words unjudged.
        "Olcott M.B. Vtoroi shans Tsentral’noi Azii [Central Asia’s Second Chance]. Moscow, 2005.",
        "Petrov I. Ekonomika i politika v Rossii: novye rezul’taty. Voprosy Ekonomiki. 2008;4:1-9.",
        # After a hyphen: a name's second part, or a word cut at a line's end.
        "Dupont Jean-Piere. La France. Paris, 1999.",
        "Smith J. The interna-tional economy. London: Macmillan; 1990.",
        # After a rare head word, the part after the hyphen is not judged alone.
        "Ngata R. Kaupapa-mahi and the state. Wellington, 2004.",
    ],
)
def test_no_false_alarm(text: str) -> None:
    assert _found(text) == []


def test_english_shaped_words() -> None:
    for word in ("scanpath", "Substitutability", "Urbanisation", "morphodynamics"):
        assert english_shaped(word), word
    for word in ("agalactiae", "Tsentralnoi", "Moskovskogo", "Hardtke", "Xenarios"):
        assert not english_shaped(word), word


def _list(*refs: str) -> list[str]:
    from refcheck.model import SourceText
    from refcheck.parsers import parse

    text = "References\n\n" + "\n\n".join(f"[{i}] {r}" for i, r in enumerate(refs, 1)) + "\n"
    return texts(misspelling, parse(SourceText("refs.txt", text), "text"))


def test_venue_word_before_the_year_is_no_name() -> None:
    # The reader puts the slipped word in the venue; there no author stands before a year.
    found = _list(
        "Ho J, Jain A. Denoising diffusion models. In: Advances in Neural Information "
        "Processing Sytsems. 2020. doi:10.48550/arxiv.2006.11239",
        "Kipf T, Welling M. Graph convolutional networks. In: International Conference on "
        "Learning Representations. 2017.",
    )
    assert found == ["Sytsems"]


def test_author_before_the_year_is_still_a_name() -> None:
    # Chicago author-date: the same shape, but the word is an author's name.
    found = _list(
        "Buzan, Barry, and Ole Waevr. 2003. Regions and Powers. Cambridge University Press.",
        "Walt, Stephen M. 1987. The Origins of Alliances. Cornell University Press.",
    )
    assert found == []


def test_name_after_two_initials_is_a_name() -> None:
    assert _found("Lee K. Fast sorting. In: Parallel Computers, edited by D. J. Kuck and "
                  "A. H. Sameh (Academic Press, New York, 1977), pp. 1-9.") == []
    # A journal abbreviation after two initials has its full stop: not taken for a name.
    from refcheck.text.spelling import looks_like_name
    from refcheck.text.tokens import Token

    text = "Lee K. Fast sorting. J. R. Stat. Soc. 1977;12:1-9."
    at = text.index("Stat")
    assert not looks_like_name(text, Token("Stat", at, at + 4))
    text = "edited by A. H. Sameh (Academic Press"
    at = text.index("Sameh")
    assert looks_like_name(text, Token("Sameh", at, at + 5))
