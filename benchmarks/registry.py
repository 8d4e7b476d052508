"""Registry cost: requests per DOI on a cold and a warm run.

Serves the recorded Crossref responses (benchmarks/data/shared/fixtures/crossref) from the
loopback Crossref-compatible API of the test suite, cites every recorded DOI
once, runs the DOI, metadata and retraction rules, and counts the requests
that reached the server.  Goal: <= 0.05 per DOI cold, 0 warm.

    python benchmarks/registry.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from refcheck.config import Settings
    from refcheck.model import Document, Reference, SourceText
    from refcheck.net.services import build_services
    from refcheck.rules import doi, metadata
    from refcheck.rules.base import Context
    from tests.net.conftest import CrossrefData, crossref_handler, proxy_handler, serve

    data = CrossrefData()
    api = serve("127.0.0.1", crossref_handler(data))
    proxy = serve("127.0.0.1", proxy_handler(data))
    dois = sorted(d for d in data.works if "," not in d)
    lines = [f"Reference {i}. doi:{d}" for i, d in enumerate(dois)]
    refs, offset = [], 0
    for i, (line, d) in enumerate(zip(lines, dois, strict=True)):
        refs.append(Reference("bench.txt", "text", i + 1, offset, offset + len(line), line, doi=d))
        offset += len(line) + 1
    doc = Document(SourceText("bench.txt", "\n".join(lines) + "\n"), "text", refs)
    rules = [r for r in (*doi.RULES, *metadata.RULES) if r.code != "RC603"]
    status = 0
    try:
        with tempfile.TemporaryDirectory() as cache:
            settings = Settings(crossref_url=api.base, doi_resolver=proxy.base,
                                mailto="bench@example.org", allow_hosts=["127.0.0.1"],
                                cache_dir=cache)
            for label in ("cold", "warm"):
                before = api.hits() + proxy.hits()
                started = time.perf_counter()
                services = build_services(settings, [doc])
                findings = [h for r in rules for h in r.check(doc, Context(services=services))]
                services.close()
                wall = time.perf_counter() - started
                sent = api.hits() + proxy.hits() - before
                print(f"{label}: {len(dois)} DOIs, {sent} requests, "
                      f"{sent / len(dois):.3f} per DOI, {wall:.2f}s, {len(findings)} findings")
                if (label == "cold" and sent / len(dois) > 0.05) or (label == "warm" and sent):
                    status = 1
    finally:
        api.close()
        proxy.close()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
