"""Required fields per entry type, for RC403 (missing-field).

BibTeX's and biblatex's tables of required fields, the fields any CSL style
needs, the same for structured records (JATS, RIS, EndNote XML, biber `.bbl`)
in their own terms, and what else identifies a work when fields are missing.
Kept apart from ``structure.py`` to keep that module readable.
"""

from __future__ import annotations

from refcheck.model import Document, Reference

# Required fields per entry type; "a|b" means either will do.
_BIBTEX_REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author|editor", "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": ("author|editor", "title", "chapter|pages", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "conference": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "misc": (),
    "phdthesis": ("author", "title", "school", "year"),
    "proceedings": ("title", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title", "note"),
}
# biblatex (its manual, §2.1.1), with the field aliases it accepts; the `type`
# of report/thesis is left out because biblatex supplies it for the aliases
# (@techreport, @phdthesis) that most files use.
_D = "year|date"
_BIBLATEX_REQUIRED: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journaltitle|journal", _D),
    "book": ("author", "title", _D),
    "mvbook": ("author", "title", _D),
    "inbook": ("author", "title", "booktitle", _D),
    "bookinbook": ("author", "title", "booktitle", _D),
    "suppbook": ("author", "title", "booktitle", _D),
    "booklet": ("author|editor", "title", _D),
    "collection": ("editor", "title", _D),
    "mvcollection": ("editor", "title", _D),
    "incollection": ("author", "title", "booktitle", _D),
    "suppcollection": ("author", "title", "booktitle", _D),
    "dataset": ("author|editor", "title", _D),
    "manual": ("author|editor", "title", _D),
    "misc": ("author|editor", "title", _D),
    "online": ("author|editor", "title", _D, "doi|eprint|url"),
    "patent": ("author", "title", "number", _D),
    "periodical": ("editor", "title", _D),
    "proceedings": ("title", _D),
    "mvproceedings": ("title", _D),
    "inproceedings": ("author", "title", "booktitle", _D),
    "report": ("author", "title", "institution", _D),
    "software": ("author|editor", "title", _D),
    "thesis": ("author", "title", "institution|school", _D),
    "unpublished": ("author", "title", _D),
    "conference": ("author", "title", "booktitle", _D),
    "mastersthesis": ("author", "title", "institution|school", _D),
    "phdthesis": ("author", "title", "institution|school", _D),
    "techreport": ("author", "title", "institution", _D),
}
# Fields and types only biblatex knows: their presence means biblatex's table applies.
_BIBLATEX_FIELDS = frozenset(
    {"date", "journaltitle", "location", "urldate", "eprinttype", "eventtitle", "maintitle"}
)
_BIBLATEX_ONLY_TYPES = frozenset(_BIBLATEX_REQUIRED) - frozenset(_BIBTEX_REQUIRED)


def missing_bibtex(ref: Reference) -> tuple[list[str], str]:
    fields = {k.lower(): v for k, v in ref.fields.items() if v.strip(' \t\r\n{}"')}
    kind = (ref.entry_type or "").lower()
    if "crossref" in fields or "xdata" in fields:
        return [], ""  # fields may be inherited from the parent entry
    biblatex = kind in _BIBLATEX_ONLY_TYPES or any(f in fields for f in _BIBLATEX_FIELDS)
    table = _BIBLATEX_REQUIRED if biblatex else _BIBTEX_REQUIRED
    required = table.get(kind, ())
    missing = [r for r in required if not any(alt in fields for alt in r.split("|"))]
    return [m.replace("|", " or ") for m in missing], "biblatex" if biblatex else "BibTeX"


# CSL has no required fields; these are what any style needs to find the work.
_CSL_REQUIRED: dict[str, tuple[str, ...]] = {
    "article-journal": ("author", "title", "container-title", "issued"),
    "book": ("author|editor", "title", "issued"),
    "chapter": ("title", "container-title", "issued"),
    "paper-conference": ("author", "title", "issued"),
    "thesis": ("author", "title", "issued"),
    "report": ("title", "issued"),
}


def missing_csl(ref: Reference) -> list[str]:
    have = {
        "author": bool(ref.authors),
        "editor": bool(ref.editors),
        "title": bool(ref.title),
        "container-title": bool(ref.container),
        "issued": ref.year is not None,
    }
    required = _CSL_REQUIRED.get((ref.entry_type or "").lower(), ())
    missing = [r for r in required if not any(have.get(a) for a in r.split("|"))]
    return [m.replace("|", " or ") for m in missing]


# Structured exports (issue 17) are held to the CSL list; their field names in
# the format's own terms, for the message.
_RECORD_TYPES = {"article": "article-journal", "book": "book", "incollection": "chapter",
                 "inproceedings": "paper-conference", "phdthesis": "thesis",
                 "techreport": "report"}
RECORD_WORDS: dict[str, dict[str, str]] = {
    "jats": {"dialect": "JATS", "author": "person-group", "editor": "editor",
             "title": "article-title", "container-title": "source", "issued": "year"},
    "ris": {"dialect": "RIS", "author": "AU", "editor": "A2", "title": "TI",
            "container-title": "JO or T2", "issued": "PY"},
    "endnote-xml": {"dialect": "EndNote", "author": "authors", "editor": "secondary-authors",
                    "title": "title", "container-title": "secondary-title", "issued": "year"},
    "bbl": {"dialect": "biblatex", "author": "author", "editor": "editor", "title": "title",
            "container-title": "journaltitle or booktitle", "issued": "date"},
}


def missing_record(ref: Reference) -> list[str]:
    words = RECORD_WORDS[ref.format]
    kind = _RECORD_TYPES.get((ref.entry_type or "").lower())
    if kind is None:
        return []
    probe = Reference(path=ref.path, format=ref.format, index=ref.index, start=ref.start,
                      end=ref.end, raw="", entry_type=kind, authors=ref.authors,
                      editors=ref.editors, title=ref.title, container=ref.container, year=ref.year)
    out = []
    for item in missing_csl(probe):
        out.append(" or ".join(words.get(part, part) for part in item.split(" or ")))
    return out


def locatable(ref: Reference) -> str | None:
    """What identifies the work besides the missing fields: its title, an identifier,
    or the journal, volume and pages astronomers cite by; None when nothing does."""
    fields = {k.lower(): v for k, v in ref.fields.items() if v.strip(' \t\r\n{}"')}
    if ref.title or "title" in fields:
        return "title"
    for name, value in (("DOI", ref.doi or fields.get("doi")), ("URL", ref.urls or fields.get(
            "url")), ("eprint", fields.get("eprint")), ("ISBN", fields.get("isbn")),
            # biblatex cites it by this abbreviation and lists it among the shorthands:
            # ancient sources ("Ach. Tat.") are known by their canonical abbreviations.
            ("shorthand", fields.get("shorthand"))):
        if value:
            return name
    container = ref.container or fields.get("journal") or fields.get("journaltitle")
    if container and (ref.volume or fields.get("volume")) and (ref.pages or fields.get("pages")):
        return "journal, volume and pages"
    return None


def where(doc: Document, offset: int) -> str:
    """How a message names the place of an offset: as the reader finds it.

    A text file has lines; a PDF has pages with lines counted on each, and a
    Word file paragraphs in its body, footnotes and endnotes.  The text refcheck
    reads from a PDF or Word file has lines of its own that the reader never
    sees, so a message must name the page or paragraph, as the finding's own
    position does.
    """
    sp = doc.source.span(offset, offset)
    if sp.page is not None:
        return f"page {sp.page}, line {sp.line}"
    if sp.part is not None:
        return f"paragraph {sp.line}" if sp.part == "body" else f"{sp.part}, paragraph {sp.line}"
    return f"line {sp.line}"


def where_all(doc: Document, offsets: list[int]) -> str:
    """Several places: ``lines 3, 9`` in a text file, else each place in full."""
    spans = [doc.source.span(o, o) for o in offsets]
    if all(sp.page is None and sp.part is None for sp in spans):
        return "lines " + ", ".join(str(sp.line) for sp in spans)
    return "; ".join(where(doc, o) for o in offsets)

