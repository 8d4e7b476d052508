"""A LaTeX project: paper.tex follows its \\bibliography, .aux keys, a .bbl standing in for a .bib."""
# ruff: noqa: E501  (documents and expected values are clearer on one line)

from __future__ import annotations

import json
from pathlib import Path

from refcheck.cli import main
from refcheck.parsers.latex_doc import bibliography_files, linked_files

TEX = r"""\documentclass{article}
\usepackage{natbib}
\begin{document}
Alliances form against threats \citep{walt1987}, not power \citep{waltz1979,walt1958}.
\bibliographystyle{plainnat}
\bibliography{bib/refs,bib/more}
\end{document}
"""
REFS = """@book{walt1987, author = {Walt, Stephen M.}, title = {The Origins of Alliances},
  publisher = {Cornell University Press}, year = {1987}}
@book{unused2001, author = {Nobody, A.}, title = {Never Cited}, publisher = {Press}, year = {2001}}
"""
MORE = """@book{waltz1979, author = {Waltz, Kenneth N.}, title = {Theory of International Politics},
  publisher = {Addison-Wesley}, year = {1979}}
"""
BBL = r"""\begin{thebibliography}{2}
\bibitem[Walt(1987)]{walt1987}
Stephen~M. Walt.
\newblock \emph{The Origins of Alliances}.
\newblock Cornell University Press, Ithaca, 1987.

\bibitem[Waltz(1979)]{waltz1979}
Kenneth~N. Waltz.
\newblock \emph{Theory of International Politics}.
\newblock Addison-Wesley, Reading, MA, 1979.
\end{thebibliography}
"""


def _project(tmp_path: Path, *, bib: bool = True, bbl: bool = False) -> Path:
    (tmp_path / "paper.tex").write_text(TEX, encoding="utf-8")
    if bib:
        (tmp_path / "bib").mkdir()
        (tmp_path / "bib" / "refs.bib").write_text(REFS, encoding="utf-8")
        (tmp_path / "bib" / "more.bib").write_text(MORE, encoding="utf-8")
    if bbl:
        (tmp_path / "paper.bbl").write_text(BBL, encoding="utf-8")
    return tmp_path / "paper.tex"


def _json(tmp: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    out = tmp / "report.json"
    status = main(["check", "--offline", "--format", "json", "--output", str(out), *args])
    return status, json.loads(out.read_text(encoding="utf-8"))


def test_tex_alone_is_checked_against_the_bib_files_it_names(tmp_path: Path) -> None:
    paper = _project(tmp_path)
    status, report = _json(tmp_path, str(paper))
    files = sorted(Path(f["path"]).name for f in report["files"])
    assert files == ["more.bib", "paper.tex", "refs.bib"]
    codes = {(f["code"], Path(f["path"]).name, f["line"]) for f in report["findings"]}
    # walt1958 is defined in neither file; unused2001 is cited nowhere.
    assert ("RC910", "paper.tex", 4) in codes
    assert ("RC912", "refs.bib", 3) in codes
    assert not any(c == "RC911" for c, _, _ in codes)
    assert status == 1


def test_bbl_stands_in_when_the_bib_files_are_missing(tmp_path: Path) -> None:
    paper = _project(tmp_path, bib=False, bbl=True)
    assert bibliography_files(str(paper), TEX) == [str(tmp_path / "paper.bbl")]
    _, report = _json(tmp_path, str(paper))
    assert sorted(Path(f["path"]).name for f in report["files"]) == ["paper.bbl", "paper.tex"]
    undefined = [f for f in report["findings"] if f["code"] == "RC910"]
    assert [f["message"].split("'")[1] for f in undefined] == ["walt1958"]
    assert not any(f["code"] == "RC911" for f in report["findings"])


def test_aux_keys_bibcite_and_bibdata(tmp_path: Path) -> None:
    _project(tmp_path)
    aux = tmp_path / "paper.aux"
    aux.write_text(
        "\\relax \n\\citation{walt1987}\n\\citation{waltz1979,walt1958}\n"
        "\\abx@aux@cite{0}{lost2020}\n\\bibstyle{plainnat}\n\\bibdata{bib/refs,bib/more}\n"
        "\\bibcite{walt1987}{{1}{1987}{{Walt}}{{}}}\n\\bibcite{waltz1979}{{2}{1979}{{Waltz}}{{}}}\n",
        encoding="utf-8",
    )
    _, report = _json(tmp_path, str(aux))
    assert sorted(Path(f["path"]).name for f in report["files"]) == ["more.bib", "paper.aux", "refs.bib"]
    undefined = sorted((f["message"].split("'")[1], f["line"]) for f in report["findings"]
                       if f["code"] == "RC910")
    assert undefined == [("lost2020", 4), ("walt1958", 3)]


def test_linked_files_add_nothing_twice_and_skip_remote(tmp_path: Path) -> None:
    paper = _project(tmp_path)
    files = [str(paper), str(tmp_path / "bib" / "refs.bib")]
    assert linked_files(files) == [*files, str(tmp_path / "bib" / "more.bib")]
    biblatex = "\\addbibresource{bib/more.bib}\n\\addbibresource[datatype=ris]{none.ris}\n"
    assert bibliography_files(str(paper), biblatex) == [str(tmp_path / "bib" / "more.bib")]
    remote = "\\addbibresource[location=remote]{http://x.org/a.bib}\n% \\bibliography{bib/refs}\n"
    assert bibliography_files(str(paper), remote) == []


def test_forced_input_format_does_not_pull_in_bibliographies(tmp_path: Path) -> None:
    paper = _project(tmp_path)
    _, report = _json(tmp_path, "--input-format", "latex", str(paper))
    assert [Path(f["path"]).name for f in report["files"]] == ["paper.tex"]


def test_build_files_beside_their_tex_are_left_to_it_in_a_directory_walk(tmp_path: Path) -> None:
    _project(tmp_path, bbl=True)
    (tmp_path / "paper.aux").write_text("\\relax \n\\citation{walt1958}\n\\bibdata{bib/refs}\n",
                                        encoding="utf-8")
    _, report = _json(tmp_path, str(tmp_path))
    names = sorted(Path(f["path"]).name for f in report["files"])
    assert names == ["more.bib", "paper.tex", "refs.bib"]
    # The undefined key is reported once, in the .tex, not again in the .aux.
    assert [Path(f["path"]).name for f in report["findings"] if f["code"] == "RC910"] == ["paper.tex"]
    # Named on the command line, the build files are checked.
    _, report = _json(tmp_path, str(tmp_path / "paper.aux"), str(tmp_path / "paper.bbl"))
    assert {"paper.aux", "paper.bbl"} <= {Path(f["path"]).name for f in report["files"]}
