"""PDF and Word documents against the same references as plain text: read, fields, typos, alarms.

The works are those of ``formats_structured.py`` (46 real Crossref records from
``benchmarks/data/shared/fixtures/crossref``, or the in-repository copy in
``tests/data/shared/fixtures/crossref``; ``--hallmark`` takes them from
``benchmarks/data/shared/hallmark/registry.jsonl``), drawn with the same seeds, and their
slips are injected by the same function.  Each draw becomes an article (a
paragraph citing each work, then the list) in an author-date style (APA,
alphabetical) and a numbered one (Vancouver, ``[n]`` in the text), typeset by
``tests/docbuild.py``:

* **pdf** — two columns, running header and page numbers, words hyphenated at
  line ends, DOIs wrapped across lines, fi/fl ligature glyphs (DejaVu Serif);
* **docx** — one paragraph per reference (python-docx);
* **text** — the same article as a ``.txt`` file: the yardstick.

For each: **read** (entries found / 46), **fields** (exact authors, year, title,
container, volume, issue, pages, DOI: ``parse_accuracy.py``'s normalisation),
**typos** (slips reported by a typo rule) and **exact** (reported at the slip's
own page or part, line and column, checked against the document's own lines),
**alarms** (warnings and errors on the clean document, offline).  Then the
time to read a 20-page two-column PDF (parse only, and the whole ``refcheck
check --offline`` process).

Usage: python benchmarks/formats.py [--hallmark [REGISTRY]] [--seeds N] [--show N] [DIR]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))

import formats_structured as fs  # noqa: E402
import parse_accuracy as pa  # noqa: E402
from docbuild import Para, PdfStyle, article, build_docx, build_pdf, plain_text  # noqa: E402

from refcheck import engine  # noqa: E402
from refcheck.config import Settings  # noqa: E402
from refcheck.model import Document, Finding, SourceText  # noqa: E402
from refcheck.parsers import parse  # noqa: E402

Work = pa.Work


def _cite(w: Work, n: int, numbered: bool) -> str:
    if numbered:
        return f"[{n}]"
    family = w.authors[0][0]
    if len(w.authors) == 2:
        family += f" & {w.authors[1][0]}"
    elif len(w.authors) > 2:
        family += " et al."
    return f"({family}, {w.year})"


def _article(works: list[Work], numbered: bool) -> tuple[list[Work], list[Para]]:
    """The works in list order and the article's paragraphs."""
    style: Callable[[Work], pa.Rendered] = pa.vancouver if numbered else pa.apa
    rendered = [(style(w)[0], w) for w in works]
    if not numbered:
        rendered.sort(key=lambda rw: rw[0].lower())
    ordered = [w for _, w in rendered]
    cites = [_cite(w, n, numbered) for n, w in enumerate(ordered, 1)]
    return ordered, article([r for r, _ in rendered], cites, numbered=numbered)


def _document(kind: str, paras: list[Para], path: str) -> Document:
    if kind == "text":
        return parse(SourceText(path, plain_text(paras)), "text")
    data = build_pdf(paras, PdfStyle()) if kind == "pdf" else build_docx(paras)
    source = SourceText(path, "")
    source.data = data
    return parse(source, kind)


def _check(doc: Document) -> list[Finding]:
    return engine.check([doc], Settings(offline=True)).findings


def _own_lines(kind: str, data: bytes) -> dict[tuple[object, int], str]:
    if kind == "pdf":
        import pypdfium2
        import pypdfium2.raw as raw

        from refcheck.parsers.pdf_layout import read_layout

        pdf = pypdfium2.PdfDocument(data)
        try:
            layout = read_layout(pdf, raw)
        finally:
            pdf.close()
        return {(ln.page, ln.number): ln.text for ln in layout.lines}
    from refcheck.parsers.docx import read_parts

    return {
        (part, k): p.text for part, paras in read_parts(data, "x") for k, p in enumerate(paras, 1)
    }


def _slips(
    kind: str, doc: Document, findings: list[Finding], slips: list[str], data: bytes | None
) -> tuple[int, int]:
    typo = [f for f in findings if f.category.value == "typo"]
    own = (
        _own_lines(kind, data)
        if data is not None
        else {(None, n): doc.source.line_text(n) for n in range(1, doc.source.line_count + 1)}
    )
    found = exact = 0
    for slip in slips:
        hits = [f for f in typo if f.text and slip in f.text]
        found += bool(hits)
        for f in hits:
            where = f.span.page if kind == "pdf" else f.span.part if kind == "docx" else None
            line = own.get((where, f.span.line), "")
            shown = f.text or ""
            at = line[f.span.column - 1 : f.span.column - 1 + len(shown)]
            # A word hyphenated at the line's end starts there and goes on below.
            rest = at.rstrip("\x02-\u00ad")
            if at == shown or (len(at) < len(shown) and rest and shown.startswith(rest)):
                exact += 1
                break
    return found, exact


def _twenty_pages(works: list[Work]) -> bytes:
    ordered, _ = _article(works, numbered=False)
    paras = article(
        sorted(pa.apa(w)[0] for w in works),
        [_cite(w, n, False) for n, w in enumerate(ordered, 1)],
        numbered=False,
        paragraphs_per_cite=9,
    )
    return build_pdf(paras, PdfStyle())


def _time_read(data: bytes, runs: int = 5) -> tuple[int, float, float]:
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(data))
    best_parse = float("inf")
    for _ in range(runs):
        source = SourceText("twenty.pdf", "")
        source.data = data
        t = time.perf_counter()
        parse(source, "pdf")
        best_parse = min(best_parse, time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "twenty.pdf")
        Path(path).write_bytes(data)
        best_cli = float("inf")
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "refcheck", "check", "--offline", path],
                capture_output=True,
                check=False,
            )
            best_cli = min(best_cli, time.perf_counter() - t)
    return pages, best_parse, best_cli


def main() -> None:
    args = fs.arguments(__doc__.splitlines()[0], "print N alarms and misses")
    pool, origin, draws = fs.draw(args)
    n_slips = sum(len(d[2]) for d in draws)
    print(
        f"{args.seeds} articles of {len(draws[0][0])} works per format and style, drawn from "
        f"{len(pool)} records in {origin}; {n_slips} slips injected per format and style\n"
    )
    print(
        f"{'document':22} {'read':>6} "
        + " ".join(f"{f[:7]:>7}" for f in pa.FIELDS)
        + f" {'typos':>7} {'exact':>6} {'alarms':>6}"
    )
    for kind in ("text", "pdf", "docx"):
        for numbered in (False, True):
            name = f"{kind} {'numbered' if numbered else 'author-date'}"
            read = total = found = exact = 0
            fields = {f: [0, 0] for f in pa.FIELDS}
            alarms: list[Finding] = []
            missed: list[str] = []
            for works, typo_works, slips in draws:
                ordered, paras = _article(works, numbered)
                doc = _document(kind, paras, f"clean.{kind if kind != 'text' else 'txt'}")
                findings = _check(doc)
                alarms += [f for f in findings if f.severity.value != "info"]
                entries = [r for r in doc.references if r.kind == "entry"]
                read += min(len(entries), len(ordered))
                total += len(ordered)
                shown = Document(doc.source, doc.format, references=entries)
                for f, (a, b) in fs._fields(shown, ordered).items():
                    fields[f][0] += a
                    fields[f][1] += b
                # The damaged works, in the clean list's order.
                bad = dict(zip((id(w) for w in works), typo_works, strict=True))
                _, bad_paras = _article([bad[id(w)] for w in works], numbered)
                bad_doc = _document(kind, bad_paras, f"typos.{kind if kind != 'text' else 'txt'}")
                bad_findings = _check(bad_doc)
                got, at = _slips(kind, bad_doc, bad_findings, slips, bad_doc.source.data)
                found += got
                exact += at
                missed += [
                    s for s in slips if not any(f.text and s in f.text for f in bad_findings)
                ]
            cells = " ".join(f"{a / b:7.3f}" if b else "      -" for a, b in fields.values())
            print(
                f"{name:22} {read / total:6.3f} {cells} "
                f"{found / max(n_slips, 1):7.3f} {exact / max(n_slips, 1):6.3f} {len(alarms):6d}"
            )
            for f in alarms[: args.show]:
                where = (
                    f"p{f.span.page}:" if f.span.page else f"{f.span.part}:" if f.span.part else ""
                )
                print(
                    f"    alarm {f.code} {where}{f.span.line}:{f.span.column} {f.text!r} "
                    f"{f.message[:90]}"
                )
            if args.show:
                print(f"    missed slips: {missed[: args.show]}")
    pages, parse_s, cli_s = _time_read(_twenty_pages(draws[0][0]))
    print(
        f"\nA {pages}-page two-column PDF ({len(draws[0][0])} references): read and parsed in "
        f"{parse_s:.3f} s; whole `refcheck check --offline` process {cli_s:.3f} s "
        f"(best of 5)."
    )


if __name__ == "__main__":
    main()
