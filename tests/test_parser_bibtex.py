"""The BibTeX parser on real files, hand-broken files and pathological input."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from refcheck.model import Author, Document, SourceText
from refcheck.parsers import bibtex, bibtex_split, latex, parse
from refcheck.parsers.latex import decode

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "tests" / "data" / "shared"  # trimmed copies, see its README
DATA = Path(__file__).resolve().parent / "data" / "bib"


def load(path: Path) -> Document:
    return bibtex.parse(SourceText(str(path), path.read_text(encoding="utf-8")))


def parse_text(text: str) -> Document:
    return bibtex.parse(SourceText("test.bib", text))


def check_invariants(doc: Document) -> None:
    text = doc.text
    for i, ref in enumerate(doc.references, 1):
        assert ref.index == i
        assert ref.raw == text[ref.start : ref.end]
        assert ref.line == doc.source.position(ref.start)[0]
        assert ref.end_line == doc.source.position(ref.end - 1)[0]
        assert set(ref.fields) == set(ref.field_spans)
        for name, (start, end) in ref.field_spans.items():
            assert name == name.lower()
            assert text[start:end] == ref.fields[name]
            assert ref.start <= start <= end <= ref.end
    for problem in doc.problems:
        assert 0 <= problem.start < problem.end <= len(text)


# ---------------------------------------------------------------------------
# Real files


def test_clean_corpus_parses_without_problems() -> None:
    path = SHARED / "corpus" / "clean.bib"
    doc = load(path)
    check_invariants(doc)
    assert doc.problems == []
    assert len(doc.references) == path.read_text(encoding="utf-8").count("\n@")
    assert len(doc.references) == 28
    assert doc.format == "bibtex" and doc.layout == "bibtex" and doc.expects_list
    first = doc.references[0]
    assert first.key == "LinEtAl2004" and first.line == 3 and first.end_line == 12
    assert first.authors[2] == Author("Hämäläinen", "Matti S.")
    # Case-protection braces are removed from the decoded title, kept in the field.
    monte = next(r for r in doc.references if r.key == "LiuEtAl2002")
    assert monte.title == "Monte Carlo Simulation Studies of EEG and MEG Localization Accuracy"
    assert "{{EEG}}" in monte.fields["title"]


@pytest.mark.parametrize(
    "path",
    sorted((SHARED / "fixtures" / "crossref").glob("cn-bibtex__*.bib")),
    ids=lambda p: p.name,
)
def test_crossref_bibtex_fixtures(path: Path) -> None:
    doc = load(path)
    check_invariants(doc)
    assert doc.problems == []
    assert len(doc.references) == 1
    ref = doc.references[0]
    # The file name is the DOI, with / and other characters replaced by _.
    assert ref.doi is not None
    assert path.name == "cn-bibtex__" + re.sub(r"[^a-z0-9.-]+", "_", ref.doi.lower()) + ".bib"
    assert ref.fields["doi"] == ref.doi or ref.doi in ref.fields["doi"]


def test_crossref_fixture_values() -> None:
    doc = load(SHARED / "fixtures/crossref/cn-bibtex__10.1126_science.169.3946.635.bib")
    ref = doc.references[0]
    assert ref.key == "Frank_1970"
    assert ref.year == 1970
    assert ref.container == "Science"
    assert (ref.volume, ref.issue, ref.pages) == ("169", "3946", "635–641")
    assert ref.publisher == "American Association for the Advancement of Science (AAAS)"
    assert ref.urls == ["http://dx.doi.org/10.1126/science.169.3946.635"]
    assert ref.dois == ["10.1126/science.169.3946.635"]
    # Field names are lower-cased; `month=Aug` is a bare macro, kept as written.
    assert ref.fields["month"] == "Aug"
    assert "DOI" not in ref.fields and "issn" in ref.fields


def test_sample_bib() -> None:
    path = ROOT / "references" / "sample.bib"
    text = path.read_text(encoding="utf-8")
    doc = load(path)
    check_invariants(doc)
    assert len(doc.references) == text.count("\n@") - text.count("\n@string")
    assert [p.kind for p in doc.problems] == ["duplicate-key"]
    dup = doc.problems[0]
    second = text.rindex("@article{knuth1984") + len("@article{")
    assert (dup.start, dup.end) == (second, second + len("knuth1984"))
    first_line = text[: text.index("@book{knuth1984")].count("\n") + 1
    assert f"line {first_line}" in dup.message

    by_key = {r.key: r for r in doc.references if r.entry_type != "article" or r.key != "knuth1984"}
    frank = by_key["frank1970"]
    start = text.index("@article{frank1970")
    assert frank.start == start
    assert frank.end == text.index("\n}\n", start) + 2
    assert (frank.line, frank.end_line) == (6, 15)
    title_at = text.index("{The Structure", start) + 1
    assert frank.field_spans["title"] == (title_at, text.index("},\n", title_at))
    year_at = text.index("{1970}", start) + 1
    assert frank.field_spans["year"] == (year_at, year_at + 4)

    godel = by_key["godel1931"]
    assert godel.authors == [Author("Gödel", "Kurt")]
    assert godel.title == (
        "Über formal unentscheidbare Sätze der Principia Mathematica und verwandter Systeme I"
    )
    assert godel.container == "Monatshefte für Mathematik und Physik"
    assert godel.pages == "173--198"  # pages keep their dashes as written
    assert by_key["erdos1959"].authors == [Author("Erdős", "Paul"), Author("Rényi", "Alfréd")]
    assert by_key["woelfle2011"].container == "Nature Chemistry"  # @string macro resolved
    assert by_key["woelfle2011"].fields["journal"] == "natchem"
    assert by_key["woelfle2011"].field_spans["year"][1] - by_key["woelfle2011"].field_spans["year"][
        0
    ] == len("2011")
    assert by_key["knuth1984"].title == "The TeXbook"
    assert by_key["lamport1994"].title == "LaTeX: A Document Preparation System"
    assert by_key["vaswani2017"].authors[6] == Author("Kaiser", "Łukasz")
    assert by_key["vaswani2017"].container == "Advances in Neural Information Processing Systems 30"
    # "and others" is et al., not an author.
    assert [a.family for a in by_key["wilkinson2016"].authors][-1] == "Appleton"
    fecher = by_key["fecher2014"]
    assert fecher.editors == [Author("Bartling", "Sönke"), Author("Friesike", "Sascha")]
    assert fecher.container == "Opening Science"
    assert fecher.doi == "10.1007/978-3-319-00026-8_2"
    assert by_key["nash1950"].publisher == "Princeton University"
    assert by_key["abrams2020"].issue == "27250"
    python = by_key["python-reference"]
    assert python.authors == [Author("Python Software Foundation", literal=True)]
    assert python.urls == ["https://docs.python.org/3/reference/"]
    online = by_key["crossref-restapi"]
    assert online.year == 2023 and online.accessed == "2024-05-14"
    assert online.urls == ["https://www.crossref.org/documentation/retrieve-metadata/rest-api/"]
    # The DOI written as a link keeps its trailing period for the DOI rules to report.
    ioannidis = by_key["ioannidis2005"]
    assert ioannidis.doi == "10.1371/journal.pmed.0020124."
    assert ioannidis.fields["doi"].startswith("https://doi.org/")
    assert by_key["piwowar2007"].container is None


def test_dispatch_by_format_name() -> None:
    doc = parse(SourceText("x.bib", "@misc{a, title={T}}\n"), "bibtex")
    assert doc.references[0].title == "T"


# ---------------------------------------------------------------------------
# Problems


def test_broken_file_problems() -> None:
    doc = load(DATA / "broken.bib")
    text = doc.text
    check_invariants(doc)
    assert [r.key for r in doc.references] == ["smith2020", "jones2019", "lee2018", "jones2019"]
    kinds = [(p.kind, p.message) for p in doc.problems]
    assert [k for k, _ in kinds] == [
        "bibtex-syntax",
        "bibtex-syntax",
        "duplicate-key",
        "duplicate-field",
    ]
    unclosed = doc.problems[0]
    # The trouble starts at the title's brace, which swallows the journal and year.
    assert unclosed.start == text.index("{Measuring")
    jones_line = text[: text.index("@book{jones2019")].count("\n") + 1
    assert unclosed.message.startswith(
        f"entry 'smith2020' is not closed: missing '}}' before the next entry at line {jones_line}"
    )
    assert "field 'title'" in unclosed.message and "field 'journal'" in unclosed.message
    # The entry after the unclosed one is recovered whole.
    jones = doc.references[1]
    assert jones.title == "A Book That Parses" and jones.year == 2019
    assert jones.raw.startswith("@book{jones2019") and jones.raw.endswith("}")
    # The broken entry ends before the next one, without the blank line.
    assert doc.references[0].raw.endswith("}")
    assert doc.references[0].end < jones.start

    comma = doc.problems[1]
    assert comma.message.startswith("entry 'lee2018': missing ',' after the value of field 'title'")
    assert "booktitle" in comma.message
    assert text[comma.start : comma.end] == "Commas Matter"

    dup_key = doc.problems[2]
    assert text[dup_key.start : dup_key.end] == "jones2019"
    assert dup_key.start > text.index("@misc{jones2019")
    assert f"line {jones_line}" in dup_key.message

    dup_field = doc.problems[3]
    assert text[dup_field.start : dup_field.end] == "year  = {2022}"
    misc = doc.references[3]
    assert misc.fields["year"] == "2021" and misc.year == 2021


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "@article{k,\n  title = {T},\n  year = 2000\n",
            "is not closed: missing '}' before the end",
        ),
        ('@article{k,\n  title = "T,\n  year = 2000}\n', "is missing '\"'"),
        ("@article{k, title {T}}\n", "expected '=' after field name 'title'"),
        ("@article{k title = {T}}\n", "expected ',' after the entry key"),
        ("@article{k, title = , year = 1}\n", "field 'title' has no value"),
        ("@article{k, , title = {T}}\n", "expected a field name"),
    ],
)
def test_syntax_problems(text: str, message: str) -> None:
    doc = parse_text(text)
    check_invariants(doc)
    assert [p.kind for p in doc.problems] == ["bibtex-syntax"]
    assert message in doc.problems[0].message
    assert len(doc.references) == 1 and doc.references[0].key == "k"


def test_duplicate_key_ignores_case_like_bibtex() -> None:
    doc = parse_text("@misc{Smith2020, title={A}}\n@misc{smith2020, title={B}}\n")
    assert [p.kind for p in doc.problems] == ["duplicate-key"]
    assert "differing in case" in doc.problems[0].message
    assert "line 1" in doc.problems[0].message


def test_duplicate_field_names_ignore_case() -> None:
    doc = parse_text("@misc{k, Title = {A}, title = {B}}\n")
    assert [p.kind for p in doc.problems] == ["duplicate-field"]
    assert doc.references[0].title == "A"


# ---------------------------------------------------------------------------
# The splitter: bibtexparser 2.1.0's block structure, reproduced


# Broken input whose blocks the splitter must delimit, fail and explain exactly as
# bibtexparser 2.1.0 does: its reasons reach the user when the scanner finds
# nothing wrong itself.
SPLITTER_CASES = [
    "@article{k,\n  title = {T},\n  % a comment, with a comma\n  year = {2001}\n}\n",
    "@article{k\n@article{k2, title={x}}\n",
    '@string{j = "J"}\n@misc(k, title = "a {b} c", note = j # "x")\n@comment{free {text}\n',
    '@article{k, title = "a {"} b", x = 1}\n@book{b, title={Fine}}\n',
    "@preamble{ {\\x} \n  @misc{m, t = {a}}\n",
    '@string(s = "a)b")\n@misc{k, title = {a @ {CLEF}}, note = "x"}\nLeQua @ {CLEF}\n',
    "@article{k, title = {T}, year}\n@article{k2, author = A and B,}\n",
    "junk = , } @ \\@x{y, z = {w}}\n@a{b,c=\\{,d={e}}",
    "@string{x\n@article{k2, title={x}}\n",
    '@misc{k, title = "open\n@book{b, title={y}}\n',
]


def _bibtexparser_blocks(text: str) -> list[tuple[int, int, bool, str | None]]:
    splitter = pytest.importorskip("bibtexparser.splitter")
    model = pytest.importorskip("bibtexparser.model")
    blocks = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    library = splitter.Splitter(text).split()
    cursor = 0
    for block in library.blocks:
        if isinstance(block, model.ImplicitComment):
            continue
        # Blocks come in order (a failed one may run into the next one's start),
        # each on its 0-based start line (these texts have no backslash-newline).
        start = text.index(block.raw, max(cursor, line_starts[block.start_line]))
        cursor = start + 1
        failed = isinstance(block, model.ParsingFailedBlock) and not isinstance(
            block, (model.DuplicateBlockKeyBlock, model.DuplicateFieldKeyBlock)
        )
        reason = block.error.abort_reason if failed else None
        blocks.append((start, start + len(block.raw), failed, reason))
    return blocks


@pytest.mark.parametrize("text", [*SPLITTER_CASES, (DATA / "broken.bib").read_text("utf-8")])
def test_splitter_reproduces_bibtexparser(text: str) -> None:
    bibtexparser = pytest.importorskip("bibtexparser")
    if bibtexparser.__version__ != "2.1.0":
        pytest.skip("the splitter reproduces bibtexparser 2.1.0")
    ours = [block[:4] for block in bibtex._Splitter(text).split()]
    assert ours == _bibtexparser_blocks(text)


def test_splitter_recovers_entry_after_unclosed_brace() -> None:
    text = (DATA / "broken.bib").read_text(encoding="utf-8")
    blocks = list(bibtex._Splitter(text).split())
    jones = text.index("@book{jones2019")
    smith = next(b for b in blocks if b[0] == text.index("@article{smith2020"))
    assert smith[2] and "Unexpected block start" in (smith[3] or "")
    assert smith[1] < jones  # the broken entry stops before the next one
    recovered = next(b for b in blocks if b[0] == jones)
    assert not recovered[2] and text[jones : recovered[1]].endswith("}")


def test_percent_line_inside_entry_is_a_comment() -> None:
    text = "@article{k,\n  title = {T},\n  % a comment, with a comma\n  year = {2001}\n}\n"
    # bibtexparser's rules take the comma in the `%` line for a field separator,
    # so comments are blanked, offsets kept, before the splitter sees them.
    assert next(bibtex._Splitter(text).split())[2]
    masked = bibtex._mask_comments(text)
    assert len(masked) == len(text) and "%" not in masked
    assert next(bibtex._Splitter(masked).split())[1:3] == (len(text) - 1, False)
    doc = parse_text(text)
    assert doc.problems == []
    ref = doc.references[0]
    assert set(ref.fields) == {"title", "year"}
    assert ref.year == 2001


# ---------------------------------------------------------------------------
# Fast path


# Pieces of values that the fast path must read exactly as the full way does,
# or leave to it: escapes, `@` (also where a block could start), comments,
# concatenation, nesting, odd spaces and newlines.
_TRICKY = [
    *["a", "b c", "{x}", "{{y}}", "{{{{z}}}}", "{{{{{w}}}}}", '{\\"u}', "\\&", "50%"],
    *["\\", "\\\\", "\\{", "\\}", '\\"', "\\\\{", "\\\n", '"', "{", "}", '{"}'],
    *["@", "x@y", " @ {z}", "\n@a{", "\n  @b(", "\n", "\r\n", "\t", "\u00a0", "\x0b"],
    *[",", "=", "#", "(", ")", "% c", "\n% c\n"],
]


def _tricky_piece(rng: random.Random) -> str:
    body = "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 6)))
    shape = rng.random()
    if shape < 0.5:
        return "{" + body + "}"
    if shape < 0.85:
        return '"' + body.replace('"', "") + '"'
    return rng.choice(["2020", "jan", "j", "x-y", body or "1"])


def _tricky_value(rng: random.Random) -> str:
    # A quarter are `#`-joined pieces, with the spaces and comments that may surround `#`.
    pieces = [_tricky_piece(rng) for _ in range(1 if rng.random() < 0.75 else rng.randint(2, 3))]
    return rng.choice([" # ", "#", " #\n  ", "\t# ", " # % c\n "]).join(pieces)


def _tricky_bib(rng: random.Random) -> str:
    entries = []
    for _ in range(rng.randint(1, 3)):
        fields = [
            rng.choice(["title", "author", "year", "Note"])
            + rng.choice([" = ", "=", " =\n "])
            + _tricky_value(rng)
            for _ in range(rng.randint(0, 4))
        ]
        body = rng.choice([",\n  ", ", "]).join([rng.choice(["k1", "k2", "K1"]), *fields])
        entry_type = rng.choice(["article", "misc", "string", "comment", ""])
        entries.append("@" + entry_type + "{" + body + rng.choice(["", ",", "\n"]) + "}")
    text = "\n\n".join(entries) + "\n"
    return text + "% end\n" if rng.random() < 0.5 else text


def _reading(doc: Document) -> tuple[object, ...]:
    refs = [
        (r.to_json(), r.start, r.end, list(r.fields.items()), list(r.field_spans.items()))
        for r in doc.references
    ]
    return tuple(refs), tuple(doc.problems)


def test_fast_path_reads_like_the_full_way(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(2024)
    texts = [_tricky_bib(rng) for _ in range(400)]
    taken = []
    fast_entry = bibtex._fast_entry

    def counted(text: str, start: int) -> bibtex._Entry | None:
        entry = fast_entry(text, start)
        taken.append(entry is not None)
        return entry

    # The splitter (refcheck/parsers/bibtex_split.py) looks the fast path up.
    monkeypatch.setattr(bibtex_split, "_fast_entry", counted)
    fast = [_reading(parse_text(text)) for text in texts]
    # Both outcomes occur often enough for the comparison to mean something.
    assert sum(taken) > 80 and taken.count(False) > 80
    monkeypatch.setattr(bibtex_split, "_fast_entry", lambda text, start: None)
    monkeypatch.setattr(bibtex_split, "_fast_entry_end", lambda text, start: None)
    for text, reading in zip(texts, fast, strict=True):
        assert _reading(parse_text(text)) == reading, text


def test_comment_masking_skips_only_what_cannot_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    # The masking jumps to the last block start before each '%': it must blank
    # exactly what a scan of every mark from the file's start blanks.
    rng = random.Random(1919)
    texts = ["\n".join(_tricky_bib(rng) for _ in range(rng.randint(1, 4))) for _ in range(600)]
    texts = [("% head\n" if i % 2 else "") + t for i, t in enumerate(texts)]
    skipping = [bibtex_split._mask_comments(t) for t in texts]
    assert sum(m != t for m, t in zip(skipping, texts, strict=True)) > 100
    monkeypatch.setattr(bibtex_split, "_LINE_BLOCK", re.compile(r"(?!)"))
    assert [bibtex_split._mask_comments(t) for t in texts] == skipping


def test_the_last_block_start_before_a_comment_is_the_last_one_a_forward_search_finds() -> None:
    rng = random.Random(2024)
    marks = ["@", " @", "\n@", "\n  @misc{", "\n\t@Book (", "x@y{", "%", "\n"]
    checked = 0
    for _ in range(300):
        text = "\n".join(_tricky_bib(rng) for _ in range(rng.randint(1, 3)))
        for _ in range(rng.randint(0, 12)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(marks) + text[at:]
        for _ in range(5):
            pos, stop = sorted(rng.randrange(len(text) + 1) for _ in range(2))
            found = [m.start(1) for m in bibtex_split._LINE_BLOCK.finditer(text, pos, stop)]
            assert bibtex_split._last_line_block(text, pos, stop) == (found[-1] if found else pos)
            checked += bool(found)
    assert checked > 300


@pytest.mark.parametrize(
    ("entry", "shape", "taken"),
    [
        ('@article{k,\n  title = {A {B} {\\"o} 50% a@x \\}},\n  year = 2020,\n}', True, True),
        ('@Article {k, title = "a {b} c", month = jan, note = {x,y=z}}', True, True),
        ("@misc{k,}", True, True),
        # The shape, but the full way reports the repeated field and reads macros.
        ("@article{k, title = {T}, Title = {U}}", True, False),
        ('@string{j, x = "J"}', True, False),
        ("@article{k, note = {mail me @ home}}", False, False),  # `@` after a space
        ('@article{k, title = {T} # "U" #\n  jan, year = 2020 # {a}}', True, True),
        ("@article{k, title = {T} # % c\n {U}}", False, False),
        ("@article{k, title = {T} # }", False, False),
        ("@article{k, title = {a\n  @misc{x, y}}", False, False),
        ("@article{k,\n  % comment\n  title = {T}}", False, False),
        ("@article(k, title = {T})", False, False),
        ('@article{k, title = "a\\{"}', False, False),  # bibtexparser's `{"}` rule
        ("@article{k, title = {{{{{{deep}}}}}}}", False, False),
        ("@article{k, title\u00a0= {T}}", False, False),
    ],
)
def test_fast_path_takes_only_the_usual_shape(entry: str, shape: bool, taken: bool) -> None:
    assert (bibtex._fast_entry_end(entry, 0) == len(entry)) is shape
    assert (bibtex._fast_entry(entry, 0) is not None) is taken


def test_fast_path_keeps_offsets_and_macros() -> None:
    text = '@string{pub = "Springer"}\n@book{k,\n  publisher = pub,\n  title = "A {B}",\n}\n'
    doc = parse_text(text)
    check_invariants(doc)
    ref = doc.references[0]
    assert ref.publisher == "Springer" and ref.fields["publisher"] == "pub"
    assert ref.title == "A B" and ref.fields["title"] == "A {B}"
    assert ref.raw == text[text.index("@book") : -1]


def test_fast_path_joins_pieces_with_the_strings_before_them() -> None:
    text = ('@string{ack = "Thanks"}\n@misc{k,\n  publisher = ack # " to " # {B} # 2,\n'
            '  title = {T},\n}\n')
    taken = bibtex._fast_entry(text, text.index("@misc")) is not None
    doc = parse_text(text)
    check_invariants(doc)
    ref = doc.references[0]
    assert taken and ref.publisher == "Thanks to B2" and ref.title == "T"
    assert ref.fields["publisher"] == 'ack # " to " # {B} # 2'


def test_suppression_comment_with_commas_inside_entry() -> None:
    # A comma in a `%` line would otherwise make bibtexparser fail the entry.
    text = (
        "% refcheck: ignore[RC101]\n"
        "@article{k,\n"
        "  % refcheck: ignore[RC101,RC102]\n"
        "  title = {T}, % trailing note, with a comma\n"
        "  note = {50% of {all} cases},\n"
        "  year = {2001}\n"
        "}\n"
    )
    doc = parse_text(text)
    check_invariants(doc)
    assert doc.problems == []
    ref = doc.references[0]
    assert list(ref.fields) == ["title", "note", "year"]
    assert ref.fields["note"] == "50% of {all} cases"
    assert ref.line == 2


def test_paren_delimited_entry_and_concatenation() -> None:
    text = '@string{j = "Journal"}\n@article(k, journal = j # " of Tests", title = {A (B)})\n'
    doc = parse_text(text)
    check_invariants(doc)
    assert doc.problems == []
    ref = doc.references[0]
    assert ref.container == "Journal of Tests"
    assert ref.fields["journal"] == 'j # " of Tests"'
    assert ref.title == "A (B)"
    assert ref.raw.endswith(")")


def test_names_and_years() -> None:
    text = (
        "@book{k, author = {Ludwig van Beethoven and {World Health Organization} and "
        "de la Fontaine, Jean and Smith, Jr, John}, editor = {Doe, J.}, year = {2019a},"
        " url = {https://example.org/a\\_b}, note = {See https://doi.org/10.1000/xyz.}}\n"
    )
    ref = parse_text(text).references[0]
    assert ref.authors == [
        Author("van Beethoven", "Ludwig"),
        Author("World Health Organization", literal=True),
        Author("de la Fontaine", "Jean"),
        Author("Smith", "John"),
    ]
    assert ref.editors == [Author("Doe", "J.")]
    assert (ref.year, ref.year_suffix) == (2019, "a")
    assert ref.urls == ["https://example.org/a_b", "https://doi.org/10.1000/xyz"]
    assert ref.dois == ["10.1000/xyz"] and ref.doi == "10.1000/xyz"


# ---------------------------------------------------------------------------
# Pathological input


def _timed(text: str) -> tuple[Document, float]:
    began = time.perf_counter()
    doc = parse_text(text)
    return doc, time.perf_counter() - began


def test_empty_and_comment_only_files() -> None:
    assert parse_text("").references == [] and parse_text("").problems == []
    doc = parse_text("% nothing here\n\n  \n")
    assert doc.references == [] and doc.problems == []


def test_garbage_does_not_raise() -> None:
    doc, took = _timed('\x00\x01 }}}{{{ @@@ @( ,,, = """ \n@x{\n' + "@{" * 500)
    check_invariants(doc)
    assert doc.problems and doc.problems[0].kind == "bibtex-syntax"
    assert {p.kind for p in doc.problems} <= {"bibtex-syntax", "duplicate-key"}
    assert took < 2


def test_ten_thousand_nested_braces() -> None:
    value = "{" * 10000 + "deep" + "}" * 10000
    doc, took = _timed(f"@article{{k, title = {value}}}\n")
    check_invariants(doc)
    assert doc.problems == []
    assert doc.references[0].title == "deep"
    assert took < 2


def test_ten_thousand_unclosed_braces_before_next_entry() -> None:
    doc, took = _timed("@article{k, title = " + "{" * 10000 + "x\n@book{b, title={Fine}}\n")
    check_invariants(doc)
    assert [r.key for r in doc.references] == ["k", "b"]
    assert doc.references[1].title == "Fine"
    assert doc.problems[0].kind == "bibtex-syntax"
    assert "before the next entry at line 2" in doc.problems[0].message
    assert took < 2


def test_large_file_is_fast() -> None:
    text = (SHARED / "corpus" / "clean.bib").read_text(encoding="utf-8")
    doc, took = _timed(text * 20)
    assert len(doc.references) == 28 * 20
    assert {p.kind for p in doc.problems} == {"duplicate-key"}
    assert took < 5
    # A comment at the end makes the comment masking read the whole file.
    commented, took = _timed(text * 20 + "% the end\n")
    assert _reading(commented) == _reading(doc)
    assert took < 5


# ---------------------------------------------------------------------------
# LaTeX decoding


@pytest.mark.parametrize(
    ("latex", "plain"),
    [
        ('{\\"u}ber', "über"),
        ("\\'{e}t\\'e", "été"),
        ("{\\c c}a", "ça"),
        ("{ABC} of Things", "ABC of Things"),
        ("Smith \\& Sons", "Smith & Sons"),
        ("Erd{\\H{o}}s", "Erdős"),
        ("{\\L}ukasz", "Łukasz"),
        ("50% off", "50% off"),
        ("a~b", "a b"),
        ("  spaced \n out ", "spaced out"),
        ("", ""),
    ],
)
def test_decode(latex: str, plain: str) -> None:
    assert decode(latex) == plain


def test_decode_pathological_is_bounded() -> None:
    began = time.perf_counter()
    assert decode("{" * 10000 + '\\"u' + "}" * 10000) == "ü"
    assert decode("{" * 10000) == ""
    # Pairs of backslashes are line breaks; the odd one out is kept as text.
    assert decode("\\" * 10001) == "\\"
    # 20,000 accents on unclosed groups with no letter: nothing printable.
    assert decode("\\'{" * 20000) == ""
    assert time.perf_counter() - began < 2


# Plain text around accents, with the characters that pylatexenc reads as
# ligatures or spaces.
_AROUND_ACCENTS = [
    *["a", " ", "\u00a0", "-", "--", "''", "'", "`"],
    *["?", "!", "{X}", "{", "}", "~", ","],
    # Escaped specials, and the bare ones the simple decoder must leave to pylatexenc.
    *["\\&", "\\%", "\\$", "\\#", "\\_", "\\,", "\\/", "\\ ", "\\-", "&", "#", "_", "$"],
]


def _accented(rng: random.Random) -> str:
    """A value with accent and letter macros among plain text and punctuation."""
    pieces = []
    for _ in range(rng.randint(1, 8)):
        letter = rng.choice("aeouAEIOUcnszgCSZyIj")
        choice = rng.random()
        if choice < 0.25:
            mark = rng.choice("'\"^`~=.")
            forms = [f"{{\\{mark}{letter}}}", f"\\{mark}{letter}", f"\\{mark}{{{letter}}}"]
        elif choice < 0.4:
            mark = rng.choice("uvHckrdb")
            forms = [f"{{\\{mark} {letter}}}", f"\\{mark}{{{letter}}}"]
        elif choice < 0.5:
            name = rng.choice(["ss", "o", "AE", "oe", "aa", "l", "L", "i"])
            forms = [f"{{\\{name}}}", f"\\{name}{{}}"]
        else:
            forms = _AROUND_ACCENTS
        pieces.append(rng.choice(forms))
    return "".join(pieces)


def test_accents_decode_like_pylatexenc() -> None:
    rng = random.Random(7)
    values = [_accented(rng) for _ in range(600)]
    taken = [v for v in values if latex._ACCENTS_ONLY.fullmatch(v)]
    taken = [v for v in taken if not latex._LIGATURE_AT_BRACE.search(v)]
    assert len(taken) > 150 and len(values) - len(taken) > 150
    for value in taken:
        expected = " ".join(latex._pylatexenc_decode(value).split())
        assert latex._decode_latex.__wrapped__(value) == expected, value


def test_plain_accents_need_no_pylatexenc(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    pylatexenc_decode = latex._pylatexenc_decode

    def recorded(text: str) -> str:
        asked.append(text)
        return pylatexenc_decode(text)

    monkeypatch.setattr(latex, "_pylatexenc_decode", recorded)
    decode_once = latex._decode_latex.__wrapped__
    assert decode_once('G{\\"o}del') == "Gödel"
    assert decode_once("Erd{\\H{o}}s and {\\L}ukasz \\c{c}a \\ss{}") == "Erdős and Łukasz ça ß"
    assert asked == []
    # A dash beside a brace is ordinary text; one kept apart from another dash by
    # braces is not (pylatexenc prints `-{}-` as two hyphens, not an en dash).
    assert decode_once("a-{\\'e}--{b}") == "a-é–b" == pylatexenc_decode("a-{\\'e}--{b}")
    assert asked == []
    # A backquote (pylatexenc's ?` and !` ligatures), math, or such dashes or quotes
    # still go to pylatexenc.
    for value in ("?\\`{a}", "\\'e $x^2$", "a-{\\'e}-{}-b", "\\'e'{}'"):
        decode_once(value)
    assert asked == ["?\\`{a}", "\\'e $x^2$", "a-{\\'e}-{}-b", "\\'e'{}'"]


# Macros pylatexenc does not know (the first four) or knows, with what may follow
# them, among text, accents and escapes.
_MACROS = ["\\acro", "\\Dash", "\\it", "\\booktitle", "\\emph", "\\ldots", "\\i",
           "\\url", "\\begin", "\\\\", "\\bar", "\\c", "\\ss", "\\quad", "\\-"]
_AFTER_MACRO = ["{X y}", "{}", "}", " ", "  b2", "\n c", " \n  d", "\n\n e", "{", "-", "''",
                "1", " {Z}", "~", "{\\'e}", " \\&", "$x$", " `", "!`", " \u00a0x", " -x", "{-}",
                " \n {Z}", "  {}", "\t{\\'e} ", "\n\n {Z}"]
_BETWEEN = ["a", " ", "ab cd", "-", "{", "}", "{Q}", "'", "?", "2", "\\'e", "\\c ", "\\'{"]


def _with_macros(rng: random.Random) -> str:
    return "".join(
        rng.choice(_MACROS) + rng.choice(_AFTER_MACRO) if rng.random() < 0.45
        else rng.choice(_BETWEEN)
        for _ in range(rng.randint(1, 7))
    )


def test_unknown_macros_dropped_decode_like_pylatexenc(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(19)
    values = [_with_macros(rng) for _ in range(3000)]
    asked: list[str] = []
    pylatexenc_decode = latex._pylatexenc_decode

    def recorded(text: str) -> str:
        asked.append(text)
        return pylatexenc_decode(text)

    monkeypatch.setattr(latex, "_pylatexenc_decode", recorded)
    decode_once = latex._decode_latex.__wrapped__
    fast = 0
    for value in values:
        asked.clear()
        got = decode_once(value)
        if not asked:
            fast += 1
            assert got == " ".join(pylatexenc_decode(value).split()), value
    assert fast > 300 and len(values) - fast > 300
    # A macro's argument (`\\c`'s), the parser's own words, spaces after a macro.
    for value in ("\\c \\acro  b2", "\\begin{X y}", "-\\Dash a", "x\\acro a}", "\\'e\\it a}",
                  "a-\\/-b", "a'\\/'b", "a-\\acro{}-b"):
        assert decode_once(value) == " ".join(pylatexenc_decode(value).split()), value
    asked.clear()
    value = "Feeding the \\pkg{bigfoot} {\\it pack}age{\\Dash}\\ldots\n  and {\\ss}"
    # pylatexenc prints no space after a macro's name either.
    assert decode_once(value) == "Feeding the bigfoot package…and ß"
    assert asked == []


def test_entry_after_an_unclosed_one_is_kept_and_located() -> None:
    # A block's text once was looked up again in the file, which could find an
    # earlier copy: the second entry vanished and the message named the file's end.
    text = "@article{key\n@article{key2, title={x}}\n"
    doc = parse_text(text)
    assert [r.key for r in doc.references] == ["key", "key2"]
    assert [p.message for p in doc.problems] == [
        "entry 'key' is not closed: missing '}' before the next entry at line 2"
    ]
