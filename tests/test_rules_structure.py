"""Structure rules RC401–RC409, on built documents and on the seeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import doc_from_text, make_doc

from refcheck.model import Author, Document
from refcheck.rules import structure
from refcheck.rules.base import Hit, Rule

ROOT = Path(__file__).resolve().parents[1]
REFS = ROOT / "references"
SEED_004 = REFS / "004-jrs-post-soviet-security.txt"

RunRule = Callable[[Rule, Document], list[Hit]]


def seed(name: str) -> Document:
    path = next(REFS.glob(f"{name}-*.txt"))
    return doc_from_text(path.read_text(encoding="utf-8"), "text", str(path))


def author_date(*lines: tuple[str, dict[str, Any]]) -> Document:
    text = "\n".join(raw for raw, _ in lines) + "\n"
    return make_doc(text, [{"raw": raw, **spec} for raw, spec in lines], layout="author-date")


def who(family: str, given: str | None = None) -> list[Author]:
    return [Author(family, given)]


# ---- RC401 duplicate-key


def test_duplicate_bibtex_key_reported_once(run_rule: RunRule) -> None:
    doc = doc_from_text("@book{Walt1987, title={A}}\n@article{walt1987, title={B}}\n", "bibtex")
    hits = run_rule(structure.duplicate_key, doc)
    assert len(hits) == 1
    assert doc.text[hits[0].start : hits[0].end] == "walt1987"


def test_duplicate_key_without_parser_problem(run_rule: RunRule) -> None:
    text = '[{"id": "a", "title": "X"},\n {"id": "a", "title": "Y"}]'
    doc = make_doc(
        text,
        [
            {"raw": '{"id": "a", "title": "X"}', "key": "a"},
            {"raw": '{"id": "a", "title": "Y"}', "key": "a"},
        ],
        fmt="csl-json",
    )
    hits = run_rule(structure.duplicate_key, doc)
    assert len(hits) == 1 and "line 1" in hits[0].message
    assert hits[0].start == text.index('"a", "title": "Y"') + 1


# ---- RC402 duplicate-reference


def test_duplicate_reference(run_rule: RunRule) -> None:
    doc = author_date(
        (
            "Walt, Stephen. 1987. The Origins of Alliances. Ithaca.",
            {"authors": who("Walt"), "year": 1987, "title": "The Origins of Alliances"},
        ),
        ("Zorn, A. 1990. Other. X.", {"authors": who("Zorn"), "year": 1990, "title": "Other"}),
        (
            "Walt, S. 1987. The origins of alliances. Cornell UP.",
            {"authors": who("Walt"), "year": 1987, "title": "The origins of alliances"},
        ),
        (
            "Walt, S. 1990. The origins of alliances. 2nd ed.",
            {"authors": who("Walt"), "year": 1990, "title": "The origins of alliances"},
        ),
    )
    hits = run_rule(structure.duplicate_reference, doc)
    assert len(hits) == 1
    assert doc.source.position(hits[0].start)[0] == 3 and "line 1" in hits[0].message


# ---- RC403 missing-field


def test_missing_bibtex_fields(run_rule: RunRule) -> None:
    bib = (
        "@article{a, author={Smith, J.}, title={Alliances}}\n"
        "@article{b, author={Smith, J.}, title={T}, journaltitle={J}, date={2001-02}}\n"
        "@book{c, editor={Smith, J.}, title={T}, year={2001}}\n"
        "@inproceedings{d, crossref={proc}, author={A}, title={T}}\n"
        "@online{e, author={A}, title={T}, date={2020}}\n"
        "@misc{f, title={T}}\n"
    )
    doc = doc_from_text(bib, "bibtex")
    hits = run_rule(structure.missing_field, doc)
    got = {doc.text[h.start : h.end]: h.message for h in hits}
    assert set(got) == {
        "@article{a, author={Smith, J.}, title={Alliances}}",
        "@book{c, editor={Smith, J.}, title={T}, year={2001}}",
        "@online{e, author={A}, title={T}, date={2020}}",
    }
    assert "journal, year" in got["@article{a, author={Smith, J.}, title={Alliances}}"]
    assert "publisher" in got["@book{c, editor={Smith, J.}, title={T}, year={2001}}"]
    assert "doi or eprint or url" in got["@online{e, author={A}, title={T}, date={2020}}"]


def test_missing_csl_fields(run_rule: RunRule) -> None:
    text = '[{"id": "a", "type": "article-journal", "title": "T", "author": [{"family": "S"}]}]'
    doc = doc_from_text(text, "csl-json")
    hits = run_rule(structure.missing_field, doc)
    assert len(hits) == 1
    assert "container-title" in hits[0].message and "issued" in hits[0].message


# ---- RC404 numbering


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["1.", "2.", "3.", "4."], []),
        (["[1]", "[2]", "[4]", "[5]"], [("4", "jumps from 2 to 4: 3 missing", None)]),
        (["1.", "2.", "2.", "3."], [("2", "used twice", None)]),
        (["1.", "2.", "7.", "4.", "5."], [("7", "expected 3", "3")]),
        (["1.", "2.", "3.", "1.", "2."], [("1", "out of sequence", None)]),
    ],
)
def test_numbering(
    run_rule: RunRule, labels: list[str], expected: list[tuple[str, str, str | None]]
) -> None:
    lines = [f"{label} Author{i} X. Title {i}. 2001." for i, label in enumerate(labels)]
    text = "\n".join(lines)
    doc = make_doc(
        text,
        [{"raw": line, "label": lab} for line, lab in zip(lines, labels, strict=True)],
        layout="numbered",
    )
    hits = run_rule(structure.numbering, doc)
    assert [(doc.text[h.start : h.end], h.suggestion) for h in hits] == [
        (t, s) for t, _, s in expected
    ]
    for h, (_, words, _) in zip(hits, expected, strict=True):
        assert words in h.message


def test_numbering_of_seed_001_is_clean(run_rule: RunRule) -> None:
    doc = seed("001")
    assert doc.layout == "numbered"
    assert run_rule(structure.numbering, doc) == []


# ---- RC405 author-date-order


def test_seed_004_is_in_order(run_rule: RunRule) -> None:
    doc = seed("004")
    assert doc.layout == "author-date"
    assert run_rule(structure.author_date_order, doc) == []


def test_order_inversion_reported_once(run_rule: RunRule) -> None:
    doc = author_date(
        ("Abbott, K. 2000. A.", {"authors": who("Abbott", "K."), "year": 2000}),
        ("Walt, S. 1990. B.", {"authors": who("Walt", "S."), "year": 1990}),
        ("Reiter, D. 1994. C.", {"authors": who("Reiter", "D."), "year": 1994}),
        ("Roy, O. 2009. D.", {"authors": who("Roy", "O."), "year": 2009}),
        ("Zorn, A. 2001. E.", {"authors": who("Zorn", "A."), "year": 2001}),
    )
    hits = run_rule(structure.author_date_order, doc)
    assert len(hits) == 1
    assert doc.text[hits[0].start : hits[0].end].startswith("Reiter")
    assert "line 2" in hits[0].message


def test_order_reversed_run_is_one_finding(run_rule: RunRule) -> None:
    names = ["Zorn", "Young", "Xu", "Walt"]
    doc = author_date(
        *((f"{n}, A. 2001. T.", {"authors": who(n, "A."), "year": 2001}) for n in names)
    )
    assert len(run_rule(structure.author_date_order, doc)) == 1


def test_order_conventions_accepted(run_rule: RunRule) -> None:
    doc = author_date(
        ("“Anonymous Report.” 2010. Stratfor.", {"title": "Anonymous Report"}),
        ("“Zeta Statement.” 2010. News.", {"title": "Zeta Statement"}),
        ("Abbott, K. 2000. A.", {"authors": who("Abbott", "K."), "year": 2000}),
        ("de Haas, M. 2015. B.", {"authors": who("de Haas", "M."), "year": 2015}),
        ("Hofmann, S. 2014. C.", {"authors": who("Hofmann", "S."), "year": 2014}),
        ("Snyder, Craig. 2008. D.", {"authors": who("Snyder", "Craig"), "year": 2008}),
        ("Snyder, Glenn. 2007. E.", {"authors": who("Snyder", "Glenn"), "year": 2007}),
        (
            "The News Newsfeed. 2009. F.",
            {"authors": [Author("The News Newsfeed", literal=True)], "year": 2009},
        ),
        ("Walt, S. 1985. G.", {"authors": who("Walt", "S."), "year": 1985}),
        ("Walt, S. 1990. H.", {"authors": who("Walt", "S."), "year": 1990}),
    )
    assert run_rule(structure.author_date_order, doc) == []


def test_same_author_years_out_of_order(run_rule: RunRule) -> None:
    doc = author_date(
        ("Abbott, K. 2000. A.", {"authors": who("Abbott", "K."), "year": 2000}),
        ("Walt, S. 1990. H.", {"authors": who("Walt", "S."), "year": 1990}),
        ("Walt, S. 1985. G.", {"authors": who("Walt", "S."), "year": 1985}),
    )
    hits = run_rule(structure.author_date_order, doc)
    assert len(hits) == 1 and doc.text[hits[0].start :].startswith("Walt, S. 1985")


# ---- RC406 author-year-collision


def test_unodc_collision_in_seed_004(run_rule: RunRule) -> None:
    doc = seed("004")
    hits = run_rule(structure.author_year_collision, doc)
    assert [doc.text[h.start : h.end] for h in hits] == ["2010", "2010"]
    assert [h.suggestion for h in hits] == ["2010a", "2010b"]
    for h in hits:
        line = doc.source.position(h.start)[0]
        assert doc.source.line_text(line).startswith("UNODC. 2010.")
        assert h.fix is not None and h.fix.safe is False


def test_suffixed_years_do_not_collide(run_rule: RunRule) -> None:
    doc = author_date(
        (
            "Walt, S. 1990a. One.",
            {"authors": who("Walt", "S."), "year": 1990, "year_suffix": "a", "title": "One"},
        ),
        (
            "Walt, S. 1990b. Two.",
            {"authors": who("Walt", "S."), "year": 1990, "year_suffix": "b", "title": "Two"},
        ),
        ("Walt, T. 1990. Three.", {"authors": who("Walt", "T."), "year": 1990, "title": "Three"}),
    )
    assert run_rule(structure.author_year_collision, doc) == []


# ---- RC407 incomplete-reference


def test_incomplete_reference_in_seed_004(run_rule: RunRule) -> None:
    doc = seed("004")
    hits = run_rule(structure.incomplete_reference, doc)
    assert [doc.text[h.start : h.end] for h in hits] == [
        "MacCoubrey, Hillary. 2000. “The Concept of Collective Security.”"
    ]


def test_short_references_are_not_incomplete(run_rule: RunRule) -> None:
    doc = author_date(
        (
            "CST Memorandum 2000.",
            {"authors": [Author("CST Memorandum", literal=True)], "year": 2000},
        ),
        (
            "Smith, J. 2001. “A Title.” Report.",
            {"authors": who("Smith", "J."), "year": 2001, "title": "A Title"},
        ),
        (
            "Walt, S. 1990. The Origins of Alliances.",
            {"authors": who("Walt", "S."), "year": 1990, "title": "The Origins of Alliances"},
        ),
    )
    assert run_rule(structure.incomplete_reference, doc) == []


# ---- RC408 / RC409


def test_no_reference_list(run_rule: RunRule) -> None:
    hits = run_rule(structure.no_reference_list, seed("000"))
    assert len(hits) == 1 and hits[0].start == 0
    assert run_rule(structure.no_reference_list, seed("001")) == []


def test_unresolved_repeats(run_rule: RunRule) -> None:
    text = "1 Ibid., p. 4.\n2 Smith, op. cit., p. 5.\n3 ibid.\n"
    doc = make_doc(
        text,
        [
            {"raw": "Ibid., p. 4.", "kind": "ibid"},
            {"raw": "Smith, op. cit., p. 5.", "kind": "op-cit"},
            {"raw": "ibid.", "kind": "ibid", "repeats": 1},
        ],
        layout="footnotes",
    )
    hits = run_rule(structure.unresolved_repeat, doc)
    assert [doc.text[h.start : h.end] for h in hits] == ["Ibid.", "op. cit."]


def test_seed_003_repeats_that_resolve_are_quiet(run_rule: RunRule) -> None:
    doc = seed("003")
    repeats = [r for r in doc.references if r.kind in ("ibid", "op-cit")]
    hits = run_rule(structure.unresolved_repeat, doc)
    unresolved = {r.start for r in repeats if r.repeats is None}
    assert len(hits) == len(unresolved) < len(repeats)
    assert all(any(s <= h.start for s in unresolved) for h in hits)


def test_fold_ignores_case_accents_braces_and_punctuation() -> None:
    from refcheck.rules.structure import _fold

    # ASCII takes a shortcut past Unicode normalisation; both must agree.
    assert _fold("The {DNA} of_Alliances, 2nd ed.") == "the dna of alliances 2nd ed"
    assert _fold("Études sur l’Ålliance ﬁnale") == "etudes sur l alliance finale"
    assert _fold("Straße") == _fold("STRASSE") == "strasse"
