"""One run over real files rendered through every output format.

The run is built from documents parsed from a seed (``references/``), a real
BibTeX bibliography (``tests/data/shared/corpus/clean.bib``) and a seed without
findings; the findings are made here, at offsets found in those texts, so
the reporters are tested independently of which rules exist.  Expected
lines and columns are computed from the raw text with a separate counter,
not with :class:`SourceText`.

The official SARIF 2.1.0 JSON schema is not shipped in any package installed
here (nor in sarif-tools or sarif-pydantic on PyPI), so the SARIF output is
validated against a schema written from GitHub's documentation of the
properties code scanning requires and uses ("SARIF support for code
scanning"), and against SARIF's own value constraints for the parts used.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from refcheck.io import read_source
from refcheck.model import Category, Document, Finding, Fix, Reference, Severity, SourceText, Span
from refcheck.parsers import parse
from refcheck.report import FORMATS, FileInfo, RunResult, github, junit, render, sarif
from refcheck.rules.base import Context, Hit, Rule, rule

ROOT = Path(__file__).resolve().parent.parent
SEED = "references/001-memo-krivopalov-2021.txt"
CLEAN_SEED = "references/004-jrs-post-soviet-security.txt"
BIB = ROOT / "tests" / "data" / "shared" / "corpus" / "clean.bib"


def _never(doc: Document, ctx: Context) -> Iterable[Hit]:
    return ()


@rule(
    code="RC301",
    name="backtick-apostrophe",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="A backtick stands where an apostrophe belongs",
    fix="safe",
)
def backtick(doc: Document, ctx: Context) -> Iterable[Hit]:
    """What it does:
        Flags a backtick used as an apostrophe.

    Why it matters:
        Backticks are markup in Markdown and render wrongly.

    Example:
        Putin`s Grand Strategy  ->  Putin's Grand Strategy
        ```code``` in an example needs a longer fence

    Fix safety:
        Safe: the character is replaced, nothing else.
    """
    return ()


@rule(
    code="RC601",
    name="doi-unknown",
    category=Category.DOI,
    severity=Severity.ERROR,
    summary="The DOI is not registered",
)
def doi_unknown(doc: Document, ctx: Context) -> Iterable[Hit]:
    """What it does:
        Asks the registry about each DOI.

    Why it matters:
        An unregistered DOI is a dead identifier.

    Example:
        doi = {10.1002/hbm.20155}
    """
    return ()


RULES: list[Rule] = [backtick, doi_unknown]


def expected_position(text: str, offset: int) -> tuple[int, int]:
    line = 1
    last_newline = -1
    for i, ch in enumerate(text[:offset]):
        if ch == "\n":
            line += 1
            last_newline = i
    return line, offset - last_newline


def make_finding(
    doc: Document,
    r: Rule,
    start: int,
    end: int,
    message: str,
    *,
    ref: Reference | None = None,
    severity: Severity | None = None,
    suggestion: str | None = None,
    fix: Fix | None = None,
    field: str | None = None,
) -> Finding:
    return Finding(
        code=r.code,
        name=r.name,
        category=r.category,
        severity=severity or r.severity,
        message=message,
        span=doc.source.span(start, end),
        text=doc.text[start:end] if end > start else None,
        suggestion=suggestion,
        field=field,
        reference_index=ref.index if ref else None,
        reference_key=ref.key if ref else None,
        fix=fix,
    )


def load(path: str | Path, fmt: str) -> Document:
    return parse(read_source(str(path)), fmt)


def build(seed_text_prefix: str = "") -> tuple[RunResult, dict[str, Any]]:
    """The run, and the offsets the assertions need."""
    seed = load(ROOT / SEED, "text")
    if seed_text_prefix:
        # The same file with lines inserted above: for fingerprint stability.
        seed = parse(SourceText(seed.path, seed_text_prefix + seed.text), "text")
    bib = load(BIB, "bibtex")
    clean = load(ROOT / CLEAN_SEED, "text")
    for d in (seed, bib, clean):
        # Paths as a user passes them from the repository root.
        d.source.path = _display(d.source.path)
    baev = next(r for r in seed.references if "Putin`s" in r.raw)
    tick = baev.start + baev.raw.index("`")
    entry = next(r for r in bib.references if r.key == "LinEtAl2006")
    doi_start, doi_end = entry.field_spans["doi"]
    findings = [
        make_finding(
            seed,
            backtick,
            tick,
            tick + 1,
            "backtick used as an apostrophe in 'Putin`s'",
            ref=baev,
            suggestion="’",
            fix=Fix(tick, tick + 1, "’"),
        ),
        make_finding(
            seed,
            backtick,
            tick,
            tick + 1,
            # Everything a workflow command or XML must escape, in one message.
            "50% sure: a, b\r\nnext line <tag> & \x07bell",
            ref=baev,
            severity=Severity.INFO,
        ),
        make_finding(
            bib,
            doi_unknown,
            doi_start,
            doi_end,
            "DOI 10.1002/hbm.20155 is not registered",
            ref=entry,
            field="doi",
        ),
        # A multi-line finding: the whole entry.
        make_finding(bib, doi_unknown, entry.start, entry.end, "entry spans lines", ref=entry),
    ]
    findings.sort(key=Finding.sort_key)
    docs = [seed, bib, clean]
    result = RunResult(
        files=[FileInfo(d.path, d.format, sum(1 for _ in d.entries())) for d in docs],
        findings=findings,
        rules=RULES,
        documents=docs,
        notes=["offline: 3 network rules skipped (RC501, RC601, RC851)"],
    )
    return result, {"seed": seed, "bib": bib, "tick": tick, "entry": entry}


def _display(path: str) -> str:
    p = Path(path).resolve()
    if p == BIB.resolve():
        return "bib/clean.bib"  # a short display name, as a user's repository would have
    return p.relative_to(ROOT).as_posix()


@pytest.fixture(scope="module")
def run() -> tuple[RunResult, dict[str, Any]]:
    return build()


# --- every format -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_every_finding(
    run: tuple[RunResult, dict[str, Any]], fmt: str
) -> None:
    result, _ = run
    out = render(result, fmt)
    assert out.endswith("\n")
    if fmt in ("json", "sarif"):
        json.loads(out)
    if fmt == "junit":
        ET.fromstring(out)
    for f in result.findings:
        assert f.code in out
    assert SEED in out
    assert "bib/clean.bib" in out


# --- SARIF --------------------------------------------------------------------------------

_TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_REGION = {
    "type": "object",
    "required": ["startLine"],
    "properties": {
        "startLine": {"type": "integer", "minimum": 1},
        "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1},
        "endColumn": {"type": "integer", "minimum": 1},
    },
}
_ARTIFACT_LOCATION = {
    "type": "object",
    "required": ["uri"],
    "properties": {
        "uri": {"type": "string", "format": "uri-reference", "not": {"pattern": "^/"}},
        "uriBaseId": {"type": "string"},
        "index": {"type": "integer", "minimum": -1},
    },
}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
# GitHub's "SARIF support for code scanning": the properties code scanning requires
# (marked required there) and the value constraints SARIF 2.1.0 puts on them.
GITHUB_SARIF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "semanticVersion": {"type": "string"},
                                    "informationUri": {"type": "string", "format": "uri"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "shortDescription",
                                                "fullDescription",
                                                "help",
                                            ],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "name": {"type": "string"},
                                                "shortDescription": _TEXT,
                                                "fullDescription": _TEXT,
                                                "help": {
                                                    "type": "object",
                                                    "required": ["text"],
                                                    "properties": {
                                                        "text": {"type": "string"},
                                                        "markdown": {"type": "string"},
                                                    },
                                                },
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {"level": _LEVEL},
                                                },
                                                "properties": {
                                                    "type": "object",
                                                    "properties": {
                                                        "tags": {
                                                            "type": "array",
                                                            "items": {"type": "string"},
                                                            "uniqueItems": True,
                                                        }
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "ruleId",
                                "message",
                                "locations",
                                "partialFingerprints",
                            ],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": _LEVEL,
                                "message": _TEXT,
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": _ARTIFACT_LOCATION,
                                                    "region": _REGION,
                                                },
                                            }
                                        },
                                    },
                                },
                                "partialFingerprints": {
                                    "type": "object",
                                    "minProperties": 1,
                                    "additionalProperties": {"type": "string"},
                                },
                                "fixes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["artifactChanges"],
                                        "properties": {
                                            "description": _TEXT,
                                            "artifactChanges": {
                                                "type": "array",
                                                "minItems": 1,
                                                "items": {
                                                    "type": "object",
                                                    "required": [
                                                        "artifactLocation",
                                                        "replacements",
                                                    ],
                                                    "properties": {
                                                        "artifactLocation": _ARTIFACT_LOCATION,
                                                        "replacements": {
                                                            "type": "array",
                                                            "minItems": 1,
                                                            "items": {
                                                                "type": "object",
                                                                "required": ["deletedRegion"],
                                                                "properties": {
                                                                    "deletedRegion": _REGION,
                                                                    "insertedContent": _TEXT,
                                                                },
                                                            },
                                                        },
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def _validate(data: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(
        GITHUB_SARIF_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    validator.validate(data)


def test_sarif_satisfies_github_requirements(run: tuple[RunResult, dict[str, Any]]) -> None:
    data = json.loads(sarif.render(run[0]))
    _validate(data)
    # The check can fail: a result without fingerprints is refused.
    del data["runs"][0]["results"][0]["partialFingerprints"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(data)


def test_sarif_rule_table(run: tuple[RunResult, dict[str, Any]]) -> None:
    driver = json.loads(sarif.render(run[0]))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "refcheck"
    assert driver["version"] == run[0].tool_version
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == ["RC301", "RC601"]
    tick = rules["RC301"]
    assert tick["name"] == "backtick-apostrophe"
    assert tick["shortDescription"]["text"] == "A backtick stands where an apostrophe belongs"
    assert tick["fullDescription"]["text"] == "Flags a backtick used as an apostrophe."
    assert tick["defaultConfiguration"]["level"] == "warning"
    assert rules["RC601"]["defaultConfiguration"]["level"] == "error"
    assert tick["properties"]["tags"] == ["encoding"]
    md = tick["help"]["markdown"]
    assert md.startswith("## What it does\n\nFlags a backtick")
    assert "## Fix safety\n\nSafe:" in md
    # The example holds a ``` run, so its fence is longer and still encloses it.
    assert "````text\nPutin`s Grand Strategy" in md
    assert "```code``` in an example needs a longer fence\n````" in md
    assert tick["help"]["text"].startswith("What it does:\nFlags a backtick")


def test_sarif_results_positions_and_fix(run: tuple[RunResult, dict[str, Any]]) -> None:
    result, ctx = run
    data = json.loads(sarif.render(result))
    run0 = data["runs"][0]
    assert run0["columnKind"] == "unicodeCodePoints"
    results = run0["results"]
    assert len(results) == len(result.findings)
    rules = run0["tool"]["driver"]["rules"]
    for res, f in zip(results, result.findings, strict=True):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == f.code
    seed_text = ctx["seed"].text
    line, col = expected_position(seed_text, ctx["tick"])
    tick = next(r for r in results if r["ruleId"] == "RC301" and r["level"] == "warning")
    loc = tick["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": SEED, "uriBaseId": "%SRCROOT%", "index": 0}
    assert loc["region"] == {
        "startLine": line,
        "startColumn": col,
        "endLine": line,
        "endColumn": col + 1,
        "snippet": {"text": "`"},
    }
    assert tick["message"]["text"].endswith("[suggestion: ’]")
    (fix,) = tick["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == SEED
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == {
        "startLine": line,
        "startColumn": col,
        "endLine": line,
        "endColumn": col + 1,
    }
    assert replacement["insertedContent"] == {"text": "’"}
    # The info finding is a note; the error keeps its level.
    levels = sorted(r["level"] for r in results)
    assert levels == ["error", "error", "note", "warning"]

    entry = ctx["entry"]
    bib_text = ctx["bib"].text
    whole = next(r for r in results if r["message"]["text"] == "entry spans lines")
    region = whole["locations"][0]["physicalLocation"]["region"]
    start = expected_position(bib_text, entry.start)
    end = expected_position(bib_text, entry.end)
    assert (region["startLine"], region["startColumn"]) == start
    assert (region["endLine"], region["endColumn"]) == end
    assert region["endLine"] > region["startLine"]
    assert whole["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ("bib/clean.bib")
    notes = run0["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"].startswith("offline:")


def test_sarif_fingerprints_are_stable_and_distinct() -> None:
    before, _ = build()
    after, _ = build("An added first line\n\nand a second paragraph\n")
    fp_before = [r["partialFingerprints"] for r in sarif.as_dict(before)["runs"][0]["results"]]
    fp_after = [r["partialFingerprints"] for r in sarif.as_dict(after)["runs"][0]["results"]]
    lines_before = [f.span.line for f in before.findings]
    lines_after = [f.span.line for f in after.findings]
    assert lines_before != lines_after  # the seed's findings moved down ...
    assert fp_before == fp_after  # ... and are still the same alerts
    keys = [fp[sarif.FINGERPRINT_KEY] for fp in fp_before]
    assert len(set(keys)) == len(keys)


def test_sarif_uri_of_unusual_paths() -> None:
    assert sarif.artifact_uri("refs/my file#1.bib") == ("refs/my%20file%231.bib", "%SRCROOT%")
    assert sarif.artifact_uri("./refs/../x.bib") == ("x.bib", "%SRCROOT%")
    uri, base = sarif.artifact_uri("/nonexistent-root/x.bib")
    assert (uri, base) == ("file:///nonexistent-root/x.bib", None)


# --- GitHub workflow commands ---------------------------------------------------------------


def test_github_commands(run: tuple[RunResult, dict[str, Any]]) -> None:
    result, ctx = run
    lines = github.render(result).splitlines()
    assert len(lines) == len(result.findings)
    line, col = expected_position(ctx["seed"].text, ctx["tick"])
    assert (
        f"::warning file={SEED},line={line},col={col},endLine={line},endColumn={col},"
        "title=RC301 backtick-apostrophe::backtick used as an apostrophe in 'Putin`s'"
        " [suggestion: ’]"
    ) in lines
    assert (
        f"::notice file={SEED},line={line},col={col},endLine={line},endColumn={col},"
        "title=RC301 backtick-apostrophe::50%25 sure: a, b%0D%0Anext line <tag> & \x07bell"
    ) in lines
    entry = ctx["entry"]
    start_line, _ = expected_position(ctx["bib"].text, entry.start)
    end_line, _ = expected_position(ctx["bib"].text, entry.end)
    # Several lines: GitHub takes no columns then.
    assert (
        f"::error file=bib/clean.bib,line={start_line},endLine={end_line},"
        "title=RC601 doi-unknown::entry spans lines"
    ) in lines
    doi_start, doi_end = entry.field_spans["doi"]
    dl, dc = expected_position(ctx["bib"].text, doi_start)
    _, dec = expected_position(ctx["bib"].text, doi_end)
    assert (
        f"::error file=bib/clean.bib,line={dl},col={dc},endLine={dl},endColumn={dec - 1},"
        "title=RC601 doi-unknown::DOI 10.1002/hbm.20155 is not registered"
    ) in lines


def test_github_escaping() -> None:
    assert github.escape_data("100%\r\n: ,") == "100%25%0D%0A: ,"
    assert github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    result, _ = build()
    f = next(f for f in result.findings if f.severity is Severity.WARNING)
    odd = replace(f, span=Span("dir,x/a:b.bib", 3, 2, 3, 5))
    cmd = github.command(odd)
    assert cmd.split("::")[1].startswith("warning file=dir%2Cx/a%3Ab.bib,line=3,col=2,")
    assert "endColumn=4," in cmd


def test_github_no_findings_no_output() -> None:
    assert github.render(RunResult(files=[], findings=[], rules=[])) == ""


# --- JUnit --------------------------------------------------------------------------------


def test_junit_structure(run: tuple[RunResult, dict[str, Any]]) -> None:
    result, ctx = run
    out = junit.render(result)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    assert root.get("name") == "refcheck"
    assert root.get("tests") == "5"  # 4 findings + 1 clean file
    assert root.get("failures") == "3"  # the info finding does not fail
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [SEED, "bib/clean.bib", CLEAN_SEED]

    seed = suites[SEED]
    assert (seed.get("tests"), seed.get("failures"), seed.get("errors")) == ("2", "1", "0")
    line, col = expected_position(ctx["seed"].text, ctx["tick"])
    cases = seed.findall("testcase")
    # Two findings of one rule at one place stay two test cases.
    assert [c.get("name") for c in cases] == [
        f"RC301 backtick-apostrophe at {line}:{col}",
        f"RC301 backtick-apostrophe at {line}:{col} (2)",
    ]
    assert {c.get("classname") for c in cases} == {SEED.removesuffix(".txt")}
    # The JUnit XSD allows no file or line on a testcase: the suite carries the file.
    assert {c.get("file") for c in cases} == {None} and {c.get("line") for c in cases} == {None}
    assert seed.get("file") == SEED
    assert [(p.get("name"), p.get("value")) for p in seed.iter("property")] == [("file", SEED)]
    failed = [c for c in cases if c.find("failure") is not None]
    passed = [c for c in cases if c.find("failure") is None]
    assert len(failed) == 1 and len(passed) == 1
    failure = failed[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "RC301"
    assert failure.get("message") == "backtick used as an apostrophe in 'Putin`s'"
    assert failure.text is not None
    assert failure.text.startswith(f"{SEED}:{line}:{col}: RC301 backtick")
    assert "suggestion: ’" in failure.text
    # The info finding: forbidden control character escaped, the rest kept as is.
    out_el = passed[0].find("system-out")
    assert out_el is not None and out_el.text is not None
    assert "50% sure: a, b" in out_el.text
    assert "next line <tag> & \\x07bell" in out_el.text
    assert "\x07" not in out

    bib = suites["bib/clean.bib"]
    assert (bib.get("tests"), bib.get("failures")) == ("2", "2")
    assert {f.get("type") for f in bib.iter("failure")} == {"RC601"}

    clean = suites[CLEAN_SEED]
    (only,) = clean.findall("testcase")
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")
    assert only.find("failure") is None and only.get("name") == "no problems found"


def test_junit_forbidden_characters_everywhere() -> None:
    result, _ = build()
    f = result.findings[0]
    nasty = "\x00\x1b[31m \ufffe \udc80 tab\tok"
    odd = replace(f, message=nasty, text=nasty)
    out = junit.render(RunResult(files=[], findings=[odd], rules=[]))
    root = ET.fromstring(out)
    failure = next(root.iter("failure"))
    assert failure.get("message") == "\\x00\\x1b[31m \\ufffe \\udc80 tab\tok"


def test_junit_empty_run() -> None:
    root = ET.fromstring(junit.render(RunResult(files=[], findings=[], rules=[])))
    assert root.get("tests") == "0" and root.findall("testsuite") == []


# --- JUnit against the XSD, and --fail-on ------------------------------------------------

JUNIT_XSD = ROOT / "tests" / "data" / "schemas" / "junit-10.xsd"


def test_junit_is_valid_against_the_xsd_and_follows_fail_on(
    run: tuple[RunResult, dict[str, Any]],
) -> None:
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(JUNIT_XSD)))
    result, _ = run
    counts = {}
    for fail_on in ("info", "warning", "error"):
        result.fail_on = fail_on
        try:
            doc = etree.fromstring(junit.render(result).encode("utf-8"))
        finally:
            result.fail_on = "warning"
        assert schema.validate(doc), schema.error_log
        counts[fail_on] = int(doc.get("failures"))
        expected = sum(1 for f in result.findings if not f.transient
                       and f.severity.rank >= {"info": 0, "warning": 1, "error": 2}[fail_on])
        assert counts[fail_on] == expected
    # A warning below --fail-on error is not a failure.
    assert counts["info"] > counts["warning"] > counts["error"]


def test_the_json_report_is_written_as_the_standard_library_would_write_it() -> None:
    """report.json's own indented writer (the standard library's pure-Python one was the
    slowest report) gives json.dumps(..., ensure_ascii=False, indent=2) exactly."""
    import json as stdlib_json
    import random

    from refcheck.report.json import dumps

    rng = random.Random(7)
    alphabet = ['a', 'é', '"', '\\', '\n', '\t', '\x01', '\u2028', '𝔘', '/', ' ', '<']

    def value(depth: int) -> object:
        kind = rng.randrange(9 if depth < 4 else 6)
        if kind == 0:
            return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
        if kind == 1:
            return rng.randrange(-10**12, 10**12)
        if kind == 2:
            return rng.choice([0.1, -2.5e-08, 1e16, 3.0, float("inf"), -float("inf"), 123.456])
        if kind == 3:
            return rng.choice([True, False, None])
        if kind in (4, 5):
            return rng.choice([{}, [], (), ""])
        if kind in (6, 7):
            return {rng.choice(["k", "é", 'q"', "1"]) + str(i): value(depth + 1)
                    for i in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    samples = [value(0) for _ in range(300)]
    samples += [{7: "int key", 2.5: "float key", True: "bool", None: "none"},
                {"nested": [[[]], [{}], {"a": [1, {"b": None}]}]}]
    for sample in samples:
        assert dumps(sample) == stdlib_json.dumps(sample, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        dumps({"a": object()})


def test_the_json_report_is_the_same_with_or_without_orjson(
        run: tuple[RunResult, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson writes the report where it writes what json.dumps writes: the scores it
    would write another way (1e-05), and a file name that is not UTF-8, go the slow way."""
    import dataclasses
    import json as stdlib_json
    import sys

    from refcheck.report import json as json_report

    result, _ = run
    entry = {"path": "bib/clean.bib", "line": 1, "index": 0, "key": "k", "verdict": "verified",
             "doi": "10.1/x", "source": "crossref", "agreeing": ["title"], "record": None}
    cases = {
        "scores": [{**entry, "score": s} for s in (0.912, 1.0, 0.0, None, 0.5)],
        "a tiny score": [{**entry, "score": s} for s in (0.912, 1e-05)],
        "a file name that is not UTF-8": [{**entry, "path": "ref\udcff.bib", "score": 0.5}],
    }
    for name, verdicts in cases.items():
        with_verdicts = dataclasses.replace(result, verdicts=verdicts)
        expected = stdlib_json.dumps(json_report.as_dict(with_verdicts), ensure_ascii=False,
                                     indent=2) + "\n"
        fast = json_report.render(with_verdicts)
        assert fast == expected, name
        assert json_report.encode(with_verdicts) == expected.replace(
            "\udcff", "\\udcff").encode("utf-8"), name
        with monkeypatch.context() as m:
            m.setitem(sys.modules, "orjson", None)  # not installed
            assert json_report.render(with_verdicts) == expected, name
    # The fast way is taken where it may be.
    scored = json_report.as_dict(dataclasses.replace(result, verdicts=cases["scores"]))
    assert json_report._orjson(scored) is not None
    assert not json_report._plain_floats({"references": cases["a tiny score"]})
    assert not json_report._plain_floats({"references": [{"score": float("nan")}]})


def test_a_summary_counted_once_renders_the_same_reports(
        run: tuple[RunResult, dict[str, Any]]) -> None:
    from refcheck.report import html, markdown
    from refcheck.report.summary import summarise

    result = run[0]
    summary = summarise(result, "t")
    assert summary.files and summary.findings
    for mod in (html, markdown):
        assert mod.render(result, "t", summary=summary) == mod.render(result, "t")
