"""Regenerate the rules table in README.md from the registry.

Usage: python scripts/update_readme_rules.py
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from refcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]


def table() -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["rules", "--format", "markdown"])
    return buf.getvalue()


def update() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = re.sub(
        r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)",
        lambda m: m.group(1) + table() + m.group(2),
        text,
        flags=re.S,
    )
    readme.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    update()
