"""Regular expressions compiled on first use, not at import.

A run over one ``.bib`` file never needs the patterns that read in-text
citations or plain-text author lists, yet compiling them at import cost every
run ~30 ms of start-up (``python -X importtime``).  :func:`lazy` returns an
object that behaves like the compiled pattern and compiles it the first time
one of its methods is asked for; after that, each method is an ordinary
attribute lookup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from refcheck.text.compiled import compile_pattern

if TYPE_CHECKING:  # the engines are imported when a pattern is first used, not before
    import re

    import regex


class _LazyPattern:
    def __init__(self, engine: str, pattern: str, flags: int) -> None:
        self._source = (engine, pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # Only reached for an attribute not yet copied from the compiled pattern.
        if name.startswith("__"):
            raise AttributeError(name)
        # Compiled through the cache of compiled patterns (text/compiled.py): a
        # pattern used in every run is compiled in Python once, not every run.
        value = getattr(compile_pattern(*self._source), name)
        setattr(self, name, value)
        return value


def lazy(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    """``regex.compile(pattern, flags)``, deferred until the pattern is used."""
    return cast("regex.Pattern[str]", _LazyPattern("regex", pattern, flags))


def lazy_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, deferred until the pattern is used."""
    return cast("re.Pattern[str]", _LazyPattern("re", pattern, flags))
