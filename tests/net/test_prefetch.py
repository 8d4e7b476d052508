"""Services.prefetch: the registry lookups and comparisons started ahead of the rules ask
for exactly what the rules would have asked for, and the rules find the same."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from refcheck.model import Document

from .conftest import Server
from .test_registry import KUSCHEL, document, run, services_for, settings

CODES = ("RC601", "RC602", "RC701", "RC702", "RC801", "RC802")


def _cited() -> Document:
    return document(
        {"raw": "Retracted. doi:10.1371/journal.pone.0090062",
         "doi": "10.1371/journal.pone.0090062"},
        {"raw": "Corrected. doi:10.1371/journal.pone.0109449",
         "doi": "10.1371/journal.pone.0109449"},
        dict(KUSCHEL, year=2009, raw=KUSCHEL["raw"].replace("2014", "2009")),
    )


def _checked(crossref: Server, proxy: Server, cache: Path,
             prefetch: bool) -> tuple[dict[str, Any], Counter[str], bool]:
    doc = _cited()
    svc = services_for(settings(crossref, proxy, cache), [doc])
    before = len(crossref.log)
    asked_early = False
    if prefetch:
        svc.prefetch(True)
        for thread in svc._prefetching:
            thread.join(timeout=30)
        # The notices were fetched before any rule asked for them.
        asked_early = any("updates" in p for _, p in crossref.log[before:])
    # A verdict holds the services' lock while it asks for notices: nothing may deadlock.
    svc.verdict(doc.references[0])
    found = {c: [(h.reference.index if h.reference else None, h.message)
                 for h in run(c, doc, svc)] for c in CODES}
    svc.close()
    return found, Counter(p for _, p in crossref.log[before:]), asked_early


def test_prefetch_changes_neither_findings_nor_requests(crossref: Server, proxy: Server,
                                                        tmp_path: Path) -> None:
    plain, plain_sent, _ = _checked(crossref, proxy, tmp_path / "plain", prefetch=False)
    early, early_sent, asked_early = _checked(crossref, proxy, tmp_path / "early", prefetch=True)
    assert asked_early
    assert early == plain
    assert [i for i, _ in plain["RC801"]] == [1] and [i for i, _ in plain["RC701"]] == [3]
    assert early_sent == plain_sent  # the same requests, each once


def test_prefetch_fetches_no_notices_when_no_doi_is_crossrefs(crossref: Server, proxy: Server,
                                                              tmp_path: Path) -> None:
    doc = document({"raw": "Gone. doi:10.7554/elife.01567x", "doi": "10.7554/elife.01567x"})
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    before = len(crossref.log)
    svc.prefetch(False)
    started = list(svc._prefetching)
    svc.close()
    # Only the verdicts' thread: neither the notices nor the Retraction Watch table.
    assert len(started) == 1
    assert svc._watch is None
    assert not any("updates" in p for _, p in crossref.log[before:])
