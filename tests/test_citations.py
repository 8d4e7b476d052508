"""Citations in the text against the reference list (RC901–RC912), on realistic documents.

Each document below is written the way its style's manuals show (IEEE,
Vancouver with superscripts, APA 7, Chicago author-date, LaTeX + biblatex
with a .bib, pandoc Markdown with CSL-JSON), with deliberate mistakes whose
positions the tests check; the seeds in ``references/`` check that real
documents without such mistakes stay quiet and that seed 002 (citations,
no list) is reported once.
"""
# ruff: noqa: E501  (the documents keep their natural, long reference lines)

from __future__ import annotations

import time
from pathlib import Path

import pytest

from refcheck.citations import (
    author_date_citations,
    body_text,
    key_citations,
    numbered_citations,
)
from refcheck.config import Settings
from refcheck.engine import check, load_document
from refcheck.model import Document, Finding, SourceText
from refcheck.parsers import latex_doc, parse

ROOT = Path(__file__).resolve().parent.parent

IEEE = """\
Graph Neural Networks for Traffic Forecasting: A Short Review

Abstract—Traffic forecasting has moved from statistical models to deep
learning over the last decade [1]. We summarise the main families.

I. INTRODUCTION

Early work relied on ARIMA models [2], [3] and on Kalman filtering [4].
Recurrent networks [1, 3–5] improved accuracy but ignored the road graph.
Spatio-temporal graph convolution [9] changed this; see also the survey in
[6, p. 12]. Data for the year [2022] were not available [sic], and the
benchmark of [7] is still the reference.

REFERENCES

[1] Y. Li, R. Yu, C. Shahabi, and Y. Liu, "Diffusion convolutional recurrent neural network: Data-driven traffic forecasting," in Proc. Int. Conf. Learn. Represent. (ICLR), 2018.
[2] B. M. Williams and L. A. Hoel, "Modeling and forecasting vehicular traffic flow as a seasonal ARIMA process," J. Transp. Eng., vol. 129, no. 6, pp. 664–672, 2003.
[3] M. Van Der Voort, M. Dougherty, and S. Watson, "Combining Kohonen maps with ARIMA time series models to forecast traffic flow," Transp. Res. C, vol. 4, no. 5, pp. 307–318, 1996.
[4] I. Okutani and Y. J. Stephanedes, "Dynamic prediction of traffic volume through Kalman filtering theory," Transp. Res. B, vol. 18, no. 1, pp. 1–11, 1984.
[5] X. Ma, Z. Tao, Y. Wang, H. Yu, and Y. Wang, "Long short-term memory neural network for traffic speed prediction using remote microwave sensor data," Transp. Res. C, vol. 54, pp. 187–197, 2015.
[7] B. Yu, H. Yin, and Z. Zhu, "Spatio-temporal graph convolutional networks: A deep learning framework for traffic forecasting," in Proc. IJCAI, 2018, pp. 3634–3640.
[8] Z. Wu, S. Pan, G. Long, J. Jiang, and C. Zhang, "Graph WaveNet for deep spatial-temporal graph modeling," in Proc. IJCAI, 2019, pp. 1907–1913.
"""

VANCOUVER = """\
Statins in primary prevention: a brief update

Statin therapy reduced all-cause mortality in primary prevention.¹ Later trials
confirmed the effect in older adults²,³ and in people with raised CRP.⁵ Adverse
effects were rare in 2019 [sic] and did not change the conclusions.

References
1. Taylor F, Huffman MD, Macedo AF, Moore THM, Burke M, Davey Smith G, et al. Statins for the primary prevention of cardiovascular disease. Cochrane Database Syst Rev. 2013;(1):CD004816.
2. Shepherd J, Blauw GJ, Murphy MB, Bollen EL, Buckley BM, Cobbe SM, et al. Pravastatin in elderly individuals at risk of vascular disease (PROSPER): a randomised controlled trial. Lancet. 2002;360(9346):1623-30.
3. Ridker PM, Danielson E, Fonseca FA, Genest J, Gotto AM Jr, Kastelein JJ, et al. Rosuvastatin to prevent vascular events in men and women with elevated C-reactive protein. N Engl J Med. 2008;359(21):2195-207.
4. Collins R, Reith C, Emberson J, Armitage J, Baigent C, Blackwell L, et al. Interpretation of the evidence for the efficacy and safety of statin therapy. Lancet. 2016;388(10059):2532-61.
"""

APA = """\
# Alliances after the Cold War

Balance-of-threat theory (Walt, 1987a) explains alignment better than the balance of
power (Waltz, 1979). Walt (1987b) applied it to the Middle East, and later work
extended it to the post-Soviet space (Allison, 2004; Kuchins & Mankoff, 2016).
Mearsheimer (2009) doubts that institutions matter at all, whereas institutionalists
(Keohane, 1984, p. 12) disagree. Snyder (1997) distinguishes alliance from alignment.
Jervis (1978) adds the security dilemma. In 1991 (the year the Soviet Union dissolved)
twelve states signed the treaty.

## References

Allison, R. (2004). Regionalism, regional structures and security management in Central Asia. *International Affairs, 80*(3), 463–483.

Keohane, R. O. (1984). *After hegemony: Cooperation and discord in the world political economy*. Princeton University Press.

Kuchins, A. C., & Mankoff, J. (2016). *The South Caucasus in a reconnecting Eurasia*. Center for Strategic and International Studies.

Mearsheimer, J. J. (2001). *The tragedy of great power politics*. W. W. Norton.

Snyder, G. H. (1997). *Alliance politics*. Cornell University Press.

Snyder, G. H. (1997). The security dilemma in alliance politics. *World Politics, 36*(4), 461–495.

Walt, S. M. (1987a). *The origins of alliances*. Cornell University Press.

Walt, S. M. (1987b). Alliance formation and the balance of world power. *International Security, 9*(4), 3–43.

Waltz, K. N. (1979). *Theory of international politics*. Addison-Wesley.

Wohlforth, W. C. (1999). The stability of a unipolar world. *International Security, 24*(1), 5–41.
"""

CHICAGO = """\
Why Small States Join Alliances

Small states balance against threats rather than power (Walt 1985, 12). Leeds (2003,
45–47) shows that alliance commitments are usually honoured, and the evidence from
the 1990s (Leeds 2003; Walt 2009) supports this. Snyder (1984) describes the
alliance security dilemma.

References

Leeds, Brett Ashley. 2003. "Alliance Reliability in Times of War: Explaining State Decisions to Violate Treaties." International Organization 57 (4): 801–27.

Snyder, Glenn H. 1984. "The Security Dilemma in Alliance Politics." World Politics 36 (4): 461–95.

Walt, Stephen M. 1985. "Alliance Formation and the Balance of World Power." International Security 9 (4): 3–43.

Walt, Stephen M. 2000. "Keeping the World 'Off-Balance': Self-Restraint and U.S. Foreign Policy." Working paper, Kennedy School of Government, Harvard University.
"""

REFS_BIB = """\
@book{walt1987,
  author    = {Walt, Stephen M.},
  title     = {The Origins of Alliances},
  publisher = {Cornell University Press},
  address   = {Ithaca, NY},
  year      = {1987}
}

@book{waltz1979,
  author    = {Waltz, Kenneth N.},
  title     = {Theory of International Politics},
  publisher = {Addison-Wesley},
  address   = {Reading, MA},
  year      = {1979}
}

@article{allison2004,
  author  = {Allison, Roy},
  title   = {Regionalism, Regional Structures and Security Management in {Central Asia}},
  journal = {International Affairs},
  volume  = {80},
  number  = {3},
  pages   = {463--483},
  year    = {2004},
  doi     = {10.1111/j.1468-2346.2004.00393.x}
}

@book{snyder1997,
  author    = {Snyder, Glenn H.},
  title     = {Alliance Politics},
  publisher = {Cornell University Press},
  address   = {Ithaca, NY},
  year      = {1997}
}
"""

REFS_JSON = """\
[
  {"id": "doe99", "type": "book", "title": "Why Citations Break", "author": [{"family": "Doe", "given": "Jane"}], "issued": {"date-parts": [[1999]]}, "publisher": "Example Press"},
  {"id": "smith2000", "type": "article-journal", "title": "Keys and Lists", "author": [{"family": "Smith", "given": "John"}], "container-title": "Journal of Examples", "volume": "3", "page": "1-10", "issued": {"date-parts": [[2000]]}},
  {"id": "roe2005", "type": "book", "title": "Unread Works", "author": [{"family": "Roe", "given": "Richard"}], "issued": {"date-parts": [[2005]]}, "publisher": "Example Press"}
]
"""

PANDOC_MD = """\
---
title: Notes on citation keys
bibliography: refs.json
---

Keys break in predictable ways [@doe99; see @smith2000, p. 3]. As @doe99 shows,
a renamed entry leaves a dangling key [-@smyth2000]. See [@fig:flow] for the flow.
Write to editor@example.org or follow @journal on social media.

```
[@notacitation]
```
"""

PAPER_TEX = r"""\
\documentclass{article}
\usepackage[style=authoryear]{biblatex}
\addbibresource{refs.bib}
\begin{document}
\section{Introduction}
Alliances form against threats rather than power \parencite{walt1987}, which
\textcite[12]{waltz1979} would dispute. On Central Asia see
\autocite[see][463]{allison2004,alison2004}. Email: someone@example.org.
% \cite{commented2000} is switched off
\footcite{Walt1987} and 50\% of cases \cites{walt1987}[p.~3]{mearsheimer2001}.
\printbibliography
\end{document}
"""


def _doc(text: str, fmt: str, path: str) -> Document:
    if fmt == "latex":
        return latex_doc.parse(SourceText(path, text))
    return parse(SourceText(path, text), fmt)


def _run(*docs: Document) -> list[Finding]:
    return check(list(docs), Settings(offline=True, select=["RC9"])).findings


def _found(findings: list[Finding]) -> list[tuple[str, int, str | None]]:
    return [(f.code, f.span.line, f.text) for f in findings]


# --------------------------------------------------------------------------
# Extraction


def test_numbered_extraction_keeps_citations_and_skips_prose() -> None:
    body = (
        "as in [1], [2]–[4] and [1, 3–5]; see [6, p. 12]. In [2022] the data [sic] "
        "covered [1998–2004]. A link [1](https://example.org), a note[^1], "
        "superscripts mortality.¹ and adults²,³ or results⁴⁻⁶."
    )
    cites = numbered_citations(body)
    numbers = [c.number for c in cites]
    assert numbers == [1, 2, 3, 4, 1, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]
    # Each citation points at what is written: "3–5" for 3, 4 and 5.
    assert {body[c.start : c.end] for c in cites if c.number == 5} == {"3–5", "⁴⁻⁶"}
    assert all(c.number not in (12, 2022, 1998) for c in cites)


def test_author_date_extraction_styles() -> None:
    body = (
        "as argued (Walt 1985; Leeds and Smith 2003a, 2004, p. 12). Walt (1985, 12) says; "
        "Walt et al. (2003) agree (see De Haas 2015) [Иванов, 2010, с. 5] (UNODC 2010). "
        "Walt's (1987) view (Walt, 1988, pp. 3-4) and (Mearsheimer & Walt, 2003) "
        "(van Evera 1999) (Schmidt n.d.). In 1991 (the year the union ended) and "
        "(Armenia, Belarus and Russia) and in (1991) and in Spring (2010)."
    )
    got = [(c.label, body[c.start : c.end]) for c in author_date_citations(body)]
    assert got == [
        ("Walt 1985", "1985"),
        ("Leeds and Smith 2003a", "2003a"),
        ("Leeds and Smith 2004", "2004"),
        ("Walt 1985", "1985"),
        ("Walt et al. 2003", "2003"),
        ("De Haas 2015", "2015"),
        ("Иванов 2010", "2010"),
        ("UNODC 2010", "2010"),
        ("Walt 1987", "1987"),
        ("Walt 1988", "1988"),
        ("Mearsheimer and Walt 2003", "2003"),
        ("van Evera 1999", "1999"),
        ("Schmidt n.d.", "n.d."),
    ]


def test_key_extraction_latex_and_pandoc() -> None:
    tex = _doc(PAPER_TEX, "latex", "paper.tex")
    keys = [(c.key, c.style) for c in key_citations(body_text(tex), pandoc=False)]
    assert keys == [
        ("walt1987", "latex"),
        ("waltz1979", "latex"),
        ("allison2004", "latex"),
        ("alison2004", "latex"),
        ("Walt1987", "latex"),
        ("walt1987", "latex"),
        ("mearsheimer2001", "latex"),
    ]  # the commented-out \cite and the e-mail address are not citations
    md = _doc(PANDOC_MD, "text", "notes.md")
    pandoc_keys = [c.key for c in key_citations(body_text(md), latex=False)]
    # Fenced code and e-mail addresses are not citations; bare @key counts in pandoc Markdown.
    assert pandoc_keys == ["doe99", "smith2000", "doe99", "smyth2000", "fig:flow", "journal"]


def test_bare_at_sign_is_not_a_citation_outside_pandoc_documents() -> None:
    body = "Follow @nato and @csto_official, or write to press@nato.int."
    assert key_citations(body) == []


# --------------------------------------------------------------------------
# Numbered styles


def test_ieee_missing_out_of_range_and_uncited() -> None:
    doc = _doc(IEEE, "text", "ieee.txt")
    assert doc.layout == "numbered"
    assert _found(_run(doc)) == [
        ("RC903", 10, "9"),  # [9] with a list ending at 8
        ("RC902", 11, "6"),  # [6, p. 12]: the list skips 6
        ("RC904", 22, "8"),  # entry [8] is never cited
    ]


def test_vancouver_superscripts() -> None:
    doc = _doc(VANCOUVER, "text", "vanc.txt")
    findings = _run(doc)
    assert _found(findings) == [("RC903", 4, "⁵"), ("RC904", 11, "4")]
    assert findings[0].message == "[5] is cited but the reference list ends at 4"


# --------------------------------------------------------------------------
# Author-date styles


def test_apa_year_mismatch_missing_ambiguous_and_uncited() -> None:
    doc = _doc(APA, "text", "apa.md")
    assert doc.layout == "author-date"
    findings = _run(doc)
    assert _found(findings) == [
        ("RC906", 6, "2009"),  # Mearsheimer (2009), listed 2001
        ("RC907", 7, "1997"),  # Snyder (1997): two 1997 entries, no a/b
        ("RC905", 8, "1978"),  # Jervis (1978): not listed
        ("RC904", 31, "Wohlforth, W. C. (1999)"),  # never cited
    ]
    assert findings[0].suggestion == "2001"
    # Walt (1987a) and (1987b) resolve to their own entries: nothing about Walt.
    assert not any("Walt" in f.message for f in findings)


def test_chicago_year_mismatch_cited_2009_listed_2000() -> None:
    findings = _run(_doc(CHICAGO, "text", "chicago.txt"))
    assert _found(findings) == [("RC906", 5, "2009")]
    assert "'Walt 2009' is cited but the list has Walt (1985, 2000)" in findings[0].message


def test_bare_list_and_single_citation_produce_no_never_cited() -> None:
    _head, _, refs = APA.partition("## References")
    bare = _doc("## References" + refs, "text", "bare.md")
    assert bare.layout == "author-date" and len(bare.references) == 10
    assert _run(bare) == []
    one = _doc("Alliances balance threats (Walt, 1987a).\n\n## References" + refs, "text", "one.md")
    assert _run(one) == []


# --------------------------------------------------------------------------
# LaTeX and pandoc keys


def test_latex_with_bib_undefined_and_unused() -> None:
    bib = _doc(REFS_BIB, "bibtex", "refs.bib")
    csl = _doc(REFS_JSON, "csl-json", "refs.json")
    tex = _doc(PAPER_TEX, "latex", "paper.tex")
    findings = _run(bib, csl, tex)
    tex_findings = [(f.code, f.text, f.suggestion) for f in findings if f.path == "paper.tex"]
    assert tex_findings == [
        ("RC910", "alison2004", "allison2004"),
        ("RC910", "Walt1987", "walt1987"),  # BibTeX keys are matched exactly
        ("RC910", "mearsheimer2001", None),
    ]
    # \addbibresource{refs.bib}: only refs.bib is checked against paper.tex.
    assert [(f.code, f.text) for f in findings if f.path == "refs.bib"] == [("RC912", "snyder1997")]


def test_pandoc_with_csl_json_undefined_and_unused() -> None:
    bib = _doc(REFS_BIB, "bibtex", "refs.bib")
    csl = _doc(REFS_JSON, "csl-json", "refs.json")
    md = _doc(PANDOC_MD, "text", "notes.md")
    findings = _run(bib, csl, md)
    assert [(f.code, f.text, f.suggestion) for f in findings if f.path == "notes.md"] == [
        ("RC910", "smyth2000", "smith2000"),
        ("RC910", "journal", None),
    ]  # [@fig:flow] is a pandoc-crossref label, not a citation
    assert [(f.code, f.text) for f in findings if f.path == "refs.json"] == [("RC912", "roe2005")]
    # refs.bib is not named by notes.md, and nothing else cites it.
    assert not [f for f in findings if f.path == "refs.bib"]


def test_keys_without_their_bibliography_said_once() -> None:
    findings = _run(_doc(PANDOC_MD, "text", "notes.md"), _doc(PAPER_TEX, "latex", "paper.tex"))
    assert [(f.path, f.code) for f in findings] == [("notes.md", "RC911"), ("paper.tex", "RC911")]
    assert "refs.json was not checked" in findings[0].message


def test_thebibliography_keys_are_defined() -> None:
    tex = (
        "\\documentclass{article}\\begin{document}\n"
        "As shown by \\cite{knuth84} and \\cite{lamport94}.\n"
        "\\begin{thebibliography}{9}\n\\bibitem{knuth84} D. Knuth. The TeXbook. 1984.\n"
        "\\end{thebibliography}\n\\end{document}\n"
    )
    findings = _run(_doc(tex, "latex", "a.tex"))
    assert [(f.code, f.text) for f in findings] == [("RC910", "lamport94")]


# --------------------------------------------------------------------------
# The seeds


def test_seed_002_without_list_is_reported_once() -> None:
    doc = load_document(str(ROOT / "references/002-sair-csto-kyrgyzstan.txt"), Settings())
    findings = _run(doc)
    assert len(findings) == 1
    f = findings[0]
    assert f.code == "RC901" and f.text == "[1]"
    assert "[1], [2]" in f.message and "no reference list" in f.message


@pytest.mark.parametrize(
    "name",
    [
        "000-csto-abstract-page.txt",
        "001-memo-krivopalov-2021.txt",
        "003-thesis-csto-nato.txt",
        "004-jrs-post-soviet-security.txt",
        "sample.bib",
        "sample.json",
    ],
)
def test_seeds_without_citation_problems_stay_quiet(name: str) -> None:
    doc = load_document(str(ROOT / "references" / name), Settings())
    assert _run(doc) == []


# --------------------------------------------------------------------------
# Robustness


@pytest.mark.parametrize(
    "text",
    [
        "(" * 50_000 + "Walt 1985" + ")" * 50_000,
        "[1, " * 30_000 + "]",
        "\\cite{" * 20_000,
        "[@" * 30_000 + "x]",
        "Walt " * 20_000 + "(1985",
        "¹" * 40_000,
        "",
    ],
    ids=["parens", "brackets", "cite", "pandoc", "names", "superscripts", "empty"],
)
def test_pathological_input_is_fast_and_never_raises(text: str) -> None:
    start = time.perf_counter()
    _run(_doc(text, "text", "x.md"), _doc(text, "latex", "x.tex"))
    assert time.perf_counter() - start < 3.0


def test_latex_quoted_in_a_typeset_document_is_no_citation() -> None:
    # A PDF's text showing LaTeX source ("write \cite{key} to cite") holds no citation:
    # LaTeX turned every real \cite into text before the PDF was made.
    from refcheck.model import Document, SourceText
    from refcheck.parsers import parse
    from refcheck.rules.base import Context
    from refcheck.rules.citations import undefined_citation_key

    bib = parse(SourceText("refs.bib", "@article{known, title={T}, year={2020}}\n"), "bibtex")
    text = "Write \\cite{unknownkey} in your source to cite a work.\n"
    for fmt, expected in (("text", 1), ("pdf", 0), ("docx", 0)):
        doc = Document(SourceText("paper", text), fmt)
        hits = list(undefined_citation_key.check(doc, Context(documents=[doc, bib])))
        assert len(hits) == expected, fmt
