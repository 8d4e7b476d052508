"""Plain-text and Markdown documents: find the references inside a whole document.

A ``.txt``/``.md`` file may be a bare reference list, or a whole article,
thesis or web page that holds one somewhere (or holds none).  This parser
locates the reference material and gives every reference exact offsets;
reading the fields of each reference is left to
:func:`refcheck.parsers.fields.fill`.

What is recognised, in the order it is looked for:

* **Headed sections**: a line that is only "References", "Bibliography",
  "Works Cited", "Список литературы" … (optionally a Markdown ``#`` heading,
  numbered, bold, followed by a colon).  The section runs until another
  heading, a paragraph of prose followed by more prose (licence or footer
  text), a long gap that is not a page break, or the end of the file.
  Inside it, the line model (:mod:`refcheck.parsers.segment`) says which
  lines start a reference, continue one, or are page furniture (running
  headers, footers, page numbers): numbered items (``1.``, ``[1]``,
  ``\\[1\\]``, ``1)``, ``(1)``), bullets, one reference a line or a
  paragraph, wrapped with or without hanging indents, across form feeds.
  Without the model, rules split the section (:mod:`.sections`).  In
  unnumbered lists a line that holds two references ("… New York: Random
  House. Next Work, 1995.") is split.
* **Numbered lists without a heading**: a run of consecutive item numbers
  starting at (or near) 1 whose items look like references.  Section numbers
  such as ``5.2.5.`` are not item markers.
* **Footnotes** of text extracted from PDF: after a separator line (a long
  run of spaces or underscores) come note numbers, each alone on its line (or
  leading its first line) and followed by the note text.  Note numbers must
  increase; a number out of sequence (a page number), an indented line that
  starts a new page, or the PDF's repeated link annotations end the block.
  ``ibid.`` notes get kind ``ibid`` and ``op. cit.`` notes kind ``op-cit``,
  with ``repeats`` pointing at the reference they repeat.  Notes with no
  sign of a citation (no year, page, link) are commentary and are skipped.
* **Citation lines**: "For citation:" / "Cite this article:" followed by the
  document's own reference (kind ``citation-line``).
* **Bare lists**: when none of the above is found, the line model splits the
  whole file, which is read as a list when most of it reads as references
  (see :func:`_bare_list`): a pasted reference, a two-item list, a file of
  references with no heading.

``Document.layout`` says how the file was read: ``numbered`` or
``author-date`` for lists (headed or bare), ``footnotes``, or None.

``raw`` excludes the item marker or note number (they are in ``label``);
``raw == text[start:end]`` always holds (a reference broken by a page break
keeps the furniture between its parts).  Every step is a single pass over
lines with anchored, bounded regular expressions and bounded line features,
so the time is linear in the size of the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from refcheck.model import Document, ParseProblem, Reference, SourceText
from refcheck.parsers import segment
from refcheck.parsers.footnotes import (
    _citation_lines,
    _footnotes,
    _resolve_repeats,
)
from refcheck.parsers.sections import (
    _find_sections,
    _numbered_runs,
    _segment_section,
)
from refcheck.parsers.textbase import (
    _AUTHOR_START,
    _STOPWORDS,
    _UP,
    _WORD,
    _is_prose,
    _Lines,
    _looks_like_reference,
    _Span,
    _State,
)

FillFn = Callable[[Reference], None]
_fill: FillFn | None
try:
    from refcheck.parsers.fields import fill as _imported_fill

    _fill = _imported_fill
except ImportError:  # the field reader is optional: segmentation works without it
    _fill = None

__all__ = ["parse"]

FORMAT = "text"

# ---------------------------------------------------------------------------


def _mark(st: _State, spans: list[_Span]) -> None:
    """Mark the lines the spans cover, so later passes leave them alone."""
    for sp in spans:
        a = st.lines.index_of(sp.start)
        b = st.lines.index_of(max(sp.start, sp.end - 1))
        for k in range(a, b + 1):
            st.taken[k] = True


def _make_reference(source: SourceText, sp: _Span) -> Reference:
    line, _ = source.position(sp.start)
    end_line, _ = source.position(sp.end)
    return Reference(
        path=source.path,
        format=FORMAT,
        index=0,
        start=sp.start,
        end=sp.end,
        raw=source.text[sp.start : sp.end],
        label=sp.label,
        kind=sp.kind,
        line=line,
        end_line=end_line,
    )


def parse(source: SourceText) -> Document:
    """Find the references in a plain-text or Markdown document."""
    doc = Document(source=source, format=FORMAT, expects_list=False)
    try:
        _parse_into(doc)
    except Exception as exc:  # never raise on input; report instead
        doc.problems.append(
            ParseProblem("text-parse", 0, 0, f"the text parser failed: {type(exc).__name__}: {exc}")
        )
    return doc


def _parse_into(doc: Document) -> None:
    source = doc.source
    text = source.text
    st = _State(source, _Lines(source))
    st.taken = [False] * len(st.lines)

    lists: list[tuple[str, int, list[_Span]]] = []  # (layout, section start, spans)
    for head, first, end in _find_sections(st):
        spans = _segment_section(st, first, end)
        if not spans:
            continue
        numbered = any(sp.label is not None for sp in spans)
        lists.append(("numbered" if numbered else "author-date", st.lines[head].start, spans))
        for k in range(head, first):
            st.taken[k] = True
        _mark(st, spans)
    for run in _numbered_runs(st):
        run = _resegment_run(st, run)
        lists.append(("numbered", run[0].start, run))
        _mark(st, run)
    notes = _footnotes(st)
    _resolve_repeats(text, notes)
    cites = _citation_lines(st)
    if not lists and not notes and not cites:
        bare = _bare_list(st)
        if bare:
            lists.append(("numbered" if any(sp.label for sp in bare) else "author-date",
                          bare[0].start, bare))
            _mark(st, bare)

    found: list[_Span] = [sp for _, _, lst in lists for sp in lst] + notes + cites
    found.sort(key=lambda sp: sp.start)
    refs: list[Reference] = []
    position: dict[int, int] = {}
    for i, sp in enumerate(found, 1):
        ref = _make_reference(source, sp)
        ref.index = i
        position[id(sp)] = i
        refs.append(ref)
    for sp, ref in zip(found, refs, strict=True):
        if sp.repeats is not None:
            ref.repeats = position.get(id(sp.repeats))
    for ref in refs:
        _fill_fields(doc, ref)
    doc.references = refs

    if lists:
        main = max(lists, key=lambda item: len(item[2]))
        doc.layout = main[0]
        doc.section = (min(s for _, s, _ in lists), max(lst[-1].end for _, _, lst in lists))
    elif notes:
        doc.layout = "footnotes"


def _resegment_run(st: _State, run: list[_Span]) -> list[_Span]:
    """A numbered run found by its item numbers, split again by the line model.

    The numbers say where the run is; the model says where each item ends
    across page breaks (a footer, a form feed, a header inside an item).  The
    model's reading is taken when it finds the same items.
    """
    first = st.lines.index_of(run[0].start)
    last = st.lines.index_of(max(run[-1].start, run[-1].end - 1))
    spans = segment.segment_region(st, first, last + 1)
    if not spans or [sp.label for sp in spans] != [sp.label for sp in run]:
        return run
    return spans


def _bare_list(st: _State) -> list[_Span]:
    """A file that is nothing but references, with no heading: ``refs.txt``.

    Users paste one or two references into a file, or keep a list without a
    heading; a numbered run needs three items and a section needs a heading,
    so neither finds them.  The line model splits the whole file; the file
    is read as a list when *most* of its text falls in entries that have the
    shape of a reference; then those entries are kept, and between two of
    them any entry that is not a long paragraph (a reference with no year
    reads like prose), but not a title or note before the list or after it.
    Otherwise (an abstract, a page of text) nothing is invented.  Without the model,
    the rules split the file and every entry must look like a reference.
    """
    text = st.source.text
    spans = segment.segment_region(st, 0, len(st.lines))
    if spans is None:
        spans = _segment_section(st, 0, len(st.lines))
        if spans and len(spans) <= 2000 and all(
            _bare_entry(text[sp.start : sp.end], sp.label) for sp in spans
        ):
            return spans
        return []
    if not spans:
        return []
    def good(sp: _Span) -> bool:
        return _bare_entry(text[sp.start : sp.end], sp.label)

    # Whether most of the file reads as references is judged on evenly spaced
    # entries (all of them in a file of ordinary size): the same answer, in
    # bounded time on a list of thousands.
    step = max(1, len(spans) // _SAMPLE)
    sample = spans[::step]
    hits = [sp for sp in sample if good(sp)]
    sample_words = sum(len(text[sp.start : sp.end].split()) for sp in sample)
    covered = sum(len(text[sp.start : sp.end].split()) for sp in hits)
    outside = len(text.split()) - sum(len(text[sp.start : sp.end].split()) for sp in spans)
    if not hits or 2 * len(hits) < len(sample):
        return []
    if covered < _MOST * (sample_words + outside / step):
        return []
    # Between two references, an entry that reads like prose is most likely a
    # reference too (a report's long title with no year); before the first or
    # after the last, it is a note, a title or a footer.
    first = next(i for i, sp in enumerate(spans) if good(sp))
    last = next(i for i in range(len(spans) - 1, -1, -1) if good(spans[i]))
    return [
        sp
        for i, sp in enumerate(spans)
        if (first <= i <= last and (i in (first, last) or _kept_inside(text, sp)))
        or _kept_at_edge(text, sp)
    ]


def _kept_at_edge(text: str, sp: _Span) -> bool:
    """A first or last entry with no year: kept when it still starts or reads as a reference."""
    raw = text[sp.start : sp.end]
    if not _kept_in_bare_list(raw):
        return False
    return _density(raw) >= _REFERENCE_DENSITY or _reference_start(raw, sp.label)


def _kept_inside(text: str, sp: _Span) -> bool:
    raw = text[sp.start : sp.end]
    return len(raw) <= _MAX_PROSE_ENTRY or _kept_in_bare_list(raw)


# A file is read as a bare list when at least half of its entries have the shape of
# a reference and hold this share of its words: a stray paragraph or title does not
# hide the rest, but a page of prose that cites a few works is not a list.
_MOST = 0.4
_SAMPLE = 400
_MAX_PROSE_ENTRY = 1000


def _kept_in_bare_list(raw: str) -> bool:
    """An entry of a list that is a reference, or may be one (a work without a year)."""
    if _is_prose(raw):
        return False
    if _looks_like_reference(raw):
        return True
    parts = raw.count(". ") + raw.count(", ") + raw.count(": ")
    return len(raw) >= 25 and parts >= 2


def _bare_entry(raw: str, label: str | None) -> bool:
    """Stricter than inside a headed section: no heading vouches for the text.

    A reference starts with a label or with names, or is dense with the marks
    of one (capitalised words, numbers, punctuation ending its words) where a
    sentence of prose is not.
    """
    if not _looks_like_reference(raw):
        return False
    dense = _density(raw) >= _REFERENCE_DENSITY
    words = _WORD.findall(raw[:2000])
    stop = sum(w.lower() in _STOPWORDS for w in words) / max(len(words), 1)
    if len(words) >= 15 and stop >= 0.3 and not dense:
        return False
    return dense or _reference_start(raw, label)


def _reference_start(raw: str, label: str | None) -> bool:
    """A label, or names first in one of the common shapes."""
    plain = raw.lstrip().lstrip("*_")  # Markdown emphasis around the authors
    return (
        label is not None
        or _AUTHOR_START.match(plain) is not None
        or _BARE_START.match(raw) is not None
        or _BARE_START.match(plain) is not None
        or segment.author_start(plain)
        or _NAME_START.match(plain) is not None
    )


def _density(raw: str) -> float:
    """Share of words that are capitalised, hold a digit or end in punctuation."""
    words = raw[:3000].split()
    if not words:
        return 0.0
    marked = sum(1 for w in words if _marked(w))
    return marked / len(words)


def _marked(w: str) -> bool:
    return w[:1].isupper() or w[:1] in "“\"([" or w[-1:] in ".,:;)”\"" or any(
        c.isdigit() for c in w
    )


# References score 0.77 and more on it (19 in 20 of AnyStyle's), paragraphs of prose
# mostly under 0.55.
_REFERENCE_DENSITY = 0.7


# Starts that a bare entry may have besides _AUTHOR_START: a bullet, a Markdown-escaped
# label ("\\[32\\]"), a Vancouver author ("Alfaro-Almagro F, …", "Smith JA.").
_BARE_START = re.compile(
    r"^\s*(?:[-*+•]\s|[—–-]{2,}[.,]|\\?\[\d{1,4}\\?\]|\d{1,4}[.)]\s"
    r"|[" + _UP + r"][\w'’-]+\s+[" + _UP + r"]{1,3}[,.])"
)


# Authors' full names first: "Santosh K Divvala, Alireza Farhadi, and …", "Kelvin Xu, …".
# Two or three capitalised words, then a comma or "and": not how a sentence starts.
_NAME_START = re.compile(
    r"^[" + _UP + r"][\w'’-]+(?: [" + _UP + r"]\.?)?(?: [" + _UP + r"][\w'’-]+){1,2}"
    r"(?:,| and | &)"
)


def _fill_fields(doc: Document, ref: Reference) -> None:
    if _fill is None:
        return
    try:
        _fill(ref)
    except Exception as exc:  # a field-reader bug must not lose the reference
        doc.problems.append(
            ParseProblem(
                "text-parse", ref.start, ref.end, f"fields could not be read: {type(exc).__name__}"
            )
        )

