"""Fuzzing: mutated bibliographies and documents must end in 0, 1 or 2, fast and small.

    python benchmarks/fuzz.py [--cases 10000] [--seed 1] [--time-limit 10] [--memory-limit 500]
                              [--seeds DIR ...] [--sample-every 100] [--keep DIR] [--json]
    python benchmarks/fuzz.py --large [--large-bytes 50000000] [--large-seconds 60]
                              [--large-mib 1024]

Seeds are the repository's ``references/`` (text, BibTeX, CSL-JSON),
``tests/data`` (BibTeX, CSL-JSON, text) and a few Markdown (pandoc) and LaTeX
documents written here; ``--seeds DIR`` adds more (for example
``benchmarks/data/shared/seeds``).  Each case takes one seed and applies one to four
mutations: byte flips, inserted or deleted stretches, splices from another
seed, structural tokens (braces, brackets, ``@``, ``\\cite{``, quotes), invalid
or overlong UTF-8, NULs, very long lines, deep nesting, truncation, or the
whole file re-encoded (Latin-1, CP1252, UTF-16).

Each case runs ``refcheck check --offline --format json`` on its file as a
whole process of its own: a child forked from this warmed-up process calls
``refcheck.cli.main`` (the console script's code) with its output sent to
files, and is killed at three times the time limit in wall time.  Every
``--sample-every``-th case is also run as a fresh ``python -m refcheck`` to
check that the forked harness sees what a user sees.  A case passes when it
exits 0, 1 or 2 within the time limit in CPU time (user + system, from
``wait4``: a busy shared machine does not count against the case), under the
memory limit (a fresh process's start-up resident set plus the child's own
growth past what it inherited, from ``wait4`` and ``/proc``), with no
traceback and no "internal error" on stderr, a valid JSON report on stdout
for 0 and 1, and a one-line message for 2.

Failures are written to ``--keep`` (default ``benchmarks/fuzz-failures``)
with the command that reproduces them.

``--large`` runs, instead, one 50 MB input of each format (``--large-bytes``),
built from the seeds with every copy its own work: CSL-JSON of tiny items and of
the seeds' records on one line, BibTeX, one-line text and LaTeX, Markdown.  Each
is a fresh ``python -m refcheck check --offline --format json`` with the default
``--jobs``, judged on CPU time (the process and its children, ``--large-seconds``)
and peak RSS summed over its processes (``--large-mib``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WALL_FACTOR = 3.0
FRESH_MIB = 0.0  # set by main(): a fresh process's own start-up memory
EXT = {"bib": ".bib", "json": ".json", "txt": ".txt", "md": ".md", "tex": ".tex"}

MARKDOWN = """---
title: A paper
bibliography: refs.bib
---

Prior work [@smith2001; see @doe99, p. 3] and @roe2010 disagree [-@smith2001].
Results follow [@{weird key}; @doe99].

# References
"""

LATEX = r"""\documentclass{article}
\begin{document}
As shown by \cite{smith2001} and \citep[p.~3]{doe99,roe2010}, the
result holds \parencite{smith2001}. See also \textcite{missing}.
\bibliography{refs}
\end{document}
"""

TOKENS = [b"{", b"}", b"[", b"]", b"@", b"\\cite{", b"[@", b'"', b"\\", b",", b"=", b"\n",
          b"@article{", b"doi = {10.", b"http://", b"\x00", b"\xc0\x80", b"\xff\xfe",
          b"\xef\xbb\xbf", b"\xe9", b"\xc3", b"\xe2\x80", b"\t", b"\r", b"%", b"$", b"&",
          b"1. ", b"[1] ", b"(2001)", b"et al.", b"\xe2\x80\x8b", b"\\'{e}", b"{{{{", b"]]]]"]


def load_seeds(extra: list[Path]) -> list[tuple[str, bytes]]:
    """(extension, bytes) of every seed file."""
    places = [ROOT / "references", ROOT / "tests" / "data", *extra]
    seeds: list[tuple[str, bytes]] = []
    for place in places:
        if not place.exists():
            continue
        for path in sorted(place.rglob("*")):
            ext = path.suffix.lower().lstrip(".")
            if ext == "markdown":
                ext = "md"
            if ext not in EXT or not path.is_file() or path.stat().st_size > 400_000:
                continue
            seeds.append((ext, path.read_bytes()))
    seeds.append(("md", MARKDOWN.encode()))
    seeds.append(("tex", LATEX.encode()))
    return seeds


def mutate(rng: random.Random, data: bytes, seeds: list[tuple[str, bytes]]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(12)
        pos = rng.randrange(len(buf) + 1)
        if kind == 0 and buf:  # flip bytes
            for _ in range(rng.randint(1, 16)):
                i = rng.randrange(len(buf))
                buf[i] = rng.randrange(256)
        elif kind == 1:  # insert tokens
            for _ in range(rng.randint(1, 8)):
                buf[pos:pos] = rng.choice(TOKENS)
        elif kind == 2 and buf:  # delete a stretch
            end = min(len(buf), pos + rng.randint(1, 2000))
            del buf[pos:end]
        elif kind == 3 and buf:  # duplicate a stretch many times
            a = rng.randrange(len(buf))
            piece = bytes(buf[a : a + rng.randint(1, 400)])
            buf[pos:pos] = piece * rng.randint(2, 200)
        elif kind == 4:  # splice from another seed
            other = rng.choice(seeds)[1]
            a = rng.randrange(len(other) + 1)
            buf[pos:pos] = other[a : a + rng.randint(1, 4000)]
        elif kind == 5:  # a very long line
            buf[pos:pos] = (rng.choice(TOKENS).strip() or b"x") * rng.randint(1000, 60000)
        elif kind == 6:  # deep nesting
            depth = rng.randint(100, 20000)
            open_, close = rng.choice([(b"{", b"}"), (b"[", b"]"), (b"(", b")")])
            buf[pos:pos] = open_ * depth + close * rng.randint(0, depth)
        elif kind == 7:  # truncation
            del buf[pos:]
        elif kind == 8:  # random bytes
            buf[pos:pos] = os.urandom(rng.randint(1, 300))
        elif kind == 9:  # newlines removed: everything on one line
            buf = bytearray(bytes(buf).replace(b"\n", b" "))
        elif kind == 10:  # re-encoded
            try:
                text = bytes(buf).decode("utf-8")
                enc = rng.choice(["latin-1", "cp1252", "utf-16", "utf-8-sig"])
                buf = bytearray(text.encode(enc, "replace"))
            except UnicodeDecodeError:
                pass
        else:  # swap two stretches
            if len(buf) > 2:
                a, b = sorted(rng.sample(range(len(buf)), 2))
                buf = buf[b:] + buf[a:b] + buf[:a]
    return bytes(buf)


@dataclass
class Outcome:
    case: int
    path: str
    code: int | None
    seconds: float
    rss_mib: float
    problem: str | None
    stderr: str = ""


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)
    sampled: int = 0
    sample_mismatch: list[str] = field(default_factory=list)


def judge(code: int | None, out: str, err: str, seconds: float, rss: float,
          time_limit: float, mem_limit: float) -> str | None:
    if code is None:
        return f"killed after {time_limit * WALL_FACTOR:.0f} s of wall time"
    if code not in (0, 1, 2):
        return f"exit status {code}"
    if "Traceback" in err:
        return "traceback"
    if "internal error" in err:
        return "internal error"
    if seconds > time_limit:
        return f"took {seconds:.1f} s of CPU"
    if rss > mem_limit:
        return f"peak memory {rss:.0f} MiB"
    if code in (0, 1):
        try:
            json.loads(out)
        except ValueError:
            return "invalid JSON report"
    else:
        errors = [line for line in err.splitlines() if line.startswith("refcheck: error:")]
        if len(errors) != 1:
            return "exit 2 without one error line"
    return None


def run_forked(path: str, workdir: str, time_limit: float) -> tuple[int | None, str, str, float,
                                                                    float]:
    """``refcheck check`` in a forked child: (exit code or None, stdout, stderr, s, MiB)."""
    out_path = os.path.join(workdir, "out")
    rss_path = os.path.join(workdir, "rss")
    err_path = os.path.join(workdir, "err")
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: one whole run, its output to files
        try:
            with open(rss_path, "w", encoding="ascii") as fh:
                fh.write(str(_rss_now_kib()))
            out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out_fd, 1)
            os.dup2(err_fd, 2)
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), encoding="utf-8")
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), encoding="utf-8",
                                          errors="backslashreplace")
            from refcheck.cli import main

            code = main(["check", "--offline", "--format", "json", "--jobs", "1", path])
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        except BaseException:  # anything escaping main() is itself the finding
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
            os._exit(70)
    # Killed at a multiple of the limit in wall time (a hang uses no CPU); judged on
    # CPU time, which other work on a shared machine does not inflate.
    deadline = started + time_limit * WALL_FACTOR
    killed = False
    while True:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            killed = True
            break
        time.sleep(0.005)
    seconds = usage.ru_utime + usage.ru_stime
    exit_code: int | None = None if killed else os.waitstatus_to_exitcode(status)
    # The child starts with the parent's resident pages: its own growth, on top of what
    # a fresh process needs to start, is what a user's run would hold.
    try:
        with open(rss_path, encoding="ascii") as fh:
            at_fork = int(fh.read() or 0)
    except (OSError, ValueError):
        at_fork = 0
    rss = FRESH_MIB + max(0, usage.ru_maxrss - at_fork) / 1024
    with open(out_path, encoding="utf-8", errors="replace") as fh:
        out = fh.read()
    with open(err_path, encoding="utf-8", errors="replace") as fh:
        err = fh.read()
    return exit_code, out, err, seconds, rss


def _rss_now_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fresh_process_mib(workdir: str) -> float:
    """Peak resident set of a fresh ``refcheck check`` on a one-entry file."""
    path = os.path.join(workdir, "fresh.bib")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("@article{a, title={T}, year={2000}}\n")
    proc = subprocess.Popen([sys.executable, "-m", "refcheck", "check", "--offline",
                             "--jobs", "1", path], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return float(usage.ru_maxrss) / 1024


def run_process(path: str, time_limit: float) -> tuple[int | None, str, str]:
    try:
        done = subprocess.run([sys.executable, "-m", "refcheck", "check", "--offline",
                               "--format", "json", "--jobs", "1", path], capture_output=True,
                              text=True, errors="replace", timeout=time_limit + 5)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return done.returncode, done.stdout, done.stderr


# -- 50 MB inputs (--large) -------------------------------------------------------------

LARGE_BYTES = 50_000_000
# Judged on CPU time; the wall-time kill only ends a hang (a loaded shared machine
# gives a process a fraction of a CPU).
LARGE_WALL_FACTOR = 10.0


# A DOI's prefix and slash in CSL-JSON and in BibTeX: each copy gets a suffix of its own.
_DOI_JSON = re.compile(r'("DOI":\s*"10\.\d+/)', re.I)
_DOI_BIB = re.compile(r"(\bdoi\s*=\s*[{\"]\s*(?:https?://(?:dx\.)?doi\.org/)?10\.\d+/)", re.I)


def _fill(piece: str, sep: str, size: int) -> str:
    """``piece`` (with ``{n}`` numbered) repeated, joined by ``sep``, to ``size`` characters."""
    out: list[str] = []
    total = n = 0
    while total < size:
        one = piece.replace("{n}", str(n))
        out.append(one)
        total += len(one) + len(sep)
        n += 1
    return sep.join(out)


def large_inputs(seeds: list[tuple[str, bytes]], size: int) -> dict[str, tuple[str, str]]:
    """name -> (extension, text) of each large case: built from the seeds, deterministic."""
    def first(ext: str, need: str = "") -> str:
        for e, data in seeds:
            text = data.decode("utf-8", "replace")
            if e == ext and need in text:
                return text
        return ""

    tiny = ('{"id": "item{n}", "type": "article-journal", "title": "alpha {n} theory of '
            'data", "author": [{"family": "Smith", "given": "J."}], "issued": {"date-parts": '
            '[[1999]]}, "container-title": "Journal of Data", "volume": "4", "page": "1-9"}')
    csl = json.loads(first("json", '"type"') or "[]")
    items = [json.dumps(x) for x in (csl if isinstance(csl, list) else [csl])
             if isinstance(x, dict)]
    # Each copy its own work (numbered id and title): a pile of identical entries would
    # measure the duplicate search, not the size.
    real = ", ".join(_DOI_JSON.sub(r"\g<1>{n}.", x.replace('"id": "', '"id": "{n}-', 1)
                                   .replace('"title": "', '"title": "{n} ', 1))
                     for x in items) or tiny
    bib = first("bib", "@")
    # Every key made unique in each copy (as in a bibliography, not a pile of duplicates).
    bib_entries = re.sub(r"(@(?!string|preamble|comment)\w+\s*\{\s*)([^,\s]+)",
                         r"\g<1>\g<2>-{n}", bib, flags=re.I) or "@misc{k{n}, title={T}}"
    bib_entries = re.sub(r"(\btitle\s*=\s*[{\"])", r"\g<1>{n} ", bib_entries, flags=re.I)
    bib_entries = _DOI_BIB.sub(r"\g<1>{n}.", bib_entries)
    text = " ".join(t.decode("utf-8", "replace").replace("\n", " ") for e, t in seeds if e == "txt")
    tex_body = LATEX.split("\\begin{document}")[1].split("\\bibliography")[0].replace("\n", " ")
    md_body = "\n".join(f"{line} {{n}}" if line.strip() else line
                        for line in MARKDOWN.split("---\n", 2)[2].splitlines())
    return {
        "CSL-JSON, tiny items, one line": ("json", "[" + _fill(tiny, ",", size) + "]"),
        "CSL-JSON, real items repeated, one line": ("json", "[" + _fill(real, ",", size) + "]"),
        "BibTeX, seed entries repeated": ("bib", _fill(bib_entries, "\n", size)),
        "text, one line": ("txt", _fill(text, " ", size)),
        "LaTeX, one line": ("tex", "\\documentclass{article}\\begin{document} "
                            + _fill(tex_body, " ", size) + " \\end{document}"),
        "Markdown (pandoc)": ("md", MARKDOWN + _fill(md_body, "\n", size)),
    }


def _measure_tree(cmd: list[str], limit: float) -> tuple[int | None, float, float, float]:
    """(exit code or None if killed, wall s, CPU s, peak RSS MiB summed over the tree)."""
    import resource

    import psutil  # type: ignore[import-untyped]

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    code: int | None = None
    while proc.poll() is None:
        rss = 0
        for p in (proc, *proc.children(recursive=True)):
            with contextlib.suppress(psutil.Error):
                rss += p.memory_info().rss
        peak = max(peak, rss)
        if time.monotonic() - started > limit:
            for p in (*proc.children(recursive=True), proc):  # a forked worker too
                with contextlib.suppress(psutil.Error):
                    p.kill()
            break
        time.sleep(0.05)
    wall = time.monotonic() - started
    code = proc.wait()
    if wall > limit:
        code = None
    # The process and every child it waited for (a forked worker), user and system.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return code, wall, cpu, peak / 2**20


def run_large(seeds: list[tuple[str, bytes]], size: int, time_limit: float,
              mem_limit: float) -> int:
    """Each large case as a fresh ``python -m refcheck check --offline --format json``."""
    import psutil  # type: ignore[import-untyped]

    failed = 0
    with tempfile.TemporaryDirectory(prefix="refcheck-large-") as workdir:
        for name, (ext, text) in large_inputs(seeds, size).items():
            path = os.path.join(workdir, f"large{EXT[ext]}")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            out = os.path.join(workdir, "out.json")
            if os.path.exists(out):
                os.unlink(out)
            load = psutil.getloadavg()[0]
            code, wall, cpu, peak = _measure_tree(
                [sys.executable, "-m", "refcheck", "check", "--offline", "--format", "json",
                 "--exit-zero", "--output", out, path], time_limit * LARGE_WALL_FACTOR)
            problem = None
            if code is None:
                problem = "killed"
            elif code not in (0, 2):
                problem = f"exit {code}"
            elif code == 0:
                try:
                    with open(out, encoding="utf-8") as fh:
                        json.load(fh)
                except (OSError, ValueError):
                    problem = "invalid JSON report"
            if problem is None and cpu > time_limit:
                problem = f"{cpu:.0f} s of CPU"
            if problem is None and peak > mem_limit:
                problem = f"{peak:.0f} MiB"
            failed += problem is not None
            print(f"  {name:42s} {os.path.getsize(path) / 1e6:5.1f} MB: exit {code}, "
                  f"wall {wall:5.1f} s, CPU {cpu:5.1f} s, peak RSS {peak:6.0f} MiB "
                  f"(load {load:.1f}) {'FAIL: ' + problem if problem else 'ok'}", flush=True)
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=Path, action="append", default=[],
                    help="another directory of seed files")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--memory-limit", type=float, default=500.0, help="MiB")
    ap.add_argument("--sample-every", type=int, default=100,
                    help="also run every Nth case as a fresh process (0: never)")
    ap.add_argument("--keep", type=Path, default=ROOT / "benchmarks" / "fuzz-failures")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--large", action="store_true",
                    help="instead: 50 MB inputs of each format as fresh processes, judged "
                         "against --large-seconds of CPU and --large-mib summed over processes")
    ap.add_argument("--large-bytes", type=int, default=LARGE_BYTES)
    ap.add_argument("--large-seconds", type=float, default=60.0)
    ap.add_argument("--large-mib", type=float, default=1024.0)
    args = ap.parse_args()
    if args.large:
        print(f"large inputs ({args.large_bytes / 1e6:.0f} MB; limits {args.large_seconds:.0f} s "
              f"CPU, {args.large_mib:.0f} MiB):")
        return run_large(load_seeds(args.seeds), args.large_bytes, args.large_seconds,
                         args.large_mib)

    # Warm up in the parent, so that each forked case pays only for its own work (and
    # caches built on first use, such as the word tables, are built once, not per case).
    from refcheck.cli import main as refcheck_main

    seeds = load_seeds(args.seeds)
    with tempfile.TemporaryDirectory() as warm:
        firsts = {ext: data for ext, data in reversed(seeds)}
        for ext, data in firsts.items():
            sample = Path(warm) / f"warm{EXT[ext]}"
            sample.write_bytes(data)
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = io.StringIO()
            try:
                refcheck_main(["check", "--offline", "--jobs", "1", str(sample)])
            finally:
                sys.stdout, sys.stderr = saved

    global FRESH_MIB
    with tempfile.TemporaryDirectory() as probe:
        FRESH_MIB = fresh_process_mib(probe)
    rng = random.Random(args.seed)
    tally = Tally()
    started = time.monotonic()
    # SIGTERM (or Ctrl-C) ends the run early with the summary of the cases done.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with tempfile.TemporaryDirectory(prefix="refcheck-fuzz-") as workdir:
        try:
            _fuzz(args, seeds, rng, tally, workdir, started)
        except KeyboardInterrupt:
            print("  stopped early", file=sys.stderr)
    elapsed = time.monotonic() - started
    report(tally, args, elapsed, len(seeds))
    return 1 if any(o.problem for o in tally.outcomes) or tally.sample_mismatch else 0


def _fuzz(args: argparse.Namespace, seeds: list[tuple[str, bytes]], rng: random.Random,
          tally: Tally, workdir: str, started: float) -> None:
    for case in range(args.cases):
        ext, data = rng.choice(seeds)
        # One case in ten is read as another format than its extension says.
        if rng.random() < 0.1:
            ext = rng.choice(list(EXT))
        mutated = mutate(rng, data, seeds)
        path = os.path.join(workdir, f"case{EXT[ext]}")
        with open(path, "wb") as fh:
            fh.write(mutated)
        code, out, err, seconds, rss = run_forked(path, workdir, args.time_limit)
        problem = judge(code, out, err, seconds, rss, args.time_limit, args.memory_limit)
        outcome = Outcome(case, path, code, seconds, rss, problem, err[-2000:])
        tally.outcomes.append(outcome)
        if args.sample_every and case % args.sample_every == 0:
            tally.sampled += 1
            pcode, pout, perr = run_process(path, args.time_limit)
            pproblem = judge(pcode, pout, perr, 0.0, 0.0, args.time_limit,
                             args.memory_limit)
            if pcode != code or (pproblem is None) != (problem is None):
                tally.sample_mismatch.append(
                    f"case {case}: forked exit {code}, process exit {pcode}")
        if problem:
            args.keep.mkdir(parents=True, exist_ok=True)
            kept = args.keep / f"case{case:05}{EXT[ext]}"
            kept.write_bytes(mutated)
            (args.keep / f"case{case:05}.why").write_text(
                f"{problem}\nrefcheck check --offline --format json {kept}\n\n{err[-4000:]}",
                encoding="utf-8")
        if (case + 1) % 500 == 0:
            bad = sum(1 for o in tally.outcomes if o.problem)
            print(f"  {case + 1} cases, {bad} failing, "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr)


def report(tally: Tally, args: argparse.Namespace, elapsed: float, seeds: int) -> None:
    outcomes = tally.outcomes
    times = sorted(o.seconds for o in outcomes)
    rss = sorted(o.rss_mib for o in outcomes)

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0

    codes: dict[str, int] = {}
    for o in outcomes:
        codes[str(o.code)] = codes.get(str(o.code), 0) + 1
    problems: dict[str, int] = {}
    for o in outcomes:
        if o.problem:
            key = o.problem.split(" after ")[0]
            problems[key] = problems.get(key, 0) + 1
    summary = {
        "cases": len(outcomes), "seeds": seeds, "seed": args.seed,
        "wall_seconds": round(elapsed, 1),
        "exit_codes": codes, "failing": sum(problems.values()), "problems": problems,
        "seconds": {"median": round(pct(times, 0.5), 3), "p99": round(pct(times, 0.99), 3),
                    "max": round(times[-1] if times else 0.0, 3)},
        "peak_rss_mib": {"median": round(pct(rss, 0.5), 1), "max": round(rss[-1] if rss else 0,
                                                                          1)},
        "sampled_as_process": tally.sampled, "sample_mismatches": tally.sample_mismatch,
        "limits": {"seconds": args.time_limit, "mib": args.memory_limit},
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"fuzz: {summary['cases']} cases from {seeds} seeds (seed {args.seed}), "
          f"{elapsed:.0f} s")
    print(f"  exit codes: {codes}")
    print(f"  failing: {summary['failing']} {problems or ''}")
    print(f"  CPU time per case: median {summary['seconds']['median']} s, "
          f"p99 {summary['seconds']['p99']} s, max {summary['seconds']['max']} s "
          f"(limit {args.time_limit:.0f} s)")
    print(f"  peak RSS per case: median {summary['peak_rss_mib']['median']} MiB, "
          f"max {summary['peak_rss_mib']['max']} MiB (limit {args.memory_limit:.0f} MiB; "
          f"a fresh process starts at {FRESH_MIB:.0f} MiB)")
    print(f"  checked again as fresh processes: {tally.sampled}, "
          f"mismatches: {len(tally.sample_mismatch)}")


if __name__ == "__main__":
    sys.exit(main())
