"""Link-check throughput: N URLs over H loopback hosts (127.0.0.x) with L ms latency.

Prints wall time, the serial time N×L and the ratio, and counts false findings
(every URL answers 200 after the delay, so any finding is false).  The servers
run in a separate process so they do not share the checker's GIL.

    python benchmarks/links.py --urls 1000 --hosts 10 --latency-ms 100
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _serve(hosts: int, latency: float, ports: Any, ready: Any) -> None:
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_HEAD(self) -> None:
            time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD

    class S(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024

    for i in range(hosts):
        httpd = S((f"127.0.0.{i + 1}", 0), H)
        ports[i] = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ready.set()
    threading.Event().wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    from refcheck.config import Settings
    from refcheck.model import Document, Reference, SourceText
    from refcheck.net.services import build_services
    from refcheck.rules.links import RULES

    ports = multiprocessing.Array("i", args.hosts)
    ready = multiprocessing.Event()
    proc = multiprocessing.Process(target=_serve, daemon=True,
                                   args=(args.hosts, args.latency_ms / 1000, ports, ready))
    proc.start()
    ready.wait(10)
    try:
        urls = [f"http://127.0.0.{i % args.hosts + 1}:{ports[i % args.hosts]}/page/{i}"
                for i in range(args.urls)]
        text = "\n".join(urls) + "\n"
        refs, offset = [], 0
        for i, url in enumerate(urls):
            refs.append(Reference("bench.txt", "text", i + 1, offset, offset + len(url), url,
                                  urls=[url]))
            offset += len(url) + 1
        doc = Document(SourceText("bench.txt", text), "text", refs)
        with tempfile.TemporaryDirectory() as cache:
            # Default settings, except that loopback must be allowed and the cache is fresh.
            settings = Settings(allow_hosts=["127.0.0.0/8"], cache_dir=cache)
            from refcheck.rules.base import Context

            started = time.perf_counter()
            services = build_services(settings, [doc])
            findings = [h for r in RULES for h in r.check(doc, Context(services=services))]
            wall = time.perf_counter() - started
            sent = services.http.sent
            services.close()
            services = build_services(settings, [doc])
            started = time.perf_counter()
            warm_findings = [h for r in RULES for h in r.check(doc, Context(services=services))]
            warm = time.perf_counter() - started
            warm_sent = services.http.sent
            services.close()
    finally:
        proc.terminate()
    serial = args.urls * args.latency_ms / 1000
    print(f"urls={args.urls} hosts={args.hosts} latency={args.latency_ms}ms")
    print(f"cold: wall {wall:.2f}s  serial {serial:.1f}s  speed-up {serial / wall:.1f}x  "
          f"requests {sent}  false findings {len(findings)}")
    print(f"warm: wall {warm:.2f}s  requests {warm_sent}  false findings {len(warm_findings)}")
    return 0 if not findings and not warm_findings else 1


if __name__ == "__main__":
    raise SystemExit(main())
