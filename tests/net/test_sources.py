"""The source clients: documented response shapes, identifiers, batching, pacing, failures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from refcheck.config import Settings
from refcheck.model import Author, Reference
from refcheck.net.http import HttpClient, HttpConfig
from refcheck.net.services import build_sources
from refcheck.net.sources import Pacer, arxiv_id, pmid, split_name
from refcheck.net.sources.arxiv import ArxivSource, parse_feed
from refcheck.net.sources.dblp import DblpSource, record_from_hit
from refcheck.net.sources.openalex import OpenAlexSource, record_from_openalex
from refcheck.net.sources.pubmed import PubMedSource, record_from_summary

from .conftest import Server
from .sources_conftest import (  # noqa: F401  (fixtures)
    SAMPLES,
    arxiv_server,
    dblp_server,
    openalex_server,
    pubmed_server,
)


def http(tmp_path: Path, **kw: Any) -> HttpClient:
    return HttpClient(HttpConfig(timeout=1.0, backoff=0.01, allow_hosts=["127.0.0.1"],
                                 cache_dir=str(tmp_path), **kw))


def ref(raw: str, **kw: Any) -> Reference:
    return Reference(path="r.txt", format="text", index=1, start=0, end=len(raw), raw=raw, **kw)


# -- parsing the documented shapes -----------------------------------------------------------


def test_openalex_work_shape() -> None:
    data = json.loads((SAMPLES / "openalex_works.json").read_text(encoding="utf-8"))
    deep, lancet = (record_from_openalex(w) for w in data["results"])
    assert deep.title == "Deep learning" and deep.year == 2015
    assert deep.authors[0] == ("LeCun", "Yann") and deep.container == "Nature"
    assert (deep.volume, deep.issue, deep.pages) == ("521", "7553", "436-444")
    assert deep.doi == "10.1038/nature14539" and deep.ident == "W1919115771"
    assert lancet.retracted and not deep.retracted


def test_arxiv_feed_shape() -> None:
    records = parse_feed((SAMPLES / "arxiv_query.xml").read_text(encoding="utf-8"))
    assert records is not None and len(records) == 1
    r = records[0]
    assert (r.ident, r.year, r.title) == ("1706.03762", 2017, "Attention Is All You Need")
    assert r.authors[0] == ("Vaswani", "Ashish")
    assert parse_feed("<html>not a feed</html>") is None
    assert parse_feed("garbage <") is None


def test_esummary_shape() -> None:
    data = json.loads((SAMPLES / "esummary.json").read_text(encoding="utf-8"))
    r = record_from_summary(data["result"]["9500320"])
    assert r.authors[0] == ("Wakefield", "AJ") and r.year == 1998
    assert r.doi == "10.1016/s0140-6736(97)11096-0" and r.retracted
    assert r.title is not None and not r.title.endswith(".")


def test_dblp_hit_shape() -> None:
    data = json.loads((SAMPLES / "dblp_publ.json").read_text(encoding="utf-8"))
    r = record_from_hit(data["result"]["hits"]["hit"][0]["info"])
    assert r.title == "MapReduce: Simplified Data Processing on Large Clusters"
    assert r.authors == (("Dean", "Jeffrey"), ("Ghemawat", "Sanjay"))
    assert (r.year, r.container, r.type) == (2004, "OSDI", "proceedings-article")
    single = record_from_hit({"authors": {"author": {"text": "Wei Wang 0001"}}, "title": "X."})
    assert single.authors == (("Wang", "Wei"),)


def test_identifiers_and_names() -> None:
    assert arxiv_id(ref("Vaswani A. et al. Attention. arXiv:1706.03762v5, 2017")) == "1706.03762"
    assert arxiv_id(ref("See https://arxiv.org/abs/hep-th/9901001")) == "hep-th/9901001"
    assert arxiv_id(ref("Smith. Title. Journal 3, 2001")) is None
    assert pmid(ref("Wakefield AJ. Lancet 1998. PMID: 9500320")) == "9500320"
    assert pmid(ref("x", urls=["https://pubmed.ncbi.nlm.nih.gov/9500320/"])) == "9500320"
    assert split_name("Ludwig van Beethoven") == ("van Beethoven", "Ludwig")
    assert split_name("Kuschel T") == ("Kuschel", "T")


# -- talking to the stand-ins ----------------------------------------------------------------


def test_openalex_batches_dois_and_sends_the_key(openalex: Server, tmp_path: Path) -> None:
    client = http(tmp_path)
    source = OpenAlexSource(client, openalex.base, "secret-key")
    openalex.state["require_key"] = True
    found, failed = source.lookup(["10.1038/nature14539", "10.1038/NNANO.2014.279",
                                   "10.9999/not-there"])
    assert not failed
    assert found["10.1038/nature14539"] is not None
    assert found["10.1038/nnano.2014.279"] is not None and found["10.9999/not-there"] is None
    assert openalex.hits("/works?") == 1  # one filter=doi:A|B|C call
    assert "api_key=secret-key" in openalex.log[-1][1]
    # Without the key the registry refuses: that is a failure, not "not held".
    found, failed = OpenAlexSource(client, openalex.base, None).lookup(["10.1000/x"])
    assert failed == {"10.1000/x"}
    client.close()


def test_the_key_never_reaches_the_cache(openalex: Server, tmp_path: Path) -> None:
    client = http(tmp_path)
    OpenAlexSource(client, openalex.base, "secret-key").lookup(["10.1038/nature14539"])
    client.close()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("http_cache.sqlite*"))
    assert blob and b"secret-key" not in blob
    # Another key, same question: answered by the cache.
    client = http(tmp_path)
    OpenAlexSource(client, openalex.base, "other-key").lookup(["10.1038/nature14539"])
    assert client.sent == 0
    client.close()


def test_arxiv_ids_in_one_request_and_search(arxiv: Server, tmp_path: Path) -> None:
    client = http(tmp_path)
    source = ArxivSource(client, arxiv.base)
    source.pacer.interval = 0
    found, failed = source.lookup(["1706.03762", "2101.00001"])
    assert not failed and found["1706.03762"] is not None and found["2101.00001"] is None
    assert arxiv.hits("/query") == 1
    answer = source.search(ref("Vaswani A. Attention is all you need. arXiv preprint, 2017",
                               title="Attention is all you need",
                               authors=[Author("Vaswani", "A.")]))
    assert [r.ident for r in answer.records] == ["1706.03762"]
    assert 'au:Vaswani' in arxiv.log[-1][1].replace("%3A", ":")
    client.close()


def test_pubmed_esearch_then_esummary(pubmed: Server, tmp_path: Path) -> None:
    client = http(tmp_path)
    source = PubMedSource(client, pubmed.base, "ci@example.org")
    source.pacer.interval = 0
    r = ref("Wakefield AJ. Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
            "pervasive developmental disorder in children. Lancet 1998; 351: 637-41.",
            title="Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
                  "developmental disorder in children", authors=[Author("Wakefield", "AJ")])
    answer = source.search(r)
    assert [x.ident for x in answer.records] == ["9500320"] and answer.records[0].retracted
    assert [p.split("?")[0] for _, p in pubmed.log] == ["/esearch.fcgi", "/esummary.fcgi"]
    assert all("tool=refcheck" in p and "email=ci%40example.org" in p for _, p in pubmed.log)
    found, failed = source.lookup(["9500320", "1"])
    assert found["9500320"] is not None and found["1"] is None and not failed
    client.close()


def test_dblp_search(dblp: Server, tmp_path: Path) -> None:
    client = http(tmp_path)
    answer = DblpSource(client, dblp.base).search(ref(
        "Dean J, Ghemawat S. MapReduce: simplified data processing on large clusters. OSDI 2004",
        title="MapReduce: simplified data processing on large clusters",
        authors=[Author("Dean", "J")]))
    assert answer.records and answer.records[0].ident == "conf/osdi/DeanG04"
    assert "format=json" in dblp.log[-1][1]
    client.close()


@pytest.mark.parametrize("mode", ["500", "hang"])
def test_failures_are_not_answers(dblp: Server, tmp_path: Path, mode: str) -> None:
    dblp.state["mode"] = mode
    client = http(tmp_path)
    answer = DblpSource(client, dblp.base).search(ref("x", title="Some title of a paper"))
    assert answer.failed and not answer.records
    client.close()


def test_pacer_spaces_network_requests_only(arxiv: Server, tmp_path: Path) -> None:
    client = http(tmp_path)
    source = ArxivSource(client, arxiv.base)
    source.pacer = Pacer(client, "127.0.0.1", 0.3)
    start = time.monotonic()
    source.lookup(["1706.03762"])
    source.lookup(["1706.03763"])
    assert time.monotonic() - start >= 0.3  # the second request waited for the first
    client.close()
    client = http(tmp_path)
    source = ArxivSource(client, arxiv.base)
    source.pacer = Pacer(client, "127.0.0.1", 5.0)
    start = time.monotonic()
    source.lookup(["1706.03762"])
    source.lookup(["1706.03763"])
    assert client.sent == 0 and time.monotonic() - start < 1.0  # cached: no waiting
    client.close()


def test_sources_follow_the_setting(tmp_path: Path) -> None:
    client = http(tmp_path)
    s = Settings(sources=["dblp", "crossref", "nonsense", "dblp"])
    assert [x.name for x in build_sources(s, client)] == ["dblp", "crossref"]
    assert [x.name for x in build_sources(Settings(), client)] == [
        "crossref", "openalex", "arxiv", "pubmed", "dblp"]
    client.close()
