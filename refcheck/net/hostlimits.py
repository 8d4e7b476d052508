"""What one process keeps per host: concurrency slots and the host's published window.

:class:`~refcheck.net.http.HttpClient` holds a slot of the host and waits for its turn
in the window the host published (``X-Rate-Limit-Limit`` / ``X-Rate-Limit-Interval``)
before each request; a fleet adds the same window shared in Redis
(:mod:`refcheck.net.ratelimit`).  A request counts in the window from when its answer
began to arrive (:meth:`Grant.arrived`, else when it ended): by then the request had
certainly reached the host.  A thread granted a request may wait a good while for the
interpreter before sending it, and counted from the grant, requests sent late would
share a window with the next ones.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Grant", "HostLimits"]


class Grant:
    """One request's place in a host's window, given back by :meth:`refund` when nothing
    was sent after all (the cache answered: another thread's request brought it)."""

    def __init__(self, limits: HostLimits | None, host: str, entry: list[float]) -> None:
        self._limits, self._host, self._entry = limits, host, entry
        self.refunded = False

    def arrived(self) -> None:
        """The answer's status line is in: the request reached the host, and counts in
        the window from now, not from when its body has been read and stored."""
        if self._limits is not None and not self.refunded:
            self._limits._ended_at(self._entry)

    def refund(self) -> None:
        if self._limits is not None and not self.refunded:
            self.refunded = True
            self._limits._refund(self._host, self._entry)


class HostLimits:
    """Per-host concurrency slots plus the window learnt from ``X-Rate-Limit-*``."""

    def __init__(self, default: int, overrides: dict[str, int]) -> None:
        self._default = default
        self._overrides = {k.lower(): v for k, v in overrides.items()}
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._spacing: dict[str, float] = {}
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        # Guards the windows; a request that ends wakes the threads waiting for its place.
        self._ended = threading.Condition()
        self._retry_spent: dict[str, float] = {}
        # Published windows (limit, seconds) and the latest grants per host: requests sent
        # before the first answer told the limit count against it too.
        self._window: dict[str, tuple[int, float]] = {}
        self._granted: dict[str, list[list[float]]] = {}
        # Hosts that have answered once: until then nobody knows the limit a host
        # publishes, and a burst sent meanwhile could break it (three DOI batches side by
        # side drew a 429 from a registry allowing two a second).  One at a time till then.
        self._answered: set[str] = set()

    def may_retry(self, host: str, cost: float, budget: float) -> bool:
        """Charge ``cost`` seconds to ``host``'s retry budget; False once it is spent."""
        with self._lock:
            spent = self._retry_spent.get(host, 0.0) + cost
            self._retry_spent[host] = spent
            return spent <= budget

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(self._overrides.get(host, self._default))
                self._slots[host] = slot
            return slot

    @contextmanager
    def hold(self, host: str) -> Iterator[Grant]:
        slot = self._slot(host)
        with slot:
            entry = self._grant(host)
            grant = Grant(self, host, entry)
            try:
                yield grant
            finally:
                # Counted in the window from when it ended, when it had certainly arrived,
                # unless its answer's arrival counts already (Grant.arrived): a thread
                # granted a request may wait a good while for the interpreter before
                # sending it (400 ms measured on a busy machine), and counted from the
                # grant, a request sent late would share a window with the next ones.
                if not grant.refunded:
                    self._ended_at(entry)

    def _ended_at(self, entry: list[float]) -> None:
        """A request counts in the window from now, unless it counts already."""
        with self._ended:
            if entry[0] == math.inf:
                entry[0] = time.monotonic()
                self._ended.notify_all()

    def _refund(self, host: str, entry: list[float]) -> None:
        """A grant that sent nothing leaves the window at once: the next one may go."""
        with self._ended:
            recent = self._granted.get(host, [])
            for i, e in enumerate(recent):
                if e is entry:
                    del recent[i]
                    break
            self._ended.notify_all()

    def _grant(self, host: str) -> list[float]:
        """Wait for ``host``'s turn; the grant's entry, in flight (+inf) until it ends."""
        with self._ended:
            while True:
                now = time.monotonic()
                start = self._next.get(host, 0.0)
                recent = self._granted.setdefault(host, [])
                window = self._window.get(host)
                if window is not None:
                    count, span = window
                    # Never more than the limit in any window of the published length:
                    # requests sent before the limit was known count against it too.
                    recent[:] = [e for e in recent if e[0] > now - span]
                    if len(recent) >= count:
                        oldest = sorted(e[0] for e in recent)[len(recent) - count]
                        # One still on its way: woken when it ends (notify_all above).
                        start = max(start, now + 5.0 if oldest == math.inf else oldest + span)
                elif len(recent) > 1000:  # no limit known: the latest are enough to count
                    recent[:] = [e for e in recent if e[0] > now - 60.0][-1000:]
                if host not in self._answered and any(e[0] == math.inf for e in recent):
                    start = max(start, now + 5.0)  # woken when the one on its way ends
                if start <= now:
                    self._next[host] = now + self._spacing.get(host, 0.0)
                    entry = [math.inf]
                    recent.append(entry)
                    return entry
                self._ended.wait(min(start - now, 5.0))

    def learn(self, host: str, headers: Any) -> None:
        """A host answered: what it publishes (or nothing) is known from now on."""
        if host not in self._answered:
            with self._ended:
                self._answered.add(host)
                self._ended.notify_all()
        limit = headers.get("X-Rate-Limit-Limit")
        interval = headers.get("X-Rate-Limit-Interval")
        if not limit or not interval:
            return
        try:
            seconds = float(str(interval).strip().rstrip("s"))
            count = max(1, int(float(limit)))
        except ValueError:
            return
        with self._ended:
            if seconds > 0 and count <= 10_000:
                # The window alone, not an even spacing as well: up to ``limit`` requests
                # may leave together, so N requests take (N / limit - 1) intervals, not
                # N / limit (a whole interval less per run, and never more in any window).
                # 2 % of slack for a host that rounds the times it counts.
                self._window[host] = (count, seconds * 1.02)
                self._spacing.pop(host, None)
            else:
                self._spacing[host] = min(seconds / count * 1.05, 5.0)
