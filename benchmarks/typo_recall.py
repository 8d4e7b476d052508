"""Recall of misspellings in real titles: listed common misspellings and keyboard slips.

Real, correct BibTeX entries (``benchmarks/data/real-bib/``, sources in its
README) are damaged one word at a time, in the title, and checked offline
with the typo rules (RC101–RC103).  A damage is found when a typo finding
covers the damaged word.  Two kinds:

* ``listed``: a word replaced by a common misspelling of it from
  ``refcheck/data/misspellings.txt`` (codespell's list: "government" ->
  "goverment").  This measures that the list reaches the words where they
  stand (names, braces, LaTeX, neighbouring words), not the list itself.
* ``slip``: one keyboard slip in a common word of 6+ letters (a letter
  dropped, doubled, swapped with the next or replaced by a neighbour on the
  keyboard); the list plays no part unless the slip happens to be in it.

The undamaged entries are checked too: every typo finding on them is a
false alarm.  Deterministic (``--seed``).

Usage: python benchmarks/typo_recall.py [--per-kind N] [--seed S] [--show N] [DIR]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from refcheck.config import Settings  # noqa: E402
from refcheck.engine import check  # noqa: E402
from refcheck.model import Document, SourceText  # noqa: E402
from refcheck.parsers import parse  # noqa: E402
from refcheck.text import freq  # noqa: E402

_TYPO = ("RC101", "RC102", "RC103")
_ENTRY = re.compile(r"^@(?!string|preamble|comment)\w+\s*\{", re.IGNORECASE | re.MULTILINE)
_PLAIN_WORD = re.compile(r"(?<![\\{\w])[A-Za-z]{4,}(?![\w}])")
_KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbours(c: str) -> str:
    for row in _KEYS:
        i = row.find(c.lower())
        if i >= 0:
            return row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return ""


def _slip(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)  # typists rarely miss the first letter
    kind = rng.choice(("drop", "double", "swap", "near"))
    if kind == "drop":
        out = word[:i] + word[i + 1 :]
    elif kind == "double":
        out = word[:i] + word[i] + word[i:]
    elif kind == "swap":
        out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    else:
        near = _neighbours(word[i]) or "e"
        out = word[:i] + rng.choice(near) + word[i + 1 :]
    return out


def _entries(folder: Path) -> list[tuple[str, str, int, int]]:
    """(file name, entry text, title start, title end) of entries with a plain title."""
    out = []
    for path in sorted(folder.glob("*.bib")):
        text = path.read_text(encoding="utf-8", errors="replace")
        starts = [m.start() for m in _ENTRY.finditer(text)] + [len(text)]
        for a, b in itertools.pairwise(starts):
            entry = text[a:b]
            m = re.search(r"\btitle\s*=\s*[{\"]", entry, re.IGNORECASE)
            if m is None:
                continue
            end = entry.find("\n", m.end())
            if end > m.end():
                out.append((path.name, entry, m.end(), end))
    return out


def _found(doc: Document, start: int, end: int) -> bool:
    result = check([doc], Settings(offline=True, jobs=1, select=list(_TYPO)))
    spans = [(doc.source.line_start(f.span.line) + f.span.column - 1, f) for f in result.findings]
    return any(s < end and start < s + max(1, len(f.text)) for s, f in spans)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("folder", nargs="?", default=str(ROOT / "benchmarks/data/real-bib"))
    ap.add_argument("--per-kind", type=int, default=300, metavar="N")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--show", type=int, default=10, metavar="N", help="print N misses")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    entries = _entries(Path(args.folder))
    rng.shuffle(entries)
    lines = Path(ROOT / "refcheck/data/misspellings.txt").read_text(encoding="utf-8")
    wrong_of: dict[str, list[str]] = {}
    for line in lines.splitlines():
        if line and not line.startswith("#"):
            wrong, right = line.split()
            wrong_of.setdefault(right, []).append(wrong)
    tallies = {"listed": [0, 0], "slip": [0, 0]}
    misses: list[str] = []
    alarms = clean = 0
    for name, entry, ts, te in entries:
        if all(t[0] >= args.per_kind for t in tallies.values()):
            break
        doc = parse(SourceText(name, entry), "bibtex")
        clean += 1
        result = check([doc], Settings(offline=True, jobs=1, select=list(_TYPO)))
        alarms += len(result.findings)
        words = [m for m in _PLAIN_WORD.finditer(entry, ts, te)]
        rng.shuffle(words)
        for kind in tallies:
            if tallies[kind][0] >= args.per_kind:
                continue
            for m in words:
                w = m.group()
                low = w.lower()
                if kind == "listed" and low in wrong_of:
                    bad = rng.choice(wrong_of[low])
                elif kind == "slip" and len(w) >= 6 and freq.zipf(low) >= 3.0:
                    bad = _slip(low, rng)
                    if freq.zipf(bad) >= 3.0:
                        continue  # a slip into another common word is no non-word
                else:
                    continue
                bad = w[0] + bad[1:] if w[0].isupper() else bad
                damaged = entry[: m.start()] + bad + entry[m.end() :]
                ddoc = parse(SourceText(name, damaged), "bibtex")
                tallies[kind][0] += 1
                if _found(ddoc, m.start(), m.start() + len(bad)):
                    tallies[kind][1] += 1
                elif len(misses) < args.show:
                    misses.append(f"  {kind:6} {name}: {w!r} -> {bad!r}")
                break
    print(
        f"entries checked undamaged: {clean}; typo findings on them: {alarms} "
        f"= {100 * alarms / max(clean, 1):.2f} per 100 entries"
    )
    for kind, (n, k) in tallies.items():
        print(f"{kind:6} recall: {k}/{n} = {k / max(n, 1):.2f}")
    if misses:
        print("misses:")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
