"""Output formats: each module renders a :class:`RunResult` to a string.

Reporters only render; they never detect, filter or print.  Every module has
``render(result: RunResult) -> str``.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from refcheck import __version__
from refcheck.model import Document, Finding
from refcheck.rules.base import Rule
from refcheck.text.patterns import lazy_re

FORMATS: dict[str, str] = {
    "text": "refcheck.report.text",
    "json": "refcheck.report.json",
    "sarif": "refcheck.report.sarif",
    "github": "refcheck.report.github",
    "junit": "refcheck.report.junit",
}


@dataclass(frozen=True)
class FileInfo:
    """One checked file: its format and how many references it held."""

    path: str
    format: str
    references: int
    layout: str | None = None  # how a text was read: numbered, author-date, footnotes …


@dataclass
class RunResult:
    """What a run found, in which files, with which rules."""

    files: list[FileInfo]
    findings: list[Finding]
    rules: list[Rule]  # the rules that ran (for SARIF's rule table)
    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once: "online checks skipped", …
    # Per-reference verdicts of the existence checks, when they ran.
    verdicts: list[dict[str, Any]] | None = None
    tool_version: str = __version__
    # What the network layer did (online runs): requests sent per host, cache hits.
    http: dict[str, Any] | None = None
    # The run's --fail-on: reporters with a pass/fail notion (JUnit) draw the line there.
    fail_on: str = "warning"

    @property
    def reference_count(self) -> int:
        return sum(f.references for f in self.files)

    def by_category(self) -> dict[str, int]:
        return dict(sorted(Counter(f.category.value for f in self.findings).items()))

    def by_severity(self) -> dict[str, int]:
        return dict(sorted(Counter(f.severity.value for f in self.findings).items()))


def escape_surrogates(text: str) -> str:
    """A file name that is not UTF-8 reaches a report as lone surrogates
    (surrogateescape): written as JSON escapes (``\\udcff``) they keep every format
    valid and show the odd byte."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def utf8(text: str) -> bytes:
    """``text`` as the bytes of a report file (see :func:`escape_surrogates`)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return escape_surrogates(text).encode("utf-8")


_SURROGATE = lazy_re("[\ud800-\udfff]")


def render(result: RunResult, fmt: str) -> str:
    module = importlib.import_module(FORMATS[fmt])
    out: str = module.render(result)
    return out
