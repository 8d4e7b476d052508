"""Syntax rules RC001–RC008 and the URL artifact rule RC201, on built and real documents."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import doc_from_text, make_doc

from refcheck.model import Document, Severity
from refcheck.rules import structure, syntax
from refcheck.rules.base import Hit, Rule

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "tests" / "data" / "shared"  # trimmed copies, see its README
SEED_004 = ROOT / "references" / "004-jrs-post-soviet-security.txt"

RunRule = Callable[[Rule, Document], list[Hit]]


def one_ref(text: str) -> Document:
    return make_doc(text, [{"raw": text}])


def texts(doc: Document, hits: list[Hit]) -> list[str]:
    return [doc.text[h.start : h.end] for h in hits]


# ---- RC001 malformed-doi


@pytest.mark.parametrize(
    ("text", "bad", "suggestion", "safe"),
    [
        (
            "OpenAI. GPT-4 technical report. 2023. doi: 10. 48550/arXiv.2303.08774. URL x.",
            "10. 48550/arXiv.2303.08774",
            "10.48550/arXiv.2303.08774",
            True,
        ),
        (
            "NeuroImage 166. DOI: https://doi.org/ 10.1016/j.neuroimage.2017.10.034, PMID: 1",
            "https://doi.org/ 10.1016/j.neuroimage.2017.10.034",
            "https://doi.org/10.1016/j.neuroimage.2017.10.034",
            True,
        ),
        ("Smith J. Title. J 1, 2001. doi:10.1000/ abc.", "10.1000/ abc", "10.1000/abc", True),
        (
            "Asaad R. Image Processing. AJNU, Vol.12,https://doi.org/10.25007/ajnu.v12 n2a1754.",
            "https://doi.org/10.25007/ajnu.v12 n2a1754",
            "https://doi.org/10.25007/ajnu.v12n2a1754",
            False,
        ),
        (
            "Smith J. T. 2001. https://doi.org/doi:10.1000/xyz123.",
            "https://doi.org/doi:10.1000/xyz123",
            "https://doi.org/10.1000/xyz123",
            True,
        ),
        ("Smith J. T. 2001. doi:10.123/abc.", "10.123/abc", None, False),
    ],
)
def test_malformed_doi_in_text(
    run_rule: RunRule, text: str, bad: str, suggestion: str | None, safe: bool
) -> None:
    doc = one_ref(text)
    hits = run_rule(syntax.malformed_doi, doc)
    assert texts(doc, hits) == [bad]
    assert hits[0].suggestion == suggestion
    if suggestion is None:
        assert hits[0].fix is None
    else:
        assert hits[0].fix is not None and hits[0].fix.safe is safe
        assert hits[0].fix.replacement == suggestion


@pytest.mark.parametrize(
    "text",
    [
        "Troitskii E.F. Rusin, 2018, no. 54, pp. 335-351. DOI: 10.17223/18572685/54/20",
        "Makeig S. 1993. doi:10.1016/0013-4694(93)90110-H.",
        "(see doi:10.1000/xyz)",
        "Novaya gazeta, 10.07.2019. Received 03.07.2020, vol. 10.5/3.",
        "Link https://doi.org/10.1890%2F0012-9615%281999%29069%5B0569%3Aedilsa%5D2.0.co%3B2.",
        "Publisher page https://onlinelibrary.wiley.com/doi/10.1002/asi.23741 (accessed).",
        "Users must give the DOI code of the article.",
    ],
)
def test_valid_dois_and_lookalikes_pass(run_rule: RunRule, text: str) -> None:
    assert run_rule(syntax.malformed_doi, one_ref(text)) == []


def test_doi_field_in_bibtex(run_rule: RunRule) -> None:
    bib = (
        "@article{a, title={T}, doi={10.1000/abc.}}\n"
        "@article{b, title={T}, doi={abc}}\n"
        "@article{c, title={T}, doi={10.1000/ok}, url={https://doi.org/10.1000/ok}}\n"
    )
    doc = doc_from_text(bib, "bibtex")
    hits = run_rule(syntax.malformed_doi, doc)
    assert texts(doc, hits) == ["10.1000/abc.", "abc"]
    assert hits[0].suggestion == "10.1000/abc" and hits[0].fix is not None
    assert hits[0].fix.safe is False
    assert all(h.field == "doi" for h in hits)


def test_csl_json_escaped_slashes_are_not_errors(run_rule: RunRule) -> None:
    path = SHARED / "fixtures" / "crossref" / "cn-csl__10.1038_nchem.1149.json"
    doc = doc_from_text(path.read_text(encoding="utf-8"), "csl-json")
    assert doc.references
    for r in (syntax.malformed_doi, syntax.malformed_url, syntax.unbalanced_brackets):
        assert run_rule(r, doc) == []


# ---- RC201 url-whitespace and RC002 malformed-url


def test_broken_urls_in_seed_004(run_rule: RunRule) -> None:
    doc = doc_from_text(SEED_004.read_text(encoding="utf-8"), "text")
    hits = run_rule(syntax.url_whitespace, doc)
    found = {doc.text[h.start : h.end]: h for h in hits}
    expected = {
        "http://www.jamestown. org/single/?no_cache=1&tx_ttnews%5Btt_news%5D=36539"
        "&tx_ttnews%5BbackPid %5D=381&cHash=9a190fa911": (
            "http://www.jamestown.org/single/?no_cache=1&tx_ttnews%5Btt_news%5D=36539"
            "&tx_ttnews%5BbackPid%5D=381&cHash=9a190fa911",
            True,
        ),
        "http://www.glo- balsecurity.org/military/world/centralasia/kyrgyz-army.htm": (
            "http://www.globalsecurity.org/military/world/centralasia/kyrgyz-army.htm",
            False,
        ),
        "http://www.washingtonpost.com/wp- dyn/content/article/2010/06/12/AR2010061200750.html": (
            "http://www.washingtonpost.com/wp-dyn/content/article/2010/06/12/AR2010061200750.html",
            False,
        ),
        "http://thenews. kz/2009/09/22/134213.html": (
            "http://thenews.kz/2009/09/22/134213.html",
            True,
        ),
    }
    for written, (joined, safe) in expected.items():
        assert written in found, written
        assert found[written].suggestion == joined
        fix = found[written].fix
        assert fix is not None and fix.safe is safe
    assert any("armeniandiaspora.com/ showthread.php" in t for t in found)
    assert any(t.endswith("#sthash. Ww95gdri.dpuf") for t in found)
    # No URL piece is left for RC002 to call malformed.
    assert run_rule(syntax.malformed_url, doc) == []


@pytest.mark.parametrize(
    "text",
    [
        "Site. http://example.org/ Accessed January 4, 2017.",
        "Site. http://example.org/page. Retrieved 5 May 2019.",
        "Site (http://example.org/a_(b)) and https://en.wikipedia.org/wiki/Foo_(bar).",
        "*[Mostly Harmless](https://www.mostlyharmlesseconometrics.com/)*, Princeton.",
        "At https://doi.org/ 10.1016/j.x.2017.10.034 (RC001 reports DOI links).",
        "Available at: https://www.academia.edu/123/The_NATO_of_the_East_ (accessed 05.06.2020).",
    ],
)
def test_urls_that_are_not_broken(run_rule: RunRule, text: str) -> None:
    doc = one_ref(text)
    assert run_rule(syntax.url_whitespace, doc) == []
    assert run_rule(syntax.malformed_url, doc) == []


def test_url_broken_across_lines(run_rule: RunRule) -> None:
    text = "Report. https://example.org/reports/\nannual-2019.pdf.\n"
    doc = one_ref(text.rstrip("\n"))
    hits = run_rule(syntax.url_whitespace, doc)
    assert texts(doc, hits) == ["https://example.org/reports/\nannual-2019.pdf"]
    assert hits[0].suggestion == "https://example.org/reports/annual-2019.pdf"


@pytest.mark.parametrize(
    ("text", "bad", "suggestion"),
    [
        ("See htp://example.org/a.", "htp://", "http://"),
        ("See http:/www.example.org/a.", "http:/", "http://"),
        ("See http//www.example.org/a.", "http//", "http://"),
        ("See https://example/a.", "https://example/a", None),
        ("See https://en.wikipedia.org/wiki/Treaty_(1992 for details.", None, None),
        ("See http://example.org/a\\b.", "http://example.org/a\\b", None),
    ],
)
def test_malformed_urls(
    run_rule: RunRule, text: str, bad: str | None, suggestion: str | None
) -> None:
    doc = one_ref(text)
    hits = run_rule(syntax.malformed_url, doc)
    assert len(hits) == 1
    if bad is not None:
        assert texts(doc, hits) == [bad]
    assert hits[0].suggestion == suggestion


# ---- RC003 / RC004


def test_kelsen_unclosed_parenthesis(run_rule: RunRule) -> None:
    doc = doc_from_text(SEED_004.read_text(encoding="utf-8"), "text")
    hits = run_rule(syntax.unbalanced_brackets, doc)
    assert len(hits) == 1
    line, _ = doc.source.position(hits[0].start)
    assert doc.source.line_text(line).startswith("Kelsen, Hans. 2001.")
    assert hits[0].end == hits[0].start + 1
    assert doc.text[hits[0].start :].startswith("(International Law Studies. Cambridge")


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Smith J. Title (2nd ed. London: X, 2001.", "("),
        ("Smith J. Title 2nd ed.) London: X, 2001.", ")"),
        ("Smith J. [Title (in Russian]. 2001.", "("),
        ("1) Smith J. Title. London: X, 2001.", None),
        ("Smith J. (ed.) Title [in Russian]. 2001. https://x.org/a_(b).", None),
        ("Smith J. Title. 2001. 10.1016/0013-4694)93. Journal.", None),  # the DOI's own
    ],
)
def test_brackets(run_rule: RunRule, text: str, bad: str | None) -> None:
    doc = one_ref(text)
    assert texts(doc, run_rule(syntax.unbalanced_brackets, doc)) == ([bad] if bad else [])


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Smith, J. 2001. “The Concept of Alliance. Journal 12: 1–9.", "“"),
        ("Smith, J. 2001. The Concept” of Alliance. Journal 12: 1–9.", "”"),
        ('Smith, J. 2001. "The Concept of Alliance. Journal 12: 1–9.', '"'),
        ("Müller, K. 2001. „Die Allianz“. Zeitschrift 3.", None),
        ("Ivanov, I. 2001. «Soyuz». Zhurnal 3.", None),
        ("Smith, J. 2001. “NATO‟s role.” Journal 12.", None),
        ("Smith, J. 2001. “A Title Running\nOnto a Second Line.” Journal 12.", None),
    ],
)
def test_quotes(run_rule: RunRule, text: str, bad: str | None) -> None:
    doc = one_ref(text)
    assert texts(doc, run_rule(syntax.unbalanced_quotes, doc)) == ([bad] if bad else [])


# ---- RC005 / RC006 / RC008: parse problems and empty fields


def test_parse_problems_become_findings(run_rule: RunRule) -> None:
    bib = (
        "@article{a, title = {X}, year = {2001}, title = {Y}}\n"
        "@article{b, title = {Unclosed, year = 2001}\n"
        "@article{c, title = {Z}, month = {}}\n"
    )
    doc = doc_from_text(bib, "bibtex")
    dup = run_rule(syntax.duplicate_field, doc)
    assert len(dup) == 1 and "title" in dup[0].message
    assert doc.text[dup[0].start : dup[0].end].startswith("title")
    assert len(run_rule(syntax.bibtex_syntax, doc)) >= 1
    empty = run_rule(syntax.empty_field, doc)
    assert texts(doc, empty) == ["month = {}"]


def test_json_syntax_is_reported(run_rule: RunRule) -> None:
    doc = doc_from_text('[{"id": "a", "type": "book", "title": "X"', "csl-json")
    hits = run_rule(syntax.bibtex_syntax, doc)
    assert hits and all(h.start >= 0 for h in hits)


# ---- real files: no false alarms


def test_clean_bib_has_no_findings_above_info(run_rule: RunRule) -> None:
    doc = doc_from_text((SHARED / "corpus" / "clean.bib").read_text(encoding="utf-8"), "bibtex")
    assert len(doc.references) > 20
    for r in (*syntax.RULES, *structure.RULES):
        if r.severity is not Severity.INFO and r.applies_to(doc.format):
            assert run_rule(r, doc) == [], r.code


def test_seed_001_has_no_syntax_findings(run_rule: RunRule) -> None:
    path = ROOT / "references" / "001-memo-krivopalov-2021.txt"
    doc = doc_from_text(path.read_text(encoding="utf-8"), "text")
    assert len(doc.references) >= 17
    for r in syntax.RULES:
        assert run_rule(r, doc) == [], r.code


# ---- fast paths: the same findings as scanning every region in full
#
# The rules skip regions that hold no hint of what they look for, walk only the
# bracket and quote characters, and share regions between rules through a
# cache.  Each test below compares a fast path with the plain computation on
# generated references full of the characters that matter.

_PIECES = (
    *'()[]{}“”„‟«»"',
    *(" ", "\n", "a", "Word", "1)", "b)", "NATO‟s", "x”y", ".", ",", "%5D", "\\", "1", "0"),
    *("10.", "1000", "/", " 10.1000/ab", "10.12/3", "10.1016/0013-4694(93)90110-H"),
    *("doi:", "DOI", "dOİ", "doı", "https://doi.org/", "http://x.org/a_(b)", "ftp://a.b/"),
    *("www.", "WWW.ex", "htp://", "http:/", "http//", "http:\\\\", ":", "//", " org/"),
    *("www.glo- balsecurity.org/a",),
)
_FIELDS = ("title", "doi", "Doi", "url", "note", "abstract", "journal", "howpublished")


def _generated_documents(seed: int, count: int) -> list[Document]:
    """Plain-text, BibTeX and CSL-JSON documents made of random ``_PIECES``."""
    rnd = random.Random(seed)

    def chunk(k: int) -> str:
        return "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, k)))

    docs = []
    for _ in range(count):
        text = "\n\n".join(chunk(12) for _ in range(rnd.randint(1, 4)))
        docs.append(doc_from_text(text, "text"))
        entries = []
        for j in range(rnd.randint(1, 3)):
            fields = ", ".join(
                f"{rnd.choice(_FIELDS)} = {{{chunk(6).replace('{', '').replace('}', '')}}}"
                for _ in range(rnd.randint(1, 4))
            )
            entries.append(f"@article{{k{j}, {fields}}}")
        docs.append(doc_from_text("\n".join(entries), "bibtex"))
        items = [
            {"id": f"i{j}", "type": "article", rnd.choice(("title", "DOI", "URL")): chunk(6)}
            for j in range(rnd.randint(1, 3))
        ]
        docs.append(doc_from_text(json.dumps(items, ensure_ascii=rnd.random() < 0.5), "csl-json"))
    return docs


@pytest.fixture(scope="module")
def generated() -> list[Document]:
    docs = _generated_documents(seed=8, count=120)
    assert len(docs) == 360
    return docs


def test_hint_patterns_match_the_plain_alternation() -> None:
    # The hints are written for speed; they must accept exactly what the
    # case-insensitive alternation of the scanners' prefixes accepts.
    plain_field = re.compile(r"(?i)10\.|doi|:[/\\]|//|www\.|[()\[\]“„«”‟»]")
    plain_text = re.compile(r"(?i)10\.|doi|:[/\\]|//|www\.|[()\[\]{}“„«”‟»\"]")
    rnd = random.Random(3)
    # Without the single marks, which would hide a missed multi-character hint.
    for alphabet in ("10.dDoOiIıİwW:/\\a ", '10.dDoOiIıİwW:/\\()[]{}“„«”‟»"a x'):
        for _ in range(20000):
            s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 7)))
            i = rnd.randint(0, len(s))
            j = rnd.randint(i, len(s))
            for plain, fast in ((plain_field, syntax._FIELD_HINT), (plain_text, syntax._TEXT_HINT)):
                assert (plain.search(s[i:j]) is None) == (fast.search(s, i, j) is None), (s, i, j)


def test_rules_equal_a_scan_of_every_region(run_rule: RunRule, generated: list[Document]) -> None:
    """Skipping regions without a hint loses no finding of any rule."""
    per_region: list[tuple[Rule, Callable[[syntax._Region], Iterator[Hit]]]] = [
        (syntax.malformed_doi, syntax._doi_hits),
        (syntax.malformed_url, syntax._url_hits),
        (syntax.url_whitespace, syntax._broken_url_hits),
        (syntax.unbalanced_brackets, syntax._bracket_hits),
        (syntax.unbalanced_quotes, syntax._quote_hits),
    ]
    found = dict.fromkeys((rule.code for rule, _ in per_region), 0)
    for doc in generated:
        every = list(syntax._all_regions(doc))
        # The URL scan shared by four rules is skipped without "://" or "www.".
        scanned = [(r.start, u) for r in every for u in syntax._scan_urls(r)]
        assert [(r.start, u) for r in every for u in r.urls()] == scanned, doc.text
        for rule, hits_in in per_region:
            full = [h for r in every for h in hits_in(r)]
            got = run_rule(rule, doc)
            assert got[: len(full)] == full, (rule.code, doc.text)
            # After the regions, RC001 reports DOIs the parser recorded elsewhere.
            assert all("recorded as this reference's DOI" in h.message for h in got[len(full) :])
            found[rule.code] += len(full)
    assert all(found.values()), found  # the inputs exercise every rule


def _unbalanced_every_character(text: str, pairs: str) -> list[tuple[int, str]]:
    """The bracket walk as first written: every character visited."""
    out: list[tuple[int, str]] = []
    stack: list[tuple[int, str]] = []
    for i, c in enumerate(text):
        if c in syntax._OPEN and c in pairs:
            stack.append((i, c))
        elif c in syntax._CLOSE and c in pairs:
            opener = syntax._CLOSE[c]
            if stack and stack[-1][1] == opener:
                stack.pop()
            elif any(o == opener for _, o in stack):
                while stack[-1][1] != opener:
                    out.append(stack.pop())
                stack.pop()
            else:
                out.append((i, c))
    return out + stack


def _quotes_every_character(text: str, straight: bool) -> list[tuple[int, str]]:
    """The quotation-mark walk as first written: every character visited."""
    out: list[tuple[int, str]] = []
    stack: list[tuple[int, str]] = []

    def between_letters(i: int) -> bool:
        return 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()

    for i, c in enumerate(text):
        if c not in syntax._QUOTE_OPEN and c not in syntax._QUOTE_CLOSE:
            continue
        if between_letters(i):
            continue
        top = stack[-1][1] if stack else ""
        if (c == "“" and top == "„") or (c == "«" and top == "»"):
            stack.pop()
        elif c in syntax._QUOTE_OPEN or (c == "»" and "«" not in (o for _, o in stack)):
            stack.append((i, c))
        elif stack:
            stack.pop()
        else:
            out.append(
                (i, f"closing quotation mark '{c}' without an opening one in this reference")
            )
    out += [
        (i, f"opening quotation mark '{c}' is never closed in this reference") for i, c in stack
    ]
    if straight:
        marks = [i for i, c in enumerate(text) if c == '"' and not between_letters(i)]
        if len(marks) % 2:
            out.append((marks[-1], "odd number of '\"' quotation marks in this reference"))
    return out


def test_walks_visiting_only_marks_equal_walks_over_every_character() -> None:
    rnd = random.Random(5)
    alphabet = '()[]{}“”„‟«»"aZ 1.'
    for _ in range(5000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        pos = rnd.randint(0, len(s))
        for pairs, pattern in (("()[]{}", syntax._TEXT_BRACKETS), ("()[]", syntax._FIELD_BRACKETS)):
            expected = [(pos + i, c) for i, c in _unbalanced_every_character(s[pos:], pairs)]
            assert list(syntax._unbalanced(s, pattern, pos)) == expected, (s, pos, pairs)
        for straight in (True, False):
            assert list(syntax._quote_problems(s, straight)) == _quotes_every_character(
                s, straight
            ), s


def test_region_cache_follows_the_document(run_rule: RunRule) -> None:
    first = one_ref("Smith J. Title (2nd ed. London: X, 2001.")
    second = one_ref("Smith J. Title [in Russian. London: X, 2001.")
    for _ in range(2):  # alternating documents never see each other's regions
        assert texts(first, run_rule(syntax.unbalanced_brackets, first)) == ["("]
        assert texts(second, run_rule(syntax.unbalanced_brackets, second)) == ["["]
    # A reference added after a first check is seen by the next one.
    text = "Smith J. Title (2nd ed. 2001.\nJones K. Title 2nd ed.) 2002."
    a, b = text.split("\n")
    doc = make_doc(text, [{"raw": a}])
    assert texts(doc, run_rule(syntax.unbalanced_brackets, doc)) == ["("]
    doc.references.append(make_doc(text, [{"raw": a}, {"raw": b}]).references[1])
    assert texts(doc, run_rule(syntax.unbalanced_brackets, doc)) == ["(", ")"]
    for i in range(syntax._CACHE_SIZE + 2):
        run_rule(syntax.malformed_doi, one_ref(f"Ref {i} (open."))
    assert len(syntax._CACHE) <= syntax._CACHE_SIZE
