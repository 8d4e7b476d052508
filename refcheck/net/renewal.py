"""Short leases in Redis, kept alive while their holder lives.

A fleet's workers hold things in Redis for a while: a place among the requests in
flight to a host (:mod:`refcheck.net.ratelimit`), a claim on the DOIs a task is asking
a registry for (:mod:`refcheck.net.doicache`).  Each must outlive the longest request
its holder may make, yet a worker that dies must not keep the others waiting: with a
lease as long as the longest request (two minutes), a worker killed with eight requests
in flight to a host stopped the whole fleet's requests to it for those two minutes, and
a run of 2,000 files took twice as long.  So the leases are short (:data:`LEASE`), and a
thread of the holder's process renews them (every :data:`PERIOD`) for as long as they
are held: a dead worker's leases lapse within :data:`LEASE` seconds.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

__all__ = ["LEASE", "PERIOD", "Renewal"]

LEASE = 10.0  # seconds a lease lasts unless renewed
PERIOD = 2.0  # seconds between renewals: a busy interpreter may delay one by a few


class Renewal:
    """Calls ``renew(held)`` every :data:`PERIOD` seconds with what is held, in a daemon
    thread that runs only while something is."""

    def __init__(self, renew: Callable[[list[str]], None], period: float = PERIOD) -> None:
        self._renew = renew
        self._period = period
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, item: str) -> None:
        with self._lock:
            self._held.add(item)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="refcheck-renewal",
                                                daemon=True)
                self._thread.start()

    def drop(self, item: str) -> None:
        with self._lock:
            self._held.discard(item)

    def _run(self) -> None:
        while True:
            time.sleep(self._period)
            with self._lock:
                held = sorted(self._held)
                if not held:
                    self._thread = None
                    return
            # A lost connection must not kill the thread: the leases lapse by themselves.
            with contextlib.suppress(Exception):
                self._renew(held)
