"""HALLMARK's own measures on its dev split, in a closed world on loopback.

HALLMARK (MIT; ``benchmarks/data/shared/hallmark/README.md``) labels BibTeX entries VALID or
HALLUCINATED (14 kinds).  This script starts its closed-world registry server twice —
Crossref and the DOI resolver on 127.0.0.1, OpenAlex on 127.0.0.2 — serving the 1,958
real works of ``registry.jsonl`` in the real API shapes (``--versioned-arxiv-dois``, as
HALLMARK's labels assume), writes every dev entry into one ``.bib`` file, runs
``refcheck check --format json`` against those servers (a whole process, empty cache), and
scores as HALLMARK does: an entry is predicted HALLUCINATED when refcheck reports a
warning or an error on it that speaks of the work's existence or identity — the
categories ``existence``, ``doi``, ``metadata``, ``retraction``, and a year the work
could not have (RC451), a title or venue spelt otherwise than the registry spells it
(RC104).  Lint findings that say nothing about whether the work exists
(a ``@article`` without ``journal``, a repeated entry — the split repeats works — a
typo) are left out, and so are link checks (the closed world has no web hosts).
It prints F1 on HALLUCINATED, the detection rate per kind, the
false-positive rate on VALID, the verdicts of VALID entries, and which rules flagged
VALID ones (each of those is a false alarm to look at).

    python benchmarks/hallmark.py [--hallmark DIR] [--show-missed KIND]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HALLMARK = ROOT / "benchmarks" / "data" / "shared" / "hallmark"
# Published baselines on the dev split, against the live registries (HALLMARK's README).
BASELINES = (("bibtex-updater", 0.890, 0.092), ("Claude Sonnet 4.6 zero-shot", 0.827, 0.127),
             ("cascade of both", 0.947, 0.108))


# What counts as "refcheck says this work is not what it claims to be".
VERIFICATION = frozenset({"existence", "doi", "metadata", "retraction", "RC451", "RC104"})


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start(hallmark: Path, api: str, host: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port(host)
    proc = subprocess.Popen(
        [sys.executable, str(hallmark / "registry_server.py"), "--api", api, "--records",
         str(hallmark / "registry.jsonl"), "--host", host, "--port", str(port),
         "--versioned-arxiv-dois"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return proc, f"http://{host}:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"the {api} stand-in did not start")


def entry(row: dict[str, Any], key: str) -> str:
    fields = ",\n".join(f"  {name} = {{{value}}}" for name, value in row["fields"].items()
                        if value not in (None, ""))
    return f"@{row.get('bibtex_type') or 'misc'}{{{key},\n{fields}\n}}\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hallmark", type=Path, default=DEFAULT_HALLMARK)
    ap.add_argument("--split", default="dev_public.jsonl")
    ap.add_argument("--show-missed", metavar="KIND", help="print the missed entries of a kind")
    ap.add_argument("--show-false", type=int, default=0, metavar="N",
                    help="print N flagged VALID entries with their findings")
    args = ap.parse_args(argv)

    rows = [json.loads(line) for line in (args.hallmark / args.split).open(encoding="utf-8")]
    tmp = Path(tempfile.mkdtemp(prefix="refcheck-hallmark-"))
    bib = tmp / "dev.bib"
    keys = [f"e{i}" for i in range(len(rows))]
    bib.write_text("\n".join(entry(r, k) for r, k in zip(rows, keys, strict=True)),
                   encoding="utf-8")
    crossref, cr_url = start(args.hallmark, "crossref", "127.0.0.1")
    openalex, oa_url = start(args.hallmark, "openalex", "127.0.0.2")
    cfg = tmp / "refcheck.toml"
    cfg.write_text(
        f'crossref-url = "{cr_url}"\ndoi-resolver = "{cr_url}"\nopenalex-url = "{oa_url}"\n'
        f'retraction-watch-url = "{cr_url}/retraction-watch.csv"\n'
        'sources = ["crossref", "openalex"]\nallow-private-hosts = true\n'
        f'cache-dir = "{tmp / "cache"}"\ntimeout = 30\n', encoding="utf-8")
    try:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "refcheck", "check", "--config", str(cfg), str(bib),
             "--format", "json", "--output", str(tmp / "out.json"), "--ignore", "RC5"],
            capture_output=True, text=True, cwd=tmp)
        wall = time.perf_counter() - started
    finally:
        crossref.terminate()
        openalex.terminate()
    if proc.returncode not in (0, 1):
        print(proc.stderr[-3000:])
        return 2
    report = json.loads((tmp / "out.json").read_text(encoding="utf-8"))
    flagged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in report["findings"]:
        key = (f.get("reference") or {}).get("key")
        if key is not None and f["severity"] in ("warning", "error") and (
                f["category"] in VERIFICATION or f["code"] in VERIFICATION):
            flagged[key].append(f)
    verdicts = {v.get("key"): v.get("verdict") for v in report.get("references") or []}

    tp = fp = fn = tn = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    valid_verdicts: Counter[str] = Counter()
    false_rules: Counter[str] = Counter()
    missed: list[tuple[dict[str, Any], str]] = []
    false: list[tuple[dict[str, Any], str]] = []
    for row, key in zip(rows, keys, strict=True):
        predicted = bool(flagged.get(key))
        if row["label"] == "HALLUCINATED":
            kind = row["hallucination_type"]
            by_kind[kind][1] += 1
            if predicted:
                tp += 1
                by_kind[kind][0] += 1
            else:
                fn += 1
                missed.append((row, key))
        else:
            valid_verdicts[str(verdicts.get(key))] += 1
            if predicted:
                fp += 1
                false.append((row, key))
                for code in {f["code"] for f in flagged[key]}:
                    false_rules[code] += 1
            else:
                tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    print(f"HALLMARK {args.split}: {len(rows)} entries ({tp + fn} hallucinated, {fp + tn} valid);"
          f" refcheck {wall:.1f} s, whole process, closed world")
    print(f"F1 {f1:.3f}  precision {precision:.3f}  detection {recall:.3f}  "
          f"false-positive rate {fpr:.3f} ({fp} of {fp + tn} valid flagged)")
    for name, bf1, bfpr in BASELINES:
        print(f"  published baseline {name}: F1 {bf1:.3f}, FPR {bfpr:.3f} (live registries)")
    print("detection by kind:")
    for kind, (hit, total) in sorted(by_kind.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"  {kind:24} {hit / total:.2f}  ({hit}/{total})")
    print("verdicts of valid entries: " + ", ".join(f"{k} {n}" for k, n in
                                                  valid_verdicts.most_common()))
    if false_rules:
        print("rules flagging valid entries: " + ", ".join(f"{k} {n}" for k, n in
                                                         false_rules.most_common()))
    for row, key in missed:
        if args.show_missed and row["hallucination_type"] == args.show_missed:
            print(f"MISSED {key} {json.dumps(row['fields'])}\n    {row['explanation']}")
    for row, key in false[:args.show_false]:
        print(f"FALSE {key} {json.dumps(row['fields'])}")
        for f in flagged[key]:
            print(f"    {f['code']} {f['message']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
