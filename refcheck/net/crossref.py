"""A thin Crossref REST client and DOI-proxy client on the shared session.

Batching: ``/works?filter=doi:A,doi:B,…`` returns many records per request
(repeated filters of one name are ORed).  :data:`BATCH` DOIs per request keep
the URL well under common limits and, with the update-notice query, cost at
most 2/``BATCH`` requests per DOI on a cold run; ``select=`` trims payloads.
A DOI missing from a batch answer is asked for singly before it is called
unknown, so a quirk of the batch filter never becomes a false "not found".

Retractions: the trimmed records keep ``updated-by`` (a documented ``select``
field), so the DOI lookups that are made anyway carry every retraction,
withdrawal, expression of concern and correction of the cited works — the
publishers' own (``"source": "publisher"``) and, since Crossref merged the
Retraction Watch database into its REST API (January 2025), Retraction
Watch's (``"source": "retraction-watch"``, with the database's
``record-id``).  No request per DOI is added for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from refcheck.net.http import HttpClient, Reply

BATCH = 50
SELECT = (
    "DOI,type,title,subtitle,original-title,short-title,container-title,"
    "short-container-title,author,volume,issue,page,article-number,issued,published,"
    "published-print,published-online,update-to,updated-by"
)
NOTICE_SELECT = "DOI,type,title,update-to"
SEARCH_ROWS = 5


def normalise_doi(doi: str) -> str:
    """Lower-case DOI without resolver prefixes or trailing punctuation."""
    value = doi.strip()
    lowered = value.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                   "http://dx.doi.org/", "doi.org/", "dx.doi.org/", "doi:", "doi "):
        if lowered.startswith(prefix):
            value = value[len(prefix):]
            break
    return value.strip().rstrip(".,;").lower()


def doi_from_link(url: str) -> str | None:
    """The DOI in a doi.org / dx.doi.org / ``doi:`` link, else None."""
    lowered = url.strip().lower()
    if lowered.startswith("doi:"):
        return normalise_doi(url)
    for host in ("://doi.org/", "://dx.doi.org/", "://www.doi.org/"):
        at = lowered.find(host)
        if at != -1 and lowered[:at] in ("http", "https"):
            from urllib.parse import unquote

            doi = unquote(url.strip()[at + len(host):]).split("?")[0].split("#")[0]
            return normalise_doi(doi) if doi.startswith("10.") else None
    return None


class CrossrefClient:
    def __init__(self, http: HttpClient, base: str, mailto: str | None) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.mailto = mailto
        self._select_ok = True  # cleared if the API rejects select= (then full records)

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        params = dict(extra)
        if self.mailto:
            params["mailto"] = self.mailto
        return params

    def _list(self, params: dict[str, str]) -> Reply:
        reply = self.http.get_json(f"{self.base}/works", self._params(params))
        if reply.code == 400 and "select" in params and self._select_ok:
            self._select_ok = False
            trimmed = {k: v for k, v in params.items() if k != "select"}
            reply = self.http.get_json(f"{self.base}/works", self._params(trimmed))
        return reply

    def work(self, doi: str) -> Reply:
        return self.http.get_json(f"{self.base}/works/{quote(doi, safe='/:;()<>[]')}",
                                  self._params({}))

    def works(self, dois: Iterable[str]) -> tuple[dict[str, dict[str, Any] | None], set[str]]:
        """Records by normalised DOI (None: Crossref does not hold it), and DOIs not decided
        because the API could not be reached or failed."""
        wanted = sorted({normalise_doi(d) for d in dois if d})
        found: dict[str, dict[str, Any] | None] = {}
        failed: set[str] = set()
        batchable = [d for d in wanted if "," not in d]
        for i in range(0, len(batchable), BATCH):
            chunk = batchable[i:i + BATCH]
            params = {"filter": ",".join(f"doi:{d}" for d in chunk), "rows": str(len(chunk))}
            if self._select_ok:
                params["select"] = SELECT
            reply = self._list(params)
            if reply.code == 200 and isinstance(reply.data, dict):
                for item in reply.data.get("message", {}).get("items", []) or []:
                    if isinstance(item, dict) and isinstance(item.get("DOI"), str):
                        found[item["DOI"].lower()] = item
            elif reply.code is None or reply.code >= 500 or reply.code == 429:
                failed.update(chunk)
        for doi in wanted:
            if doi in found or doi in failed:
                continue
            reply = self.work(doi)
            if reply.code == 200 and isinstance(reply.data, dict):
                found[doi] = reply.data.get("message") or None
            elif reply.code in (404, 400):
                found[doi] = None
            else:
                failed.add(doi)
        return found, failed

    def notices(self, dois: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Editorial update notices (retractions, corrections…) by the DOI they update."""
        wanted = sorted({normalise_doi(d) for d in dois if d and "," not in d})
        out: dict[str, list[dict[str, Any]]] = {}
        for i in range(0, len(wanted), BATCH):
            chunk = wanted[i:i + BATCH]
            params = {"filter": ",".join(f"updates:{d}" for d in chunk), "rows": "1000",
                      "select": NOTICE_SELECT}
            reply = self._list(params)
            if reply.code != 200 or not isinstance(reply.data, dict):
                continue
            for item in reply.data.get("message", {}).get("items", []) or []:
                for update in item.get("update-to", []) or []:
                    target = str(update.get("DOI", "")).lower()
                    if target in chunk and str(item.get("DOI", "")).lower() != target:
                        out.setdefault(target, []).append({
                            "notice": item.get("DOI"),
                            "type": update.get("type"),
                            "label": update.get("label"),
                            "title": (item.get("title") or [None])[0],
                        })
        return out

    def search(self, query: str) -> Reply:
        params = {"query.bibliographic": query, "rows": str(SEARCH_ROWS)}
        if self._select_ok:
            params["select"] = SELECT
        return self._list(params)


class Resolver:
    """The DOI proxy's APIs: does a DOI exist at any registration agency?"""

    def __init__(self, http: HttpClient, base: str) -> None:
        self.http = http
        self.base = base.rstrip("/")

    def exists(self, doi: str) -> bool | None:
        """True: registered somewhere; False: nowhere; None: could not tell."""
        path = quote(doi, safe="/:;()<>[]")
        reply = self.http.get_json(f"{self.base}/api/handles/{path}")
        if reply.code == 200 and isinstance(reply.data, dict):
            return reply.data.get("responseCode") == 1
        if reply.code == 404 and isinstance(reply.data, dict) and reply.data.get(
            "responseCode"
        ) == 100:
            return False  # the Handle System's "handle not found"
        reply = self.http.get_json(f"{self.base}/ra/{path}")
        if reply.code == 200 and isinstance(reply.data, list) and reply.data:
            entry = reply.data[0]
            if isinstance(entry, dict):
                if entry.get("RA"):
                    return True
                if "does not exist" in str(entry.get("status", "")).lower():
                    return False
        return None
