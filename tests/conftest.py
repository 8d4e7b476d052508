"""Shared test helpers: build documents and run one rule's check on them."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.model import Document, Reference, SourceText
from refcheck.parsers import parse
from refcheck.rules.base import Context, Hit, Rule

# The tests' own user cache (word tables, kept answers, compiled patterns), empty at the
# start of every session: a run never depends on what an earlier run left behind, as on
# a fresh CI machine, and never writes into the developer's real cache.  Set before any
# test asks where the cache is; a test that sets its own still wins (monkeypatch).
if "REFCHECK_CACHE_DIR" not in os.environ:
    _SESSION_CACHE = tempfile.mkdtemp(prefix="refcheck-tests-cache-")
    os.environ["REFCHECK_CACHE_DIR"] = _SESSION_CACHE
    atexit.register(shutil.rmtree, _SESSION_CACHE, True)


def doc_from_text(text: str, fmt: str, path: str = "test") -> Document:
    """Parse ``text`` with the parser of ``fmt`` ("text", "bibtex", "csl-json")."""
    return parse(SourceText(path, text), fmt)


def make_doc(
    text: str,
    refs: list[dict[str, Any]],
    *,
    fmt: str = "text",
    layout: str | None = None,
    **doc_fields: Any,
) -> Document:
    """A Document built by hand, for testing rules without a parser.

    Each item of ``refs`` gives Reference fields; its ``raw`` is located in
    ``text`` (after the previous reference) to set ``start``/``end``.
    """
    source = SourceText("test", text)
    doc = Document(source, fmt, layout=layout, **doc_fields)
    pos = 0
    for index, spec in enumerate(refs):
        spec = dict(spec)
        raw = spec.pop("raw")
        start = text.index(raw, pos)
        pos = start + len(raw)
        line = source.position(start)[0]
        doc.references.append(
            Reference(
                path="test",
                format=fmt,
                index=index,
                start=start,
                end=pos,
                raw=raw,
                line=line,
                end_line=source.position(pos)[0],
                **spec,
            )
        )
    return doc


def hits_of(rule: Rule, document: Document, **options: Any) -> list[Hit]:
    return list(rule.check(document, Context(options={**rule.options, **options})))


@pytest.fixture
def run_rule() -> Callable[..., list[Hit]]:
    """``run_rule(rule, document)``: the rule's hits, with its default options."""
    return hits_of


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A private redis-server on 127.0.0.1 and a free port, stopped after the test."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not on PATH (bash .ci/install-redis installs it)")
    pytest.importorskip("redis", reason="the redis client is not installed (extra 'redis')")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
