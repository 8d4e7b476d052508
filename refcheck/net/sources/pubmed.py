"""PubMed through NCBI E-utilities: biomedicine, by PMID or by title and author.

From the E-utilities documentation and NLM's usage policy: ``esearch.fcgi``
turns a query into PMIDs (``esearchresult.idlist``), ``esummary.fcgi`` takes
many comma-separated PMIDs and, with ``retmode=json``, answers
``result.uids`` plus one document summary per PMID (``title``, ``authors``
with ``name``, ``pubdate``, ``source``/``fulljournalname``, ``volume``,
``issue``, ``pages``, ``articleids`` with the DOI, ``pubtype`` — which says
"Retracted Publication").  Without an API key three requests a second are
allowed (ten with one, ``--pubmed-key`` / ``REFCHECK_PUBMED_KEY``, sent as
``api_key``), so requests that reach the network are spaced by a third of a
second, or a tenth with a key.  ``tool`` and ``email`` identify the caller as
NCBI asks.  requests-cache leaves ``api_key`` out of cache keys and redacts it
from stored responses (as for OpenAlex), so the key never reaches the cache
and a run with another key, or none, reuses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from refcheck.model import Reference
from refcheck.net.crossref import normalise_doi
from refcheck.net.http import HttpClient
from refcheck.net.sources import (
    NOT_ASKED,
    Answer,
    Pacer,
    Record,
    Source,
    lookup_in_batches,
    pmid,
    reply_failed,
    split_name,
    strip_markup,
    year_of,
)

BATCH = 100
SEARCH_ROWS = 5
INTERVAL = 0.34  # three requests a second without a key
KEYED_INTERVAL = 0.1  # ten a second with one


def record_from_summary(doc: dict[str, Any]) -> Record:
    """One esummary document summary in the shared shape."""
    authors = tuple(split_name(str(a.get("name", ""))) for a in doc.get("authors") or []
                    if isinstance(a, dict) and a.get("name")
                    and str(a.get("authtype", "Author")).lower() == "author")
    doi = next((str(i.get("value")) for i in doc.get("articleids") or []
                if isinstance(i, dict) and i.get("idtype") == "doi" and i.get("value")), None)
    pubtypes = [str(t).lower() for t in doc.get("pubtype") or []]
    title = strip_markup(str(doc.get("title") or "")).rstrip(".") or None
    return Record(
        source="pubmed",
        ident=str(doc.get("uid", "")),
        title=title,
        authors=authors,
        year=year_of(doc.get("pubdate")) or year_of(doc.get("epubdate")),
        years=tuple(y for y in (year_of(doc.get("pubdate")), year_of(doc.get("epubdate")))
                    if y is not None),
        container=str(doc.get("fulljournalname") or doc.get("source") or "") or None,
        volume=str(doc.get("volume") or "") or None,
        issue=str(doc.get("issue") or "") or None,
        pages=str(doc.get("pages") or "") or None,
        doi=normalise_doi(doi) if doi else None,
        type="journal-article",
        retracted="retracted publication" in pubtypes,
    )


class PubMedSource(Source):
    name = "pubmed"
    label = "PubMed"
    interval = INTERVAL
    keyed_interval = KEYED_INTERVAL

    def __init__(self, http: HttpClient, base: str, mailto: str | None = None,
                 key: str | None = None) -> None:
        super().__init__(http, base)
        from urllib.parse import urlsplit

        self.mailto = mailto
        self.key = key or None
        interval = self.keyed_interval if self.key else self.interval
        self.pacer = Pacer(http, urlsplit(self.base).hostname or "", interval)

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        return registry_shaped

    def identifiers(self, ref: Reference) -> list[str]:
        ident = pmid(ref)
        return [ident] if ident else []

    def _get(self, tool: str, params: dict[str, str]) -> Any:
        params = {"db": "pubmed", "retmode": "json", "tool": "refcheck", **params}
        if self.mailto:
            params["email"] = self.mailto
        if self.key:
            params["api_key"] = self.key
        with self.pacer:
            return self.http.get_json(f"{self.base}/{tool}.fcgi", params)

    def _summaries(self, ids: list[str]) -> tuple[dict[str, Record | None], bool]:
        reply = self._get("esummary", {"id": ",".join(ids)})
        if reply_failed(reply):
            return {}, True
        result = reply.data.get("result") if isinstance(reply.data, dict) else None
        out: dict[str, Record | None] = {i: None for i in ids}
        if isinstance(result, dict):
            for uid in result.get("uids") or []:
                doc = result.get(str(uid))
                if isinstance(doc, dict) and not doc.get("error"):
                    out[str(uid)] = record_from_summary(doc)
        return out, False

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        return lookup_in_batches(idents, BATCH, self._summaries)

    def search(self, ref: Reference) -> Answer:
        if not ref.title:
            return NOT_ASKED
        words = re.sub(r"[^\w\s-]", " ", ref.title).split()
        term = " ".join(words) + "[Title]"
        family = next((a.family for a in ref.authors if not a.literal), None)
        if family:
            term += f" AND {family}[Author]"
        reply = self._get("esearch", {"term": term, "retmax": str(SEARCH_ROWS)})
        if reply_failed(reply):
            return Answer(failed=True)
        result = reply.data.get("esearchresult") if isinstance(reply.data, dict) else None
        ids = [str(i) for i in (result or {}).get("idlist") or []]
        if not ids:
            return Answer()
        records, broken = self._summaries(ids)
        if broken:
            return Answer(failed=True)
        return Answer([r for r in records.values() if r is not None])
