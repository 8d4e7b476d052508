"""What a rule is: a declared spec plus a check generator.

A rule's check receives a parsed :class:`~refcheck.model.Document` and yields
:class:`Hit` values (offsets into the document text, a message, maybe a
suggestion and a fix).  The engine stamps each hit with the rule's code,
name, category and configured severity and converts offsets to line and
column; rules never print and never decide their own identity.

Documentation lives in the check function's docstring, in fixed sections:
``What it does`` / ``Why it matters`` / ``Example`` and, where the rule
offers a fix, ``Fix safety``.  ``tests/test_registry.py`` enforces this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from refcheck.model import Category, Document, Fix, Reference, Severity


@dataclass(frozen=True)
class Hit:
    """One problem found by a rule, before the engine stamps it."""

    start: int
    end: int
    message: str
    suggestion: str | None = None
    field: str | None = None
    reference: Reference | None = None
    fix: Fix | None = None
    url: str | None = None
    status: str | None = None
    # Some rules grade their own hits (a 404 is an error, a timeout a warning).
    severity: Severity | None = None
    # A transient outcome (timeout, 429, 5xx, 403) is reported but does not
    # fail the run unless --strict-links: flaky CI is what users hate most.
    transient: bool = False


@dataclass
class Context:
    """What a check may need besides the document.

    ``options`` holds this rule's validated options; ``services`` gives
    network rules the shared clients (None when offline); ``documents`` lets
    cross-file rules see every document of the run.
    """

    options: dict[str, Any] = field(default_factory=dict)
    services: Any = None
    documents: list[Document] = field(default_factory=list)


CheckFn = Callable[[Document, Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A rule's declared identity and defaults, and its check."""

    code: str
    name: str
    category: Category
    severity: Severity
    summary: str
    check: CheckFn
    network: bool = False
    fix: str | None = None  # None, "safe" or "unsafe"
    formats: frozenset[str] | None = None  # None: every input format
    options: dict[str, Any] = field(default_factory=dict)  # name -> default

    @property
    def doc(self) -> str:
        """The check's docstring, dedented: on demand, not for every rule at every start."""
        return _dedent(self.check.__doc__ or "")

    def applies_to(self, fmt: str) -> bool:
        return self.formats is None or fmt in self.formats

    def sections(self) -> dict[str, str]:
        """The docstring split into its headed sections."""
        out: dict[str, str] = {}
        current: str | None = None
        for line in self.doc.splitlines():
            stripped = line.strip()
            if stripped.endswith(":") and stripped[:-1] in DOC_SECTIONS:
                current = stripped[:-1]
                out[current] = ""
            elif current is not None:
                out[current] += line + "\n"
        return {k: _dedent(v) for k, v in out.items()}


DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Fix safety", "Options")


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip("\n")


def rule(
    *,
    code: str,
    name: str,
    category: Category,
    severity: Severity,
    summary: str,
    network: bool = False,
    fix: str | None = None,
    formats: Iterable[str] | None = None,
    options: dict[str, Any] | None = None,
) -> Callable[[CheckFn], Rule]:
    """Declare a rule; the decorated generator is its check."""

    def wrap(fn: CheckFn) -> Rule:
        return Rule(
            code=code,
            name=name,
            category=category,
            severity=severity,
            summary=summary,
            check=fn,
            network=network,
            fix=fix,
            formats=frozenset(formats) if formats is not None else None,
            options=dict(options or {}),
        )

    return wrap
