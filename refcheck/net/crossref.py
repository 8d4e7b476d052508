"""A thin Crossref REST client and DOI-proxy client on the shared session.

Batching: ``/works?filter=doi:A,doi:B,…`` returns many records per request
(repeated filters of one name are ORed).  :data:`BATCH` DOIs per request keep
the URL well under common limits and, with the update-notice query, cost at
most 2/``BATCH`` requests per DOI on a cold run; ``select=`` trims payloads.
A DOI missing from a batch answer is asked for singly before it is called
unknown, so a quirk of the batch filter never becomes a false "not found" —
unless the DOI proxy's "Which RA?" service (asked for up to :data:`BATCH` DOIs a
request) names another agency or says the DOI does not exist: Crossref cannot
hold a DOI another agency registered.

Every DOI's record (or Crossref's "not held"), update notices and agency are
also kept per DOI (:mod:`refcheck.net.doicache`), and a batch asks only for the
DOIs not known yet: tasks of a fleet that batch different sets share them.

Retractions: the trimmed records keep ``updated-by`` (a documented ``select``
field), so the DOI lookups that are made anyway carry every retraction,
withdrawal, expression of concern and correction of the cited works — the
publishers' own (``"source": "publisher"``) and, since Crossref merged the
Retraction Watch database into its REST API (January 2025), Retraction
Watch's (``"source": "retraction-watch"``, with the database's
``record-id``).  No request per DOI is added for them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote

from refcheck.net.http import HttpClient
from refcheck.net.outcomes import Reply

T = TypeVar("T")

BATCH = 50
# Batches of one lookup in flight at once: one after the other, each waits out the last
# answer's latency, and a window of the host's rate limit goes half used (a cold run's
# lookups took a whole extra window one run in two).  The host's own concurrency limit
# still caps what is in flight (HttpClient).
SIDE_BY_SIDE = 3


def _side_by_side(ask: Callable[[list[str]], T], chunks: list[list[str]]) -> list[T]:
    """``ask`` over ``chunks``, up to :data:`SIDE_BY_SIDE` at once; answers in order."""
    if len(chunks) < 2:
        return [ask(c) for c in chunks]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(SIDE_BY_SIDE, len(chunks))) as pool:
        return list(pool.map(ask, chunks))


SELECT = (
    "DOI,type,title,subtitle,original-title,short-title,container-title,"
    "short-container-title,author,volume,issue,page,article-number,issued,published,"
    "published-print,published-online,update-to,updated-by"
)
NOTICE_SELECT = "DOI,type,title,update-to"
SEARCH_ROWS = 5


# The rules ask for the same references' DOIs again and again (57,000 calls for the
# 3,125 references of one cluster task, a third of its rules' time after the
# registry's last answer): a pure function of a short string, kept.
@functools.lru_cache(maxsize=1 << 16)
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


@functools.lru_cache(maxsize=1 << 14)
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
    def __init__(self, http: HttpClient, base: str, mailto: str | None,
                 resolver: Resolver | None = None) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.mailto = mailto
        # Which agency registered a DOI the batch did not return (None: always ask singly).
        self.resolver = resolver
        self._select_ok = True  # cleared if the API rejects select= (then full records)
        # Decided DOIs of this run: the verdicts ask again for the DOIs the rules looked
        # up, and reading a thousand records back from the store costs a second.
        self._decided: dict[str, dict[str, Any] | None] = {}
        self._decided_lock = threading.Lock()

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
        with self._decided_lock:
            known = {d: self._decided[d] for d in wanted if d in self._decided}
        found: dict[str, dict[str, Any] | None] = dict(
            self.http.records.get_many("crossref", [d for d in wanted if d not in known]))
        found.update(known)
        failed: set[str] = set()
        held: dict[str, dict[str, Any]] = {}
        batchable = [d for d in wanted if "," not in d and d not in found]
        store = self.http.records
        with store.claim("crossref", batchable) as claim:
            mine = claim.mine
            asked = set(mine)
            chunks = [mine[i:i + BATCH] for i in range(0, len(mine), BATCH)]

            def ask(chunk: list[str]) -> Reply:
                params = {"filter": ",".join(f"doi:{d}" for d in chunk),
                          "rows": str(len(chunk))}
                if self._select_ok:
                    params["select"] = SELECT
                return self._list(params)

            for chunk, reply in zip(chunks, _side_by_side(ask, chunks), strict=True):
                if reply.code == 200 and isinstance(reply.data, dict):
                    for item in reply.data.get("message", {}).get("items", []) or []:
                        if isinstance(item, dict) and isinstance(item.get("DOI"), str):
                            held[item["DOI"].lower()] = item
                elif reply.code is None or reply.code >= 500 or reply.code == 429:
                    failed.update(chunk)
            found.update(held)
            missed = [d for d in wanted if d not in found and d not in failed
                      and (d in asked or "," in d)]
            # Not Crossref's, by the agency that registered it: no single request to confirm.
            agencies = self.resolver.agencies(missed) if self.resolver is not None else {}
            absent: dict[str, None] = {}
            for doi in missed:
                if doi in agencies and agencies[doi] != "crossref":
                    found[doi] = absent[doi] = None
                    continue
                reply = self.work(doi)
                if reply.code == 200 and isinstance(reply.data, dict):
                    record = reply.data.get("message") or None
                    found[doi] = record
                    if isinstance(record, dict):
                        held[doi] = record
                elif reply.code in (404, 400):
                    found[doi] = absent[doi] = None
                else:
                    failed.add(doi)
            store.put_many("crossref", held, self.http.cfg.registry_ttl)
            store.put_many("crossref", absent, self.http.cfg.failure_ttl)
        # Another thread was asking for the rest: its answers, or ask.
        found.update(claim.late)
        if claim.rest:
            more, more_failed = self.works(claim.rest)
            found.update(more)
            failed |= more_failed
        with self._decided_lock:
            self._decided.update(found)
        return found, failed

    def notices(self, dois: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Editorial update notices (retractions, corrections…) by the DOI they update."""
        wanted = sorted({normalise_doi(d) for d in dois if d and "," not in d})
        known = self.http.records.get_many("notices", wanted)
        out: dict[str, list[dict[str, Any]]] = {d: v for d, v in known.items() if v}
        todo = [d for d in wanted if d not in known]
        with self.http.records.claim("notices", todo) as claim:
            mine = claim.mine
            chunks = [mine[i:i + BATCH] for i in range(0, len(mine), BATCH)]
            for got in _side_by_side(self._notices_of, chunks):
                out.update(got)
        # Another thread was asking for the rest: its answers, or ask.
        out.update({d: v for d, v in claim.late.items() if v})
        if claim.rest:
            out.update(self.notices(claim.rest))
        return out

    def _notices_of(self, chunk: list[str]) -> dict[str, list[dict[str, Any]]]:
        """One request for the notices of ``chunk``, kept in the record store."""
        params = {"filter": ",".join(f"updates:{d}" for d in chunk), "rows": "1000",
                  "select": NOTICE_SELECT}
        reply = self._list(params)
        if reply.code != 200 or not isinstance(reply.data, dict):
            return {}
        answered: dict[str, list[dict[str, Any]]] = {d: [] for d in chunk}
        for item in reply.data.get("message", {}).get("items", []) or []:
            for update in item.get("update-to", []) or []:
                target = str(update.get("DOI", "")).lower()
                if target in answered and str(item.get("DOI", "")).lower() != target:
                    answered[target].append({
                        "notice": item.get("DOI"),
                        "type": update.get("type"),
                        "label": update.get("label"),
                        "title": (item.get("title") or [None])[0],
                    })
        # A DOI without notices is kept too (an empty list): the next run asks nothing.
        self.http.records.put_many("notices", answered, self.http.cfg.registry_ttl)
        return {d: v for d, v in answered.items() if v}

    def search(self, query: str) -> Reply:
        params = {"query.bibliographic": query, "rows": str(SEARCH_ROWS)}
        if self._select_ok:
            params["select"] = SELECT
        return self._list(params)


class Resolver:
    """The DOI proxy's APIs: does a DOI exist at any registration agency, and which?"""

    def __init__(self, http: HttpClient, base: str) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self._agency: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def agencies(self, dois: Iterable[str]) -> dict[str, str | None]:
        """The registration agency of each DOI, lower-cased ("crossref", "datacite",
        "medra"…), None where the proxy says the DOI does not exist; DOIs it could not
        tell about (a failed request, "Unknown", "Invalid DOI") are left out.

        "Which RA?" (DOI Handbook, "Which RA? Service") takes a comma-separated list of
        DOIs, commas inside a DOI percent-encoded, and answers a JSON list of
        ``{"DOI", "RA"}`` or ``{"DOI", "status"}``; :data:`BATCH` DOIs a request.
        """
        wanted = sorted({normalise_doi(d) for d in dois if d})
        with self._lock:
            out = {d: self._agency[d] for d in wanted if d in self._agency}
            todo = [d for d in wanted if d not in out]
            known = self.http.records.get_many("ra", todo)
            out.update(known)
            todo = [d for d in todo if d not in known]
            with self.http.records.claim("ra", todo) as claim:
                mine = claim.mine
                for i in range(0, len(mine), BATCH):
                    chunk = mine[i:i + BATCH]
                    told = self._ask(chunk)
                    if told is None and len(chunk) > 1:
                        # An answer naming none of the DOIs asked: a resolver that takes
                        # one DOI a call (the contract's `/ra/{doi}`) read the list as one.
                        told = {}
                        for doi in chunk:
                            told.update(self._ask([doi]) or {})
                    out.update(told or {})
            # Another thread was asking for the rest: its answers, or ask.
            out.update(claim.late)
            for i in range(0, len(claim.rest), BATCH):
                out.update(self._ask(claim.rest[i:i + BATCH]) or {})
            self._agency.update(out)
        return out

    def _ask(self, chunk: list[str]) -> dict[str, str | None] | None:
        """One "Which RA?" request for ``chunk``: what it told, kept in the record store;
        None when the proxy answered a list that names none of the DOIs asked."""
        path = ",".join(quote(d, safe="/:;()<>[]") for d in chunk)
        reply = self.http.get_json(f"{self.base}/ra/{path}")
        if reply.code != 200 or not isinstance(reply.data, list):
            return {}
        registered: dict[str, str] = {}
        absent: dict[str, None] = {}
        named = False
        for pos, entry in enumerate(reply.data):
            if not isinstance(entry, dict):
                continue
            # The proxy echoes each DOI as asked; in order, so position is a fallback.
            doi = normalise_doi(str(entry.get("DOI") or ""))
            if doi not in chunk and len(reply.data) == len(chunk):
                doi = chunk[pos]
            if doi not in chunk:
                continue
            named = True
            if entry.get("RA"):
                registered[doi] = str(entry["RA"]).strip().lower()
            elif "does not exist" in str(entry.get("status", "")).lower():
                absent[doi] = None
        self.http.records.put_many("ra", registered, self.http.cfg.registry_ttl)
        self.http.records.put_many("ra", absent, self.http.cfg.failure_ttl)
        return {**registered, **absent} if named else None

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
        agency = self.agencies([doi])
        key = normalise_doi(doi)
        if key in agency:
            return agency[key] is not None
        return None
