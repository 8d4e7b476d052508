"""Where one process's CPU goes in an offline check: reading and parsing, each rule, collections.

    python benchmarks/rule_times.py [--top 30] [PATH ...]

Runs ``refcheck check --offline --jobs 1`` in this process (the paths default to the
real corpus of ``speed.py``'s ``real`` section) with the engine's per-document
steps timed: reading and parsing each file, each rule's checks (a rule that shares
an analysis with others is charged for it when it runs first: RC101 for the word
scan RC102-RC207 reuse), and the cyclic collections between files.  The figures
are wall seconds of a single thread, so run it on a quiet machine; ``speed.py``
gives the whole-process times.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _timed(counter: defaultdict[str, float], key: Callable[..., str],
           fn: Callable[..., Any]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            counter[key(*args, **kwargs)] += time.perf_counter() - started

    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()

    from benchmarks.speed import corpus_files
    from refcheck import engine, streaming
    from refcheck.cli import main as refcheck_main

    spent: defaultdict[str, float] = defaultdict(float)
    streaming._hits = _timed(  # type: ignore[assignment]
        spent, lambda view, doc, plan, *rest: plan.rule.code, streaming._hits)
    engine.load_document = _timed(  # type: ignore[assignment]
        spent, lambda *a, **k: "(read and parse)", engine.load_document)
    gc.collect = _timed(spent, lambda *a, **k: "(cyclic collection)", gc.collect)

    paths = args.paths or corpus_files()
    sys.argv = ["refcheck", "check", "--offline", "--jobs", "1", "--format", "json",
                "--output", "/dev/null", "--exit-zero", *paths]
    started = time.perf_counter()
    with contextlib.suppress(SystemExit):
        refcheck_main()
    total = time.perf_counter() - started
    print(f"{len(paths)} paths, {total:.2f} s in all (this process, imports after the start)")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {name:22s} {seconds:6.3f} s  {seconds / total:5.1%}")
    print(f"  {'(the rest)':22s} {total - sum(spent.values()):6.3f} s  "
          "(start-up, rule selection, report)")


if __name__ == "__main__":
    main()
