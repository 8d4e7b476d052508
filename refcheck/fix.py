"""Applying findings' fixes to files in place.

Per file, fixes are applied from the end backwards so that earlier offsets
stay valid; overlapping fixes are skipped (the first, by position, wins and
the next run picks the rest up).  A file is rewritten atomically (a
temporary file in the same directory, then ``os.replace``) in its original
encoding and mode, and only if its bytes are still those that were read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile

from refcheck.model import Document, Finding, Fix


def _chosen(findings: list[Finding], path: str, include_unsafe: bool) -> list[Fix]:
    fixes = {
        f.fix
        for f in findings
        if f.path == path and f.fix is not None and (f.fix.safe or include_unsafe)
    }
    ordered = sorted(fixes, key=lambda x: (x.start, x.end, x.replacement))
    kept: list[Fix] = []
    for fx in ordered:
        if kept and fx.start < kept[-1].end:
            continue  # overlaps an earlier fix
        if kept and fx.start == kept[-1].end == fx.end == kept[-1].start:
            continue  # two insertions at one point: keep one
        kept.append(fx)
    return kept


def apply_text(text: str, fixes: list[Fix]) -> str:
    """``text`` with non-overlapping ``fixes`` applied (from the end backwards)."""
    for fx in sorted(fixes, key=lambda x: x.start, reverse=True):
        if 0 <= fx.start <= fx.end <= len(text):
            text = text[: fx.start] + fx.replacement + text[fx.end :]
    return text


def apply_fixes(
    documents: list[Document], findings: list[Finding], *, include_unsafe: bool
) -> list[str]:
    """Rewrite each document's file with its fixes; returns one message per file touched."""
    messages: list[str] = []
    for doc in documents:
        fixes = _chosen(findings, doc.path, include_unsafe)
        if not fixes:
            continue
        source = doc.source
        if source.digest is None:
            messages.append(f"{doc.path}: not fixed (its original bytes were not recorded)")
            continue
        try:
            with open(doc.path, "rb") as fh:
                current = fh.read()
        except OSError as exc:
            messages.append(f"{doc.path}: not fixed ({exc.strerror or exc})")
            continue
        if hashlib.sha256(current).hexdigest() != source.digest:
            messages.append(f"{doc.path}: not fixed (the file changed since it was read)")
            continue
        new_text = apply_text(source.text, fixes)
        if new_text == source.text:
            continue
        try:
            data = _encode(new_text, source.encoding, current)
        except UnicodeEncodeError:
            messages.append(
                f"{doc.path}: not fixed (a replacement cannot be written in {source.encoding})"
            )
            continue
        try:
            _atomic_write(doc.path, data)
        except OSError as exc:
            messages.append(f"{doc.path}: not fixed ({exc.strerror or exc})")
            continue
        n = len(fixes)
        messages.append(f"{doc.path}: applied {n} fix{'es' if n != 1 else ''}")
    return messages


def _encode(text: str, encoding: str, original: bytes) -> bytes:
    enc = encoding or "utf-8"
    if enc.lower().replace("_", "-") == "utf-8-sig":
        # Keep a BOM exactly when the original had one.
        data = text.encode("utf-8")
        if original.startswith(b"\xef\xbb\xbf") and not text.startswith("\ufeff"):
            data = b"\xef\xbb\xbf" + data
        return data
    if enc.lower().replace("_", "-") in ("utf-16", "utf16"):
        # Write the byte order the original used, with its BOM.
        if original.startswith(b"\xfe\xff"):
            return b"\xfe\xff" + text.encode("utf-16-be")
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(enc)


def _atomic_write(path: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, tmp = tempfile.mkstemp(prefix=".refcheck-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
