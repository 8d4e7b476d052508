"""A self-contained HTML audit report: one file, no external resources, opens offline.

Layout: a header, summary cards, an inline SVG chart of findings by category
and severity, link and DOI outcomes, a table of files, then every finding
grouped by file with its context (the reference as written, the offending
text marked) and its suggestion.  A few lines of vanilla JavaScript filter
by severity and category; the filter state lives in the URL fragment
(``#severity=error&category=typo``), so a filtered view can be bookmarked
or sent.  Without JavaScript every finding is shown.

Every number of the summary carries ``data-stat`` naming the JSON value it
shows (``references``, ``findings``, ``severity.error``, ``category.typo``),
which is what the browser test compares.
"""

from __future__ import annotations

import html
import re
import unicodedata

from refcheck.model import Finding, Severity
from refcheck.report import RunResult
from refcheck.report.summary import SEVERITIES, FileRow, Summary, snippet, summarise

__all__ = ["render"]

SEVERITY_LABEL = {"error": "Error", "warning": "Warning", "info": "Info"}
CATEGORY_BLURB = {
    "typo": "misspellings",
    "artifact": "text broken by extraction",
    "encoding": "wrong characters",
    "syntax": "malformed DOIs, URLs, BibTeX",
    "link": "dead or unreachable links",
    "doi": "unknown or missing DOIs",
    "metadata": "disagrees with the registry",
    "retraction": "retracted works",
    "structure": "duplicates, numbering, gaps",
    "citation": "citations vs. the list",
    "existence": "possibly fabricated",
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _slug(text: str) -> str:
    return "f-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _visible(text: str) -> str:
    """Escape, and show characters a reader could not see (zero-width, soft hyphen …)."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append('<span class="ws" title="line break">↵</span> ')
        elif ch == "\t":
            out.append('<span class="ws" title="tab">⇥</span>')
        elif unicodedata.category(ch) in ("Cf", "Cc", "Zl", "Zp") or ch == "\u00a0":
            name = unicodedata.name(ch, f"U+{ord(ch):04X}")
            out.append(f'<span class="ws" title="{_e(name)}">⟨U+{ord(ch):04X}⟩</span>')
        else:
            out.append(_e(ch))
    return "".join(out)


def _flat(text: str) -> str:
    return _e(" ".join(text.split("\n")))


# --------------------------------------------------------------------------
# The chart: findings by category, one stacked bar per category.

_SEV_COLOR = {"error": "#c2410c", "warning": "#d69e2e", "info": "#3b82b6"}


def _chart(s: Summary) -> str:
    cats = list(s.by_category_severity.items())
    if not cats:
        return (
            '<p class="empty-chart">No findings: nothing to chart. '
            "Every check that ran passed.</p>"
        )
    label_w, bar_w, row_h, top = 150, 420, 30, 8
    peak = max(sum(v.values()) for _, v in cats)
    height = top + row_h * len(cats) + 34
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + 60} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="chart-title">',
        '<title id="chart-title">Findings by category and severity</title>',
    ]
    for i, (cat, sev) in enumerate(cats):
        y = top + i * row_h
        total = sum(sev.values())
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 19}" text-anchor="end" class="c-label">'
            f"{_e(cat)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="{row_h - 10}" '
            'rx="4" class="c-track"/>'
        )
        x = float(label_w)
        for sv in ("error", "warning", "info"):
            n = sev.get(sv, 0)
            if not n:
                continue
            w = bar_w * n / peak
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" '
                f'fill="{_SEV_COLOR[sv]}" class="c-bar"><title>{_e(cat)}: {n} '
                f"{sv}</title></rect>"
            )
            x += w
        parts.append(
            f'<text x="{x + 8:.1f}" y="{y + 19}" class="c-count">{total}</text>'
        )
    ly = top + row_h * len(cats) + 18
    lx = label_w
    for sv in ("error", "warning", "info"):
        parts.append(
            f'<rect x="{lx}" y="{ly - 9}" width="11" height="11" rx="2" '
            f'fill="{_SEV_COLOR[sv]}"/>'
            f'<text x="{lx + 16}" y="{ly + 1}" class="c-legend">{SEVERITY_LABEL[sv]}</text>'
        )
        lx += 92
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------
# Sections


def _card(label: str, value: int | str, stat: str | None, cls: str = "", note: str = "") -> str:
    data = f' data-stat="{_e(stat)}"' if stat else ""
    sub = f'<span class="card-note">{_e(note)}</span>' if note else ""
    return (
        f'<div class="card {cls}"><span class="card-value"{data}>{_e(value)}</span>'
        f'<span class="card-label">{_e(label)}</span>{sub}</div>'
    )


def _cards(s: Summary) -> str:
    files = f"in {s.files} file{'s' if s.files != 1 else ''}"
    return (
        '<section class="cards" aria-label="Summary">'
        + _card("references checked", s.references, "references", "lead", files)
        + _card("findings", s.findings, "findings", "lead")
        + "".join(
            _card(
                SEVERITY_LABEL[sv.value].lower() + ("s" if sv.value != "info" else ""),
                s.by_severity[sv.value],
                f"severity.{sv.value}",
                f"sev-{sv.value}",
            )
            for sv in SEVERITIES
        )
        + "</section>"
    )


def _dl(rows: list[tuple[str, str, str | None]]) -> str:
    out = ['<dl class="stats">']
    for label, value, stat in rows:
        data = f' data-stat="{_e(stat)}"' if stat else ""
        out.append(f"<dt>{_e(label)}</dt><dd{data}>{_e(value)}</dd>")
    out.append("</dl>")
    return "".join(out)


def _links_and_dois(s: Summary) -> str:
    if s.links_checked:
        link_rows: list[tuple[str, str, str | None]] = [
            ("URLs cited", str(s.urls_cited), "links.cited"),
            ("answered", str(s.links_ok), "links.ok"),
        ]
        link_rows += [
            (f"status {status}", str(n), f"links.status.{status}")
            for status, n in s.links_by_status.items()
        ]
    else:
        link_rows = [
            ("URLs cited", str(s.urls_cited), "links.cited"),
            ("checked", "not checked (offline)", None),
        ]
    doi_rows: list[tuple[str, str, str | None]] = [("DOIs cited", str(s.dois_cited), "dois.cited")]
    if s.dois_checked:
        doi_rows += [
            ("verified", str(s.dois_verified), "dois.verified"),
            ("unknown to the registry", str(s.dois_unknown), "dois.unknown"),
            ("belong to another work", str(s.dois_other_work), "dois.other"),
            ("discovered for references without one", str(s.dois_discovered), "dois.discovered"),
        ]
    else:
        doi_rows.append(("verified", "not checked (offline)", None))
    blocks = [
        '<div class="panel"><h3>Links</h3>' + _dl(link_rows) + "</div>",
        '<div class="panel"><h3>DOIs</h3>' + _dl(doi_rows) + "</div>",
    ]
    verdict_rows: list[tuple[str, str, str | None]]
    if s.verdicts is not None:
        verdict_rows = [(k, str(v), f"verdict.{k}") for k, v in s.verdicts.items()]
    else:
        verdict_rows = [("verdicts", "not checked (offline)", None)]
    blocks.append('<div class="panel"><h3>Registry verdicts</h3>' + _dl(verdict_rows) + "</div>")
    return "".join(blocks)


def _verdict_cell(row: FileRow, index: int) -> str:
    if row.verdicts is None:
        return ""
    shown = [
        f'<span class="verdict-count"><span data-stat="file.{index}.verdict.{_e(k)}">{n}</span>'
        f" {_e(k)}</span>"
        for k, n in row.verdicts.items()
        if n
    ]
    return f"<td>{', '.join(shown) if shown else '—'}</td>"


def _files_table(s: Summary) -> str:
    out = [
        '<table class="files"><thead><tr><th scope="col">File</th><th scope="col">Format</th>'
        '<th scope="col" class="num">References</th><th scope="col" class="num">Errors</th>'
        '<th scope="col" class="num">Warnings</th><th scope="col" class="num">Info</th>'
        + ('<th scope="col">Verdicts</th>' if s.verdicts is not None else "")
        + "</tr></thead><tbody>"
    ]
    for index, row in enumerate(s.rows):
        fmt = row.format + (f" · {row.layout}" if row.layout and row.layout != row.format else "")
        cells = "".join(
            f'<td class="num{" zero" if not row.by_severity[sv.value] else ""} '
            f'sev-{sv.value}-text">{row.by_severity[sv.value]}</td>'
            for sv in SEVERITIES
        )
        out.append(
            f'<tr><td><a href="#{_slug(row.path)}"><code>{_e(row.path)}</code></a></td>'
            f"<td>{_e(fmt)}</td><td class=\"num\">{row.references}</td>{cells}"
            f"{_verdict_cell(row, index)}</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _filters(s: Summary) -> str:
    sev = "".join(
        f'<label class="chip sev-{sv.value}"><input type="checkbox" name="severity" '
        f'value="{sv.value}" checked> {SEVERITY_LABEL[sv.value]} '
        f'<span class="chip-n">{s.by_severity[sv.value]}</span></label>'
        for sv in SEVERITIES
    )
    cats = "".join(
        f'<label class="chip"><input type="checkbox" name="category" value="{_e(c)}" checked> '
        f'{_e(c)} <span class="chip-n" data-stat="category.{_e(c)}">{n}</span></label>'
        for c, n in s.by_category.items()
    )
    return (
        '<div class="filters" id="filters" hidden>'
        f'<div class="filter-row"><span class="filter-label">Severity</span>{sev}</div>'
        + (f'<div class="filter-row"><span class="filter-label">Category</span>{cats}</div>'
           if cats else "")
        + '<p class="showing" aria-live="polite">Showing <strong id="shown">'
        f"{s.findings}</strong> of {s.findings} findings "
        '<button type="button" id="reset">Show all</button></p></div>'
    )


def _finding(result: RunResult, f: Finding) -> str:
    sev, cat = f.severity.value, f.category.value
    where = f"line {f.span.line}, column {f.span.column}"
    if f.span.page is not None:
        where = f"page {f.span.page}, {where}"
    elif f.span.part:
        where = f"{f.span.part}, {where}"
    parts = [
        f'<article class="finding sev-{sev}" data-severity="{sev}" data-category="{_e(cat)}">',
        '<div class="f-head">',
        f'<span class="badge sev-{sev}">{SEVERITY_LABEL[sev]}</span>',
        f'<code class="code">{_e(f.code)}</code>',
        f'<span class="rule">{_e(f.name)}</span>',
        f'<span class="cat">{_e(cat)}</span>',
        f'<span class="where">{_e(where)}</span>',
        "</div>",
        f'<p class="msg">{_e(f.message)}</p>',
    ]
    snip = snippet(result, f)
    if snip is not None:
        mark = _visible(snip.marked) if snip.marked else '<span class="caret">‸</span>'
        parts.append(
            '<blockquote class="ctx">'
            + ("… " if snip.clipped_start else "")
            + _flat(snip.before)
            + f"<mark>{mark}</mark>"
            + _flat(snip.after)
            + (" …" if snip.clipped_end else "")
            + "</blockquote>"
        )
    if f.suggestion is not None:
        parts.append(
            f'<p class="sugg"><span class="sugg-label">Suggestion</span> '
            f"<ins>{_visible(f.suggestion)}</ins></p>"
        )
    extra = []
    if f.url:
        extra.append(f"URL {_e(f.url)}")
    if f.status:
        extra.append(f"status {_e(f.status)}")
    if f.transient:
        extra.append("transient: does not fail the run")
    if f.fix is not None:
        extra.append("safe fix: refcheck check --fix" if f.fix.safe else "fix needs review")
    if extra:
        parts.append(f'<p class="extra">{" · ".join(extra)}</p>')
    parts.append("</article>")
    return "".join(parts)


def _file_sections(result: RunResult, s: Summary) -> str:
    out = []
    for row in s.rows:
        mine = row.found
        counts = ", ".join(
            f"{n} {sv.value}{'s' if n != 1 and sv is not Severity.INFO else ''}"
            for sv in SEVERITIES
            if (n := row.by_severity[sv.value])
        )
        refs = f"{row.references} reference{'s' if row.references != 1 else ''}"
        out.append(
            f'<section class="file" id="{_slug(row.path)}">'
            f'<h3 class="file-title"><code>{_e(row.path)}</code></h3>'
            f'<p class="file-meta">{_e(refs)} · '
            f"{_e(counts) if counts else 'no findings'}</p>"
        )
        if mine:
            out.append("".join(_finding(result, f) for f in mine))
        else:
            out.append('<p class="clean">✓ Nothing to report in this file.</p>')
        out.append("</section>")
    return "".join(out)


_CSS = """
:root{--paper:#fbfaf7;--ink:#1f2328;--muted:#646a73;--rule:#e4e1da;--card:#fff;
--error:#c2410c;--warning:#b7791f;--info:#3b82b6;--mark:#ffe8a3;--ins:#dff3e4;--accent:#2f5d50}
*{box-sizing:border-box}
html{background:var(--paper)}
body{margin:0 auto;max-width:1040px;padding:40px 28px 80px;color:var(--ink);
font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}

h1,h2,h3{font-family:"Iowan Old Style","Palatino Linotype",Palatino,Georgia,"Times New Roman",serif;
font-weight:600;letter-spacing:-.01em}
h1{font-size:34px;margin:0 0 4px}
h2{font-size:23px;margin:44px 0 14px;padding-bottom:6px;border-bottom:1px solid var(--rule)}
h3{font-size:18px;margin:0 0 10px}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.kicker{text-transform:uppercase;letter-spacing:.12em;font-size:12px;color:var(--accent);
font-weight:700;margin:0 0 8px}
.subtitle{color:var(--muted);margin:0}
.subtitle code{color:var(--ink)}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:14px;margin:28px 0 8px}
.card{background:var(--card);border:1px solid var(--rule);border-radius:12px;padding:16px 18px;
display:flex;flex-direction:column;box-shadow:0 1px 2px rgba(0,0,0,.03)}
.card-value{font:600 32px/1.1 "Iowan Old Style",Georgia,serif}
.card-label{color:var(--muted);font-size:13px;margin-top:4px}
.card-note{color:var(--muted);font-size:12px}
.card.sev-error{border-top:4px solid var(--error)}
.card.sev-warning{border-top:4px solid var(--warning)}
.card.sev-info{border-top:4px solid var(--info)}.card.lead{border-top:4px solid var(--accent)}
.overview{display:grid;grid-template-columns:1.6fr 1fr;gap:18px;align-items:start}
.panel{background:var(--card);border:1px solid var(--rule);border-radius:12px;padding:16px 18px;
margin-bottom:14px}
.chart{width:100%;height:auto;display:block}
.c-label{font:13px system-ui,sans-serif;fill:#3a3f45}
.c-count{font:600 13px system-ui,sans-serif;fill:#3a3f45}
.c-legend{font:12px system-ui,sans-serif;fill:#646a73}.c-track{fill:#f1eee8}
.empty-chart{color:var(--muted)}
dl.stats{display:grid;grid-template-columns:1fr auto;gap:4px 16px;margin:0}
dl.stats dt{color:var(--muted)}
dl.stats dd{margin:0;text-align:right;font-variant-numeric:tabular-nums;
font-weight:600}
table.files{width:100%;border-collapse:collapse;background:var(--card);
border:1px solid var(--rule);
border-radius:12px;overflow:hidden}
.files th,.files td{padding:9px 14px;border-bottom:1px solid var(--rule);text-align:left}
.files th{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);
background:#f6f4ef}
.files tr:last-child td{border-bottom:0}
.files a{color:inherit;text-decoration:none}.files a:hover code{text-decoration:underline}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
.zero{color:#b9bcc1}.sev-error-text:not(.zero){color:var(--error);font-weight:600}
.sev-warning-text:not(.zero){color:var(--warning);font-weight:600}
.sev-info-text:not(.zero){color:var(--info);font-weight:600}
.filters{position:sticky;top:0;z-index:2;background:rgba(251,250,247,.96);
backdrop-filter:blur(4px);
border-bottom:1px solid var(--rule);padding:12px 0 6px;margin-bottom:8px}
.filter-row{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:6px}
.filter-label{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);
width:80px}
.chip{display:inline-flex;align-items:center;gap:6px;border:1px solid var(--rule);
background:var(--card);
border-radius:999px;padding:3px 11px;font-size:13px;cursor:pointer;user-select:none}
.chip input{margin:0;accent-color:var(--accent)}
.chip-n{color:var(--muted);font-variant-numeric:tabular-nums}
.chip.sev-error{border-color:#f0c7b3}
.chip.sev-warning{border-color:#efdcae}.chip.sev-info{border-color:#bcd5ea}
.showing{margin:4px 0 0;color:var(--muted);font-size:13px}
.showing button{margin-left:8px;font:inherit;border:1px solid var(--rule);background:var(--card);
border-radius:6px;padding:1px 8px;cursor:pointer}
.file{margin-top:30px}
.file-title code{font-size:16px}
.file-meta{color:var(--muted);margin:-6px 0 12px;font-size:13px}
.clean{color:var(--accent);background:#eef5f1;border-radius:10px;padding:10px 14px}
.finding{background:var(--card);border:1px solid var(--rule);border-left:4px solid var(--info);
border-radius:10px;padding:12px 16px;margin:10px 0}
.finding.sev-error{border-left-color:var(--error)}
.finding.sev-warning{border-left-color:var(--warning)}
.finding.hidden{display:none}
.f-head{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline;font-size:13px}
.badge{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.06em;color:#fff;
border-radius:5px;padding:1px 7px}
.badge.sev-error{background:var(--error)}.badge.sev-warning{background:var(--warning)}
.badge.sev-info{background:var(--info)}
.code{font-weight:600}.rule{color:var(--ink)}.cat{color:var(--muted)}
.cat::before{content:"·";margin-right:8px;color:#c5c8cc}
.where{color:var(--muted);margin-left:auto}
.msg{margin:6px 0 8px;font-size:15px}
.ctx{margin:0;padding:9px 13px;background:#f7f5f0;border-radius:8px;color:#41464d;
font-family:"Iowan Old Style","Palatino Linotype",Georgia,serif;font-size:15px;
overflow-wrap:anywhere}
mark{background:var(--mark);color:var(--ink);border-radius:3px;padding:0 2px;
box-shadow:inset 0 -2px 0 #e3b341}
.ws{color:#a15c00;font:11px ui-monospace,monospace}
.caret{color:var(--error);font-weight:700}
.sugg{margin:8px 0 0;font-size:14px}
.sugg-label{font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:var(--accent);
font-weight:700;margin-right:6px}
ins{text-decoration:none;background:var(--ins);border-radius:3px;padding:1px 4px;
overflow-wrap:anywhere}
.extra{margin:6px 0 0;font-size:12px;color:var(--muted);overflow-wrap:anywhere}
.notes{color:var(--muted);font-size:13px;background:#f3f1ec;border-radius:10px;padding:10px 14px}
.notes p{margin:2px 0}
footer{margin-top:56px;color:var(--muted);font-size:12px;border-top:1px solid var(--rule);
padding-top:12px}
@media (max-width:760px){.cards{grid-template-columns:repeat(2,1fr)}
.overview{grid-template-columns:1fr}
.where{margin-left:0}}
@media print{.filters{display:none}.finding{break-inside:avoid}body{padding:0}}
"""

_JS = """
(function(){
  var box=document.getElementById('filters'); if(!box) return; box.hidden=false;
  var items=[].slice.call(document.querySelectorAll('article.finding'));
  var inputs=[].slice.call(box.querySelectorAll('input[type=checkbox]'));
  var shown=document.getElementById('shown');
  function chosen(name){return inputs.filter(function(i){return i.name===name&&i.checked})
    .map(function(i){return i.value});}
  function apply(){
    var sev=chosen('severity'), cat=chosen('category'), n=0;
    items.forEach(function(a){
      var ok=sev.indexOf(a.dataset.severity)>=0&&cat.indexOf(a.dataset.category)>=0;
      a.classList.toggle('hidden',!ok); if(ok) n++;});
    shown.textContent=String(n);
    var parts=[];
    ['severity','category'].forEach(function(name){
      var all=inputs.filter(function(i){return i.name===name});
      var on=chosen(name); if(on.length<all.length) parts.push(name+'='+on.join(','));});
    var hash=parts.length?'#'+parts.join('&'):' ';
    if(history.replaceState) history.replaceState(null,'',hash===' '?location.pathname:hash);
  }
  function fromHash(){
    var h=decodeURIComponent(location.hash.replace(/^#/,'')); if(!h) return;
    h.split('&').forEach(function(p){
      var kv=p.split('='); if(kv.length!==2) return;
      var want=kv[1].split(',');
      inputs.forEach(function(i){if(i.name===kv[0]) i.checked=want.indexOf(i.value)>=0;});});
  }
  inputs.forEach(function(i){i.addEventListener('change',apply);});
  document.getElementById('reset').addEventListener('click',function(){
    inputs.forEach(function(i){i.checked=true;}); apply();});
  fromHash(); apply();
  document.documentElement.setAttribute('data-ready','1');
})();
"""


def render(result: RunResult, title: str = "", summary: Summary | None = None) -> str:
    """The report; ``summary``: ``summarise(result, title)``, when the caller has it."""
    s = summary if summary is not None else summarise(result, title)
    heading = "Reference audit"
    subject = (
        f"<p class=\"subtitle\">of <code>{_e(title)}</code> · {s.files} "
        f"file{'s' if s.files != 1 else ''} · refcheck {_e(result.tool_version)}</p>"
        if title
        else f'<p class="subtitle">{s.files} files · refcheck {_e(result.tool_version)}</p>'
    )
    if s.findings == 0:
        verdict = "No problems found: every check that ran passed."
    else:
        worst = next(sv.value for sv in SEVERITIES if s.by_severity[sv.value])
        verdict = {
            "error": "Some references need correcting before publication.",
            "warning": "No errors; some references deserve a second look.",
            "info": "Only informational notes: nothing blocks publication.",
        }[worst]
    notes = ""
    if s.notes:
        notes = (
            '<div class="notes">'
            + "".join(f"<p>{_e(n)}</p>" for n in s.notes)
            + "</div>"
        )
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="refcheck">',
        f"<title>{heading}{(' — ' + _e(title)) if title else ''}</title>",
        f"<style>{_CSS}</style></head><body>",
        '<header><p class="kicker">refcheck</p>',
        f"<h1>{heading}</h1>{subject}",
        f'<p class="verdict">{_e(verdict)}</p></header>',
        _cards(s),
        "<h2>Overview</h2>",
        '<div class="overview"><div class="panel"><h3>Findings by category</h3>',
        _chart(s),
        "</div><div>",
        _links_and_dois(s),
        "</div></div>",
        notes,
        "<h2>Files</h2>",
        _files_table(s),
        '<h2 id="findings">Findings</h2>',
        _filters(s),
        _file_sections(result, s),
        '<footer>Generated by refcheck. Category notes: '
        + "; ".join(f"<b>{_e(c)}</b> {_e(CATEGORY_BLURB.get(c, ''))}" for c in s.by_category)
        + ". Run <code>refcheck explain CODE</code> for what a rule checks and why.</footer>",
        f"<script>{_JS}</script>",
        "</body></html>",
    ]
    return "\n".join(part for part in body if part) + "\n"
