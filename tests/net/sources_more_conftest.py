"""Loopback stand-ins for DataCite, DOI content negotiation, Semantic Scholar, Open Library,
the ACL Anthology and OpenReview.

Each answers in its API's documented shape, from the hand-written examples in
``fixtures/sources/`` (see the README there; written from the documentation,
not recorded).  ``server.state["mode"]`` switches a stand-in to ``"500"`` or
``"hang"`` (answers after the client's timeout), as in ``sources_conftest``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from rapidfuzz import fuzz

from .conftest import CrossrefData, Server, proxy_handler, reply, reply_json, serve
from .sources_conftest import SAMPLES, _fault

CSL = "application/vnd.citationstyles.csl+json"


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _query(h: BaseHTTPRequestHandler) -> tuple[str, dict[str, str]]:
    parts = urlsplit(h.path)
    return unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}


# -- DataCite REST API --------------------------------------------------------------------


def datacite_handler(h: BaseHTTPRequestHandler, srv: Server) -> None:
    if _fault(h, srv):
        return
    path, query = _query(h)
    record = _sample("datacite_doi.json")
    if path.rstrip("/") == "/dois" and "ids" in query:
        # The DOI list filtered by ids=A,B (JSON:API: the held ones under "data").
        wanted = {d.strip().lower() for d in query["ids"].split(",")}
        items = [record["data"]] if record["data"]["id"] in wanted else []
        reply_json(h, 200, {"data": items, "meta": {"total": len(items), "totalPages": 1,
                                                    "page": 1},
                            "links": {"self": h.path}})
    elif path.lower() == "/dois/" + record["data"]["id"]:
        reply_json(h, 200, record, )
    elif path.startswith("/dois/"):
        reply_json(h, 404, {"errors": [{"status": "404", "title":
                                        "The resource you are looking for doesn't exist."}]})
    else:
        reply_json(h, 400, {"errors": [{"status": "400", "title": "Bad request"}]})


# -- the DOI resolver, with content negotiation --------------------------------------------


def resolver_handler(data: CrossrefData) -> Any:
    """doi.org: handle API and /ra/ as ``conftest.proxy_handler``; ``GET /{doi}`` redirects
    to the agency's CSL JSON when asked for it, else to a landing page."""
    proxy = proxy_handler(data)
    csl = _sample("csl_zenodo.json")
    held = {csl["DOI"].lower(): csl}

    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        if _fault(h, srv):
            return
        path, _ = _query(h)
        if path.startswith("/10."):
            doi = path[1:].lower()
            if srv.state.get("negotiation") == "500":  # the handle API still answers
                reply(h, 500, b"Internal Server Error")
            elif doi not in held:
                reply(h, 404, b"<html>DOI Not Found</html>", "text/html")
            elif CSL in (h.headers.get("Accept") or ""):
                # The agency's own route, as DataCite's data.crosscite.org answers.
                reply(h, 302, b"", headers={"Location": f"/agency/csl/{quote(doi)}"})
            else:
                reply(h, 302, b"", headers={"Location": f"/landing/{quote(doi)}"})
        elif path.startswith("/agency/csl/"):
            item = held.get(path[len("/agency/csl/"):].lower())
            if item is None:
                reply_json(h, 404, {"status": "404"})
            else:
                reply(h, 200, json.dumps(item).encode(), CSL)
        elif path.startswith("/landing/"):
            reply(h, 200, b"<html><body>Landing page</body></html>", "text/html")
        else:
            proxy(h, srv)

    return handle


# -- Semantic Scholar Graph API -----------------------------------------------------------


def semanticscholar_handler(h: BaseHTTPRequestHandler, srv: Server) -> None:
    if _fault(h, srv):
        return
    if srv.state.get("require_key") and h.headers.get("x-api-key") != "s2-key":
        reply_json(h, 403, {"message": "Forbidden"})
        return
    path, query = _query(h)
    paper = _sample("s2_paper.json")
    ids = paper["externalIds"]
    known = {f"DOI:{ids['DOI']}".lower(), f"ARXIV:{ids['ArXiv']}".lower(),
             f"ACL:{ids['ACL']}".lower(), paper["paperId"]}
    if path == "/paper/batch" and h.command == "POST":
        body = json.loads(h.rfile.read(int(h.headers.get("Content-Length") or 0)) or b"{}")
        if not isinstance(body.get("ids"), list) or len(body["ids"]) > 500:
            reply_json(h, 400, {"error": "Exceeds 500 ids or no valid paper ids given"})
        else:
            reply_json(h, 200, [paper if str(i).lower() in known else None
                                for i in body["ids"]])
    elif path == "/paper/search":
        score = fuzz.token_set_ratio(query.get("query", "").lower(), paper["title"].lower())
        hits = [paper] if score >= 85 else []
        reply_json(h, 200, {"total": len(hits), "offset": 0, "data": hits})
    elif path.startswith("/paper/"):
        ident = path[len("/paper/"):].lower()
        if ident in known:
            reply_json(h, 200, paper)
        else:
            reply_json(h, 404, {"error": f"Paper with id {ident} not found"})
    else:
        reply_json(h, 404, {"message": "Not Found"})


# -- Open Library Books API ---------------------------------------------------------------


def openlibrary_handler(h: BaseHTTPRequestHandler, srv: Server) -> None:
    if _fault(h, srv):
        return
    path, query = _query(h)
    books = _sample("openlibrary_books.json")
    if path != "/api/books" or query.get("format") != "json" or query.get("jscmd") != "data":
        reply(h, 400, b"bad request")
        return
    wanted = query.get("bibkeys", "").split(",")
    reply_json(h, 200, {k: books[k] for k in wanted if k in books})


# -- ACL Anthology ------------------------------------------------------------------------


def acl_handler(h: BaseHTTPRequestHandler, srv: Server) -> None:
    if _fault(h, srv):
        return
    path, _ = _query(h)
    m = re.fullmatch(r"/(.+)\.bib", path)
    sample = SAMPLES / f"acl_{m.group(1)}.bib" if m else None
    if sample is not None and sample.is_file():
        reply(h, 200, sample.read_bytes(), "application/x-bibtex; charset=utf-8")
    else:
        reply(h, 404, b"<html>Page not found</html>", "text/html")


# -- OpenReview API 2 ---------------------------------------------------------------------


def openreview_handler(h: BaseHTTPRequestHandler, srv: Server) -> None:
    if _fault(h, srv):
        return
    path, query = _query(h)
    notes = _sample("openreview_notes.json")["notes"]
    if srv.state.get("rejected"):
        notes[0]["content"]["venue"] = {"value": "Submitted to ICLR 2021"}
    if path != "/notes":
        reply_json(h, 404, {"name": "NotFoundError", "message": "Not found"})
        return
    found = [n for n in notes if n["id"] == query.get("id")]
    if not found:
        reply_json(h, 404, {"name": "NotFoundError", "message":
                            f"The Note {query.get('id')} was not found", "status": 404})
    else:
        reply_json(h, 200, {"notes": found, "count": len(found)})


# -- fixtures -----------------------------------------------------------------------------


def _serving(handle: Any) -> Iterator[Server]:
    srv = serve("127.0.0.1", handle)
    yield srv
    srv.close()


@pytest.fixture(name="datacite")
def datacite_server() -> Iterator[Server]:
    yield from _serving(datacite_handler)


@pytest.fixture(name="resolver")
def resolver_server(crossref_data: CrossrefData) -> Iterator[Server]:
    yield from _serving(resolver_handler(crossref_data))


@pytest.fixture(name="semanticscholar")
def semanticscholar_server() -> Iterator[Server]:
    yield from _serving(semanticscholar_handler)


@pytest.fixture(name="openlibrary")
def openlibrary_server() -> Iterator[Server]:
    yield from _serving(openlibrary_handler)


@pytest.fixture(name="acl")
def acl_server() -> Iterator[Server]:
    yield from _serving(acl_handler)


@pytest.fixture(name="openreview")
def openreview_server() -> Iterator[Server]:
    yield from _serving(openreview_handler)
