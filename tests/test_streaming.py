"""A large bibliography checked slice by slice reports what it reports whole (issues 16, 19).

The data are the real bibliographies of ``tests/data/real-bib`` (sources in its
README) and hand-made entries carrying the slips the per-reference rules look for.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcheck import engine, streaming
from refcheck.config import Settings
from refcheck.model import Document, DocumentMemo, SourceText
from refcheck.parsers import csljson, parse

REAL = Path(__file__).parent / "data" / "real-bib"

SLIPS = r"""
@article{slip1, author = {Smith, John and Smith, John}, title = {A Theroy of Everthing},
  journal = {Jounral of Physcis}, year = {2031}, pages = {30--12},
  doi = {10. 1000/xyz}, url = {htp://example.org/a (b}}
@article{slip2, author = {Doe, Jane}, title = {Efﬁcient ﬂow in net works (part one},
  journal = {Proceedings of the the Society}, year = {1999}, volume = {}, pages = {1--9}}
@book{slip3, title = {Missing author and publisher}, year = {2001}}
@misc{slip4, title = {A "quoted title}, howpublished = {\url{http://www.example. org/x}},
  note = {Accessed 2099-01-01}, year = {2001}}
@inproceedings{slip5, author = {Roe, R.}, title = {Lo w-level mo- dels}, booktitle = {ICML},
  year = {20l9}, doi = {https://doi.org/10.1000/abc.}}
@artcle{slip6, author = {Poe, P.}, title = {Entry type slip}, year = {2005}}
"""


def _bibliography() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.bib"))) + SLIPS


def _findings(path: Path) -> list[dict[str, object]]:
    result = engine.run([str(path)], Settings(offline=True, jobs=1), keep_documents=False)
    return [f.to_json() for f in result.findings]


def _whole_and_sliced(path: Path, monkeypatch: pytest.MonkeyPatch, size: int) -> tuple[
        list[dict[str, object]], list[dict[str, object]]]:
    monkeypatch.setattr(streaming, "SLICE", 10**9)
    whole = _findings(path)
    monkeypatch.setattr(streaming, "SLICE", size)
    return whole, _findings(path)


def test_a_sliced_bibtex_file_reports_what_the_whole_file_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.bib"
    path.write_text(_bibliography(), encoding="utf-8")
    whole, sliced = _whole_and_sliced(path, monkeypatch, 37)
    assert sliced == whole
    codes = {f["code"] for f in whole}
    # The comparison means something only if sliced rules found things.
    assert len(codes & streaming.PER_REFERENCE) >= 6, codes


def test_a_sliced_csl_json_file_reports_what_the_whole_file_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = []
    for i in range(60):
        items.append({"id": f"k{i}", "type": "article-journal",
                      "title": ["A Theroy of Everthing", "Efﬁcient ﬂow (part", "Fine"][i % 3],
                      "author": [{"family": "Smith", "given": "J."}] * (1 + i % 2),
                      "issued": {"date-parts": [[1990 + i if i % 7 else 2090]]},
                      "page": "30-12" if i % 5 == 0 else "1-9",
                      "URL": "htp://example.org/x" if i % 4 == 0 else "https://example.org/x"})
    path = tmp_path / "big.json"
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")
    whole, sliced = _whole_and_sliced(path, monkeypatch, 7)
    assert sliced == whole
    assert len({f["code"] for f in whole} & streaming.PER_REFERENCE) >= 3


def test_slicing_a_rule_that_compares_references_would_change_its_findings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The equivalence tests above can fail: a duplicate and its original in two
    # slices are no longer compared.
    path = tmp_path / "dup.bib"
    entry = "@book{{k{0}, author = {{Doe, J.}}, title = {{The Same Book}}, year = {{2001}}}}\n"
    path.write_text("".join(entry.format(i) for i in range(30)), encoding="utf-8")
    monkeypatch.setattr(streaming, "PER_REFERENCE", streaming.PER_REFERENCE | {"RC402"})
    whole, sliced = _whole_and_sliced(path, monkeypatch, 7)
    assert [f for f in whole if f["code"] == "RC402"] != [f for f in sliced if f["code"] == "RC402"]


def test_views_are_forgotten_by_every_memo() -> None:
    doc = parse(SourceText("x.bib", "".join(f"@misc{{k{i}, title={{T}}}}\n" for i in range(9))),
                "bibtex")
    memo: DocumentMemo[int] = DocumentMemo(100)
    seen = []
    for view in streaming.views(doc):
        memo.put(view, 1)
        seen.append(len(view.references))
        assert view.text is doc.text and view.problems is doc.problems
    assert sum(seen) == 9
    assert len(memo) == 0
    memo.put(doc, 2)
    documents = [doc]
    streaming.done_with(doc, documents)
    assert len(memo) == 0 and documents == []


@pytest.mark.parametrize("text", [
    '[{"id": "a", "type": "book"}] trailing',
    '[{"id": "a", "type": "book"},]',
    '[{"id": "a", "type": "book"}\u00a0]',
    '[{"id": "a", "type": "book"}, {"id": "b", "type": "book"',
    '[{"id": "a", "type": "book"}, [' + "[" * 3000 + "]" * 3000 + "]]",
], ids=["trailing", "comma", "nbsp", "unterminated", "deep"])
def test_an_invalid_list_is_reported_where_json_says(text: str) -> None:
    doc = csljson.parse(SourceText("x.json", text))
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        expected = exc.msg
    except RecursionError:
        expected = "nested too deeply"
    problems = [p for p in doc.problems if p.kind == "json-syntax"]
    assert len(problems) == 1 and expected in problems[0].message
    if expected != "nested too deeply":  # what can be read on its own is still read
        assert doc.references and doc.references[0].key == "a"


def test_a_list_of_things_that_are_not_items_is_no_bibliography() -> None:
    doc = csljson.parse(SourceText("x.json", '[{"name": "a"}, {"name": "b"}]'))
    assert not doc.references and not doc.expects_list
    assert [p.kind for p in doc.problems] == ["not-a-bibliography"]


def test_items_are_read_one_at_a_time_with_their_positions() -> None:
    text = '[\n {"id": "a", "type": "book", "title": "T\\u00e9"},\n {"id": "b", "type": "book"}\n]'
    doc = csljson.parse(SourceText("x.json", text))
    a, b = doc.references
    assert (a.key, a.line, b.key, b.line) == ("a", 2, "b", 3)
    assert a.title == "Té" and a.fields["title"] == "T\\u00e9"  # the field as written
    assert text[slice(*a.field_spans["title"])] == "T\\u00e9"
    assert not doc.problems


def test_a_document_of_a_text_format_is_never_sliced() -> None:
    doc = Document(SourceText("x.txt", ""), "text")
    doc.references = parse(SourceText("y.bib", "@misc{a, title={T}}\n" * 600), "bibtex").references
    assert not streaming.worth_slicing(doc)


def test_the_cap_on_a_rules_findings_counts_across_slices(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streaming, "MAX_HITS_PER_RULE", 20)
    path = tmp_path / "refs.bib"
    path.write_text("".join(f"@misc{{k{i}, title = {{A (b}}, year = {{2000}}}}\n"
                            for i in range(60)), encoding="utf-8")
    whole, sliced = _whole_and_sliced(path, monkeypatch, 7)
    assert sliced == whole
    assert sum(1 for f in sliced if f["code"] == "RC003") == 20
