"""The CSL-JSON parser on real exports, Crossref records and broken input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from refcheck.model import Author, Document, SourceText
from refcheck.parsers import csljson, parse

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "tests" / "data" / "shared"  # trimmed copies, see its README
DATA = Path(__file__).resolve().parent / "data" / "csl"


def load(path: Path) -> Document:
    return csljson.parse(SourceText(str(path), path.read_text(encoding="utf-8")))


def parse_text(text: str) -> Document:
    return csljson.parse(SourceText("test.json", text))


def check_invariants(doc: Document) -> None:
    text = doc.text
    for i, ref in enumerate(doc.references, 1):
        assert ref.index == i
        assert ref.raw == text[ref.start : ref.end]
        assert ref.raw.startswith("{") and ref.raw.endswith("}")
        assert ref.line == doc.source.position(ref.start)[0]
        assert set(ref.fields) == set(ref.field_spans)
        for name, (start, end) in ref.field_spans.items():
            assert name == name.lower()
            assert text[start:end] == ref.fields[name]
            assert ref.start < start <= end < ref.end
    for problem in doc.problems:
        assert 0 <= problem.start <= problem.end <= len(text)


def test_sample_json() -> None:
    path = ROOT / "references" / "sample.json"
    text = path.read_text(encoding="utf-8")
    doc = load(path)
    check_invariants(doc)
    items = json.loads(text)
    assert len(doc.references) == len(items) == 10
    assert doc.problems == []
    assert doc.format == "csl-json" and doc.layout == "csl-json" and doc.expects_list

    first = doc.references[0]
    assert first.key == items[0]["id"]
    assert first.start == text.index("{")
    assert (first.line, first.end_line) == (2, 47)
    assert first.entry_type == "article-journal"
    assert first.authors[2] == Author("Todd", "Matthew H.")
    assert first.year == 2011  # Zotero writes the year as a string
    assert first.accessed == "2024-05-14"
    assert (first.volume, first.issue, first.pages) == ("3", "10", "745-748")
    assert first.doi == "10.1038/nchem.1149"
    assert first.urls == ["https://www.nature.com/articles/nchem.1149"]
    title_at = text.index('"Open science is a research accelerator"') + 1
    assert first.field_spans["title"] == (title_at, title_at + len(items[0]["title"]))
    assert first.fields["doi"] == "10.1038/nchem.1149"  # "DOI" is lower-cased

    for ref, item in zip(doc.references, items, strict=True):
        assert ref.title == item["title"]
        assert ref.key == item["id"]
        assert json.loads(ref.raw) == item
    chapter = doc.references[5]
    assert chapter.editors[0] == Author("Bartling", "Sönke")
    assert chapter.container == "Opening Science" and chapter.place == "Cham"
    assert doc.references[6].issue == "27250"  # a report's "number"
    web = doc.references[9]
    assert web.authors == [Author("Crossref", literal=True)]
    assert web.accessed == "2024-05-14" and web.year == 2023


@pytest.mark.parametrize(
    "path",
    sorted((SHARED / "fixtures" / "crossref").glob("cn-csl__*.json")),
    ids=lambda p: p.name,
)
def test_crossref_csl_fixtures(path: Path) -> None:
    doc = load(path)
    check_invariants(doc)
    item = json.loads(path.read_text(encoding="utf-8"))
    assert len(doc.references) == 1
    ref = doc.references[0]
    # Crossref's records have no "id": that is the only schema problem.
    assert [(p.kind, p.message) for p in doc.problems] == [("csl-schema", "item 1 has no 'id'")]
    assert ref.doi == item["DOI"]
    assert ref.year == item["issued"]["date-parts"][0][0]
    assert len(ref.authors) == len(item.get("author", []))
    assert ref.entry_type == item["type"]


def test_crossref_lists_and_organisation_names() -> None:
    path = SHARED / "fixtures/crossref/cn-csl__10.1038_461171a.json"
    ref = load(path).references[0]
    literals = [a for a in ref.authors if a.literal]
    assert [a.family for a in literals] == ["CASIMIR Rome Meeting participants"]
    path = SHARED / "fixtures/crossref/cn-csl__10.3386_w27250.json"
    ref = load(path).references[0]
    assert ref.container is None  # "container-title": []


def test_invalid_json_keeps_readable_items() -> None:
    doc = load(DATA / "broken.json")
    text = doc.text
    check_invariants(doc)
    assert [r.key for r in doc.references] == ["ok1", "ok2"]
    assert doc.references[0].year == 1999
    assert [p.kind for p in doc.problems] == ["json-syntax"]
    problem = doc.problems[0]
    assert problem.start == text.index('"type"', text.index("bad1"))
    line, col = doc.source.position(problem.start)
    assert f"line {line}, column {col}" in problem.message
    assert line == 3


def test_schema_problems() -> None:
    text = (
        "[\n"
        '  {"id": "a", "type": "book", "title": "T", "author": [{"family": "Doe"}]},\n'
        '  "not an item",\n'
        '  {"title": 5, "volume": true, "author": "Doe, J.", "issued": {"date-parts": "1999"}},\n'
        '  {"id": "a", "type": "book", "title": "Again", "title": "Twice"}\n'
        "]\n"
    )
    doc = parse_text(text)
    check_invariants(doc)
    messages = [(p.kind, p.message) for p in doc.problems]
    assert ("csl-schema", "item 2 is not an object (found a string)") in messages
    assert ("csl-schema", "item 3 has no 'id'") in messages
    assert ("csl-schema", "item 3 has no 'type'") in messages
    assert ("csl-schema", "item 3: 'title' must be a string") in messages
    assert ("csl-schema", "item 3: 'volume' must be a string or a number") in messages
    assert any(k == "csl-schema" and "'author' must be a list" in m for k, m in messages)
    assert any(k == "csl-schema" and "'issued' must be a date" in m for k, m in messages)
    assert any(k == "csl-schema" and "appears twice" in m for k, m in messages)
    assert any(k == "duplicate-key" and "line 2" in m for k, m in messages)
    # Problems point at the offending values.
    bad_title = next(p for p in doc.problems if "'title' must be" in p.message)
    assert text[bad_title.start : bad_title.end] == "5"
    assert [r.key for r in doc.references] == ["a", None, "a"]
    assert doc.references[2].title == "Twice"  # json keeps the last of a repeated key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("42", "found a number"),
        ('"x"', "found a string"),
        ("\x00 garbage {{{", "invalid JSON at line 1, column 1"),
        ("[" * 10000 + "]" * 10000, "nested too deeply"),
        ("[{]", "invalid JSON at line 1, column 3"),
    ],
)
def test_json_syntax_problems(text: str, message: str) -> None:
    began = time.perf_counter()
    doc = parse_text(text)
    assert time.perf_counter() - began < 2
    assert [p.kind for p in doc.problems] == ["json-syntax"]
    assert message in doc.problems[0].message
    assert doc.references == []


def test_json_that_is_not_a_bibliography_is_skipped_not_an_error() -> None:
    # package.json and friends reach a pre-commit hook too.
    for text in ('{"foo": 1}', '{"name": "x", "dependencies": {"a": "1"}}', "[1, 2]"):
        doc = parse_text(text)
        assert [p.kind for p in doc.problems] == ["not-a-bibliography"]
        assert doc.references == [] and doc.expects_list is False


def test_single_item_and_mapping_and_bom() -> None:
    doc = parse_text('\ufeff{"id": "x", "type": "book", "title": "One"}')
    assert [r.key for r in doc.references] == ["x"] and doc.problems == []
    doc = parse_text('{"k1": {"type": "book", "title": "A"}, "k2": {"type": "book"}}')
    check_invariants(doc)
    assert [r.key for r in doc.references] == ["k1", "k2"] and doc.problems == []


def test_dates_names_and_links() -> None:
    item = {
        "id": 7,
        "type": "webpage",
        "author": [{"literal": "World Health Organization"}, {"given": "Plato"}],
        "issued": {"raw": "circa 1999"},
        "URL": "https://doi.org/10.1000/ABC",
        "DOI": "doi:10.1000/abc",
        "page": 12,
    }
    ref = parse_text(json.dumps([item])).references[0]
    assert ref.key == "7"
    assert ref.authors == [Author("World Health Organization", literal=True), Author("Plato")]
    assert ref.year == 1999
    assert ref.doi == "10.1000/abc"
    assert ref.dois == ["10.1000/abc", "10.1000/ABC"]
    assert ref.pages == "12"


def test_dispatch_by_format_name() -> None:
    doc = parse(SourceText("x.json", '[{"id": "a", "type": "book"}]'), "csl-json")
    assert doc.references[0].key == "a"
