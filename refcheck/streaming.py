"""A large bibliography checked a slice of references at a time, and memory given back.

The rules that judge each reference on its own (a misspelt word, a broken URL,
a missing field) build analyses per reference — word scans, masks, regions —
that the rules of one module share through :class:`~refcheck.model.DocumentMemo`.
Held for a whole 5,000-entry file while every rule runs over it, they cost
more than the parsed file.  In a BibTeX or CSL-JSON file with more than
:data:`SLICE` references those rules see *views*: documents that share the
file's text, problems and suppressions but hold one slice of its references.
All of them run over one view, the memos forget it, and the next view comes.
The rules that compare references with each other (duplicates, numbering,
order, a convention shared by the file) or read the file's problems or whole
text still see the whole document.

Which rules are which is the list :data:`PER_REFERENCE`, kept by reading each
rule; ``tests/test_streaming.py`` checks that each listed rule reports the
same on views as on the whole file.  A rule not listed is simply run whole:
the list only ever costs memory, never findings.

:func:`check_each` is where every rule meets a document: the engine calls it
for a whole run, a worker's share and a forked task alike.  It also caps a
rule's findings per file and stamps hits into findings.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from refcheck.config import Settings
from refcheck.model import Document, DocumentMemo, Finding
from refcheck.rules.base import Hit, Rule
from refcheck.suppress import suppressed

if TYPE_CHECKING:
    from refcheck.engine import _Planned as Planned

# References per view: small enough that a slice's analyses are a few MB, large
# enough that the per-view overhead (one call per rule) stays negligible.  Measured on
# the 11,012-entry corpus in two processes: PSS 153 MiB at 500, 142 MiB at 200, and
# the 4,839-entry file's rules took no longer (0.75 s of CPU against 0.84 s).
SLICE = 200

# Formats whose references are independent entries; a text document's prose and
# its references are read together (prose regions, numbering, footnotes).
LIST_FORMATS = frozenset({"bibtex", "csl-json"})

# Rules whose hits on a reference depend on that reference (and the text at its
# offsets) only.  Not here: RC005/RC006/RC048/RC049/RC349 (the file's parse
# problems), RC020 (a prefix convention shared by the file), RC047 and the
# encoding rules (they scan the whole text), RC401-RC409 (references compared with
# each other), the citation rules (other documents).
PER_REFERENCE = frozenset({
    "RC001", "RC002", "RC003", "RC004", "RC008",
    "RC021", "RC022", "RC023",
    "RC101", "RC102", "RC103", "RC120",
    "RC201", "RC202", "RC203", "RC204", "RC205", "RC207",
    "RC220", "RC221", "RC222", "RC223", "RC224",
    "RC403", "RC420", "RC421", "RC450", "RC451", "RC452",
})


def sliced(doc: Document, rule: Rule) -> bool:
    """Whether ``rule`` runs over views of ``doc`` rather than the whole of it."""
    return rule.code in PER_REFERENCE and worth_slicing(doc)


def worth_slicing(doc: Document) -> bool:
    return doc.format in LIST_FORMATS and len(doc.references) > SLICE


def views(doc: Document) -> Iterator[Document]:
    """``doc`` as consecutive slices of :data:`SLICE` references, each forgotten by
    every memo once the caller is done with it (when the next one is asked for)."""
    refs = doc.references
    for i in range(0, len(refs), SLICE):
        view = Document(
            source=doc.source,
            format=doc.format,
            references=refs[i : i + SLICE],
            problems=doc.problems,
            section=doc.section,
            layout=doc.layout,
            expects_list=doc.expects_list,
            suppressions=doc.suppressions,
        )
        yield view
        DocumentMemo.release(view)


def done_with(doc: Document, documents: list[Document] | None = None) -> None:
    """``doc`` is checked and will not be read again: drop what refers to it.

    ``documents`` is the list handed to the rules as the run's documents (a
    rule may keep it, to recognise the run by identity): emptied, it no longer
    holds the document.
    """
    DocumentMemo.release(doc)
    if documents is not None:
        documents.clear()


class Collector:
    """Frees cyclic garbage every ``every`` characters of input read.

    The engine runs with the cyclic collector off (walking the live objects of a
    large run again and again cost a fifth of its time), but a file's parse
    leaves cycles behind (a parser's per-call classes, closures, tracebacks),
    and in a run of many files those add up: 55 MiB of the 11,000-entry
    corpus's peak.  One collection per few MB of input, between files, when
    little is alive, costs a few milliseconds.

    Only the youngest generation is collected: with the collector off, every
    object made since the last collection is in it, so a cycle made and dropped
    between two collections is found whole, and what outlived the last one (the
    rules' tables and memos, the findings so far) is not walked again.
    """

    def __init__(self, every: int = 2_000_000) -> None:
        self.every = every
        self.read = 0

    def after(self, chars: int) -> None:
        """Call between files, once the last one is dropped."""
        self.read += chars
        if self.read >= self.every:
            self.read = 0
            # Not gc.freeze(): freezing what is alive between files took no measurable
            # CPU off the 11,000-entry run and added 8 MiB to its peak (garbage made
            # later of frozen objects is never collected).
            gc.collect(0)

    def close(self) -> None:
        """The run is over (nothing to undo while collections are full ones)."""


# Findings one rule may report on one file.  A damaged file can hold a finding at
# every other character (213,000 unpaired brackets in 215 KB made a 90 MB report
# and a 1.1 GB peak); past this the report says so once instead.
MAX_HITS_PER_RULE = 10_000


# A key is copied into every finding on its entry: a damaged file's 16 KB "key"
# times 10,000 findings made a 170 MB report.  No real key is this long.
_KEY_SHOWN = 200


def _shown_key(key: str | None) -> str | None:
    if key is None or len(key) <= _KEY_SHOWN:
        return key
    return key[:_KEY_SHOWN] + "…"


def check_each(
    doc: Document, plans: list[Planned], settings: Settings
) -> list[tuple[list[Finding], list[str]]]:
    """Per plan, its findings on ``doc`` and its notes.

    In a large bibliography the per-reference rules run together over one
    slice of references after another (:func:`views`); each plan's
    findings are the same, in the same order, as over the whole file.
    """
    out: list[tuple[list[Finding], list[str]]] = [([], []) for _ in plans]
    fmt = doc.format
    in_slices: list[int] = []
    for i, plan in enumerate(plans):
        if not plan.rule.applies_to(fmt):
            continue
        if sliced(doc, plan.rule):
            in_slices.append(i)
            continue
        hits = _hits(doc, doc, plan, MAX_HITS_PER_RULE, out[i][1])
        if hits is not None:
            _stamp(doc, plan, settings, hits, out[i][0])
    if not in_slices:
        return out
    left = {i: MAX_HITS_PER_RULE for i in in_slices}
    for view in views(doc):
        for i in list(left):
            hits = _hits(view, doc, plans[i], left[i], out[i][1])
            if hits is None:  # the rule failed: none of its findings, as on the whole file
                out[i][0].clear()
                del left[i]
                continue
            _stamp(doc, plans[i], settings, hits, out[i][0])
            left[i] -= len(hits)
            if out[i][1]:  # capped
                del left[i]
    return out


def _hits(view: Document, doc: Document, plan: Planned, limit: int,
          notes: list[str]) -> list[Hit] | None:
    """A rule's hits on ``view`` (all of ``doc`` or a slice), at most ``limit``;
    None when the rule failed."""
    r = plan.rule
    try:
        hits = list(itertools.islice(r.check(view, plan.ctx), limit + 1))
    except Exception as exc:  # a bug in one rule must not hide the others' findings
        notes.append(
            f"internal error in rule {r.code} on {doc.path}: {type(exc).__name__}: {exc}"
        )
        return None
    if len(hits) > limit:
        del hits[limit:]
        notes.append(f"{doc.path}: {r.code} found more than {MAX_HITS_PER_RULE:,} times; "
                     f"the first {MAX_HITS_PER_RULE:,} are reported")
    return hits


def _stamp(doc: Document, plan: Planned, settings: Settings, hits: list[Hit],
           findings: list[Finding]) -> None:
    """The rule's identity, severity and position on each hit not suppressed."""
    r = plan.rule
    for h in hits:
        if doc.suppressions and suppressed(doc, h.start, r.code):
            continue
        ref = h.reference
        severity = plan.configured or h.severity or r.severity
        findings.append(
            Finding(
                code=r.code,
                name=r.name,
                category=r.category,
                severity=severity,
                message=h.message,
                span=doc.source.span(h.start, h.end),
                text=doc.text[h.start : h.end] if h.end > h.start else None,
                suggestion=h.suggestion,
                field=h.field,
                reference_index=ref.index if ref is not None else None,
                reference_key=_shown_key(ref.key) if ref is not None else None,
                url=h.url,
                status=h.status,
                fix=h.fix,
                transient=h.transient and not settings.strict_links,
            )
        )
