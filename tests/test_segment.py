"""Where references start and end in plain text: the line model and the bare-list rule."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.model import Document, SourceText
from refcheck.parsers import segment
from refcheck.parsers import text as text_parser
from refcheck.parsers.text import parse

LAYOUTS = Path(__file__).resolve().parent / "data" / "text" / "layouts"

needs_model = pytest.mark.skipif(not segment.available(), reason="python-crfsuite not installed")


def _parse(text: str, name: str = "refs.txt") -> Document:
    doc = parse(SourceText(name, text))
    for i, ref in enumerate(doc.references, 1):
        assert ref.index == i
        assert ref.raw == doc.text[ref.start : ref.end]
        assert ref.raw == ref.raw.strip()
        assert ref.line == doc.source.position(ref.start)[0]
    assert doc.problems == []
    return doc


def _heads(doc: Document, n: int = 40) -> list[str]:
    return [r.raw[:n] for r in doc.references]


@needs_model
@pytest.mark.parametrize(
    "name",
    [
        "bare-apa-46.txt",
        "bare-chicago-46.txt",
        "wrapped-pages.txt",
        "hanging-indent.txt",
        "markdown-escaped.md",
        "paragraphs.txt",
    ],
)
def test_layouts_split_as_written(name: str) -> None:
    """Each fixture's references (first 40 characters in the .json beside it) come out one each."""
    text = (LAYOUTS / name).read_text(encoding="utf-8")
    expected = json.loads((LAYOUTS / f"{name}.json").read_text(encoding="utf-8"))["references"]
    doc = _parse(text, name)
    assert _heads(doc) == expected
    assert doc.layout in ("numbered", "author-date")


@needs_model
def test_page_furniture_stays_inside_the_reference_it_interrupts() -> None:
    text = (LAYOUTS / "wrapped-pages.txt").read_text(encoding="utf-8")
    doc = _parse(text)
    assert not any(r.raw.startswith(("Page ", "Downloaded")) or r.raw.isdigit()
                   for r in doc.references)
    # A reference broken by a page break (footer, form feed, header, and a blank
    # line) is one reference.
    page = "Journal of Applied Physics 95 (2004) 649–655"
    lines = [
        "Abbott, K., and D. Snidal. 2000. Hard and soft law in international",
        "  governance. International Organization 54 (3): 421–456.",
        "Allison, G. 1969. Conceptual models and the Cuban missile crisis. American",
        "",
        "  12",
        f"\f{page}",
        "",
        "  Political Science Review 63 (3): 689–718.",
        "Biddle, S. 2004. Military Power: Explaining Victory and Defeat in Modern",
        "  Battle. Princeton: Princeton University Press.",
        "Cooley, A. 2012. Great Games, Local Rules: The New Great Power Contest in",
        "  Central Asia. Oxford: Oxford University Press.",
        "",
        "  13",
        f"\f{page}",
        "",
        "Walt, S. M. 1987. The Origins of Alliances. Ithaca: Cornell University",
        "  Press.",
    ]
    doc = _parse("\n".join(lines) + "\n")
    assert [r.raw[:6] for r in doc.references] == ["Abbott", "Alliso", "Biddle", "Cooley", "Walt, "]
    assert doc.references[1].raw.endswith("689–718.")
    assert doc.references[3].raw.endswith("Oxford University Press.")


@needs_model
def test_markdown_escaped_labels_are_labels() -> None:
    doc = _parse((LAYOUTS / "markdown-escaped.md").read_text(encoding="utf-8"), "refs.md")
    assert doc.layout == "numbered"
    assert [r.label for r in doc.references] == [f"[{n}]" for n in range(1, 11)]
    assert not any(r.raw.startswith(("\\", "[")) for r in doc.references)


def test_two_item_numbered_list() -> None:
    doc = _parse(
        "1. Walt, S. M. (1985). Alliance formation and the balance of world power.\n"
        "   International Security, 9(4), 3–43.\n"
        "2. Snyder, G. H. (1997). Alliance politics. Cornell University Press.\n"
    )
    assert doc.layout == "numbered"
    assert [r.label for r in doc.references] == ["1", "2"]
    assert doc.references[0].raw.endswith("3–43.")


def test_single_pasted_reference() -> None:
    doc = _parse(
        "Mearsheimer, John J. 2001. The Tragedy of Great Power Politics. New York: Norton.\n"
    )
    assert len(doc.references) == 1
    assert doc.layout == "author-date"


@needs_model
def test_reference_without_a_year_does_not_end_the_list() -> None:
    refs = [
        "Abbott, Kenneth, and Duncan Snidal. 2000. Hard and Soft Law in International "
        "Governance. International Organization 54 (3): 421–456.",
        "Allison, Graham. 1969. Conceptual Models and the Cuban Missile Crisis. American "
        "Political Science Review 63 (3): 689–718.",
        # A long reference with no year and many small words reads like prose.
        "Ministry of Foreign Affairs of the Republic of Kazakhstan. On the work of the "
        "organisation and on the decisions that were taken by the council of the ministers "
        "in the course of the meetings held in the capital, with notes on each of them and "
        "on what was said there. Astana: Ministry of Foreign Affairs.",
        "Biddle, Stephen. 2004. Military Power: Explaining Victory and Defeat in Modern "
        "Battle. Princeton: Princeton University Press.",
        "Cooley, Alexander. 2012. Great Games, Local Rules. Oxford: Oxford University Press.",
    ]
    for head in ("", "References\n\n"):
        doc = _parse(head + "\n".join(refs) + "\n")
        assert [r.raw for r in doc.references] == refs


def test_most_of_the_file_decides() -> None:
    refs = (
        "Walt, S. M. (1985). Alliance formation and the balance of world power. "
        "International Security, 9(4), 3–43.\n"
        "Snyder, G. H. (1997). Alliance politics. Cornell University Press.\n"
        "Waltz, K. N. (1979). Theory of international politics. Addison-Wesley.\n"
    )
    note = (
        "These are the works that were cited in the report that the committee wrote "
        "and that we will discuss at the next meeting of the group.\n\n"
    )
    doc = _parse(note + refs)
    assert [r.raw[:6] for r in doc.references] == ["Walt, ", "Snyder", "Waltz,"]
    # A page of prose that mentions a work is not a list.
    prose = note * 12 + refs.splitlines()[0] + "\n"
    assert _parse(prose).references == []


def test_rules_still_split_without_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment, "available", lambda: False)
    doc = _parse(
        "References\n\n"
        "Smith, J. 2001. A Book. London: Press.\n"
        "Jones, K. 2002. Another Book. Paris: Gallimard.\n"
    )
    assert [r.raw[:5] for r in doc.references] == ["Smith", "Jones"]


def test_long_lines_and_many_lines_take_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_parser, "_fill", None)  # segmentation only
    one_line = "Smith, J. 2001. Title of a work. Journal 3: 1–9. " * 40_000  # ~2 MB
    many = "Smith, J. 2001. Title. Journal 3: 1–9.\n" * 20_000
    for text in (one_line, many):
        started = time.perf_counter()
        doc = parse(SourceText("big.txt", text))
        assert time.perf_counter() - started < 20
        assert doc.problems == []


def test_json_report_says_how_each_file_was_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text(
        "References\n\n1. Smith, J. 2001. A Book. London: Press.\n"
        "2. Jones, K. 2002. Another Book. Paris: Gallimard.\n"
        "3. Brown, L. 2003. A Third Book. Berlin: Springer.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("Nothing to see here.\n", encoding="utf-8")
    main(["check", "--offline", "--format", "json", str(tmp_path)])
    files = {Path(f["path"]).name: f for f in json.loads(capsys.readouterr().out)["files"]}
    assert files["a.txt"]["layout"] == "numbered"
    assert "layout" not in files["b.txt"]


def test_notes_with_citation_keys_are_not_a_list() -> None:
    doc = _parse(
        "---\ntitle: Notes on citation keys\nbibliography: refs.json\n---\n\n"
        "Keys break in predictable ways [@doe99; see @smith2000, p. 3]. As @doe99 shows,\n"
        "a renamed entry leaves a dangling key [-@smyth2000]. See [@fig:flow] for the flow.\n",
        "notes.md",
    )
    assert doc.references == []
    assert doc.layout is None
