"""The Retraction Watch database as a local table, against a loopback server serving a
small CSV in the published column layout (header with its trailing comma, US dates,
"unavailable" and 0 for absent identifiers)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from refcheck.model import Document, Severity
from refcheck.net.retraction_watch import TABLE_FILE, MalformedCsvError, build_table
from refcheck.net.services import Services

from .conftest import Server, reply, serve
from .test_registry import KUSCHEL, document, run, services_for, settings

HEADER = ("Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,"
          "ArticleType,RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,"
          "OriginalPaperDOI,OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes,")


def row(record: str, doi: str, nature: str, notice: str = "unavailable", pmid: str = "0") -> str:
    return (f'{record},"A title, with a comma",(BLS) Biology;,"Some University, Somewhere;",'
            f"Some Journal,Some Publisher,Germany,A. Author,,Research Article;,"
            f"3/8/2021 0:00,{notice},0,1/1/2014 0:00,{doi},{pmid},{nature},"
            f"+Concerns/Issues About Data;,No,,")


# The Kuschel article (a real record on the loopback Crossref) is retracted here only:
# Crossref's recorded response carries no notice for it.
CSV = "\n".join([
    HEADER,
    row("50001", KUSCHEL["doi"].upper(), "Retraction", "10.1038/nnano.2019.999"),
    row("50002", "10.1000/concern.1", "Expression of concern", "10.1000/eoc.1"),
    row("50003", "10.1000/corrected.1", "Correction", "10.1000/corr.1"),
    row("50004", "Unavailable", "Retraction", pmid="31234567"),
]) + "\n"


def rw_handler(h: BaseHTTPRequestHandler, srv: Server) -> None:
    body: bytes = srv.state.get("body", CSV.encode())
    etag = srv.state.get("etag", '"v1"')
    if h.headers.get("If-None-Match") == etag:
        reply(h, 304, headers={"ETag": etag})
        return
    reply(h, 200, body, "text/csv", headers={"ETag": etag})


@pytest.fixture
def rw() -> Iterator[Server]:
    srv = serve("127.0.0.1", rw_handler)
    yield srv
    srv.close()


def svc_for(crossref: Server, proxy: Server, rw: Server, cache: Path,
            docs: list[Document], **kw: Any) -> Services:
    s = settings(crossref, proxy, cache, sources=["crossref"],
                 retraction_watch_url=rw.url("/retraction_watch.csv"), **kw)
    return services_for(s, docs)


def retracted_doc() -> Document:
    return document(dict(KUSCHEL, entry_type="article"),
                    {"raw": "Doe, J. (2014) Worrying. doi:10.1000/concern.1",
                     "doi": "10.1000/concern.1"},
                    {"raw": "Roe, R. (2014) Fixed. doi:10.1000/corrected.1",
                     "doi": "10.1000/corrected.1"})


def test_table_answers_retractions_and_a_second_run_sends_nothing(
        crossref: Server, proxy: Server, rw: Server, tmp_path: Path) -> None:
    doc = retracted_doc()
    for _run in ("cold", "warm"):
        svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
        rc801 = run("RC801", doc, svc)
        rc802 = run("RC802", doc, svc)
        verdict = svc.verdict(doc.references[0])
        svc.close()
        assert not [n for n in svc.notes if "Retraction Watch" in n], svc.notes
        messages = sorted(h.message for h in rc801)
        assert messages == [
            "10.1000/concern.1: expression of concern published as 10.1000/eoc.1 "
            "(recorded by Retraction Watch (record 50002))",
            "10.1038/nnano.2014.279: retraction published as 10.1038/nnano.2019.999 "
            "(recorded by Retraction Watch (record 50001))",
        ]
        assert [h.message for h in rc802] == [
            "10.1000/corrected.1: correction published as 10.1000/corr.1 "
            "(recorded by Retraction Watch (record 50003))"]
        assert verdict is not None and verdict.verdict == "retracted"
        assert rw.hits("/retraction_watch.csv") == 1  # downloaded once, on the cold run
    assert (tmp_path / TABLE_FILE).is_file()


def test_lookups_cost_no_request_per_doi(crossref: Server, proxy: Server, rw: Server,
                                         tmp_path: Path) -> None:
    svc = svc_for(crossref, proxy, rw, tmp_path, [])
    before = rw.hits()
    for i in range(50):
        assert svc.watch_entries(f"10.1000/not-there.{i}") == []
    entries = svc.watch_entries(pmid="31234567")
    assert entries is not None and [e.record_id for e in entries] == ["50004"]
    assert rw.hits() - before == 1
    svc.close()


def test_stale_table_is_refreshed_conditionally(crossref: Server, proxy: Server, rw: Server,
                                                tmp_path: Path) -> None:
    doc = retracted_doc()
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    assert svc.watch_retracted(KUSCHEL["doi"])
    svc.close()

    def age(days: float) -> None:
        con = sqlite3.connect(tmp_path / TABLE_FILE)
        con.execute("UPDATE meta SET value = ? WHERE key = 'fetched'",
                    (str(time.time() - days * 86400),))
        con.commit()
        con.close()

    # Eight days old, unchanged on the server: one conditional request, answered 304.
    age(8)
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    assert svc.watch_retracted(KUSCHEL["doi"])
    svc.close()
    assert [p for m, p in rw.log].count("/retraction_watch.csv") == 2
    # Changed on the server: the table is rebuilt from the new file.
    age(8)
    rw.state["etag"] = '"v2"'
    rw.state["body"] = "\n".join([HEADER, row("60001", "10.1000/new.1", "Retraction")]).encode()
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    assert not svc.watch_retracted(KUSCHEL["doi"])
    assert svc.watch_retracted("https://doi.org/10.1000/NEW.1")
    svc.close()
    # Fresh again: no request at all.
    hits = rw.hits()
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    assert svc.watch_retracted("10.1000/new.1")
    svc.close()
    assert rw.hits() == hits


@pytest.mark.parametrize("body", [
    b"<html><body>Sign in to GitLab</body></html>\n",
    (HEADER + '\n50001,"unterminated, 10.1038/nnano.2014.279\n').encode(),
    b"",
])
def test_malformed_csv_is_noted_once_and_claims_nothing(
        crossref: Server, proxy: Server, rw: Server, tmp_path: Path, body: bytes) -> None:
    rw.state["body"] = body
    doc = retracted_doc()
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    hits = run("RC801", doc, svc) + run("RC802", doc, svc)
    verdict = svc.verdict(doc.references[0])
    svc.close()
    assert hits == []  # Crossref holds no notice for these DOIs; the broken table adds none
    assert verdict is not None and verdict.verdict != "retracted"
    notes = [n for n in svc.notes if n.startswith("Retraction Watch table")]
    assert len(notes) == 1 and "not a readable Retraction Watch CSV" in notes[0], svc.notes
    assert "registries only" in notes[0]
    assert not (tmp_path / TABLE_FILE).exists()


def test_broken_refresh_keeps_the_good_table(crossref: Server, proxy: Server, rw: Server,
                                             tmp_path: Path) -> None:
    doc = retracted_doc()
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    assert svc.watch_retracted(KUSCHEL["doi"])
    svc.close()
    con = sqlite3.connect(tmp_path / TABLE_FILE)
    con.execute("UPDATE meta SET value = '0' WHERE key = 'fetched'")
    con.commit()
    con.close()
    rw.state.update(etag='"v3"', body=b"Record ID;Title\n1;x\n")
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    assert len(run("RC801", doc, svc)) == 2  # the table as last read: Kuschel, concern
    svc.close()
    notes = [n for n in svc.notes if n.startswith("Retraction Watch table")]
    assert len(notes) == 1 and "existing table was used" in notes[0]


def test_read_only_cache_uses_the_existing_table(crossref: Server, proxy: Server, rw: Server,
                                                 tmp_path: Path) -> None:
    doc = retracted_doc()
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc])
    run("RC801", doc, svc)
    svc.close()
    con = sqlite3.connect(tmp_path / TABLE_FILE)
    con.execute("UPDATE meta SET value = '0' WHERE key = 'fetched'")  # stale: still used
    con.commit()
    con.close()
    hits = rw.hits()
    svc = svc_for(crossref, proxy, rw, tmp_path, [doc], cache_read_only=True)
    svc.http.cfg.read_only = True
    assert svc.watch_retracted(KUSCHEL["doi"])
    svc.close()
    assert rw.hits() == hits


def test_severity_of_rules() -> None:
    from refcheck.rules.metadata import corrected, retracted

    assert retracted.severity is Severity.ERROR and corrected.severity is Severity.INFO


def test_build_table_refuses_a_header_without_the_columns(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text("Record ID,Title\n1,x\n", encoding="utf-8")
    with pytest.raises(MalformedCsvError, match="OriginalPaperDOI"):
        build_table(src, tmp_path / "x.sqlite")
    # Windows-1252 bytes in a title do not stop the table.
    src.write_bytes((HEADER + "\n" + row("1", "10.1/x", "Retraction")).encode()
                    .replace(b"A title", b"Caf\xe9"))
    assert build_table(src, tmp_path / "y.sqlite") == 1


def test_processes_sharing_a_cache_download_the_table_once(
        crossref: Server, proxy: Server, tmp_path: Path) -> None:
    """A fleet's tasks on one machine share its cache directory: the first downloads the
    table, the others wait for it (a lock file) and find it fresh."""
    def slow_csv(h: BaseHTTPRequestHandler, srv: Server) -> None:
        time.sleep(0.3)
        reply(h, 200, CSV.encode(), "text/csv", headers={"ETag": '"v1"'})

    slow = serve("127.0.0.1", slow_csv)
    try:
        services = [svc_for(crossref, proxy, slow, tmp_path, []) for _ in range(4)]
        start = threading.Barrier(len(services))
        answers: list[Any] = [None] * len(services)

        def ask(i: int) -> None:
            start.wait()
            answers[i] = services[i].watch_entries(pmid="31234567")

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(services))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert slow.hits("/retraction_watch.csv") == 1
        assert all(a is not None and [e.record_id for e in a] == ["50004"] for a in answers)
    finally:
        for s in services:
            s.close()
        slow.close()
