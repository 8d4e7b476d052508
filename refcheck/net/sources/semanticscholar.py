"""Semantic Scholar Academic Graph: papers by DOI, arXiv, PubMed or ACL ID, or by title.

From the Academic Graph API documentation (api.semanticscholar.org/api-docs/graph):
``GET /graph/v1/paper/{paper_id}`` takes prefixed IDs (``DOI:10.…``,
``ARXIV:1706.03762``, ``PMID:…``, ``ACL:P19-1001``) and answers one paper object
(``paperId``, ``externalIds`` {``DOI``, ``ArXiv``, ``ACL``, ``PubMed``}, ``title``,
``venue``, ``year``, ``authors`` [{``authorId``, ``name``}], ``journal`` {``name``,
``volume``, ``pages``}, ``publicationTypes``) or 404; ``GET /graph/v1/paper/search
?query=…&fields=…&limit=…`` answers ``{"total", "offset", "data": [papers]}``;
``POST /graph/v1/paper/batch`` takes up to 500 IDs in a JSON body.  Without an
API key all anonymous users share one pool and are throttled (429); with a key
(``x-api-key`` header) the documented allowance is one request a second.

Identifiers are asked one GET each rather than through the batch POST: the
shared client caches GET answers only, and a per-identifier answer is reused by
every later run and by other documents citing the same work, which a batch
POST (its body a different list each run) never would be.  The pace is one
request a second either way, so this source is not in the default list: it is
for those who add it (``--sources …,semanticscholar``), ideally with a key.
The key travels in a header, which is never part of a cache key and is
redacted from stored responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import urllib3

from refcheck.model import Reference
from refcheck.net.crossref import normalise_doi
from refcheck.net.http import HttpClient, Reply, classify_exception
from refcheck.net.identifiers import acl_id, reference_dois
from refcheck.net.sources import (
    Answer,
    Pacer,
    Record,
    Source,
    arxiv_id,
    pmid,
    reply_failed,
    split_name,
    strip_markup,
    year_of,
)

FIELDS = "title,authors,year,venue,journal,externalIds,publicationTypes,publicationDate"
SEARCH_ROWS = 5
INTERVAL = 1.0  # seconds between requests: the documented allowance of a key



def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}

def record_from_paper(paper: dict[str, Any]) -> Record:
    """A Semantic Scholar paper object in the shared shape."""
    ids = _obj(paper.get("externalIds"))
    journal = _obj(paper.get("journal"))
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
        headers = {"Accept": "application/json"}
        if self.key:
            # Spelled as in http.SECRET_PARAMS, which requests-cache redacts (case-sensitively).
            headers["X-API-Key"] = self.key
        with self.pacer:
            outcome = self.http.send("GET", f"{self.base}{path}", params=params,
                                     ttl=self.http.cfg.registry_ttl, headers=headers)
        if isinstance(outcome, BaseException):
            return Reply(classify_exception(outcome)[0])
        with outcome:
            try:
                data = outcome.json()
            except ValueError:
                data = None
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                # The body broke off, grew past the size cap or missed the deadline.
                return Reply(classify_exception(exc)[0])
            return Reply(str(outcome.status_code), data, dict(outcome.headers))

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        found: dict[str, Record | None] = {}
        failed: set[str] = set()
        for ident in sorted({i for i in idents if i}):
            reply = self._get(f"/paper/{quote(ident, safe=':/')}", {"fields": FIELDS})
            if reply_failed(reply):
                failed.add(ident)
            elif reply.code == 200 and isinstance(reply.data, dict):
                found[ident] = record_from_paper(reply.data)
            else:
                found[ident] = None  # 404: "Paper with id … not found"
        return found, failed

    def search(self, ref: Reference) -> Answer:
        if not ref.title:
            return Answer()
        reply = self._get("/paper/search", {"query": ref.title, "fields": FIELDS,
                                            "limit": str(SEARCH_ROWS)})
        if reply_failed(reply):
            return Answer(failed=True, detail=reply.status)
        papers = reply.data.get("data") if isinstance(reply.data, dict) else None
        return Answer([record_from_paper(p) for p in papers or [] if isinstance(p, dict)])
