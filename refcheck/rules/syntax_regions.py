"""The text of each reference that the syntax rules read (:class:`_Region`), and its hints.

Shared by RC001–RC004 and RC201 (:mod:`refcheck.rules.syntax`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from refcheck.model import Document, DocumentMemo, Reference
from refcheck.text.patterns import lazy_re

if TYPE_CHECKING:
    from refcheck.rules.syntax_url import _Url

# --------------------------------------------------------------------------
# Regions: what text of a reference the scanners read


class _Region:
    """A stretch of the document text belonging to one reference (or one field).

    ``text`` is normally ``doc.text[start:end]``; for a JSON string with
    escapes it is the decoded value (``exact`` False), and a finding inside
    it can only point at the whole field.
    """

    # A plain slotted class: a frozen dataclass costs several times more to
    # build, and a large file has tens of thousands of fields.
    __slots__ = ("_urls", "end", "exact", "field", "ref", "single_value", "start", "text")

    def __init__(
        self,
        text: str,
        start: int,  # absolute offsets of the written text
        end: int,
        ref: Reference,
        field: str | None = None,  # the BibTeX/CSL field name, None for a whole text reference
        exact: bool = True,
    ) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.ref = ref
        self.field = field
        self.exact = exact
        # A field that holds exactly one identifier, so its end is the identifier's end.
        self.single_value = field is not None and field.lower() in ("doi", "url")
        self._urls: tuple[_Url, ...] | None = None

    def at(self, i: int, j: int) -> tuple[int, int]:
        """Absolute offsets of ``text[i:j]``."""
        return (self.start + i, self.start + j) if self.exact else (self.start, self.end)

    def urls(self) -> tuple[_Url, ...]:
        """The URLs of the region (RC002, RC201, RC003 and RC004 all need them)."""
        if self._urls is None:
            from refcheck.rules.syntax_url import _urls_in  # the URL scanner reads regions

            self._urls = _urls_in(self.text) if _URL_HINT.search(self.text) else ()
        return self._urls


# Fields that are not part of the printed reference: prose, notes to self, files.
_NOT_PRINTED = frozenset(
    {"abstract", "annote", "annotation", "comment", "comments", "keywords", "file", "review"}
)

# What a region must contain for a rule to find anything in it.  Each is
# implied by the rule's own patterns (a DOI needs "10." or "doi"; a URL or a
# scheme needs "//", "www." or a colon before a slash or backslash), so a
# region without it is skipped with no change in findings; most fields
# ("2001", "Smith, J.") hold none.
_DOI_HINT = lazy_re(r"(?i)10\.|doi")
_SCHEME_HINT = lazy_re(r"(?i):[/\\]|//|www\.")
_URL_HINT = lazy_re(r"(?i)://|www\.")
# Brackets and quotation marks that RC003/RC004 pair: in a field, braces are
# BibTeX syntax and straight quotes delimiters, so neither is paired there.
_TEXT_BRACKETS = lazy_re(r"[()\[\]{}]")
_FIELD_BRACKETS = lazy_re(r"[()\[\]]")
_TEXT_QUOTES = lazy_re(r"[“„«”‟»\"]")
_FIELD_QUOTES = lazy_re(r"[“„«”‟»]")


def _any_hint(marks: str) -> re.Pattern[str]:
    """A pattern for any of ``marks`` or any hint of a DOI, URL or scheme above.

    It matches what ``(?i)10\\.|doi|:[/\\\\]|//|www\\.|[marks]`` matches, but
    begins with one character class, so that the regex engine skips the
    characters that start no hint without trying every alternative: two to
    three times faster on the tens of thousands of short fields of a large file.
    """
    m = re.escape(marks)
    return lazy_re(
        f"[{m}1dD:/wW]"
        f"(?:(?<=[{m}])|(?<=1)0\\.|(?<=[dD])[oO][iIıİ]|(?<=:)[/\\\\]|(?<=/)/|(?<=[wW])[wW][wW]\\.)"
    )


# Any of the above, for a field and for a whole reference.  ("ı" and "İ" are
# there because ``(?i)i`` matches them.)
_FIELD_HINT = _any_hint("()[]“„«”‟»")
_TEXT_HINT = _any_hint('()[]{}“„«”‟»"')

# The regions of the last few documents, shared by the rules of this module
# (the engine runs a module's rules in one process).
_CACHE_SIZE = 4
_CACHE: DocumentMemo[list[_Region]] = DocumentMemo(_CACHE_SIZE)


def _regions(doc: Document) -> list[_Region]:
    """The regions of ``doc`` in which some rule here may find something.

    Regions holding none of the hints above are left out, except a ``doi``
    field, which is judged even when it holds no DOI at all.
    """
    regions = _CACHE.get(doc)
    if regions is None:
        regions = _CACHE.put(doc, list(_all_regions(doc, hinted_only=True)))
    return regions


def _all_regions(doc: Document, *, hinted_only: bool = False) -> Iterator[_Region]:
    """The text of every reference: for BibTeX and CSL-JSON, each field value.

    With ``hinted_only``, only the regions that hold a hint (see
    :func:`_regions`).
    """
    text = doc.text
    size = len(text)
    field_hint = _FIELD_HINT.search
    for ref in doc.references:
        # A plain-text reference is read whole: its field spans would cut a URL
        # or a title at the point where the parser (perhaps wrongly) split it.
        if not ref.field_spans or ref.format == "text":
            if ref.raw and (not hinted_only or _TEXT_HINT.search(ref.raw)):
                yield _Region(ref.raw, ref.start, ref.end, ref)
            continue
        csl = ref.format == "csl-json"
        for name, (s, e) in ref.field_spans.items():
            if not 0 <= s <= e <= size:
                continue
            if not csl:
                # The hint is tested first and in place (no copy of the field):
                # most fields fail it, and then only a doi field is kept.
                if hinted_only and not field_hint(text, s, e):
                    if len(name) != 3 or name.lower() != "doi":
                        continue
                elif name.lower() in _NOT_PRINTED:
                    continue
                yield _Region(text[s:e], s, e, ref, name)
                continue
            low = name.lower()
            if low in _NOT_PRINTED:
                continue
            literal = text[s:e]
            if literal[:1] in ("[", "{"):
                continue  # names, dates, nested records: no free text of the user's
            if "\\" not in literal:
                if not hinted_only or low == "doi" or field_hint(literal):
                    yield _Region(literal, s, e, ref, name)
                continue
            import json  # a CSL-JSON escape: the only use, not worth every run's import

            try:
                value = json.loads(f'"{literal}"')
            except ValueError:
                continue  # the parser reports invalid JSON
            # Decoded before the hint test: "http:\/\/" is a URL only once decoded.
            if isinstance(value, str) and (not hinted_only or low == "doi" or field_hint(value)):
                yield _Region(value, s, e, ref, name, exact=False)
