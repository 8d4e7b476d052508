"""BibTeX field-shape rules (RC020–RC023, RC420–RC421): good and bad cases."""

from __future__ import annotations

import pytest

from refcheck.fix import apply_text
from refcheck.model import Document, SourceText
from refcheck.parsers import parse
from refcheck.rules.bibfields import (
    author_list_commas,
    doi_field_prefix,
    doubled_accent,
    entry_type_misspelling,
    repeated_author,
    url_field_space,
)
from tests.detect.helpers import hits, texts


def bib(body: str, kind: str = "article") -> Document:
    text = f"@{kind}{{k1,\n  {body},\n  title = {{A Title}},\n  year = {{2001}}\n}}\n"
    return parse(SourceText("t.bib", text), "bibtex")


def fixed(rule: object, doc: Document) -> str:
    found = hits(rule, doc)  # type: ignore[arg-type]
    return apply_text(doc.text, [h.fix for h in found if h.fix is not None])


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("Ann Lee, Bo Chen, Carl Diaz", "Ann Lee and Bo Chen and Carl Diaz"),
        ("Lee A, Chen B", "Lee A and Chen B"),
        ("Smith, J., Jones, K., Brown, L.", "Smith, J. and Jones, K. and Brown, L."),
        ("Lee, Ann, Chen, Bo", "Lee, Ann and Chen, Bo"),
        ("Ann Lee; Bo Chen", "Ann Lee and Bo Chen"),
        ('M{\\"u}ller, Hans, Chen, Bo', 'M{\\"u}ller, Hans and Chen, Bo'),
    ],
)
def test_author_list_commas(value: str, suggestion: str) -> None:
    (h,) = hits(author_list_commas, bib(f"author = {{{value}}}"))
    assert h.suggestion == suggestion
    assert h.fix is not None and not h.fix.safe


def test_author_list_serial_comma() -> None:
    doc = bib("author = {Ann Lee, Bo Chen, and Carl Diaz}")
    (h,) = hits(author_list_commas, doc)
    assert doc.text[h.start : h.end] == "Ann Lee, Bo Chen,"
    assert h.suggestion == "Ann Lee and Bo Chen"
    doc = bib("author = {Lee, Ann, and Chen, Bo}")
    (h,) = hits(author_list_commas, doc)
    assert h.fix is not None and h.fix.safe
    assert "author = {Lee, Ann and Chen, Bo}" in fixed(author_list_commas, doc)


def test_author_list_commas_among_plain_names() -> None:
    doc = bib("author = {Ann Lee and Bo Chen, Carl Diaz}")
    assert texts(author_list_commas, doc) == ["Bo Chen, Carl Diaz"]


@pytest.mark.parametrize(
    "value",
    [
        "Lee, Ann",
        "Lee, Jr., Ann",
        "Lee, Ann, Jr.",
        "Remsen Jr, J V and Stotz, D F",
        "Garcia Marquez, Gabriel Jose",
        "van der Berg, Jan Piet",
        "{Barnes, Noble, and Sons, Inc.} and Lee, Ann",
        "Lee, Ann and Chen, Bo and Diaz, Carl",
        "Ann Lee and Bo Chen",
    ],
)
def test_author_names_left_alone(value: str) -> None:
    assert texts(author_list_commas, bib(f"author = {{{value}}}")) == []


def test_repeated_author() -> None:
    doc = bib("author = {Lee, Ann and Chen, Bo and Lee, Ann}")
    (h,) = hits(repeated_author, doc)
    assert doc.text[h.start : h.end] == "Lee, Ann" and h.start > doc.text.index("Chen")
    doc = bib("author = {Banko, W. and Banko, Paul and M{\\o}ller, J and M{\\o}ller, J}")
    assert texts(repeated_author, doc) == ["M{\\o}ller, J"]
    assert texts(repeated_author, bib("author = {Lee, Ann and Lee, Bo}")) == []
    assert texts(repeated_author, bib("author = {Lee, A. and Lee, Ann}")) == []


@pytest.mark.parametrize(
    "value",
    [
        "doi:10.1021/ja00001a001",
        "DOI: 10.1021/ja00001a001",
        "https://doi.org/10.1021/ja00001a001",
        "http://dx.doi.org/10.1021/ja00001a001",
    ],
)
def test_doi_field_prefix(value: str) -> None:
    doc = bib(f"doi = {{{value}}}")
    (h,) = hits(doi_field_prefix, doc)
    assert h.suggestion == "10.1021/ja00001a001" and h.fix is not None and h.fix.safe
    assert "doi = {10.1021/ja00001a001}" in fixed(doi_field_prefix, doc)


def test_doi_field_left_alone() -> None:
    assert texts(doi_field_prefix, bib("doi = {10.1021/ja00001a001}")) == []
    assert texts(doi_field_prefix, bib("doi = {doi-not-a-doi}")) == []


def test_url_field_space() -> None:
    doc = bib("url = {https://aclanthology. org/2021.acl-long.1}")
    (h,) = hits(url_field_space, doc)
    assert h.suggestion == "https://aclanthology.org/2021.acl-long.1" and h.fix and h.fix.safe
    (h,) = hits(url_field_space, bib("url = {https://example.org/my file.pdf}"))
    assert h.fix is not None and not h.fix.safe
    assert texts(url_field_space, bib("url = {https://example.org/a}")) == []
    assert texts(url_field_space, bib("url = {https://a.org/x https://b.org/y}")) == []


def test_entry_type_misspelling() -> None:
    (h,) = hits(entry_type_misspelling, bib("author = {Lee, Ann}", "inprocedings"))
    assert h.suggestion == "inproceedings"
    (h,) = hits(entry_type_misspelling, bib("author = {Lee, Ann}", "iproceedings"))
    assert h.suggestion == "inproceedings"
    (h,) = hits(entry_type_misspelling, bib("author = {Lee, Ann}", "ARTICEL"))
    assert h.suggestion == "ARTICLE"
    for kind in ("article", "Online", "electronic", "mycustomtype", "thesis"):
        assert texts(entry_type_misspelling, bib("author = {Lee, Ann}", kind)) == []


def test_doubled_accent() -> None:
    doc = bib('author = {M{\\"\\"u}ller, Hans}')
    (h,) = hits(doubled_accent, doc)
    assert h.fix is not None and h.fix.safe
    assert 'M{\\"u}ller' in fixed(doubled_accent, doc)
    doc = bib("author = {Garc\\'{í}a, Ana}")
    assert "Garc{í}a" in fixed(doubled_accent, doc)
    (h,) = hits(doubled_accent, bib("author = {Garc\\'{ü}a, Ana}"))
    assert h.fix is None  # two different accents: which is meant is unknown
    assert texts(doubled_accent, bib("author = {M{\\\"u}ller, Hans and G{\\'o}mez, A}")) == []


def test_doi_links_as_house_style() -> None:
    entry = "@article{{k{0}, title={{T}}, doi = {{{1}}}}}\n"
    links = "".join(entry.format(i, f"https://doi.org/10.1000/{i}") for i in range(3))
    doc = parse(SourceText("t.bib", links), "bibtex")
    assert texts(doi_field_prefix, doc) == []
    mixed = links + entry.format(9, "10.1000/9")
    assert len(texts(doi_field_prefix, parse(SourceText("t.bib", mixed), "bibtex"))) == 3
    labelled = links + entry.format(9, "doi:10.1000/9")
    assert "doi:" in texts(doi_field_prefix, parse(SourceText("t.bib", labelled), "bibtex"))


def test_doubled_unicode_mark() -> None:
    from tests.detect.helpers import one_reference

    (h,) = hits(doubled_accent, one_reference("K. Mu\u0308\u0308ller. A study. 2001."))
    assert h.suggestion == "ü" and h.fix is not None and h.fix.safe
    assert texts(doubled_accent, one_reference("K. Müller and T. Nguyễn. A study. 2001.")) == []


def test_repeated_initials_only_next_to_each_other() -> None:
    many = " and ".join(["Wang, Y.", "Li, X.", "Chen, B.", "Diaz, C.", "Ito, K.", "Wang, Y."])
    assert texts(repeated_author, bib(f"author = {{{many}}}")) == []
    assert texts(repeated_author, bib("author = {Wang, Y. and Li, X. and Wang, Y.}")) != []
    assert texts(repeated_author, bib("author = {Wang, Y. and Wang, Y. and Li, X.}")) == [
        "Wang, Y."
    ]


def test_doi_field_space() -> None:
    (h,) = hits(url_field_space, bib("doi = {10.1016/j.neuro image.2017.10.034}"))
    assert h.suggestion == "10.1016/j.neuroimage.2017.10.034" and h.fix is not None
    (h,) = hits(url_field_space, bib("doi = {10.1016/j.neuroimage. 2017.10.034}"))
    assert h.fix is not None and h.fix.safe
    for value in ("10.1016/j.x", "10. 1016/j.x", "10.1016/ j.x", "10.1/a 10.2/b", "doi:10.1/x"):
        assert texts(url_field_space, bib(f"doi = {{{value}}}")) == [], value


def test_name_list_split_at_and_outside_braces_only() -> None:
    from refcheck.rules.bibfields import _segments

    def names(value: str) -> list[str]:
        return [value[a:b] for a, b in _segments(value)]

    assert names("Lee, Ann and {Barnes and Noble} and Chen") == [
        "Lee, Ann", "{Barnes and Noble}", "Chen"
    ]
    assert names("A AND B\tand\nC") == ["A", "B", "C"]
    assert names("{{x} and y} and z") == ["{{x} and y}", "z"]
    assert names("x}} and {y") == ["x}}", "{y"]  # a stray closing brace: depth stays 0
    assert names("band andy and") == ["band andy and"]
