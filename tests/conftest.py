"""Shared test helpers: build documents and run one rule's check on them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from refcheck.model import Document, Reference, SourceText
from refcheck.parsers import parse
from refcheck.rules.base import Context, Hit, Rule


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
