"""What a request came to: a link's typed status (lychee's kinds), a registry's reply,
and the failures a request can end in, named as the contract's statuses."""

from __future__ import annotations

import email.utils
import errno
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from refcheck.net.bounded import ResponseTooLargeError
from refcheck.net.guard import BlockedAddressError

# Statuses of the contract for a link that could not be fetched.
TRANSPORT_STATUSES = ("timeout", "dns", "refused", "reset", "tls", "too-many-redirects", "blocked")
# Not a contract status: read-only cache mode had no answer, so nothing was checked.
NOT_CACHED = "uncached"

class NotCachedError(requests.RequestException):
    """Read-only cache mode: the cache holds no answer, and no request may be sent."""


class ProxiedTargetBlockedError(requests.exceptions.ConnectionError):
    """A request that would go through a proxy names a target the guard refuses.

    The guard vets the address a socket connects to; through a proxy that is
    the proxy's, so the target is vetted here before anything is sent.
    """


@dataclass(frozen=True)
class LinkResult:
    """What became of one URL."""

    url: str
    status: str  # an HTTP code ("200") or one of TRANSPORT_STATUSES
    final_url: str | None = None
    moved_to: str | None = None  # target of permanent redirects when it works
    detail: str = ""
    definite_dns: bool = False  # the name does not exist (not a temporary failure)

    @property
    def kind(self) -> str:
        """ok | dead | transient | blocked | unchecked."""
        if self.status == NOT_CACHED:
            return "unchecked"
        if self.status == "blocked":
            return "blocked"
        if self.status == "dns":
            return "dead" if self.definite_dns else "transient"
        if self.status.isdigit():
            code = int(self.status)
            if 200 <= code < 300:
                return "ok"
            if code in (404, 410):
                return "dead"
        return "transient"


@dataclass(frozen=True)
class Reply:
    """A registry answer: an HTTP code with parsed JSON, or a transport status."""

    status: str
    data: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> int | None:
        return int(self.status) if self.status.isdigit() else None


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """An exception and everything it wraps (causes, contexts, args, urllib3 reasons)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (current.__cause__, current.__context__, getattr(current, "reason", None),
                    *current.args):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def classify_exception(exc: BaseException) -> tuple[str, bool, str]:
    """(status, definite, detail) of a failed request."""
    if isinstance(exc, NotCachedError):
        return NOT_CACHED, False, "not in the cache (read-only cache mode)"
    if isinstance(exc, ProxiedTargetBlockedError):
        return "blocked", True, str(exc)
    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, BlockedAddressError):
            return "blocked", True, str(e._message if hasattr(e, "_message") else e)
    for e in chain:
        if isinstance(e, ResponseTooLargeError):
            return "too-large", False, str(e)
    for e in chain:
        if isinstance(e, socket.gaierror):
            definite = e.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
            return "dns", definite, "host name does not resolve" if definite else str(e)
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls", False, "TLS handshake or certificate failed"
    # urllib3's NewConnectionError subclasses TimeoutError: match exact timeout types only.
    if isinstance(exc, requests.exceptions.Timeout) or any(
        type(e) in (socket.timeout, TimeoutError) or type(e).__name__ == "ReadTimeoutError"
        for e in chain
    ):
        return "timeout", False, "no answer within the timeout"
    for e in chain:
        if isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED:
            return "refused", False, "connection refused"
    for e in chain:
        if isinstance(e, (ConnectionResetError, ConnectionAbortedError)) or type(e).__name__ in (
            "RemoteDisconnected", "ProtocolError", "IncompleteRead"
        ):
            return "reset", False, "connection reset by the server"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "refused", False, "could not connect"
    return "reset", False, type(exc).__name__
