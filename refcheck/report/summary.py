"""What the HTML and Markdown reports share: a run's :class:`Summary` and its snippets.

The :class:`Summary` holds the counts at the top of a report (by severity, category, link
status, DOI outcome, verdict); the :class:`Snippet` of a finding is the reference as written
with the offending text marked.  Here, not in :mod:`refcheck.audit`, so that the reporters
depend on nothing above them (audit imports the reporters, never the reverse).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from refcheck.model import Category, Document, Finding, Reference, Severity
from refcheck.report import RunResult

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "VERDICTS",
    "FileRow",
    "Snippet",
    "Summary",
    "snippet",
    "summarise",
]

SEVERITIES: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)
# The contract's verdicts, in the order reports show them (refcheck.net.verify.VERDICTS;
# repeated here so that an offline audit never imports the network layer).
VERDICTS: tuple[str, ...] = (
    "verified", "discrepancy", "not-found", "unverifiable", "retracted", "skipped")
CATEGORIES: tuple[Category, ...] = tuple(Category)


@dataclass(frozen=True)
class FileRow:
    path: str
    format: str
    layout: str | None
    references: int
    by_severity: dict[str, int]
    # Counts per verdict (every verdict, zeros included); None when no verdicts ran.
    verdicts: dict[str, int] | None = None
    # The file's findings in the run's order, grouped once for every report that lists
    # them (a scan of all findings per file made a 2,000-file report quadratic).
    found: tuple[Finding, ...] = ()

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())


@dataclass
class Summary:
    """The numbers at the top of a report; every one also derivable from the JSON."""

    title: str
    files: int
    references: int
    findings: int
    by_severity: dict[str, int]  # every severity, zeros included, error first
    by_category: dict[str, int]  # categories with findings, in the contract's order
    by_category_severity: dict[str, dict[str, int]]
    rows: list[FileRow]
    urls_cited: int
    links_checked: bool
    links_by_status: dict[str, int]  # "404": 2, "timeout": 1 (problems only)
    dois_cited: int
    dois_checked: bool
    dois_verified: int | None
    dois_unknown: int
    dois_other_work: int
    dois_discovered: int
    # Counts per verdict, every verdict of the contract in order (zeros included), as in
    # the JSON's ``references``; None when the existence checks did not run (offline).
    verdicts: dict[str, int] | None
    notes: list[str] = field(default_factory=list)

    @property
    def links_ok(self) -> int | None:
        if not self.links_checked:
            return None
        return max(0, self.urls_cited - sum(self.links_by_status.values()))


def _doc_urls(doc: Document) -> int:
    return sum(len(r.urls) for r in doc.references if r.kind != "ibid")


def _doc_dois(doc: Document) -> int:
    return sum(1 for r in doc.references if r.doi or r.dois)


def _count_verdicts(verdicts: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(str(v.get("verdict")) for v in verdicts)
    out = {name: counts.pop(name, 0) for name in VERDICTS}
    out.update(sorted(counts.items()))  # a verdict a newer contract adds is still counted
    return out


def summarise(result: RunResult, title: str = "") -> Summary:
    """Count what a report shows at its top."""
    findings = result.findings
    sev = Counter(f.severity.value for f in findings)
    cat = Counter(f.category.value for f in findings)
    pairs = Counter((f.category, f.severity) for f in findings)
    by_cat_sev: dict[str, dict[str, int]] = {
        c.value: {s.value: pairs[(c, s)] for s in SEVERITIES}
        for c in CATEGORIES
        if cat.get(c.value)
    }
    docs = {d.path: d for d in result.documents}
    # Grouped once: a corpus audit has thousands of files, and filtering every finding
    # and verdict per file made the summary grow with files x findings.
    per_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        per_file[f.path].append(f)
    verdicts_of: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for v in result.verdicts or ():
        verdicts_of[v.get("path")].append(v)
    rows = []
    for info in result.files:
        mine = per_file.get(info.path, [])
        doc = docs.get(info.path)
        rows.append(
            FileRow(
                path=info.path,
                format=info.format,
                layout=doc.layout if doc is not None else None,
                references=info.references,
                by_severity={s.value: sum(1 for f in mine if f.severity is s) for s in SEVERITIES},
                verdicts=None if result.verdicts is None else _count_verdicts(
                    verdicts_of.get(info.path, ())),
                found=tuple(mine),
            )
        )
    ran = {r.code for r in result.rules}
    ran_categories = {r.category for r in result.rules}
    links = Counter((f.status or "error") for f in findings if f.category is Category.LINK)
    doi_codes = Counter(f.code for f in findings if f.category is Category.DOI)
    dois_cited = sum(_doc_dois(d) for d in result.documents)
    dois_checked = "RC601" in ran
    verified: int | None = None
    verdicts: dict[str, int] | None = None
    if result.verdicts is not None:
        verdicts = _count_verdicts(result.verdicts)
        verified = sum(
            1 for v in result.verdicts if v.get("verdict") == "verified" and v.get("doi")
        )
    elif dois_checked:
        verified = max(0, dois_cited - doi_codes["RC601"] - doi_codes["RC602"])
    return Summary(
        title=title,
        files=len(result.files),
        references=result.reference_count,
        findings=len(findings),
        by_severity={s.value: sev.get(s.value, 0) for s in SEVERITIES},
        by_category={c.value: cat[c.value] for c in CATEGORIES if cat.get(c.value)},
        by_category_severity=by_cat_sev,
        rows=rows,
        urls_cited=sum(_doc_urls(d) for d in result.documents),
        links_checked=Category.LINK in ran_categories,
        links_by_status=dict(sorted(links.items())),
        dois_cited=dois_cited,
        dois_checked=dois_checked,
        dois_verified=verified,
        dois_unknown=doi_codes["RC601"],
        dois_other_work=doi_codes["RC602"],
        dois_discovered=doi_codes["RC603"],
        verdicts=verdicts,
        notes=list(result.notes),
    )


# --------------------------------------------------------------------------
# Context snippets


@dataclass(frozen=True)
class Snippet:
    """A finding in context: ``before`` + ``marked`` + ``after`` as written in the file."""

    before: str
    marked: str
    after: str
    clipped_start: bool
    clipped_end: bool


_CONTEXT = 180  # characters kept on each side of the marked text


class _Lookup:
    """Documents by path and references by index, built once per run's documents."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self.count = len(documents)
        self.by_path: dict[str, Document] = {}
        for d in documents:
            self.by_path.setdefault(d.path, d)  # the first, as a scan would find
        self.refs: dict[str, dict[int, Reference]] = {}

    def reference(self, doc: Document, index: int | None) -> Reference | None:
        if index is None:
            return None
        refs = self.refs.get(doc.path)
        if refs is None:
            refs = {}
            for r in doc.references:
                refs.setdefault(r.index, r)
            self.refs[doc.path] = refs
        return refs.get(index)


# One slot: a reporter asks for every finding's snippet of one run in turn, and a scan
# of the documents per finding made an audit's HTML and Markdown reports quadratic.
_last: list[_Lookup] = []


def _lookup(result: RunResult) -> _Lookup:
    if _last and _last[0].documents is result.documents and _last[0].count == len(
        result.documents
    ):
        return _last[0]
    _last[:] = [_Lookup(result.documents)]
    return _last[0]


def snippet(result: RunResult, finding: Finding) -> Snippet | None:
    """The reference (or line) around a finding, with its offending text marked."""
    lookup = _lookup(result)
    doc = lookup.by_path.get(finding.path)
    if doc is None:
        return None
    src = doc.source
    sp = finding.span
    place = f"p{sp.page}" if sp.page is not None else sp.part
    offset = getattr(src, "offset", None)
    if place is not None and offset is not None:
        # A PDF or Word finding counts lines on its page or part, not in the text.
        at = offset(place, sp.line, sp.column)
        if at is None:
            return None
        start = at
        end = offset(place, sp.end_line, sp.end_column) or start + len(finding.text or "")
    else:
        if sp.line < 1 or sp.line > src.line_count:
            return None
        start = src.line_start(sp.line) + sp.column - 1
        if sp.end_line <= src.line_count:
            end = src.line_start(sp.end_line) + sp.end_column - 1
        else:
            end = len(src.text)
    end = max(start, min(end, len(src.text)))
    ref = lookup.reference(doc, finding.reference_index)
    if ref is not None and ref.start <= start and end <= ref.end:
        lo, hi = ref.start, ref.end
    else:
        lo = src.text.rfind("\n", 0, start) + 1
        stop = src.text.find("\n", end)
        hi = len(src.text) if stop == -1 else stop
    if start == end and (ref is None or not src.text[lo:hi].strip()):
        return None  # a finding about the whole file has no useful context
    clip_lo = max(lo, start - _CONTEXT)
    clip_hi = min(hi, end + _CONTEXT)
    # Cut at a space so that the context does not start or end mid-word.
    if clip_lo > lo:
        space = src.text.find(" ", clip_lo, start)
        clip_lo = space + 1 if space != -1 else clip_lo
    if clip_hi < hi:
        space = src.text.rfind(" ", end, clip_hi)
        clip_hi = space if space != -1 else clip_hi
    return Snippet(
        before=src.text[clip_lo:start],
        marked=src.text[start:end],
        after=src.text[end:clip_hi],
        clipped_start=clip_lo > lo,
        clipped_end=clip_hi < hi,
    )
