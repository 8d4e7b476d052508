"""``refcheck audit``: the three reports, their agreement, and the committed worked example."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from refcheck.audit import snippet, summarise, write_reports
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.engine import run
from refcheck.model import Category, Finding, Severity, SourceText
from refcheck.parsers import parse
from refcheck.report import FileInfo, RunResult
from refcheck.report import json as json_report

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "python scripts/make_reports.py"


@pytest.fixture(scope="module")
def seeds_run() -> RunResult:
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return run(["references"], Settings(offline=True, jobs=1))
    finally:
        os.chdir(cwd)


def test_cli_audit_writes_three_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(ROOT / "references" / "002-sair-csto-kyrgyzstan.txt")
    out = tmp_path / "audit"
    status = main(["audit", seed, "--offline", "--out", str(out)])
    assert status == 1  # a warning (RC901) fails the default --fail-on warning, as in check
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]
    assert "wrote" in capsys.readouterr().err
    # report.json is the contract's report: the same as `check --format json`.
    checked = tmp_path / "check.json"
    main(["check", seed, "--offline", "--format", "json", "--output", str(checked)])
    assert json.loads((out / "report.json").read_text()) == json.loads(checked.read_text())
    assert main(["audit", seed, "--offline", "--fail-on", "error", "--out", str(out)]) == 0


def test_an_audit_of_a_file_whose_name_is_not_utf8_writes_its_reports(tmp_path: Path) -> None:
    """A file name that is not UTF-8 (surrogateescape) is written as a JSON escape in
    every report, as `check` writes it; it had made the audit fail with an internal
    error after writing one report."""
    import os

    folder = tmp_path / "refs"
    folder.mkdir()
    name = os.fsencode(folder) + b"/ref\xff.bib"
    with open(name, "w", encoding="utf-8") as fh:
        fh.write("@article{a, title={Muster of Art}, author={Doe, J.}, year={2020},"
                 " journal={X}}\n")
    out = tmp_path / "audit"
    assert main(["audit", str(folder), "--offline", "--out", str(out)]) == 1
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in data["files"]] == [os.fsdecode(name)]
    for report in ("report.html", "report.md"):
        assert "ref\\udcff.bib" in (out / report).read_text(encoding="utf-8")
    checked = tmp_path / "check.json"
    main(["check", str(folder), "--offline", "--format", "json", "--output", str(checked)])
    assert (out / "report.json").read_bytes() == checked.read_bytes()


def test_cli_audit_needs_out_and_reports_unwritable_dir(tmp_path: Path) -> None:
    seed = str(ROOT / "references" / "sample.bib")
    assert main(["audit", seed, "--offline"]) == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["audit", seed, "--offline", "--out", str(blocker / "sub")]) == 2


def test_html_is_self_contained_and_matches_json(seeds_run: RunResult, tmp_path: Path) -> None:
    write_reports(seeds_run, tmp_path, "references")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    # Nothing is fetched: no external script, style sheet, font, image or frame.
    assert not re.search(r"<(?:link|img|iframe|object|embed)\b|\bsrc=|@import|url\(", page)
    assert "<svg" in page and "<script>" in page
    stats = dict(re.findall(r'data-stat="([^"]+)">(\d+)<', page))
    assert int(stats["references"]) == data["summary"]["references"]
    assert int(stats["findings"]) == len(data["findings"])
    for sev in ("error", "warning", "info"):
        assert int(stats[f"severity.{sev}"]) == data["summary"]["by_severity"].get(sev, 0)
    for cat, n in data["summary"]["by_category"].items():
        assert int(stats[f"category.{cat}"]) == n
    assert page.count('<article class="finding') == len(data["findings"])
    assert str(tmp_path) not in page


def test_snippets_mark_exactly_the_offending_text(seeds_run: RunResult) -> None:
    marked = 0
    for f in seeds_run.findings:
        snip = snippet(seeds_run, f)
        if f.text is not None:
            assert snip is not None, f
            assert snip.marked == f.text
            marked += 1
    assert marked > 30


def test_summary_counts(seeds_run: RunResult) -> None:
    s = summarise(seeds_run, "references")
    data = json_report.as_dict(seeds_run)
    assert s.references == data["summary"]["references"] == 120
    assert s.findings == len(data["findings"])
    assert s.by_category == data["summary"]["by_category"]
    assert sum(r.findings for r in s.rows) == s.findings
    assert s.dois_cited > 0 and s.urls_cited > 0
    assert not s.links_checked and s.links_ok is None  # offline


def _hostile_run() -> RunResult:
    text = (
        "References\n1. Smith J. <script>alert(1)</script> | *Star* [x](y). Journal. 2001;3:1-2.\n"
    )
    doc = parse(SourceText("evil.txt", text), "text")
    start = text.index("<script>")
    end = text.index("|") + 1
    source = doc.source
    finding = Finding(
        code="RC101",
        name="misspelling",
        category=Category.TYPO,
        severity=Severity.WARNING,
        message="'<b>' | breaks `tables`",
        span=source.span(start, end),
        text=text[start:end],
        suggestion="<i>fixed</i> | ok",
        reference_index=doc.references[0].index if doc.references else None,
    )
    return RunResult(
        files=[FileInfo("evil.txt", "text", len(doc.references))],
        findings=[finding],
        rules=[],
        documents=[doc],
    )


def test_reports_escape_the_checked_text(tmp_path: Path) -> None:
    write_reports(_hostile_run(), tmp_path, "evil.txt")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<i>fixed</i>" not in page and "&lt;i&gt;fixed&lt;/i&gt;" in page
    assert "'<b>'" not in page and "&#x27;&lt;b&gt;&#x27;" in page
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    rows = [ln for ln in md.splitlines() if ln.startswith("| 2:")]
    assert len(rows) == 1
    # Every cell separator of the finding row is a real one: 6 unescaped pipes, 5 cells.
    assert len(re.findall(r"(?<!\\)\|", rows[0])) == 6
    assert "<script>" not in md and "\\<script\\>" in md


def test_committed_reports_match_the_code(tmp_path: Path) -> None:
    """reports/ is what `python scripts/make_reports.py` produces offline today."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_reports.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    stale = [
        name
        for name in ("report.html", "report.md", "report.json")
        if not (ROOT / "reports" / name).exists()
        or (ROOT / "reports" / name).read_bytes() != (tmp_path / name).read_bytes()
    ]
    assert not stale, (
        f"reports/{', '.join(stale)} no longer match what the code produces; "
        f"regenerate with: {REGENERATE}"
    )


def _with_verdicts(result: RunResult) -> RunResult:
    """The seeds' run as if online: one verdict per reference, in the contract's shape,
    spread unevenly over the verdicts (``retracted`` once, ``skipped`` never)."""
    from dataclasses import replace

    cycle = ["verified", "verified", "discrepancy", "not-found", "unverifiable", "verified"]
    verdicts: list[dict[str, object]] = []
    for doc in result.documents:
        for n, ref in enumerate(doc.entries()):
            verdict = "retracted" if not verdicts else cycle[(n + len(doc.path)) % len(cycle)]
            verdicts.append({"path": ref.path, "line": ref.line, "index": ref.index,
                             "key": ref.key, "verdict": verdict, "doi": ref.doi,
                             "source": "crossref" if verdict != "not-found" else None})
    return replace(result, verdicts=verdicts)


def _json_verdicts(data: dict[str, object]) -> dict[str, int]:
    from collections import Counter

    refs = data["references"]
    assert isinstance(refs, list)
    return dict(Counter(str(r["verdict"]) for r in refs))


def test_reports_show_the_verdicts_of_the_json(seeds_run: RunResult, tmp_path: Path) -> None:
    result = _with_verdicts(seeds_run)
    write_reports(result, tmp_path, "references")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    expected = _json_verdicts(data)
    assert expected["retracted"] == 1 and len(expected) == 5
    s = summarise(result)
    assert s.verdicts is not None
    assert list(s.verdicts) == ["verified", "discrepancy", "not-found", "unverifiable",
                                "retracted", "skipped"]
    assert {k: v for k, v in s.verdicts.items() if v} == expected
    # Per file, the counts add up to the totals.
    for name in s.verdicts:
        assert sum((r.verdicts or {}).get(name, 0) for r in s.rows) == s.verdicts[name]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    stats = dict(re.findall(r'data-stat="verdict\.([a-z-]+)">(\d+)<', page))
    assert {k: int(v) for k, v in stats.items()} == s.verdicts
    for i, row in enumerate(s.rows):
        shown = dict(re.findall(rf'data-stat="file\.{i}\.verdict\.([a-z-]+)">(\d+)<', page))
        assert {k: int(v) for k, v in shown.items()} == {
            k: v for k, v in (row.verdicts or {}).items() if v}
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    section = md.split("### Registry verdicts", 1)[1].split("\n\n", 2)[1]
    rows = dict(re.findall(r"^\| ([a-z-]+) \| (\d+) \|$", section, flags=re.M))
    assert {k: int(v) for k, v in rows.items()} == s.verdicts
    assert "not checked (offline)" not in section


def test_offline_reports_say_verdicts_were_not_checked(seeds_run: RunResult,
                                                       tmp_path: Path) -> None:
    write_reports(seeds_run, tmp_path, "references")
    assert "references" not in json.loads((tmp_path / "report.json").read_text())
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    panel = page.split("<h3>Registry verdicts</h3>", 1)[1].split("</div>", 1)[0]
    assert "not checked (offline)" in panel and "data-stat" not in panel
    assert "<th scope=\"col\">Verdicts</th>" not in page
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| all | not checked (offline) |" in md.split("### Registry verdicts", 1)[1]


def test_no_reporter_imports_the_audit() -> None:
    """audit imports the reporters; a reporter importing audit would close a circle."""
    import ast

    package = Path(__file__).resolve().parents[1] / "refcheck" / "report"
    for module in sorted(package.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "refcheck.audit" for n in names), module.name
            if isinstance(node, ast.ImportFrom) and node.module == "refcheck":
                assert "audit" not in [a.name for a in node.names], module.name
