"""Measure how well ``refcheck.parsers.fields.fill`` reads references.

Each Crossref work record in the shared fixtures (``work__*.json``) is
rendered into a reference string in six styles (APA, Chicago author-date,
MLA, Vancouver, IEEE, GOST-like), parsed back with ``fill``, and every field
is compared with the record after light normalisation (case, whitespace,
dashes, trailing dots).  The table gives, per style and field, the share of
references whose field was read exactly; a field counts only where the
record has it.  ``spurious`` counts values read where the record has none.

Usage: ``python benchmarks/parse_accuracy.py [FIXTURES_DIR] [--limit N]
[--show-misses N] [--show-spurious N] [--held-out]`` (``FIXTURES_DIR`` defaults
to ``benchmarks/data/shared/fixtures/crossref``).  ``--held-out``
scores instead the records found inside the list responses (``works-query``,
``journal-works`` …) that are not single-work fixtures: a second sample, to
check that a change generalises beyond the records it was tuned on.
"""

from __future__ import annotations

import argparse
import glob
import html
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from refcheck.model import Reference  # noqa: E402
from refcheck.parsers.fields import fill  # noqa: E402

DEFAULT_FIXTURES = os.path.join(ROOT, "benchmarks", "data", "shared", "fixtures", "crossref")
FIELDS = ("authors", "year", "title", "container", "volume", "issue", "pages", "doi")


@dataclass
class Work:
    """The parts of a Crossref record a reference shows."""

    authors: list[tuple[str, str]]  # (family, given); given "" for a literal name
    year: int
    title: str
    container: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str
    publisher: str | None
    kind: str  # article | chapter | book
    type: str = ""  # Crossref's type ("posted-content" for blog posts and preprints)


def _clean(text: str) -> str:
    text = html.unescape(html.unescape(text))
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())


def _single_records(directory: str) -> tuple[list[dict[str, Any]], int]:
    records: list[dict[str, Any]] = []
    bad = 0
    for path in sorted(glob.glob(os.path.join(directory, "work__*.json"))):
        try:
            with open(path, encoding="utf-8") as fh:
                records.append(json.load(fh)["message"])
        except (OSError, ValueError, KeyError):
            bad += 1
    return records, bad


def _list_records(directory: str) -> list[dict[str, Any]]:
    """Items of list responses whose DOI has no single-work fixture."""
    seen = {str(r.get("DOI", "")).lower() for r in _single_records(directory)[0]}
    records: list[dict[str, Any]] = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        if os.path.basename(path).startswith("work__"):
            continue
        try:
            with open(path, encoding="utf-8") as fh:
                msg = json.load(fh).get("message")
        except (OSError, ValueError, AttributeError):
            continue
        items = msg.get("items") if isinstance(msg, dict) else None
        for item in items if isinstance(items, list) else []:
            doi = str(item.get("DOI", "")).lower() if isinstance(item, dict) else ""
            if doi and doi not in seen:
                seen.add(doi)
                records.append(item)
    return records


def load_works(directory: str, held_out: bool = False) -> tuple[list[Work], int]:
    """Records usable as references (title, authors, year) and the number skipped."""
    works: list[Work] = []
    if held_out:
        records, skipped = _list_records(directory), 0
    else:
        records, skipped = _single_records(directory)
    for msg in records:
        title = _clean((msg.get("title") or [""])[0])
        authors: list[tuple[str, str]] = []
        for a in msg.get("author") or []:
            if a.get("family"):
                authors.append((_clean(a["family"]), _clean(a.get("given") or "")))
            elif a.get("name"):
                authors.append((_clean(a["name"]), ""))
        year = None
        for key in ("issued", "published", "published-print", "published-online"):
            parts = (msg.get(key) or {}).get("date-parts") or [[None]]
            if parts and parts[0] and parts[0][0]:
                year = int(parts[0][0])
                break
        if not title or not authors or year is None:
            skipped += 1
            continue
        container = _clean((msg.get("container-title") or [""])[0]) or None
        kind = {
            "journal-article": "article",
            "book-chapter": "chapter",
            "proceedings-article": "chapter",
        }.get(str(msg.get("type")), "book")
        if kind == "book":
            container = None
        pages = msg.get("page")
        works.append(
            Work(
                authors=authors,
                year=year,
                title=title,
                container=container,
                volume=msg.get("volume"),
                issue=msg.get("issue"),
                pages=str(pages) if pages else None,
                doi=str(msg.get("DOI")),
                publisher=_clean(msg.get("publisher") or "") or None,
                kind=kind,
                type=str(msg.get("type") or ""),
            )
        )
    return works, skipped


# --- name forms ------------------------------------------------------------------


def _initials(given: str, dots: bool = True, space: bool = True) -> str:
    out: list[str] = []
    for part in given.replace(".", ". ").split():
        pieces = [p for p in part.split("-") if p]
        if dots:
            out.append("-".join(p[0] + "." for p in pieces))
        else:
            out.append("".join(p[0] for p in pieces))
    return (" " if space and dots else "").join(out)


def _inverted(a: tuple[str, str], initials: bool = False) -> str:
    fam, giv = a
    if not giv:
        return fam
    return f"{fam}, {_initials(giv) if initials else giv}"


def _natural(a: tuple[str, str], initials: bool = False) -> str:
    fam, giv = a
    if not giv:
        return fam
    return f"{_initials(giv) if initials else giv} {fam}"


def _join(names: list[str], conj: str, serial: bool = True) -> str:
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        comma = "," if serial and ("," in names[0] or conj == "&") else ""
        return f"{names[0]}{comma} {conj} {names[1]}"
    return ", ".join(names[:-1]) + f", {conj} {names[-1]}"


def _dash(pages: str | None, dash: str = "–") -> str | None:
    return None if pages is None else re.sub(r"\s*-\s*", dash, pages)


def _end(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


# Each renderer returns the reference and the authors it shows.
Rendered = tuple[str, list[tuple[str, str]]]


def apa(w: Work) -> Rendered:
    shown = w.authors[:20]
    names = [_inverted(a, initials=True) for a in shown]
    auth = _join(names, "&")
    parts = [f"{auth} ({w.year}). {_end(w.title)}"]
    if w.kind == "article" and w.container:
        loc = w.container
        if w.volume:
            loc += f", {w.volume}"
            if w.issue:
                loc += f"({w.issue})"
        if w.pages:
            loc += f", {_dash(w.pages)}"
        parts.append(loc + ".")
    elif w.kind == "chapter" and w.container:
        pp = f" (pp. {_dash(w.pages)})" if w.pages else ""
        parts.append(f"In {w.container}{pp}.")
        if w.publisher:
            parts.append(w.publisher + ".")
    elif w.publisher:
        parts.append(w.publisher + ".")
    parts.append(f"https://doi.org/{w.doi}")
    return " ".join(parts), shown


def chicago(w: Work) -> Rendered:
    shown = w.authors if len(w.authors) <= 10 else w.authors[:7]
    names = [_inverted(shown[0])] + [_natural(a) for a in shown[1:]]
    auth = _join(names, "and") if len(w.authors) <= 10 else ", ".join(names) + ", et al"
    head = f"{_end(auth)} {w.year}."
    if w.kind == "article" and w.container:
        loc = w.container
        if w.volume:
            loc += f" {w.volume}"
            if w.issue:
                loc += f" ({w.issue})"
        if w.pages:
            loc += f": {_dash(w.pages)}"
        body = f"“{_end(w.title)}” {loc}."
    elif w.kind == "chapter" and w.container:
        pp = f", {_dash(w.pages)}" if w.pages else ""
        pub = f" {w.publisher}." if w.publisher else ""
        body = f"“{_end(w.title)}” In {w.container}{pp}.{pub}"
    else:
        body = _end(w.title) + (f" {w.publisher}." if w.publisher else "")
    return f"{head} {body} https://doi.org/{w.doi}.", shown


def mla(w: Work) -> Rendered:
    if len(w.authors) >= 3:
        shown = w.authors[:1]
        auth = _inverted(shown[0]) + ", et al."
    else:
        shown = w.authors
        names = [_inverted(shown[0])] + [_natural(a) for a in shown[1:]]
        auth = _end(_join(names, "and"))
    if w.container:
        bits = [w.container]
        if w.volume:
            bits.append(f"vol. {w.volume}")
        if w.issue:
            bits.append(f"no. {w.issue}")
        if w.kind == "chapter" and w.publisher:
            bits.append(w.publisher)
        bits.append(str(w.year))
        if w.pages:
            bits.append(("pp. " if "-" in w.pages else "p. ") + str(_dash(w.pages)))
        body = f"“{_end(w.title)}” " + ", ".join(bits)
    else:
        body = _end(w.title) + (f" {w.publisher}" if w.publisher else "") + f", {w.year}"
    return f"{auth} {body}, https://doi.org/{w.doi}.", shown


def vancouver(w: Work) -> Rendered:
    shown = w.authors[:6]
    names = [f"{f} {_initials(g, dots=False)}".strip() if g else f for f, g in shown]
    auth = ", ".join(names) + (", et al." if len(w.authors) > 6 else ".")
    if w.kind == "article" and w.container:
        loc = f"{w.year}"
        if w.volume:
            loc += f";{w.volume}"
            if w.issue:
                loc += f"({w.issue})"
        if w.pages:
            loc += f":{w.pages}"
        body = f"{_end(w.title)} {w.container}. {loc}."
    elif w.kind == "chapter" and w.container:
        pp = f" p. {w.pages}." if w.pages else ""
        pub = f" {w.publisher};" if w.publisher else ""
        body = f"{_end(w.title)} In: {w.container}.{pub} {w.year}.{pp}"
    else:
        pub = f" {w.publisher};" if w.publisher else ""
        body = f"{_end(w.title)}{pub} {w.year}."
    return f"{auth} {body} doi:{w.doi}", shown


def ieee(w: Work) -> Rendered:
    shown = w.authors if len(w.authors) <= 6 else w.authors[:1]
    names = [_natural(a, initials=True) for a in shown]
    auth = _join(names, "and") if len(w.authors) <= 6 else names[0] + " et al."
    if w.container:
        bits = [f"{'in ' if w.kind == 'chapter' else ''}{w.container}"]
        if w.volume:
            bits.append(f"vol. {w.volume}")
        if w.issue:
            bits.append(f"no. {w.issue}")
        if w.pages:
            bits.append(("pp. " if "-" in w.pages else "p. ") + str(_dash(w.pages)))
        bits.append(str(w.year))
        body = f"“{w.title},” " + ", ".join(bits)
    else:
        pub = f" {w.publisher}," if w.publisher else ""
        body = f"{w.title}.{pub} {w.year}"
    return f"{auth}, {body}, doi: {w.doi}.", shown


def gost(w: Work) -> Rendered:
    shown = w.authors[:4]
    names = [f"{f} {_initials(g, space=False)}".strip() if g else f for f, g in shown]
    auth = ", ".join(names) + (" et al." if len(w.authors) > 4 else "")
    if w.container:
        bits = [w.container, str(w.year)]
        if w.volume:
            bits.append(f"vol. {w.volume}")
        if w.issue:
            bits.append(f"no. {w.issue}")
        if w.pages:
            bits.append(f"pp. {w.pages}" if "-" in w.pages else f"p. {w.pages}")
        body = f"{_end(w.title)} {', '.join(bits)}."
    else:
        pub = f" {w.publisher}," if w.publisher else ""
        body = f"{_end(w.title)}{pub} {w.year}."
    return f"{auth} {body} DOI: {w.doi}", shown


STYLES: dict[str, Callable[[Work], Rendered]] = {
    "apa": apa,
    "chicago": chicago,
    "mla": mla,
    "vancouver": vancouver,
    "ieee": ieee,
    "gost": gost,
}


def norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = re.sub(r"\s*-\s*", "-", text)
    text = " ".join(text.split())
    return text.strip(" .,;:“”\"'‘’")


def expected(w: Work, shown: list[tuple[str, str]]) -> dict[str, object]:
    return {
        "authors": [norm(f) for f, _ in shown],
        "year": w.year,
        "title": norm(w.title),
        "container": norm(w.container) if w.container else None,
        "volume": norm(w.volume) if w.volume else None,
        "issue": norm(w.issue) if w.issue else None,
        "pages": norm(w.pages) if w.pages else None,
        "doi": norm(w.doi),
    }


def got(ref: Reference) -> dict[str, object]:
    def n(v: str | None) -> str | None:
        return norm(v) if v else None

    return {
        "authors": [norm(a.family) for a in ref.authors],
        "year": ref.year,
        "title": n(ref.title),
        "container": n(ref.container),
        "volume": n(ref.volume),
        "issue": n(ref.issue),
        "pages": n(ref.pages),
        "doi": n(ref.doi),
    }


@dataclass
class Score:
    ok: int = 0
    total: int = 0
    spurious: int = 0
    misses: list[tuple[str, object, object]] = field(default_factory=list)
    spurious_values: list[tuple[str, object]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.ok / self.total if self.total else 1.0


def evaluate(works: Sequence[Work]) -> dict[str, dict[str, Score]]:
    table: dict[str, dict[str, Score]] = {s: {f: Score() for f in FIELDS} for s in STYLES}
    for w in works:
        for style, render in STYLES.items():
            text, shown = render(w)
            ref = Reference(path="bench", format="text", index=0, start=0, end=len(text), raw=text)
            fill(ref)
            want, have = expected(w, shown), got(ref)
            for f in FIELDS:
                sc = table[style][f]
                if want[f] is None:
                    if have[f] is not None:
                        sc.spurious += 1
                        sc.spurious_values.append((text, have[f]))
                    continue
                sc.total += 1
                if want[f] == have[f]:
                    sc.ok += 1
                else:
                    sc.misses.append((text, want[f], have[f]))
    return table


def render_table(table: dict[str, dict[str, Score]]) -> str:
    lines = ["style       " + " ".join(f"{f:>9}" for f in FIELDS)]
    for style, row in table.items():
        lines.append(f"{style:<11} " + " ".join(f"{row[f].accuracy:9.3f}" for f in FIELDS))
    lines.append("n (counted) " + " ".join(f"{table['apa'][f].total:9d}" for f in FIELDS))
    spur = " ".join(f"{sum(r[f].spurious for r in table.values()):9d}" for f in FIELDS)
    lines.append("spurious    " + spur)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("fixtures", nargs="?", default=DEFAULT_FIXTURES)
    parser.add_argument("--limit", type=int, default=None, help="use the first N records")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="score the records of the list responses instead of the single-work fixtures",
    )
    parser.add_argument(
        "--show-spurious",
        type=int,
        default=0,
        metavar="N",
        help="print up to N values read where the record has none, per style and field",
    )
    parser.add_argument(
        "--show-misses",
        type=int,
        default=0,
        metavar="N",
        help="print up to N misses per style and field",
    )
    args = parser.parse_args(argv)
    works, skipped = load_works(args.fixtures, held_out=args.held_out)
    if args.limit is not None:
        works = works[: args.limit]
    if not works:
        print(f"no usable work records in {args.fixtures}", file=sys.stderr)
        return 2
    table = evaluate(works)
    print(f"records used: {len(works)} (skipped without title/authors/year: {skipped})")
    print(render_table(table))
    if args.show_misses:
        for style, row in table.items():
            for f, sc in row.items():
                for text, want, have in sc.misses[: args.show_misses]:
                    print(f"[{style}/{f}] want={want!r} got={have!r}\n    {text}")
    if args.show_spurious:
        for style, row in table.items():
            for f, sc in row.items():
                for text, have in sc.spurious_values[: args.show_spurious]:
                    print(f"[{style}/{f} spurious] got={have!r}\n    {text}")
    worst = min(sc.accuracy for row in table.values() for sc in row.values())
    print(f"lowest accuracy: {worst:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
