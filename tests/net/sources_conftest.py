"""Loopback stand-ins for OpenAlex, arXiv, PubMed E-utilities and DBLP.

Imported by the test modules that need them (``from .sources_conftest import …``)
rather than registered as a plugin, so ``tests/net/conftest.py`` stays as it is.
Each stand-in answers in its API's documented shape (see
``fixtures/sources/README.md``: the example files there were written from the
documentation, not recorded) and holds two kinds of records: those of its
example file, and every titled work of ``tests/data/shared/fixtures/crossref``
converted into its shape.  ``server.state["mode"]`` switches a stand-in to
``"hang"`` (answers after the client's timeout) or ``"500"``.
"""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from rapidfuzz import fuzz

from refcheck.config import Settings

from .conftest import CrossrefData, Server, reply, reply_json, serve

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "sources"
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
PMID_BASE = 90000000


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _crossref_works(data: CrossrefData) -> list[dict[str, Any]]:
    """Titled Crossref fixture works in a neutral shape, in a stable order."""
    out: list[dict[str, Any]] = []
    for doi in sorted(data.works):
        work = data.works[doi]
        titles = work.get("title") or []
        if not titles or not titles[0]:
            continue
        year = None
        for key in ("published-print", "issued", "published"):
            parts = (work.get(key) or {}).get("date-parts") or []
            if parts and parts[0] and isinstance(parts[0][0], int):
                year = parts[0][0]
                break
        out.append({
            "doi": doi, "title": re.sub(r"<[^>]+>", "", titles[0]).strip(),
            "authors": [(a.get("family") or a.get("name") or "", a.get("given") or "")
                        for a in work.get("author") or [] if a.get("family") or a.get("name")],
            "year": year, "container": (work.get("container-title") or [None])[0],
            "volume": work.get("volume"), "issue": work.get("issue"), "page": work.get("page"),
            "type": work.get("type"),
        })
    return out


def _fault(h: BaseHTTPRequestHandler, srv: Server) -> bool:
    mode = srv.state.get("mode")
    if mode == "hang":
        srv.release.wait(5)
        return True
    if mode == "500":
        reply(h, 500, b"Internal Server Error")
        return True
    return False


def _best(query: str, items: list[dict[str, Any]], text: Any, rows: int,
          floor: float = 60) -> list[dict[str, Any]]:
    q = _fold(query)
    scored = [(fuzz.token_set_ratio(q, _fold(text(i))), n, i) for n, i in enumerate(items)]
    scored = [s for s in scored if s[0] >= floor]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [i for _, _, i in scored[:rows]]


# -- OpenAlex -----------------------------------------------------------------------------


def openalex_works(data: CrossrefData) -> list[dict[str, Any]]:
    sample = json.loads((SAMPLES / "openalex_works.json").read_text(encoding="utf-8"))
    works = list(sample["results"])
    for n, w in enumerate(_crossref_works(data)):
        first, _, last = str(w["page"] or "").partition("-")
        works.append({
            "id": f"https://openalex.org/W{3000000000 + n}",
            "doi": f"https://doi.org/{w['doi']}",
            "title": w["title"], "display_name": w["title"],
            "publication_year": w["year"],
            "type": "article" if w["type"] == "journal-article" else w["type"],
            "authorships": [{"author": {"display_name": f"{g} {f}".strip()},
                             "raw_author_name": f"{g} {f}".strip()} for f, g in w["authors"]],
            "primary_location": {"source": {"display_name": w["container"]}
                                 if w["container"] else None},
            "biblio": {"volume": w["volume"], "issue": w["issue"],
                       "first_page": first or None, "last_page": last or None},
            "is_retracted": False,
        })
    return works


def openalex_handler(works: list[dict[str, Any]]) -> Any:
    by_doi = {str(w["doi"]).lower().removeprefix("https://doi.org/"): w for w in works}

    def page(items: list[dict[str, Any]], per_page: int) -> dict[str, Any]:
        return {"meta": {"count": len(items), "db_response_time_ms": 5, "page": 1,
                         "per_page": per_page, "groups_count": None},
                "results": items[:per_page], "group_by": []}

    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        if _fault(h, srv):
            return
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = unquote(parts.path)
        if srv.state.get("require_key") and not query.get("api_key"):
            reply_json(h, 401, {"error": "API key required"})
            return
        per_page = int(query.get("per_page", "25"))
        if path == "/works" and query.get("filter", "").startswith("doi:"):
            wanted = [d.lower().removeprefix("https://doi.org/")
                      for d in query["filter"][4:].split("|")]
            reply_json(h, 200, page([copy.deepcopy(by_doi[d]) for d in wanted if d in by_doi],
                                    per_page))
        elif path == "/works" and "search" in query:
            reply_json(h, 200, page(_best(query["search"], works, lambda w: w["title"],
                                          per_page), per_page))
        elif path.startswith("/works/doi:"):
            work = by_doi.get(path[len("/works/doi:"):].lower())
            if work is None:
                reply_json(h, 404, {"error": "Not found"})
            else:
                reply_json(h, 200, work)
        else:
            reply_json(h, 400, {"error": "Invalid query parameters"})

    return handle


# -- arXiv --------------------------------------------------------------------------------


def arxiv_entries() -> dict[str, ET.Element]:
    root = ET.fromstring((SAMPLES / "arxiv_query.xml").read_text(encoding="utf-8"))
    out: dict[str, ET.Element] = {}
    for entry in root.findall("atom:entry", ATOM_NS):
        ident = (entry.findtext("atom:id", "", ATOM_NS)).split("/abs/")[-1]
        out[re.sub(r"v\d+$", "", ident)] = entry
    return out


def _feed(entries: list[ET.Element], query: str) -> bytes:
    ET.register_namespace("", ATOM_NS["atom"])
    ET.register_namespace("arxiv", ATOM_NS["arxiv"])
    ET.register_namespace("opensearch", "http://a9.com/-/spec/opensearch/1.1/")
    feed = ET.Element(f"{{{ATOM_NS['atom']}}}feed")
    ET.SubElement(feed, f"{{{ATOM_NS['atom']}}}title").text = f"ArXiv Query: {query}"
    total = ET.SubElement(feed, "{http://a9.com/-/spec/opensearch/1.1/}totalResults")
    total.text = str(len(entries))
    feed.extend(entries)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(feed)


def arxiv_handler(entries: dict[str, ET.Element]) -> Any:
    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        if _fault(h, srv):
            return
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path != "/query":
            reply(h, 404, b"not found")
            return
        found: list[ET.Element] = []
        if query.get("id_list"):
            found = [entries[i] for i in query["id_list"].split(",")
                     if re.sub(r"v\d+$", "", i) in entries]
        elif query.get("search_query"):
            title = re.search(r'ti:"([^"]+)"', query["search_query"])
            items = [{"id": k, "title": e.findtext("atom:title", "", ATOM_NS)}
                     for k, e in entries.items()]
            found = [entries[i["id"]] for i in _best(title.group(1) if title else "", items,
                                                     lambda i: i["title"], 5, floor=80)]
        reply(h, 200, _feed(found, parts.query), "application/atom+xml")

    return handle


# -- PubMed E-utilities -------------------------------------------------------------------


def pubmed_docs(data: CrossrefData) -> dict[str, dict[str, Any]]:
    sample = json.loads((SAMPLES / "esummary.json").read_text(encoding="utf-8"))["result"]
    docs = {uid: sample[uid] for uid in sample["uids"]}
    for n, w in enumerate(_crossref_works(data)):
        if w["type"] != "journal-article":
            continue
        uid = str(PMID_BASE + n)
        docs[uid] = {
            "uid": uid, "pubdate": str(w["year"] or ""), "source": w["container"] or "",
            "authors": [{"name": f"{f} {''.join(p[0] for p in g.split() if p)}".strip(),
                         "authtype": "Author"} for f, g in w["authors"]],
            "title": w["title"] + ".", "volume": w["volume"] or "", "issue": w["issue"] or "",
            "pages": w["page"] or "", "pubtype": ["Journal Article"],
            "articleids": [{"idtype": "pubmed", "value": uid},
                           {"idtype": "doi", "value": w["doi"]}],
            "fulljournalname": w["container"] or "",
        }
    return docs


def pubmed_handler(docs: dict[str, dict[str, Any]]) -> Any:
    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        if _fault(h, srv):
            return
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/esearch.fcgi":
            term = query.get("term", "")
            title = re.search(r"^(.*?)\[Title\]", term)
            author = re.search(r"(\S+)\[Author\]", term)
            items = [d for d in docs.values()
                     if author is None or any(a["name"].lower().startswith(author.group(1).lower())
                                              for a in d["authors"])]
            hits = _best(title.group(1) if title else term, items, lambda d: d["title"],
                         int(query.get("retmax", "20")), floor=85)
            ids = [d["uid"] for d in hits]
            reply_json(h, 200, {"header": {"type": "esearch", "version": "0.3"},
                                "esearchresult": {"count": str(len(ids)), "retmax": str(len(ids)),
                                                  "retstart": "0", "idlist": ids}})
        elif parts.path == "/esummary.fcgi":
            ids = [i for i in query.get("id", "").split(",") if i]
            result: dict[str, Any] = {"uids": [i for i in ids if i in docs]}
            for i in ids:
                result[i] = docs.get(i, {"uid": i, "error": "cannot get document summary"})
            reply_json(h, 200, {"header": {"type": "esummary", "version": "0.3"},
                                "result": result})
        else:
            reply(h, 404, b"not found")

    return handle


# -- DBLP ---------------------------------------------------------------------------------


def dblp_infos(data: CrossrefData) -> list[dict[str, Any]]:
    sample = json.loads((SAMPLES / "dblp_publ.json").read_text(encoding="utf-8"))
    infos = [h["info"] for h in sample["result"]["hits"]["hit"]]
    for n, w in enumerate(_crossref_works(data)):
        if w["type"] not in ("proceedings-article", "journal-article"):
            continue
        people = [{"@pid": f"x/{n}-{i}", "text": f"{g} {f}".strip()}
                  for i, (f, g) in enumerate(w["authors"])]
        infos.append({
            "authors": {"author": people[0] if len(people) == 1 else people},
            "title": w["title"].rstrip(".") + ".", "venue": w["container"] or "CoRR",
            "volume": w["volume"], "pages": w["page"], "year": str(w["year"] or ""),
            "type": "Journal Articles" if w["type"] == "journal-article"
            else "Conference and Workshop Papers",
            "key": f"journals/x/W{n}", "doi": w["doi"], "ee": f"https://doi.org/{w['doi']}",
        })
    return infos


def dblp_handler(infos: list[dict[str, Any]]) -> Any:
    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        if _fault(h, srv):
            return
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path != "/search/publ/api" or query.get("format") != "json":
            reply(h, 400, b"bad request")
            return
        hits = _best(query.get("q", ""), infos,
                     lambda i: i["title"] + " " + " ".join(
                         a["text"] for a in (i["authors"]["author"]
                                             if isinstance(i["authors"]["author"], list)
                                             else [i["authors"]["author"]])),
                     int(query.get("h", "30")), floor=85)
        reply_json(h, 200, {"result": {
            "query": query.get("q", ""), "status": {"@code": "200", "text": "OK"},
            "hits": {"@total": str(len(hits)), "@sent": str(len(hits)), "@first": "0",
                     "hit": [{"@score": "5", "info": i} for i in hits]}}})

    return handle


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(name="openalex")
def openalex_server(crossref_data: CrossrefData) -> Iterator[Server]:
    srv = serve("127.0.0.1", openalex_handler(openalex_works(crossref_data)))
    yield srv
    srv.close()


@pytest.fixture(name="arxiv")
def arxiv_server() -> Iterator[Server]:
    srv = serve("127.0.0.1", arxiv_handler(arxiv_entries()))
    yield srv
    srv.close()


@pytest.fixture(name="pubmed")
def pubmed_server(crossref_data: CrossrefData) -> Iterator[Server]:
    srv = serve("127.0.0.1", pubmed_handler(pubmed_docs(crossref_data)))
    yield srv
    srv.close()


@pytest.fixture(name="dblp")
def dblp_server(crossref_data: CrossrefData) -> Iterator[Server]:
    srv = serve("127.0.0.1", dblp_handler(dblp_infos(crossref_data)))
    yield srv
    srv.close()


# Every stand-in of a run, and Settings pointing at them (shared by the existence
# and cache-mode tests).
@pytest.fixture(name="registries")
def registries_fixture(crossref: Server, proxy: Server, openalex: Server, arxiv: Server,
                       pubmed: Server, dblp: Server) -> dict[str, Server]:
    return {"crossref": crossref, "proxy": proxy, "openalex": openalex, "arxiv": arxiv,
            "pubmed": pubmed, "dblp": dblp}


def registry_settings(reg: dict[str, Server], tmp_path: Path, **kw: Any) -> Settings:
    s = Settings(crossref_url=reg["crossref"].base, doi_resolver=reg["proxy"].base,
                 mailto="ci@example.org", allow_hosts=["127.0.0.1"],
                 cache_dir=str(tmp_path / "cache"), timeout=1.0,
                 openalex_url=reg["openalex"].base, openalex_key="k",
                 arxiv_url=reg["arxiv"].base, pubmed_url=reg["pubmed"].base,
                 dblp_url=reg["dblp"].base)
    for k, v in kw.items():
        setattr(s, k, v)
    return s
