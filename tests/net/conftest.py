"""Loopback servers for the network tests: a Crossref-compatible API, a DOI proxy, web hosts.

The Crossref server answers from the real recorded responses in
``tests/data/shared/fixtures/crossref`` (matched by the MANIFEST's request URLs) and
builds the list answers nobody recorded (``filter=doi:``, ``filter=updates:``,
``query.bibliographic``) from those same recorded records.  Every server binds
to 127.0.0.0/8 only, runs in daemon threads, and releases hanging handlers when
it shuts down, so no test can touch the internet or hang.
"""

from __future__ import annotations

import contextlib
import csv
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "shared" / "fixtures" / "crossref"

# Fields Crossref accepts in select= (a subset of the documented list is enough here).
SELECTABLE = {
    "DOI",
    "type",
    "title",
    "subtitle",
    "original-title",
    "short-title",
    "container-title",
    "short-container-title",
    "author",
    "editor",
    "volume",
    "issue",
    "page",
    "article-number",
    "issued",
    "published",
    "published-print",
    "published-online",
    "update-to",
    "updated-by",
    "relation",
    "publisher",
    "ISSN",
    "URL",
    "created",
    "score",
    "member",
    "prefix",
}


@dataclass
class Server:
    host: str
    port: int
    httpd: ThreadingHTTPServer
    log: list[tuple[str, str]] = field(default_factory=list)  # (method, path with query)
    release: threading.Event = field(default_factory=threading.Event)
    state: dict[Any, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, prefix: str = "") -> int:
        with self.lock:
            return sum(1 for _, p in self.log if p.startswith(prefix))

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


Handler = Callable[[BaseHTTPRequestHandler, "Server"], None]


def serve(host: str, handle: Handler) -> Server:
    holder: dict[str, Server] = {}

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _do(self) -> None:
            srv = holder["server"]
            with srv.lock:
                srv.log.append((self.command, self.path))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handle(self, srv)

        do_GET = _do
        do_HEAD = _do
        do_POST = _do  # registry batch queries (Semantic Scholar)

    class S(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    httpd = S((host, 0), H)
    srv = Server(host, httpd.server_address[1], httpd)
    holder["server"] = srv
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return srv


def reply(
    h: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    ctype: str = "text/plain",
    headers: dict[str, str] | None = None,
) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def reply_json(
    h: BaseHTTPRequestHandler, status: int, data: Any, headers: dict[str, str] | None = None
) -> None:
    reply(h, status, json.dumps(data).encode(), "application/json", headers)


# -- the Crossref-compatible API ---------------------------------------------------------


def _key(url: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    parts = urlsplit(url)
    query = {k: tuple(v) for k, v in parse_qs(parts.query).items() if k != "mailto"}
    return unquote(parts.path).lower(), tuple(sorted(query.items()))


class CrossrefData:
    """The recorded responses, indexed for the loopback API."""

    def __init__(self) -> None:
        self.by_request: dict[Any, tuple[int, Path]] = {}
        self.works: dict[str, dict[str, Any]] = {}
        self.notices: list[dict[str, Any]] = []
        self.ra: dict[str, Any] = {}
        with (FIXTURES / "MANIFEST.tsv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                path = FIXTURES / row["file"]
                url = row["request_url"]
                if not url.startswith("https://api.crossref.org"):
                    if row["kind"] == "doi-ra":
                        self.ra[urlsplit(url).path.split("/ra/", 1)[1].lower()] = json.loads(
                            path.read_text(encoding="utf-8")
                        )
                    continue
                self.by_request[_key(url)] = (int(row["status"]), path)
                if row["kind"] == "work":
                    message = json.loads(path.read_text(encoding="utf-8"))["message"]
                    self.works[message["DOI"].lower()] = message
                elif path.suffix == ".json" and int(row["status"]) == 200:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    items = (data.get("message") or {}).get("items") or []
                    self.notices += [i for i in items if isinstance(i, dict) and "update-to" in i]


@pytest.fixture(scope="session")
def crossref_data() -> CrossrefData:
    return CrossrefData()


def _select(items: list[dict[str, Any]], select: str | None) -> list[dict[str, Any]]:
    if not select:
        return items
    keep = set(select.split(","))
    return [{k: v for k, v in i.items() if k in keep} for i in items]


def _list_message(items: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    return {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {
            "facets": {},
            "total-results": len(items),
            "items": items[:rows],
            "items-per-page": rows,
            "query": {"start-index": 0, "search-terms": None},
        },
    }


def crossref_handler(data: CrossrefData) -> Handler:
    from rapidfuzz import fuzz

    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = unquote(parts.path)
        headers = {"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"}
        select = query.get("select")
        if select and not set(select.split(",")) <= SELECTABLE:
            bad = sorted(set(select.split(",")) - SELECTABLE)
            reply_json(
                h,
                400,
                {
                    "status": "failed",
                    "message-type": "validation-failure",
                    "message": [{"type": "select-not-valid", "value": bad[0]}],
                },
            )
            return
        recorded = data.by_request.get(_key(h.path))
        if recorded is not None:
            status, file = recorded
            ctype = "application/json" if file.suffix == ".json" else "text/plain"
            reply(h, status, file.read_bytes(), ctype, headers)
            return
        if path.rstrip("/") == "/works":
            rows = int(query.get("rows", "20"))
            filters = [f.split(":", 1) for f in query.get("filter", "").split(",") if ":" in f]
            if filters and all(name == "doi" for name, _ in filters):
                items = [data.works[v.lower()] for _, v in filters if v.lower() in data.works]
                reply_json(h, 200, _list_message(_select(items, select), rows), headers)
                return
            if filters and all(name == "updates" for name, _ in filters):
                targets = {v.lower() for _, v in filters}
                items = [
                    n
                    for n in data.notices
                    if any(u.get("DOI", "").lower() in targets for u in n["update-to"])
                ]
                reply_json(h, 200, _list_message(_select(items, select), rows), headers)
                return
            if "query.bibliographic" in query:
                q = query["query.bibliographic"].lower()
                scored = []
                for work in data.works.values():
                    text = " ".join(
                        [
                            *(a.get("family", "") for a in work.get("author", [])),
                            *(work.get("title") or []),
                            *(work.get("container-title") or []),
                        ]
                    ).lower()
                    scored.append((fuzz.token_set_ratio(q, text), work))
                scored.sort(key=lambda s: -s[0])
                items = [dict(w, score=s) for s, w in scored]
                reply_json(h, 200, _list_message(_select(items, select), rows), headers)
                return
        if path.startswith("/works/"):
            doi = path[len("/works/") :].lower()
            if doi in data.works:
                reply_json(
                    h,
                    200,
                    {"status": "ok", "message-type": "work", "message": data.works[doi]},
                    headers,
                )
                return
        reply(h, 404, b"Resource not found.", "text/plain", headers)

    return handle


# DOIs registered at another agency (DataCite): the loopback proxy knows them.
ELSEWHERE = {"10.5281/zenodo.1234567", "10.48550/arxiv.1706.03762"}


def proxy_handler(data: CrossrefData) -> Handler:
    def handle(h: BaseHTTPRequestHandler, srv: Server) -> None:
        path = unquote(urlsplit(h.path).path)
        if path.startswith("/api/handles/"):
            doi = path[len("/api/handles/") :].lower()
            if doi in ELSEWHERE or doi in data.works:
                reply_json(
                    h,
                    200,
                    {"responseCode": 1, "handle": doi, "values": [{"index": 1, "type": "URL"}]},
                )
            else:
                reply_json(h, 404, {"responseCode": 100, "handle": doi})
            return
        if path.startswith("/ra/"):
            # "Which RA?": a comma-separated list (commas inside a DOI percent-encoded),
            # one answer per name, each echoing the name as asked.  A prefix is answered
            # from the recorded answers; a whole DOI with its prefix's agency when it is
            # registered here, else "DOI does not exist".
            raw = urlsplit(h.path).path[len("/ra/") :]
            answers = []
            for name in (unquote(n) for n in raw.split(",")):
                lowered = name.lower()
                prefix = lowered.split("/")[0]
                recorded = data.ra.get(prefix, [{}])[0].get("RA")
                if "/" not in lowered and recorded:
                    answers.append({"DOI": name, "RA": recorded})
                elif lowered in data.works or lowered in ELSEWHERE:
                    agency = recorded or ("Crossref" if lowered in data.works else "DataCite")
                    answers.append({"DOI": name, "RA": agency})
                else:
                    answers.append({"DOI": name, "status": "DOI does not exist"})
            reply_json(h, 200, answers)
            return
        reply(h, 404, b"<html>DOI Not Found</html>", "text/html")

    return handle


# -- web hosts ----------------------------------------------------------------------------


def _reset(h: BaseHTTPRequestHandler) -> None:
    # SO_LINGER 0 makes close() send RST: the client sees "connection reset".
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.close_connection = True


def web_handler(h: BaseHTTPRequestHandler, srv: Server) -> None:
    parts = urlsplit(h.path)
    path = parts.path
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if path == "/ok" or path.startswith("/ok/"):
        reply(h, 200, b"fine", "text/html")
    elif path in ("/404", "/410", "/403", "/500", "/503"):
        reply(h, int(path[1:]), b"no")
    elif path == "/flaky":  # 503 twice, then 200 (per key)
        key = query.get("key", "")
        with srv.lock:
            n = srv.state.get(("flaky", key), 0)
            srv.state[("flaky", key)] = n + 1
        reply(h, 503 if n < 2 else 200, b"")
    elif path == "/429":  # rate limited once, then fine
        key = query.get("key", "")
        with srv.lock:
            n = srv.state.get(("429", key), 0)
            srv.state[("429", key)] = n + 1
            srv.state.setdefault(("429-times", key), []).append(time.monotonic())
        if n == 0:
            reply(h, 429, b"", headers={"Retry-After": query.get("after", "1")})
        else:
            reply(h, 200, b"")
    elif path == "/429-long":
        reply(h, 429, b"", headers={"Retry-After": "3600"})
    elif path == "/moved":
        reply(h, 301, b"", headers={"Location": "/ok/new"})
    elif path == "/moved308":
        reply(h, 308, b"", headers={"Location": srv.url("/ok/new308")})
    elif path == "/temporary":
        reply(h, 302, b"", headers={"Location": "/ok"})
    elif path == "/moved-dead":
        reply(h, 301, b"", headers={"Location": "/404"})
    elif path.startswith("/chain/"):
        n = int(path.rsplit("/", 1)[1])
        reply(h, 301, b"", headers={"Location": f"/chain/{n - 1}" if n > 1 else "/ok"})
    elif path == "/loop-a":
        reply(h, 302, b"", headers={"Location": "/loop-b"})
    elif path == "/loop-b":
        reply(h, 302, b"", headers={"Location": "/loop-a"})
    elif path == "/redirect":  # to wherever ?to= says
        reply(h, 302, b"", headers={"Location": query["to"]})
    elif path == "/head405":
        if h.command == "HEAD":
            reply(h, 405, b"")
        else:
            reply(h, 200, b"fine")
    elif path == "/head404":  # some servers answer HEAD wrongly
        reply(h, 404 if h.command == "HEAD" else 200, b"")
    elif path == "/hang":
        srv.release.wait(30)
    elif path == "/reset":
        _reset(h)
    elif path == "/huge":  # 10 GB announced; HEAD refused so the GET path is exercised
        if h.command == "HEAD":
            reply(h, 405, b"")
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(10 * 1024**3))
        h.end_headers()
        sent = 0
        chunk = b"\0" * 65536
        try:
            while sent < 10 * 1024**3 and not srv.release.is_set():
                h.wfile.write(chunk)
                sent += len(chunk)
        finally:
            with srv.lock:
                srv.state["huge-sent"] = sent
    elif path == "/slow":
        time.sleep(int(query.get("ms", "100")) / 1000)
        reply(h, 200, b"")
    elif path == "/concurrency":  # measures how many requests are in flight at once
        with srv.lock:
            srv.state["now"] = srv.state.get("now", 0) + 1
            srv.state["max"] = max(srv.state.get("max", 0), srv.state["now"])
        time.sleep(0.05)
        with srv.lock:
            srv.state["now"] -= 1
        reply(h, 200, b"")
    else:
        reply(h, 404, b"unknown test path")


@pytest.fixture(scope="session")
def crossref(crossref_data: CrossrefData) -> Iterator[Server]:
    srv = serve("127.0.0.1", crossref_handler(crossref_data))
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def proxy(crossref_data: CrossrefData) -> Iterator[Server]:
    srv = serve("127.0.0.1", proxy_handler(crossref_data))
    yield srv
    srv.close()


@pytest.fixture
def web() -> Iterator[Server]:
    srv = serve("127.0.0.1", web_handler)
    yield srv
    srv.close()


@pytest.fixture
def web2() -> Iterator[Server]:
    srv = serve("127.0.0.2", web_handler)
    yield srv
    srv.close()


@pytest.fixture
def web3() -> Iterator[Server]:
    srv = serve("127.0.0.3", web_handler)
    yield srv
    srv.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


@pytest.fixture(autouse=True)
def no_real_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names under .invalid fail like a name that does not exist; other names must be
    loopback literals or localhost, so a test can never reach a real resolver."""
    real = socket.getaddrinfo

    def fake(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if name.endswith(".temporary-failure"):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if name.endswith(".metadata.test"):  # a name that resolves to the cloud metadata IP
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", args[0]))]
        if name.endswith(".private.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", args[0]))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Public host names (a registry's default URL, say) fail like a name that does not
    exist, so a test that forgets to point a source at a stand-in never leaves the machine."""
    inner = socket.getaddrinfo

    def fake(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = (host.decode() if isinstance(host, bytes) else str(host or "")).lower()
        local = name in ("localhost", "") or name.endswith((".invalid", ".temporary-failure",
                                                            ".test", ".localhost"))
        try:
            import ipaddress

            ipaddress.ip_address(name)
            local = True
        except ValueError:
            pass
        if not local:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return inner(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
