"""Registry answers kept per DOI: overlapping batches ask only for what is not known.

Against the loopback Crossref API and DOI proxy of ``conftest.py`` (real recorded
records) and the DataCite stand-in of ``sources_more_conftest.py``, counting the
requests each receives; the SQLite and Redis stores alike (the Redis test starts its
own ``redis-server``).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from refcheck.config import Settings
from refcheck.net.crossref import CrossrefClient, Resolver
from refcheck.net.doicache import MemoryStore, SQLiteStore
from refcheck.net.http import HttpClient, HttpConfig
from refcheck.net.services import build_services
from refcheck.net.sources.datacite import fetch_many

from .conftest import CrossrefData, Server, crossref_handler, reply_json, serve
from .sources_more_conftest import datacite_server  # noqa: F401  (fixture)


def client(tmp: Path, **kw: Any) -> HttpClient:
    return HttpClient(HttpConfig(timeout=2.0, backoff=0.01, allow_hosts=["127.0.0.1"],
                                 cache_dir=str(tmp), **kw))


def batch_dois(server: Server, before: int) -> list[set[str]]:
    """The DOI sets of the ``filter=doi:`` batches the server received after ``before``."""
    out = []
    for _, path in server.log[before:]:
        query = parse_qs(urlsplit(path).query)
        if "filter" in query and query["filter"][0].startswith("doi:"):
            out.append({f[4:] for f in query["filter"][0].split(",")})
    return out


@pytest.fixture
def dois(crossref_data: CrossrefData) -> list[str]:
    return sorted(d for d in crossref_data.works if "," not in d)[:8]


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_overlapping_batches_ask_only_for_unknown_dois(
        backend: str, crossref: Server, proxy: Server, dois: list[str], tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    extra: dict[str, Any] = {}
    if backend == "redis":
        extra = {"cache_backend": "redis", "redis_url": request.getfixturevalue("redis_url")}
    absent = "10.1371/notarealdoi.0001"
    first, second = [*dois[:5], absent], dois[3:]  # dois[3:5] and the absent DOI overlap
    http = client(tmp_path / "a", **extra)
    cr = CrossrefClient(http, crossref.base, None, Resolver(http, proxy.base))
    before, proxy_before = len(crossref.log), len(proxy.log)
    found, failed = cr.works(first)
    assert not failed and found[absent] is None and found[dois[0]] is not None
    assert batch_dois(crossref, before) == [set(dois[:5]) | {absent}]
    assert len(proxy.log) - proxy_before == 1  # the agency of the absent DOI, once
    before, proxy_before = len(crossref.log), len(proxy.log)
    found, failed = cr.works([*second, absent])
    http.close()
    # Only the three DOIs no earlier batch held; the absent one is a kept negative.
    assert batch_dois(crossref, before) == [set(dois[5:])]
    assert len(crossref.log) - before == 1 and len(proxy.log) == proxy_before
    assert not failed and all(found[d] is not None for d in second) and found[absent] is None

    # Warm: another client (another process, another fleet worker) on the same cache.
    http = client(tmp_path / ("a" if backend == "sqlite" else "b"), **extra)
    cr = CrossrefClient(http, crossref.base, None, Resolver(http, proxy.base))
    before, proxy_before = len(crossref.log), len(proxy.log)
    found, failed = cr.works([*dois, absent])
    notices = cr.notices(dois)
    assert len(crossref.log) - before == 1  # the notices, asked for the first time
    assert cr.notices(dois) == notices
    http.close()
    http = client(tmp_path / ("a" if backend == "sqlite" else "c"), **extra)
    cr = CrossrefClient(http, crossref.base, None, Resolver(http, proxy.base))
    before = len(crossref.log)
    assert cr.notices(dois[2:6]) == {d: v for d, v in notices.items() if d in dois[2:6]}
    assert cr.works([*dois, absent]) == (found, failed)
    assert len(crossref.log) == before and len(proxy.log) == proxy_before
    assert http.records.hits >= len(dois) + 1
    http.close()


def test_negative_answers_expire(crossref: Server, proxy: Server, tmp_path: Path) -> None:
    """A kept "not held" lasts ``failure_ttl`` (a day by default), a record ``registry_ttl``."""
    absent, held = "10.1371/notarealdoi.0002", "10.1038/nnano.2014.279"
    for ttl, kept in ((timedelta(days=1), {absent: None}), (timedelta(0), {})):
        http = client(tmp_path / str(ttl.days), failure_ttl=ttl)
        cr = CrossrefClient(http, crossref.base, None, Resolver(http, proxy.base))
        assert cr.works([absent, held])[0][absent] is None
        http.close()
        http = client(tmp_path / str(ttl.days), failure_ttl=ttl)
        assert http.records.get_many("crossref", [absent]) == kept
        assert http.records.get_many("ra", [absent]) == kept
        assert list(http.records.get_many("crossref", [held])) == [held]
        http.close()


def test_stores_keep_values_and_expiry(tmp_path: Path) -> None:
    for store in (MemoryStore(), SQLiteStore(str(tmp_path / "r.sqlite"))):
        store.put_many("crossref", {"10.1/a": {"DOI": "10.1/a"}, "10.1/b": None},
                       timedelta(days=1))
        store.put_many("crossref", {"10.1/c": None}, timedelta(0))
        assert store.get_many("crossref", ["10.1/a", "10.1/b", "10.1/c", "10.1/d"]) == {
            "10.1/a": {"DOI": "10.1/a"}, "10.1/b": None}
        assert store.get_many("notices", ["10.1/a"]) == {}  # kinds are apart
        store.close()
    # Read-only replay answers expired entries too and writes nothing.
    replay = SQLiteStore(str(tmp_path / "r.sqlite"), read_only=True)
    replay.put_many("crossref", {"10.1/e": None}, timedelta(days=1))
    assert replay.get_many("crossref", ["10.1/c", "10.1/e"]) == {"10.1/c": None}
    assert SQLiteStore(str(tmp_path / "none.sqlite"), read_only=True).get_many(
        "crossref", ["10.1/a"]) == {}  # no store yet: nothing, and no error
    assert not (tmp_path / "none.sqlite").exists()


def test_agency_question_is_one_request_for_many_dois(proxy: Server, tmp_path: Path) -> None:
    http = client(tmp_path)
    resolver = Resolver(http, proxy.base)
    asked = ["10.1038/nnano.2014.279", "10.48550/arXiv.1706.03762", "10.5281/zenodo.1234567",
             "10.1371/notarealdoi", "10.9999/a,b"]
    before = len(proxy.log)
    agencies = resolver.agencies(asked)
    assert agencies == {"10.1038/nnano.2014.279": "crossref",
                        "10.48550/arxiv.1706.03762": "datacite",
                        "10.5281/zenodo.1234567": "datacite", "10.1371/notarealdoi": None,
                        "10.9999/a,b": None}
    paths = [p for _, p in proxy.log[before:]]
    assert len(paths) == 1 and "10.9999/a%2Cb" in paths[0]
    assert len(unquote(paths[0][len("/ra/"):]).split(",")) == len(asked) + 1  # a,b inside
    assert resolver.agencies(asked) == agencies and len(proxy.log) == before + 1
    http.close()


def test_a_resolver_taking_one_doi_a_call_is_asked_one_at_a_time(tmp_path: Path) -> None:
    # The contract's `/ra/{doi}`: a stand-in that reads the whole path as one DOI answers
    # a list with one entry naming "a,b"; the resolver then asks each DOI alone.
    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        name = unquote(urlsplit(h.path).path[len("/ra/"):])
        if name.lower() == "10.1038/nnano.2014.279":
            reply_json(h, 200, [{"DOI": name, "RA": "Crossref"}])
        else:
            reply_json(h, 200, [{"DOI": name, "status": "DOI does not exist"}])

    server = serve("127.0.0.1", handle)
    http = client(tmp_path)
    try:
        agencies = Resolver(http, server.base).agencies(
            ["10.1038/nnano.2014.279", "10.1371/notarealdoi"])
        assert agencies == {"10.1038/nnano.2014.279": "crossref", "10.1371/notarealdoi": None}
        assert len(server.log) == 3  # the list, then each DOI alone
    finally:
        http.close()
        server.close()


def test_datacite_records_in_batches(datacite: Server, tmp_path: Path) -> None:
    http = client(tmp_path)
    wanted = ["10.48550/arXiv.1706.03762", "10.5281/zenodo.0"]
    found, failed = fetch_many(http, datacite.base, wanted)
    assert not failed and found["10.5281/zenodo.0"] is None
    hit = found["10.48550/arxiv.1706.03762"]
    assert hit is not None and hit.authors[0][0] == "Vaswani"
    paths = [p for _, p in datacite.log]
    # One list request; the DOI it lacked confirmed singly.
    assert paths[0].startswith("/dois?ids=") and paths[1:] == ["/dois/10.5281/zenodo.0"]
    before = len(datacite.log)
    assert fetch_many(http, datacite.base, wanted) == (found, failed)
    assert len(datacite.log) == before
    http.close()


def test_an_arxiv_doi_costs_a_share_of_batches(crossref: Server, proxy: Server,
                                                datacite: Server, tmp_path: Path) -> None:
    """A DataCite DOI: the Crossref batch, the agency batch and DataCite's batch; no single
    Crossref look-up, no handle request, no content negotiation."""
    from .test_registry import document

    doc = document({"raw": "Vaswani et al. Attention is all you need. "
                           "doi:10.48550/arXiv.1706.03762", "doi": "10.48550/arXiv.1706.03762",
                    "title": "Attention is all you need"})
    s = Settings(crossref_url=crossref.base, doi_resolver=proxy.base, datacite_url=datacite.base,
                 allow_hosts=["127.0.0.1"], cache_dir=str(tmp_path), timeout=2.0)
    marks = [len(crossref.log), len(proxy.log), len(datacite.log)]
    svc = build_services(s, [doc], config=HttpConfig(timeout=2.0, allow_hosts=["127.0.0.1"],
                                                     cache_dir=str(tmp_path)))
    info = svc.doi("10.48550/arXiv.1706.03762")
    svc.close()
    assert info is not None and info.state == "elsewhere" and info.work is not None
    assert info.work.source == "datacite"
    new = [[p for _, p in srv.log[m:]] for srv, m in zip((crossref, proxy, datacite), marks,
                                                          strict=True)]
    assert len(new[0]) == 1 and "filter=doi" in new[0][0]
    assert [p.split("/")[1] for p in new[1]] == ["ra"]
    assert len(new[2]) == 1 and new[2][0].startswith("/dois?ids=")
    # A resolver of one's own with DataCite left at its default: every agency through that
    # resolver (content negotiation), nothing sent to the public DataCite API.
    s = Settings(crossref_url=crossref.base, doi_resolver=proxy.base,
                 allow_hosts=["127.0.0.1"], cache_dir=str(tmp_path / "own"), timeout=2.0)
    before = len(proxy.log)
    svc = build_services(s, [doc], config=HttpConfig(timeout=2.0, allow_hosts=["127.0.0.1"],
                                                     cache_dir=str(tmp_path / "own")))
    info = svc.doi("10.48550/arXiv.1706.03762")
    sent = dict(svc.http.sent_by_host)
    svc.close()
    assert info is not None and info.state == "elsewhere" and "api.datacite.org" not in sent
    assert "/10.48550/arxiv.1706.03762" in [p.lower() for _, p in proxy.log[before:]]


@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_fleet_tasks_share_batch_answers(crossref: Server, proxy: Server, dois: list[str],
                                         crossref_data: CrossrefData, tmp_path: Path,
                                         redis_url: str) -> None:
    """Tasks of a two-worker fleet that batch different, overlapping DOI sets, side by
    side: together they ask for each DOI once (claims in Redis); before per-DOI answers,
    every task asked for all of its own (here 48 DOI asks for 13 DOIs)."""
    distributed = pytest.importorskip("distributed")
    from refcheck import cluster

    pool = sorted(d for d in crossref_data.works if "," not in d)[:13]
    root = tmp_path / "corpus"
    root.mkdir()
    for d in range(8):
        entries = [f"@misc{{w{d}_{i},\n  title = {{Work {d}-{i}}},\n  doi = {{{doi}}}\n}}\n"
                   for i, doi in enumerate(pool[d:d + 6])]
        (root / f"list{d}.bib").write_text("\n".join(entries), encoding="utf-8")
    # Only loopback stand-ins: the workers are other processes, which this test's DNS
    # guard does not reach.
    settings = Settings(select=["RC601"], sources=["crossref"], crossref_url=crossref.base,
                        doi_resolver=proxy.base, datacite_url=proxy.base,
                        retraction_watch_url=proxy.url("/rw.csv"), allow_hosts=["127.0.0.1"],
                        cache_dir=str(tmp_path / "cache"), redis_url=redis_url, timeout=5.0)
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0")
    client = distributed.Client(local)
    try:
        before = len(crossref.log)
        result, stats = cluster.run([str(root)], settings, "unused", client=client)
        asked = [d for batch in batch_dois(crossref, before) for d in batch]
        assert sorted(asked) == sorted(pool)
        assert stats.tasks > 2 and not [f for f in result.findings if f.code == "RC601"]
        assert set(stats.sent_by_host) == {"127.0.0.1"}
        before, proxy_before = len(crossref.log), len(proxy.log)
        cluster.run([str(root)], settings, "unused", client=client)  # warm: from Redis
        assert len(crossref.log) == before and len(proxy.log) == proxy_before
    finally:
        client.close()
        local.close()


def test_threads_asking_at_once_ask_for_each_doi_once(
        crossref_data: CrossrefData, proxy: Server, dois: list[str], tmp_path: Path) -> None:
    """Two tasks side by side in one process (a fleet worker's), on one cache, with
    overlapping DOI sets: the DOIs they share are asked for by one of them, and the
    other reads the answer; both get every record."""
    slow = serve("127.0.0.1", _slowly(crossref_handler(crossref_data), 0.3))
    try:
        clients = [client(tmp_path) for _ in range(2)]
        sets = [dois[:6], dois[2:]]
        start = threading.Barrier(2)
        got: list[Any] = [None, None]

        def ask(i: int) -> None:
            cr = CrossrefClient(clients[i], slow.base, None, Resolver(clients[i], proxy.base))
            start.wait()
            got[i] = cr.works(sets[i])

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        asked = [d for batch in batch_dois(slow, 0) for d in batch]
        assert sorted(asked) == sorted(dois)  # dois[2:6] once, not twice
        for i in range(2):
            found, failed = got[i]
            assert not failed and all(found[d] is not None for d in sets[i])
    finally:
        for c in clients:
            c.close()
        slow.close()


def _slowly(handle: Any, seconds: float) -> Any:
    def slow(h: BaseHTTPRequestHandler, srv: Server) -> None:
        time.sleep(seconds)
        handle(h, srv)

    return slow
