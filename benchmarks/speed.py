"""Whole-process speed and memory on real data, against the tools users would pick instead.

Every figure is a whole process started from the command line, on this machine, in this
run; ratios come from runs interleaved with their yardstick (A, B, A, B, …) and the
median of the repeats is printed, so a loaded machine weighs on both sides alike.
Peak memory is the largest sum over the process and all its children, sampled with
psutil (``/usr/bin/time`` reports one process only): RSS every 20 ms, PSS every 200 ms.

Sections (``--only`` picks some):

``real``
    refcheck ``check --offline`` on the real corpus (``benchmarks/data/real-bib``,
    ``real_bib`` and ``speed-bib``: 11,012 entries of 29 hand-kept bibliographies,
    sources in their READMEs) against pybtex and bibtexparser only parsing the same
    files.  Goals: faster than pybtex, within 1.5x of bibtexparser, peak <= 150 MiB.
``scale``
    100,000 entries: copies of the real corpus's files with keys made unique, checked
    offline with the JSON reporter, one process and two.  Goal: peak <= 250 MiB.
``startup``
    a 50-entry real file as a pre-commit hook runs it, against codespell on the same
    file, pairs interleaved after one unmeasured run of each; wall and CPU time from
    wait4() (exact, unlike the 20 ms polling of the long runs).  Goal: <= 1.2x codespell.
``links``
    1,000 URLs over 10 loopback hosts (127.0.0.2 … 127.0.0.11) that answer after
    100 ms; the CLI against the serial yardstick (1,000 x 100 ms).  Goals: >= 40x, no
    finding, never more than the configured connections per host (the hosts count).
``registry``
    10,000 references with DOIs (HALLMARK's real works, each cited about five times)
    against a Crossref stand-in that publishes and enforces a limit
    (``X-Rate-Limit-Limit``/``-Interval``, a concurrency cap, 429 with ``Retry-After``;
    benchmarks/fleet.py's meter), cold then warm.  Goals: <= 250 requests cold, 0
    warm, the limit never exceeded, wall <= 1.2x the time the limit allows.

    python benchmarks/speed.py [--only real,scale,startup,links,registry] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "benchmarks" / "data"
CORPUS_DIRS = [DATA / "real-bib", DATA / "real_bib", DATA / "speed-bib"]
MIB = 1024 * 1024
PY = sys.executable
# As installed for a user, every tool's bytecode is cached: a PYTHONDONTWRITEBYTECODE of
# the benchmark's environment would recompile each edited module on every run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
REFCHECK = [PY, "-m", "refcheck"]

PYBTEX = (
    "import sys, pybtex.errors, pybtex.database as d\n"
    "pybtex.errors.set_strict_mode(False)\n"
    "n = sum(len(d.parse_file(f, bib_format='bibtex').entries) for f in sys.argv[1:])\n"
    "print(n)\n"
)
BIBTEXPARSER = (
    "import sys, bibtexparser\n"
    "print(sum(len(bibtexparser.parse_file(f).entries) for f in sys.argv[1:]))\n"
)


def corpus_files() -> list[str]:
    return [str(f) for d in CORPUS_DIRS for f in sorted(d.glob("*.bib"))]


def _tree_memory(proc: psutil.Process, pss: bool) -> tuple[int, int]:
    """Resident and (when ``pss``) proportional set sizes summed over a process tree.

    RSS counts a page a forked child shares with its parent in both; PSS shares it
    out, so its sum is what the processes together take from the machine.  PSS costs
    ~7 ms a sample for a 250 MiB process (the kernel walks its pages), so it is read
    less often than RSS: sampling must not load the machine or the stand-in servers
    that run in this process.
    """
    rss = shared = 0
    for p in (proc, *proc.children(recursive=True)):
        with contextlib.suppress(psutil.Error):
            if pss:
                info = p.memory_full_info()
                rss += info.rss
                shared += getattr(info, "pss", info.rss)
            else:
                rss += p.memory_info().rss
    return rss, shared


def measure(cmd: Sequence[str], cwd: Path = ROOT) -> tuple[float, int, int, int, str]:
    """Wall seconds, peak RSS and PSS of the process tree (bytes), exit code, stdout.

    RSS is sampled every 20 ms, PSS every 200 ms.
    """
    started = time.perf_counter()
    proc = psutil.Popen(list(cmd), cwd=cwd, stdout=subprocess.PIPE, env=ENV,
                        stderr=subprocess.DEVNULL, text=True)
    peak_rss = peak_pss = 0
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else ""))
    reader.start()
    tick = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            rss, pss = _tree_memory(proc, pss=tick % 10 == 0)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        tick += 1
        time.sleep(0.02)
    wall = time.perf_counter() - started
    reader.join()
    return wall, peak_rss, peak_pss, proc.returncode, "".join(out)


Run = tuple[float, int, int]  # wall seconds, peak RSS, peak PSS


def interleave(cmds: dict[str, list[str]], repeat: int) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            wall, rss, pss, code, _ = measure(cmd)
            if code not in (0, 1, 65):  # codespell exits 65 when it finds a misspelling
                raise SystemExit(f"{name} failed ({code}): {' '.join(cmd[:6])} …")
            runs[name].append((wall, rss, pss))
    return runs


def med(runs: list[Run], i: int = 0) -> float:
    return statistics.median(r[i] for r in runs)


def load_line() -> str:
    one, five, _ = psutil.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {psutil.cpu_count()} CPUs"


# -- real corpus -----------------------------------------------------------------------


def count_entries(files: list[str]) -> int:
    from refcheck.model import SourceText
    from refcheck.parsers import parse

    return sum(len(parse(SourceText(f, Path(f).read_text(encoding="utf-8", errors="replace")),
                         "bibtex").references) for f in files)


def section_real(repeat: int, tmp: Path) -> None:
    files = corpus_files()
    print(f"\n== real: {count_entries(files):,} entries, {len(files)} files "
          f"({sum(Path(f).stat().st_size for f in files) / MIB:.1f} MiB); {load_line()}")
    out = tmp / "real.json"
    cmds = {
        "refcheck": [*REFCHECK, "check", "--offline", "--format", "json", "--output", str(out),
                     "--exit-zero", *files],
        "refcheck --jobs 1": [*REFCHECK, "check", "--offline", "--jobs", "1", "--format",
                              "json", "--output", str(out), "--exit-zero", *files],
        "pybtex parse": [PY, "-c", PYBTEX, *files],
        "bibtexparser parse": [PY, "-c", BIBTEXPARSER, *files],
    }
    runs = interleave(cmds, repeat)
    for name, r in runs.items():
        walls = ", ".join(f"{w[0]:.2f}" for w in r)
        print(f"  {name:20s} median {med(r):6.2f} s  peak RSS {med(r, 1) / MIB:4.0f} MiB, "
              f"PSS {med(r, 2) / MIB:4.0f} MiB  (runs {walls})")
    ref = runs["refcheck"]
    for other in ("pybtex parse", "bibtexparser parse"):
        ratios = [a[0] / b[0] for a, b in zip(ref, runs[other], strict=True)]
        print(f"  refcheck / {other}: median {statistics.median(ratios):.2f}x "
              f"(per pair {', '.join(f'{x:.2f}' for x in ratios)})")
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    print(f"  findings: {len(findings)}; goals: < 1x pybtex, <= 1.5x bibtexparser, "
          f"peak <= 150 MiB")


# -- 100,000 entries -------------------------------------------------------------------

_ENTRY_KEY = re.compile(r"(@(?!string|preamble|comment)\w+\s*[{(]\s*)([^,\s]+)(\s*,)", re.I)
_CROSSREF = re.compile(r"(\bcrossref\s*=\s*[{\"]\s*)([^}\"\s]+)", re.I)


def big_corpus(root: Path, wanted: int) -> tuple[int, int]:
    """Copies of the real corpus's files until ``wanted`` entries, every key (and crossref)
    made unique; files, not one file, as refcheck refuses a file over 64 MiB."""
    from refcheck.model import SourceText
    from refcheck.parsers import parse

    root.mkdir(parents=True, exist_ok=True)
    texts = [(Path(f), Path(f).read_text(encoding="utf-8", errors="replace"))
             for f in corpus_files()]
    sizes = [len(parse(SourceText(str(f), t), "bibtex").references) for f, t in texts]
    n = files = 0
    c = 0
    while n < wanted:
        for (path, text), size in zip(texts, sizes, strict=True):
            if n >= wanted:
                break
            tag = f"-c{c}"
            text = _ENTRY_KEY.sub(rf"\g<1>\g<2>{tag}\g<3>", text)
            text = _CROSSREF.sub(rf"\g<1>\g<2>{tag}", text)
            (root / f"c{c:02d}-{path.name}").write_text(text, encoding="utf-8")
            n, files = n + size, files + 1
        c += 1
    return n, files


def section_scale(tmp: Path, wanted: int) -> None:
    big = tmp / "big"
    n, files = big_corpus(big, wanted)
    size = sum(f.stat().st_size for f in big.iterdir())
    print(f"\n== scale: {n:,} entries in {files} files ({size / MIB:.0f} MiB); {load_line()}")
    for label, extra in (("json report", ["--format", "json", "--output", str(tmp / "big.json")]),):
        for jobs in ("1", "2"):
            wall, rss, pss, code, _ = measure([*REFCHECK, "check", "--offline", "--jobs", jobs,
                                               *extra, "--exit-zero", str(big)])
            print(f"  refcheck offline --jobs {jobs}, {label}: {wall:.1f} s, peak RSS "
                  f"{rss / MIB:.0f} MiB, PSS {pss / MIB:.0f} MiB (exit {code}); goal <= 250 MiB")


# -- start-up --------------------------------------------------------------------------


def _exact(cmd: Sequence[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds and peak RSS (bytes) of one short process, from its exit status.

    measure() polls every 20 ms and samples memory meanwhile: right for runs of
    seconds, but a quarter of a 0.15 s run.  wait4() gives the exact end, the
    CPU time (user + system) and the kernel's own peak RSS of the process.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 65):  # codespell exits 65 when it finds a misspelling
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd[:6])} …")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def section_startup(repeat: int, tmp: Path) -> None:
    src = (DATA / "real-bib" / "nilearn-references.bib").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^@", src, re.M)]
    small = tmp / "references.bib"
    small.write_text(src[: starts[50]] if len(starts) > 50 else src, encoding="utf-8")
    print(f"\n== startup: 50 entries of nilearn's references.bib; {load_line()}")
    cmds = {"refcheck": [*REFCHECK, "check", "--offline", "--exit-zero", str(small)],
            "codespell": [PY, "-m", "codespell_lib", str(small)]}
    # One unmeasured run of each first: a hook runs on every commit, with its
    # bytecode and user caches as the previous commit left them.
    for cmd in cmds.values():
        _exact(cmd)
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            runs[name].append(_exact(cmd))
    for name, r in runs.items():
        print(f"  {name:10s} median {statistics.median(x[0] for x in r):.3f} s wall, "
              f"{statistics.median(x[1] for x in r):.3f} s CPU; peak RSS "
              f"{statistics.median(x[2] for x in r) / MIB:.0f} MiB")
    for i, what in ((0, "wall"), (1, "CPU")):
        ratios = [a[i] / b[i] for a, b in zip(runs["refcheck"], runs["codespell"], strict=True)]
        print(f"  refcheck / codespell ({what}): median {statistics.median(ratios):.2f}x over "
              f"{repeat} pairs (min {min(ratios):.2f}, max {max(ratios):.2f}); goal <= 1.2x")
    print(f"  {load_line()} at the end")


# -- links -----------------------------------------------------------------------------


def _link_hosts(hosts: int, latency: float, ports: Any, most: Any, hits: Any,
                ready: Any) -> None:
    lock = threading.Lock()
    inflight = [0] * hosts

    def handler(i: int) -> type[BaseHTTPRequestHandler]:
        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                with lock:
                    inflight[i] += 1
                    hits[i] += 1
                    most[i] = max(most[i], inflight[i])
                try:
                    time.sleep(latency)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                finally:
                    with lock:
                        inflight[i] -= 1

            do_GET = do_HEAD

        return H

    class S(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024

    for i in range(hosts):
        httpd = S((f"127.0.0.{i + 2}", 0), handler(i))
        ports[i] = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ready.set()
    threading.Event().wait()


def section_links(tmp: Path, urls: int, hosts: int, latency_ms: int, repeat: int) -> None:
    ports = multiprocessing.Array("i", hosts)
    most = multiprocessing.Array("i", hosts)
    hits = multiprocessing.Array("i", hosts)
    ready = multiprocessing.Event()
    proc = multiprocessing.Process(target=_link_hosts, daemon=True,
                                   args=(hosts, latency_ms / 1000, ports, most, hits, ready))
    proc.start()
    ready.wait(10)
    per_host = 8  # refcheck's default connections per host (net/http.py)
    try:
        bib = tmp / "links.bib"
        with bib.open("w", encoding="utf-8") as out:
            for i in range(urls):
                h = i % hosts
                out.write(f"@misc{{page{i},\n  author = {{Doe, Jane}},\n  title = {{Page {i}}},\n"
                          f"  year = {{2020}},\n  url = {{http://127.0.0.{h + 2}:{ports[h]}/"
                          f"page/{i}}},\n}}\n\n")
        serial = urls * latency_ms / 1000
        print(f"\n== links: {urls} URLs over {hosts} loopback hosts answering after "
              f"{latency_ms} ms; serial yardstick {serial:.0f} s; {load_line()}")
        walls, bad, warm_sent = [], 0, 0
        for r in range(repeat):
            for i in range(hosts):
                most[i] = hits[i] = 0
            report = tmp / f"links{r}.json"
            cmd = [*REFCHECK, "check", "--select", "RC501,RC502,RC503,RC504",
                   "--allow-private-hosts", "--cache-dir", str(tmp / f"links-cache{r}"),
                   "--format", "json", "--output", str(report), "--exit-zero", str(bib)]
            wall, peak, _, _, _ = measure(cmd)
            found = json.loads(report.read_text(encoding="utf-8"))["findings"]
            bad += len(found)
            walls.append(wall)
            print(f"  run {r + 1}: {wall:.2f} s ({serial / wall:.0f}x serial), peak "
                  f"{peak / MIB:.0f} MiB, {sum(hits[:])} requests, most in flight on one "
                  f"host {max(most[:])} (limit {per_host}), findings {len(found)}")
            # The same run again on the cache the first one filled: it must send nothing.
            for i in range(hosts):
                hits[i] = 0
            warm, _, _, _, _ = measure(cmd)
            found = json.loads(report.read_text(encoding="utf-8"))["findings"]
            bad += len(found)
            warm_sent += sum(hits[:])
            print(f"         warm: {warm:.2f} s, {sum(hits[:])} requests, findings {len(found)}")
        wall = statistics.median(walls)
        print(f"  median {wall:.2f} s: {serial / wall:.0f}x serial (goal >= 40x; the bound "
              f"with {per_host} per host is {urls / hosts / per_host * latency_ms / 1000:.2f} s, "
              f"{hosts * per_host}x); false findings {bad}; requests of warm runs {warm_sent}")
    finally:
        proc.terminate()


# -- registry --------------------------------------------------------------------------


def section_registry(tmp: Path, refs: int, hallmark: Path, limit: int, concurrency: int) -> None:
    from benchmarks.fleet import Meter, bibtex, registry_server, serve

    meter = Meter(limit, 1.0, concurrency)
    registry = serve(registry_server(hallmark, meter))
    works = [json.loads(line) for line in (hallmark / "registry.jsonl").open(encoding="utf-8")]
    works = [w for w in works if w.get("doi") and w.get("title") and w.get("authors")]
    root = tmp / "registry"
    per_file = 25
    for d in range(refs // per_file):
        entries = [bibtex(works[(d * per_file + j) % len(works)], f"r{d}_{j}", None)
                   for j in range(per_file)]
        (root / f"part{d // 100:02d}").mkdir(parents=True, exist_ok=True)
        (root / f"part{d // 100:02d}" / f"doc{d:04d}.bib").write_text("\n".join(entries),
                                                                      encoding="utf-8")
    distinct = len({works[i % len(works)]["doi"] for i in range(refs)})
    cfg = tmp / "registry.toml"
    cfg.write_text(
        "[tool.refcheck]\n"
        f'crossref-url = "{registry}"\ndoi-resolver = "{registry}"\n'
        f'datacite-url = "{registry}"\n'
        f'retraction-watch-url = "{registry}/retraction-watch.csv"\n'
        'sources = ["crossref"]\nallow-private-hosts = true\nmailto = "bench@example.org"\n'
        f'cache-dir = "{tmp / "registry-cache"}"\ntimeout = 30\n', encoding="utf-8")
    print(f"\n== registry: {refs:,} references ({distinct:,} distinct DOIs, HALLMARK's real "
          f"works) in {refs // per_file} files; stand-in limit {limit}/s, {concurrency} at "
          f"once; {load_line()}")
    for label in ("cold", "warm"):
        meter.reset()
        began = time.monotonic()
        wall, peak, _, code, _ = measure([*REFCHECK, "check", "--config", str(cfg), "--format",
                                       "json", "--output", str(tmp / f"reg-{label}.json"),
                                       "--exit-zero", str(root)])
        sent = len(meter.times)
        # Where the wall time went: before the first request, the requests, after the last.
        span = (f"; requests from {min(meter.times) - began:.1f} s to "
                f"{max(meter.times) - began:.1f} s" if meter.times else "")
        bound = sent / limit
        goal = "<= 250" if label == "cold" else "0"
        print(f"  {label}: {wall:.1f} s, {sent} requests (goal {goal}), most in one second "
              f"{meter.most_in_window()} (limit {limit}), most in flight "
              f"{meter.most_inflight} (limit {concurrency}), 429s {meter.refused}; the limit "
              f"allows {bound:.1f} s for these requests (wall/bound "
              f"{wall / bound if bound else float('nan'):.2f}; goal <= 1.2); peak "
              f"{peak / MIB:.0f} MiB, exit {code}{span}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="real,scale,startup,links,registry")
    ap.add_argument("--repeat", type=int, default=5, help="interleaved repeats (real, links)")
    ap.add_argument("--startup-repeat", type=int, default=15)
    ap.add_argument("--scale", type=int, default=100_000, help="entries of the scale run")
    ap.add_argument("--urls", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--latency-ms", type=int, default=100)
    ap.add_argument("--refs", type=int, default=10_000, help="references of the registry run")
    ap.add_argument("--hallmark", type=Path,
                    default=ROOT / "benchmarks" / "data" / "shared" / "hallmark")
    ap.add_argument("--registry-limit", type=int, default=10,
                    help="requests per second (Crossref's polite pool publishes 10)")
    ap.add_argument("--registry-concurrency", type=int, default=3,
                    help="requests at once (Crossref's polite pool allows 3)")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    print(f"python {sys.version.split()[0]}; {load_line()}")
    with tempfile.TemporaryDirectory(prefix="refcheck-speed-") as t:
        tmp = Path(t)
        if "real" in only:
            section_real(args.repeat, tmp)
        if "scale" in only:
            section_scale(tmp, args.scale)
        if "startup" in only:
            section_startup(args.startup_repeat, tmp)
        if "links" in only:
            section_links(tmp, args.urls, args.hosts, args.latency_ms, args.repeat)
        if "registry" in only:
            section_registry(tmp, args.refs, args.hallmark, args.registry_limit,
                             args.registry_concurrency)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
