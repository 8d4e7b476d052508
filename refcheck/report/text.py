"""``path:line:col: CODE message [suggestion]``, one finding a line, then a summary."""

from __future__ import annotations

from refcheck.report import RunResult


def render(result: RunResult) -> str:
    lines: list[str] = []
    for f in result.findings:
        line = f"{f.span.path}:{f.span.line}:{f.span.column}: {f.code} {f.message}"
        if f.suggestion is not None and f.suggestion not in f.message:
            line += f" [suggestion: {f.suggestion}]"
        lines.append(line)
    refs = result.reference_count
    n = len(result.findings)
    if n:
        parts = ", ".join(f"{k} {v}" for k, v in result.by_severity().items())
        lines.append(
            f"Found {n} problem{'s' if n != 1 else ''} ({parts}) in {refs} "
            f"reference{'s' if refs != 1 else ''} in {len(result.files)} "
            f"file{'s' if len(result.files) != 1 else ''}."
        )
    else:
        lines.append(
            f"All checks passed: {refs} reference{'s' if refs != 1 else ''} in "
            f"{len(result.files)} file{'s' if len(result.files) != 1 else ''}."
        )
    return "\n".join(lines) + "\n"
