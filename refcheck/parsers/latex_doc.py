"""LaTeX manuscripts (``.tex``): the text whose ``\\cite`` commands the citation rules check.

A ``.tex`` file is not a bibliography: its references live in the ``.bib``
files it names.  This parser therefore yields no references, only a
:class:`Document` of format ``latex`` whose text the citation rules scan
(:mod:`refcheck.rules.citations`), with the ``thebibliography`` environment,
when there is one, as its reference section.

:func:`linked_files` adds to a run the bibliographies a ``.tex`` file uses
(``\\bibliography{a,b}``, ``\\addbibresource{x.bib}``, resolved against the
file's directory, as LaTeX run there resolves them), or, when none of them
is at hand, the ``.bbl`` LaTeX built for it: ``refcheck check paper.tex``
then checks the citations against the bibliography the paper really uses.
"""

from __future__ import annotations

import os
import re

from refcheck.model import Document, SourceText

__all__ = ["bibliography_files", "linked_files", "parse"]

FORMAT = "latex"

_THEBIB = re.compile(r"\\begin\{thebibliography\}")
_THEBIB_END = re.compile(r"\\end\{thebibliography\}")


def parse(source: SourceText) -> Document:
    """A document with no references; never raises."""
    doc = Document(source=source, format=FORMAT, expects_list=False)
    m = _THEBIB.search(source.text)
    if m is not None:
        end = _THEBIB_END.search(source.text, m.end())
        doc.section = (m.start(), end.end() if end else len(source.text))
    return doc


_BIB_CMD = re.compile(
    r"^[^%\n]*?\\(?:bibliography|addbibresource|addglobalbib|addsectionbib|bibdata)"
    r"\s*(?:\[(?P<opts>[^\]]*)\])?\s*\{(?P<names>[^{}]{1,500})\}",
    re.M,
)


def bibliography_files(path: str, text: str) -> list[str]:
    """The files a ``.tex`` file's bibliography commands name, those that exist.

    ``\\bibliography{refs}`` names ``refs.bib``; ``\\addbibresource`` names
    the file with its extension.  Remote resources (``location=remote``, a
    URL) are left alone: a lint run fetches nothing for them.  When none is
    found, the ``.bbl`` beside the file (same jobname) stands in for them.
    """
    base = os.path.dirname(path)
    out: list[str] = []
    for m in _BIB_CMD.finditer(text):
        opts = m.group("opts") or ""
        if "remote" in opts:
            continue
        for name in m.group("names").split(","):
            name = name.strip()
            if not name or "://" in name or "\\" in name or "#" in name:
                continue
            if not os.path.splitext(name)[1]:
                name += ".bib"
            full = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(full) and full not in out:
                out.append(full)
    if not out:
        bbl = os.path.splitext(path)[0] + ".bbl"
        if os.path.isfile(bbl) and (_BIB_CMD.search(text) or "\\cite" in text):
            out.append(os.path.normpath(bbl))
    return out


# What LaTeX and BibTeX write beside a .tex: derived from the files a run checks.
_BUILT = (".bbl", ".aux")


def linked_files(
    files: list[str], read: int = 4_000_000, explicit: list[str] | None = None
) -> list[str]:
    """``files`` followed by the bibliographies their ``.tex`` (and ``.aux``) files use.

    Only those the run lacks are added; an ``.aux`` names them in ``\\bibdata``.
    """
    if explicit is not None:
        # A .bbl or .aux found by a directory walk beside its own .tex repeats
        # what the .tex and its .bib files already say; named on the command
        # line, it is checked.
        named = {os.path.normpath(p) for p in explicit}
        sources = {os.path.splitext(os.path.normpath(f))[0] for f in files
                   if os.path.splitext(f)[1].lower() == ".tex"}
        files = [f for f in files
                 if os.path.splitext(f)[1].lower() not in _BUILT
                 or os.path.normpath(f) in named
                 or os.path.splitext(os.path.normpath(f))[0] not in sources]
    have = {os.path.realpath(f) for f in files}
    extra: list[str] = []
    for f in files:
        if os.path.splitext(f)[1].lower() not in (".tex", ".aux"):
            continue
        try:
            with open(f, encoding="utf-8", errors="replace") as fh:
                text = fh.read(read)
        except OSError:
            continue  # the run reports the unreadable file itself
        for bib in bibliography_files(f, text):
            real = os.path.realpath(bib)
            if real not in have:
                have.add(real)
                extra.append(bib)
    return files + extra if extra else files
