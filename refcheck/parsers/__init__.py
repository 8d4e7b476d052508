"""Input formats: each module turns a :class:`SourceText` into a :class:`Document`.

Every parser has the signature ``parse(source: SourceText) -> Document`` and
must never raise on malformed input: what it cannot read becomes a
:class:`~refcheck.model.ParseProblem` that a rule reports.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

from refcheck.model import Document, SourceText

# format name -> module; extensions map onto formats.
FORMATS: dict[str, str] = {
    "bibtex": "refcheck.parsers.bibtex",
    "csl-json": "refcheck.parsers.csljson",
    "text": "refcheck.parsers.text",
    # A LaTeX document holds no list; it is read so citation rules can check its \cite{}s.
    "latex": "refcheck.parsers.latex_doc",
    # Typeset documents: their text layer is read into text (page or part kept).
    "pdf": "refcheck.parsers.pdf",
    "docx": "refcheck.parsers.docx",
    # Structured exports: read field by field, at their exact place in the file.
    "jats": "refcheck.parsers.jats",
    "endnote-xml": "refcheck.parsers.endnote_xml",
    "ris": "refcheck.parsers.ris",
    # LaTeX build files: the bibliography BibTeX/biber wrote, and the keys LaTeX cited.
    "bbl": "refcheck.parsers.bbl",
    "aux": "refcheck.parsers.aux",
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
    ".pdf": "pdf",
    ".docx": "docx",
    # JATS or EndNote: told apart by content (detect_format).
    ".xml": "jats",
    ".nxml": "jats",
    ".ris": "ris",
    ".bbl": "bbl",
    ".aux": "aux",
}
# Formats read from the file's bytes, not from decoded text.
BINARY_FORMATS = frozenset({"pdf", "docx"})


_XML_START = re.compile(
    r"<(?:\?xml\b|!DOCTYPE\s+(?:article|ref-list|xml|records|pmc-articleset)\b"
    r"|(?:[\w-]+:)?(?:article|ref-list|xml|records|pmc-articleset|back)\b)"
)
_BIBTEX_START = re.compile(r"@[A-Za-z]+\s*[{(]")
_JSON_START = re.compile(r"[\[{]\s*[{\"\]]")


def format_for(path: str) -> str | None:
    import os

    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


# Extensions that say little about the content: a .txt may hold BibTeX or RIS,
# a .xml JATS or EndNote.  Their content decides when it is unmistakable.
_GENERIC = frozenset({".txt", ".text", ".md", ".markdown", ".xml", ".nxml", ""})


def sniff(text: str) -> str | None:
    """The format a text unmistakably is, judged from its beginning, or None."""
    from refcheck.parsers import aux, bbl, endnote_xml, jats, ris

    head = text[:20000].lstrip("\ufeff \t\r\n")
    if not head:
        return None
    if head.startswith("<"):
        if not _XML_START.match(head):
            return None  # an HTML comment or tag in a Markdown file is not XML
        if endnote_xml.looks_like(head):
            return "endnote-xml"
        return "jats" if jats.looks_like(head) else None
    if ris.looks_like(head):
        return "ris"
    first = _first_line(head)
    if first.startswith("\\relax") and aux.looks_like(head):
        return "aux"
    if (
        first.startswith(("\\begin{thebibliography}", "\\refsection{", "\\entry{"))
        or "biblatex" in head[:200]
    ) and bbl.looks_like(head):
        return "bbl"
    if _BIBTEX_START.match(first):
        return "bibtex"
    if head[0] in "[{" and _JSON_START.match(head):
        return "csl-json"
    return None


def _first_line(head: str) -> str:
    """The first line that is not blank and not a TeX comment."""
    for line in head.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("%"):
            return stripped
    return ""


def detect_format(path: str, text: str, data: bytes | None = None) -> str:
    """The format of a file: its extension's, unless that is generic and the content says more.

    ``data`` is set for files read as bytes (PDF, Word): their content decides,
    whatever the name says, since no text format can read them.
    """
    import os

    if data is not None:
        if data.startswith(b"%PDF-"):
            return "pdf"
        if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return "docx"

    ext = os.path.splitext(path)[1].lower()
    by_ext = EXTENSIONS.get(ext)
    if by_ext in BINARY_FORMATS:
        by_ext = None  # named .pdf or .docx but read as text: the content decides
    elif by_ext is not None and ext not in _GENERIC:
        return by_ext
    found = sniff(text)
    return found or by_ext or "text"


def sniff_file(path: str) -> str | None:
    """The format of a file with no known extension, from its first bytes, or None."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(65536)
    except OSError:
        return None
    if data.startswith(b"%PDF-"):
        return "pdf" if "pdf" in FORMATS else None
    if data.startswith(b"PK\x03\x04") and b"word/" in data:
        return "docx" if "docx" in FORMATS else None
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return sniff(data.decode("utf-8", "replace"))


def parser_for(fmt: str) -> Callable[[SourceText], Document]:
    module = importlib.import_module(FORMATS[fmt])
    fn: Callable[[SourceText], Document] = module.parse
    return fn


def parse(source: SourceText, fmt: str) -> Document:
    return parser_for(fmt)(source)
