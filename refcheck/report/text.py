"""``path:line:col: CODE message [suggestion]``, one finding a line, then a summary."""

from __future__ import annotations

from refcheck.report import RunResult


def render(result: RunResult) -> str:
    lines: list[str] = []
    for f in result.findings:
        sp = f.span
        # A PDF finding names its page ("p3"), a Word finding its part ("footnote 2").
        where = f"p{sp.page}:" if sp.page is not None else f"{sp.part}:" if sp.part else ""
        line = f"{sp.path}:{where}{sp.line}:{sp.column}: {f.code} {f.message}"
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
