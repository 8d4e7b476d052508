"""``--baseline FILE``: record today's findings and report only new ones.

A finding is keyed by its content, not its line: path, code, the offending
text and the reference it belongs to (normalised).  Adding a reference above
an old finding therefore does not make it "new".  The same key may occur
several times; a baseline absorbs as many occurrences as it recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter

from refcheck.io import InputError
from refcheck.model import Document, Finding


def _reference_text(f: Finding, documents: list[Document]) -> str:
    if f.reference_index is None:
        return ""
    for d in documents:
        if d.path == f.span.path:
            for r in d.references:
                if r.index == f.reference_index:
                    return " ".join(r.raw.split())
    return ""


def fingerprint(f: Finding, documents: list[Document]) -> str:
    parts = [
        f.span.path.replace(os.sep, "/"),
        f.code,
        f.text or f.message,
        _reference_text(f, documents),
    ]
    # surrogateescape: a file name that is not UTF-8 hashes as its own bytes.
    data = "\x1f".join(parts).encode("utf-8", "surrogateescape")
    return hashlib.sha256(data).hexdigest()[:32]


def _write(path: str, findings: list[Finding], documents: list[Document]) -> None:
    entries = sorted(
        (
            {"fingerprint": fingerprint(f, documents), "path": f.span.path, "code": f.code,
             "text": f.text}
            for f in findings
        ),
        key=lambda e: (e["path"] or "", e["code"], e["fingerprint"]),
    )
    data = {"version": 1, "findings": entries}
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"{path}: cannot write baseline (no directory {directory})")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".refcheck-baseline-", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write baseline ({exc.strerror or exc})") from exc
    try:
        # A file name that is not UTF-8 (lone surrogates) becomes a JSON \\udcXX escape
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError(f"{path}: cannot write baseline ({exc})") from exc


def _read(path: str) -> Counter[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return Counter(str(e["fingerprint"]) for e in data["findings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a refcheck baseline ({exc})") from exc


def apply(
    findings: list[Finding], documents: list[Document], path: str, *, update: bool = False
) -> list[Finding]:
    """Findings not in the baseline; writes the baseline when it is new or ``update``."""
    if update or not os.path.exists(path):
        _write(path, findings, documents)
        return []
    known = _read(path)
    fresh = []
    for f in findings:
        key = fingerprint(f, documents)
        if known[key] > 0:
            known[key] -= 1
        else:
            fresh.append(f)
    return fresh
