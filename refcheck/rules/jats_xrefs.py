"""JATS citations (RC920–RC921): the `<xref ref-type="bibr">`s against the `<ref-list>`.

In JATS the text cites a reference by pointing at its id
(``<xref ref-type="bibr" rid="B12">[12]</xref>``); production tools and
readers follow the link.  A ``rid`` that names no ``<ref>`` is a dead link in
the published article, and a ``<ref>`` no ``xref`` points at is a reference
the text never cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from refcheck.model import Category, Document, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text.patterns import lazy_re

_XREF = lazy_re(r"<(?:[\w-]+:)?xref\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = lazy_re(r"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
# The document must demonstrably cite through xrefs before a reference counts as uncited.
_MIN_RESOLVED = 2


def _bibr_xrefs(doc: Document) -> list[tuple[str, int, int]]:
    """``(rid, start, end)`` of every id a ``bibr`` xref outside the reference list names."""
    text = doc.text
    lo, hi = doc.section if doc.section is not None else (len(text), len(text))
    out: list[tuple[str, int, int]] = []
    for m in _XREF.finditer(text):
        if lo <= m.start() < hi:
            continue
        attrs = {a.group(1).rsplit(":", 1)[-1]: a for a in _ATTR.finditer(m.group(1))}
        kind = attrs.get("ref-type")
        rid = attrs.get("rid")
        if rid is None or kind is None or kind.group(2)[1:-1] != "bibr":
            continue
        base = m.start(1) + rid.start(2) + 1
        for t in re.finditer(r"\S+", rid.group(2)[1:-1]):
            out.append((t.group(0), base + t.start(), base + t.end()))
    return out


@rule(
    code="RC920",
    name="xref-to-no-reference",
    category=Category.CITATION,
    severity=Severity.ERROR,
    summary="A JATS bibr xref whose rid names no ref of the reference list.",
    formats=("jats",),
)
def xref_to_no_reference(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reads every `<xref ref-type="bibr" rid="…">` in the article (outside
        the `<ref-list>`) and reports each id in `rid` that no `<ref id="…">`
        of the reference list has.  The nearest existing id is suggested.

    Why it matters:
        The xref is the citation: the published article links it to the
        reference it names.  An id that names nothing is a dead citation —
        "[12]" that leads nowhere, or to the wrong work after a renumbering.

    Example:
        `<xref ref-type="bibr" rid="B12">[12]</xref>` in an article whose
        references are B1–B11: `RC920 xref points to 'B12', which no <ref> has`.
    """
    keys = {r.key for r in doc.references if r.key}
    if not keys:
        return
    for rid, start, end in _bibr_xrefs(doc):
        if rid in keys:
            continue
        yield Hit(start, end, f"xref points to '{rid}', which no <ref> in the reference list has",
                  suggestion=_nearest(rid, keys))


@rule(
    code="RC921",
    name="reference-without-xref",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="A JATS ref that no bibr xref of the article points at.",
    formats=("jats",),
)
def reference_without_xref(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        In a JATS article that cites through `<xref ref-type="bibr">` (at
        least two of them resolve), reports each `<ref>` whose id no xref
        names, at its `<ref>` tag.  A reference list alone (no body, or a
        body without bibr xrefs) says nothing.

    Why it matters:
        Most journals require every listed reference to be cited; an uncited
        one is usually a citation lost in editing or an xref with a wrong id.

    Example:
        `<ref id="B7">…</ref>` and no `rid="B7"` anywhere in the text:
        `RC921 reference 'B7' is never cited by an xref in the text`.
    """
    xrefs = _bibr_xrefs(doc)
    keys = {r.key for r in doc.references if r.key}
    cited = {rid for rid, _, _ in xrefs}
    if len([rid for rid, _, _ in xrefs if rid in keys]) < _MIN_RESOLVED:
        return
    for ref in doc.references:
        if not ref.key or ref.key in cited:
            continue
        start, end = _ref_tag(doc.text, ref.start)
        yield Hit(start, end, f"reference '{ref.key}' is never cited by an xref in the text",
                  reference=ref)


_REF_TAG = lazy_re(r"<(?:[\w-]+:)?ref[\s>]")


def _ref_tag(text: str, start: int) -> tuple[int, int]:
    """The ``<ref …>`` start tag at or before ``start`` (a reference read as text
    starts inside its citation element)."""
    if _REF_TAG.match(text, start):
        at = start
    else:
        tags = list(_REF_TAG.finditer(text, max(0, start - 4000), start))
        at = tags[-1].start() if tags else start
    close = text.find(">", at)
    return at, (close + 1 if close != -1 else at + 1)


def _nearest(rid: str, keys: set[str]) -> str | None:
    from rapidfuzz import fuzz, process

    best = process.extractOne(rid, sorted(keys), scorer=fuzz.ratio, score_cutoff=70)
    return str(best[0]) if best else None


RULES = (xref_to_no_reference, reference_without_xref)
