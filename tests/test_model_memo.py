"""DocumentMemo: work shared between rules, per document, never mistaken for another's."""

from __future__ import annotations

from refcheck.model import Document, DocumentMemo, SourceText
from refcheck.parsers import parse


def _doc(text: str) -> Document:
    return parse(SourceText("x.bib", text), "bibtex")


def test_memo_follows_the_document_and_its_references() -> None:
    memo: DocumentMemo[str] = DocumentMemo(2)
    a, b = _doc("@misc{a, title={A}}\n"), _doc("@misc{b, title={B}}\n")
    memo.put(a, "for a")
    assert memo.get(a) == "for a"
    assert memo.get(b) is None  # never another document's value
    a.references.append(b.references[0])
    assert memo.get(a) is None  # a reference added since: stale
    a.source = SourceText("x.bib", a.text + "\n")
    memo.put(a, "again")
    assert memo.get(a) == "again"


def test_memo_is_bounded() -> None:
    memo: DocumentMemo[int] = DocumentMemo(3)
    docs = [_doc(f"@misc{{k{i}, title={{T}}}}\n") for i in range(7)]
    for i, d in enumerate(docs):
        memo.put(d, i)
        assert len(memo) <= 3
    assert memo.get(docs[-1]) == 6
