"""Cache modes and run-wide policies: read-only replay, the Redis backend, API keys kept out
of the cache, the progress bar, the grey-literature search saving, Retraction Watch entries.

Everything runs against the loopback stand-ins of ``conftest.py`` and ``sources_conftest.py``;
the Redis test starts its own ``redis-server`` on 127.0.0.1 and skips when there is none.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from refcheck.cli import main
from refcheck.config import Settings
from refcheck.model import Author, Document
from refcheck.net.http import HttpConfig
from refcheck.net.services import PROGRESS_MIN, Services, build_services
from refcheck.net.sources.arxiv import ArxivSource
from refcheck.net.sources.pubmed import INTERVAL, KEYED_INTERVAL, PubMedSource
from refcheck.rules import existence
from refcheck.rules import metadata as meta_rules
from refcheck.rules.base import Context, Hit, Rule

from .conftest import CrossrefData, Server, crossref_handler, serve
from .sources_conftest import (  # noqa: F401  (fixtures)
    arxiv_server,
    dblp_server,
    openalex_server,
    pubmed_server,
    registries_fixture,
)
from .sources_conftest import (
    registry_settings as settings,
)
from .test_registry import KUSCHEL, document

RULES: dict[str, Rule] = {r.code: r for m in (existence, meta_rules) for r in m.RULES}


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ArxivSource, "interval", 0.0)
    monkeypatch.setattr(PubMedSource, "interval", 0.0)
    monkeypatch.setattr(PubMedSource, "keyed_interval", 0.0)




def services(s: Settings, docs: list[Document], **kw: Any) -> Services:
    cfg = HttpConfig(timeout=s.timeout, backoff=0.01, mailto=s.mailto,
                     allow_hosts=s.allow_hosts, cache_dir=s.cache_dir, no_cache=s.no_cache,
                     read_only=s.cache_read_only, cache_backend=s.cache_backend,
                     redis_url=s.redis_url, **kw)
    return build_services(s, docs, config=cfg)


def run(code: str, doc: Document, svc: Services) -> list[Hit]:
    return list(RULES[code].check(doc, Context(services=svc, documents=[doc])))


def all_hits(servers: list[Server]) -> int:
    return sum(s.hits() for s in servers)


@contextlib.contextmanager
def no_connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any attempt to open a connection is recorded and fails."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise ConnectionRefusedError("no connection may be opened here")

    with monkeypatch.context() as m:
        m.setattr(socket.socket, "connect", refuse)
        yield attempts


# -- read-only replay, end to end through the CLI ----------------------------------------------


def _cli(reg: dict[str, Server], tmp_path: Path, refs: Path, *extra: str,
         capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main([
        "check", "--format", "json", "--allow-host", "127.0.0.1",
        "--crossref-url", reg["crossref"].base, "--doi-resolver", reg["proxy"].base,
        "--openalex-url", reg["openalex"].base, "--openalex-key", "k",
        "--arxiv-url", reg["arxiv"].base, "--pubmed-url", reg["pubmed"].base,
        "--dblp-url", reg["dblp"].base, "--mailto", "ci@example.org",
        "--cache-dir", str(tmp_path / "cache"), "--timeout", "2",
        "--select", "RC5,RC6,RC7,RC8", *extra, str(refs)])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def _comparable(data: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    findings = [(f["code"], f["line"], f["column"], f["message"], f["suggestion"])
                for f in data["findings"]]
    verdicts = [(r["index"], r["verdict"], r["doi"], r["source"]) for r in data["references"]]
    return findings, verdicts


def test_read_only_cache_replays_a_run_without_a_request(
    registries: dict[str, Server], web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs = tmp_path / "refs.txt"
    refs.write_text(
        "References\n\n"
        "1. LeCun, Y., Bengio, Y. and Hinton, G. (2015) Deep learning. Nature, 521, 436-444.\n"
        "2. Kuschel, T. and Reiss, G. (2015) Magnon drag in layered oxide heterostructures. "
        "Nature Nanotechnology, 11(3), 210-218.\n"
        "3. Kuschel, T. and Reiss, G. (2014) Charges ride the spin wave. Nature "
        "Nanotechnology, 10(1), 22-24. doi:10.1038/nnano.2014.279\n"
        "4. Nobody, A. (2019) A paper whose DOI exists nowhere. Journal of Things, 3(2), 1-9. "
        "doi:10.9999/nowhere.2019.1\n"
        "5. Smith, J. (2001) A Book About Things. London: Penguin.\n"
        f"6. Dead, A. (2001) Gone Page. Available at: {web.url('/404')}.\n"
        f"7. Moved, B. (2002) Old Address. Available at: {web.url('/moved')}.\n"
        f"8. Fine, C. (2003) Good Page. Available at: {web.url('/ok')}.\n"
        f"9. Busy, D. (2004) Overloaded Server. Available at: {web.url('/503')}.\n"
        "10. Inner, E. (2005) Metadata. Available at: http://169.254.169.254/latest/meta-data/.\n",
        encoding="utf-8")
    servers = [*registries.values(), web]
    code, first, err = _cli(registries, tmp_path, refs, capsys=capsys)
    assert all_hits(servers) > 0 and "cache read-only" not in err
    codes = {f["code"] for f in first["findings"]}
    assert {"RC501", "RC502", "RC503", "RC504", "RC601", "RC851", "RC852"} <= codes

    before = all_hits(servers)
    with no_connections(monkeypatch) as attempts:
        code2, second, err2 = _cli(registries, tmp_path, refs, "--cache-read-only",
                                   capsys=capsys)
    assert attempts == [] and all_hits(servers) == before  # nothing was sent
    assert code2 == code == 1
    # The same findings and verdicts, except the transient 503: failures are never
    # cached, so in replay that link is not checked (never reported dead), and the run
    # says so once.
    f1, v1 = _comparable(first)
    f2, v2 = _comparable(second)
    assert v2 == v1
    assert f2 == [f for f in f1 if f[0] != "RC502"]
    assert [f for f in f1 if f[0] == "RC502"] and "/503" in str([f for f in f1 if f[0] == "RC502"])
    notes = [line for line in err2.splitlines() if "cache read-only" in line]
    assert len(notes) == 1 and "not checked" in notes[0]


def test_read_only_cache_never_turns_a_miss_into_a_finding(
    registries: dict[str, Server], web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs = tmp_path / "refs.txt"
    refs.write_text(
        "References\n\n"
        "1. Kuschel, T. and Reiss, G. (2015) Magnon drag in layered oxide heterostructures. "
        "Nature Nanotechnology, 11(3), 210-218.\n"
        "2. Nobody, A. (2019) A paper whose DOI exists nowhere. Journal of Things, 3(2), 1-9. "
        "doi:10.9999/nowhere.2019.1\n"
        f"3. Dead, A. (2001) A long report on the history of pages that are gone. "
        f"Available at: {web.url('/404')}.\n",
        encoding="utf-8")
    servers = [*registries.values(), web]
    before = all_hits(servers)
    with no_connections(monkeypatch) as attempts:  # an empty cache: everything misses
        code, data, err = _cli(registries, tmp_path, refs, "--cache-read-only", capsys=capsys)
    assert attempts == [] and all_hits(servers) == before
    assert data["findings"] == [] and code == 0, data  # never dead, never not found
    assert {r["verdict"] for r in data["references"]} == {"skipped"}
    notes = [line for line in err.splitlines() if line.startswith("refcheck:")]
    assert len(notes) == 1 and "cache read-only" in notes[0]  # said once, and only that


# -- the Redis backend --------------------------------------------------------------------------


# requests-cache 1.3 calls redis-py's setex, which redis-py 6 deprecates: not ours to fix.
@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_redis_backend_shares_the_cache(registries: dict[str, Server], tmp_path: Path,
                                        redis_url: str) -> None:
    import redis

    doc = document(dict(KUSCHEL, entry_type="article"),
                   {"raw": "LeCun, Y. (2015) Deep learning. Nature 521: 436-444.",
                    "authors": [Author("LeCun", "Y.")], "year": 2015, "title": "Deep learning",
                    "container": "Nature", "volume": "521", "entry_type": "article"})
    # Two "runners" with different cache directories share one Redis.
    sent, seen = [], []
    for runner in ("a", "b"):
        s = settings(registries, tmp_path / runner, cache_backend="redis", redis_url=redis_url)
        svc = services(s, [doc])
        seen.append([(v.verdict, v.source) for r in doc.references
                     if (v := svc.verdict(r)) is not None])
        # The Retraction Watch table is kept per runner, beside the local cache: only
        # the registry requests are shared through Redis.
        watch_host = urlsplit(s.retraction_watch_url).hostname or ""
        sent.append(svc.http.sent - svc.http.sent_by_host.get(watch_host, 0))
        svc.close()
    assert seen[0] == seen[1] == [("verified", "crossref"), ("verified", "openalex")]
    assert sent[0] > 0 and sent[1] == 0
    assert not (tmp_path / "a" / "cache" / "http_cache.sqlite").exists()  # nothing in SQLite
    client = redis.Redis.from_url(redis_url)
    assert client.keys("*")  # the responses live in Redis
    client.close()
    # Read-only replay works from Redis too.
    s = settings(registries, tmp_path / "c", cache_backend="redis", redis_url=redis_url,
                 cache_read_only=True)
    svc = services(s, [doc])
    replay = [svc.verdict(r) for r in doc.references]
    assert [(v.verdict, v.source) for v in replay if v is not None] == seen[0]
    # (No Retraction Watch table was ever downloaded here: that alone is noted.)
    assert svc.http.sent == 0 and svc.http.not_cached == 0
    assert [n for n in svc.notes if not n.startswith("Retraction Watch table")] == []
    svc.close()


# -- API keys: sent, paced, never cached ---------------------------------------------------------


def test_pubmed_key_is_sent_paced_and_kept_out_of_the_cache(
    registries: dict[str, Server], tmp_path: Path,
) -> None:
    pubmed = registries["pubmed"]
    doc = document({"raw": "Kuschel T, Reiss G. Charges ride the spin wave. "
                           "Nat Nanotechnol. 2014;10(1):22-24.",
                    "title": "Charges ride the spin wave", "year": 2014,
                    "authors": [Author("Kuschel", "T"), Author("Reiss", "G")],
                    "container": "Nat Nanotechnol", "volume": "10", "entry_type": "article"})
    secret = "pubmed-secret-0123456789"
    s = settings(registries, tmp_path, sources=["pubmed"], pubmed_key=secret)
    svc = services(s, [doc])
    (source,) = svc.sources
    assert isinstance(source, PubMedSource) and source.key == secret
    verdict = svc.verdict(doc.references[0])
    sent = svc.http.sent
    svc.close()
    assert sent > 0 and verdict is not None
    asked = [p for _, p in pubmed.log]
    assert asked and all(f"api_key={secret}" in p for p in asked)
    stored = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert stored and secret.encode() not in stored
    # Another key, or none, is answered from the same cache entries.
    for key in ("another-key", None):
        svc = services(settings(registries, tmp_path, sources=["pubmed"], pubmed_key=key),
                       [doc])
        again = svc.verdict(doc.references[0])
        assert svc.http.sent == 0, "\n".join(p for _, p in pubmed.log)
        assert again is not None and again.verdict == verdict.verdict
        svc.close()


def test_pubmed_pacing_follows_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from refcheck.net.http import HttpClient

    # The real intervals, not the test suite's zero.
    monkeypatch.setattr(PubMedSource, "interval", INTERVAL)
    monkeypatch.setattr(PubMedSource, "keyed_interval", KEYED_INTERVAL)
    http = HttpClient(HttpConfig(cache_dir=str(tmp_path)))
    try:
        assert PubMedSource(http, "http://127.0.0.1:9").pacer.interval == INTERVAL
        keyed = PubMedSource(http, "http://127.0.0.1:9", key="k")
        assert keyed.pacer.interval == KEYED_INTERVAL <= 0.1 < INTERVAL
    finally:
        http.close()


def test_openalex_key_is_kept_out_of_the_cache(registries: dict[str, Server],
                                               tmp_path: Path) -> None:
    secret = "openalex-secret-9876543210"
    doc = document({"raw": "LeCun, Y. (2015) Deep learning. Nature 521: 436-444.",
                    "authors": [Author("LeCun", "Y.")], "year": 2015, "title": "Deep learning",
                    "container": "Nature", "volume": "521", "entry_type": "article"})
    svc = services(settings(registries, tmp_path, sources=["openalex"], openalex_key=secret),
                   [doc])
    assert svc.verdict(doc.references[0]) is not None and svc.http.sent > 0
    svc.close()
    assert all(f"api_key={secret}" in p for _, p in registries["openalex"].log)
    stored = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert stored and secret.encode() not in stored


# -- the progress bar ---------------------------------------------------------------------------


def _many_links(web: Server, n: int) -> Document:
    return document(*({"raw": f"R{i}. {web.url(f'/ok/{i}')}", "urls": [web.url(f"/ok/{i}")]}
                      for i in range(n)))


def test_progress_bar_is_silent_when_stderr_is_not_a_terminal(
    registries: dict[str, Server], web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rich.console import Console

    doc = _many_links(web, PROGRESS_MIN + 5)
    svc = services(settings(registries, tmp_path, no_cache=True), [doc])
    svc.progress = True  # as build_services sets it; stderr is pytest's capture, not a TTY
    assert svc.link(web.url("/ok/0")) is not None
    svc.close()
    assert capsys.readouterr().err == ""
    # A console that is not a terminal (a CI log, a pipe) gets nothing either.
    log = io.StringIO()
    svc = services(settings(registries, tmp_path, no_cache=True), [doc])
    svc.progress, svc.console = True, Console(file=log, force_terminal=False)
    assert svc.link(web.url("/ok/0")) is not None
    svc.close()
    assert log.getvalue() == ""


def test_progress_bar_renders_on_a_terminal(registries: dict[str, Server], web: Server,
                                            tmp_path: Path) -> None:
    from rich.console import Console

    screen = io.StringIO()
    doc = _many_links(web, PROGRESS_MIN + 5)
    svc = services(settings(registries, tmp_path, no_cache=True), [doc])
    svc.progress = True
    svc.console = Console(file=screen, force_terminal=True, width=100)
    assert svc.link(web.url("/ok/0")) is not None
    svc.close()
    assert "checking links" in screen.getvalue()
    # A short run draws nothing even on a terminal.
    screen = io.StringIO()
    svc = services(settings(registries, tmp_path, no_cache=True), [_many_links(web, 3)])
    svc.progress = True
    svc.console = Console(file=screen, force_terminal=True, width=100)
    assert svc.link(web.url("/ok/0")) is not None
    svc.close()
    assert screen.getvalue() == ""


# -- cost: no metered OpenAlex search for grey literature ----------------------------------------


def test_grey_literature_skips_the_openalex_search(registries: dict[str, Server],
                                                   tmp_path: Path) -> None:
    openalex = registries["openalex"]
    doc = document(
        {"raw": "Smith, J. (2001) A Book About Things. London: Penguin.",
         "title": "A Book About Things", "entry_type": "book", "year": 2001,
         "authors": [Author("Smith", "J.")]},
        {"raw": "Olcott, M. (2005) Central Asia's second chance. Carnegie Endowment report.",
         "title": "Central Asia's second chance", "entry_type": "report", "year": 2005,
         "authors": [Author("Olcott", "M.")]},
        {"raw": "A book with a DOI. doi:10.1017/cbo9781316161012", "title": "A book with a DOI",
         "entry_type": "book", "doi": "10.1017/cbo9781316161012"},
    )
    svc = services(settings(registries, tmp_path), [doc])
    v = [svc.verdict(r) for r in doc.references]
    svc.close()
    assert [x.verdict for x in v[:2] if x is not None] == ["unverifiable", "unverifiable"]
    assert all(x is not None and "OpenAlex" not in x.asked for x in v[:2])
    searched = [p for _, p in openalex.log if p.startswith("/works?search")]
    assert "Book+About" not in str(searched) and "second+chance" not in str(searched)
    # Identifier lookups are kept: a book with a DOI is looked up (free) there, and,
    # having the shape of a registry record, may be searched.
    assert v[2] is not None and v[2].registry_shaped
    assert any("cbo9781316161012" in p for _, p in openalex.log)
    before = openalex.hits("/works?search")
    # An article that nothing else found is still searched there.
    article = document({"raw": "LeCun, Y. (2015) Deep learning. Nature 521: 436-444.",
                        "authors": [Author("LeCun", "Y.")], "year": 2015,
                        "title": "Deep learning", "container": "Nature", "volume": "521",
                        "entry_type": "article"})
    svc = services(settings(registries, tmp_path / "2"), [article])
    found = svc.verdict(article.references[0])
    svc.close()
    assert found is not None and found.source == "openalex"
    assert openalex.hits("/works?search") == before + 1


# -- Retraction Watch entries in Crossref's updated-by ------------------------------------------

# The shape Crossref documents for a retraction asserted by Retraction Watch (community
# announcement "Deprecating Retraction Watch annotations in the Labs API", example
# 10.1021/am300292v); the fixture work below is given such an entry here, since no
# recorded response carries one.
WATCH_ENTRY = {
    "DOI": "10.1021/acsami.9b11759", "type": "retraction", "label": "Retraction",
    "source": "retraction-watch", "record-id": "20946",
    "updated": {"date-parts": [[2019, 7, 26]], "date-time": "2019-07-26T00:00:00Z",
                "timestamp": 1564099200000},
}


@pytest.fixture
def watched_crossref(crossref_data: CrossrefData) -> Iterator[Server]:
    data = copy.copy(crossref_data)
    data.works = dict(crossref_data.works)
    work = copy.deepcopy(data.works["10.1038/nnano.2014.279"])
    work["updated-by"] = [*work.get("updated-by", []), WATCH_ENTRY]
    data.works["10.1038/nnano.2014.279"] = work
    # The recorded single-work answer would hide the change: serve the built one.
    data.by_request = {k: v for k, v in crossref_data.by_request.items()
                       if "nnano.2014.279" not in k[0]}
    srv = serve("127.0.0.1", crossref_handler(data))
    yield srv
    srv.close()


def test_retraction_watch_entries_are_reported(watched_crossref: Server, proxy: Server,
                                               openalex: Server, tmp_path: Path) -> None:
    reg = {"crossref": watched_crossref, "proxy": proxy, "openalex": openalex,
           "arxiv": openalex, "pubmed": openalex, "dblp": openalex}
    with_doi = document(dict(KUSCHEL, entry_type="article"))
    svc = services(settings(reg, tmp_path, sources=["crossref"]), [with_doi])
    hits = run("RC801", with_doi, svc)
    verdict = svc.verdict(with_doi.references[0])
    asked = [p for _, p in watched_crossref.log]
    svc.close()
    assert len(hits) == 1
    assert "retraction published as 10.1021/acsami.9b11759" in hits[0].message
    assert "Retraction Watch (record 20946)" in hits[0].message
    assert verdict is not None and verdict.verdict == "retracted"
    # No request beyond the DOI lookup and the notice query: updated-by rides along.
    assert all("updated-by" in p for p in asked if "filter=doi" in p)
    assert len(asked) <= 2
    # Found by search, without a DOI: RC803 names Retraction Watch, through Crossref.
    cited = {k: v for k, v in KUSCHEL.items() if k != "doi"}
    cited["raw"] = str(KUSCHEL["raw"]).split(" doi:")[0]
    no_doi = document(dict(cited, entry_type="article"))
    svc = services(settings(reg, tmp_path / "2", sources=["crossref"]), [no_doi])
    flagged = run("RC803", no_doi, svc)
    svc.close()
    assert len(flagged) == 1
    assert "Retraction Watch (record 20946), through Crossref" in flagged[0].message
