"""Input formats: each module turns a :class:`SourceText` into a :class:`Document`.

Every parser has the signature ``parse(source: SourceText) -> Document`` and
must never raise on malformed input: what it cannot read becomes a
:class:`~refcheck.model.ParseProblem` that a rule reports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from refcheck.model import Document, SourceText

# format name -> module; extensions map onto formats.
FORMATS: dict[str, str] = {
    "bibtex": "refcheck.parsers.bibtex",
    "csl-json": "refcheck.parsers.csljson",
    "text": "refcheck.parsers.text",
    # A LaTeX document holds no list; it is read so citation rules can check its \cite{}s.
    "latex": "refcheck.parsers.latex_doc",
}
EXTENSIONS: dict[str, str] = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".json": "csl-json",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".text": "text",
    ".tex": "latex",
}


def format_for(path: str) -> str | None:
    import os

    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def parser_for(fmt: str) -> Callable[[SourceText], Document]:
    module = importlib.import_module(FORMATS[fmt])
    fn: Callable[[SourceText], Document] = module.parse
    return fn


def parse(source: SourceText, fmt: str) -> Document:
    return parser_for(fmt)(source)
