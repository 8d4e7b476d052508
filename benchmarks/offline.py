"""Offline speed and memory: refcheck against codespell and pybtex, whole processes.

Builds .bib files of 50, 1,000, 10,000 and 100,000 entries (and a
repository of 2,000 five-entry files) from real entries: the clean corpus
(`benchmarks/data/shared/corpus/clean.bib`), the seed `references/sample.bib`, Crossref's
own BibTeX (`cn-bibtex__*.bib`) and Crossref work records rendered into
BibTeX.  Repeated Crossref works are varied (their titles recombined from
two real titles, another work's authors, another year and a fresh key) so
that the duplicate-reference rules do not turn the large files into lists
of duplicates.

Each command runs as a separate process, the commands of one size
interleaved, several rounds each; the medians of wall time and the peak
resident memory of each process (``os.wait4``'s ``ru_maxrss``) are printed
with the ratios the goals of issue 8 are stated in.

    python benchmarks/offline.py            # 50 / 1,000 / 10,000 / 100,000 + 2,000 files
    python benchmarks/offline.py --quick    # 50 and 1,000 entries, 3 rounds
    python benchmarks/offline.py --keep DIR # write the generated files to DIR and keep them

Yardsticks (benchmark-only dependencies): ``pip install codespell pybtex``.
A yardstick that is not installed is reported as missing, not faked.
"""

from __future__ import annotations

import argparse
import glob
import itertools
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "benchmarks" / "data" / "shared"
CROSSREF = SHARED / "fixtures" / "crossref"

# ---------------------------------------------------------------------------
# Building the inputs


def _split_entries(text: str) -> tuple[list[str], list[str]]:
    """(@string lines, entries) of a .bib file, each entry as written."""
    strings: list[str] = []
    entries: list[str] = []
    starts = [m.start() for m in re.finditer(r"(?m)^\s*@", text)] + [len(text)]
    for a, b in itertools.pairwise(starts):
        chunk = text[a:b].strip()
        kind = chunk[1:].split("{", 1)[0].split("(", 1)[0].strip().lower()
        if kind == "string":
            strings.append(chunk)
        elif kind not in ("comment", "preamble") and chunk:
            entries.append(chunk)
    return strings, entries


def seed_entries() -> tuple[list[str], list[str]]:
    """The real BibTeX entries of the repository and the shared fixtures."""
    strings: list[str] = []
    entries: list[str] = []
    files = [ROOT / "references" / "sample.bib", SHARED / "corpus" / "clean.bib"]
    files += [Path(p) for p in sorted(glob.glob(str(CROSSREF / "cn-bibtex__*.bib")))]
    for path in files:
        s, e = _split_entries(path.read_text(encoding="utf-8"))
        strings += s
        entries += e
    return strings, entries


def crossref_works() -> list[dict[str, object]]:
    """Distinct Crossref work records (single works and search results) with a title."""
    seen: set[str] = set()
    works: list[dict[str, object]] = []
    for path in sorted(glob.glob(str(CROSSREF / "*.json"))):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, dict):
            continue
        items = message.get("items") if "items" in message else [message]
        for item in items or []:
            if not isinstance(item, dict):
                continue
            doi, title = item.get("DOI"), item.get("title")
            if not isinstance(doi, str) or not title or doi.lower() in seen:
                continue
            seen.add(doi.lower())
            works.append(item)
    return works


_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "book-chapter": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "report": "techreport",
    "dissertation": "phdthesis",
}


def _first(value: object) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _year(work: dict[str, object]) -> int | None:
    for key in ("issued", "published-print", "published-online", "created"):
        parts = work.get(key)
        if isinstance(parts, dict):
            dp = parts.get("date-parts")
            ok = isinstance(dp, list) and dp and isinstance(dp[0], list) and dp[0]
            if ok and isinstance(dp[0][0], int):  # type: ignore[index]
                return int(dp[0][0])  # type: ignore[index]
    return None


def _authors(work: dict[str, object]) -> list[str]:
    out = []
    for a in work.get("author") or []:  # type: ignore[attr-defined]
        if isinstance(a, dict) and a.get("family"):
            given = a.get("given")
            out.append(f"{a['family']}, {given}" if given else str(a["family"]))
        elif isinstance(a, dict) and a.get("name"):
            out.append("{" + str(a["name"]) + "}")
    return out


def render(work: dict[str, object], key: str, title: str | None = None,
           authors: list[str] | None = None, year: int | None = None,
           doi: bool = True) -> str:
    """One Crossref work as a BibTeX entry, the way reference managers export it."""
    kind = _TYPES.get(str(work.get("type")), "misc")
    fields: list[tuple[str, str]] = []
    names = authors if authors is not None else _authors(work)
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", title or _first(work.get("title"))))
    container = _first(work.get("container-title"))
    if container:
        fields.append(("journal" if kind == "article" else "booktitle", container))
    elif kind == "article":
        kind = "misc"
    when = year or _year(work)
    if when:
        fields.append(("year", str(when)))
    for name, src in (("volume", "volume"), ("number", "issue"), ("pages", "page"),
                      ("publisher", "publisher")):
        value = work.get(src)
        if value:
            fields.append((name, str(value)))
    if doi and work.get("DOI"):
        fields.append(("doi", str(work["DOI"])))
    if kind in ("book", "incollection") and not work.get("publisher"):
        kind = "misc"
    body = ",\n".join(f"  {n:<9} = {{{v.replace('{', '').replace('}', '')}}}"
                      if n != "author" else f"  {n:<9} = {{{v}}}" for n, v in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


def _key(work: dict[str, object], n: int) -> str:
    names = _authors(work)
    family = re.sub(r"[^A-Za-z]", "", names[0].split(",")[0]) if names else "anon"
    return f"{family.lower() or 'anon'}{_year(work) or ''}x{n}"


def _recombine(a: str, b: str) -> str:
    """A plausible new title: the first half of one real title, the second of another."""
    wa, wb = a.split(), b.split()
    head = wa[: max(1, len(wa) // 2)]
    tail = wb[len(wb) // 2 :] or wb
    return " ".join(head + tail)


def generated_entries(count: int) -> Iterator[str]:
    """``count`` entries: every real entry once, then Crossref works, varied when repeated."""
    _, seeds = seed_entries()
    works = crossref_works()
    n = 0
    for entry in seeds:
        if n == count:
            return
        yield entry
        n += 1
    round_ = 0
    while True:
        for i, work in enumerate(works):
            if n == count:
                return
            if round_ == 0:
                yield render(work, _key(work, n))
            else:
                other = works[(i * 7 + round_ * 13 + 1) % len(works)]
                people = works[(i + round_ * 31 + 3) % len(works)]
                title = _recombine(_first(work.get("title")), _first(other.get("title")))
                base = _year(work) or 2000
                yield render(work, _key(work, n), title=title,
                             authors=_authors(people) or _authors(work),
                             year=1950 + (base + round_) % 75, doi=False)
            n += 1
        round_ += 1


def write_bib(path: Path, count: int) -> None:
    strings, _ = seed_entries()
    header = "% Benchmark input built by benchmarks/offline.py from real entries.\n\n"
    body = "\n\n".join(generated_entries(count))
    path.write_text(header + "\n".join(strings) + "\n\n" + body + "\n", encoding="utf-8")


def write_repository(directory: Path, files: int, per_file: int) -> None:
    strings, _ = seed_entries()
    entries = list(generated_entries(files * per_file))
    directory.mkdir(parents=True, exist_ok=True)
    for k in range(files):
        chunk = entries[k * per_file : (k + 1) * per_file]
        (directory / f"refs{k:05d}.bib").write_text(
            "\n".join(strings) + "\n\n" + "\n\n".join(chunk) + "\n", encoding="utf-8"
        )


# ---------------------------------------------------------------------------
# Running


@dataclass
class Sample:
    seconds: float
    peak_mib: float
    status: int


def run_once(argv: list[str], env: dict[str, str] | None = None) -> Sample:
    """One whole process: wall time and its own peak resident memory.

    A forked child's ``ru_maxrss`` starts at its parent's size (the copy
    counts until exec), so the benchmark's own memory would be a floor under
    every figure; GNU time, itself a small process, reports the child's true
    peak.  Without it, ``os.wait4`` gives an upper bound.
    """
    timer = "/usr/bin/time"
    wrapped = [timer, "-f", "%M", *argv] if os.path.exists(timer) else argv
    started = time.perf_counter()
    proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    assert proc.returncode is not None
    lines = err.decode("utf-8", "replace").strip().splitlines()
    if wrapped is not argv and lines and lines[-1].isdigit():
        peak = int(lines[-1]) / 1024  # KiB
        status = proc.returncode
    else:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        status = proc.returncode
    return Sample(elapsed, peak, status)


def _tool(name: str) -> str | None:
    # The script beside this interpreter first: a version manager's shim on PATH
    # (pyenv) would add its own start-up to every yardstick.
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def commands(target: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    refcheck = _tool("refcheck")
    out["refcheck"] = ([refcheck] if refcheck else [sys.executable, "-m", "refcheck"]) + [
        "check", "--offline", "--fail-on", "error", str(target)]
    codespell = _tool("codespell")
    if codespell:
        out["codespell"] = [codespell, str(target)]
    import importlib.util

    if importlib.util.find_spec("pybtex") is not None and target.is_file():
        out["pybtex-parse"] = [
            sys.executable, "-c",
            "import sys, pybtex.errors, pybtex.database as d;"
            "pybtex.errors.set_strict_mode(False);"
            "d.parse_file(sys.argv[1], bib_format='bibtex')",
            str(target),
        ]
    return out


def measure(label: str, target: Path, entries: int, rounds: int,
            env: dict[str, str]) -> dict[str, list[Sample]]:
    cmds = commands(target)
    samples: dict[str, list[Sample]] = {name: [] for name in cmds}
    for _ in range(rounds):
        for name, argv in cmds.items():  # interleaved: drift hits every command alike
            samples[name].append(run_once(argv, env))
    print(f"\n{label}: {entries:,} entries, {rounds} rounds")
    med = {n: statistics.median(s.seconds for s in v) for n, v in samples.items()}
    for name, runs in samples.items():
        peak = max(s.peak_mib for s in runs)
        per = med[name] / entries * 1e6
        extra = ""
        if name == "refcheck":
            if "codespell" in med:
                extra += f"  {med[name] / med['codespell']:.2f}x codespell"
            if "pybtex-parse" in med:
                extra += f"  {med[name] / med['pybtex-parse']:.2f}x pybtex"
        print(f"  {name:13} median {med[name]:7.3f}s  ({per:6.1f} us/entry)"
              f"  peak {peak:6.1f} MiB  exit {runs[0].status}{extra}")
    return samples


def same_findings(target: Path, env: dict[str, str]) -> bool:
    """Findings with a cold cache, a warm cache and no cache dir at all are identical."""
    outputs = []
    with tempfile.TemporaryDirectory() as cold:
        for cache in (cold, cold, None):
            e = dict(env)
            if cache is None:
                # An unwritable cache location: nothing can be read or kept.
                e["REFCHECK_CACHE_DIR"] = "/nonexistent/refcheck-cache"
            else:
                e["REFCHECK_CACHE_DIR"] = cache
            argv = commands(target)["refcheck"] + ["--format", "json"]
            proc = subprocess.run(argv, capture_output=True, text=True, env=e, check=False)
            outputs.append(json.loads(proc.stdout)["findings"])
    return bool(outputs[0] == outputs[1] == outputs[2])


def same_with_one_process(target: Path, env: dict[str, str]) -> bool:
    """The default run (rules shared by forked processes) equals ``--jobs 1``."""
    outputs = []
    for extra in ([], ["--jobs", "1"]):
        argv = commands(target)["refcheck"] + ["--format", "json", *extra]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        outputs.append(proc.stdout)
    return outputs[0] == outputs[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50 and 1,000 entries, 3 rounds")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--keep", metavar="DIR", help="build the inputs in DIR and keep them")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    ap.add_argument("--no-repository", action="store_true", help="skip the 2,000-file case")
    args = ap.parse_args(argv)
    sizes = args.sizes or ([50, 1000] if args.quick else [50, 1000, 10_000, 100_000])
    env = dict(os.environ)
    env.pop("REFCHECK_OFFLINE", None)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="refcheck-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # An installed package runs from compiled bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would recompile every module on every run.  The
    # bytecode goes to the work directory, never into the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    try:
        # A warm word-frequency cache, as on every run after the first.
        warm = work / "cache"
        env["REFCHECK_CACHE_DIR"] = str(warm)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, inputs in {work}")
        small = work / "bench-50.bib"
        write_bib(small, 50)
        cold = run_once(commands(small)["refcheck"], {**env, "REFCHECK_CACHE_DIR": str(
            work / "cold-cache")})
        print(f"cold cache (first run ever, builds the word-frequency file): "
              f"{cold.seconds:.2f}s, peak {cold.peak_mib:.0f} MiB")
        run_once(commands(small)["refcheck"], env)
        print(f"same findings cold / warm / without cache: {same_findings(small, env)}")
        results: dict[int, float] = {}
        for size in sizes:
            path = work / f"bench-{size}.bib"
            if not path.exists():
                write_bib(path, size)
            big = 3 if size == 10_000 else 1
            rounds = args.rounds or (3 if args.quick else (5 if size < 10_000 else big))
            got = measure(f"{path.name}", path, size, rounds, env)
            if size in (1000, 10_000):
                print(f"  same report as --jobs 1: {same_with_one_process(path, env)}")
            results[size] = statistics.median(s.seconds for s in got["refcheck"])
        if len(results) > 1:
            base = min(results)
            print("\nscaling (refcheck, per entry relative to the smallest size above 50):")
            ref = min((s for s in results if s >= 1000), default=base)
            for size, secs in sorted(results.items()):
                print(f"  {size:>7,}: {secs / size * 1e6:7.1f} us/entry"
                      f"  ({(secs / size) / (results[ref] / ref):.2f}x)")
        if not args.quick and not args.no_repository:
            repo = work / "repo-2000x5"
            if not repo.exists():
                write_repository(repo, 2000, 5)
            got = measure("repository of 2,000 files x 5 entries", repo, 10_000,
                          args.rounds or 3, env)
            secs = statistics.median(s.seconds for s in got["refcheck"])
            if 10_000 in results:
                print(f"  per entry vs one 10,000-entry file: {secs / results[10_000]:.2f}x")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
