"""Response bodies read with a size cap and a total deadline.

A per-read timeout does not bound a request: a server trickling one byte a
second, or a chunked answer that never ends, keeps every single read within
the timeout forever.  So each request sent by :class:`refcheck.net.http.HttpClient`
carries a :class:`Budget` (set for the calling thread by :func:`budget`), and
the guarded connections (``refcheck.net.guard``) read their responses through
:class:`BoundedResponse`, whose file object counts the bytes of the status
line, headers and body and shortens each read's socket timeout to what is
left before the deadline.  Past the deadline a read fails as a timeout; past
the cap it fails with :class:`ResponseTooLargeError`.  Both end the request
like any broken connection, and the caller gets a typed status.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


class ResponseTooLargeError(OSError):
    """The answer grew past the size allowed for it; reading stopped there."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"answer larger than {limit} bytes: abandoned")
        self.limit = limit


@dataclass(frozen=True)
class Budget:
    deadline: float  # time.monotonic() value after which no read may wait
    max_bytes: int
    read_timeout: float


_current = threading.local()


@contextmanager
def budget(seconds: float, max_bytes: int, read_timeout: float) -> Iterator[None]:
    """Responses received by this thread inside the block get this budget."""
    previous = getattr(_current, "budget", None)
    _current.budget = Budget(time.monotonic() + seconds, max_bytes, read_timeout)
    try:
        yield
    finally:
        _current.budget = previous


class _BoundedReader:
    """A socket file wrapper that enforces a :class:`Budget`."""

    def __init__(self, raw: Any, sock: socket.socket, limits: Budget) -> None:
        self._raw = raw
        self._sock = sock
        self._limits = limits
        self._count = 0

    def _before(self) -> None:
        left = self._limits.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete answer within the total deadline")
        with contextlib.suppress(OSError):  # a closed socket fails the read itself
            self._sock.settimeout(min(self._limits.read_timeout, left))

    def _after(self, n: int) -> None:
        self._count += n
        if self._count > self._limits.max_bytes:
            raise ResponseTooLargeError(self._limits.max_bytes)

    def read(self, size: int | None = -1) -> bytes:
        # In pieces, whatever was asked (http.client asks for the whole
        # Content-Length at once): each piece waits at most what is left.
        want = -1 if size is None or size < 0 else size
        chunks = []
        while want != 0:
            self._before()
            piece = 65536 if want < 0 else min(want, 65536)
            data = self._raw.read1(piece)
            if not data:
                break
            chunks.append(bytes(data))
            self._after(len(data))
            if want > 0:
                want -= len(data)
        return b"".join(chunks)

    def read1(self, size: int = -1) -> bytes:
        self._before()
        data = self._raw.read1(size)
        self._after(len(data))
        return bytes(data)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            self._before()
            n = self._raw.readinto1(view[filled : filled + 65536])
            if not n:
                break
            filled += n
            self._after(n)
        return filled

    def readline(self, size: int = -1) -> bytes:
        # Piece by piece too: a line trickled a byte at a time must meet the deadline.
        limit = size if size is not None and size >= 0 else self._limits.max_bytes + 1
        line = bytearray()
        while len(line) < limit:
            self._before()
            ahead = self._raw.peek(1)[: limit - len(line)]
            if not ahead:
                break
            cut = ahead.find(b"\n")
            data = self._raw.read1(len(ahead) if cut < 0 else cut + 1)
            line += data
            self._after(len(data))
            if cut >= 0:
                break
        return bytes(line)

    def peek(self, size: int = 0) -> bytes:
        self._before()
        return bytes(self._raw.peek(size))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class BoundedResponse(http.client.HTTPResponse):
    """http.client's response, reading through the thread's current :class:`Budget`."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        limits = getattr(_current, "budget", None)
        if limits is not None:
            # Wrapped before begin(): the status line and headers count too.
            self.fp = _BoundedReader(self.fp, sock, limits)  # type: ignore[assignment]
