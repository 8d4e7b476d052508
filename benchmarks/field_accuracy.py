"""Field accuracy and speed of the reference reader, on held-out data only.

Two held-out sets, never trained on (``training/train_reader.py``):

- AnyStyle's gold references (``training/data/anystyle-gold.jsonl``, BSD-2-Clause)
  whose id hashes into the held-out fifth;
- real records (Crossref fixtures, HALLMARK registry) of the held-out fifth,
  rendered through 20 CSL styles, half of them damaged as PDFs damage text
  (``training/data/rendered-heldout.jsonl``), grouped by style family.

Each reference is read one at a time by ``fill`` (the combined reader) and by
``fill_rules`` (the hand-written reader alone, as before the labeller), and
each field is compared with the labelled value after light normalisation
(case, spaces, dashes, edge punctuation).  F1 per field: a right value is a
true positive; a wrong one is a false positive and a false negative; a
missing one a false negative; one read where none is labelled a false
positive.  Authors count per family name (matched as a multiset).

Speed: 10,000 references (the held-out strings, cycled) labelled on one core:
the labeller alone, ``fill`` and ``fill_rules``, in CPU seconds of this one
process (``time.process_time``), so other work on the machine does not count.

Usage: ``python benchmarks/field_accuracy.py [--data DIR] [--limit N] [--no-speed]
[--show-misses FIELD] [--family F]``
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "training")]

from align import held_out  # noqa: E402

from refcheck.model import Reference  # noqa: E402
from refcheck.parsers.fields import fill, fill_rules  # noqa: E402

FIELDS = ("authors", "year", "title", "container", "volume", "issue", "pages")
GOALS = {"container": 0.85}
DEFAULT_DATA = os.path.join(ROOT, "training", "data")


def norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = re.sub(r"(?<=\w)-\s+(?=\w)", "", text)  # a word split at a line end
    text = re.sub(r"\s*-\s*", "-", text)
    text = " ".join(text.split())
    return text.strip(" .,;:“”\"'‘’«»")


# AnyStyle's gold keeps "In"/"In:" before some books' titles and not others;
# the word is not the container's.
_IN = re.compile(r"^\s*(?:In|in)\s*:?\s+(?=\w)")


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text).lower()


def load(data: str, as_given: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sys.path.insert(0, os.path.join(ROOT, "training"))
    from align import align, anystyle_values

    with open(os.path.join(data, "anystyle-gold.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if not held_out(r["id"]):
                continue
            g = r["gold"]
            values = anystyle_values(r["text"], g)
            if as_given:  # the shared corpus's values, glued "31(3):491–514" without pages
                values["pages"] = g.get("pages")
            spans = align(r["text"], values)
            if spans is not None:
                rows.append(
                    {
                        "family": "anystyle",
                        "text": r["text"],
                        "spans": spans,
                        "authors": g["authors"],
                    }
                )
    with open(os.path.join(data, "rendered-heldout.jsonl"), encoding="utf-8") as fh:
        rows.extend(json.loads(line) for line in fh)
    return rows


def expected(row: dict[str, Any]) -> dict[str, Any]:
    text = row["text"]
    want: dict[str, Any] = dict.fromkeys(FIELDS)
    for label, a, b in row["spans"]:
        if label == "year":
            m = re.search(r"\d{4}", text[a:b])
            want["year"] = int(m.group()) if m else None
        elif label == "container":
            want[label] = norm(_IN.sub("", text[a:b]))
        elif label != "author":
            want[label] = norm(text[a:b])
    want["authors"] = [name_key(n) for n in row["authors"]]
    return want


def read(row: dict[str, Any], reader: Callable[[Reference], None]) -> dict[str, Any]:
    text = row["text"]
    ref = Reference(path="bench", format="text", index=0, start=0, end=len(text), raw=text)
    reader(ref)
    return {
        "authors": [name_key(a.family) for a in ref.authors],
        "year": ref.year,
        "title": norm(ref.title) if ref.title else None,
        "container": norm(_IN.sub("", ref.container)) if ref.container else None,
        "volume": norm(ref.volume) if ref.volume else None,
        "issue": norm(ref.issue) if ref.issue else None,
        "pages": norm(ref.pages) if ref.pages else None,
    }


class F1:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, want: Any, have: Any) -> None:
        if want is None and have is None:
            return
        if want is not None and have == want:
            self.tp += 1
            return
        if have is not None:
            self.fp += 1
        if want is not None:
            self.fn += 1

    def add_names(self, want: list[str], have: list[str]) -> None:
        common = sum((collections.Counter(want) & collections.Counter(have)).values())
        self.tp += common
        self.fp += len(have) - common
        self.fn += len(want) - common

    @property
    def value(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else 1.0


Table = dict[str, dict[str, F1]]


def evaluate(
    rows: Sequence[dict[str, Any]], reader: Callable[[Reference], None], misses: str | None = None
) -> Table:
    table: Table = {}
    shown = 0
    for row in rows:
        want, have = expected(row), read(row, reader)
        for fam in (row["family"], "ALL rendered" if row["family"] != "anystyle" else None):
            if fam is None:
                continue
            t = table.setdefault(fam, {f: F1() for f in FIELDS})
            for f in FIELDS:
                if f == "authors":
                    t[f].add_names(want[f], have[f])
                else:
                    t[f].add(want[f], have[f])
        if misses and want[misses] != have[misses] and shown < 25:
            shown += 1
            print(
                f"[{row['family']}] want={want[misses]!r} got={have[misses]!r}\n    {row['text']!r}"
            )
    return table


def render(new: Table, old: Table) -> str:
    lines = [
        "family        n    " + " ".join(f"{f:>15}" for f in FIELDS),
        "                   " + " ".join(f"{'new':>7} {'old':>7}" for _ in FIELDS),
    ]
    order = sorted(k for k in new if k not in ("anystyle", "ALL rendered"))
    order += ["ALL rendered", "anystyle"]
    for fam in order:
        if fam not in new:
            continue
        n = new[fam]["year"].tp + new[fam]["year"].fn + new[fam]["year"].fp
        cells = []
        for f in FIELDS:
            sc = new[fam][f]
            if sc.tp + sc.fn < 10:  # the style rarely prints it: too few to score
                cells.append(f"{'-':>6}  {'-':>6} ")
                continue
            v = sc.value
            mark = "*" if v < GOALS.get(f, 0.90) else " "
            cells.append(f"{v:6.3f}{mark} {old[fam][f].value:6.3f} ")
        lines.append(f"{fam:<13} {n:5d} " + " ".join(cells))
    lines.append("(* below the goal: 0.90, container 0.85; - fewer than 10 labelled values)")
    return "\n".join(lines)


def speed(rows: Sequence[dict[str, Any]]) -> None:
    from refcheck import reader
    from refcheck.parsers.fields_rules import blanked

    texts = [r["text"] for r in rows]
    texts = (texts * (10_000 // max(1, len(texts)) + 1))[:10_000]
    reader.label("warm up")
    prepared = []
    for t in texts:
        m, pos0 = blanked(t)
        prepared.append(" " * pos0 + m[pos0:])
    t0 = time.process_time()
    for m in prepared:
        reader.label(m)
    t_label = time.process_time() - t0
    results = {}
    for name, fn in (("fill", fill), ("fill_rules", fill_rules)):
        t0 = time.process_time()
        for t in texts:
            fn(Reference(path="b", format="text", index=0, start=0, end=len(t), raw=t))
        results[name] = time.process_time() - t0
    print(
        f"speed, 10,000 references, CPU seconds on one core: labeller {t_label:.2f} s; "
        f"fill (rules + labeller) {results['fill']:.2f} s; fill_rules alone "
        f"{results['fill_rules']:.2f} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--show-misses", choices=FIELDS, default=None)
    ap.add_argument(
        "--as-given",
        action="store_true",
        help="AnyStyle's pages as the shared corpus gives them (none in a glued 31(3):491-514)",
    )
    ap.add_argument("--family", default=None, help="only this family (e.g. anystyle, physics)")
    args = ap.parse_args(argv)
    rows = load(args.data, args.as_given)
    if args.family:
        rows = [r for r in rows if r["family"] == args.family]
    if args.limit:
        rows = rows[:: max(1, len(rows) // args.limit)]
    new = evaluate(rows, fill, args.show_misses)
    old = evaluate(rows, fill_rules)
    print(f"held-out references: {len(rows)}; field F1, new reader (fill) vs old (fill_rules)")
    print(render(new, old))
    if not args.no_speed:
        speed(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
