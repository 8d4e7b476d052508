"""The one-off audit: run the checks once and write a report people read.

``refcheck audit PATH ... --out DIR`` writes ``DIR/report.html`` (one
self-contained page), ``DIR/report.md`` (for GitHub) and ``DIR/report.json``
(the contract's JSON report).  What the HTML and Markdown reporters share
(the run's :class:`Summary`, each finding's :class:`Snippet`) lives in
:mod:`refcheck.report.summary` and is re-exported here: this module imports the
reporters, and no reporter imports it.

Nothing here depends on the clock or on absolute paths, so the same input
gives byte-identical reports (``reports/`` is compared in a test).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from refcheck.config import Settings
from refcheck.io import InputError
from refcheck.report import RunResult

# Re-exported: the report's summary and snippets live beside the reporters that use them.
from refcheck.report.summary import (
    CATEGORIES,
    SEVERITIES,
    VERDICTS,
    FileRow,
    Snippet,
    Summary,
    snippet,
    summarise,
)

__all__ = [
    "CATEGORIES",
    "REPORT_FILES",
    "SEVERITIES",
    "VERDICTS",
    "FileRow",
    "Snippet",
    "Summary",
    "audit",
    "snippet",
    "summarise",
    "write_reports",
]

REPORT_FILES = ("report.html", "report.md", "report.json")

# --------------------------------------------------------------------------
# Running an audit


def write_reports(result: RunResult, out_dir: str | os.PathLike[str], title: str) -> list[Path]:
    """Write the three report files into ``out_dir`` (created if needed)."""
    from refcheck.report import html, json, markdown, utf8
    from refcheck.report.summary import summarise

    out = Path(out_dir)
    # Counted once for both (0.2 s each at 2,000 files and 50,000 references).
    summary = summarise(result, title)
    # Bytes, with "\n" line ends whatever the platform, so reports/ can be compared.
    rendered = (
        ("report.html", utf8(html.render(result, title=title, summary=summary))),
        ("report.md", utf8(markdown.render(result, title=title, summary=summary))),
        ("report.json", json.encode(result)),
    )
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in rendered:
            path = out / name
            path.write_bytes(data)
            written.append(path)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the report ({exc.strerror or exc})") from exc
    return written


def audit(
    paths: Sequence[str],
    settings: Settings,
    out_dir: str | os.PathLike[str],
    *,
    cluster: str | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[RunResult, list[Path]]:
    """Check ``paths`` and write the reports; returns the run and the files written.

    ``cluster`` is a Dask scheduler address (``local``: a LocalCluster of
    ``workers`` processes): the checks run there (:mod:`refcheck.cluster`), the
    reports are the same files.
    """
    if cluster is not None:
        from refcheck import cluster as fleet

        result, stats = fleet.run(paths, settings, cluster, workers=workers, progress=progress)
        # Timings differ from run to run: kept beside the report, never in it.
        result.http = {**(result.http or {}), "fleet": stats.lines()}
    else:
        from refcheck import engine

        result = engine.run(list(paths), settings)
    title = ", ".join(paths)
    return result, write_reports(result, out_dir, title)
