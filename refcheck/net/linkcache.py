"""The link checks' own way through the HTTP cache: one look-up, no body, batched writes.

A link check asks a server for headers only (HEAD, or a GET whose body is never
read), so requests-cache's full request path costs more than it gives there: it
looked the answer up twice per cold URL (a cache-only request, then the real
request looking again), applied its expiry policy, and wrote and committed each
answer under the SQLite backend's single lock, all while ~80 worker threads
contended for one GIL.  Here a link hop computes the cache key once (the same
key requests-cache computes, so read-only replay, registry code and older caches
read the same entries), reads the entry once, sends a miss through the plain
session, and hands the answer to one writer thread that stores whatever has
queued up in one transaction.  Nothing changes on disk: entries are ordinary
requests-cache entries with the same lifetimes as before.

An answer waiting to be written is visible to look-ups at once, and
:meth:`LinkCache.close` writes everything still queued before the run ends,
so a second run answers every URL from the cache.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import requests
import urllib3

_GONE = (404, 410)
# A server that does not do HEAD says so definitely: stored (for a day, as a dead page
# is), a warm run goes straight to the GET instead of asking with HEAD again.
_NO_HEAD = (405, 501)


class LinkCache:
    """Cache look-ups and writes for link hops, over a requests-cache ``CachedSession``."""

    def __init__(self, session: Any, sender: requests.Session, *, stored: tuple[int, ...],
                 link_ttl: timedelta, failure_ttl: timedelta) -> None:
        self._stored = stored  # the statuses the session itself would store
        self._sender = sender  # the plain session misses go out through
        self._cache = session.cache
        self._link_ttl = link_ttl
        self._failure_ttl = failure_ttl
        # Answers sent for but not yet written: look-ups see them before the writer has.
        self._pending: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[str, requests.Response, datetime] | None] = \
            queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._closed = False
        # SQLite: look-ups read through connections of their own.  The backend's one
        # connection sits behind a lock that a write transaction holds until it commits,
        # so ~80 threads reading through it wait for every write; in WAL mode readers on
        # other connections never wait for the writer.
        responses = self._cache.responses
        self._db: tuple[str, str] | None = None
        if isinstance(getattr(responses, "db_path", None), (str, os.PathLike)) and \
                getattr(responses, "wal", False) and \
                getattr(responses, "table_name", "").isidentifier():
            self._db = (os.fspath(responses.db_path), responses.table_name)
        self._readers: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._opened: list[sqlite3.Connection] = []

    def fetch(self, method: str, url: str,
              send: Callable[[requests.PreparedRequest], requests.Response | BaseException],
              ) -> tuple[requests.Response | BaseException, bool]:
        """(one hop's answer, whether the cache gave it); the body is never read.

        The request is built and keyed once and the entry read once (not a cache-only
        request and then the session's own look-up); a miss goes out through ``send``
        uncached and its answer is queued for the writer.
        """
        try:
            prepared = self.prepare(method, url)
        except (requests.RequestException, ValueError) as exc:  # nothing could be sent
            return exc, False
        key = self.key(prepared)
        cached, fresh = self.lookup(key)
        if cached is not None and fresh:
            return cast(requests.Response, cached), True
        outcome = send(prepared)
        if cached is not None and (isinstance(outcome, BaseException) or (
                outcome.status_code >= 400 and not self.storable(method, outcome.status_code))):
            # stale-if-error, as the session did: an expired definite answer beats a
            # failure (an exception, or an error status the cache would not keep).
            if not isinstance(outcome, BaseException):
                outcome.close()
            return cast(requests.Response, cached), True
        if isinstance(outcome, BaseException):
            return outcome, False
        read = False
        if method == "HEAD":
            # Empty: read, the connection goes back to the pool.  A server that breaks
            # the framing of an answer without a body only loses its connection.
            with contextlib.suppress(requests.RequestException, urllib3.exceptions.HTTPError,
                                     OSError):
                _ = outcome.content
                read = True
        if not read:
            outcome.close()  # abandons the body: the connection is dropped, nothing is read
            outcome._content = b""
            outcome._content_consumed = True  # type: ignore[attr-defined]
        self.store(key, outcome, method)
        return outcome, False

    def prepare(self, method: str, url: str) -> requests.PreparedRequest:
        """The request to send and key, built once (raises what ``requests`` raises for
        a URL it cannot send).

        The session's ``prepare_request`` merges settings, cookies, auth and hooks
        through several layers per call; a link hop needs the method, the URL as
        ``requests`` normalises it, the sending session's headers and the cookies its
        jar holds for the URL (sites that set one on a redirect want it on the next
        hop), which is all ``prepare_request`` gave a link hop.
        """
        prepared = requests.PreparedRequest()
        prepared.prepare_method(method)
        prepared.prepare_url(url, None)
        prepared.prepare_headers(self._sender.headers)
        prepared.prepare_cookies(self._sender.cookies)
        prepared.body = None
        prepared.hooks = {"response": []}
        return prepared

    def key(self, prepared: requests.PreparedRequest) -> str:
        """requests-cache's key for this request, as the session computes it."""
        key: str = self._cache.create_key(prepared, verify=True)
        return key

    def lookup(self, key: str) -> tuple[Any, bool]:
        """(the stored answer or None, whether it is still fresh)."""
        with self._lock:
            pending = self._pending.get(key)
        if pending is not None:
            return pending, True
        try:
            cached = self._read(key) if self._db else self._cache.get_response(key)
        except Exception:  # an unreadable entry is a miss, never a failed check
            return None, False
        if cached is None:
            return None, False
        return cached, not cached.is_expired

    def _read(self, key: str) -> Any:
        assert self._db is not None
        try:
            con = self._readers.get_nowait()
        except queue.Empty:
            con = sqlite3.connect(self._db[0], check_same_thread=False)
            with self._lock:
                self._opened.append(con)
        try:
            row = con.execute(f"SELECT value FROM {self._db[1]} WHERE key = ?", (key,)).fetchone()
        finally:
            self._readers.put(con)
        return None if row is None else self._cache.responses.deserialize(key, row[0])

    def storable(self, method: str, code: int) -> bool:
        """Is this a definite answer, one that is stored?"""
        return code in self._stored or (method == "HEAD" and code in _NO_HEAD)

    def store(self, key: str, response: requests.Response, method: str) -> None:
        """Queue a definite answer (its body already dropped) for the writer thread."""
        code = response.status_code
        if not self.storable(method, code):
            return
        ttl = self._failure_ttl if code in _GONE or code not in self._stored else self._link_ttl
        expires = datetime.now(timezone.utc) + ttl
        with self._lock:
            if self._closed:
                return
            self._pending[key] = _Answer(response)
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, daemon=True,
                                                name="refcheck-link-cache")
                self._writer.start()
        self._queue.put((key, response, expires))

    def close(self) -> None:
        """Write every queued answer, then stop the writer."""
        with self._lock:
            self._closed = True
            writer = self._writer
        if writer is not None:
            self._queue.put(None)
            writer.join()
        for con in self._opened:
            con.close()
        self._opened.clear()

    def _write_loop(self) -> None:
        from requests_cache.cache_keys import redact_response
        from requests_cache.models.response import CachedResponse

        responses = self._cache.responses
        ignored = self._cache._settings.ignored_parameters
        done = False
        while not done:
            batch = [self._queue.get()]
            # Whatever queued meanwhile goes into the same transaction: one commit and
            # one acquisition of the backend's lock for many answers.
            with contextlib.suppress(queue.Empty):
                while len(batch) < 500:
                    batch.append(self._queue.get_nowait())
            items = [b for b in batch if b is not None]
            done = len(items) != len(batch)
            entries = []
            for key, response, expires in items:
                # A cache write failing must never fail a check (the answer was given).
                with contextlib.suppress(Exception):
                    cached = CachedResponse.from_response(response, expires=expires)
                    entries.append((key, redact_response(cached, ignored)))
            bulk = getattr(responses, "bulk_commit", contextlib.nullcontext)
            # Nothing may escape the transaction but SQLite's own errors: requests-cache
            # rolls back only those, and an open transaction would stall every later write.
            with contextlib.suppress(Exception), bulk():
                for key, cached in entries:
                    try:
                        responses[key] = cached
                    except sqlite3.OperationalError:
                        raise
                    except Exception:  # one bad entry: the others still go
                        continue
            with self._lock:
                for key, _, _ in items:
                    self._pending.pop(key, None)


class _Answer:
    """What a look-up sees of an answer not yet written: its status and headers."""

    from_cache = True
    is_expired = False

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.url = response.url

    def close(self) -> None:
        pass

    def __enter__(self) -> _Answer:
        return self

    def __exit__(self, *exc: object) -> None:
        pass
