"""The Python API, ``refcheck.check(paths, **options) -> Report``, and the one check path.

The command line's ``check`` is a thin layer over :func:`run_check`: it turns options into
:class:`~refcheck.config.Settings` and prints what the :class:`Report` holds.  Library
callers use :func:`check`, which reads the same configuration (config file, environment)
and takes the options as keyword arguments named like the settings (``offline``,
``select``, ``fail_on``, ``crossref_url``, ...).

    >>> import refcheck
    >>> report = refcheck.check(["refs.bib"], offline=True)     # doctest: +SKIP
    >>> [(f.code, f.span.line) for f in report.findings]        # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from refcheck.config import (
    ConfigError,
    Settings,
    apply_env,
    apply_table,
    load_table,
    settings_field_names,
    validate,
)
from refcheck.model import Finding, Severity
from refcheck.report import FileInfo, RunResult

__all__ = ["Report", "Statistic", "Verdict", "check", "make_settings", "run_check"]

# The registries ``sources`` may name; the default list (config.Settings) is the first five.
SOURCES = ("crossref", "openalex", "arxiv", "pubmed", "dblp", "datacite", "semanticscholar",
           "openlibrary", "acl", "openreview")


@dataclass(frozen=True)
class Verdict:
    """One reference's outcome of the existence checks (the JSON report's ``references``)."""

    path: str
    line: int
    index: int | None
    key: str | None
    verdict: str
    doi: str | None
    source: str | None
    # Everything the JSON report says about the reference (score, agreeing fields, ...).
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Verdict:
        return cls(
            path=str(data.get("path", "")),
            line=int(data.get("line") or 0),
            index=data.get("index"),
            key=data.get("key"),
            verdict=str(data.get("verdict", "")),
            doi=data.get("doi"),
            source=data.get("source"),
            details=MappingProxyType(dict(data)),
        )

    def to_json(self) -> dict[str, Any]:
        return dict(self.details)


@dataclass(frozen=True)
class Statistic:
    """One line of ``--statistics``: how often a rule fired and how many it can fix."""

    code: str
    name: str
    count: int
    fixable: int


@dataclass(frozen=True)
class Report:
    """What one run found: the same data as the JSON report, typed and immutable."""

    findings: tuple[Finding, ...]
    files: tuple[FileInfo, ...]
    # The existence checks' verdicts; empty when they did not run (offline).
    references: tuple[Verdict, ...]
    notes: tuple[str, ...]
    fail_on: str = "warning"
    # Said to the user besides the report: fixes applied, a baseline recorded, ...
    messages: tuple[str, ...] = ()
    # What --diff shows: a unified diff of what the fixes would change.
    diff: str = ""
    # The findings --fix fixed (no longer in ``findings``).
    fixed: tuple[Finding, ...] = ()
    _result: RunResult | None = field(default=None, repr=False, compare=False)

    @property
    def reference_count(self) -> int:
        return sum(f.references for f in self.files)

    @property
    def failed(self) -> bool:
        """Is any finding at or above ``fail_on`` (transient link outcomes aside)?"""
        threshold = Severity(self.fail_on).rank
        return any(f.severity.rank >= threshold and not f.transient for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def statistics(self) -> list[Statistic]:
        """Findings per rule, most frequent first (ruff's ``--statistics``)."""
        counts: Counter[str] = Counter(f.code for f in self.findings)
        names = {f.code: f.name for f in self.findings}
        fixable: Counter[str] = Counter(
            f.code for f in self.findings if f.fix is not None and f.fix.safe)
        return [Statistic(code, names[code], n, fixable[code])
                for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def run_result(self) -> RunResult:
        """The run as the reporters take it (findings as this report holds them)."""
        if self._result is None:
            return RunResult(files=list(self.files), findings=list(self.findings), rules=[],
                             notes=list(self.notes))
        return self._result

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON report, version 1 (what ``--format json`` prints)."""
        from refcheck.report.json import as_dict

        return as_dict(self.run_result())

    def render(self, fmt: str = "text") -> str:
        """The report in an output format: text, json, sarif, github or junit."""
        from refcheck.report import render

        return render(self.run_result(), fmt)


def make_settings(config: str | None = None, options: Mapping[str, Any] | None = None,
                  *, extend_ignore: bool = True) -> Settings:
    """Settings from the config file, the environment, then ``options`` (lowest first).

    ``options`` are settings by name; None means "not given".  ``ignore`` adds to the
    configured list (as on the command line) unless ``extend_ignore`` is false.
    """
    settings = Settings()
    table, path = load_table(config)
    if path is not None:
        apply_table(settings, table, str(path))
        settings.config_path = str(path)
        settings.root = str(path.parent)
        # Configured paths are relative to the config file's directory.
        settings.paths = [
            p if os.path.isabs(p) else os.path.relpath(os.path.join(path.parent, p))
            for p in settings.paths
        ]
    apply_env(settings)
    known = settings_field_names()
    for name, value in (options or {}).items():
        if value is None:
            continue
        if name == "extend_exclude":
            settings.exclude = [*settings.exclude, *value]
        elif name not in known:
            raise ConfigError(f"unknown option {name!r}")
        elif name == "ignore" and extend_ignore:
            settings.ignore = [*settings.ignore, *value]
        else:
            setattr(settings, name, value)
    unknown = [s for s in settings.sources if s not in SOURCES]
    if unknown:
        raise ConfigError(f"unknown source(s): {', '.join(unknown)}")
    # nan, inf, negative jobs, an unknown cache backend: refused, whatever set them.
    validate(settings)
    return settings


def run_check(
    paths: list[str],
    settings: Settings,
    *,
    fix: bool = False,
    fix_typos: bool = False,
    diff: bool = False,
    baseline: str | None = None,
    update_baseline: bool = False,
    keep_documents: bool = False,
    rename: Mapping[str, str] | None = None,
) -> Report:
    """Check ``paths`` with ``settings``: the one path of ``refcheck check`` and the API.

    ``rename`` maps a file's path to the name findings carry (standard input saved to a
    temporary file is reported as ``--stdin-filename``).
    """
    from refcheck import engine

    keep = keep_documents or fix or fix_typos or diff or baseline is not None
    result = engine.run(paths, settings, keep_documents=keep)
    result.fail_on = settings.fail_on
    if rename:
        _relabel(result, rename)
    messages: list[str] = []
    patch = ""
    fixed: list[Finding] = []
    if diff:
        patch = unified_diff(result, include_unsafe=fix_typos)
    elif fix or fix_typos:
        before = result.findings
        messages += _apply_fixes(result, include_unsafe=fix_typos)
        kept = {id(f) for f in result.findings}
        fixed = [f for f in before if id(f) not in kept]
    if baseline is not None:
        from refcheck import baseline as base

        recorded = update_baseline or not os.path.exists(baseline)
        total = len(result.findings)
        result.findings = base.apply(result.findings, result.documents, baseline,
                                     update=update_baseline)
        if recorded:
            messages.append(f"{baseline}: recorded {total} finding{'s' if total != 1 else ''}; "
                            "later runs report only new ones")
    return report_of(result, settings.fail_on, messages=messages, diff=patch, fixed=fixed)


def _relabel(result: RunResult, rename: Mapping[str, str]) -> None:
    """Every path of a run that ``rename`` names, replaced by its label."""
    from dataclasses import replace

    def name(path: str) -> str:
        return rename.get(path, path)

    result.findings = [f if f.span.path not in rename
                       else replace(f, span=replace(f.span, path=name(f.span.path)))
                       for f in result.findings]
    result.files = [replace(fi, path=name(fi.path)) for fi in result.files]
    for doc in result.documents:
        doc.source.path = name(doc.source.path)
        for ref in doc.references:
            ref.path = name(ref.path)
    if result.verdicts:
        result.verdicts = [{**v, "path": name(str(v.get("path")))} for v in result.verdicts]
    for old, new in rename.items():
        result.notes = [n.replace(old, new) for n in result.notes]


def report_of(result: RunResult, fail_on: str, *, messages: Iterable[str] = (),
              diff: str = "", fixed: Iterable[Finding] = ()) -> Report:
    return Report(
        findings=tuple(result.findings),
        files=tuple(result.files),
        references=tuple(Verdict.from_json(v) for v in result.verdicts or ()),
        notes=tuple(result.notes),
        fail_on=fail_on,
        messages=tuple(messages),
        diff=diff,
        fixed=tuple(fixed),
        _result=result,
    )


def _apply_fixes(result: RunResult, include_unsafe: bool) -> list[str]:
    from refcheck.fix import apply_fixes

    # A PDF or Word file is never rewritten: its findings stay in the report.
    kept = {d.path for d in result.documents if not getattr(d.source, "rewritable", True)}
    fixed = {id(f) for f in result.findings
             if f.fix is not None and (f.fix.safe or include_unsafe) and f.path not in kept}
    messages = apply_fixes(result.documents, result.findings, include_unsafe=include_unsafe)
    result.findings = [f for f in result.findings if id(f) not in fixed]
    return messages


def unified_diff(result: RunResult, *, include_unsafe: bool = False) -> str:
    """What ``--fix`` would change, as a unified diff; nothing is written."""
    import difflib  # imported for --diff alone: a hook's start-up does without it

    # The same choice of fixes (overlaps dropped) as --fix makes.
    from refcheck.fix import _chosen as chosen_fixes
    from refcheck.fix import apply_text

    chunks: list[str] = []
    for doc in result.documents:
        if not getattr(doc.source, "rewritable", True):
            continue  # PDF and Word text: --fix never rewrites those either
        fixes = chosen_fixes(result.findings, doc.path, include_unsafe)
        if not fixes:
            continue
        before = doc.source.text
        after = apply_text(before, fixes)
        if after == before:
            continue
        name = Path(doc.path).as_posix()
        chunks.extend(difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            fromfile=f"a/{name.lstrip('/')}", tofile=f"b/{name.lstrip('/')}"))
    text = "".join(chunks)
    return text if not text or text.endswith("\n") else text + "\n"


def check(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    *,
    offline: bool | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    fail_on: str | None = None,
    config: str | os.PathLike[str] | None = None,
    fix: bool = False,
    baseline: str | os.PathLike[str] | None = None,
    keep_documents: bool = False,
    **options: Any,
) -> Report:
    """Check files or directories and return a :class:`Report`; nothing is printed.

    ``paths``: a path or several (default: the configured paths, else ``references/``).
    ``offline``: no network (the network rules are skipped). ``select``/``ignore``:
    rule codes, prefixes, names or categories. ``fail_on``: the lowest severity that
    makes ``Report.failed`` true. ``config``: a config file instead of the one found
    from the working directory. ``fix``: apply the safe fixes in place. ``baseline``:
    report only findings not recorded in that file (recorded on the first run).
    Any other setting by name: ``crossref_url=``, ``timeout=``, ``jobs=``,
    ``exclude=``, ``prose=``, ... . Bad input raises :class:`refcheck.io.InputError`,
    bad settings :class:`refcheck.config.ConfigError`.
    """
    if fail_on is not None and fail_on not in ("error", "warning", "info"):
        raise ConfigError(f"fail_on must be error, warning or info, not {fail_on!r}")
    given: dict[str, Any] = {
        "offline": offline,
        "select": list(select) if select is not None else None,
        "ignore": list(ignore) if ignore is not None else None,
        "fail_on": fail_on,
        **{k: list(v) if isinstance(v, (tuple, set, frozenset)) else v
           for k, v in options.items()},
    }
    settings = make_settings(os.fspath(config) if config is not None else None, given)
    if paths is None:
        names = list(settings.paths)
    elif isinstance(paths, (str, os.PathLike)):
        names = [os.fspath(paths)]
    else:
        names = [os.fspath(p) for p in paths]
    return run_check(names, settings, fix=fix,
                     baseline=os.fspath(baseline) if baseline is not None else None,
                     keep_documents=keep_documents)
