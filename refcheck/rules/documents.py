"""Rules about what only a word processor's document carries: reference managers' fields."""

from __future__ import annotations

from collections.abc import Iterator

from refcheck.model import Category, Document, Severity
from refcheck.rules.base import Context, Hit, rule


@rule(
    code="RC913",
    name="citation-field-mismatch",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="A Zotero, Mendeley or EndNote citation shows text its stored work does not match.",
)
def citation_field_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        In a Word file, compares each citation field a reference manager
        inserted (Zotero `ADDIN ZOTERO_ITEM CSL_CITATION`, Mendeley
        `ADDIN CSL_CITATION`, EndNote `ADDIN EN.CITE`) with the text Word
        displays for it.  Reports a citation whose displayed text differs
        from the one the manager generated (Zotero and Mendeley store it),
        or that does not show the first author's family name or the year of
        a work the field stores (an author-date citation; numbered ones show
        only numbers, and a citation written without its author is allowed
        to leave the author out).

    Why it matters:
        A citation edited by hand no longer follows its data: the reader sees
        one work while the bibliography, generated from the field, lists
        another, and the next "Refresh" of the citations silently replaces
        the edit.

    Example:
        Word shows `(Smith, 2010)` but the field stores a 2011 work by
        Smyth: `thesis.docx:body:12:40: RC913 the citation shows
        '(Smith, 2010)' but Zotero generated '(Smyth, 2011)' …`.  Edit the
        item in the reference manager, not the text in Word.
    """
    for p in doc.problems:
        if p.kind == "citation-field":
            yield Hit(p.start, p.end, p.message)


RULES = (citation_field_mismatch,)
