"""LaTeX .bbl: thebibliography (natbib, plain) and biblatex entries, with exact positions."""
# ruff: noqa: E501  (documents and expected values are clearer on one line)

from __future__ import annotations

from pathlib import Path

from refcheck.config import Settings
from refcheck.engine import check
from refcheck.model import SourceText
from refcheck.parsers import parse
from refcheck.parsers.texplain import to_plain

DATA = Path(__file__).parent / "data" / "formats"


def _doc(text: str, path: str = "paper.bbl"):  # type: ignore[no-untyped-def]
    return parse(SourceText(path, text), "bbl")


def test_natbib_items_read_by_their_blocks() -> None:
    text = (DATA / "natbib.bbl").read_text(encoding="utf-8")
    doc = _doc(text)
    assert not doc.problems
    a, b = doc.references
    assert (a.key, a.label) == ("smith01", "Smith et al.(2001)Smith, Jones, and König")
    assert [(x.family, x.given) for x in a.authors] == [("Smith", "J."), ("Jones", "A."), ("König", "K.")]
    assert (a.title, a.container) == ("Alliances in the long run", "Journal of Internatonal Affairs")
    assert (a.volume, a.issue, a.pages, a.year, a.doi) == ("12", "3", "1–10", 2001, "10.1000/xyz123")
    s, e = a.field_spans["journal"]
    assert text[s:e] == "Journal of Internatonal Affairs"
    s, e = a.field_spans["pages"]
    assert text[s:e] == "1--10"
    assert (b.key, b.title, b.year) == ("walt87", "The Origins of Alliances", 1987)
    assert [(x.family, x.given) for x in b.authors] == [("Walt", "Stephen M.")]


def test_plain_numbered_items_with_accents_and_inverted_names() -> None:
    text = (
        "\\begin{thebibliography}{1}\n\n"
        "\\bibitem{k1}\nM.~M{\\\"u}ller and J.~van~der Berg.\n\\newblock Ein {T}itel.\n"
        "\\newblock {\\em Zeitschrift f{\\\"u}r Physik}, 3:\\penalty0 4--7, 1999.\n\n"
        "\\bibitem{k2}\nSloviter, R.~S., and Ali-Akbarian, L.\n\\newblock Receptors.\n"
        "\\newblock In {\\em Proceedings of Things}, pages 9--12, 2003.\n\n"
        "\\end{thebibliography}\n"
    )
    k1, k2 = _doc(text).references
    assert (k1.label, [a.family for a in k1.authors]) == ("1", ["Müller", "van der Berg"])
    assert (k1.title, k1.container, k1.volume, k1.pages, k1.year) == (
        "Ein Titel", "Zeitschrift für Physik", "3", "4–7", 1999)
    assert [(a.family, a.given) for a in k2.authors] == [("Sloviter", "R. S."), ("Ali-Akbarian", "L.")]
    assert (k2.container, k2.pages, k2.year) == ("Proceedings of Things", "9–12", 2003)
    assert "booktitle" in k2.field_spans


def test_typo_in_bbl_found_at_its_place() -> None:
    text = (DATA / "natbib.bbl").read_text(encoding="utf-8")
    findings = [f for f in check([_doc(text)], Settings(offline=True)).findings
                if f.severity.value != "info"]
    (hit,) = findings
    assert (hit.text, hit.span.line, hit.span.column) == ("Internatonal", 7, 28)


def test_biblatex_entries() -> None:
    text = (DATA / "biblatex.bbl").read_text(encoding="utf-8")
    doc = _doc(text)
    assert not doc.problems
    (ref,) = doc.references
    assert (ref.key, ref.entry_type) == ("smith01", "article")
    assert [(a.family, a.given) for a in ref.authors] == [("Smith", "John"), ("König", "Anne")]
    assert (ref.title, ref.container, ref.volume, ref.issue) == (
        "Alliances in the long run", "Journal of Internatonal Affairs", "12", "3")
    assert (ref.pages, ref.year, ref.publisher) == ("1–10", 2001, "Springer")
    assert ref.doi == "10.1000/xyz123" and ref.urls == ["https://example.org/a"]
    s, e = ref.field_spans["doi"]
    assert text[s:e] == "10.1000/xyz123"
    findings = [f for f in check([doc], Settings(offline=True)).findings if f.severity.value != "info"]
    assert [(f.text, f.span.line) for f in findings] == [("Internatonal", 24)]


def test_biblatex_old_name_format_and_unclosed_entry() -> None:
    text = (
        "\\entry{a}{book}{}\n  \\name{author}{1}{}{%\n"
        "    {{uniquename=0}{Walt}{W\\bibinitperiod}{Stephen}{S\\bibinitperiod}{}{}{}{}}%\n  }\n"
        "  \\field{title}{The Origins of Alliances}\n  \\field{year}{1987}\n\\endentry\n"
        "\\entry{b}{article}{}\n  \\field{title}{Never closed}\n"
    )
    doc = _doc(text)
    a, b = doc.references
    assert [(x.family, x.given) for x in a.authors] == [("Walt", "Stephen")]
    assert (a.title, a.year, b.title) == ("The Origins of Alliances", 1987, "Never closed")
    assert [p.kind for p in doc.problems] == ["bbl-syntax"]


def test_latex_rendering_keeps_offsets() -> None:
    text = "K{\\\"o}nig~and \\emph{Jour--nal} 10\\penalty0 (2) \\url{a_b%c}"
    plain = to_plain(text)
    assert plain.text == "König and Jour–nal 10(2) a_b%c"
    i = plain.text.index("König")
    assert plain.span(i, i + 5) == (0, text.index("nig") + 3)
    j = plain.text.index("a_b")
    s, e = plain.span(j, j + 5)  # type: ignore[misc]
    assert text[s:e] == "a_b%c"
