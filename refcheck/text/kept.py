"""Answers of a pure function kept between runs, for the words a bibliography repeats.

A hook checks the same bibliography at every commit, a few entries changed.  Most
of a short run's word-level work is classifying the file's few hundred distinct
words (frequency tables, candidate corrections, the misspelling list): the same
words, with the same answers, as at the last commit.  :class:`KeptAnswers` keeps
``key -> answer`` in ``<cache dir>/<name>-<where>.marshal`` and gives them back while
the sources the answers depend on (the code and data files named by the caller)
are as they were: each file's size and modification time, as ``.pyc`` files are
stamped.  Any change discards every kept answer.

Only answers that ``marshal`` holds are kept (integers, strings, tuples of them),
at most ``limit`` of them: those the latest runs used, so that a large file checked
once does not leave every later short run reading its tens of thousands of words
(~0.25 ms a thousand).  The file is written only by a run that computed new answers.
With no usable cache directory, or a source that cannot be read, nothing is kept:
answers never depend on the cache.
"""

from __future__ import annotations

import atexit
import contextlib
import marshal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Bumped when what a kept file holds changes shape.
_FORMAT = 1
# Longer keys are answered afresh each run, never kept.
_LONGEST_KEY = 300


def word_sources(*extra: str | Path) -> list[Path]:
    """What an answer about words depends on: ``refcheck/text``'s code, ``refcheck/data``,
    the word tables' file and ``extra`` (the module asking)."""
    from refcheck.text import freq

    text = Path(__file__).resolve().parent
    tables = freq._cache_path()
    found = [*text.glob("*.py"), *(text.parent / "data").iterdir(), *map(Path, extra)]
    return [*found, Path(tables)] if tables else found


class KeptAnswers:
    """``answer(key, fn, *args)``: ``fn(*args)``, or what it gave for ``key`` in an earlier run."""

    def __init__(self, name: str, sources: Callable[[], Sequence[Path]], limit: int) -> None:
        self._name = name
        self._sources = sources  # called once, when the kept answers are first needed
        self._limit = limit
        self._lock = threading.Lock()
        self._kept: dict[str, Any] | None = None
        self._new: dict[str, Any] = {}
        self._used: dict[str, None] = {}  # kept answers this run asked for, in order
        self._where: tuple[str, tuple[Any, ...]] | None = None  # (file, stamp)

    def answer(self, key: str, fn: Callable[..., Any], *args: Any) -> Any:
        if len(key) > _LONGEST_KEY:
            return fn(*args)  # a 50,000-letter "word" of a damaged file: not worth keeping
        kept = self._load()
        if key in kept:
            self._used[key] = None
            return kept[key]
        value = fn(*args)
        if self._where is not None:
            with self._lock:
                if not self._new:
                    atexit.register(self.save)
                self._new[key] = value
        return value

    def _load(self) -> dict[str, Any]:
        if self._kept is None:
            self._where = self._locate()
            self._kept = self._read() if self._where is not None else {}
        return self._kept

    def _locate(self) -> tuple[str, tuple[Any, ...]] | None:
        from refcheck.text.store import kept_path, source_stamp

        try:
            sources = sorted(str(p) for p in self._sources())
            path = kept_path(self._name, sources)
            if path is None:
                return None
            stamp = (_FORMAT, sys.version, marshal.version, source_stamp(sources))
        except (OSError, TypeError):
            return None  # a source missing (tables not built yet): keep nothing this run
        return path, stamp

    def _read(self) -> dict[str, Any]:
        assert self._where is not None
        path, stamp = self._where
        try:
            with open(path, "rb") as fh:
                kept = marshal.loads(fh.read())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == stamp:
            answers = kept[1]
            if isinstance(answers, dict):
                return answers
        return {}

    def save(self) -> None:
        """Add this run's new answers to the kept ones (merged with another run's)."""
        from refcheck.text.store import keep

        if self._where is None or not self._new:
            return
        with self._lock:
            on_disk = self._read()
            used = {k: on_disk[k] for k in self._used if k in on_disk}
            # Oldest first: what this run used goes last, with what it computed.
            merged = {k: v for k, v in on_disk.items() if k not in used}
            merged.update(used)
            merged.update(self._new)
            self._new.clear()
            self._used.clear()
        if len(merged) > self._limit:
            merged = dict(list(merged.items())[-self._limit :])
        with contextlib.suppress(ValueError):  # an answer marshal cannot hold: none kept
            keep(self._where[0], marshal.dumps((self._where[1], merged)))
