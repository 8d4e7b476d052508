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
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

from refcheck.model import Document, DocumentMemo
from refcheck.rules.base import Rule

# References per view: small enough that a slice's analyses are a few MB, large
# enough that the per-view overhead (one call per rule) stays negligible.
SLICE = 500

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
    """

    def __init__(self, every: int = 2_000_000) -> None:
        self.every = every
        self.read = 0

    def after(self, chars: int) -> None:
        self.read += chars
        if self.read >= self.every:
            self.read = 0
            gc.collect()
