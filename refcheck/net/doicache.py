"""Registry answers kept per identifier, beside the HTTP cache.

The HTTP cache keys an answer by its request, and a batch request
(``/works?filter=doi:A,doi:B,…``, ``/dois?ids=…``, ``doi.org/ra/A,B``) by the
whole set of identifiers it names.  Two runs, or two tasks of a fleet, that
batch different sets then share nothing, although every record in one answer
is the record of one DOI: a fleet of two sent 1.8× the registry requests of one
machine.  So each identifier's part of a batch answer is also stored on its own
here, and the batch paths ask this store first and only send the identifiers it
does not know.

Entries are JSON values under (kind, key): ``crossref`` records, ``notices``
lists, ``ra`` agencies, ``datacite`` records; ``None`` is a kept negative
("Crossref does not hold it"), which callers store with a short lifetime.
Where they live follows the HTTP cache: SQLite in the cache directory, Redis
for a fleet (keys expire by themselves), memory under ``--no-cache``.  In
read-only cache mode expired entries are answered too and nothing is written.
A store that cannot be read or written answers nothing and the requests are
sent: a broken cache never changes a verdict.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from refcheck.net.renewal import LEASE, Renewal

__all__ = ["Claim", "MemoryStore", "RecordStore", "RedisStore", "SQLiteStore", "open_store"]

_PREFIX = "refcheck:record:"
_ASKING = "refcheck:asking:"
_CHUNK = 400  # SQLite host parameters per statement (well under its default 999)


# Identifiers some thread of this process is asking a registry for right now, by
# (store scope, kind, key), for the stores that keep no claims of their own (Redis does).
_asking: set[tuple[str, str, str]] = set()
_asking_lock = threading.Lock()
# How long another thread waits for a claim's answer before asking itself.  A Redis
# claim lapses within renewal.LEASE seconds of its worker's death (it is renewed while
# held), so this bounds only a claim held by a worker that lives but never answers.
CLAIM_SECONDS = 600.0
_POLL = 0.02
_POLL_MAX = 0.2  # a long wait (a claimant queued at the registry's limit) looks less often


class Claim:
    """What :meth:`RecordStore.claim` gives: the keys to ask for (``mine``), then, after
    its block, the answers others stored meanwhile (``late``) and the keys nobody
    answered (``rest``)."""

    __slots__ = ("late", "mine", "rest")

    def __init__(self, mine: list[str]) -> None:
        self.mine = mine
        self.late: dict[str, Any] = {}
        self.rest: list[str] = []


class RecordStore:
    """The interface: ``get_many`` answers only what it holds (None is a held negative)."""

    def __init__(self, read_only: bool = False) -> None:
        self.read_only = read_only
        self.hits = 0  # identifiers answered here instead of in a request
        self._count = threading.Lock()
        # Stores of one scope see each other's answers (one database, one Redis).
        self.scope = f"memory:{id(self)}"

    @contextlib.contextmanager
    def claim(self, kind: str, keys: Iterable[str], *, read: bool = True) -> Iterator[Claim]:
        """``Claim.mine``: the keys this thread should ask for, those nobody else is
        asking for now (no other thread of this process; for a Redis store, no other
        worker of the fleet).  The caller stores their answers inside the block.

        When the block ends, this thread's claims are released first, then the others'
        answers are waited for (so two threads never wait on each other) and read into
        ``Claim.late``; ``Claim.rest`` holds those still unanswered (the other request
        failed, or its worker died and the claim expired), for the caller to ask itself.
        ``read=False``: the answers are kept elsewhere (the HTTP cache); only waited for.
        """
        wanted = list(dict.fromkeys(keys))
        if self.read_only or not wanted:  # nothing is sent or stored: nothing to share
            yield Claim(wanted)
            return
        try:
            claim = Claim(self._claim(kind, wanted))
        except Exception:  # a broken store shares nothing: ask for everything
            claim = Claim(wanted)
        try:
            yield claim
        finally:
            with contextlib.suppress(Exception):
                self._unclaim(kind, claim.mine)
        mine = set(claim.mine)
        others = [k for k in wanted if k not in mine]
        waiting = others
        deadline = time.monotonic() + CLAIM_SECONDS
        pause = _POLL
        while waiting and time.monotonic() < deadline:
            try:
                # While the first is still asked for, the rest need no look: a claimant
                # releases its keys together.  Checking a task's 1,250 keys every 20 ms
                # took a good share of a worker's interpreter from the tasks parsing.
                if not self._claimed(kind, waiting[:1]):
                    waiting = self._claimed(kind, waiting)
            except Exception:
                break
            if waiting:
                time.sleep(pause)
                pause = min(pause * 1.5, _POLL_MAX)
        if others and read:
            claim.late = self.get_many(kind, others)
            claim.rest = [k for k in others if k not in claim.late]

    def _claim(self, kind: str, keys: list[str]) -> list[str]:
        with _asking_lock:
            mine = [k for k in keys if (self.scope, kind, k) not in _asking]
            _asking.update((self.scope, kind, k) for k in mine)
        return mine

    def _unclaim(self, kind: str, keys: list[str]) -> None:
        with _asking_lock:
            _asking.difference_update((self.scope, kind, k) for k in keys)

    def _claimed(self, kind: str, keys: list[str]) -> list[str]:
        """Those of ``keys`` someone still asks for."""
        with _asking_lock:
            return [k for k in keys if (self.scope, kind, k) in _asking]

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        try:
            found = self._get(kind, wanted)
        except Exception:  # a broken store answers nothing: the requests go out
            return {}
        with self._count:
            self.hits += len(found)
        return found

    def put_many(self, kind: str, values: Mapping[str, Any], ttl: timedelta) -> None:
        if self.read_only or not values:
            return
        with contextlib.suppress(Exception):  # a failed cache write never fails a check
            self._put(kind, dict(values), ttl.total_seconds())

    def close(self) -> None:
        """Release connections (nothing by default)."""

    def _get(self, kind: str, keys: list[str]) -> dict[str, Any]:
        raise NotImplementedError

    def _put(self, kind: str, values: dict[str, Any], seconds: float) -> None:
        raise NotImplementedError


class MemoryStore(RecordStore):
    """One run's store (``--no-cache``): dedupes within the run only."""

    def __init__(self, read_only: bool = False) -> None:
        super().__init__(read_only)
        self._data: dict[tuple[str, str], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _get(self, kind: str, keys: list[str]) -> dict[str, Any]:
        now = time.time()
        out: dict[str, Any] = {}
        with self._lock:
            for key in keys:
                entry = self._data.get((kind, key))
                if entry is not None and (self.read_only or entry[0] > now):
                    out[key] = entry[1]
        return out

    def _put(self, kind: str, values: dict[str, Any], seconds: float) -> None:
        expires = time.time() + seconds
        with self._lock:
            for key, value in values.items():
                self._data[(kind, key)] = (expires, value)


class SQLiteStore(RecordStore):
    """A table beside the HTTP cache's database; safe across threads and forked processes."""

    def __init__(self, path: str, read_only: bool = False) -> None:
        super().__init__(read_only)
        self.path = path
        self.scope = f"sqlite:{os.path.abspath(path)}"
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pid = -1

    def _connection(self) -> Any:
        import sqlite3

        # A connection made before a fork is not the child's to use: each process opens its own.
        if self._conn is None or self._pid != os.getpid():
            if self.read_only and not os.path.exists(self.path):
                raise FileNotFoundError(self.path)
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            if not self.read_only:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, "
                             "key TEXT NOT NULL, expires REAL NOT NULL, value TEXT NOT NULL, "
                             "PRIMARY KEY (kind, key))")
                conn.commit()
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def _get(self, kind: str, keys: list[str]) -> dict[str, Any]:
        now = time.time()
        rows: list[tuple[str, float, str]] = []
        with self._lock:
            conn = self._connection()
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows.extend(conn.execute(
                    f"SELECT key, expires, value FROM records WHERE kind = ? AND key IN ({marks})",
                    [kind, *chunk]).fetchall())
        # Decoded after the lock: a thousand records take a second to decode, and a
        # thread storing the answer it just received should not wait for that.
        return {key: json.loads(value) for key, expires, value in rows
                if self.read_only or expires > now}

    def _put(self, kind: str, values: dict[str, Any], seconds: float) -> None:
        expires = time.time() + seconds
        rows = [(kind, key, expires, json.dumps(value, separators=(",", ":")))
                for key, value in values.items()]
        with self._lock:
            conn = self._connection()
            conn.executemany("INSERT OR REPLACE INTO records (kind, key, expires, value) "
                             "VALUES (?, ?, ?, ?)", rows)
            conn.commit()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                with contextlib.suppress(Exception):
                    self._conn.close()
            self._conn = None


class RedisStore(RecordStore):
    """Keys ``refcheck:record:{kind}:{key}`` that expire by themselves: one store per fleet."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        super().__init__(read_only)
        from redis import Redis  # type: ignore[import-not-found,unused-ignore]

        self.scope = f"redis:{url}"
        self._redis = Redis.from_url(url)
        self._renewal = Renewal(self._renew)

    def _claim(self, kind: str, keys: list[str]) -> list[str]:
        # One SET NX per key, short and renewed while held (lapsing within seconds should
        # this worker die): the fleet's workers share the claims, so two tasks never ask
        # for one DOI at once.
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.set(f"{_ASKING}{kind}:{key}", os.getpid(), nx=True, px=int(LEASE * 1000))
        mine = [k for k, got in zip(keys, pipe.execute(), strict=True) if got]
        for key in mine:
            self._renewal.hold(f"{_ASKING}{kind}:{key}")
        return mine

    def _unclaim(self, kind: str, keys: list[str]) -> None:
        for key in keys:
            self._renewal.drop(f"{_ASKING}{kind}:{key}")
        if keys:
            self._redis.delete(*(f"{_ASKING}{kind}:{k}" for k in keys))

    def _renew(self, held: list[str]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for name in held:
            pipe.pexpire(name, int(LEASE * 1000))
        pipe.execute()

    def _claimed(self, kind: str, keys: list[str]) -> list[str]:
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.exists(f"{_ASKING}{kind}:{key}")
        return [k for k, n in zip(keys, pipe.execute(), strict=True) if n]

    def _get(self, kind: str, keys: list[str]) -> dict[str, Any]:
        values = self._redis.mget([f"{_PREFIX}{kind}:{k}" for k in keys])
        return {k: json.loads(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def _put(self, kind: str, values: dict[str, Any], seconds: float) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for key, value in values.items():
            pipe.set(f"{_PREFIX}{kind}:{key}", json.dumps(value, separators=(",", ":")),
                     ex=max(1, int(seconds)))
        pipe.execute()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._redis.close()


def open_store(*, no_cache: bool, backend: str, redis_url: str | None, directory: str,
               read_only: bool) -> RecordStore:
    """The store that goes with the HTTP cache of the same settings."""
    if no_cache:
        return MemoryStore(read_only)
    if backend == "redis":
        return RedisStore(redis_url or "redis://localhost:6379/0", read_only)
    return SQLiteStore(os.path.join(directory, "records.sqlite"), read_only)
