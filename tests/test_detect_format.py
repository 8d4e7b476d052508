"""Formats told by content where the extension is missing or says too little."""
# ruff: noqa: E501  (documents and expected values are clearer on one line)

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcheck.cli import INPUT_FORMATS, main
from refcheck.parsers import FORMATS, detect_format, sniff

DATA = Path(__file__).parent / "data" / "formats"
BIB = "% exported\n@article{a, title = {Alliances}, journal = {Internatonal Security}, year = 1985}\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("article.xml", "jats"), ("library.xml", "endnote-xml"), ("refs.ris", "ris"),
     ("natbib.bbl", "bbl"), ("biblatex.bbl", "bbl")],
)
def test_fixtures_are_recognised_by_content(name: str, expected: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    assert sniff(text) == expected
    # Whatever the file is called when the name says nothing.
    assert detect_format("download", text) == expected
    assert detect_format("export.txt", text) == expected


def test_xml_told_apart_by_content() -> None:
    endnote = (DATA / "library.xml").read_text(encoding="utf-8")
    jats = (DATA / "article.xml").read_text(encoding="utf-8")
    assert detect_format("refs.xml", endnote) == "endnote-xml"
    assert detect_format("refs.xml", jats) == "jats"
    assert detect_format("refs.nxml", jats) == "jats"


def test_text_that_is_bibtex_aux_or_json() -> None:
    assert detect_format("refs.txt", BIB) == "bibtex"
    aux = "\\relax \n\\citation{a}\n\\bibdata{refs}\n"
    assert detect_format("paper.txt", aux) == "aux"
    assert detect_format("items", '[{"id": "a", "type": "book"}]') == "csl-json"


def test_ordinary_text_and_markdown_stay_text() -> None:
    md = "<!-- notes -->\n# Paper\n\nSee @article{x} below.\n\nReferences\n\n1. Walt S. 1987.\n"
    assert detect_format("paper.md", md) == "text"
    assert detect_format("refs.txt", "Walt, S. (1987). The Origins of Alliances.\n") == "text"
    html = "<html><body><p>References</p></body></html>"
    assert detect_format("page.txt", html) == "text"


def test_explicit_extensions_win() -> None:
    assert detect_format("refs.bib", (DATA / "refs.ris").read_text(encoding="utf-8")) == "bibtex"
    assert detect_format("paper.tex", (DATA / "natbib.bbl").read_text(encoding="utf-8")) == "latex"


def test_file_without_extension_is_checked_by_content(tmp_path: Path) -> None:
    path = tmp_path / "export"
    path.write_text((DATA / "refs.ris").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "r.json"
    status = main(["check", "--offline", "--format", "json", "--output", str(out), str(path)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["files"][0]["format"] == "ris"
    assert [f["text"] for f in report["findings"]] == ["Internatonal"]
    assert status == 1
    unknown = tmp_path / "notes"
    unknown.write_text("just some words\n", encoding="utf-8")
    assert main(["check", "--offline", str(unknown)]) == 2


def test_every_format_is_an_input_format_choice() -> None:
    assert set(FORMATS) <= set(INPUT_FORMATS)
    for fmt in ("jats", "endnote-xml", "ris", "bbl", "aux"):
        assert fmt in INPUT_FORMATS


def test_parse_command_covers_the_formats(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    paths = [str(DATA / n) for n in ("article.xml", "library.xml", "refs.ris", "natbib.bbl")]
    assert main(["parse", "--format", "json", "--output", str(out), *paths]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    formats = {f["path"].rsplit("/", 1)[-1]: f["format"] for f in data["files"]}
    assert formats == {"article.xml": "jats", "library.xml": "endnote-xml", "refs.ris": "ris",
                       "natbib.bbl": "bbl"}
    assert len(data["references"]) == 4 + 3 + 2 + 2


def test_audit_covers_the_formats(tmp_path: Path) -> None:
    paths = [str(DATA / n) for n in ("article.xml", "library.xml", "refs.ris", "biblatex.bbl")]
    assert main(["audit", "--offline", "--out", str(tmp_path / "audit"), *paths]) in (0, 1)
    report = json.loads((tmp_path / "audit" / "report.json").read_text(encoding="utf-8"))
    assert sorted(f["format"] for f in report["files"]) == ["bbl", "endnote-xml", "jats", "ris"]
    assert sum(f["text"] == "Internatonal" for f in report["findings"]) == 4
    assert "Internatonal" in (tmp_path / "audit" / "report.html").read_text(encoding="utf-8")


def test_standard_input_is_told_by_content() -> None:
    import subprocess
    import sys

    ris = (DATA / "refs.ris").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "refcheck", "check", "--offline", "-"],
                          input=ris, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout.startswith("-:7:18: RC101 'Internatonal'")
