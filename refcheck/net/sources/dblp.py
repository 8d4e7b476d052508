"""DBLP: computer science journals and proceedings, by bibliographic search.

From dblp's FAQ "How to use the dblp search API?": ``/search/publ/api`` with
``q`` (the query), ``format=json``, ``h`` (hits, capped at 1000) and ``c``
(completions; 0 here).  The JSON answer is ``result.hits.hit[]``, each with
``info`` holding ``authors.author`` (one object or a list, each with
``text``), ``title`` (ending in a full stop), ``venue``, ``volume``,
``number``, ``pages``, ``year``, ``type``, ``doi`` and ``key``.  dblp has no
identifier lookup for DOIs, publishes no fixed rate but answers 429 with
``Retry-After`` when pressed (the shared session honours it); requests are
made one at a time.
"""

from __future__ import annotations

import re
from typing import Any

from refcheck.model import Reference
from refcheck.net.crossref import normalise_doi
from refcheck.net.sources import (
    NOT_ASKED,
    Answer,
    Record,
    Source,
    reply_failed,
    split_name,
    strip_markup,
    year_of,
)

SEARCH_ROWS = 5


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return str(value or "")


def record_from_hit(info: dict[str, Any]) -> Record:
    """One DBLP search hit's ``info`` in the shared shape."""
    people = (info.get("authors") or {}).get("author") or []
    if isinstance(people, dict):
        people = [people]
    authors = tuple(split_name(strip_markup(_text(p))) for p in people if _text(p))
    title = strip_markup(_text(info.get("title"))).rstrip(".") or None
    venue = info.get("venue")
    if isinstance(venue, list):
        venue = venue[0] if venue else None
    doi = info.get("doi")
    kind = str(info.get("type") or "")
    return Record(
        source="dblp",
        ident=str(info.get("key", "")),
        title=title,
        authors=authors,
        year=year_of(info.get("year")),
        container=str(venue) if venue else None,
        volume=str(info.get("volume")) if info.get("volume") else None,
        issue=str(info.get("number")) if info.get("number") else None,
        pages=str(info.get("pages")) if info.get("pages") else None,
        doi=normalise_doi(str(doi)) if doi else None,
        type={"Journal Articles": "journal-article",
              "Conference and Workshop Papers": "proceedings-article",
              "Informal and Other Publications": "preprint"}.get(kind, kind or None),
    )


class DblpSource(Source):
    name = "dblp"
    label = "DBLP"

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        return registry_shaped

    def search(self, ref: Reference) -> Answer:
        if not ref.title:
            return NOT_ASKED
        # dblp's engine matches word prefixes; punctuation only confuses it.
        query = " ".join(re.sub(r"[^\w\s-]", " ", ref.title).split())
        family = next((a.family for a in ref.authors if not a.literal), None)
        if family:
            query += " " + family.split()[-1]
        reply = self.http.get_json(f"{self.base}/search/publ/api",
                                   {"q": query, "format": "json", "h": str(SEARCH_ROWS),
                                    "c": "0"})
        if reply_failed(reply):
            return Answer(failed=True, detail=reply.status)
        hits = (((reply.data or {}).get("result") or {}).get("hits") or {}).get("hit") \
            if isinstance(reply.data, dict) else None
        if isinstance(hits, dict):
            hits = [hits]
        return Answer([record_from_hit(h["info"]) for h in hits or []
                       if isinstance(h, dict) and isinstance(h.get("info"), dict)])
