"""False alarms per 100 clean references, on rendered records or real bibliographies.

Default: every Crossref work record in ``benchmarks/data/shared/fixtures/crossref`` is
rendered in six styles (APA, Chicago, MLA, Vancouver, IEEE, GOST; the
renderers of ``parse_accuracy.py``), put in a "References" list and checked
offline.  A rendered reference is correct by construction, so every finding
above info is a false alarm.  ``--held-out`` uses the ~450 records found
inside the other fixture files, which no rule was tuned on.

``--real [PATH ...]``: real bibliographies people keep (default
``benchmarks/data/real-bib/``, ``benchmarks/data/real_bib/`` and
``benchmarks/data/shared/corpus/clean.bib``; sources in each folder's README), checked
offline file by file.  Prints false alarms (findings at warning or above) per
100 entries, by file and by rule, and the safe fixes that would change a
word (``refcheck/text/edits.py``): the goal is 0.  Findings listed in
``benchmarks/data/confirmed-errors.tsv`` (checked by hand: real errors in
the data) are counted, then the rate is printed again without them.

Usage: python benchmarks/false_alarms.py [--held-out] [--show N] [FIXTURES_DIR]
       python benchmarks/false_alarms.py --real [--show N] [PATH ...]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parse_accuracy as pa

from refcheck import engine
from refcheck.config import Settings
from refcheck.model import SourceText
from refcheck.parsers import parse

ROOT = Path(__file__).resolve().parents[1]
STYLES = (pa.apa, pa.chicago, pa.mla, pa.vancouver, pa.ieee, pa.gost)


# Findings checked by hand and found to be errors in the data: not false alarms.
CONFIRMED = ROOT / "benchmarks/data/confirmed-errors.tsv"


def confirmed_errors() -> set[tuple[str, int, str]]:
    """(folder/file, line, code) of each finding listed in ``CONFIRMED``."""
    if not CONFIRMED.exists():
        return set()
    rows = (line.split("\t") for line in CONFIRMED.read_text(encoding="utf-8").splitlines())
    return {(r[0], int(r[1]), r[2]) for r in rows if len(r) >= 3 and not r[0].startswith("#")}


REAL_DEFAULT = (
    ROOT / "benchmarks/data/real-bib",
    ROOT / "benchmarks/data/real_bib",
    ROOT / "benchmarks/data/shared/corpus/clean.bib",
)


def real(paths: list[Path], show: int) -> None:
    """False alarms and damaging safe fixes on real bibliographies."""
    from refcheck.parsers import format_for
    from refcheck.text.edits import changed_words

    files = [
        f
        for p in paths
        if p.exists()
        for f in (sorted(p.glob("*.bib")) if p.is_dir() else [p])
    ]
    settings = Settings(offline=True, jobs=1)
    entries = alarms = fixes = known = 0
    confirmed = confirmed_errors()
    by_code: collections.Counter[str] = collections.Counter()
    shown: list[str] = []
    damage: list[str] = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        doc = parse(SourceText(str(f), text), format_for(str(f)) or "bibtex")
        n = sum(1 for _ in doc.entries())
        found = 0
        for x in engine.check([doc], settings).findings:
            fx = x.fix
            if fx is not None and fx.safe:
                fixes += 1
                changed = changed_words(doc.text, fx.start, fx.end, fx.replacement)
                if changed is not None:
                    before, after = changed
                    damage.append(f"  {f.name}:{x.span.line} {x.code} {before!r} -> {after!r}")
            if x.severity.value == "info":
                continue
            found += 1
            by_code[x.code] += 1
            known += (f"{f.parent.name}/{f.name}", x.span.line, x.code) in confirmed
            if len(shown) < show:
                shown.append(f"  {f.name}:{x.span.line} {x.code} {x.text[:60]!r}: {x.message[:90]}")
        entries += n
        alarms += found
        print(f"{f.parent.name}/{f.name}: {n} entries, {found} findings at warning or above")
    print(f"entries: {entries} in {len(files)} files")
    print(f"false alarms: {alarms} = {100 * alarms / max(entries, 1):.2f} per 100 entries")
    rest = alarms - known
    print(f"  less {known} confirmed errors in the data ({CONFIRMED.name}): {rest} = "
          f"{100 * rest / max(entries, 1):.2f} per 100 entries")
    for code, k in sorted(by_code.items()):
        print(f"  {code}: {k}")
    print(f"safe fixes: {fixes}; changing a word: {len(damage)}")
    print("\n".join(damage[:show]))
    if shown:
        print("examples:")
        print("\n".join(shown))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixtures", nargs="*", help="FIXTURES_DIR, or with --real the bibliographies")
    ap.add_argument("--held-out", action="store_true")
    ap.add_argument("--real", action="store_true", help="measure on real bibliographies")
    ap.add_argument("--show", type=int, default=10, metavar="N", help="print N false alarms")
    args = ap.parse_args()
    if args.real:
        real([Path(p) for p in args.fixtures] or list(REAL_DEFAULT), args.show)
        return
    if len(args.fixtures) > 1:
        ap.error("one FIXTURES_DIR at most")
    fixtures = (args.fixtures[0] if args.fixtures
                else str(ROOT / "benchmarks/data/shared/fixtures/crossref"))
    works, _ = pa.load_works(fixtures, held_out=args.held_out)
    settings = Settings(offline=True)
    total = 0
    by_code: collections.Counter[str] = collections.Counter()
    shown: list[str] = []
    for style in STYLES:
        lines = [f"{i}. {style(w)[0]}" for i, w in enumerate(works, 1)]
        text = "References\n\n" + "\n".join(lines) + "\n"
        doc = parse(SourceText(f"{style.__name__}.txt", text), "text")
        total += len(doc.references)
        for f in engine.check([doc], settings).findings:
            if f.severity.value == "info":
                continue
            by_code[f.code] += 1
            if len(shown) < args.show:
                shown.append(f"  {style.__name__:9} {f.code} {f.text!r}: {f.message[:100]}")
    alarms = sum(by_code.values())
    print(f"records: {len(works)}{' (held out)' if args.held_out else ''}; "
          f"references checked: {total} in {len(STYLES)} styles")
    print(f"false alarms: {alarms} = {100 * alarms / max(total, 1):.2f} per 100 clean references")
    for code, n in sorted(by_code.items()):
        print(f"  {code}: {n}")
    if shown:
        print("examples:")
        print("\n".join(shown))


if __name__ == "__main__":
    main()
