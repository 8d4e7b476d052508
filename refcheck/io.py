"""Finding input files and reading them into :class:`SourceText`.

Every problem here is an :class:`InputError` with a one-line message; the
CLI turns it into exit status 2.  Nothing in this module writes files.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from pathlib import Path

from refcheck.model import SourceText
from refcheck.parsers import EXTENSIONS, format_for

# Larger inputs are refused rather than parsed: no real reference list is this
# big, and a pre-commit hook must not stall on an accidentally added dump.
MAX_BYTES = 64 * 1024 * 1024
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}


class InputError(Exception):
    """An input that cannot be read; the message is one line."""


def _excluded(path: str, patterns: list[str]) -> bool:
    norm = path.replace(os.sep, "/")
    parts = norm.split("/")
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatch(norm, pat) or fnmatch.fnmatch(norm, pat + "/*"):
            return True
        if any(fnmatch.fnmatch(part, pat) for part in parts):
            return True
    return False


def discover(paths: list[str], exclude: list[str], input_format: str | None = None) -> list[str]:
    """Files to check, in a stable order; a directory yields its supported files."""
    # (path, its real path): the same file named twice is checked once.
    found: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or directory")
        if path.is_dir():
            before = len(found)
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(
                    d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")
                )
                # One real path per directory; a file's own only when it is a link
                # (a repository of 2,000 files would otherwise resolve 2,000 paths).
                real_dir = os.path.realpath(dirpath)
                for name in sorted(filenames):
                    if os.path.splitext(name)[1].lower() not in EXTENSIONS:
                        continue
                    full = os.path.join(dirpath, name)
                    if exclude and _excluded(os.path.relpath(full), exclude):
                        continue
                    real = (
                        os.path.realpath(full)
                        if os.path.islink(full)
                        else os.path.join(real_dir, name)
                    )
                    found.append((os.path.normpath(full), real))
            if len(found) == before:
                supported = ", ".join(sorted(EXTENSIONS))
                raise InputError(f"{raw}: no files to check (looked for {supported})")
        else:
            if _excluded(os.path.normpath(raw), exclude):
                continue
            if input_format is None and format_for(raw) is None:
                raise InputError(
                    f"{raw}: unsupported file type (use --input-format bibtex|csl-json|text)"
                )
            found.append((os.path.normpath(raw), os.path.realpath(raw)))
    seen: set[str] = set()
    unique = []
    for f, key in found:
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 text has NULs too; it is decoded below when it has a BOM.
        return not (head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"))
    if not head:
        return False
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control / len(head) > 0.1


# Control characters other than tab, newline, vertical tab, form feed, carriage return.
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes, returning (text, encoding).

    UTF-8 (with or without BOM) and BOM-marked UTF-16 are taken as they are.
    Anything else is handed to charset-normalizer, which tells CP1251 Cyrillic
    from Latin-1/CP1252 by language models rather than guessing; when it has
    no answer, CP1252 (the usual Windows export) is used, and Latin-1 last
    because it accepts every byte.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: invalid UTF-8 after a UTF-8 byte-order mark ({exc.reason})"
            ) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: invalid UTF-16 ({exc.reason})") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 1024 * 1024]).best()
        if best is not None and best.encoding:
            enc = best.encoding
            return data.decode(enc), enc
    except (ImportError, LookupError, UnicodeDecodeError):
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: cannot decode the file")  # pragma: no cover - latin-1 never fails


def read_source(path: str) -> SourceText:
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InputError(
                f"{path}: file is {size / 1048576:.0f} MiB, larger than the "
                f"{MAX_BYTES // 1048576} MiB limit"
            )
        with open(path, "rb") as fh:
            data = fh.read()
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory") from exc
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied") from exc
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file or directory") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if _looks_binary(data):
        raise InputError(f"{path}: binary file, not a reference list")
    text, encoding = decode(data, path)
    return SourceText(path, text, encoding=encoding, digest=hashlib.sha256(data).hexdigest())
