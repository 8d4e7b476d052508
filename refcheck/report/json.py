"""The contract's JSON report, version 1."""

from __future__ import annotations

import json
from typing import Any

from refcheck.report import FileInfo, RunResult


def as_dict(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "tool": {"name": "refcheck", "version": result.tool_version},
        "files": [_file(f) for f in result.files],
        "findings": [f.to_json() for f in result.findings],
        "summary": {
            "references": result.reference_count,
            "findings": len(result.findings),
            "by_category": result.by_category(),
            "by_severity": result.by_severity(),
        },
    }
    if result.verdicts is not None:
        data["references"] = result.verdicts
    if result.notes:
        data["notes"] = list(result.notes)
    return data


def _file(f: FileInfo) -> dict[str, Any]:
    row: dict[str, Any] = {"path": f.path, "format": f.format, "references": f.references}
    # How a text was read (the contract's optional ``layout``); structured formats
    # whose layout only repeats the format (bibtex, csl-json) leave it out.
    if f.layout and f.layout != f.format and f.layout not in _FORMAT_LAYOUTS:
        row["layout"] = f.layout
    return row


_FORMAT_LAYOUTS = frozenset({"bibtex", "csl-json"})


def render(result: RunResult) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"
