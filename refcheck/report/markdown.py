"""The audit report as GitHub-flavoured Markdown (renders in a PR, an issue or a wiki).

Same content as the HTML report: a summary, findings by category and
severity (with a text bar chart that survives any renderer), links and
DOIs, a table of files, then every finding by file with its context, the
offending text in bold, and its suggestion.  Text from the checked files is
escaped, so a reference containing ``*``, ``|`` or ``<`` cannot break the
tables or inject markup.
"""

from __future__ import annotations

import re

from refcheck.model import Finding
from refcheck.report import RunResult
from refcheck.report.summary import SEVERITIES, Summary, snippet, summarise

__all__ = ["render"]

_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_BAR = 24


def _md(text: str) -> str:
    """Escape Markdown and keep the text on one line (table cells)."""
    flat = " ".join(text.replace("\r", "").split("\n"))
    return _SPECIAL.sub(r"\\\1", flat)


def _visible(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\n":
            out.append("↵ ")
        elif ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0" or (ord(ch) < 32 and ch != "\t"):
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(s: Summary) -> list[str]:
    lines = [
        "## Summary",
        "",
        "| | |",
        "| --- | ---: |",
        f"| References checked | **{s.references}** |",
        f"| Files | {s.files} |",
        f"| Findings | **{s.findings}** |",
    ]
    lines += [
        f"| {_ICON[sv.value]} {sv.value.capitalize()} | {s.by_severity[sv.value]} |"
        for sv in SEVERITIES
    ]
    lines.append("")
    if s.by_category_severity:
        peak = max(sum(v.values()) for v in s.by_category_severity.values())
        lines += [
            "### Findings by category",
            "",
            "| category | errors | warnings | info | total | |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for cat, sev in s.by_category_severity.items():
            total = sum(sev.values())
            bar = "█" * max(1, round(_BAR * total / peak))
            lines.append(
                f"| {cat} | {sev['error']} | {sev['warning']} | {sev['info']} | "
                f"**{total}** | `{bar}` |"
            )
        lines.append("")
    lines += ["### Links and DOIs", "", "| | |", "| --- | ---: |"]
    lines.append(f"| URLs cited | {s.urls_cited} |")
    if s.links_checked:
        lines.append(f"| URLs answering | {s.links_ok} |")
        lines += [f"| URLs with status {st} | {n} |" for st, n in s.links_by_status.items()]
    else:
        lines.append("| URLs checked | not checked (offline) |")
    lines.append(f"| DOIs cited | {s.dois_cited} |")
    if s.dois_checked:
        lines += [
            f"| DOIs verified | {s.dois_verified} |",
            f"| DOIs unknown to the registry | {s.dois_unknown} |",
            f"| DOIs of another work | {s.dois_other_work} |",
            f"| DOIs discovered | {s.dois_discovered} |",
        ]
    else:
        lines.append("| DOIs verified | not checked (offline) |")
    lines.append("")
    lines += ["### Registry verdicts", "", "| verdict | references |", "| --- | ---: |"]
    if s.verdicts is not None:
        lines += [f"| {k} | {v} |" for k, v in s.verdicts.items()]
    else:
        lines.append("| all | not checked (offline) |")
    lines.append("")
    if s.notes:
        lines += [f"> {_md(n)}" for n in s.notes]
        lines.append("")
    return lines


def _anchor(path: str) -> str:
    # GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes.
    return re.sub(r"[^\w\- ]", "", path.lower()).replace(" ", "-")


def _files(s: Summary) -> list[str]:
    lines = [
        "## Files",
        "",
        "| file | format | references | 🔴 | 🟠 | 🔵 |" + (" verdicts |" if s.verdicts is not None
                                                       else ""),
        "| --- | --- | ---: | ---: | ---: | ---: |" + (" --- |" if s.verdicts is not None else ""),
    ]
    for row in s.rows:
        fmt = row.format + (f" ({row.layout})" if row.layout and row.layout != row.format else "")
        counts = " | ".join(str(row.by_severity[sv.value]) for sv in SEVERITIES)
        verdicts = ""
        if row.verdicts is not None:
            verdicts = " " + (", ".join(f"{n} {k}" for k, n in row.verdicts.items() if n)
                              or "—") + " |"
        lines.append(
            f"| [`{row.path}`](#{_anchor(row.path)}) | {fmt} | {row.references} | {counts} |"
            + verdicts
        )
    lines.append("")
    return lines


def _place(f: Finding) -> str:
    """``p3:`` for a PDF's page, ``footnote 2:`` for a Word part, else nothing."""
    if f.span.page is not None:
        return f"p{f.span.page}:"
    return f"{f.span.part}:" if f.span.part else ""


def _finding(result: RunResult, f: Finding) -> str:
    cells = [
        _place(f) + f"{f.span.line}:{f.span.column}",
        f"{_ICON[f.severity.value]} {f.severity.value}",
        f"`{f.code}` {f.name}",
    ]
    text = _md(f.message)
    snip = snippet(result, f)
    if snip is not None and snip.marked.strip():
        ctx = (
            ("… " if snip.clipped_start else "")
            + _md(snip.before)
            + f"**{_md(_visible(snip.marked)).strip()}**"
            + _md(snip.after)
            + (" …" if snip.clipped_end else "")
        )
        text += f"<br>↳ {ctx}"
    cells.append(text)
    cells.append(_md(_visible(f.suggestion)) if f.suggestion is not None else "")
    return "| " + " | ".join(cells) + " |"


def render(result: RunResult, title: str = "", summary: Summary | None = None) -> str:
    """The report; ``summary``: ``summarise(result, title)``, when the caller has it."""
    s = summary if summary is not None else summarise(result, title)
    lines = ["# Reference audit", ""]
    what = f"of `{title}` · " if title else ""
    lines.append(
        f"{what}{_plural(s.files, 'file')} · {_plural(s.references, 'reference')} · "
        f"{_plural(s.findings, 'finding')} · refcheck {result.tool_version}"
    )
    lines.append("")
    lines += _summary(s)
    lines += _files(s)
    lines += ["## Findings", ""]
    for row in s.rows:
        mine = row.found
        lines += [f"### {row.path}", ""]
        if not mine:
            lines += ["✅ Nothing to report in this file.", ""]
            continue
        lines += [
            "| line | severity | rule | finding | suggestion |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [_finding(result, f) for f in mine]
        lines.append("")
    lines.append("Run `refcheck explain CODE` for what a rule checks and why.")
    return "\n".join(lines) + "\n"
