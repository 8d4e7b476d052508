"""DataCite, DOI content negotiation, Semantic Scholar, Open Library, ACL Anthology and
OpenReview: documented shapes, identifiers, batching, keys, failures, and verdicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.api import make_settings
from refcheck.config import ConfigError, Settings
from refcheck.model import Author, Document, Reference
from refcheck.net.http import HttpClient, HttpConfig
from refcheck.net.identifiers import acl_id, isbn, openreview_id
from refcheck.net.services import Services, build_services, build_sources
from refcheck.net.sources.acl import AclAnthologySource, record_from_bibtex
from refcheck.net.sources.datacite import (
    DataCiteSource,
    negotiate,
    record_from_csl,
    record_from_datacite,
)
from refcheck.net.sources.openlibrary import OpenLibrarySource, record_from_book
from refcheck.net.sources.openreview import OpenReviewSource, record_from_note
from refcheck.net.sources.semanticscholar import SemanticScholarSource, record_from_paper
from refcheck.net.verify import Verifier
from refcheck.rules import metadata as metadata_rules
from refcheck.rules.base import Context

from .conftest import Server
from .sources_conftest import SAMPLES
from .sources_more_conftest import (  # noqa: F401  (fixtures)
    acl_server,
    datacite_server,
    openlibrary_server,
    openreview_server,
    resolver_server,
    semanticscholar_server,
)
from .test_registry import document


def http(tmp_path: Path, **kw: Any) -> HttpClient:
    return HttpClient(HttpConfig(timeout=1.0, backoff=0.01, allow_hosts=["127.0.0.1"],
                                 cache_dir=str(tmp_path), **kw))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[HttpClient]:
    c = http(tmp_path / "cache")
    yield c
    c.close()


def ref(raw: str, **kw: Any) -> Reference:
    return Reference(path="r.txt", format="text", index=1, start=0, end=len(raw), raw=raw, **kw)


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


# -- documented shapes --------------------------------------------------------------------


def test_datacite_and_csl_shapes() -> None:
    r = record_from_datacite(sample("datacite_doi.json")["data"])
    assert r is not None and r.title == "Attention Is All You Need"
    assert r.authors[0] == ("Vaswani", "Ashish") and r.year == 2017
    assert (r.container, r.type, r.doi) == ("arXiv", "preprint", "10.48550/arxiv.1706.03762")
    c = record_from_csl(sample("csl_zenodo.json"))
    assert c is not None and c.authors == (("Harris", "Charles R."), ("Millman", "K. Jarrod"))
    assert (c.year, c.doi, c.container) == (2020, "10.5281/zenodo.1234567", "Zenodo")
    assert record_from_csl({"type": "article"}) is None  # nothing to compare with


def test_semanticscholar_openlibrary_acl_openreview_shapes() -> None:
    p = record_from_paper(sample("s2_paper.json"))
    assert p.authors[0] == ("Devlin", "Jacob") and p.year == 2019
    assert (p.doi, p.pages, p.type) == ("10.18653/v1/n19-1423", "4171-4186",
                                        "proceedings-article")
    b = record_from_book(sample("openlibrary_books.json")["ISBN:9780262033848"])
    assert (b.title, b.year, b.container, b.ident) == ("Introduction to algorithms", 2009,
                                                       "MIT Press", "OL23183018M")
    assert b.authors[0] == ("Cormen", "Thomas H.")
    a = record_from_bibtex("N19-1423", (SAMPLES / "acl_N19-1423.bib").read_text("utf-8"))
    assert a is not None and a.title is not None and a.title.startswith("BERT: Pre-training")
    assert [f for f, _ in a.authors] == ["Devlin", "Chang", "Lee", "Toutanova"]
    assert a.doi == "10.18653/v1/n19-1423" and a.year == 2019
    assert record_from_bibtex("x", "<html>not bibtex</html>") is None
    note = sample("openreview_notes.json")["notes"][0]
    n = record_from_note(note)
    assert n is not None and (n.container, n.year, n.type) == ("ICLR 2021",
                                                               2021, "proceedings-article")
    assert n.authors[0] == ("Dosovitskiy", "Alexey")
    # API 1 (plain values) and a submission that was not accepted.
    v1 = record_from_note({"id": "abc", "content": {"title": "T", "authors": ["A B"],
                                                    "venue": "Submitted to ICLR 2023"}})
    assert v1 is not None and v1.type == "preprint" and v1.year == 2023


def test_identifiers() -> None:
    assert isbn(ref("Cormen TH. Introduction to Algorithms. MIT Press, 2009. "
                    "ISBN 978-0-262-03384-8")) == "9780262033848"
    assert isbn(ref("x", fields={"isbn": "0-262-03384-4"})) == "0262033844"
    assert isbn(ref("ISBN 978-0-262-03384-9")) is None  # check digit wrong: a typo
    assert isbn(ref("Smith. A paper. Journal 3, 2001")) is None
    assert acl_id(ref("x", doi="10.18653/v1/N19-1423")) == "N19-1423"
    assert acl_id(ref("x", urls=["https://aclanthology.org/2020.acl-main.1.pdf"])) \
        == "2020.acl-main.1"
    assert acl_id(ref("Proc. ACL. https://www.aclweb.org/anthology/P19-1001.pdf")) \
        == "P19-1001"
    assert acl_id(ref("x", doi="10.1038/nature14539")) is None
    assert openreview_id(ref("x", urls=["https://openreview.net/forum?id=YicbFdNTTy"])) \
        == "YicbFdNTTy"
    assert openreview_id(ref("see https://openreview.net/pdf?id=YicbFdNTTy&noteId=z")) \
        == "YicbFdNTTy"
    assert openreview_id(ref("https://openreview.net/group?id=ICLR.cc")) is None


# -- talking to the stand-ins -------------------------------------------------------------


def test_datacite_lookup(datacite: Server, client: HttpClient) -> None:
    source = DataCiteSource(client, datacite.base)
    found, failed = source.lookup(["10.48550/arXiv.1706.03762", "10.5281/zenodo.0"])
    assert not failed and found["10.5281/zenodo.0"] is None
    hit = found["10.48550/arxiv.1706.03762"]
    assert hit is not None and hit.source == "datacite" and hit.authors[0][0] == "Vaswani"
    datacite.state["mode"] = "500"
    assert DataCiteSource(http(Path(client.cfg.cache_dir or "") / "x"), datacite.base).lookup(
        ["10.5281/zenodo.9"])[1] == {"10.5281/zenodo.9"}


def test_content_negotiation_follows_the_resolver(resolver: Server,
                                                  client: HttpClient) -> None:
    record, failed = negotiate(client, resolver.base, "10.5281/zenodo.1234567")
    assert not failed and record is not None and record.authors[0][0] == "Harris"
    assert [p for _, p in resolver.log] == ["/10.5281/zenodo.1234567",
                                            "/agency/csl/10.5281/zenodo.1234567"]
    # Asked again: both hops come from the cache.
    sent = client.sent
    assert negotiate(client, resolver.base, "10.5281/zenodo.1234567")[0] == record
    assert client.sent == sent
    assert negotiate(client, resolver.base, "10.9999/none") == (None, False)
    resolver.state["mode"] = "500"
    assert negotiate(client, resolver.base, "10.5281/zenodo.7") == (None, True)


def test_semanticscholar_ids_key_and_search(semanticscholar: Server, tmp_path: Path) -> None:
    c = http(tmp_path)
    source = SemanticScholarSource(c, semanticscholar.base, "s2-key")
    source.pacer.interval = 0
    semanticscholar.state["require_key"] = True
    r = ref("Devlin J et al. BERT. NAACL 2019. https://aclanthology.org/N19-1423",
            doi="10.18653/v1/N19-1423", title="BERT", authors=[Author("Devlin", "J")])
    idents = source.identifiers(r)
    assert idents == ["DOI:10.18653/v1/n19-1423", "ACL:N19-1423"]
    found, failed = source.lookup([*idents, "DOI:10.1/none"])
    assert not failed and found["DOI:10.1/none"] is None
    assert found["ACL:N19-1423"] is not None and found["ACL:N19-1423"].year == 2019
    assert [(m, p.split("?")[0]) for m, p in semanticscholar.log] == [("POST", "/paper/batch")]
    # The same batch again: answered by the cache (the body is part of the key).
    sent = c.sent
    assert source.lookup([*idents, "DOI:10.1/none"]) == (found, set())
    assert c.sent == sent
    answer = source.search(ref("x", title="BERT: pre-training of deep bidirectional "
                                          "transformers for language understanding"))
    assert [x.ident for x in answer.records] == ["df2b0e26d0599ce3e70df8a9da02e51594e0e992"]
    # Without the key the API refuses: a failure, never "not held".
    found, failed = SemanticScholarSource(c, semanticscholar.base).lookup(["DOI:10.2/x"])
    assert failed == {"DOI:10.2/x"} and not found
    found, failed = SemanticScholarSource(c, semanticscholar.base).lookup(["DOI:10.2/x",
                                                                           "ACL:X"])
    assert failed == {"DOI:10.2/x", "ACL:X"} and not found
    c.close()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("http_cache.sqlite*"))
    assert blob and b"s2-key" not in blob
    # Another key (or none), same question: the cache answers; the key is not in the key.
    c = http(tmp_path)
    other = SemanticScholarSource(c, semanticscholar.base, "other")
    other.lookup([*idents, "DOI:10.1/none"])
    other.search(ref("x", title="BERT: pre-training of deep bidirectional "
                                "transformers for language understanding"))
    assert c.sent == 0
    c.close()
    # Read-only replay finds the batch too (its body is part of the cached request).
    c = http(tmp_path, read_only=True)
    replay = SemanticScholarSource(c, semanticscholar.base).lookup([*idents, "DOI:10.1/none"])
    assert replay[0]["ACL:N19-1423"] is not None and c.not_cached == 0
    c.close()


def test_semanticscholar_is_paced(semanticscholar: Server, client: HttpClient) -> None:
    import time

    source = SemanticScholarSource(client, semanticscholar.base)
    source.pacer.interval = 0.3
    start = time.monotonic()
    source.lookup(["DOI:10.1/a"])
    source.lookup(["DOI:10.1/b"])
    assert time.monotonic() - start >= 0.3  # the second request waited for the first


def test_openlibrary_asks_once_for_many_isbns(openlibrary: Server, client: HttpClient) -> None:
    found, failed = OpenLibrarySource(client, openlibrary.base).lookup(
        ["9780262033848", "0306406152"])
    assert not failed and found["0306406152"] is None
    assert found["9780262033848"] is not None
    assert openlibrary.hits("/api/books") == 1
    assert "bibkeys=ISBN%3A0306406152%2CISBN%3A9780262033848" in openlibrary.log[-1][1]


def test_acl_and_openreview_lookups(acl: Server, openreview: Server,
                                    client: HttpClient) -> None:
    found, failed = AclAnthologySource(client, acl.base).lookup(["N19-1423", "P99-9999"])
    assert not failed and found["P99-9999"] is None
    assert found["N19-1423"] is not None and found["N19-1423"].container is not None
    found, failed = OpenReviewSource(client, openreview.base).lookup(["YicbFdNTTy", "nope1"])
    assert not failed and found["nope1"] is None
    assert found["YicbFdNTTy"] is not None and found["YicbFdNTTy"].year == 2021


@pytest.mark.parametrize("name", ["datacite", "semanticscholar", "openlibrary", "acl",
                                  "openreview"])
@pytest.mark.parametrize("mode", ["500", "hang"])
def test_failures_are_not_answers(request: pytest.FixtureRequest, client: HttpClient,
                                  name: str, mode: str) -> None:
    srv: Server = request.getfixturevalue(name)
    srv.state["mode"] = mode
    ident = {"datacite": "10.5281/zenodo.1", "semanticscholar": "DOI:10.1/x",
             "openlibrary": "9780262033848", "acl": "N19-1423",
             "openreview": "YicbFdNTTy"}[name]
    s = Settings(sources=[name])
    setattr(s, f"{name}_url", srv.base)
    (source,) = build_sources(s, client)
    if hasattr(source, "pacer"):
        source.pacer.interval = 0
    found, failed = source.lookup([ident])
    assert failed == {ident} and not any(found.values())


# -- verdicts -----------------------------------------------------------------------------


def _services(s: Settings, docs: list[Document]) -> Services:
    cfg = HttpConfig(timeout=s.timeout, backoff=0.01, allow_hosts=["127.0.0.1"],
                     cache_dir=s.cache_dir)
    return build_services(s, docs, config=cfg)


def test_another_agencys_doi_is_compared_field_by_field(crossref: Server, resolver: Server,
                                                         tmp_path: Path) -> None:
    doc = document(
        {"raw": "Harris CR, Millman KJ. Array programming with NumPy: supporting data. "
                "Zenodo, 2020. doi:10.5281/zenodo.1234567",
         "title": "Array programming with NumPy: supporting data", "year": 2020,
         "authors": [Author("Harris", "C. R."), Author("Millman", "K. J.")],
         "doi": "10.5281/zenodo.1234567"},
        {"raw": "Smith J, Jones K. Array programming with NumPy: supporting data. "
                "Zenodo, 2020. doi:10.5281/zenodo.1234567",
         "title": "Array programming with NumPy: supporting data", "year": 2020,
         "authors": [Author("Smith", "J."), Author("Jones", "K.")],
         "doi": "10.5281/zenodo.1234567"},
        {"raw": "Kuschel T, Reiss G. Charges ride the spin wave. Nature Nanotechnology 10, "
                "2015. doi:10.5281/zenodo.1234567", "title": "Charges ride the spin wave",
         "year": 2015, "container": "Nature Nanotechnology", "volume": "10",
         "authors": [Author("Kuschel", "T."), Author("Reiss", "G.")],
         "doi": "10.5281/zenodo.1234567"})
    s = Settings(crossref_url=crossref.base, doi_resolver=resolver.base, sources=["crossref"],
                 cache_dir=str(tmp_path / "c"), timeout=1.0, allow_hosts=["127.0.0.1"])
    svc = _services(s, [doc])
    good, bad, other = doc.entries()
    # The DOI names another work: RC602's question, answered from the agency's record.
    assert svc.wrong_doi(other) is not None and svc.wrong_doi(good) is None
    # Field comparisons go through the verdict, never straight to a preprint's record.
    assert svc.record_for(good) is None and svc.record_for(good, agencies=True) is not None
    info = svc.doi("10.5281/zenodo.1234567")
    assert info is not None and info.state == "elsewhere" and info.record is not None
    v = svc.verdict(good)
    assert v is not None and v.verdict == "verified" and v.source == "resolver"
    assert "DOI resolver" in v.asked
    v = svc.verdict(bad)
    assert v is not None and v.verdict != "verified"
    hits = list(metadata_rules.RULES[[r.code for r in metadata_rules.RULES].index("RC707")]
                .check(doc, Context(services=svc, documents=[doc])))
    assert [h.reference.index for h in hits if h.reference] == [bad.index]
    svc.close()


def test_a_failed_negotiation_is_noted(crossref: Server, resolver: Server,
                                       tmp_path: Path) -> None:
    resolver.state["negotiation"] = "500"
    doc = document({"raw": "Smith J. Array programming with NumPy: supporting data. 2020. "
                           "doi:10.5281/zenodo.1234567",
                    "title": "Array programming with NumPy: supporting data", "year": 2020,
                    "authors": [Author("Smith", "J.")], "doi": "10.5281/zenodo.1234567"})
    s = Settings(crossref_url=crossref.base, doi_resolver=resolver.base, sources=["crossref"],
                 cache_dir=str(tmp_path / "c"), timeout=1.0, allow_hosts=["127.0.0.1"])
    svc = _services(s, [doc])
    info = svc.doi("10.5281/zenodo.1234567")
    assert info is not None and info.state == "elsewhere" and info.record is None
    assert any("gave no record for 1 DOI(s)" in n for n in svc.notes)
    svc.close()


def test_a_book_found_by_isbn_is_verified(openlibrary: Server, client: HttpClient) -> None:
    book = ref("Cormen TH, Leiserson CE, Rivest RL, Stein C. Introduction to algorithms. "
               "MIT Press, 2009. ISBN 978-0-262-03384-8", entry_type="book",
               title="Introduction to algorithms", year=2009,
               authors=[Author("Cormen", "T. H."), Author("Leiserson", "C. E.")])
    (v,) = Verifier([OpenLibrarySource(client, openlibrary.base)]).run([book])
    assert v.verdict == "verified" and v.source == "openlibrary" and v.asked == ["Open Library"]
    # Without the source, the same book can only be "unverifiable".
    (v,) = Verifier([]).run([book])
    assert v.verdict in ("unverifiable", "skipped")
    # A failed source is named, and nothing is verified on it.
    openlibrary.state["mode"] = "500"
    c = http(Path(client.cfg.cache_dir or "") / "other")
    (v,) = Verifier([OpenLibrarySource(c, openlibrary.base)]).run([book])
    assert v.verdict != "verified" and v.failed == ["Open Library"]
    c.close()


def test_a_rejected_openreview_submission_cited_at_the_venue(openreview: Server,
                                                             client: HttpClient) -> None:
    openreview.state["rejected"] = True
    paper = ref("Dosovitskiy A, Beyer L. An image is worth 16x16 words: transformers for "
                "image recognition at scale. In ICLR, 2021. "
                "https://openreview.net/forum?id=YicbFdNTTy",
                title="An image is worth 16x16 words: transformers for image recognition at "
                      "scale", container="International Conference on Learning "
                                        "Representations", year=2021,
                authors=[Author("Dosovitskiy", "A."), Author("Beyer", "L.")],
                urls=["https://openreview.net/forum?id=YicbFdNTTy"])
    (v,) = Verifier([OpenReviewSource(client, openreview.base)]).run([paper])
    assert v.match is not None and v.match.preprint_only and v.verdict == "discrepancy"


# -- settings -----------------------------------------------------------------------------


def test_settings_name_the_new_sources(monkeypatch: pytest.MonkeyPatch,
                                       client: HttpClient) -> None:
    s = make_settings(None, {"sources": ["crossref", "semanticscholar", "openlibrary"],
                             "semanticscholar_url": "http://127.0.0.1:9/graph/v1"})
    assert s.semanticscholar_url == "http://127.0.0.1:9/graph/v1"
    assert [x.name for x in build_sources(s, client)] == ["crossref", "semanticscholar",
                                                          "openlibrary"]
    with pytest.raises(ConfigError):
        make_settings(None, {"sources": ["crossref", "googlescholar"]})
    monkeypatch.setenv("REFCHECK_DATACITE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("REFCHECK_SEMANTICSCHOLAR_KEY", "k")
    s = make_settings(None, {})
    assert (s.datacite_url, s.semanticscholar_key) == ("http://127.0.0.1:9", "k")
    # The default list is unchanged: the new sources are asked only when named.
    assert s.sources == ["crossref", "openalex", "arxiv", "pubmed", "dblp"]


def test_cli_options_reach_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from refcheck.cli import _settings, build_parser

    monkeypatch.chdir(tmp_path)  # no pyproject of this repository's
    args = build_parser().parse_args([
        "check", "x.bib", "--sources", "crossref,datacite,openreview",
        "--datacite-url", "http://127.0.0.1:1", "--semanticscholar-url", "http://127.0.0.1:2",
        "--semanticscholar-key", "k", "--openlibrary-url", "http://127.0.0.1:3",
        "--acl-url", "http://127.0.0.1:4", "--openreview-url", "http://127.0.0.1:5"])
    s = _settings(args)
    assert s.sources == ["crossref", "datacite", "openreview"]
    assert (s.datacite_url, s.semanticscholar_url, s.semanticscholar_key, s.openlibrary_url,
            s.acl_url, s.openreview_url) == ("http://127.0.0.1:1", "http://127.0.0.1:2", "k",
                                             "http://127.0.0.1:3", "http://127.0.0.1:4",
                                             "http://127.0.0.1:5")


def test_every_new_source_through_the_services(
        crossref: Server, resolver: Server, datacite: Server, semanticscholar: Server,
        openlibrary: Server, acl: Server, openreview: Server, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SemanticScholarSource, "interval", 0.0)
    doc = document(
        {"raw": "Vaswani A, Shazeer N. Attention is all you need. arXiv, 2017. "
                "doi:10.48550/arXiv.1706.03762", "title": "Attention is all you need",
         "year": 2017, "authors": [Author("Vaswani", "A."), Author("Shazeer", "N.")],
         "doi": "10.48550/arXiv.1706.03762"},
        {"raw": "Cormen TH, Leiserson CE. Introduction to algorithms. MIT Press, 2009. "
                "ISBN 978-0-262-03384-8", "entry_type": "book",
         "title": "Introduction to algorithms", "year": 2009,
         "authors": [Author("Cormen", "T. H."), Author("Leiserson", "C. E.")]},
        {"raw": "Devlin J, Chang MW. BERT: pre-training of deep bidirectional transformers "
                "for language understanding. NAACL 2019. https://aclanthology.org/N19-1423",
         "title": "BERT: pre-training of deep bidirectional transformers for language "
                  "understanding", "year": 2019, "container": "NAACL",
         "authors": [Author("Devlin", "J."), Author("Chang", "M.-W.")],
         "urls": ["https://aclanthology.org/N19-1423"]},
        {"raw": "Dosovitskiy A, Beyer L. An image is worth 16x16 words: transformers for image "
                "recognition at scale. ICLR 2021. https://openreview.net/forum?id=YicbFdNTTy",
         "title": "An image is worth 16x16 words: transformers for image recognition at scale",
         "year": 2021, "authors": [Author("Dosovitskiy", "A."), Author("Beyer", "L.")],
         "urls": ["https://openreview.net/forum?id=YicbFdNTTy"]})
    s = Settings(crossref_url=crossref.base, doi_resolver=resolver.base,
                 cache_dir=str(tmp_path / "c"), timeout=1.0, allow_hosts=["127.0.0.1"],
                 sources=["crossref", "datacite", "openlibrary", "acl", "openreview",
                          "semanticscholar"],
                 datacite_url=datacite.base, openlibrary_url=openlibrary.base,
                 acl_url=acl.base, openreview_url=openreview.base,
                 semanticscholar_url=semanticscholar.base)
    svc = _services(s, [doc])
    got = {r.index: svc.verdict(r) for r in doc.entries()}
    assert {i: (v.verdict, v.source) for i, v in got.items() if v} == {
        1: ("verified", "datacite"), 2: ("verified", "openlibrary"),
        3: ("verified", "acl"), 4: ("verified", "openreview")}
    svc.close()
    # A source that fails is named in the verdict and the notes; nothing is verified on it.
    openlibrary.state["mode"] = "500"
    s.cache_dir = str(tmp_path / "other")
    svc = _services(s, [doc])
    book = svc.verdict(list(doc.entries())[1])
    assert book is not None and book.verdict != "verified" and "Open Library" in book.failed
    assert any(n.startswith(f"Open Library could not be reached or refused at "
                            f"{openlibrary.base}") for n in svc.notes)
    svc.close()
