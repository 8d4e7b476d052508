"""``path:line:col: CODE message [suggestion]``, one finding a line, then a summary."""

from __future__ import annotations

import re

from refcheck.report import RunResult
from refcheck.text.patterns import lazy_re

# C0 and C1 controls, DEL, and the line and paragraph separators: any of them in a message
# (a URL with a newline, text with a form feed) would break "one finding, one line" or
# drive the terminal. Tab included: it would shift what a reader lines up.
_CONTROLS = lazy_re("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible_escape(m: re.Match[str]) -> str:
    """The matched character as a ``\\xNN`` or ``\\uNNNN`` escape (for ``re.sub``)."""
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character written as a visible ``\\xNN`` escape."""
    return _CONTROLS.sub(visible_escape, text)


def render(result: RunResult) -> str:
    lines: list[str] = []
    for f in result.findings:
        sp = f.span
        # A PDF finding names its page ("p3"), a Word finding its part ("footnote 2").
        where = f"p{sp.page}:" if sp.page is not None else f"{sp.part}:" if sp.part else ""
        line = f"{sp.path}:{where}{sp.line}:{sp.column}: {f.code} {f.message}"
        if f.suggestion is not None and f.suggestion not in f.message:
            line += f" [suggestion: {f.suggestion}]"
        lines.append(escape_controls(line))
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
