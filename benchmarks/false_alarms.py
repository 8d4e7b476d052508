"""False alarms per 100 clean references, on references rendered from registry records.

Every Crossref work record in ``../shared/fixtures/crossref`` is rendered in six styles
(APA, Chicago, MLA, Vancouver, IEEE, GOST; the renderers of ``parse_accuracy.py``), put in
a "References" list and checked offline. A rendered reference is correct by construction,
so every finding above info is a false alarm. ``--held-out`` uses the ~450 records found
inside the other fixture files, which no rule was tuned on.

Usage: python benchmarks/false_alarms.py [--held-out] [--show N] [FIXTURES_DIR]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixtures", nargs="?", default=str(ROOT.parent / "shared/fixtures/crossref"))
    ap.add_argument("--held-out", action="store_true")
    ap.add_argument("--show", type=int, default=10, metavar="N", help="print N false alarms")
    args = ap.parse_args()
    works, _ = pa.load_works(args.fixtures, held_out=args.held_out)
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
