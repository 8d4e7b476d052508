"""SARIF 2.1.0, shaped for GitHub code scanning.

One run whose ``tool.driver.rules`` describes every rule that ran (and any
rule a finding names that is not among them), and one result a finding.
GitHub requires, per result, a ``ruleId``, ``message.text``, a location with
``artifactLocation.uri`` and ``region.startLine``, and deduplicates alerts
across uploads through ``partialFingerprints``; per rule it shows
``shortDescription``, ``fullDescription`` and ``help``.

Columns: refcheck counts characters (code points), 1-based, end exclusive,
which is what SARIF's ``columnKind: unicodeCodePoints`` means, so spans are
copied as they are.  Fingerprints are content-based (path, code, offending
text and the normalised reference, the key ``--baseline`` uses) plus an
occurrence number, so inserting a reference above a finding does not turn
the old alert into a new one.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from typing import Any
from urllib.parse import quote

from refcheck.baseline import fingerprint
from refcheck.model import Document, Finding, Fix, Severity
from refcheck.report import RunResult
from refcheck.rules.base import Rule

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/refcheck/refcheck"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "refcheckContent/v1"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def level(severity: Severity) -> str:
    return _LEVELS[severity]


def artifact_uri(path: str) -> tuple[str, str | None]:
    """``(uri, uriBaseId)`` for a path as refcheck reported it.

    A relative path is relative to the directory refcheck ran in, which is
    the repository root in CI, so it is given relative to ``%SRCROOT%``.  An
    absolute path inside the working directory is made relative; one
    outside it stays an absolute ``file:`` URI with no base.
    """
    if os.path.isabs(path):
        cwd = os.getcwd()
        try:
            inside = os.path.commonpath([os.path.abspath(path), cwd]) == cwd
        except ValueError:  # another drive on Windows
            inside = False
        if not inside:
            posix = os.path.abspath(path).replace(os.sep, "/")
            if not posix.startswith("/"):
                posix = "/" + posix
            return "file://" + quote(os.fsencode(posix), safe="/:"), None
        path = os.path.relpath(path, cwd)
    posix = os.path.normpath(path).replace(os.sep, "/")
    # Characters such as spaces, '%' or '#' are not allowed raw in a URI reference;
    # fsencode: a file name that is not UTF-8 is percent-encoded as its own bytes.
    return quote(os.fsencode(posix), safe="/"), SRCROOT


def _artifact_location(path: str, index: int | None = None) -> dict[str, Any]:
    uri, base = artifact_uri(path)
    loc: dict[str, Any] = {"uri": uri}
    if base is not None:
        loc["uriBaseId"] = base
    if index is not None:
        loc["index"] = index
    return loc


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(r) for r in runs), default=0)


def _fenced(text: str) -> str:
    # A fence longer than any backtick run in the example can never be closed early.
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return f"{fence}text\n{text}\n{fence}"


def rule_help(rule: Rule) -> dict[str, str]:
    """``help.text`` and ``help.markdown`` from the rule's documented sections."""
    sections = rule.sections()
    text_parts: list[str] = []
    md_parts: list[str] = []
    for title, body in sections.items():
        if not body:
            continue
        text_parts.append(f"{title}:\n{body}")
        md_body = _fenced(body) if title == "Example" else body
        md_parts.append(f"## {title}\n\n{md_body}")
    if not text_parts:
        fallback = rule.doc.strip() or rule.summary
        return {"text": fallback, "markdown": fallback}
    return {"text": "\n\n".join(text_parts), "markdown": "\n\n".join(md_parts)}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    sections = rule.sections()
    summary = rule.summary.strip() or rule.name
    full = sections.get("What it does", "").strip() or summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": rule_help(rule),
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {"tags": [rule.category.value]},
    }


def _stub_descriptor(f: Finding) -> dict[str, Any]:
    # A finding whose rule is not in the run's table (a caller that built the
    # result by hand): describe it from what the finding itself says.
    return {
        "id": f.code,
        "name": f.name,
        "shortDescription": {"text": f.name},
        "fullDescription": {"text": f.name},
        "help": {"text": f.name, "markdown": f.name},
        "defaultConfiguration": {"level": level(f.severity)},
        "properties": {"tags": [f.category.value]},
    }


def _message(f: Finding) -> str:
    text = f.message
    if f.suggestion is not None and f.suggestion not in text:
        text += f" [suggestion: {f.suggestion}]"
    return text


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    line = max(1, line)
    column = max(1, column)
    # SARIF forbids an end before the start; a degenerate span becomes empty.
    if (end_line, end_column) < (line, column):
        end_line, end_column = line, column
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _fix(
    f: Finding, fix: Fix, doc: Document | None, artifact_index: int | None
) -> dict[str, Any] | None:
    if doc is None:
        return None  # offsets cannot be placed without the document's text
    if not getattr(doc.source, "rewritable", True):
        return None  # a PDF or Word file: text replacements cannot be applied to it
    n = len(doc.text)
    start = max(0, min(fix.start, n))
    end = max(start, min(fix.end, n))
    span = doc.source.span(start, end)
    old = doc.text[start:end]
    if old and fix.replacement:
        description = f"Replace {old!r} with {fix.replacement!r}"
    elif old:
        description = f"Delete {old!r}"
    else:
        description = f"Insert {fix.replacement!r}"
    return {
        "description": {"text": description},
        "artifactChanges": [
            {
                "artifactLocation": _artifact_location(f.span.path, artifact_index),
                "replacements": [
                    {
                        "deletedRegion": _region(
                            span.line, span.column, span.end_line, span.end_column
                        ),
                        "insertedContent": {"text": fix.replacement},
                    }
                ],
            }
        ],
        "properties": {"safe": fix.safe},
    }


def as_dict(result: RunResult) -> dict[str, Any]:
    descriptors: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for r in sorted(result.rules, key=lambda r: r.code):
        if r.code not in rule_index:
            rule_index[r.code] = len(descriptors)
            descriptors.append(rule_descriptor(r))
    for f in result.findings:
        if f.code not in rule_index:
            rule_index[f.code] = len(descriptors)
            descriptors.append(_stub_descriptor(f))

    artifact_index: dict[str, int] = {}
    artifacts: list[dict[str, Any]] = []
    for path in [fi.path for fi in result.files] + [f.span.path for f in result.findings]:
        if path not in artifact_index:
            artifact_index[path] = len(artifacts)
            artifacts.append({"location": _artifact_location(path)})

    documents = {d.path: d for d in result.documents}
    seen: Counter[str] = Counter()
    results: list[dict[str, Any]] = []
    for f in result.findings:
        content = fingerprint(f, result.documents)
        # Identical findings (the same typo twice in one reference) stay distinct.
        seen[content] += 1
        key = f"{content}:{seen[content]}"
        region: dict[str, Any] = _region(
            f.span.line, f.span.column, f.span.end_line, f.span.end_column
        )
        if f.text:
            region["snippet"] = {"text": f.text}
        index = artifact_index[f.span.path]
        entry: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": rule_index[f.code],
            "level": level(f.severity),
            "message": {"text": _message(f)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact_location(f.span.path, index),
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: key, "primaryLocationLineHash": key},
        }
        if f.fix is not None:
            fix = _fix(f, f.fix, documents.get(f.span.path), index)
            if fix is not None:
                entry["fixes"] = [fix]
        properties: dict[str, Any] = {"category": f.category.value}
        for name in ("field", "suggestion", "url", "status"):
            value = getattr(f, name)
            if value is not None:
                properties[name] = value
        # The region is counted on a PDF's page or in a Word file's part.
        if f.span.page is not None:
            properties["page"] = f.span.page
        if f.span.part is not None:
            properties["part"] = f.span.part
        if f.reference_index is not None or f.reference_key is not None:
            properties["reference"] = {"index": f.reference_index, "key": f.reference_key}
        entry["properties"] = properties
        results.append(entry)

    invocation: dict[str, Any] = {"executionSuccessful": True}
    if result.notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": note}} for note in result.notes
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "refcheck",
                "version": result.tool_version,
                "semanticVersion": result.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "artifacts": artifacts,
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(result: RunResult) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"
