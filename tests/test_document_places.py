"""Issue 17: places in PDF, Word and .bbl files are named the way their reader finds them.

A message that points at another reference names its page and line (PDF) or
paragraph (Word), not a line of the text refcheck made from the document; the
existence verdicts carry the same page or part as findings; ``--fix`` leaves a
``.bbl`` alone and says the fix belongs in the ``.bib``.  Documents are built
here (``tests/docbuild.py``); nothing is read from outside the repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fpdf")
pytest.importorskip("pypdfium2")

from docbuild import WORKS, PdfStyle, apa, article, build_docx, build_pdf, dejavu

from refcheck.cli import main
from refcheck.io import read_source
from refcheck.model import SourceText
from refcheck.parsers import docx, parse, pdf

needs_font = pytest.mark.skipif(dejavu() is None, reason="DejaVu Serif is not installed")


def _article_with_a_copy() -> list[Any]:
    """An author-date article of eight works whose list gives its second work twice."""
    works = list(WORKS)[:8]
    entries = sorted(apa(w) for w in works)
    entries.insert(3, entries[1])
    cites = [f"({w[1]}, {w[2]})" for w in works]
    return article(entries, cites, numbered=False, paragraphs_per_cite=1)


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main([*args, "--format", "json"])
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def _rc402(report: dict[str, Any]) -> dict[str, Any]:
    hit: dict[str, Any]
    (hit,) = [f for f in report["findings"] if f["code"] == "RC402"]
    return hit


@needs_font
def test_pdf_copy_names_the_page_and_line_of_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(build_pdf(_article_with_a_copy(), PdfStyle(columns=1)))
    doc = pdf.parse(read_source(str(path)))
    entries = list(doc.entries())
    first, copy = entries[1], entries[3]
    assert first.raw == copy.raw
    hit = _rc402(_json(["check", "--offline", str(path)], capsys))
    assert (hit["page"], hit["line"]) == (copy.page, copy.line)
    assert f"repeats the one at page {first.page}, line {first.line} " in hit["message"]
    # The text refcheck read the PDF into has lines of its own: those are not named.
    text_line = doc.source.position(first.start)[0]
    assert text_line != first.line
    assert f"line {text_line} " not in hit["message"]


def test_word_copy_names_the_paragraph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "paper.docx"
    path.write_bytes(build_docx(_article_with_a_copy()))
    doc = docx.parse(read_source(str(path)))
    first = list(doc.entries())[1]
    assert first.part == "body"
    report = _json(["check", "--offline", str(path)], capsys)
    hit = _rc402(report)
    assert hit["part"] == "body"
    assert f"repeats the one at paragraph {first.line} " in hit["message"]
    # A citation reaches the work whatever copy it lands on: no RC907 for copies.
    assert not [f for f in report["findings"] if f["code"] == "RC907"]


def test_word_ambiguous_citation_names_paragraphs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    works = list(WORKS)[:6]
    w = works[0]
    # Another work by the same authors in the same year: citations cannot tell them apart.
    works.append((w[0], w[1], w[2], "A second study of the same question", *w[4:]))
    entries = sorted(apa(x) for x in works)
    paras = article(entries, [f"({x[1]}, {x[2]})" for x in works], numbered=False)
    path = tmp_path / "paper.docx"
    path.write_bytes(build_docx(paras))
    report = _json(["check", "--offline", str(path)], capsys)
    ambiguous = [f for f in report["findings"] if f["code"] == "RC907"]
    assert ambiguous, report["findings"]
    assert all(re.search(r"\(paragraph \d+; paragraph \d+\)", f["message"])
               for f in ambiguous), ambiguous


def test_text_copy_still_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = sorted(apa(w) for w in list(WORKS)[:4])
    entries.insert(2, entries[0])
    path = tmp_path / "refs.txt"
    path.write_text("References\n\n" + "\n\n".join(entries) + "\n", encoding="utf-8")
    hit = _rc402(_json(["check", "--offline", str(path)], capsys))
    assert "repeats the one at line 3 " in hit["message"], hit
    assert "page" not in hit and "part" not in hit


def test_verdicts_carry_the_page_or_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paras = article(sorted(apa(w) for w in list(WORKS)[:4]),
                    [f"({w[1]}, {w[2]})" for w in list(WORKS)[:4]], numbered=False)
    docx_path = tmp_path / "paper.docx"
    docx_path.write_bytes(build_docx(paras))
    bib = tmp_path / "refs.txt"
    bib.write_text("References\n\n" + "\n\n".join(apa(w) for w in list(WORKS)[:2]) + "\n",
                   encoding="utf-8")
    files = [str(docx_path), str(bib)]
    if dejavu() is not None:
        pdf_path = tmp_path / "paper.pdf"
        pdf_path.write_bytes(build_pdf(paras))
        files.append(str(pdf_path))
    # Online, with every registry unreachable: each reference still gets a verdict.
    report = _json(["check", "--no-cache", "--sources", "crossref", "--allow-private-hosts",
                    "--crossref-url", "http://127.0.0.1:9", "--doi-resolver",
                    "http://127.0.0.1:9", "--timeout", "1", "--select", "RC8", *files], capsys)
    by_path: dict[str, list[dict[str, Any]]] = {}
    for v in report["references"]:
        by_path.setdefault(v["path"], []).append(v)
    assert {v["part"] for v in by_path[str(docx_path)]} == {"body"}
    assert all("page" not in v and "part" not in v for v in by_path[str(bib)])
    if dejavu() is not None:
        doc = pdf.parse(read_source(files[-1]))
        assert [(v["page"], v["line"]) for v in by_path[files[-1]]] == [
            (r.page, r.line) for r in doc.entries()]


BBL = r"""\begin{thebibliography}{1}

\bibitem[Walt(1987)]{walt87}
Stephen~M. Walt.
\newblock \emph{The Origins of Alliances}.
\newblock Cornell University Press, Ithaca, 1987.

\end{thebibliography}
"""


def test_fix_never_rewrites_a_bbl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "paper.bbl"
    data = BBL.replace("Origins of", "Origins\u200b of").encode("utf-8")
    path.write_bytes(data)
    # The finding has a safe fix, which a text file would get ...
    main(["check", "--offline", "--fix", str(path)])
    captured = capsys.readouterr()
    assert "RC305" in captured.out  # ... and it stays in the report,
    assert path.read_bytes() == data  # the file is not touched,
    said = captured.err + captured.out
    assert said.count("never rewrites a .bbl") == 1
    assert "in the .bib" in said
    # --diff offers nothing for it either.
    main(["check", "--offline", "--diff", str(path)])
    assert "+++" not in capsys.readouterr().out
    # The same slip in a text file is fixed, so the .bbl is left for its own reason.
    txt = tmp_path / "refs.txt"
    txt.write_text("Walt, S. M. (1987). The Origins\u200b of Alliances. Cornell University "
                   "Press.\n", encoding="utf-8")
    main(["check", "--offline", "--fix", str(txt)])
    capsys.readouterr()
    assert "\u200b" not in txt.read_text(encoding="utf-8")


def test_bbl_source_is_marked_generated() -> None:
    doc = parse(SourceText("paper.bbl", BBL), "bbl")
    assert doc.source.rewritable is False
    assert "the .bib" in (doc.source.not_rewritten or "")
    assert SourceText("refs.bib", "").rewritable is True
