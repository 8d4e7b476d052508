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

from refcheck.audit import audit  # noqa: E402
from refcheck.config import Settings  # noqa: E402

INPUT = "references"


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
        _result, written = audit([INPUT], settings(), out)
    finally:
        os.chdir(cwd)
    for path in written:
        print(f"wrote {os.path.relpath(path, cwd)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
