"""Real published PDFs (and Word files, when given): references read, read time, findings.

The documents are not made here: ``benchmarks/data/real-pdf/`` holds vignettes and
papers shipped inside Debian's R packages (sources, versions and licences in its
README), and ``expected.json`` beside them gives the true number of references in
each, counted by hand from the rendered list (and, for some, the first words of each
reference).  Any other folder of ``.pdf``/``.docx`` files with an ``expected.json`` of
the same shape can be given instead; a missing folder is reported, nothing is fetched.

For each document, as a user would run it (whole process):

* ``refcheck parse FILE --format json``: references read (entries) against the
  expected number, capped at the expected number so that a list split in two does not
  make up for a list read short (the excess is shown as ``+N``); the first words of
  each reference are compared where ``expected.json`` lists them;
* the parse's wall time per page;
* ``refcheck check --offline FILE --format json``: every finding at warning or above.
  These are published documents: each finding is either a real slip of the document
  or a false alarm (a typesetting artifact — hyphenation, ligatures, wrapped links,
  running headers, page numbers — must never be reported).

Usage: python benchmarks/real_documents.py [--show-findings] [DIR]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "benchmarks" / "data" / "real-pdf"
_WARNING_UP = {"warning", "error"}


def _pages(path: Path) -> int:
    if path.suffix.lower() != ".pdf":
        return 1
    import pypdfium2  # type: ignore[import-untyped]

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def _run(args: list[str]) -> tuple[dict[str, Any], float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "refcheck", *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    try:
        return json.loads(proc.stdout), elapsed
    except json.JSONDecodeError:
        return {"error": (proc.stderr or proc.stdout).strip()[:300]}, elapsed


def _norm(s: str) -> str:
    return " ".join(s.replace("’", "'").split()).casefold()


def _first_words_match(raws: list[str], first: list[str]) -> int:
    """How many expected references (by their first words) begin a reference read, in order."""
    hits = 0
    j = 0
    for want in first:
        w = _norm(want)
        for k in range(j, len(raws)):
            if _norm(raws[k]).lstrip("[]0123456789. ").startswith(w):
                hits += 1
                j = k + 1
                break
    return hits


def main(argv: list[str]) -> int:
    show = "--show-findings" in argv
    args = [a for a in argv if not a.startswith("--")]
    folder = Path(args[0]) if args else DEFAULT_DIR
    expected_file = folder / "expected.json"
    if not expected_file.is_file():
        print(f"{folder}: no expected.json (see benchmarks/data/real-pdf/README.md); nothing read")
        return 0
    expected = {k: v for k, v in json.loads(expected_file.read_text()).items() if k[0] != "_"}
    total_read = total_want = total_right = pages_all = exact_files = 0
    time_all = 0.0
    first_hits = first_want = 0
    alarms: list[str] = []
    print(f"{'document':36} {'read':>9} {'pages':>5} {'s/page':>7} {'findings':>8}")
    for name, want in sorted(expected.items()):
        path = folder / name
        if not path.is_file():
            print(f"{name:36} missing")
            continue
        n_want = int(want["references"])
        parsed, elapsed = _run(["parse", str(path), "--format", "json"])
        refs = [r for r in parsed.get("references", []) if r.get("kind") == "entry"]
        got = len(refs)
        pages = _pages(path)
        total_read += min(got, n_want)
        # A list split in two or padded with an address block reads as many
        # references wrong as it has extra ones.
        total_right += max(0, n_want - abs(got - n_want))
        exact_files += got == n_want
        total_want += n_want
        pages_all += pages
        time_all += elapsed
        if "first" in want:
            first = list(want["first"])
            first_want += len(first)
            first_hits += _first_words_match([str(r.get("raw", "")) for r in refs], first)
        checked, _ = _run(["check", "--offline", str(path), "--format", "json"])
        found = [f for f in checked.get("findings", []) if f.get("severity") in _WARNING_UP]
        extra = f"+{got - n_want}" if got > n_want else ""
        print(
            f"{name:36} {got:>3}/{n_want:<3}{extra:>3} {pages:>5} {elapsed / pages:>7.3f} "
            f"{len(found):>8}"
        )
        if "error" in parsed:
            print(f"    parse failed: {parsed['error']}")
        for f in found:
            where = f"p{f.get('page')}:{f.get('line')}"
            alarms.append(f"{name} {where} {f.get('code')} {f.get('severity')}: {f.get('message')}")
    rate = total_read / total_want if total_want else 0.0
    right = total_right / total_want if total_want else 0.0
    print(
        f"\nreferences read (capped at the expected count): {total_read}/{total_want} = {rate:.3f}"
    )
    print(
        f"references read right (each extra entry costs one): {total_right}/{total_want} "
        f"= {right:.3f} (goal >= 0.98)"
    )
    print(f"documents read to the exact count: {exact_files}/{len(expected)}")
    if first_want:
        print(f"first words of references matched: {first_hits}/{first_want}")
    if pages_all:
        per_page = time_all / pages_all
        print(f"read time: {per_page:.3f} s/page over {pages_all} pages (whole process, parse)")
    print(f"findings at warning or above: {len(alarms)}")
    if show or len(alarms) <= 60:
        for line in alarms:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
