"""Train the reference field labeller shipped in ``refcheck/reader/``.

Inputs (all in ``training/data``, see its README for sources and licences):

- ``anystyle-gold.jsonl``: 1,669 real references with labelled fields;
- ``records.jsonl``: real work records (Crossref fixtures, HALLMARK registry),
  rendered through 20 CSL styles (``render.py``) into
  ``rendered-train.jsonl`` / ``rendered-heldout.jsonl`` with ``--render``
  (needs ``pip install .[train]``); without it the stored renderings are used,
  so training needs no citeproc-py and gives the same model.

Held out, never trained on: the AnyStyle rows and the records whose key
hashes into the fifth bucket (``held_out``), so rendered test strings come
from records the model never saw.  Training is deterministic: fixed seeds,
sorted inputs, L-BFGS.

Outputs: ``refcheck/reader/model.crfsuite`` and ``refcheck/reader/lexicons.json``.

Usage: ``python training/train_reader.py [--render] [--iterations N]``
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, ROOT]

from align import Span, align, anystyle_values, held_out, token_labels  # noqa: E402

from refcheck.parsers.fields_rules import blanked  # noqa: E402
from refcheck.reader import features as feats  # noqa: E402

DATA = os.path.join(HERE, "data")
READER = os.path.join(ROOT, "refcheck", "reader")
SEED = 13
STYLES_PER_TRAIN_RECORD = 5


def anystyle_rows() -> list[dict[str, Any]]:
    """AnyStyle's gold rows as labelled examples (the ones that align)."""
    out: list[dict[str, Any]] = []
    skipped = 0
    with open(os.path.join(DATA, "anystyle-gold.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            g = r["gold"]
            values = anystyle_values(r["text"], g)
            spans = align(r["text"], values)
            if spans is None:
                skipped += 1
                continue
            out.append(
                {
                    "id": r["id"],
                    "text": r["text"],
                    "spans": spans,
                    "authors": g.get("authors") or [],
                    "family": "anystyle",
                    "held_out": held_out(r["id"]),
                }
            )
    print(f"anystyle: {len(out)} aligned, {skipped} left out (a field not found in the text)")
    return out


def record_key(rec: dict[str, Any]) -> str:
    return str(rec.get("doi") or rec.get("title")).lower()


def render_all() -> None:
    """Render every record: held-out ones in every style, the others in a few."""
    import render

    renderer = render.Renderer()
    rng = random.Random(SEED)
    styles = sorted(render.STYLES)
    rows: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    counts: collections.Counter[str] = collections.Counter()
    with open(os.path.join(DATA, "records.jsonl"), encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    for rec in records:
        key = record_key(rec)
        test = held_out(key)
        # Held-out records keep their real short titles only: evaluation stays on real data.
        item = render.to_csl(rec, abbreviate=not test)
        if item is None:
            counts["record unusable"] += 1
            continue
        chosen = styles if test else rng.sample(styles, STYLES_PER_TRAIN_RECORD)
        for style in chosen:
            text = renderer.render(item, style)
            if not text:
                counts["render failed"] += 1
                continue
            spans = render.label_rendered(text, item)
            if spans is None:
                counts["not aligned"] += 1
                continue
            damaged = rng.random() < 0.5
            if damaged:
                text, spans = render.damage(text, spans, rng)
            head = next((text[a:b] for lab, a, b in spans if lab == "author"), "")
            shown = render.shown_authors(item, head)
            rows[test].append(
                {
                    "id": f"{key}|{style}",
                    "source": rec["source"],
                    "style": style,
                    "family": render.STYLES[style],
                    "damaged": damaged,
                    "text": text,
                    "spans": spans,
                    "authors": shown,
                }
            )
            counts["rendered"] += 1
    for test, name in ((False, "rendered-train.jsonl"), (True, "rendered-heldout.jsonl")):
        with open(os.path.join(DATA, name), "w", encoding="utf-8") as out:
            for row in rows[test]:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print("rendering:", dict(counts))


def load_rendered(name: str) -> list[dict[str, Any]]:
    with open(os.path.join(DATA, name), encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    for r in rows:
        r["spans"] = [tuple(s) for s in r["spans"]]
    return rows


def build_lexicons() -> dict[str, list[str]]:
    """Word lists the features consult, from refcheck/data and the training records."""
    given: collections.Counter[str] = collections.Counter()
    family: collections.Counter[str] = collections.Counter()
    publisher: collections.Counter[str] = collections.Counter()
    with open(os.path.join(DATA, "records.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if held_out(record_key(rec)):
                continue
            for a in rec.get("author") or []:
                for w in re.findall(r"[^\W\d_]{2,}", a.get("given") or ""):
                    given[w.lower()] += 1
                for w in re.findall(r"[^\W\d_]{2,}", a.get("family") or ""):
                    family[w.lower()] += 1
            for w in re.findall(r"[^\W\d_]{2,}", rec.get("publisher") or ""):
                publisher[w.lower()] += 1
    # Given names as AnyStyle's training rows write them: the words of the
    # author field that are not family names.
    with open(os.path.join(DATA, "anystyle-gold.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if held_out(r["id"]):
                continue
            fams = {w.lower() for f in r["gold"].get("authors") or [] for w in f.split()}
            raw = r["gold"].get("authors_raw") or ""
            for w in re.findall(r"[^\W\d_]{2,}", raw):
                if w[0].isupper() and not w.isupper() and w.lower() not in fams:
                    given[w.lower()] += 1
    journal: collections.Counter[str] = collections.Counter()
    for name in ("journals.txt", "journal_abbreviations.txt"):
        with open(os.path.join(ROOT, "refcheck", "data", name), encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    for w in re.findall(r"[^\W\d_]{2,}", line):
                        journal[w.lower()] += 1
    common = {"of", "the", "and", "in", "for", "on", "de", "la", "des", "du", "et", "und", "a"}
    return {
        "given": sorted(w for w, c in given.items() if c >= 1 and w not in common),
        "family": sorted(w for w, c in family.items() if c >= 1 and w not in common),
        "journal": sorted(w for w, c in journal.items() if c >= 3 and w not in common),
        "publisher": sorted(w for w, c in publisher.items() if c >= 2 and w not in common),
    }


def model_text(text: str) -> str:
    """The text the model reads: identifiers and the list label blanked."""
    m, pos0 = blanked(text)
    return " " * pos0 + m[pos0:]


def sequence(
    text: str, spans: list[Span], lex: feats.Lexicons
) -> tuple[list[list[str]], list[str]]:
    m = model_text(text)
    tokens = feats.tokenize(m)
    return feats.token_features(m, tokens, lex), token_labels(tokens, spans)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--render", action="store_true", help="re-render the records (citeproc-py)")
    ap.add_argument("--iterations", type=int, default=120)
    ap.add_argument("--out", default=os.path.join(READER, "model.crfsuite"), help="model file")
    args = ap.parse_args(argv)
    import pycrfsuite

    t0 = time.time()
    if args.render or not os.path.exists(os.path.join(DATA, "rendered-train.jsonl")):
        render_all()
    gold = [r for r in anystyle_rows() if not r["held_out"]]
    rendered = load_rendered("rendered-train.jsonl")
    lexicons = build_lexicons()
    with open(os.path.join(READER, "lexicons.json"), "w", encoding="utf-8") as fh:
        json.dump(lexicons, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")
    lex = feats.Lexicons(lexicons)
    rng = random.Random(SEED)
    import render

    examples: list[tuple[str, list[Span]]] = []
    for r in gold:
        examples.append((r["text"], r["spans"]))
        # Real references count twice: once as written, once damaged as PDFs do.
        examples.append(render.damage(r["text"], r["spans"], rng))
    examples.extend((r["text"], r["spans"]) for r in rendered)
    trainer = pycrfsuite.Trainer(verbose=False)
    for text, spans in examples:
        xs, ys = sequence(text, spans, lex)
        if xs:
            trainer.append(xs, ys)
    trainer.set_params(
        {
            "c1": 0.05,
            "c2": 0.01,
            "max_iterations": args.iterations,
            "feature.possible_transitions": True,
        }
    )
    out = args.out
    trainer.train(out)
    print(
        f"trained on {len(examples)} sequences ({len(gold)} AnyStyle rows, twice; "
        f"{len(rendered)} renderings) in {time.time() - t0:.0f} s -> {out} "
        f"({os.path.getsize(out) // 1024} KiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
