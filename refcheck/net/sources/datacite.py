"""DataCite, and every other agency's DOIs through the resolver's content negotiation.

Crossref registers most journal DOIs; DataCite registers arXiv's
(``10.48550/arXiv.…``), Zenodo's, figshare's and most datasets' and software's;
mEDRA, JaLC, KISTI and others the rest.  A DOI that Crossref lacks used to be
only "registered elsewhere"; here its record is fetched so the citation is
compared with it field by field.

* DataCite REST API (support.datacite.org, "REST API Guide" / "Retrieving a
  single DOI"): ``GET /dois/{doi}`` answers JSON:API, ``{"data": {"id", "type":
  "dois", "attributes": {"doi", "titles": [{"title"}], "creators": [{"name",
  "nameType", "givenName", "familyName"}], "publisher", "publicationYear",
  "container": {"title", "volume", "issue", "firstPage", "lastPage"}, "types":
  {"resourceTypeGeneral", "citeproc"}, "dates": [{"date", "dateType"}]}}}``,
  404 for a DOI it does not hold; free, no key.  ``GET /dois?ids=A,B,…`` (the
  ``ids`` parameter of the DOI list, as DataCite's R client ``rdatacite::dc_dois``
  sends it) answers the same objects as a list under ``data``: :func:`fetch_many`
  asks for :data:`BATCH` DOIs a request and keeps each record per DOI
  (:mod:`refcheck.net.doicache`), trimmed to the attributes read here.
* DOI content negotiation (citation.crosscite.org/docs.html): ``GET
  https://doi.org/{doi}`` with ``Accept: application/vnd.citationstyles.csl+json``
  is redirected to the registering agency, which answers CSL JSON (``title``,
  ``author`` [{``family``, ``given``} | {``literal``}], ``issued`` {``date-parts``},
  ``container-title``, ``volume``, ``issue``, ``page``, ``DOI``, ``type``).
  Supported by Crossref, DataCite and mEDRA, so one route covers the agencies.

Every hop goes through the shared client (guard, limits, cache): redirects
are followed here, one cached request a hop, because the client never follows
them itself.  An answer that is not CSL JSON (a landing page) means "no record
to compare", not a failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urljoin

import requests
import urllib3

from refcheck.model import Reference
from refcheck.net.crossref import normalise_doi
from refcheck.net.http import HttpClient
from refcheck.net.identifiers import reference_dois
from refcheck.net.sources import (
    Record,
    Source,
    json_object,
    reply_failed,
    split_name,
    strip_markup,
    year_of,
)

CSL_JSON = "application/vnd.citationstyles.csl+json"
BATCH = 50
# The attributes record_from_datacite reads: what is kept per DOI (abstracts, related
# identifiers and the rest of a DataCite record can be many times larger).
_KEPT = ("doi", "titles", "creators", "container", "types", "publisher", "dates",
         "publicationYear")
MAX_HOPS = 5
# resourceTypeGeneral / citeproc types that are preprints (arXiv registers "Preprint").
_PREPRINT_TYPES = {"preprint", "posted-content"}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    text = str(value).strip() if value is not None else ""
    return text or None


def _pages(first_page: Any, last_page: Any) -> str | None:
    first, last = _first(first_page), _first(last_page)
    if first and last and first != last:
        return f"{first}-{last}"
    return first


def record_from_datacite(data: dict[str, Any]) -> Record | None:
    """A DataCite JSON:API ``data`` object (or its ``attributes``) in the shared shape."""
    attrs = data.get("attributes", data) if isinstance(data, dict) else None
    if not isinstance(attrs, dict):
        return None
    titles = [strip_markup(str(t.get("title"))) for t in attrs.get("titles") or []
              if isinstance(t, dict) and t.get("title")
              and t.get("titleType") not in ("TranslatedTitle", "AlternativeTitle")]
    subtitles = [strip_markup(str(t.get("title"))) for t in attrs.get("titles") or []
                 if isinstance(t, dict) and t.get("titleType") == "Subtitle" and t.get("title")]
    main = [t for t in titles if t not in subtitles]
    title = main[0] if main else None
    if title and subtitles:
        title = f"{title}: {subtitles[0]}"
    authors: list[tuple[str, str | None]] = []
    for c in attrs.get("creators") or []:
        if not isinstance(c, dict):
            continue
        family, given = c.get("familyName"), c.get("givenName")
        if family:
            authors.append((str(family), str(given) if given else None))
        elif c.get("name"):
            name = str(c["name"])
            # "Vaswani, Ashish" is family-first; an organisation keeps its whole name.
            if "," in name and c.get("nameType") != "Organizational":
                fam, _, giv = name.partition(",")
                authors.append((fam.strip(), giv.strip() or None))
            else:
                authors.append(split_name(name) if c.get("nameType") == "Personal"
                               else (name, None))
    container = json_object(attrs.get("container"))
    types = json_object(attrs.get("types"))
    general = str(types.get("resourceTypeGeneral") or "").lower()
    publisher = attrs.get("publisher")
    if isinstance(publisher, dict):  # the API's ?publisher=true form
        publisher = publisher.get("name")
    years = [y for y in (year_of(d.get("date")) for d in attrs.get("dates") or []
                         if isinstance(d, dict) and d.get("dateType") in ("Issued", "Available"))
             if y is not None]
    year = year_of(attrs.get("publicationYear"))
    doi = attrs.get("doi") or (data.get("id") if isinstance(data, dict) else None)
    return Record(
        source="datacite",
        ident=normalise_doi(str(doi)) if doi else "",
        title=title,
        authors=tuple(authors),
        year=year,
        years=tuple(dict.fromkeys([*([year] if year else []), *years])),
        container=_first(container.get("title")) or (str(publisher) if publisher else None),
        volume=_first(container.get("volume")),
        issue=_first(container.get("issue")),
        pages=_pages(container.get("firstPage"), container.get("lastPage")),
        doi=normalise_doi(str(doi)) if doi else None,
        type="preprint" if general in _PREPRINT_TYPES else (
            str(types.get("citeproc") or general) or None),
    )


def record_from_csl(csl: dict[str, Any], source: str = "resolver") -> Record | None:
    """A CSL JSON item (content negotiation) in the shared shape; None without a title."""
    title = _first(csl.get("title"))
    if not title:
        return None
    authors: list[tuple[str, str | None]] = []
    for a in csl.get("author") or []:
        if not isinstance(a, dict):
            continue
        if a.get("family"):
            authors.append((str(a["family"]), str(a["given"]) if a.get("given") else None))
        elif a.get("literal") or a.get("name"):
            authors.append((str(a.get("literal") or a.get("name")), None))
    years: list[int] = []
    for key in ("issued", "published-print", "published-online", "published"):
        parts = (csl.get(key) or {}).get("date-parts") if isinstance(csl.get(key), dict) else None
        if parts and isinstance(parts[0], list) and parts[0]:
            y = year_of(parts[0][0])
            if y is not None and y not in years:
                years.append(y)
    doi = _first(csl.get("DOI"))
    kind = str(csl.get("type") or "").lower()
    publisher = _first(csl.get("publisher"))
    container = _first(csl.get("container-title"))
    return Record(
        source=source,
        ident=normalise_doi(doi) if doi else "",
        title=strip_markup(title),
        authors=tuple(authors),
        year=years[0] if years else None,
        years=tuple(years),
        # arXiv's CSL names no container, only its publisher: the preprint server.
        container=container or (publisher if kind in ("article", "posted-content")
                                and publisher else None),
        volume=_first(csl.get("volume")),
        issue=_first(csl.get("issue")),
        pages=_first(csl.get("page")),
        doi=normalise_doi(doi) if doi else None,
        type="preprint" if kind in _PREPRINT_TYPES or (publisher or "").lower() == "arxiv"
        else kind or None,
    )


def negotiate(http: HttpClient, resolver: str, doi: str) -> tuple[Record | None, bool]:
    """The CSL record of ``doi`` through the resolver, and whether asking failed.

    The resolver answers with a redirect to the agency; each hop is one cached,
    guarded request.  A 404 or an answer that is not CSL JSON is "no record".
    """
    url = f"{resolver.rstrip('/')}/{quote(doi, safe='/:;()<>[]')}"
    # Cache keys leave Accept out; nothing else GETs a DOI's resolver URL (DOI links are
    # checked as DOIs, never fetched as pages), so this answer cannot stand in for another.
    for _ in range(MAX_HOPS):
        outcome = http.send("GET", url, ttl=http.cfg.registry_ttl,
                            headers={"Accept": CSL_JSON})
        if isinstance(outcome, BaseException):
            return None, True
        with outcome:
            code = outcome.status_code
            if code in (301, 302, 303, 307, 308) and outcome.headers.get("Location"):
                url = urljoin(url, outcome.headers["Location"])
                continue
            if code in (401, 403, 429) or code >= 500:
                return None, True
            if code != 200:
                return None, False
            try:
                data = outcome.json()
            except ValueError:
                return None, False  # a landing page: the agency offers no CSL
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
                return None, True  # the body broke off or ran past its limits
        if isinstance(data, list) and data:
            data = data[0]
        return (record_from_csl(data) if isinstance(data, dict) else None), False
    return None, False  # a redirect loop says nothing about the work


def _trimmed(data: dict[str, Any]) -> dict[str, Any]:
    attrs = json_object(data.get("attributes"))
    return {"id": data.get("id"), "attributes": {k: attrs[k] for k in _KEPT if k in attrs}}


def _one(http: HttpClient, base: str, doi: str) -> tuple[dict[str, Any] | None, bool]:
    reply = http.get_json(f"{base}/dois/{quote(doi, safe='/:;()<>[]')}")
    if reply_failed(reply):
        return None, True
    if reply.code == 200 and isinstance(reply.data, dict):
        data = reply.data.get("data")
        return (_trimmed(data) if isinstance(data, dict) else None), False
    return None, False


def fetch_many(http: HttpClient, base: str,
               dois: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
    """DataCite's records by normalised DOI (None: DataCite does not hold it) and the DOIs
    not decided (the API failed); :data:`BATCH` DOIs a request, known ones not asked.

    A DOI missing from a list answer is asked for singly before it is called "not
    held", as Crossref's batch path does.
    """
    base = base.rstrip("/")
    wanted = sorted({normalise_doi(d) for d in dois if d})
    raw: dict[str, dict[str, Any] | None] = dict(http.records.get_many("datacite", wanted))
    failed: set[str] = set()
    held: dict[str, dict[str, Any]] = {}
    batchable = [d for d in wanted if d not in raw and "," not in d]
    for i in range(0, len(batchable), BATCH):
        chunk = batchable[i:i + BATCH]
        reply = http.get_json(f"{base}/dois", {"ids": ",".join(chunk),
                                               "page[size]": str(len(chunk))})
        if reply_failed(reply):
            failed.update(chunk)
            continue
        items = reply.data.get("data") if isinstance(reply.data, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            attrs = json_object(item.get("attributes"))
            doi = normalise_doi(str(attrs.get("doi") or item.get("id") or ""))
            if doi in chunk:
                held[doi] = _trimmed(item)
    raw.update(held)
    absent: dict[str, None] = {}
    for doi in wanted:
        if doi in raw or doi in failed:
            continue
        data, broken = _one(http, base, doi)
        if broken:
            failed.add(doi)
        elif data is None:
            raw[doi] = absent[doi] = None
        else:
            raw[doi] = held[doi] = data
    http.records.put_many("datacite", held, http.cfg.registry_ttl)
    http.records.put_many("datacite", absent, http.cfg.failure_ttl)
    return {d: (record_from_datacite(v) if v else None) for d, v in raw.items()}, failed


class DataCiteSource(Source):
    """Identifier lookups at DataCite (no search: its records are datasets and preprints
    that the other sources' searches already cover)."""

    name = "datacite"
    label = "DataCite"

    def identifiers(self, ref: Reference) -> list[str]:
        return reference_dois(ref)

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        return fetch_many(self.http, self.base, idents)
