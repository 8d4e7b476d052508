"""LaTeX manuscripts (``.tex``): the text whose ``\\cite`` commands the citation rules check.

A ``.tex`` file is not a bibliography: its references live in the ``.bib``
files it names.  This parser therefore yields no references, only a
:class:`Document` of format ``latex`` whose text the citation rules scan
(:mod:`refcheck.rules.citations`), with the ``thebibliography`` environment,
when there is one, as its reference section.
"""

from __future__ import annotations

import re

from refcheck.model import Document, SourceText

__all__ = ["parse"]

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
