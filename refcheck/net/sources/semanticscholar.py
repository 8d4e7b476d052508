"""Semantic Scholar Academic Graph: papers by DOI, arXiv, PubMed or ACL ID, or by title.

From the Academic Graph API documentation (api.semanticscholar.org/api-docs/graph):
``GET /graph/v1/paper/{paper_id}`` takes prefixed IDs (``DOI:10.…``,
``ARXIV:1706.03762``, ``PMID:…``, ``ACL:P19-1001``) and answers one paper object
(``paperId``, ``externalIds`` {``DOI``, ``ArXiv``, ``ACL``, ``PubMed``}, ``title``,
``venue``, ``year``, ``authors`` [{``authorId``, ``name``}], ``journal`` {``name``,
``volume``, ``pages``}, ``publicationTypes``) or 404; ``GET /graph/v1/paper/search
?query=…&fields=…&limit=…`` answers ``{"total", "offset", "data": [papers]}``;
``POST /graph/v1/paper/batch?fields=…`` takes up to 500 IDs in a JSON body
(``{"ids": [...]}``) and answers a list in the same order, ``null`` where an ID
is unknown.  Without an
API key all anonymous users share one pool and are throttled (429); with a key
(``x-api-key`` header) the documented allowance is one request a second.

Identifiers go to the batch endpoint, up to :data:`BATCH` a request, in a
stable (sorted) order so the same run's request is answered by the cache next
time (the shared client caches POST answers by their body); a single
identifier, or a batch the API rejects (400), is asked with the per-paper GET,
whose answer any later run citing the work reuses.  The pace is one request a
second (:class:`~refcheck.net.sources.Pacer`; cached answers never wait), so
this source is not in the default list: it is for those who add it
(``--sources …,semanticscholar``), ideally with a key.
The key travels in a header, which is never part of a cache key and is
redacted from stored responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from refcheck.model import Reference
from refcheck.net.crossref import normalise_doi
from refcheck.net.http import HttpClient
from refcheck.net.identifiers import acl_id, reference_dois
from refcheck.net.outcomes import Reply
from refcheck.net.sources import (
    NOT_ASKED,
    Answer,
    Pacer,
    Record,
    Source,
    arxiv_id,
    json_object,
    lookup_in_batches,
    pmid,
    reply_failed,
    split_name,
    strip_markup,
    year_of,
)

FIELDS = "title,authors,year,venue,journal,externalIds,publicationTypes,publicationDate"
SEARCH_ROWS = 5
BATCH = 500  # the documented maximum of IDs a batch request
INTERVAL = 1.0  # seconds between requests: the documented allowance of a key


def record_from_paper(paper: dict[str, Any]) -> Record:
    """A Semantic Scholar paper object in the shared shape."""
    ids = json_object(paper.get("externalIds"))
    journal = json_object(paper.get("journal"))
    doi = ids.get("DOI")
    types = [str(t).lower() for t in paper.get("publicationTypes") or []]
    kind = ("proceedings-article" if "conference" in types
            else "journal-article" if "journalarticle" in types else None)
    if kind is None and not doi and ids.get("ArXiv") and not (paper.get("venue") or
                                                              journal.get("name")):
        kind = "preprint"
    pages = str(journal.get("pages") or "").strip() or None
    return Record(
        source="semanticscholar",
        ident=str(paper.get("paperId") or ""),
        title=strip_markup(str(paper["title"])) if paper.get("title") else None,
        authors=tuple(split_name(str(a["name"])) for a in paper.get("authors") or []
                      if isinstance(a, dict) and a.get("name")),
        year=paper.get("year") if isinstance(paper.get("year"), int)
        else year_of(paper.get("publicationDate")),
        container=(journal.get("name") or paper.get("venue") or None),
        volume=str(journal["volume"]).strip() or None if journal.get("volume") else None,
        pages=re.sub(r"\s+", "", pages) if pages else None,
        doi=normalise_doi(str(doi)) if doi else None,
        type=kind,
    )


class SemanticScholarSource(Source):
    name = "semanticscholar"
    label = "Semantic Scholar"
    interval = INTERVAL

    def __init__(self, http: HttpClient, base: str, key: str | None = None) -> None:
        super().__init__(http, base)
        self.key = key
        self.pacer = Pacer(http, urlsplit(self.base).hostname or "", self.interval)

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        from refcheck.net.verify import grey_literature

        return not grey_literature(ref)

    def identifiers(self, ref: Reference) -> list[str]:
        out = [f"DOI:{d}" for d in reference_dois(ref)]
        arxiv, pubmed, acl = arxiv_id(ref), pmid(ref), acl_id(ref)
        out += [f"ARXIV:{arxiv}"] if arxiv else []
        out += [f"PMID:{pubmed}"] if pubmed else []
        out += [f"ACL:{acl}"] if acl else []
        return out

    def _get(self, path: str, params: dict[str, str]) -> Reply:
        return self._send("GET", path, params, None)

    def _send(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        headers = {"Accept": "application/json"}
        if self.key:
            # Spelled as in http.SECRET_PARAMS, which requests-cache redacts (case-sensitively).
            headers["X-API-Key"] = self.key
        with self.pacer:
            outcome = self.http.send(method, f"{self.base}{path}", params=params,
                                     ttl=self.http.cfg.registry_ttl, headers=headers,
                                     json_body=body)
        return self.http.json_reply(outcome, keep_missing_briefly=False)

    def _one(self, ident: str) -> tuple[Record | None, bool]:
        reply = self._get(f"/paper/{quote(ident, safe=':/')}", {"fields": FIELDS})
        if reply_failed(reply):
            return None, True
        if reply.code == 200 and isinstance(reply.data, dict):
            return record_from_paper(reply.data), False
        return None, False  # 404: "Paper with id … not found"

    def _batch(self, chunk: list[str]) -> tuple[dict[str, Record | None] | None, bool]:
        if len(chunk) > 1:
            reply = self._send("POST", "/paper/batch", {"fields": FIELDS}, {"ids": chunk})
            if reply_failed(reply):
                return None, True
            # One answer per ID, in order, null where the paper is unknown.
            if reply.code == 200 and isinstance(reply.data, list) \
                    and len(reply.data) == len(chunk):
                return {i: record_from_paper(p) if isinstance(p, dict) else None
                        for i, p in zip(chunk, reply.data, strict=True)}, False
        out: dict[str, Record | None] = {}
        for ident in chunk:
            record, broken = self._one(ident)
            if broken:
                return None, True
            out[ident] = record
        return out, False

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        return lookup_in_batches(idents, BATCH, self._batch)

    def search(self, ref: Reference) -> Answer:
        if not ref.title:
            return NOT_ASKED
        reply = self._get("/paper/search", {"query": ref.title, "fields": FIELDS,
                                            "limit": str(SEARCH_ROWS)})
        if reply_failed(reply):
            return Answer(failed=True, detail=reply.status)
        papers = reply.data.get("data") if isinstance(reply.data, dict) else None
        return Answer([record_from_paper(p) for p in papers or [] if isinstance(p, dict)])
