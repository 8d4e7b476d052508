"""Issue 17: citation shapes of real typeset papers, written here from scratch.

Statistics vignettes and papers cite with locators after the year ("Table
3.2, page 101"), with the parenthesis's own words before the source
("example data taken from …"), with corporate authors of several words
("Statistics Core Group 2015"), and they print console transcripts whose
"[1]" and "[90, 3]" are no citations.  Each document below is generated for
the test; only the shapes are those of the real documents.
"""

from __future__ import annotations

from refcheck.citations import author_date_citations, body_text, console_spans
from refcheck.config import Settings
from refcheck.engine import check
from refcheck.model import Finding, SourceText
from refcheck.parsers import parse

LIST = """\
References

Berg K, Lund P (1981). Distributions of Ranks. Wiley, New York.

Moreau C (2004). Contingency Tables in Practice. 2nd edition. Wiley, Hoboken.

Moreau C (2009). Exact Tests for Small Samples. Springer, Berlin.

R Core Team (2015). R: A Language and Environment for Statistical Computing. Vienna.
"""


def _findings(body: str) -> list[Finding]:
    doc = parse(SourceText("paper.txt", body + "\n\n" + LIST), "text")
    return check([doc], Settings(offline=True, select=["RC9"])).findings


def _codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.message) for f in findings]


def test_locators_and_lead_in_words_around_a_citation() -> None:
    cites = author_date_citations(
        "(example data taken from Moreau, 2004, Table 3.2, page 101) and "
        "(see Berg and Lund, 1981, Chapter 12) and (as proposed by Moreau 2009, Theorem 2)"
    )
    assert [(c.names, c.year) for c in cites] == [
        (("Moreau",), 2004), (("Berg", "Lund"), 1981), (("Moreau",), 2009)]


def test_corporate_author_of_several_words() -> None:
    cites = author_date_citations(
        "the Calc system (Statistics Core Group 2015, http://calc.example.org/) and "
        "(R Core Team 2019)")
    assert [(c.names, c.year) for c in cites] == [
        (("Statistics Core Group",), 2015), (("R Core Team",), 2019)]


def test_a_paper_citing_every_entry_so_is_quiet() -> None:
    body = (
        "Introduction\n\n"
        "Earlier summaries exist (Moreau 2004; Berg and Lund 1981). The data are "
        "analysed in the R system for statistics (R Core Team "
        "2015, http://www.r-project.example.org/). Both g and h are dummy matrices (example data "
        "taken from Moreau, 2004, Table 3.2, page 101). The limiting distribution is "
        "known (see Berg and Lund, 1981, Chapter 12). However, Moreau (2009) showed "
        "that exact tests do better. In R Core Team (2015) the functions are "
        "documented."
    )
    assert _codes(_findings(body)) == []


def test_a_missing_corporate_entry_is_still_reported() -> None:
    body = (
        "We use R (R Core Team 2015) and tables from Moreau (2004) and "
        "Moreau (2009), with ranks as in Berg and Lund (1981), and the graphics of "
        "the Data Graphics Unit (2012)."
    )
    found = [(f.code, f.text) for f in _findings(body)]
    assert ("RC905", "2012") in found, found


CONSOLE = """\
Introduction

Ranks are computed as in [1] and tables as in [2].

R> fit <- rankfit(y ~ x, data = d)

R> str(fit)

Data: double [90, 3]

Index: Date [90] (TZ: "UTC")

> quantile(fit$ranks)

[1] 0 6 13 20 27

[6] 34 41

The fitted ranks agree with the exact distribution of [2] in every case we tried
so far, and the third method [3] is slower.

> As [3] puts it, ranks are robust.

References

[1] Berg K, Lund P. Distributions of Ranks. Wiley, New York; 1981.

[2] Moreau C. Contingency Tables in Practice. Wiley, Hoboken; 2004.

[3] Moreau C. Exact Tests for Small Samples. Springer, Berlin; 2009.
"""


def test_console_transcript_is_no_citation() -> None:
    doc = parse(SourceText("paper.txt", CONSOLE), "text")
    found = check([doc], Settings(offline=True, select=["RC9"])).findings
    assert [(f.code, f.message) for f in found] == []
    blanked = body_text(doc)
    assert "[90, 3]" not in blanked and "[6] 34" not in blanked
    # Prose after the transcript, and a Markdown quote, keep their citations.
    assert "exact distribution of [2]" in blanked
    assert "As [3] puts it" in blanked


def test_console_spans_need_code_after_the_prompt() -> None:
    quote = "> As Walt (1987) argues, alliances balance threats.\n"
    assert console_spans(quote) == []
    code = "> x <- c(1, 2)\n[1] 1 2\n"
    assert console_spans(code) == [(0, len(code))]


def test_latex_quoted_in_a_pdf_read_as_text_is_no_citation() -> None:
    # The PDF and Word readers hand the text reader a LocatedSource: the document's
    # format is then "text", but its \cite{…} is still LaTeX source quoted in print.
    from refcheck.parsers.located import LocatedSource
    from refcheck.rules.base import Context
    from refcheck.rules.citations import undefined_citation_key

    bib = parse(SourceText("refs.bib", "@article{known, title={T}, year={2020}}\n"), "bibtex")
    text = "Write \\cite{unknownkey} in your source to cite a work.\n"
    typeset = parse(LocatedSource("paper.pdf", text, [], kind="pdf"), "text")
    plain = parse(SourceText("paper.txt", text), "text")
    assert typeset.format == "text"
    found = {d.path: len(list(undefined_citation_key.check(d, Context(documents=[d, bib]))))
             for d in (typeset, plain)}
    assert found == {"paper.pdf": 0, "paper.txt": 1}


def test_suffix_letters_and_remarks_after_the_year() -> None:
    cites = author_date_citations(
        "(Lund and Berg 1999b,a) and Lund and Berg (1999b, a) and "
        "(Moreau 2004, kept in an archive) and (Walt 1987, a)")
    assert [(c.names, c.year, c.year_suffix) for c in cites] == [
        (("Lund", "Berg"), 1999, "b"), (("Lund", "Berg"), 1999, "a"),
        (("Lund", "Berg"), 1999, "b"), (("Lund", "Berg"), 1999, "a"),
        (("Moreau",), 2004, None),
        # A letter continues only a year that had one: "1987, a" is no 1987a.
        (("Walt",), 1987, None)]
