"""Finding input files and reading them into :class:`SourceText`.

Every problem here is an :class:`InputError` with a one-line message; the
CLI turns it into exit status 2 (or, in a run of several files, the engine
turns it into a finding on that file).  Nothing in this module writes files.

Reading is bounded: only regular files are opened (a FIFO, device, socket or
symlink loop is refused at once, never read from), at most ``MAX_BYTES`` are
read whatever ``stat`` said, and the open is non-blocking so that a file
swapped for a FIFO between the check and the open cannot stall the run.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from pathlib import Path

from refcheck.errors import InputError as InputError  # re-exported: the readers raise it
from refcheck.model import SourceText
from refcheck.parsers import BINARY_FORMATS, EXTENSIONS, FORMATS, format_for, sniff_file

try:
    # CPython's own SHA-256: the same digest as hashlib's, without loading
    # OpenSSL (hashlib's import costs a hook's start-up ~2.5 ms, this ~0.2 ms).
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # another Python (3.12 names it _sha2), or built without it
    from hashlib import sha256 as _sha256

# Larger inputs are refused rather than parsed: no real reference list is this
# big, and a pre-commit hook must not stall on an accidentally added dump.
MAX_BYTES = 64 * 1024 * 1024
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}
# Label of a file that is UTF-8 except for a few bytes decoded one by one (see decode()).
MIXED_UTF8 = "utf-8+cp1252"


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


def _os_message(path: str, exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return f"{path}: file name too long"
    if exc.errno == errno.ELOOP:
        return f"{path}: too many levels of symbolic links"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file or directory"
    return f"{path}: cannot read ({exc.strerror or exc})"


def _kind(mode: int) -> str | None:
    """What a non-regular, non-directory file is (None for those two)."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def discover(
    paths: list[str],
    exclude: list[str],
    input_format: str | None = None,
    problems: list[tuple[str, str]] | None = None,
    respect_gitignore: bool = True,
) -> list[str]:
    """Files to check, in a stable order; a directory yields its supported files.

    A directory walk leaves out what its ``.gitignore`` files leave out
    (:mod:`refcheck.ignore`) unless ``respect_gitignore`` is false; a file named
    directly is always checked.

    A directory that cannot be listed inside a walk is appended to ``problems``
    as ``(path, message)`` when the caller passes a list (the engine reports it
    as a finding); without one it is an :class:`InputError`.  Special files
    found in a walk are returned like any other and refused when read, so the
    run says what they are instead of blocking on them.
    """
    # (path, its real path): the same file named twice is checked once.
    found: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        try:
            info = os.stat(raw)
        except FileNotFoundError as exc:
            if os.path.islink(raw):
                raise InputError(f"{raw}: broken symbolic link") from exc
            raise InputError(f"{raw}: no such file or directory") from exc
        except OSError as exc:
            raise InputError(_os_message(raw, exc)) from exc
        if stat.S_ISDIR(info.st_mode):
            before = len(found)
            unreadable: list[tuple[str, str]] = []

            def walk_error(
                exc: OSError, unreadable: list[tuple[str, str]] = unreadable, top: str = raw
            ) -> None:
                where = exc.filename if isinstance(exc.filename, str) else top
                unreadable.append((os.path.normpath(where), _os_message(where, exc)))

            from refcheck.ignore import GitIgnores

            gitignores = GitIgnores(raw) if respect_gitignore else None
            for dirpath, dirnames, filenames in os.walk(path, onerror=walk_error):
                dirnames[:] = sorted(
                    d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")
                )
                if gitignores is not None:
                    gitignores.enter(dirpath)
                    dirnames[:] = [d for d in dirnames
                                   if not gitignores.ignored(os.path.join(dirpath, d), True)]
                    filenames = [n for n in filenames
                                 if not gitignores.ignored(os.path.join(dirpath, n))]
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
            if unreadable:
                if problems is None:
                    raise InputError(unreadable[0][1])
                problems.extend(unreadable)
            if len(found) == before and not unreadable:
                supported = ", ".join(sorted(EXTENSIONS))
                raise InputError(f"{raw}: no files to check (looked for {supported})")
        else:
            if _excluded(os.path.normpath(raw), exclude):
                continue
            if input_format is None and format_for(raw) is None and sniff_file(raw) is None:
                # Only the formats read from text can take a file that is no PDF or Word.
                readable = [f for f in FORMATS if f not in BINARY_FORMATS]
                raise InputError(
                    f"{raw}: unsupported file type (use --input-format {'|'.join(readable)})"
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


def stray_byte(byte: int) -> str:
    """The character a byte that is not UTF-8 most likely meant (CP1252, else Latin-1)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_ESCAPED = re.compile("[\udc80-\udcff]+")


def decode_mixed(data: bytes) -> tuple[str, list[tuple[int, int]]] | None:
    """UTF-8 with a few stray bytes: the text and the character spans of those bytes.

    A file that is mostly UTF-8 (more valid multi-byte characters than invalid
    bytes) is a UTF-8 file someone pasted a legacy byte into; decoding it whole
    as a code page would turn every correct ``ü`` into mojibake.  Each invalid
    byte is read on its own with :func:`stray_byte`, one character per byte, so
    the rest of the file keeps its UTF-8 meaning and the guessed spans are known
    (``--fix`` never writes into them).  None when the file is not mostly UTF-8.
    """
    # surrogateescape marks each invalid byte as one lone surrogate (in C, linear).
    raw = data.decode("utf-8", "surrogateescape")
    bad = sum(len(run) for run in _ESCAPED.findall(raw))
    good = len(raw) - len(raw.encode("ascii", "ignore")) - bad
    if bad == 0 or good < bad:
        return None
    spans: list[tuple[int, int]] = []
    parts: list[str] = []
    last = 0
    for m in _ESCAPED.finditer(raw):
        parts.append(raw[last : m.start()])
        parts.append("".join(stray_byte(ord(c) - 0xDC00) for c in m.group()))
        spans.append(m.span())
        last = m.end()
    parts.append(raw[last:])
    text = "".join(parts)
    return text, spans


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes, returning (text, encoding).

    UTF-8 (with or without BOM) and BOM-marked UTF-16 are taken as they are.
    A file that is UTF-8 but for a few stray bytes keeps its UTF-8 and has
    those bytes read one by one (:func:`decode_mixed`, label ``MIXED_UTF8``).
    Anything else is handed to charset-normalizer, which tells CP1251 Cyrillic
    from Latin-1/CP1252 by language models rather than guessing; when it has
    no answer, CP1252 (the usual Windows export) is used, and Latin-1 last
    because it accepts every byte.  Every encoding but UTF-8, UTF-8 with BOM
    and UTF-16 with BOM is a guess, and ``--fix`` does not write into guesses.
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
    mixed = decode_mixed(data)
    if mixed is not None:
        return mixed[0], MIXED_UTF8
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 1024 * 1024]).best()
        if best is not None and best.encoding:
            enc = best.encoding
            text = data.decode(enc)
            # A guess must not invent characters the bytes cannot mean (a NUL
            # from an overlong sequence, a control character): then fall back.
            if not _invents_controls(data, text):
                return text, enc
    except (ImportError, LookupError, UnicodeDecodeError):
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: cannot decode the file")  # pragma: no cover - latin-1 never fails


def _invents_controls(data: bytes, text: str) -> bool:
    for ch in ("\x00", *(chr(c) for c in _CONTROL_BYTES if c)):
        if text.count(ch) > data.count(ch.encode("latin-1")):
            return True
    return False


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refusing special files and anything over ``limit``."""
    cap = MAX_BYTES if limit is None else limit
    try:
        # O_NONBLOCK: opening a FIFO for reading never waits for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a directory") from exc
    except OSError as exc:
        raise InputError(_os_message(path, exc)) from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory")
        kind = _kind(info.st_mode)
        if kind is not None:
            raise InputError(f"{path}: {kind}, not a file; skipped")
        if info.st_size > cap:
            raise InputError(
                f"{path}: file is {info.st_size / 1048576:.0f} MiB, larger than the "
                f"{cap // 1048576} MiB limit"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            # A file may grow after fstat: never read more than the limit allows.
            data = fh.read(cap + 1)
    except OSError as exc:
        raise InputError(_os_message(path, exc)) from exc
    finally:
        os.close(fd)
    if len(data) > cap:
        raise InputError(f"{path}: file is larger than the {cap // 1048576} MiB limit")
    return data


def is_document_bytes(data: bytes, path: str = "") -> bool:
    """A PDF, or a zip holding a Word document's main part.

    An OLE container named .docx (an encrypted Word file) is handed to the
    Word reader too, which says what it is.
    """
    if data.startswith(b"%PDF-"):
        return True
    if data.startswith(b"\xd0\xcf\x11\xe0") and path.lower().endswith(".docx"):
        return True
    return data.startswith(b"PK\x03\x04") and (
        b"word/" in data[:65536] or b"word/" in data[-65536:]
    )


# From this size on a file's digest comes from hashlib (OpenSSL): ~0.6 ms a MB against
# ~3.7 ms for CPython's own, which outweighs hashlib's import (~2.7 ms) at once.
_OPENSSL_HASH_BYTES = 1 << 20


def _digest(data: bytes) -> str:
    if len(data) >= _OPENSSL_HASH_BYTES:
        import hashlib

        return hashlib.sha256(data).hexdigest()
    return str(_sha256(data).hexdigest())


def read_source(path: str) -> SourceText:
    data = read_bytes(path)
    if is_document_bytes(data, path):
        # PDF and Word files are read by their parsers from the bytes.
        source = SourceText(path, "", encoding="utf-8", digest=_digest(data))
        source.data = data
        return source
    if _looks_binary(data):
        raise InputError(f"{path}: binary file, not a reference list")
    text, encoding = decode(data, path)
    return SourceText(path, text, encoding=encoding, digest=_digest(data))
