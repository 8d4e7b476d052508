"""Structure rules RC401–RC409, on built documents and on the seeds."""

from __future__ import annotations

import re
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


def _dupes(run_rule: RunRule, bib: str) -> list[tuple[int, str, str | None]]:
    doc = doc_from_text(bib, "bibtex")
    hits = run_rule(structure.duplicate_reference, doc)
    return [
        (doc.source.position(h.start)[0], h.message, h.severity and h.severity.value)
        for h in hits
    ]


def test_copies_are_compared_with_one_earlier_of_each_kind(
    run_rule: RunRule, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One entry pasted many times (three volumes, one DOI): each copy is compared with
    # the first entry of each distinct kind, not with every earlier copy, so the work
    # grows with the copies, not with their square, and the findings name the first.
    n = 300
    bib = "".join(
        f"@article{{k{i},\n author = {{Smith, John}},\n title = {{A study of repeated things}},\n"
        f" journal = {{Journal of Studies}}, year = {{2019}}, volume = {{{1 + i % 3}}},\n"
        f" doi = {{10.1234/abc}}}}\n"
        for i in range(n)
    )
    sizes: list[int] = []
    real = structure._duplicate_of

    def counting(doc: Document, ref: Any, facts: Any, candidates: list[Any]) -> Hit | None:
        sizes.append(len(candidates))
        return real(doc, ref, facts, candidates)

    monkeypatch.setattr(structure, "_duplicate_of", counting)
    hits = _dupes(run_rule, bib)
    assert len(hits) == n - 3  # every copy after the first of each volume
    assert {m for h in hits for m in re.findall(r"at line (\d+)", h[1])} == {"1", "6", "11"}
    assert max(sizes) == 3  # the first of each kind, however many copies came before


def test_recurring_column_is_not_a_duplicate(run_rule: RunRule) -> None:
    # Beebe's epodd.bib: the editors' "Editorial" in every issue of a volume.
    bib = "".join(
        f"@Article{{Brailsford:EPODD-2-{n}-{p},\n author = {{David F. Brailsford and "
        f"Richard J. Beach}},\n title = {{Editorial}}, journal = {{Electronic Publishing}},\n"
        f" volume = {{2}}, number = {{{n}}}, pages = {{{p}--{p + 1}}}, month = {m},"
        f" year = {{1989}}}}\n"
        for n, p, m in ((1, 1, "apr"), (2, 63, "jul"), (3, 117, "oct"))
    )
    assert _dupes(run_rule, bib) == []
    # The same issue's editorial entered twice is a copy, whatever the month's spelling.
    copy = bib.splitlines()[0:4]
    again = "\n".join(copy).replace("month = apr", "month = {April}").replace("-2-1-1", "x")
    (hit,) = _dupes(run_rule, bib + again + "\n")
    assert hit[0] == 13 and "line 1" in hit[1] and hit[2] is None


def test_editions_and_reprints_are_not_duplicates(run_rule: RunRule) -> None:
    bib = (
        "@Book{a, author = {Joseph Blumenthal}, title = {The printed book in {America}},\n"
        " publisher = {D. R. Godine}, year = {1977}, isbn = {0-87923-210-2}}\n"
        "@Book{b, author = {Joseph Blumenthal}, title = {The printed book in America},\n"
        " publisher = {Scolar Press}, year = {1977}, isbn = {0-85967-412-6}}\n"
        "@book{c, author = {Kullback, S.}, title = {Information Theory}, year = 1997,\n"
        " publisher = {Dover}}\n"
        "@book{d, author = {Kullback, S.}, title = {Information Theory}, year = 1997,\n"
        " publisher = {Dover}, related = {kullback}, relatedtype = {origpubin}}\n"
        "@book{e, author = {Romano, F.}, title = {Modern Type}, year = 1986, pages = {122}}\n"
        "@book{f, author = {Romano, F.}, title = {Modern Type}, year = 1986, pages = {146}}\n"
        "@book{g, author = {Lee, A.}, title = {Long Title Here}, year = 1990, edition = {2nd}}\n"
        "@book{h, author = {Lee, A.}, title = {Long Title Here}, year = 1990, edition = {3}}\n"
        # Two software packages told apart by the numbers in their notes.
        "@misc{i, author = {Anonymous}, title = {Expresiv fonts}, year = 1994,\n"
        " note = {4 computer disks}}\n"
        "@misc{j, author = {Anonymous}, title = {Expresiv fonts}, year = 1994,\n"
        " note = {6 computer disks}}\n"
        # Ancient authors named only in `shortauthor`.
        "@book{ApollRhod, shortauthor = {Rhodios, Apollonios}, title = {Argonautica}}\n"
        "@book{ValFl, shortauthor = {Flaccus, Valerius}, title = {Argonautica}}\n"
    )
    assert _dupes(run_rule, bib) == []


def test_copies_in_two_styles_are_duplicates(run_rule: RunRule) -> None:
    bib = (
        # hott-book.bib: a chapter typed @article, then again as @incollection.
        "@article{h1, title={The groupoid interpretation of type theory},\n"
        " author={Hofmann, M. and Streicher, T.}, journal={Twenty-five years of constructive"
        " type theory (Venice, 1995)}, volume={36}, pages={83--111}, year={1998}}\n"
        "@INCOLLECTION{h2, author = {Hofmann, Martin and Streicher, Thomas},\n"
        " title = {The groupoid interpretation of type theory}, booktitle = {Twenty-five years"
        " of constructive type theory ({V}enice, 1995)}, publisher = {Oxford Univ. Press},"
        " year = {1998}, volume = {36}, pages = {83--111}}\n"
        # The same proceedings named two ways.
        "@InProceedings{a1, author = {Thorsten Altenkirch}, title = {Extensional Equality},\n"
        " booktitle = {14th Symposium on Logic in Computer Science}, year = {1999},"
        " pages = {412 -- 420}}\n"
        "@InProceedings{a2, author = {Thorsten Altenkirch}, title = {Extensional equality},\n"
        " booktitle = {{IEEE} {S}ymposium on {L}ogic in {C}omputer {S}cience}, year = {1999}}\n"
        # An abbreviated journal; an ISBN-10 and its ISBN-13.
        "@article{p1, author={Doe, J.}, title={Spin}, journal={Physical Review Letters},\n"
        " volume={12}, pages={1--5}, year={2001}, isbn={0-201-13445-4}}\n"
        "@article{p2, author={Doe, Jane}, title={Spin.}, journal={Phys. Rev. Lett.},\n"
        " volume={12}, pages={1-5}, year={2001}, isbn={978-0-201-13445-2}}\n"
    )
    got = _dupes(run_rule, bib)
    assert [(line, level) for line, _, level in got] == [(3, None), (7, None), (11, None)]
    assert all("same title, first author and year" in msg for _, msg, _ in got)


def test_same_doi_is_a_duplicate_unless_pages_differ(run_rule: RunRule) -> None:
    bib = (
        "@article{x1, author={Lee, K.}, title={Sharing data}, journal={PLoS ONE}, year={2007},\n"
        " doi={10.1371/journal.pone.0000308}}\n"
        "@article{x2, author={Lee, K.}, title={Sharing detailed research data}, year={2007},\n"
        " doi={https://doi.org/10.1371/JOURNAL.PONE.0000308}}\n"
        "@incollection{c1, author={Ng, A.}, title={Chapter one}, booktitle={Handbook},\n"
        " pages={1--20}, year={2010}, doi={10.1000/book}}\n"
        "@incollection{c2, author={Ng, A.}, title={Chapter two}, booktitle={Handbook},\n"
        " pages={21--40}, year={2010}, doi={10.1000/book}}\n"
        # A chapter giving its book's DOI is not the book.
        "@book{b1, editor={Ng, A.}, title={Handbook of Things}, year={2010}, doi={10.1000/book}}\n"
    )
    (hit,) = _dupes(run_rule, bib)
    assert hit[0] == 3 and "same DOI" in hit[1]


def test_preprint_and_published_version_is_info(run_rule: RunRule) -> None:
    bib = (
        "@article{j, author={Baez, John}, title={Higher Yang-Mills theory}, year={2004},\n"
        " journaltitle={J. Math. Phys.}, volume={45}, pages={1--10}}\n"
        "@online{o, author={Baez, John}, title={Higher {Yang-Mills} Theory}, date={2004-10-27},\n"
        " eprint={hep-th/0206130}, eprinttype={arxiv}}\n"
        "@misc{m, author={Baez, John}, title={Higher Yang-Mills theory}, year={2004},\n"
        " journal={arXiv preprint hep-th/0206130}}\n"
    )
    got = _dupes(run_rule, bib)
    # The two preprints are one record; each is a preprint of the published article.
    assert [(line, level) for line, _, level in got] == [(3, "info"), (5, None)]
    assert "preprint" in got[0][1] and "line 1" in got[0][1]
    thesis = (
        "@phdthesis{t, author={Ng, A.}, title={On Things}, school={MIT}, year=2001}\n"
        "@book{b, author={Ng, A.}, title={On things}, publisher={Springer}, year=2001}\n"
    )
    assert [(line, level) for line, _, level in _dupes(run_rule, thesis)] == [(2, "info")]


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


def test_missing_fields_warn_only_when_the_work_cannot_be_found(run_rule: RunRule) -> None:
    bib = (
        # An astronomy @article without title (journal, volume and pages locate it).
        "@article{salpeter1955, author = {Salpeter, E. E.}, journal = {ApJ},\n"
        " volume = {121}, pages = {161}, year = {1955}}\n"
        # A preprint typed @article, with no journal yet: its title finds it.
        "@article{rijke, title={Sets in homotopy type theory}, author={Rijke, E.}, year=2013}\n"
        # A @periodical issue without editor (biblatex's styles print it silently).
        "@periodical{jcg, title = {Computers and Graphics}, volume = 35, date = 2011}\n"
        # Nothing to find it by: no title, DOI, URL or full journal locator.
        "@article{xanes, author={Meng, F. and Lu, D.}, note={private communication}, year={2022}}\n"
        "@article{part, author={Lee, K.}, journal={ApJ}, year={2020}}\n"
    )
    doc = doc_from_text(bib, "bibtex")
    got = [
        (doc.source.position(h.start)[0], h.severity and h.severity.value, h.message)
        for h in run_rule(structure.missing_field, doc)
    ]
    assert [(line, level) for line, level, _ in got] == [
        (1, "info"), (3, "info"), (4, "info"), (5, None), (6, None)
    ]
    assert "found by its journal, volume and pages" in got[0][2] and "title" in got[0][2]
    assert "found by its title" in got[1][2] and got[1][2].endswith("journal (BibTeX)")
    assert got[2][2].endswith("editor (biblatex)")
    assert "no title, DOI, URL" in got[3][2] and got[3][2].endswith("title, journal (BibTeX)")
    doi = "@article{d, author={A, B}, year={2001}, doi={10.1371/journal.pone.0000308}}\n"
    (hit,) = run_rule(structure.missing_field, doc_from_text(doi, "bibtex"))
    assert hit.severity is not None and "found by its DOI" in hit.message
    ancient = "@book{AchTat, shortauthor = {Tatios, Achilleus}, shorthand = {Ach. Tat.}}\n"
    (hit,) = run_rule(structure.missing_field, doc_from_text(ancient, "bibtex"))
    assert hit.severity is not None and "found by its shorthand" in hit.message


def test_missing_csl_fields(run_rule: RunRule) -> None:
    text = '[{"id": "a", "type": "article-journal", "title": "T", "author": [{"family": "S"}]}]'
    doc = doc_from_text(text, "csl-json")
    hits = run_rule(structure.missing_field, doc)
    assert len(hits) == 1
    assert "container-title" in hits[0].message and "issued" in hits[0].message
    assert hits[0].severity is not None  # its title finds it: info
    bare = '[{"id": "b", "type": "article-journal", "author": [{"family": "S"}]}]'
    (hit,) = run_rule(structure.missing_field, doc_from_text(bare, "csl-json"))
    assert hit.severity is None and "title, container-title, issued" in hit.message


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
