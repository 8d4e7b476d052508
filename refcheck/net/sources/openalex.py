"""OpenAlex: the broadest index (it also holds works Crossref lacks) and a retraction flag.

Costs, from the OpenAlex documentation (developers.openalex.org, "Authentication
& Pricing"): an API key is expected (``api_key=``; without one the daily
allowance is only enough for tests); single-work lookups are free, list and
filter calls cost $0.10 per 1,000, full-text ``search=`` $1 per 1,000, and all
users are held to 100 requests a second.  So identifiers are looked up with
one ``filter=doi:A|B|…`` call per 50 DOIs (OR within one filter is documented
with ``|``) and ``search=`` is asked only for a reference nothing else found,
and never for grey literature (books, chapters, reports, theses, laws, news,
web pages without an identifier): its verdict can only be "unverifiable"
whatever the search says, so the metered call is skipped while identifier
lookups (free) are kept.
requests-cache leaves ``api_key`` out of cache keys and redacts it from stored
responses, so the key never reaches the cache and changing it keeps the cache.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from refcheck.model import Reference
from refcheck.net.crossref import normalise_doi
from refcheck.net.http import HttpClient
from refcheck.net.identifiers import reference_dois
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

_ARXIV_VERSION = re.compile(r"^(10\.48550/arxiv\.\d{4}\.\d{4,5})v\d+$", re.I)
BATCH = 50
SEARCH_ROWS = 5
SELECT = ("id,doi,title,display_name,publication_year,publication_date,type,authorships,"
          "primary_location,biblio,is_retracted")


def _doi(value: Any) -> str | None:
    return normalise_doi(str(value)) if value else None


def record_from_openalex(work: dict[str, Any]) -> Record:
    """An OpenAlex work object in the shared shape."""
    authors: list[tuple[str, str | None]] = []
    for authorship in work.get("authorships") or []:
        if not isinstance(authorship, dict):
            continue
        author = authorship.get("author") or {}
        name = author.get("display_name") or authorship.get("raw_author_name")
        if name:
            authors.append(split_name(str(name)))
    location = work.get("primary_location") or {}
    source = (location.get("source") or {}) if isinstance(location, dict) else {}
    biblio = work.get("biblio") or {}
    first, last = biblio.get("first_page"), biblio.get("last_page")
    pages = f"{first}-{last}" if first and last and first != last else (first or None)
    title = work.get("title") or work.get("display_name")
    return Record(
        source="openalex",
        ident=str(work.get("id", "")).rsplit("/", 1)[-1],
        title=strip_markup(str(title)) if title else None,
        authors=tuple(authors),
        year=work.get("publication_year") if isinstance(work.get("publication_year"), int)
        else year_of(work.get("publication_date")),
        container=source.get("display_name") if isinstance(source, dict) else None,
        volume=biblio.get("volume"),
        issue=biblio.get("issue"),
        pages=pages,
        doi=_doi(work.get("doi")),
        type=work.get("type"),
        retracted=bool(work.get("is_retracted")),
    )


class OpenAlexSource(Source):
    name = "openalex"
    label = "OpenAlex"

    def __init__(self, http: HttpClient, base: str, key: str | None,
                 mailto: str | None = None) -> None:
        super().__init__(http, base)
        self.key = key
        self.mailto = mailto

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        params = dict(extra)
        if self.key:
            params["api_key"] = self.key
        if self.mailto:
            params["mailto"] = self.mailto
        return params

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        from refcheck.net.verify import grey_literature

        return not grey_literature(ref)

    def identifiers(self, ref: Reference) -> list[str]:
        dois = reference_dois(ref)
        # arXiv registers one DOI per paper, not per version: "…2602.12196v1" is looked up
        # as the paper's DOI, so the work it names can be compared with the citation.
        for doi in list(dois):
            m = _ARXIV_VERSION.match(doi)
            if m and m.group(1) not in dois:
                dois.append(m.group(1))
        return dois

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        wanted = sorted({normalise_doi(d) for d in idents if d})
        found: dict[str, Record | None] = {}
        failed: set[str] = set()
        # "|" and "," are the filter syntax: such DOIs go to the free singleton endpoint.
        batchable = [d for d in wanted if "|" not in d and "," not in d]
        for i in range(0, len(batchable), BATCH):
            chunk = batchable[i:i + BATCH]
            params = self._params({"filter": "doi:" + "|".join(chunk),
                                   "per_page": str(len(chunk)), "select": SELECT})
            reply = self.http.get_json(f"{self.base}/works", params)
            if reply_failed(reply):
                failed.update(chunk)
                continue
            results = reply.data.get("results") if isinstance(reply.data, dict) else None
            for work in results or []:
                if isinstance(work, dict) and work.get("doi"):
                    record = record_from_openalex(work)
                    if record.doi:
                        found[record.doi] = record
            for doi in chunk:
                found.setdefault(doi, None)
        for doi in wanted:
            if doi in found or doi in failed:
                continue
            reply = self.http.get_json(f"{self.base}/works/doi:{doi}", self._params({}))
            if reply_failed(reply):
                failed.add(doi)
            elif reply.code == 200 and isinstance(reply.data, dict):
                found[doi] = record_from_openalex(reply.data)
            else:
                found[doi] = None
        return found, failed

    def search(self, ref: Reference) -> Answer:
        if not ref.title:
            return NOT_ASKED
        # The title alone: search= covers titles, abstracts and full text, where an
        # author's name would only add noise.
        params = self._params({"search": ref.title, "per_page": str(SEARCH_ROWS),
                               "select": SELECT})
        reply = self.http.get_json(f"{self.base}/works", params)
        if reply_failed(reply):
            return Answer(failed=True, detail=reply.status)
        results = reply.data.get("results") if isinstance(reply.data, dict) else None
        return Answer([record_from_openalex(w) for w in results or [] if isinstance(w, dict)])
