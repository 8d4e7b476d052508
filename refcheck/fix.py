"""Applying findings' fixes to files in place.

Per file, fixes are applied from the end backwards so that earlier offsets
stay valid; overlapping fixes are skipped (the first, by position, wins and
the next run picks the rest up).

Nothing that was right may be lost, so a file is rewritten only when:

- its encoding was read, not guessed: UTF-8 (with or without BOM), UTF-16
  with a BOM, or UTF-8 with a few stray bytes; a whole-file legacy guess
  (charset-normalizer's CP1252, CP932...) is never written back;
- each fix's bytes are spliced into the original bytes, so every byte outside
  the fixes is kept as it was; a fix touching a stray byte of a mostly-UTF-8
  file is skipped, and the result must decode back to exactly the fixed text;
- at the moment of the replace the file is still the one that was read (same
  device and inode, same bytes); a symbolic link is written through to its
  target, which is replaced atomically (a temporary file in the target's
  directory, then ``os.replace``) with the original mode.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile

from refcheck.io import MIXED_UTF8, InputError, decode, decode_mixed
from refcheck.model import Document, Finding, Fix

# Encodings read from the bytes themselves (the rest are guesses).
_EXACT = ("utf-8", "utf-8-sig", "utf-16", MIXED_UTF8)


class _NotFixed(Exception):
    """A file left as it was; the message says why."""


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
        try:
            applied = _fix_file(doc, fixes)
        except _NotFixed as exc:
            messages.append(f"{doc.path}: not fixed ({exc})")
            continue
        if applied:
            messages.append(f"{doc.path}: applied {applied} fix{'es' if applied != 1 else ''}")
    return messages


def _fix_file(doc: Document, fixes: list[Fix]) -> int:
    source = doc.source
    if not source.rewritable:
        # Text read out of a PDF or Word file: a replacement has no place in its
        # bytes; a generated file (.bbl) would be overwritten by the next build.
        raise _NotFixed(source.not_rewritten or "refcheck never rewrites a PDF or Word file")
    if source.digest is None:
        raise _NotFixed("its original bytes were not recorded")
    if source.encoding not in _EXACT:
        raise _NotFixed(
            f"its encoding was guessed as {source.encoding}; convert it to UTF-8 first"
        )
    # Through a symbolic link: the target is what gets fixed, the link stays a link.
    target = os.path.realpath(doc.path)
    try:
        with open(target, "rb") as fh:
            before = os.fstat(fh.fileno())
            current = fh.read()
    except OSError as exc:
        raise _NotFixed(exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(before.st_mode):
        raise _NotFixed("not a regular file")
    if hashlib.sha256(current).hexdigest() != source.digest:
        raise _NotFixed("the file changed since it was read")
    guessed: list[tuple[int, int]] = []
    if source.encoding == MIXED_UTF8:
        mixed = decode_mixed(current)
        if mixed is None or mixed[0] != source.text:
            raise _NotFixed("its stray bytes could not be located again")
        guessed = mixed[1]
    usable = [
        fx for fx in fixes
        if 0 <= fx.start <= fx.end <= len(source.text)
        and not any(fx.start < e and s < fx.end for s, e in guessed)
        and not any(s <= fx.start < e for s, e in guessed)
    ]
    if not usable:
        raise _NotFixed("every fix touches bytes whose encoding was guessed")
    new_text = apply_text(source.text, usable)
    if new_text == source.text:
        return 0
    data = _splice(source.text, current, source.encoding, guessed, usable)
    try:
        again = decode(data, doc.path)[0]
    except InputError as exc:
        raise _NotFixed(f"the result would not read back: {exc}") from exc
    if again != new_text:
        raise _NotFixed(f"the result would not read back the same in {source.encoding}")
    try:
        _atomic_write(target, data, before, current)
    except OSError as exc:
        raise _NotFixed(exc.strerror or str(exc)) from exc
    return len(usable)


def _splice(
    text: str, original: bytes, encoding: str, guessed: list[tuple[int, int]], fixes: list[Fix]
) -> bytes:
    """The original bytes with each fix's span replaced by its encoded replacement."""
    if encoding == "utf-16":
        codec = "utf-16-be" if original.startswith(b"\xfe\xff") else "utf-16-le"
        head = 2
    elif encoding == "utf-8-sig":
        codec, head = "utf-8", 3
    else:
        codec, head = "utf-8", 0
    # Stray bytes are one character each, and one byte each.
    stray = sorted(guessed)

    def width(lo: int, hi: int) -> int:
        n = len(text[lo:hi].encode(codec, "surrogatepass"))
        for s, e in stray:
            a, b = max(s, lo), min(e, hi)
            if a < b:
                n -= len(text[a:b].encode(codec, "surrogatepass")) - (b - a)
        return n

    out = [original[:head]]
    pos_char, pos_byte = 0, head
    for fx in sorted(fixes, key=lambda x: x.start):
        gap = width(pos_char, fx.start)
        out.append(original[pos_byte : pos_byte + gap])
        pos_byte += gap
        try:
            out.append(fx.replacement.encode(codec))
        except UnicodeEncodeError as exc:
            raise _NotFixed(f"a replacement cannot be written in {encoding}") from exc
        pos_byte += width(fx.start, fx.end)
        pos_char = fx.end
    out.append(original[pos_byte:])
    return b"".join(out)


def _atomic_write(path: str, data: bytes, read: os.stat_result, content: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    mode = stat.S_IMODE(read.st_mode)
    fd, tmp = tempfile.mkstemp(prefix=".refcheck-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        # Last look before the replace: an editor that saved meanwhile wins.
        _still_the_same(path, read, content)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _still_the_same(path: str, read: os.stat_result, content: bytes) -> None:
    with open(path, "rb") as fh:
        now = os.fstat(fh.fileno())
        if (now.st_dev, now.st_ino) != (read.st_dev, read.st_ino):
            raise _NotFixed("the file was replaced since it was read")
        if now.st_size != len(content) or fh.read() != content:
            raise _NotFixed("the file changed since it was read")
