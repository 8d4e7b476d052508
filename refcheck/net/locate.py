"""Where in the file a network finding points (no HTTP imports: rules use it)."""

from __future__ import annotations

from refcheck.model import Reference

# Field names a parser may use for the same thing (text parsers, BibTeX, CSL-JSON).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "container": ("container", "journal", "journaltitle", "booktitle", "container-title"),
    "authors": ("authors", "author"),
    "year": ("year", "date", "issued"),
    "volume": ("volume",),
    "issue": ("issue", "number"),
    "pages": ("pages", "page"),
    "doi": ("doi", "DOI"),
    "url": ("url", "urls", "URL"),
}


def locate(ref: Reference, value: str | None, field: str | None = None) -> tuple[int, int]:
    """Absolute offsets of ``value`` in the reference, else of ``field``, else the reference."""
    if value:
        at = ref.raw.find(value)
        if at == -1:
            at = ref.raw.lower().find(value.lower())
        if at != -1:
            return ref.start + at, ref.start + at + len(value)
    if field is not None:
        for name in ALIASES.get(field, (field,)):
            span = ref.field_spans.get(name)
            if span is not None:
                return span
    return ref.start, ref.end
