"""Bibliographic registries behind one interface: each returns candidate :class:`Record`\\ s.

A source is a small module with one job: given references, return the records
that may be the cited works, in one normalised shape.  Every source offers
two questions, asked in this order because the first is cheaper and more
certain than the second:

* :meth:`Source.lookup` — exact identifiers (DOI, arXiv ID, PMID) for the
  whole run at once, batched where the API has a batched filter;
* :meth:`Source.search` — one bibliographic search for one reference, used only
  when no identifier answered.

Answers are typed: an :class:`Answer` with ``failed=True`` means the registry
could not be asked (transport error, 5xx, 429, a refused key), which callers
must never read as "not found".  Every request goes through the shared cached
:class:`~refcheck.net.http.HttpClient`, so a second run asks nothing.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3

from refcheck.model import Reference
from refcheck.net.http import HttpClient
from refcheck.net.outcomes import Reply, classify_exception

__all__ = [
    "NOT_ASKED",
    "Answer",
    "Pacer",
    "Record",
    "Source",
    "arxiv_id",
    "arxiv_version",
    "fetch_text",
    "json_object",
    "lookup_each",
    "pmid",
    "reply_failed",
]

# Modern (2007-) and old-style (hep-th/9901001) arXiv identifiers, version optional.
_ARXIV_NEW = r"\d{4}\.\d{4,5}(?:v\d+)?"
_ARXIV_OLD = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?"
_ARXIV_RE = re.compile(
    rf"(?:arxiv\s*[:/]?\s*(?:abs/|pdf/)?|arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)"
    rf"({_ARXIV_NEW}|{_ARXIV_OLD})",
    re.I,
)
_PMID_RE = re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b|pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,9})", re.I)


@dataclass(frozen=True)
class Record:
    """One registry's description of a work, in the shape every source shares."""

    # crossref | openalex | arxiv | pubmed | dblp | datacite | semanticscholar | openlibrary
    # | acl | openreview, or resolver (another agency's CSL record, content negotiation)
    source: str
    ident: str  # the registry's own identifier (DOI, W…, arXiv ID, PMID, DBLP key)
    title: str | None = None
    # (family, given) pairs; family may hold a full name when the registry gives
    # only display names ("Timo Kuschel"), which matching handles.
    authors: tuple[tuple[str, str | None], ...] = ()
    year: int | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    type: str | None = None
    retracted: bool = False
    retracted_by: str | None = None  # who says so, when not the registry itself
    years: tuple[int, ...] = ()  # every date the registry gives (print, online, issued)
    version: int | None = None  # arXiv: the latest version the registry has

    def all_years(self) -> list[int]:
        out = list(self.years)
        if self.year is not None and self.year not in out:
            out.append(self.year)
        return out

    def as_crossref(self) -> dict[str, Any]:
        """The record in Crossref's JSON shape, for :mod:`refcheck.net.compare`."""
        data: dict[str, Any] = {
            "title": [self.title] if self.title else [],
            "author": [{"family": f, "given": g} if g else {"name": f} for f, g in self.authors],
            "container-title": [self.container] if self.container else [],
        }
        if self.volume:
            data["volume"] = self.volume
        if self.issue:
            data["issue"] = self.issue
        if self.pages:
            data["page"] = self.pages
        if self.doi:
            data["DOI"] = self.doi
        years = self.all_years()
        if years:
            data["issued"] = {"date-parts": [[years[0]]]}
            if len(years) > 1:
                data["published-online"] = {"date-parts": [[years[1]]]}
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "id": self.ident,
            "title": self.title,
            "authors": [f for f, _ in self.authors],
            "year": self.year,
            "container": self.container,
            "doi": self.doi,
            "retracted": self.retracted,
        }


@dataclass
class Answer:
    """What one question to one registry returned."""

    records: list[Record] = field(default_factory=list)
    failed: bool = False
    detail: str = ""
    # False when nothing was sent (no title, no query could be formed): the registry
    # was not asked, so its silence says nothing.
    asked: bool = True


NOT_ASKED = Answer(asked=False)


def reply_failed(reply: Reply) -> bool:
    """A reply that says nothing about the work: transport error, throttling, server error,
    or a refused key (401/403).  A 404 or an empty list is an answer, not a failure."""
    code = reply.code
    return code is None or code >= 500 or code in (401, 403, 429)


def _cited_arxiv(ref: Reference) -> str | None:
    """The arXiv identifier as cited, version included."""
    candidates = [ref.raw, *ref.urls, ref.doi or "", *ref.dois]
    eprint = ref.fields.get("eprint")
    if eprint and "arxiv" in (ref.fields.get("archiveprefix", "") + ref.raw).lower():
        candidates.insert(0, "arXiv:" + eprint)
    for text in candidates:
        match = _ARXIV_RE.search(text or "")
        if match:
            return match.group(1)
    return None


def arxiv_id(ref: Reference) -> str | None:
    """The arXiv identifier a reference cites (version stripped), if any."""
    cited = _cited_arxiv(ref)
    return re.sub(r"v\d+$", "", cited) if cited else None


def arxiv_version(ref: Reference) -> int | None:
    """The version a reference cites of its arXiv preprint ("2101.00001v3": 3), if any."""
    cited = _cited_arxiv(ref)
    m = re.search(r"v(\d+)$", cited or "")
    return int(m.group(1)) if m else None


def pmid(ref: Reference) -> str | None:
    """The PubMed identifier a reference cites, if any."""
    value = ref.fields.get("pmid")
    if value and value.strip().isdigit():
        return value.strip()
    for text in [ref.raw, *ref.urls]:
        match = _PMID_RE.search(text or "")
        if match:
            return match.group(1) or match.group(2)
    return None


def fetch_text(http: HttpClient, url: str, params: dict[str, str],
               accept: str) -> tuple[Reply, str | None]:
    """A cached GET whose body is text (Atom, XML), with the same typing as ``get_json``."""
    outcome = http.send("GET", url, params=params, ttl=http.cfg.registry_ttl,
                        headers={"Accept": accept})
    if isinstance(outcome, BaseException):
        return Reply(classify_exception(outcome)[0]), None
    with outcome:
        try:
            text = outcome.text if outcome.status_code == 200 else None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # The body broke off, grew past the size cap or missed the deadline.
            return Reply(classify_exception(exc)[0]), None
        return Reply(str(outcome.status_code), None, dict(outcome.headers)), text


class Pacer:
    """Spaces the requests one registry asks for (arXiv: 3 s, E-utilities: 1/3 s).

    Only requests that reached the network count: an answer from the cache
    leaves the clock alone, so a warm run never waits.  Requests are
    serialised, which is also what arXiv asks for (one connection at a time).
    """

    def __init__(self, http: HttpClient, host: str, interval: float) -> None:
        self.http = http
        self.host = host.lower()
        self.interval = interval
        self._lock = threading.Lock()
        self._next = 0.0

    def __enter__(self) -> Pacer:
        self._lock.acquire()
        wait = self._next - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._sent = self.http.sent_by_host.get(self.host, 0)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.http.sent_by_host.get(self.host, 0) != self._sent:
                self._next = time.monotonic() + self.interval
        finally:
            self._lock.release()


class Source:
    """A registry client; subclasses implement :meth:`lookup` and :meth:`search`."""

    name = "source"
    label = "Source"

    def __init__(self, http: HttpClient, base: str) -> None:
        self.http = http
        self.base = base.rstrip("/")

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        """Is a search here worth its cost for this reference?"""
        return True

    def identifiers(self, ref: Reference) -> list[str]:
        """The identifiers of ``ref`` this registry can look up exactly."""
        return []

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        """Records by identifier (None: not held), and identifiers not decided (failures)."""
        return {}, set()

    def search(self, ref: Reference) -> Answer:
        return NOT_ASKED


def lookup_in_batches(
    idents: Iterable[str],
    size: int,
    fetch: Callable[[list[str]], tuple[Mapping[str, Record | None] | None, bool]],
) -> tuple[dict[str, Record | None], set[str]]:
    """:meth:`Source.lookup` for APIs that take ``size`` identifiers a request.

    ``fetch(chunk)`` returns the records it found by identifier and whether the
    request failed; a failed chunk is undecided, an identifier missing from a
    good answer is not held (None).
    """
    wanted = sorted({i for i in idents if i})
    found: dict[str, Record | None] = {}
    failed: set[str] = set()
    for i in range(0, len(wanted), size):
        chunk = wanted[i : i + size]
        records, broken = fetch(chunk)
        if broken:
            failed.update(chunk)
            continue
        found.update(records or {})
        for ident in chunk:
            found.setdefault(ident, None)
    return found, failed


def lookup_each(
    idents: Iterable[str],
    workers: int,
    one: Callable[[str], tuple[Record | None, bool]],
) -> tuple[dict[str, Record | None], set[str]]:
    """:meth:`Source.lookup` for APIs that take one identifier a request, ``workers`` at a time.

    ``one(ident)`` returns the record (None: not held) and whether the request failed.
    """
    wanted = sorted(set(idents))
    found: dict[str, Record | None] = {}
    failed: set[str] = set()
    if not wanted:
        return found, failed
    with ThreadPoolExecutor(max_workers=min(workers, len(wanted))) as pool:
        for ident, (record, broken) in zip(wanted, pool.map(one, wanted), strict=True):
            if broken:
                failed.add(ident)
            else:
                found[ident] = record
    return found, failed


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def strip_markup(text: str) -> str:
    """Titles may carry JATS/HTML tags and doubled spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def year_of(value: Any) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(value or ""))
    return int(match.group(1)) if match else None


def split_name(name: str) -> tuple[str, str | None]:
    """('Kuschel', 'Timo') from 'Timo Kuschel'; 'Kuschel T' (PubMed) keeps initials last."""
    parts = name.replace(",", " ").split()
    if not parts:
        return name, None
    # DBLP disambiguates homonyms with a number: "Wei Wang 0001".
    while len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    if len(parts) > 1 and parts[-1].isupper() and len(parts[-1]) <= 3:
        return " ".join(parts[:-1]), parts[-1]  # "Kuschel T", "van der Berg JH"
    particles = {"van", "von", "der", "de", "da", "del", "di", "la", "le", "du", "dos", "ten"}
    i = len(parts) - 1
    while i > 0 and parts[i - 1].lower() in particles:
        i -= 1
    family = " ".join(parts[i:])
    given = " ".join(parts[:i]) or None
    return family, given
