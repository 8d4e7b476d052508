"""RC047: a suppression comment naming a code no rule has (ruff's unused-noqa, RUF100)."""

from __future__ import annotations

from pathlib import Path

from refcheck.config import Settings
from refcheck.engine import run

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "@article{a,\n title={A Study},\n author={Smith, J.},\n journal={J},\n year={2020}\n}\n"


def _rc050(tmp_path: Path, text: str, name: str = "refs.bib") -> list[tuple[int, str | None]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run([str(path)], Settings(offline=True, select=["RC047"]))
    return [(f.span.column, f.suggestion) for f in result.findings]


def test_a_mistyped_code_is_reported_with_the_code_meant(tmp_path: Path) -> None:
    text = "% refcheck: ignore[RC2O1, RC2]\n" + ENTRY
    assert _rc050(tmp_path, text) == [(20, "RC201")]


def test_codes_prefixes_and_any_case_are_fine(tmp_path: Path) -> None:
    text = "% refcheck: ignore[RC201,rc2, RC]\n% refcheck: ignore\n" + ENTRY
    assert _rc050(tmp_path, text) == []


def test_ignore_file_and_markdown_comments_are_read(tmp_path: Path) -> None:
    text = ("<!-- refcheck: ignore-file[RC999] -->\nReferences\n\n"
            "1. Smith J. A Study. J. 2020;1:1-2. <!-- refcheck: ignore[RCX01] -->\n")
    found = _rc050(tmp_path, text, "refs.md")
    assert [s for _, s in found] == [None, None] and len(found) == 2


def test_silent_on_the_seeds() -> None:
    result = run([str(ROOT / "references")], Settings(offline=True, select=["RC047"]))
    assert result.findings == []
