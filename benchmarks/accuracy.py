"""Detection accuracy of refcheck's offline rules, measured on labeled data.

Prints, per error category, recall, precision, false alarms per 100 clean
references and fix accuracy, on:

* ``benchmarks/data/shared/corpus/errors.jsonl`` — real references with labeled errors;
* ``benchmarks/data/shared/corpus/clean.bib`` and ``tests/data/clean/`` — correct
  references: every finding above info on them is a false alarm;
* ``benchmarks/data/shared/corpus/seed_examples.jsonl`` — labeled errors of the seeds.

A finding detects an error when it lies on the error's line(s), its category
matches the error's kind, and its text overlaps the error's token.  Inputs
are parsed with the project's parsers; a text input in which the text parser
finds no reference is checked as one reference (the corpus holds single
references, not lists).

Usage: ``python benchmarks/accuracy.py [--shared DIR] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from refcheck.config import Settings  # noqa: E402
from refcheck.engine import check  # noqa: E402
from refcheck.fix import apply_text  # noqa: E402
from refcheck.model import Document, Finding, Reference, Severity, SourceText  # noqa: E402
from refcheck.parsers import format_for, parse  # noqa: E402

# Label kind -> the finding categories that count as detecting it.
KIND_CATEGORIES: dict[str, set[str]] = {
    "typo": {"typo"},
    "artifact": {"artifact"},
    "url": {"artifact", "syntax"},
    "doi": {"artifact", "syntax"},
    "apostrophe": {"encoding"},
    "mojibake": {"encoding"},
    "encoding": {"encoding"},
    "structure": {"structure", "syntax"},
}
# Categories this benchmark measures (network categories need a registry).
MEASURED = {"typo", "artifact", "encoding", "syntax", "structure"}


@dataclass
class Tally:
    errors: int = 0
    found: int = 0
    fixes: int = 0
    fixes_right: int = 0
    findings: int = 0
    true_findings: int = 0
    misses: list[str] = field(default_factory=list)


def run(documents: list[Document]) -> list[Finding]:
    settings = Settings(offline=True, jobs=1)
    result = check(documents, settings)
    return [
        f
        for f in result.findings
        if f.severity.rank > Severity.INFO.rank and f.category.value in MEASURED
    ]


def parse_input(path: str, text: str, fmt: str) -> Document:
    doc = parse(SourceText(path, text, "utf-8", None), fmt)
    if fmt == "text" and not doc.references:
        doc.references.append(
            Reference(path=path, format="text", index=1, start=0, end=len(text), raw=text)
        )
    return doc


def _overlaps(f: Finding, doc: Document, start: int, end: int) -> bool:
    fs = _offset(doc, f.span.line, f.span.column)
    fe = _offset(doc, f.span.end_line, f.span.end_column)
    return fs < end and start < max(fe, fs + 1)


def _offset(doc: Document, line: int, column: int) -> int:
    return doc.source.line_start(line) + column - 1


def _fix_right(doc: Document, f: Finding, start: int, end: int, correct: str) -> bool:
    if f.fix is None:
        return False
    text = doc.text
    expected = text[:start] + correct + text[end:]
    return apply_text(text, [f.fix]) == expected


def score_errors(path: Path, tallies: dict[str, Tally], note: list[str]) -> None:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    score_items(items, tallies, note, path.name)


def score_items(
    items: list[dict[str, Any]], tallies: dict[str, Tally], note: list[str], name: str
) -> None:
    """Score labelled items (``errors.jsonl``'s format; an error may give its ``offset``)."""
    fallback = 0
    for item in items:
        doc = parse_input(f"corpus/{item['id']}", item["input"], item["format"])
        if item["format"] == "text" and doc.references and doc.references[0].raw == item["input"]:
            fallback += 1
        findings = run([doc])
        matched: set[int] = set()
        for err in item["errors"]:
            kind = err["kind"]
            t = tallies[kind]
            t.errors += 1
            start = err.get("offset", item["input"].find(err["token"]))
            if start < 0:
                t.misses.append(f"{item['id']}: token {err['token']!r} not in input")
                continue
            end = start + len(err["token"])
            hits = [
                i
                for i, f in enumerate(findings)
                if f.category.value in KIND_CATEGORIES.get(kind, {kind})
                and _overlaps(f, doc, start, end)
            ]
            if not hits:
                t.misses.append(f"{item['id']}: {err['token']!r} ({kind})")
                continue
            t.found += 1
            matched.update(hits)
            fixable = [findings[i] for i in hits if findings[i].fix is not None]
            if fixable:
                t.fixes += 1
                if any(_fix_right(doc, f, start, end, err["correct"]) for f in fixable):
                    t.fixes_right += 1
        for i, f in enumerate(findings):
            cat = f.category.value
            tallies[cat].findings += 1
            if i in matched:
                tallies[cat].true_findings += 1
            else:
                tallies[cat].misses.append(
                    f"{item['id']}: unlabeled finding {f.code} {f.text!r} ({f.message})"
                )
    note.append(f"{name}: {len(items)} inputs ({fallback} text inputs read as one reference)")


def score_clean(paths: list[Path]) -> tuple[int, list[Finding]]:
    refs = 0
    alarms: list[Finding] = []
    for p in paths:
        fmt = format_for(str(p)) or "text"
        doc = parse_input(str(p), p.read_text(encoding="utf-8"), fmt)
        refs += sum(1 for _ in doc.entries())
        alarms.extend(run([doc]))
    return refs, alarms


def score_seeds(path: Path, seeds_dir: Path) -> tuple[int, int, list[str]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    found = 0
    misses: list[str] = []
    cache: dict[str, tuple[Document, list[Finding]]] = {}
    for item in items:
        file = seeds_dir / item["file"]
        if item["file"] not in cache:
            doc = parse_input(str(file), file.read_text(encoding="utf-8"), "text")
            cache[item["file"]] = (doc, run([doc]))
        doc, findings = cache[item["file"]]
        line_start = doc.source.line_start(item["line"])
        line_text = doc.source.line_text(item["line"])
        col = line_text.find(item["token"])
        if col < 0:
            misses.append(f"{item['file']}:{item['line']}: token not on the line")
            continue
        start, end = line_start + col, line_start + col + len(item["token"])
        cats = KIND_CATEGORIES.get(item["kind"], {item["kind"]})
        if any(f.category.value in cats and _overlaps(f, doc, start, end) for f in findings):
            found += 1
        else:
            misses.append(f"{item['file']}:{item['line']}: {item['token']!r} ({item['kind']})")
    return found, len(items), misses


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def _table(
    title: str, tallies: dict[str, Tally], alarms: dict[str, int], clean_refs: int
) -> dict[str, Any]:
    """Print one recall table; return its numbers."""
    kinds = sorted(set(tallies) | set(alarms))
    print(title)
    print(
        f"{'category':<11} {'errors':>6} {'found':>5} {'recall':>6} {'precision':>9} "
        f"{'FA/100':>6} {'fixes':>5} {'fix acc':>7}"
    )
    rows: dict[str, Any] = {}
    total_e = total_f = 0
    for k in kinds:
        t = tallies[k]
        total_e += t.errors
        total_f += t.found
        fa = 100 * alarms.get(k, 0) / clean_refs if clean_refs else 0.0
        rows[k] = {
            "errors": t.errors,
            "found": t.found,
            "recall": t.found / t.errors if t.errors else None,
            "precision": t.true_findings / t.findings if t.findings else None,
            "false_alarms_per_100": fa,
            "fix_accuracy": t.fixes_right / t.fixes if t.fixes else None,
        }
        print(
            f"{k:<11} {t.errors:>6} {t.found:>5} {_ratio(t.found, t.errors):>6} "
            f"{_ratio(t.true_findings, t.findings):>9} {fa:>6.2f} "
            f"{t.fixes:>5} {_ratio(t.fixes_right, t.fixes):>7}"
        )
    fa_all = 100 * sum(alarms.values()) / clean_refs if clean_refs else 0.0
    print(
        f"{'all':<11} {total_e:>6} {total_f:>5} {_ratio(total_f, total_e):>6} "
        f"{'':>9} {fa_all:>6.2f}"
    )
    return {"categories": rows, "recall": total_f / total_e if total_e else None}


def clean_sources(corpus: Path) -> list[Path]:
    """Correct references: the corpus's clean.bib, tests/data/clean, real bibliographies.

    ``benchmarks/data/real_bib`` and ``real-bib`` hold real project
    bibliographies (sources in their READMEs); any ``benchmarks/data/clean*``
    folder is read too.
    """
    files = [corpus / "clean.bib"] if (corpus / "clean.bib").is_file() else []
    data = ROOT / "benchmarks" / "data"
    dirs = [ROOT / "tests" / "data" / "clean", data / "real_bib", data / "real-bib"]
    dirs += sorted(data.glob("clean*"))
    for d in dirs:
        if d.is_dir():
            files += sorted(
                p
                for p in d.iterdir()
                if p.is_file() and p.suffix in (".bib", ".txt", ".json") and p.stem != "README"
            )
    return files


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--shared", default=str(ROOT / "benchmarks" / "data" / "shared"))
    ap.add_argument("--verbose", "-v", action="store_true", help="list misses and alarms")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    ap.add_argument(
        "--no-generated", action="store_true", help="skip the generated (damaged-copy) errors"
    )
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    corpus = shared / "corpus"
    notes: list[str] = []
    tallies: dict[str, Tally] = defaultdict(Tally)
    if (corpus / "errors.jsonl").is_file():
        score_errors(corpus / "errors.jsonl", tallies, notes)

    clean_files = clean_sources(corpus)
    clean_refs, alarms = score_clean(clean_files)
    seeds_found, seeds_total, seed_misses = 0, 0, list[str]()
    if (corpus / "seed_examples.jsonl").is_file():
        seeds_found, seeds_total, seed_misses = score_seeds(
            corpus / "seed_examples.jsonl", shared / "seeds"
        )

    by_cat_alarms: dict[str, int] = defaultdict(int)
    for f in alarms:
        by_cat_alarms[f.category.value] += 1
    report: dict[str, Any] = {"clean_references": clean_refs}
    report["development"] = _table(
        "Development split (corpus/errors.jsonl)", tallies, by_cat_alarms, clean_refs
    )
    generated: dict[str, Tally] = defaultdict(Tally)
    if not args.no_generated:
        from benchmarks.inject import generate

        bibs = [p for p in clean_files if p.suffix == ".bib"]
        texts = [p for p in clean_files if p.suffix == ".txt"]
        items = generate(bibs, texts)
        score_items(items, generated, notes, "generated errors")
        print()
        report["generated"] = _table(
            "Generated errors (damaged copies of the clean references; benchmarks/inject.py)",
            generated,
            by_cat_alarms,
            clean_refs,
        )
    fa_all = 100 * len(alarms) / clean_refs if clean_refs else 0.0
    names = ", ".join(os.path.relpath(p) for p in clean_files)
    print(f"clean references: {clean_refs} ({names})")
    print(f"false alarms per 100 clean references: {fa_all:.2f} ({len(alarms)} findings)")
    by_code: dict[str, int] = defaultdict(int)
    for f in alarms:
        by_code[f.code] += 1
    print("  by rule: " + ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())))
    print(f"seed examples found: {seeds_found}/{seeds_total}")
    for n in notes:
        print(n)
    report.update(
        recall=report["development"]["recall"],
        false_alarms_per_100=fa_all,
        seeds_found=seeds_found,
        seeds_total=seeds_total,
    )
    if args.verbose:
        for label, group in (("dev", tallies), ("generated", generated)):
            for k in sorted(group):
                for m in group[k].misses:
                    print(f"  [{label} {k}] {m}")
        for f in alarms:
            print(
                f"  false alarm: {f.path}:{f.span.line}:{f.span.column} "
                f"{f.code} {f.text!r}: {f.message}"
            )
        for m in seed_misses:
            print(f"  seed miss: {m}")
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
