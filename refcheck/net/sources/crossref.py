"""Crossref as a source: an adapter over :class:`refcheck.net.crossref.CrossrefClient`.

Identifier lookups reuse the client's batched ``filter=doi:`` queries (50 DOIs
per request); the same URLs as the DOI rules ask, so within a run they are
answered from the cache.  Searches use ``query.bibliographic`` with
``select=``, Crossref's documented way to match a citation string.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from refcheck.model import Reference
from refcheck.net import compare
from refcheck.net.crossref import CrossrefClient, normalise_doi
from refcheck.net.identifiers import reference_dois
from refcheck.net.sources import (
    NOT_ASKED,
    Answer,
    Record,
    Source,
    reply_failed,
    strip_markup,
)

RETRACTION_WATCH = "retraction-watch"  # the "source" of updates Retraction Watch asserted


def watch_label(update: dict[str, Any]) -> str:
    """'Retraction Watch (record 20946)' for an ``updated-by`` entry Retraction Watch made."""
    record = update.get("record-id")
    return f"Retraction Watch (record {record})" if record else "Retraction Watch"


def record_from_crossref(item: dict[str, Any]) -> Record:
    """A Crossref work (REST ``message``) in the shared shape."""
    titles = [t for t in (item.get("title") or []) if isinstance(t, str)]
    subtitles = [s for s in (item.get("subtitle") or []) if isinstance(s, str)]
    title = strip_markup(titles[0]) if titles else None
    if title and subtitles:
        title = f"{title}: {strip_markup(subtitles[0])}"
    authors: list[tuple[str, str | None]] = []
    for a in item.get("author") or []:
        if isinstance(a, dict):
            family = str(a.get("family") or a.get("name") or "").strip()
            if family:
                given = a.get("given")
                authors.append((family, str(given) if given else None))
    containers = [c for c in (item.get("container-title") or []) if isinstance(c, str)]
    retractions = [
        u for u in item.get("updated-by", []) or [] if isinstance(u, dict)
        and str(u.get("type", "")).lower().replace("-", "_")
        in ("retraction", "withdrawal", "removal", "partial_retraction")
    ]
    retracted = bool(retractions)
    by_watch = [u for u in retractions if u.get("source") == RETRACTION_WATCH]
    return Record(
        source="crossref",
        ident=str(item.get("DOI", "")).lower(),
        title=title,
        authors=tuple(authors),
        year=compare.record_year(item),
        years=tuple(compare.record_years(item)),
        container=containers[0] if containers else None,
        volume=compare.first(item.get("volume")),
        issue=compare.first(item.get("issue")),
        pages=compare.first(item.get("page")) or compare.first(item.get("article-number")),
        doi=str(item["DOI"]).lower() if isinstance(item.get("DOI"), str) else None,
        type=item.get("type") if isinstance(item.get("type"), str) else None,
        retracted=retracted,
        retracted_by=watch_label(by_watch[0]) if by_watch else None,
    )


class CrossrefSource(Source):
    name = "crossref"
    label = "Crossref"

    def __init__(self, client: CrossrefClient) -> None:
        super().__init__(client.http, client.base)
        self.client = client

    def identifiers(self, ref: Reference) -> list[str]:
        return reference_dois(ref)

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        found, failed = self.client.works(idents)
        out: dict[str, Record | None] = {}
        for doi, item in found.items():
            out[normalise_doi(doi)] = record_from_crossref(item) if item else None
        return out, failed

    def search(self, ref: Reference) -> Answer:
        query = compare.search_query(ref)
        if query is None:
            return NOT_ASKED
        reply = self.client.search(query)
        if reply_failed(reply):
            return Answer(failed=True, detail=reply.status)
        if reply.code != 200 or not isinstance(reply.data, dict):
            return Answer()
        items = (reply.data.get("message") or {}).get("items") or []
        return Answer([record_from_crossref(i) for i in items if isinstance(i, dict)])
