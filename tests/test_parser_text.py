"""The plain-text parser: reference lists, numbered lists, footnotes, citation lines."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from refcheck.model import Document, SourceText
from refcheck.parsers.text import parse

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "references"
DATA = Path(__file__).resolve().parent / "data" / "text"


def _parse_file(path: Path) -> Document:
    text = path.read_text(encoding="utf-8")
    return parse(SourceText(str(path), text))


def _parse(text: str) -> Document:
    return parse(SourceText("sample.txt", text))


def _check_offsets(doc: Document) -> None:
    for i, ref in enumerate(doc.references, 1):
        assert ref.index == i
        assert ref.raw == doc.text[ref.start : ref.end]
        assert ref.raw == ref.raw.strip()
        assert ref.line == doc.source.position(ref.start)[0]
        assert ref.end_line == doc.source.position(ref.end)[0]
        assert ref.format == "text"
    starts = [r.start for r in doc.references]
    assert starts == sorted(starts)
    assert doc.expects_list is False


# --- seeds -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["000-csto-abstract-page.txt", "002-sair-csto-kyrgyzstan.txt"])
def test_pages_without_a_list_have_no_references(name: str) -> None:
    doc = _parse_file(SEEDS / name)
    assert doc.references == []
    assert doc.layout is None
    assert doc.section is None
    assert doc.expects_list is False


def test_seed_004_author_date_list() -> None:
    doc = _parse_file(SEEDS / "004-jrs-post-soviet-security.txt")
    _check_offsets(doc)
    refs = doc.references
    assert len(refs) == 55
    assert doc.layout == "author-date"
    assert all(r.kind == "entry" and r.label is None for r in refs)
    assert refs[0].raw.startswith("“Kyrgyzstan: The CSTO’s Stabilization Plan.”")
    assert refs[-1].raw.startswith("Weiss, Thomas George. 1992.")
    # The section starts at the heading and stops before the licence text.
    assert doc.section is not None
    assert doc.text[doc.section[0] :].startswith("References\n")
    assert doc.section[1] == refs[-1].end
    assert not any("Authors retain copyright" in r.raw for r in refs)

    webber = next(r for r in refs if r.raw.startswith("Webber, Mark"))
    assert (webber.line, webber.end_line) == (57, 58)
    assert webber.raw.endswith("Successor States.\nManchester: Manchester University Press.")

    claude = next(r for r in refs if r.raw.startswith("Claude, Inis"))
    concept = refs[claude.index]  # the next reference (index is 1-based)
    assert claude.raw == "Claude, Inis. 1971. Swords into Plowshares. New York: Random House."
    assert concept.raw == "Concept of Collective Security of the CST Members, 10 February 1995."
    assert claude.line == concept.line == 15
    line_start = doc.source.line_start(15)
    assert claude.start - line_start == 0
    expected_col = doc.source.line_text(15).index("Concept of Collective")
    assert concept.start - line_start == expected_col
    assert doc.source.position(concept.start) == (15, expected_col + 1)


def test_seed_001_numbered_list_and_citation_line() -> None:
    doc = _parse_file(SEEDS / "001-memo-krivopalov-2021.txt")
    _check_offsets(doc)
    entries = [r for r in doc.references if r.kind == "entry"]
    cites = [r for r in doc.references if r.kind == "citation-line"]
    assert len(entries) == 17
    assert [r.label for r in entries] == [str(i) for i in range(1, 18)]
    assert [r.line for r in entries] == list(range(14, 31))
    assert entries[0].raw.startswith("Troitskii E.F., Zinov’ev V.P.")
    assert entries[-1].raw.endswith("2011, no. 6 (21), pp. 26-27.")
    assert len(cites) == 1
    assert cites[0].label == "For citation"
    assert cites[0].line == 35
    assert cites[0].raw.startswith("Krivopalov A. CSTO: at the Close")
    assert doc.layout == "numbered"
    # Section numbers ("5.2.5. World Economy.") and bullets are not references.
    assert not any(r.raw == "World Economy." for r in doc.references)
    assert not any("Supporting Structure" in r.raw for r in doc.references)


def test_seed_003_footnotes() -> None:
    path = SEEDS / "003-thesis-csto-nato.txt"
    doc = _parse_file(path)
    _check_offsets(doc)
    refs = doc.references
    assert doc.layout == "footnotes"
    assert all(r.kind in ("footnote", "ibid", "op-cit") for r in refs)
    labels = [int(r.label or 0) for r in refs]
    assert labels == sorted(labels) and len(set(labels)) == len(labels)
    # Note numbers alone on a line: body superscripts plus the notes themselves.
    text = path.read_text(encoding="utf-8")
    numbers = re.findall(r"(?m)^(\d{1,3})$", text)
    twice = {n for n in numbers if numbers.count(n) >= 2}
    # Only notes whose text is in the file can be found; commentary notes 1 and 2
    # (no citation in them) are left out.
    assert {int(n) for n in twice} - set(labels) == {1, 2}
    assert len(refs) == 40

    by_label = {r.label: r for r in refs}
    bull = by_label["6"]
    assert bull.raw.startswith("Hedley Bull, “The Theory of International Politics")
    assert bull.raw.endswith("(Oxford: Clarendon Press, 1990), p. 18.")
    # A note's text stops where the next page's body starts.
    assert "Realism" not in bull.raw.split("\n")[-1]
    poghosyan = by_label["5"]
    assert poghosyan.raw.endswith("accessed July 8, \n\n2011.")
    # The PDF's repeated link annotations after note 120 are not part of it.
    assert by_label["120"].raw == "Kenneth N. Waltz, (2000), op.cit., p. 20."

    # ibid. repeats the previous note's work; a chain of ibid. keeps pointing at it.
    mearsheimer = by_label["8"]
    assert by_label["9"].kind == "ibid" and by_label["9"].repeats == mearsheimer.index
    assert by_label["10"].repeats == mearsheimer.index
    shakleyina = by_label["14"]
    assert by_label["15"].kind == "op-cit" and by_label["15"].repeats == shakleyina.index
    assert by_label["16"].kind == "ibid" and by_label["16"].repeats == shakleyina.index
    # op. cit. with a date picks the note of that date among the author's works.
    assert by_label["22"].repeats == mearsheimer.index
    assert by_label["25"].repeats == by_label["24"].index
    assert by_label["173"].repeats == by_label["172"].index
    # No earlier full citation by that author (its note is not in the file).
    assert by_label["140"].kind == "op-cit" and by_label["140"].repeats is None
    assert by_label["119"].repeats is None
    # The previous note (168) is not in the file: nothing to repeat.
    assert by_label["169"].kind == "ibid" and by_label["169"].repeats is None
    assert sum(r.kind == "ibid" for r in refs) == 8
    assert sum(r.kind == "op-cit" for r in refs) == 12


# --- hand-written samples of list shapes --------------------------------------


def test_markdown_bullets_under_heading() -> None:
    doc = _parse_file(DATA / "apa-markdown.md")
    _check_offsets(doc)
    raws = [r.raw for r in doc.references]
    assert len(raws) == 3
    assert raws[1].startswith("Smith, A. B., & Jones, C. (2019).")
    assert raws[1].endswith("https://doi.org/10.1234/jrr.2019.042")
    assert doc.references[1].end_line == doc.references[1].line + 1
    assert not any("participants" in r for r in raws)  # after the next heading
    assert doc.layout == "author-date"


def test_blank_separated_mla_entries() -> None:
    doc = _parse_file(DATA / "mla-works-cited.txt")
    _check_offsets(doc)
    raws = [r.raw for r in doc.references]
    assert len(raws) == 4
    assert raws[0] == "Adichie, Chimamanda Ngozi. Americanah. Alfred A. Knopf,\n    2013."
    assert raws[3].startswith('"The Future of Reading."')


def test_vancouver_numbered_with_wrapped_items() -> None:
    doc = _parse_file(DATA / "vancouver-numbered.txt")
    _check_offsets(doc)
    assert [r.label for r in doc.references] == ["1", "2", "3"]
    assert doc.references[1].raw.endswith("doi:10.1038/s41581-019-0244-2")
    assert all(r.end_line == r.line + 1 for r in doc.references)
    assert doc.layout == "numbered"


def test_ieee_bracketed_without_heading() -> None:
    doc = _parse_file(DATA / "ieee-bracketed.txt")
    _check_offsets(doc)
    assert [r.label for r in doc.references] == ["[1]", "[2]", "[3]", "[4]"]
    assert doc.references[0].raw.startswith("K. He, X. Zhang")
    assert doc.section == (doc.references[0].start, doc.references[-1].end)


def test_russian_heading_and_paren_numbers() -> None:
    doc = _parse_file(DATA / "russian-gost.txt")
    _check_offsets(doc)
    assert [r.label for r in doc.references] == ["1", "2", "3"]
    assert doc.references[0].raw.startswith("Иванов И.И. Теория систем.")
    assert doc.section is not None
    assert doc.text[doc.section[0] :].startswith("Список литературы")


def test_footnotes_after_underscore_rule() -> None:
    doc = _parse_file(DATA / "footnotes-underscore.txt")
    _check_offsets(doc)
    kinds = [(r.label, r.kind, r.repeats) for r in doc.references]
    assert kinds == [
        ("1", "footnote", None),
        ("2", "ibid", 1),
        ("3", "footnote", None),
        ("4", "op-cit", 1),
        ("5", "op-cit", None),
    ]


def test_two_references_on_one_line() -> None:
    doc = _parse_file(DATA / "two-per-line.txt")
    _check_offsets(doc)
    raws = [r.raw for r in doc.references]
    assert raws == [
        "Arendt, Hannah. 1958. The Human Condition. Chicago: University of Chicago Press.",
        "Berlin, Isaiah. 1969. Four Essays on Liberty. Oxford: Oxford University Press.",
        "Rawls, John. 1971. A Theory of Justice. Cambridge, MA: Harvard University Press.",
    ]


def test_place_publisher_inside_title_does_not_split() -> None:
    text = (
        "References\n"
        "Snyder, Craig. 2008. Contemporary Security and Strategy: Second Edition. "
        "New York: Palgrave Macmillan.\n"
        "Shaw, Malcolm. 2008. International Law. Cambridge: Cambridge University Press. "
        "Accessed May 2, 2019. https://example.org/shaw.\n"
    )
    doc = _parse(text)
    assert len(doc.references) == 2


def test_numbered_prose_is_not_a_list() -> None:
    text = (
        "Steps\n\n"
        "1. Open the box and take out the device carefully before you start.\n"
        "2. Plug it in and wait until the light turns green, then press start.\n"
        "3. Read the manual if anything is unclear or the light keeps blinking.\n"
    )
    assert _parse(text).references == []


def test_crlf_line_endings() -> None:
    text = (
        "References\r\n\r\n"
        "Smith, J. 2001. A Book. London: Press.\r\n"
        "Jones, K. 2002. Another. Paris: P.\r\n"
    )
    doc = _parse(text)
    _check_offsets(doc)
    assert [r.raw for r in doc.references] == [
        "Smith, J. 2001. A Book. London: Press.",
        "Jones, K. 2002. Another. Paris: P.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "References",
        "References\n",
        "1.\n2.\n3.\n",
        "                    \n1\n",
        "For citation:\n",
        "                                 \n99999999\n ibid.\n",
        "[1] \x00\x01 2001,\n[2] ,,, 2002.\n[3] :: 2003.",
    ],
)
def test_odd_inputs_do_not_raise(text: str) -> None:
    doc = _parse(text)
    _check_offsets(doc)
    assert doc.problems == []


def test_large_pathological_input_is_fast() -> None:
    chunks = [
        " " * 200_000 + "x\n",
        "References" + " " * 100_000 + "\n",
        "Abc-" * 50_000 + ", Xy\n",
        "New York: Random House. " * 20_000 + "\n",
        "1. Smith, J. 2001. Title. Press.\n" * 5_000,
        "                    \n1\n Text 2001.\n" * 20_000,
    ]
    text = "".join(chunks)
    started = time.perf_counter()
    doc = _parse(text)
    assert time.perf_counter() - started < 20
    assert doc.problems == []


@pytest.mark.parametrize(
    ("text", "layout", "labels"),
    [
        # One IEEE reference pasted into a file, wrapped as a PDF wraps it.
        (
            "[40] Ken Sakurada and Takayuki Okatani. Change detection from\n"
            "a street image pair using CNN features. In Proceedings of the British\n"
            "Machine Vision Conference 2015, pages 61.1–61.12, Swansea, 2015.\n",
            "numbered",
            ["[40]"],
        ),
        # Two APA references, one a line, no heading.
        (
            "Walt, S. M. (1985). Alliance formation and the balance of world power. "
            "International Security, 9(4), 3–43.\n"
            "Snyder, G. H. (1997). Alliance politics. Cornell University Press.\n",
            "author-date",
            [None, None],
        ),
    ],
)
def test_bare_reference_file_without_heading(
    text: str, layout: str, labels: list[str | None]
) -> None:
    doc = _parse(text)
    _check_offsets(doc)
    assert doc.layout == layout
    assert [r.label for r in doc.references] == labels


def test_prose_without_heading_is_not_a_bare_list() -> None:
    doc = _parse(
        "The alliance was formed in 1992 and, as the members argued at the time, it was\n"
        "meant to protect the region; in 2002 it became an organisation with a charter.\n"
    )
    assert doc.references == []


def test_section_about_references_is_no_list() -> None:
    # A manual's "3. References" section explains \bibitem in prose; the numbered
    # line after it is the next section's heading, not a reference.
    text = (
        "2. Citations\n\nThe cite command puts a number in brackets.\n\n"
        "3. References\n\n"
        "A reference in the bibliography is specified by a bibitem command with the same "
        "argument as the cite command. The bibitem commands may be crafted by hand or, "
        "preferably, generated by the tools that come with the class, which include style "
        "files appropriate for the journals of the society.\n\n"
        "4. Example references\n\n"
        "This sample file employs the bibliography command, which formats the file and "
        "specifies which of the databases are to be used by the program that writes it.\n"
    )
    assert _parse(text).references == []


def test_list_whose_first_reference_reads_like_prose() -> None:
    # A long report title full of small words opens the list; names follow it.
    text = (
        "References\n\n"
        "World Health Organization. Report on the state of the work that is to be done in "
        "the field of the health of the people of the world and of the ways in which it is "
        "to be paid for by all of the countries that are in it.\n"
        "Smith, J. (2019). A study of things. Journal of Things, 3(2), 1–10.\n"
        "Jones, K. (2020). Another study. Journal of Things, 4(1), 11–20.\n"
    )
    assert len(_parse(text).references) == 3
