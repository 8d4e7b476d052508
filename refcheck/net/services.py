"""What network rules read: link results, DOI records, notices, discrepancies.

The engine calls :func:`build_services` once per online run.  Nothing is sent
then: each family of lookups runs the first time a rule asks, for every
document of the run at once (all links concurrently, all DOIs in batches), and
is memoised, so rules only read results and the same URL or DOI is fetched
once however often it is cited.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from refcheck.config import Settings
from refcheck.model import Document, Reference
from refcheck.net import compare
from refcheck.net.crossref import CrossrefClient, Resolver, doi_from_link, normalise_doi
from refcheck.net.http import HttpClient, HttpConfig, default_cache_dir
from refcheck.net.identifiers import reference_dois as reference_dois  # re-exported
from refcheck.net.outcomes import NOT_CACHED, LinkResult
from refcheck.net.retraction_watch import RetractionWatch, WatchEntry
from refcheck.net.sources import Source
from refcheck.net.verify import Verdict, Verifier, shape

if TYPE_CHECKING:
    from refcheck.linkfilter import LinkFilter

UNREACHABLE = "network unreachable: online checks skipped"
# Update types (Crossref's, and Retraction Watch natures folded the same way) that make a
# work "retracted"; an expression of concern is reported but is not a retraction.
RETRACTED_KINDS = frozenset({"retraction", "withdrawal", "removal", "partial_retraction"})
NOT_CACHED_NOTE = "cache read-only: "
_CONNECTION = ("dns", "refused", "timeout", "reset")
PROGRESS_MIN = 21  # fewer items finish before a bar is worth drawing


@dataclass(frozen=True)
class DoiInfo:
    doi: str
    state: str  # crossref | elsewhere | missing | unknown
    # Crossref's record, or for a DOI of another agency its CSL record (content negotiation)
    # in Crossref's shape, so every agency's DOIs are compared field by field.
    record: dict[str, Any] | None = None
    work: Any = None  # the other agency's record as a sources.Record (for the verdict)


def watch_keys(record: Any) -> tuple[str | None, str | None]:
    """The DOI and PubMed ID under which a matched record may be in Retraction Watch."""
    pmid = str(record.ident) if getattr(record, "source", None) == "pubmed" else None
    return getattr(record, "doi", None), pmid


def _near_year(d: compare.Discrepancy, by_identifier: bool) -> bool:
    """A year one off a record found by search: the preprint's year beside the
    proceedings', which registries date either way; not worth a warning."""
    if d.field != "year" or by_identifier:
        return False
    try:
        return abs(int(d.cited) - int(d.registry)) <= 1
    except ValueError:
        return False


def reference_links(ref: Reference) -> list[str]:
    """The URLs of a reference that are checked as web links (DOI links are not)."""
    out: list[str] = []
    for url in ref.urls:
        if doi_from_link(url) is None and url not in out:
            out.append(url)
    return out


def _interleave(urls: list[str]) -> list[str]:
    """Round-robin over hosts so per-host limits never idle the global pool."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault((urlsplit(url).hostname or "").lower(), []).append(url)
    queues = list(by_host.values())
    out: list[str] = []
    while queues:
        queues = [q for q in queues if q]
        for q in queues:
            out.append(q.pop(0))
    return out


def _host_limits(settings: Settings) -> dict[str, int]:
    """Concurrency per registry host, for one process and for a fleet alike."""
    crossref_host = (urlsplit(settings.crossref_url).hostname or "").lower()
    resolver_host = (urlsplit(settings.doi_resolver).hostname or "").lower()
    # Crossref's documented concurrency: 3 in the polite pool, 1 without a mailto.
    return {**_source_limits(settings), crossref_host: 3 if settings.mailto else 1,
            resolver_host: 4}


def config_from_settings(settings: Settings) -> HttpConfig:
    return HttpConfig(
        timeout=settings.timeout,
        mailto=settings.mailto,
        allow_hosts=list(settings.allow_hosts),
        allow_private=settings.allow_private_hosts,
        proxy=settings.proxy,
        cache_dir=settings.cache_dir,
        no_cache=settings.no_cache,
        cache_backend=settings.cache_backend,
        redis_url=settings.redis_url,
        read_only=settings.cache_read_only,
        shared_limiter=_shared_limiter(settings),
        host_limits=_host_limits(settings),
    )


def _shared_limiter(settings: Settings) -> Any:
    """The fleet's limits in Redis, when this process is one worker of many."""
    if not settings.shared_limits:
        return None
    from refcheck.net.ratelimit import redis_limiter

    return redis_limiter(settings.redis_url or "redis://localhost:6379/0",
                         rates=settings.host_rates, concurrency=_host_limits(settings))


def _source_limits(settings: Settings) -> dict[str, int]:
    """Concurrency per registry host: arXiv and DBLP one at a time, E-utilities three
    (ten with an API key)."""
    limits = {settings.arxiv_url: 1, settings.dblp_url: 1,
              settings.pubmed_url: 10 if settings.pubmed_key else 3,
              settings.openalex_url: 8, settings.datacite_url: 4,
              settings.semanticscholar_url: 1, settings.openlibrary_url: 2,
              settings.acl_url: 2, settings.openreview_url: 2}
    return {(urlsplit(url).hostname or "").lower(): n for url, n in limits.items()}


@dataclass
class Services:
    settings: Settings
    documents: list[Document]
    http: HttpClient
    notes: list[str] = field(default_factory=list)
    progress: bool = False
    # Where the progress bar goes (a rich Console); None: stderr, and only when it is a
    # terminal.  Tests pass a Console to see it.
    console: Any = None

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.http, self.settings.doi_resolver)
        self.crossref = CrossrefClient(self.http, self.settings.crossref_url, self.settings.mailto,
                                       self.resolver)
        self.strict_links = self.settings.strict_links
        self._lock = threading.RLock()
        # The comparisons' memo has a lock of its own: verdicts hold ``_lock`` for their
        # whole lookup, and comparing while they wait is the point of :meth:`prefetch`.
        self._memo_lock = threading.Lock()
        # The notes and the DOI suggestions too: a rule asking for them while the
        # verdicts are looked up must not wait for the last of them.
        self._notes_lock = threading.Lock()
        self._notices_lock = threading.Lock()
        self._links_lock = threading.Lock()
        self._watch_lock = threading.Lock()
        self._prefetching: list[threading.Thread] = []
        self._prefetched = False
        self._links: dict[str, LinkResult] | None = None
        self._dois: dict[str, DoiInfo] | None = None
        self._notices: dict[str, list[dict[str, Any]]] | None = None
        self._suggested: dict[tuple[str, int], str | None] = {}
        self._discrepancies: dict[tuple[str, int], list[compare.Discrepancy]] = {}
        self._others: dict[tuple[str, int, str], bool] = {}
        self.unreachable = False
        self._verdicts: dict[tuple[str, int], Verdict] | None = None
        # Verdicts given out one by one while the others are still looked up
        # (:meth:`verdict`); ``_verifying`` says a lookup of them all is under way.
        self._ready: dict[tuple[str, int], Verdict] = {}
        self._written: dict[tuple[str, int], dict[str, Any]] = {}  # their report entries
        self._ready_cv = threading.Condition()
        self._verifying = False
        self._sources: list[Source] | None = None
        self._watch: RetractionWatch | None = None
        self._scratch: Any = None  # a TemporaryDirectory for the table under --no-cache

    def close(self) -> None:
        for thread in self._prefetching:
            thread.join()
        if self._watch is not None:
            self._watch.close()
        if self._scratch is not None:
            self._scratch.cleanup()
        self.http.close()

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def read_only(self) -> bool:
        return self.http.cfg.read_only

    def _note_not_cached(self) -> None:
        """Read-only mode: one note, kept up to date, on what the cache could not answer."""
        missed = self.http.not_cached
        if not missed:
            return
        text = (f"{NOT_CACHED_NOTE}{missed} request(s) had no cached answer; the links, "
                f"DOIs and references concerned were not checked (nothing was sent)")
        with self._notes_lock:
            for i, note in enumerate(self.notes):
                if note.startswith(NOT_CACHED_NOTE):
                    self.notes[i] = text
                    return
            self.notes.append(text)

    def references(self) -> Iterator[Reference]:
        for doc in self.documents:
            yield from doc.entries()

    # -- links ---------------------------------------------------------------------------

    @functools.cached_property
    def link_filter(self) -> LinkFilter:
        """``--exclude-url``, ``.refcheckignore`` and ``--accept``, read once per run: the
        link rules ask for every document, and reading the ignore files each time cost
        a cluster's task 0.1 s after the registry's last answer."""
        from refcheck.linkfilter import link_filter

        return link_filter(self.settings)

    def _check_all_links(self) -> dict[str, LinkResult]:
        keep = self.link_filter  # excluded URLs are never fetched
        urls = _interleave(sorted({u for r in self.references() for u in reference_links(r)
                                   if not keep.excluded(u)}))
        results: dict[str, LinkResult] = {}
        if not urls:
            return results
        with ThreadPoolExecutor(max_workers=min(self.http.cfg.global_limit, len(urls))) as pool:
            futures = {url: pool.submit(self.http.check_link, url) for url in urls}
            for url, result in self._progress(futures.items(), len(urls), "checking links"):
                results[url] = result.result()
        # Read-only replay: a URL the cache cannot answer is not checked, not dead.
        results = {u: r for u, r in results.items() if r.status != NOT_CACHED}
        statuses = {r.status for r in results.values()}
        if len(statuses) == 1 and statuses <= set(_CONNECTION) and not self.read_only \
                and self._offline_probe():
            self.unreachable = True
            self._note(UNREACHABLE)
            return {}
        return results

    def _offline_probe(self) -> bool:
        """Is the registry unreachable too (so every failure is the network's, not the links')?"""
        outcome = self.http.send("HEAD", self.settings.crossref_url.rstrip("/") + "/works",
                                 cache=False)
        return isinstance(outcome, BaseException)

    def _progress(self, items: Iterable[Any], total: int, label: str) -> Iterable[Any]:
        """A transient rich progress bar over ``items`` when the run is long and a person
        watches (a terminal); CI logs and pipes get nothing."""
        if not self.progress or total < PROGRESS_MIN:
            return items
        console = self.console
        if console is None:
            if not sys.stderr.isatty():
                return items
            from rich.console import Console

            console = Console(stderr=True)
        if not console.is_terminal:
            return items
        from rich.progress import track

        return track(items, total=total, description=label, console=console, transient=True)

    def link(self, url: str) -> LinkResult | None:
        """The result for a URL of any reference of the run (None: not checked)."""
        links = self._links
        if links is None:
            # A lock of their own: the links are checked while the registry's lookups,
            # which hold ``_lock``, wait on its rate limit (:meth:`prefetch`).
            with self._links_lock:
                if self._links is None:
                    self._links = self._check_all_links()
                    self._note_not_cached()
                links = self._links
        return links.get(url)

    # -- DOIs ----------------------------------------------------------------------------

    def _lookup_all_dois(self) -> dict[str, DoiInfo]:
        wanted = sorted({d for r in self.references() for d in reference_dois(r)})
        if not wanted:
            return {}
        records, failed = self.crossref.works(wanted)
        infos: dict[str, DoiInfo] = {}
        if failed and len(failed) == len(wanted) and not self.read_only:
            self._note(f"Crossref unreachable at {self.settings.crossref_url}: "
                       f"{len(failed)} DOI(s) not checked")
        for doi in wanted:
            if doi in failed:
                infos[doi] = DoiInfo(doi, "unknown")
            elif records.get(doi) is not None:
                infos[doi] = DoiInfo(doi, "crossref", records[doi])
        missing = [d for d in wanted if d not in infos]
        if missing:
            self._lookup_elsewhere(missing, infos)
        return infos

    def _lookup_elsewhere(self, missing: list[str], infos: dict[str, DoiInfo]) -> None:
        """DOIs Crossref does not hold: which agency registered them, and its record.

        The agency comes from the proxy's batched "Which RA?" (already asked while
        Crossref was, so no request here); DataCite's DOIs (arXiv's, Zenodo's) are
        fetched from DataCite's REST API 50 a request; the other agencies' records
        come one by one through the resolver's content negotiation.  Only a DOI no
        agency is known for (the proxy could not tell, says it does not exist, or
        names Crossref, which lacks it) is asked of the handle API.
        """
        from refcheck.net.sources.datacite import fetch_many, negotiate

        agencies = self.resolver.agencies(missing)
        unsure = [d for d in missing if agencies.get(d) in (None, "crossref")]
        if unsure:
            with ThreadPoolExecutor(max_workers=min(4, len(unsure))) as pool:
                answers = dict(zip(unsure, pool.map(self.resolver.exists, unsure), strict=True))
            for doi, exists in answers.items():
                state = {True: "elsewhere", False: "missing", None: "unknown"}[exists]
                infos[doi] = DoiInfo(doi, state)
        for doi in missing:
            if doi not in infos:
                infos[doi] = DoiInfo(doi, "elsewhere")
        if self.unreachable:
            return
        elsewhere = [d for d in missing if infos[d].state == "elsewhere"]
        datacite = [d for d in elsewhere if agencies.get(d) == "datacite"] \
            if self._datacite_reachable() else []
        if datacite:
            records, _failed = fetch_many(self.http, self.settings.datacite_url, datacite)
            for doi, work in records.items():
                if work is not None:
                    infos[doi] = DoiInfo(doi, "elsewhere", work.as_crossref(), work)
        # DataCite's answer missing or failed: the resolver's CSL is the same agency's record.
        rest = [d for d in elsewhere if infos[d].work is None]
        if not rest:
            return
        base = self.settings.doi_resolver
        with ThreadPoolExecutor(max_workers=min(4, len(rest))) as pool:
            csl = dict(zip(rest, pool.map(lambda d: negotiate(self.http, base, d), rest),
                           strict=True))
        for doi, (work, _broken) in csl.items():
            if work is not None:
                infos[doi] = DoiInfo(doi, "elsewhere", work.as_crossref(), work)
        failed_csl = sum(1 for _, broken in csl.values() if broken)
        if failed_csl and not self.read_only:
            # Such a DOI still counts as registered; only its fields went unchecked.
            self._note(f"DOI resolver at {base} gave no record for {failed_csl} "
                       f"DOI(s) registered at other agencies (transport error, 5xx or "
                       f"429): their fields were not compared")

    def _datacite_reachable(self) -> bool:
        """May DataCite's own API be asked for DataCite's DOIs?  With the public resolver
        (whose content negotiation leads to DataCite anyway) or a DataCite URL of its own;
        a resolver of the user's own with DataCite left at its default means "every agency
        through my resolver" (the contract), so nothing goes to the public DataCite."""
        return (self.settings.datacite_url != Settings.datacite_url
                or self.settings.doi_resolver == Settings.doi_resolver)

    def doi(self, doi: str) -> DoiInfo | None:
        dois = self._dois
        if dois is None:  # once looked up, read without the lock (another lookup may hold it)
            with self._lock:
                if self._dois is None:
                    self._dois = self._lookup_all_dois()
                    self._note_not_cached()
                dois = self._dois
        return dois.get(normalise_doi(doi))

    def prefetch(self, compare_fields: bool, *, links: bool = False,
                 registry: bool = True) -> None:
        """Start what the network rules will need, before the first of them asks.

        With ``links``, every link of the run is checked in a thread of its own from
        here on: the web hosts' limits and the registry's are independent waits, and
        one after the other a run would take their sum.  With ``registry``, the run's
        DOIs are looked up here (in the caller's thread); then, each in a
        thread of its own, the editorial notices of those DOIs are fetched (the
        verdicts ask for them at their end), with ``compare_fields`` every
        reference is compared with the Crossref record of its DOI, and the
        verdicts are found.  Asked by the rules
        in turn, each waited for the one before: the searches' preparation, the
        notices' requests and the comparisons' CPU work one after the other.  Side by
        side, the requests follow each other at the rate limit and the CPU work runs
        while they wait.  Results are memoised exactly as the rules would compute
        them (same requests, same findings).
        """
        if self._prefetched:
            return
        self._prefetched = True
        if links:
            self._start(lambda: self.link(""))
        if not registry:
            return
        self.doi("")
        if self.unreachable:
            return
        # A DOI Crossref holds is matched by its identifier, and the verdict of every
        # match asks for the notices of its DOI and looks it up in the Retraction Watch
        # table: both are certain to be wanted, so nothing is fetched that would not be.
        if any(s.name == "crossref" for s in self.sources) \
                and any(i.state == "crossref" for i in (self._dois or {}).values()):
            self._start(lambda: self.notices(""))
            self._start(lambda: self.watch.available)
        if compare_fields:
            self._start(self._compare_all)
        # Every reference's verdict is wanted whenever a registry rule runs (the JSON
        # report's ``references``), and its searches wait on the registry's limit:
        # begun now, not when the first document's rules are past its link checks.
        self._start(self._all_verdicts)

    def _compare_all(self) -> None:
        for ref in self.references():
            if self.record_for(ref) is not None:
                self.discrepancies(ref)
                # Let a thread woken by an answer or by its turn at the host have the
                # interpreter now rather than after the switch interval: the requests
                # are the run's critical path, this work only fills their waits.
                time.sleep(0)

    def _start(self, job: Callable[[], Any]) -> None:
        thread = threading.Thread(target=self._quietly, args=(job,), name="refcheck-prefetch",
                                  daemon=True)
        self._prefetching.append(thread)
        thread.start()

    @staticmethod
    def _quietly(job: Callable[[], Any]) -> None:
        try:
            job()
        except Exception:  # the rule that asks again meets the error itself
            return

    def record_for(self, ref: Reference,
                   agencies: bool = False) -> tuple[str, dict[str, Any]] | None:
        """The first of a reference's DOIs that Crossref holds, with its record; with
        ``agencies``, also another agency's record (the resolver's content negotiation).

        Field comparisons read other agencies' records through the verdict instead
        (:meth:`discrepancies`): an arXiv DOI cited with the venue where the work was
        later published is then compared with the published version a search found,
        not with the preprint's record.
        """
        for doi in reference_dois(ref):
            info = self.doi(doi)
            if info is not None and info.record is not None and (
                    agencies or info.state == "crossref"):
                return doi, info.record
        return None

    def notices(self, doi: str) -> list[dict[str, Any]]:
        """Retraction/correction notices that update a DOI of the run."""
        notices = self._notices
        if notices is None:
            self.doi("")  # the lookup first, so that nothing below waits on ``_lock``
            # A lock of their own: the verdicts hold ``_lock`` while they ask for notices,
            # and :meth:`prefetch` fetches them in another thread meanwhile.
            with self._notices_lock:
                if self._notices is None:
                    # Every DOI that is not in doubt: a notice also proves a DOI exists.
                    held = [d for r in self.references() for d in reference_dois(r)
                            if (i := self.doi(d)) is not None and i.state != "unknown"]
                    self._notices = self.crossref.notices(held) if held else {}
                notices = self._notices
            self._note_not_cached()
        return notices.get(normalise_doi(doi), [])

    def wrong_doi(self, ref: Reference) -> tuple[str, dict[str, Any]] | None:
        found = self.record_for(ref, agencies=True)
        if found is not None and self._other_work(ref, *found):
            return found
        return None

    def _other_work(self, ref: Reference, doi: str, record: dict[str, Any]) -> bool:
        """Does the record of ``doi`` describe another work than ``ref``?  Asked by the
        DOI rules and the comparisons alike; answered once."""
        key = (ref.path, ref.index, doi)
        with self._memo_lock:
            known = self._others.get(key)
        if known is None:
            known = compare.other_work(ref, record)
            with self._memo_lock:
                self._others[key] = known
        return known

    def discrepancies(self, ref: Reference) -> list[compare.Discrepancy]:
        # Every metadata rule asks for the same comparison; made once per reference.
        key = (ref.path, ref.index)
        with self._memo_lock:
            known = self._discrepancies.get(key)
        if known is not None:
            return known
        found = self.record_for(ref)
        if found is not None:
            result = [] if self._other_work(ref, *found) else compare.compare(ref, found[1])
        else:
            # No Crossref record of a cited DOI: the record the verdict matched (OpenAlex,
            # DBLP, arXiv, a search) is compared the same way, so a work without a DOI is
            # held to its registry entry too.
            v = self.verdict(ref)
            m = v.match if v is not None else None
            result = [] if m is None or not m.same_work else [
                d for d in compare.compare(ref, m.record.as_crossref())
                if not _near_year(d, m.by_identifier)]
            if m is not None and m.preprint_only and ref.container:
                held = m.record.container or "a preprint server"
                result.append(compare.Discrepancy(
                    "container", ref.container, held, "mismatch",
                    f"the registries asked know this work only as a preprint ({held}), not "
                    f"as published in '{ref.container}'"))
        with self._memo_lock:
            self._discrepancies[key] = result
        return result

    def suggest_doi(self, ref: Reference) -> str | None:
        """A DOI for a reference without one, only when the best candidate is confirmed."""
        key = (ref.path, ref.index)
        with self._memo_lock:
            if key in self._suggested:
                return self._suggested[key]
        result: str | None = None
        query = compare.search_query(ref) if not reference_dois(ref) else None
        if query is not None and not self.unreachable:
            reply = self.crossref.search(query)
            if reply.code == 200 and isinstance(reply.data, dict):
                items = reply.data.get("message", {}).get("items", []) or []
                confirmed = [i for i in items if isinstance(i, dict)
                             and compare.confirmed(ref, i) and isinstance(i.get("DOI"), str)]
                # Two different confirmed candidates: ambiguous, stay silent.
                dois = {str(i["DOI"]).lower() for i in confirmed}
                if len(dois) == 1:
                    result = dois.pop()
        with self._memo_lock:
            self._suggested[key] = result
        self._note_not_cached()
        return result


    # -- existence: verdicts from every configured registry ------------------------------

    @property
    def sources(self) -> list[Source]:
        """The registries of ``--sources``, in the order given."""
        if self._sources is None:
            self._sources = build_sources(self.settings, self.http, self.crossref)
        return self._sources

    # -- Retraction Watch: a local table, no request per DOI ------------------------------

    @property
    def watch(self) -> RetractionWatch:
        # A lock of its own: the verdicts hold ``_lock`` for their whole lookup, and the
        # table is downloaded meanwhile (:meth:`prefetch`).
        with self._watch_lock:
            if self._watch is None:
                directory = self.settings.cache_dir or default_cache_dir()
                if self.settings.no_cache:
                    import tempfile

                    # --no-cache leaves nothing behind: the table lives for this run only.
                    self._scratch = tempfile.TemporaryDirectory(prefix="refcheck-rw-")
                    directory = self._scratch.name
                self._watch = RetractionWatch(self.http, self.settings.retraction_watch_url,
                                              directory)
            return self._watch

    def watch_entries(self, doi: str | None = None,
                      pmid: str | None = None) -> list[WatchEntry] | None:
        """Retraction Watch rows about a work; None when the table is unavailable (noted
        once: a missing table never means "not retracted")."""
        if self.unreachable:
            return None
        entries = self.watch.entries(doi, pmid)
        if self.watch.problem:
            self._note(f"Retraction Watch table: {self.watch.problem}; "
                       + ("the existing table was used" if entries is not None else
                          "retractions were checked against the registries only"))
        return entries

    def watch_retracted(self, doi: str | None = None, pmid: str | None = None) -> bool:
        return any(e.kind in RETRACTED_KINDS for e in self.watch_entries(doi, pmid) or [])

    def doi_retracted(self, doi: str) -> bool:
        return self._notice_retracted(doi) or self.watch_retracted(doi)

    def _notice_retracted(self, doi: str) -> bool:
        return any(str(n.get("type", "")).lower().replace("-", "_") in RETRACTED_KINDS
                   for n in self.notices(doi))

    def _verify_all(self) -> dict[tuple[str, int], Verdict]:
        refs = list(self.references())
        if self.unreachable:
            # The network is down (noted once already): every reference was not checked.
            return {(r.path, r.index): Verdict(r, "skipped", *shape(r)) for r in refs}
        if not refs:
            return {}
        uses_crossref = any(s.name == "crossref" for s in self.sources)
        verifier = Verifier(self.sources, doi_state=self.doi if uses_crossref else None,
                            retracted_doi=self._notice_retracted if uses_crossref else None,
                            progress=self._progress)
        verdicts = verifier.run(refs, ready=self._publish)
        # Read-only replay: every failure is a cache miss (failures are never cached),
        # which the one read-only note reports.
        for label, count in sorted(() if self.read_only else verifier.failures.items()):
            base = next((s.base for s in self.sources if s.label == label), "")
            self._note(f"{label} could not be reached or refused at {base}: "
                       f"{count} lookup(s) not answered there (no reference is called "
                       f"not found because of it)")
        return {(v.ref.path, v.ref.index): v for v in verdicts}

    def _publish(self, verdicts: list[Verdict]) -> None:
        """Verdicts known while the others are still looked up: final from now on."""
        for v in verdicts:
            if v.verdict != "retracted" and v.match is not None \
                    and self.watch_retracted(*watch_keys(v.match.record)):
                v.verdict = "retracted"
        # Their report entries are written now, while the searches wait on the registry:
        # written at the end, a cluster's task spent 0.1–0.2 s on them after its last answer.
        written = [v.to_json() for v in verdicts]
        with self._ready_cv:
            for v, entry in zip(verdicts, written, strict=True):
                key = (v.ref.path, v.ref.index)
                self._ready[key] = v
                self._written[key] = entry
            self._ready_cv.notify_all()

    def verdict(self, ref: Reference) -> Verdict | None:
        """The existence verdict of a reference of the run.  They are looked up all at
        once, and each is given out as soon as it is known: a document's rules need not
        wait for the searches of another document's references (in a cluster's task, the
        rules of 125 files waited for the registry's last answer, then all ran at once)."""
        key = (ref.path, ref.index)
        with self._ready_cv:
            while self._verifying and self._verdicts is None and key not in self._ready:
                self._ready_cv.wait()
            if self._verdicts is not None:
                return self._verdicts.get(key)
            if key in self._ready:
                return self._ready[key]
        return self._all_verdicts().get(key)

    def unsettled(self, doc: Document) -> bool:
        """Is a verdict of ``doc``'s references still being looked up?  (Never waits.)"""
        with self._ready_cv:
            if not self._verifying or self._verdicts is not None:
                return False
            return any((r.path, r.index) not in self._ready for r in doc.entries())

    def _all_verdicts(self) -> dict[tuple[str, int], Verdict]:
        with self._lock:
            if self._verdicts is None:
                with self._ready_cv:
                    self._verifying = True
                found: dict[tuple[str, int], Verdict] | None = None
                try:
                    found = self._verify_all()
                finally:
                    # A lookup that failed leaves the others to meet the error themselves.
                    with self._ready_cv:
                        self._verdicts = found
                        self._verifying = False
                        self._ready_cv.notify_all()
                self._note_not_cached()
            assert self._verdicts is not None
            return self._verdicts

    @property
    def verdicts(self) -> list[dict[str, Any]] | None:
        """The JSON report's ``references`` (None until a rule asked for verdicts)."""
        if self._verdicts is None:
            return None
        written = self._written
        return [written.get(key) or v.to_json() for key, v in self._verdicts.items()]

    def right_doi(self, ref: Reference) -> str | None:
        """The DOI of the work a reference describes, when a registry found it by search
        and it differs from the DOIs the reference states."""
        v = self.verdict(ref)
        if v is None or v.match is None or v.match.by_identifier or not v.doi:
            return None
        return None if v.doi in reference_dois(ref) else v.doi


def build_sources(settings: Settings, http: HttpClient,
                  crossref: CrossrefClient | None = None) -> list[Source]:
    """Source clients for ``settings.sources`` (unknown names are the CLI's to refuse)."""
    from refcheck.net.sources.acl import AclAnthologySource
    from refcheck.net.sources.arxiv import ArxivSource
    from refcheck.net.sources.crossref import CrossrefSource
    from refcheck.net.sources.datacite import DataCiteSource
    from refcheck.net.sources.dblp import DblpSource
    from refcheck.net.sources.openalex import OpenAlexSource
    from refcheck.net.sources.openlibrary import OpenLibrarySource
    from refcheck.net.sources.openreview import OpenReviewSource
    from refcheck.net.sources.pubmed import PubMedSource
    from refcheck.net.sources.semanticscholar import SemanticScholarSource

    makers: dict[str, Callable[[], Source]] = {
        "crossref": lambda: CrossrefSource(
            crossref or CrossrefClient(http, settings.crossref_url, settings.mailto)),
        "openalex": lambda: OpenAlexSource(http, settings.openalex_url, settings.openalex_key,
                                           settings.mailto),
        "arxiv": lambda: ArxivSource(http, settings.arxiv_url),
        "pubmed": lambda: PubMedSource(http, settings.pubmed_url, settings.mailto,
                                       settings.pubmed_key),
        "dblp": lambda: DblpSource(http, settings.dblp_url),
        "datacite": lambda: DataCiteSource(http, settings.datacite_url),
        "semanticscholar": lambda: SemanticScholarSource(http, settings.semanticscholar_url,
                                                         settings.semanticscholar_key),
        "openlibrary": lambda: OpenLibrarySource(http, settings.openlibrary_url),
        "acl": lambda: AclAnthologySource(http, settings.acl_url),
        "openreview": lambda: OpenReviewSource(http, settings.openreview_url),
    }
    out: list[Source] = []
    for name in settings.sources:
        maker = makers.get(name.strip().lower())
        if maker is not None and all(s.name != name for s in out):
            out.append(maker())
    return out


def build_services(
    settings: Settings, documents: list[Document], config: HttpConfig | None = None
) -> Services:
    """The services of one online run (``config`` overrides the HTTP policy, for tests)."""
    http = HttpClient(config or config_from_settings(settings))
    return Services(settings, documents, http, progress=True)
