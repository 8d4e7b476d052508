"""Building documents for the detection tests."""

from __future__ import annotations

from pathlib import Path

from refcheck.model import Document, Finding, Reference, SourceText
from refcheck.rules.base import Context, Hit, Rule

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "tests" / "data" / "shared"  # trimmed copies, see its README


def one_reference(text: str, fmt: str = "text") -> Document:
    """A document holding ``text`` as a single reference."""
    ref = Reference(path="t.txt", format=fmt, index=1, start=0, end=len(text), raw=text)
    return Document(SourceText("t.txt", text), fmt, [ref])


def parsed(path: Path, fmt: str = "text") -> Document:
    from refcheck.parsers import parse

    return parse(SourceText(str(path), path.read_text(encoding="utf-8")), fmt)


def hits(rule: Rule, doc: Document, **options: object) -> list[Hit]:
    return list(rule.check(doc, Context(options={**rule.options, **options})))


def texts(rule: Rule, doc: Document, **options: object) -> list[str]:
    return [doc.text[h.start : h.end] for h in hits(rule, doc, **options)]


__all__ = ["ROOT", "SHARED", "Finding", "hits", "one_reference", "parsed", "texts"]
