"""A corpus audit on a Dask cluster against rate-limited registry and web stand-ins.

What it runs, all on loopback (no internet):

* ``redis-server`` on a free port: the fleet's HTTP cache and its limits per host;
* a Crossref + DOI-resolver stand-in: HALLMARK's closed-world registry server
  (``benchmarks/data/shared/hallmark/registry_server.py``, MIT, serving the 1,958 real works of
  ``registry.jsonl`` in Crossref's API shapes), wrapped so that it *enforces* the limit
  it publishes (``X-Rate-Limit-Limit``/``-Interval``, a concurrency cap, 429 with
  ``Retry-After`` past either) and counts every request it receives; it also answers
  doi.org's "Which RA?" for comma-separated lists and DataCite's REST API
  (``/dois/{doi}``, ``/dois?ids=A,B``) for the registry's DataCite (arXiv) works, as the
  real services answer them (one stand-in, one meter: their limits counted together);
* four web hosts (127.0.0.2 … 127.0.0.5) that publish and enforce their own limit;
* a corpus of BibTeX files made from those real works (default 2,000 files of 25
  references, 50,000 references; each reference carries its DOI, one in 25 a URL).

Then, as whole processes where the command line is what a user runs:

1. ``refcheck audit`` on one machine (the yardstick for the report);
2. ``refcheck audit --cluster local --workers 2 --redis-url …``: wall time, the
   highest number of requests any stand-in saw in one interval against its limit,
   429s answered, and the time the registry's limit alone would need for the
   requests the fleet sent (``bound``): the ratio ``wall / bound`` is the goal (≤ 1.2
   when the limit binds).  The same command again on the warm cache gives the time
   the work alone takes (parsing, rules, reports; no request waits): when that is the
   longer, the limit does not bind on this machine, and the ratio is taken to it;
3. the same through the API with one worker killed a quarter of the way through:
   the findings must equal run 1's;
4. offline (nothing limits): 1 worker against 2, to show what scales with workers.

    python benchmarks/fleet.py [--docs 2000] [--refs 25] [--registry-limit 20]
                               [--hallmark DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_HALLMARK = ROOT / "benchmarks" / "data" / "shared" / "hallmark"


class Meter:
    """What a stand-in received: request times, refusals, most in flight."""

    def __init__(self, limit: int, interval: float, concurrency: int) -> None:
        self.limit, self.interval, self.concurrency = limit, interval, concurrency
        self.times: list[float] = []
        self.kinds: dict[str, int] = {}
        self.refused = 0
        self.inflight = 0
        self.most_inflight = 0
        self.lock = threading.Lock()

    def enter(self) -> bool:
        """Count a request; False when it breaks the published limit (answer 429)."""
        now = time.monotonic()
        with self.lock:
            self.times.append(now)
            recent = sum(1 for t in self.times[-(self.limit + 1):] if now - t < self.interval)
            self.inflight += 1
            self.most_inflight = max(self.most_inflight, self.inflight)
            if recent > self.limit or self.inflight > self.concurrency:
                self.refused += 1
                return False
            return True

    def kind(self, path: str, query: dict[str, list[str]]) -> None:
        """Count a request by what it asks (the report's breakdown)."""
        what = path.strip("/").split("/")[0] or "/"
        flt = (query.get("filter") or [""])[0].split(":")[0]
        if query.get("query.bibliographic") or query.get("query"):
            what += " search"
        elif flt:
            what += f" {flt}"
        with self.lock:
            self.kinds[what] = self.kinds.get(what, 0) + 1

    def leave(self) -> None:
        with self.lock:
            self.inflight -= 1

    def most_in_window(self) -> int:
        times = sorted(self.times)
        best = lo = 0
        for hi, t in enumerate(times):
            while t - times[lo] >= self.interval:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def headers(self) -> dict[str, str]:
        return {"X-Rate-Limit-Limit": str(self.limit),
                "X-Rate-Limit-Interval": f"{self.interval:g}s"}

    def reset(self) -> None:
        with self.lock:
            self.times, self.refused, self.most_inflight, self.kinds = [], 0, 0, {}


def _refuse(handler: BaseHTTPRequestHandler, meter: Meter) -> None:
    handler.send_response(429)
    handler.send_header("Retry-After", "1")
    for k, v in meter.headers().items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def registry_server(hallmark: Path, meter: Meter) -> ThreadingHTTPServer:
    spec = importlib.util.spec_from_file_location("hallmark_registry",
                                                  hallmark / "registry_server.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    vars(mod)["API"] = "crossref"
    mod.load(str(hallmark / "registry.jsonl"))

    class Limited(mod.Handler):  # type: ignore[name-defined,misc]
        def _json(self, code: int, obj: Any) -> None:
            self._send(code, json.dumps(obj).encode(), "application/json", meter.headers())

        def do_GET(self) -> None:
            try:
                if not meter.enter():
                    _refuse(self, meter)
                    return
                parts = urlsplit(self.path)
                meter.kind(parts.path, parse_qs(parts.query))
                if parts.path.startswith("/ra/"):
                    self._json(200, which_ra(mod, parts.path[len("/ra/"):]))
                elif parts.path == "/dois" or parts.path.startswith("/dois/"):
                    self._json(*datacite(mod, parts.path, parse_qs(parts.query)))
                else:
                    super().do_GET()
            finally:
                meter.leave()

        do_HEAD = do_GET

    return ThreadingHTTPServer(("127.0.0.1", 0), Limited)


def which_ra(mod: Any, names: str) -> list[dict[str, str]]:
    """doi.org's "Which RA?" for a comma-separated list (commas inside a DOI
    percent-encoded), one answer per name echoing it as asked (DOI Handbook)."""
    out = []
    for name in (unquote(n) for n in names.split(",")):
        work = mod.registered(name)
        out.append({"DOI": name, "RA": work.get("agency") or "Crossref"} if work is not None
                   else {"DOI": name, "status": "DOI does not exist"})
    return out


def datacite_object(work: dict[str, Any]) -> dict[str, Any]:
    """A DataCite REST API ``data`` object for one of the registry's DataCite works, in
    the shape api.datacite.org gives arXiv's DOIs (a preprint published by arXiv, no
    container)."""
    year = work.get("year")
    creators = [{"name": f"{a['family']}, {a.get('given') or ''}".strip(", "),
                 "nameType": "Personal", "givenName": a.get("given"), "familyName": a["family"]}
                for a in work.get("authors", []) if a.get("family")]
    return {"id": work["doi"].lower(), "type": "dois", "attributes": {
        "doi": work["doi"].upper(), "titles": [{"title": work.get("title")}],
        "creators": creators, "publisher": "arXiv", "publicationYear": year,
        "container": {}, "types": {"resourceTypeGeneral": "Preprint", "citeproc": "article",
                                   "bibtex": "misc", "ris": "GEN"},
        "dates": [{"date": str(year), "dateType": "Issued"}] if year else []}}


def datacite(mod: Any, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    """DataCite's ``GET /dois/{doi}`` and ``GET /dois?ids=A,B`` (JSON:API) over the
    registry's DataCite works."""
    def held(doi: str) -> dict[str, Any] | None:
        work = mod.BY_DOI.get(doi.strip().lower())
        return work if work is not None and work.get("agency") == "DataCite" else None

    if path.startswith("/dois/"):
        work = held(unquote(path[len("/dois/"):]))
        if work is None:
            return 404, {"errors": [{"status": "404", "title":
                                     "The resource you are looking for doesn't exist."}]}
        return 200, {"data": datacite_object(work)}
    names = ",".join(query.get("ids", [])).split(",")
    items = [datacite_object(w) for w in (held(n) for n in names if n) if w is not None]
    size = int((query.get("page[size]") or ["25"])[0])
    return 200, {"data": items[:size], "meta": {"total": len(items), "totalPages": 1,
                                                "page": 1}}


def web_server(host: str, meter: Meter) -> ThreadingHTTPServer:
    class Page(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            try:
                if not meter.enter():
                    _refuse(self, meter)
                    return
                self.send_response(200)
                for k, v in meter.headers().items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "0")
                self.end_headers()
            finally:
                meter.leave()

        do_HEAD = do_GET

    return ThreadingHTTPServer((host, 0), Page)


def serve(server: ThreadingHTTPServer) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else host
    return f"http://{name}:{port}"


def start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    exe = shutil.which("redis-server")
    if exe is None:
        sys.exit("redis-server is not on PATH (bash .ci/install-redis installs it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(tmp)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


def bibtex(work: dict[str, Any], key: str, url: str | None) -> str:
    authors = " and ".join(f"{a.get('family', '')}, {a.get('given', '')}".strip(", ")
                           for a in work.get("authors", []) if a.get("family"))
    kind = "article" if work.get("type") == "journal-article" else "inproceedings"
    container = work.get("container")
    arxiv = re.fullmatch(r"10\.48550/arxiv\.(.+)", str(work.get("doi", "")), re.I)
    if not container and arxiv:
        # A preprint as Google Scholar exports it: an article in "arXiv preprint arXiv:ID".
        kind, container = "article", f"arXiv preprint arXiv:{arxiv.group(1)}"
    venue = "journal" if kind == "article" else "booktitle"
    fields = [f"  author = {{{authors}}}", f"  title = {{{work['title']}}}",
              f"  {venue} = {{{container or 'Unknown'}}}",
              f"  year = {{{work.get('year')}}}", f"  doi = {{{work['doi']}}}"]
    if url:
        fields.append(f"  url = {{{url}}}")
    return f"@{kind}{{{key},\n" + ",\n".join(fields) + "\n}\n"


def make_corpus(root: Path, hallmark: Path, docs: int, refs: int, web: list[str]) -> int:
    works = [json.loads(line) for line in (hallmark / "registry.jsonl").open(encoding="utf-8")]
    works = [w for w in works if w.get("doi") and w.get("title") and w.get("authors")]
    n = 0
    for d in range(docs):
        entries = []
        for j in range(refs):
            w = works[(d * refs + j) % len(works)]
            url = f"{web[d % len(web)]}/paper/{d}" if j == 0 else None
            entries.append(bibtex(w, f"r{d}_{j}", url))
            n += 1
        sub = root / f"part{d // 500:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc{d:05d}.bib").write_text("\n".join(entries), encoding="utf-8")
    return n


def config(path: Path, registry: str, cache: Path) -> None:
    path.write_text(
        "[tool.refcheck]\n"
        f'crossref-url = "{registry}"\ndoi-resolver = "{registry}"\n'
        f'datacite-url = "{registry}"\n'
        f'retraction-watch-url = "{registry}/retraction-watch.csv"\n'
        'sources = ["crossref"]\nallow-private-hosts = true\nmailto = "bench@example.org"\n'
        f'cache-dir = "{cache}"\ntimeout = 30\n', encoding="utf-8")


STARTED = [0.0]


def timed(cmd: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    STARTED[0] = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - started, proc.returncode, proc.stderr


def findings(report: Path) -> Any:
    data = json.loads(report.read_text(encoding="utf-8"))
    return data["findings"], data["files"]


def report_line(name: str, meter: Meter) -> str:
    return (f"  {name}: {len(meter.times)} requests, most in one {meter.interval:g}s window "
            f"{meter.most_in_window()} (limit {meter.limit}), most in flight "
            f"{meter.most_inflight} (limit {meter.concurrency}), 429s answered {meter.refused}"
            + (f", first at {min(meter.times) - STARTED[0]:.1f} s, last at "
               f"{max(meter.times) - STARTED[0]:.1f} s" if meter.times else "")
            + ("\n    by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(meter.kinds.items()))
               if meter.kinds else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--refs", type=int, default=25)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--registry-limit", type=int, default=20, help="requests per second")
    ap.add_argument("--web-limit", type=int, default=10, help="requests per second per host")
    ap.add_argument("--hallmark", type=Path, default=DEFAULT_HALLMARK)
    ap.add_argument("--skip-single", action="store_true", help="no one-machine yardstick")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="refcheck-fleet-"))
    redis_proc, redis_url = start_redis(tmp)
    reg_meter = Meter(args.registry_limit, 1.0, 3)
    registry = serve(registry_server(args.hallmark, reg_meter))
    web_meters = {f"127.0.0.{i}": Meter(args.web_limit, 1.0, 8) for i in range(2, 6)}
    web = [serve(web_server(h, m)) for h, m in web_meters.items()]
    corpus = tmp / "corpus"
    n = make_corpus(corpus, args.hallmark, args.docs, args.refs, web)
    print(f"corpus: {args.docs} BibTeX files, {n} references from "
          f"{args.hallmark / 'registry.jsonl'} (HALLMARK's real works, MIT)")
    meters = {"registry": reg_meter, **web_meters}
    exe = [sys.executable, "-m", "refcheck"]

    def reset() -> None:
        for m in meters.values():
            m.reset()
        subprocess.run(["redis-cli", "-u", redis_url, "flushall"], capture_output=True)

    def describe(title: str, wall: float) -> float:
        # The time the published limits alone allow for the requests sent: the stand-in
        # whose limit binds hardest sets it (each host is asked in parallel).
        bounds = {name: len(m.times) * m.interval / m.limit for name, m in meters.items()}
        binding = max(bounds, key=lambda k: bounds[k])
        bound = bounds[binding]
        print(f"{title}: {wall:.1f} s; limit-bound time {bound:.1f} s ({binding}) "
              f"(ratio {wall / bound if bound else float('nan'):.2f})")
        for name, m in meters.items():
            print(report_line(name, m))
        return bound

    try:
        single_out = tmp / "single"
        if not args.skip_single:
            reset()
            cfg = tmp / "single.toml"
            config(cfg, registry, tmp / "cache-single")
            wall, code, err = timed([*exe, "audit", "--config", str(cfg), str(corpus),
                                     "--out", str(single_out)])
            if code not in (0, 1):
                print(err[-2000:])
                return 2
            describe("one machine (refcheck audit)", wall)

        reset()
        cfg = tmp / "fleet.toml"
        config(cfg, registry, tmp / "cache-fleet")
        fleet_out = tmp / "fleet"
        wall, code, err = timed([*exe, "audit", "--config", str(cfg), str(corpus), "--out",
                                 str(fleet_out), "--cluster", "local", "--workers",
                                 str(args.workers), "--redis-url", redis_url])
        if code not in (0, 1):
            print(err[-2000:])
            return 2
        bound = describe(f"fleet of {args.workers} (refcheck audit --cluster local)", wall)
        for line in err.splitlines():
            if "documents/s" in line or "requests" in line:
                print("  " + line)
        # The same run again on the warm cache: no request waits, only the work.  When
        # it takes longer than the limit-bound time, the limit does not bind on this
        # machine (the CPU does) and the run is held to this time instead.
        warm, code, _ = timed([*exe, "audit", "--config", str(cfg), str(corpus), "--out",
                               str(tmp / "fleet-warm"), "--cluster", "local", "--workers",
                               str(args.workers), "--redis-url", redis_url])
        print(f"  the same on a warm cache (the work alone, nothing waited for): {warm:.1f} s; "
              f"ratio to the larger of the two floors: {wall / max(bound, warm):.2f}")
        if not args.skip_single:
            same = findings(single_out / "report.json") == findings(fleet_out / "report.json")
            print(f"  same findings and files as one machine: {same}")

        reset()
        killed = kill_run(corpus, cfg, redis_url, args.workers, tmp)
        if not args.skip_single:
            same = killed == findings(single_out / "report.json")
            print(f"  a worker killed a quarter of the way through: same findings: {same}")

        for workers in (1, 2):
            wall, code, _ = timed([*exe, "audit", "--offline", str(corpus), "--out",
                                   str(tmp / f"off{workers}"), "--cluster", "local",
                                   "--workers", str(workers)])
            print(f"offline, {workers} worker(s): {wall:.1f} s")
    finally:
        redis_proc.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def kill_run(corpus: Path, cfg: Path, redis_url: str, workers: int, tmp: Path) -> Any:
    """The fleet run through the API, one worker process killed a quarter of the way."""
    from distributed import Client, LocalCluster

    from refcheck import cluster
    from refcheck.config import Settings, apply_table, load_table
    from refcheck.report import json as json_report

    table, path = load_table(str(cfg))
    settings = Settings()
    apply_table(settings, table, str(path))
    settings.redis_url = redis_url
    local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         dashboard_address=":0")
    client = Client(local)
    try:
        result, stats = cluster.run([str(corpus)], settings, "unused", client=client,
                                    progress=_kill_after(client, 0.25))
    finally:
        client.close()
        local.close()
    print(f"fleet with a worker killed: {stats.seconds:.1f} s, {stats.tasks} tasks")
    data = json.loads(json_report.render(result))
    return data["findings"], data["files"]


def _kill_after(client: Any, fraction: float) -> Callable[[int, int], None]:
    pids = client.run(os.getpid)
    killed: list[int] = []

    def progress(done: int, total: int) -> None:
        if not killed and done >= total * fraction:
            pid = next(iter(pids.values()))
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)

    return progress


if __name__ == "__main__":
    sys.exit(main())
