"""Compiled regular expressions kept between runs, as ``.pyc`` files keep compiled code.

Both ``re`` and ``regex`` compile a pattern in Python (parse, optimise, emit a
list of opcodes) and only then hand that list to their C engine.  The
Python half cost a 50-entry run ~20 ms of its ~130 ms, every run, for the
same few dozen patterns.  :func:`compile_pattern` keeps what each engine's C
constructor was given (plain strings, integers, lists, dicts) in
``<cache dir>/patterns-<stamp>.marshal`` and, on later runs, calls the C
constructor with it directly: the same pattern object, without the Python
half.

The stamp holds the Python build, ``re``'s opcode version (``MAGIC``) and
``regex``'s version: an upgraded engine never reads another's opcodes.  A
pattern whose arguments cannot be captured or kept (a locale-dependent one,
an engine that no longer compiles through the expected constructor) is
compiled as usual, every run: results never depend on the cache.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import sys
import threading
import zlib
from typing import Any

# Bumped when what a kept entry holds changes shape.
_FORMAT = 1
# Most patterns kept (the code has a few hundred); the newest are kept past it.
_MAX_KEPT = 2000

_lock = threading.Lock()
_kept: dict[tuple[str, str, int], tuple[Any, ...]] | None = None
_new: dict[tuple[str, str, int], tuple[Any, ...]] = {}


def compile_pattern(engine: str, pattern: str, flags: int = 0) -> Any:
    """``re.compile`` (engine ``"re"``) or ``regex.compile`` (``"regex"``), cached."""
    key = (engine, pattern, int(flags))
    kept = _load()
    args = kept.get(key)
    if args is not None:
        with contextlib.suppress(Exception):  # a damaged entry: compile it afresh
            return _constructor(engine)(*args)
    compiled, captured = _capture(engine, pattern, flags)
    if captured is not None:
        with _lock:
            if not _new:
                import atexit

                atexit.register(_save)
            _new[key] = captured
    return compiled


def _engine_module(engine: str) -> Any:
    if engine == "re":
        return re
    import regex

    return regex


def _constructor(engine: str) -> Any:
    """The C function each engine builds a pattern object with."""
    if engine == "re":
        return re._compiler._sre.compile  # type: ignore[attr-defined]
    import regex._main

    return regex._main._regex.compile


def _owner(engine: str) -> Any:
    """The module whose ``compile`` attribute the engine's Python half calls."""
    if engine == "re":
        return re._compiler._sre  # type: ignore[attr-defined]
    import regex._main

    return regex._main._regex


def _capture(engine: str, pattern: str, flags: int) -> tuple[Any, tuple[Any, ...] | None]:
    """The pattern compiled as usual, and the arguments its C constructor was called with.

    The constructor is wrapped for the length of one compile, under a lock;
    only this thread's call is recorded, other threads pass straight through.
    """
    mod = _engine_module(engine)
    locale = getattr(mod, "LOCALE", 0)
    if flags & locale:
        return mod.compile(pattern, flags), None  # depends on the process's locale: never kept
    owner = _owner(engine)
    real = owner.compile
    me = threading.get_ident()
    calls: list[tuple[Any, ...]] = []

    def recording(*args: Any) -> Any:
        if threading.get_ident() == me:
            calls.append(args)
        return real(*args)

    with _lock:
        owner.compile = recording
        try:
            compiled = _uncached(engine, mod, pattern, flags)
        finally:
            owner.compile = real
    if len(calls) != 1 or calls[0][0] != pattern or compiled.flags & locale:
        return compiled, None  # served from the engine's own cache, or not built as expected
    args = _plain(calls[0])
    try:
        marshal.dumps(args)
    except ValueError:
        return compiled, None
    return compiled, args


def _uncached(engine: str, mod: Any, pattern: str, flags: int) -> Any:
    """Compile past the engine's own cache: a pattern another part of this process
    compiled already would come from there, the C constructor never called, and it
    would never be kept (on a first run, most of them: a fresh cache kept 9 of 140)."""
    if engine == "re":
        return re._compiler.compile(pattern, flags)  # type: ignore[attr-defined]
    try:
        return mod.compile(pattern, flags, cache_pattern=False)
    except TypeError:  # a regex without cache_pattern
        return mod.compile(pattern, flags)


def _plain(value: Any) -> Any:
    """``value`` with its integer subclasses (flags, named opcodes) made plain integers."""
    if isinstance(value, int) and type(value) is not int and type(value) is not bool:
        return int(value)
    if type(value) in (list, tuple):
        return type(value)(_plain(v) for v in value)
    if type(value) is dict:
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def _stamp() -> tuple[Any, ...]:
    import regex

    return (
        _FORMAT,
        sys.version,
        marshal.version,
        repr(getattr(re._constants, "MAGIC", None)),  # type: ignore[attr-defined]
        repr(getattr(regex, "__version__", None)),
        repr(getattr(regex, "DEFAULT_VERSION", None)),
    )


def _path() -> str | None:
    from refcheck.text.store import cache_dir

    base = cache_dir()
    if base is None:
        return None
    return os.path.join(base, f"patterns-{zlib.crc32(repr(_stamp()).encode()):08x}.marshal")


def _read(path: str) -> dict[tuple[str, str, int], tuple[Any, ...]]:
    try:
        with open(path, "rb") as fh:
            kept = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _stamp():
        entries = kept[1]
        if isinstance(entries, dict):
            return entries
    return {}


def _load() -> dict[tuple[str, str, int], tuple[Any, ...]]:
    global _kept
    if _kept is None:
        path = _path()
        _kept = _read(path) if path is not None else {}
    return _kept


def _save() -> None:
    """Add this run's new patterns to the kept ones (merged with what another run wrote)."""
    from refcheck.text.store import keep

    path = _path()
    if path is None or not _new:
        return
    with _lock:
        merged = {**_read(path), **_new}
        _new.clear()
    if len(merged) > _MAX_KEPT:  # a pattern built from data would grow it without end
        merged = dict(list(merged.items())[-_MAX_KEPT:])
    with contextlib.suppress(ValueError, OSError):
        keep(path, marshal.dumps((_stamp(), merged)))
