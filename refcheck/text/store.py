"""Data derived from shipped lists, kept in the user cache directory between runs.

Deriving the journal lexicon's word set and indexes from ``refcheck/data``
costs tens of milliseconds, as much as checking a short list; a hook that
runs on every commit should pay it once.  :func:`derived` keeps a value in
``<cache dir>/<name>.marshal`` (``marshal``: the C loader of ``.pyc`` files,
for tuples, sets, dicts and strings), stamped with the size and
modification time of each source file and the Python version, as ``.pyc``
files are; a stale, corrupt or unreadable file is rebuilt, and with no
usable cache directory the value is built in memory, so results never depend
on the cache.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")

# Bumped when what a name holds changes shape.
_FORMAT = 1


def cache_dir() -> str | None:
    """``REFCHECK_CACHE_DIR``, else the platform's user cache directory for refcheck."""
    base = os.environ.get("REFCHECK_CACHE_DIR")
    if base:
        return base
    try:
        import platformdirs

        return platformdirs.user_cache_dir("refcheck")
    except Exception:  # no home directory, unsupported platform: build in memory
        return None


def kept_path(name: str, sources: Sequence[str | Path]) -> str | None:
    """``<cache dir>/<name>-<where>.marshal``, ``where`` naming the source paths; None
    with no usable cache directory.

    Environments sharing the cache directory (a project's and a pre-commit hook's) read
    their data from different places: one file each, so that they do not rebuild each
    other's in turn.
    """
    base = cache_dir()
    if base is None:
        return None
    where = zlib.crc32("\0".join(map(str, sources)).encode("utf-8", "surrogatepass"))
    return os.path.join(base, f"{name}-{where:08x}.marshal")


def source_stamp(sources: Sequence[str | Path]) -> tuple[tuple[str, int, int], ...]:
    """Each source's path, size and modification time, as ``.pyc`` files are stamped
    (OSError when one cannot be read)."""
    stats = [os.stat(p) for p in sources]
    return tuple((str(p), s.st_size, s.st_mtime_ns) for p, s in zip(sources, stats, strict=True))


def _stamp(sources: Sequence[Path], build: Callable[[], object]) -> tuple[object, ...]:
    code = getattr(build, "__code__", None)
    return (
        _FORMAT,
        sys.version_info[:2],
        marshal.version,
        # An edited build function makes a new value: its bytecode is part of the stamp.
        code.co_code if code is not None else None,
        source_stamp(sources),
    )


def derived(name: str, sources: Sequence[Path], build: Callable[[], T]) -> T:
    """``build()``, or the value it returned when ``sources`` were last as they are now."""
    path = kept_path(name, sources)
    if path is None:
        return build()
    try:
        stamp = _stamp(sources, build)
    except OSError:
        return build()  # a source that cannot be read: let build() say so
    try:
        with open(path, "rb") as fh:
            # One read: marshal.load() on a file reads it in small pieces, 4x slower.
            kept = marshal.loads(fh.read())
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == stamp:
            value: T = kept[1]
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = build()
    with contextlib.suppress(ValueError):  # a value marshal cannot hold: not kept
        keep(path, marshal.dumps(cast(Any, (stamp, value))))
    return value


def keep(path: str, data: bytes) -> bool:
    """Write ``data`` to ``path`` whole or not at all; False when the cache is not writable.

    Written beside it and renamed: a concurrent run reads the old file or the
    new one, never half of one.
    """
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        return False
    _prune_siblings(path)
    return True


# Files kept per name (``<name>-<8 hex>.marshal``): one per environment or config file
# that uses the cache (a project's, a pre-commit hook's, a CI checkout's…).  Without a
# bound, every checkout path and every edited config left one more file behind for good
# (a development machine had 277 configs' and 107 lexicons' after a few days).
KEPT_PER_NAME = 8


def _prune_siblings(path: str) -> None:
    """Remove all but the ``KEPT_PER_NAME`` most recently written files of ``path``'s name."""
    directory, base = os.path.split(path)
    stem, _, rest = base.rpartition("-")
    if not stem or len(rest) != len("00000000.marshal") or not rest.endswith(".marshal"):
        return
    with contextlib.suppress(OSError):
        siblings = []
        for entry in os.scandir(directory):
            name = entry.name
            if name.startswith(stem + "-") and name.endswith(".marshal") \
                    and len(name) == len(base) and name != base:
                siblings.append((entry.stat().st_mtime_ns, entry.path))
        siblings.sort(reverse=True)
        for _, old in siblings[KEPT_PER_NAME - 1:]:
            with contextlib.suppress(OSError):
                os.remove(old)
