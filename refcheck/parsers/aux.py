"""LaTeX ``.aux`` files: which keys a compiled document cites, and from which ``.bib`` files.

LaTeX writes ``\\citation{a,b}`` for every ``\\cite`` (biblatex:
``\\abx@aux@cite{…}{key}``), ``\\bibdata{refs,more}`` for
``\\bibliography{…}``, and BibTeX's ``\\bibcite{key}{label}`` for every key
it resolved.  The document holds no references; the citation rules
(:mod:`refcheck.rules.citations`) read its ``\\citation`` keys like a
``.tex`` file's ``\\cite`` keys, check them against the ``.bib`` files
``\\bibdata`` names, and count a ``\\bibcite``d key as defined.
"""

from __future__ import annotations

import re

from refcheck.model import Document, ParseProblem, SourceText

__all__ = ["cited_keys", "defined_keys", "looks_like", "parse"]

FORMAT = "aux"

_CITATION = re.compile(r"\\citation\{([^{}]*)\}")
_ABX_CITE = re.compile(r"\\abx@aux@cite\{(?:[^{}]*\}\{)?([^{}]*)\}")
_BIBCITE = re.compile(r"\\bibcite\{([^{}]*)\}")


def looks_like(text: str) -> bool:
    """Whether a text is a LaTeX ``.aux`` file."""
    head = text[:20000]
    return head.lstrip().startswith("\\relax") and any(
        m in head for m in ("\\citation{", "\\bibdata{", "\\bibcite{", "\\abx@aux@", "\\@writefile")
    )


def cited_keys(text: str) -> list[tuple[str, int, int]]:
    """``(key, start, end)`` of every key the ``.aux`` says is cited."""
    out = []
    for pattern in (_CITATION, _ABX_CITE):
        for m in pattern.finditer(text):
            base = m.start(1)
            for k in re.finditer(r"[^,\s]+", m.group(1)):
                out.append((k.group(0), base + k.start(), base + k.end()))
    out.sort(key=lambda item: item[1])
    return out


def defined_keys(text: str) -> set[str]:
    """Keys BibTeX resolved (``\\bibcite``)."""
    return {m.group(1).strip() for m in _BIBCITE.finditer(text)}


def parse(source: SourceText) -> Document:
    """A document with no references; its keys are read by the citation rules."""
    doc = Document(source=source, format=FORMAT, expects_list=False)
    text = source.text
    if text.strip() and not looks_like(text):
        doc.problems.append(ParseProblem(
            "bbl-syntax", 0, 0, "this does not look like a LaTeX .aux file (no \\relax first)"))
    return doc
