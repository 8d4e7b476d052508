"""GitHub Actions workflow commands: one annotation a finding.

``::error file=P,line=L,col=C,endLine=L,endColumn=E,title=CODE name::message``
(``warning`` for warnings, ``notice`` for info).  The runner parses these
lines, so data is escaped as ``@actions/core`` does: ``%``, ``\\r`` and
``\\n`` everywhere, and also ``:`` and ``,`` inside property values.

GitHub accepts ``col``/``endColumn`` only when the annotation starts and ends
on the same line, and its ``endColumn`` is inclusive (it defaults to ``col``
for a one-character annotation), while refcheck's end column is exclusive;
a multi-line finding is therefore annotated by lines alone.
"""

from __future__ import annotations

from refcheck.model import Finding, Severity
from refcheck.report import RunResult

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(f: Finding) -> str:
    span = f.span
    props: list[tuple[str, str]] = [("file", span.path.replace("\\", "/"))]
    line = max(1, span.line)
    end_line = max(line, span.end_line)
    props.append(("line", str(line)))
    if end_line == line:
        col = max(1, span.column)
        props.append(("col", str(col)))
        props.append(("endLine", str(end_line)))
        props.append(("endColumn", str(max(col, span.end_column - 1))))
    else:
        props.append(("endLine", str(end_line)))
    props.append(("title", f"{f.code} {f.name}"))
    message = f.message
    if f.suggestion is not None and f.suggestion not in message:
        message += f" [suggestion: {f.suggestion}]"
    rendered = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{_COMMANDS[f.severity]} {rendered}::{escape_data(message)}"


def render(result: RunResult) -> str:
    return "".join(command(f) + "\n" for f in result.findings)
