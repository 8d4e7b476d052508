"""Regenerate ``reports/``: the offline audit of ``references/``, the project's worked example.

Usage: python scripts/make_reports.py [OUT_DIR]   (default: reports/)

Runs from the repository root with relative paths and no network, so the
output holds no timestamp and no absolute path: the same code gives the
same bytes, which ``tests/test_audit.py`` checks against the committed copy.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from refcheck import engine  # noqa: E402
from refcheck.audit import write_reports  # noqa: E402
from refcheck.config import Settings  # noqa: E402

INPUT = "references"


def release() -> str:
    """The version the reports state: the last release tag, not this commit's dev version.

    setuptools-scm gives every commit its own version (0.1.1.dev7+g1234abc); written into
    the reports it would make them stale at every commit. The last tag (``v0.1.0``), else
    pyproject's ``fallback_version``, changes only with a release.
    """
    import re
    import subprocess

    try:
        tag = subprocess.run(["git", "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        if tag.strip():
            return tag.strip().removeprefix("v")
    except (OSError, subprocess.CalledProcessError):
        pass
    found = re.search(r'^fallback_version\s*=\s*"([^"]+)"',
                      (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    return found.group(1) if found else "0.0.0"


def settings() -> Settings:
    # Defaults only: no user config, no environment, offline. One serial worker
    # keeps the run identical wherever it happens.
    return Settings(paths=[INPUT], offline=True, jobs=1)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]).resolve() if args else ROOT / "reports"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = engine.run([INPUT], settings())
        result.tool_version = release()
        written = write_reports(result, out, INPUT)
    finally:
        os.chdir(cwd)
    for path in written:
        print(f"wrote {os.path.relpath(path, cwd)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
