"""``.gitignore`` files, respected when a directory is walked (as ruff and ripgrep do).

The ``.gitignore`` of every directory walked applies below it, deeper files overriding
shallower ones pattern by pattern (a later ``!keep.bib`` re-includes); the files of the
directories above the walk's top count too, up to the repository's root (the directory
holding ``.git``), and ``.git/info/exclude`` with them.  Patterns are matched by
``pathspec``'s implementation of Git's rules, imported only when a walk meets a
``.gitignore`` (most bibliography folders have none).
"""

from __future__ import annotations

import os
from typing import Any


def _read_lines(path: str) -> list[str] | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except OSError:
        return None


class GitIgnores:
    """The ignore rules in force during one directory walk."""

    def __init__(self, top: str) -> None:
        self._specs: list[tuple[str, Any]] = []  # (directory, compiled spec), shallow first
        top = os.path.abspath(top)
        above: list[str] = []
        directory = os.path.dirname(top)
        while True:
            above.append(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                self._load(directory, os.path.join(directory, ".git", "info", "exclude"))
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                above = []  # not inside a repository: only the walk's own files count
                break
            directory = parent
        for directory in reversed(above):
            self._load(directory, os.path.join(directory, ".gitignore"))

    def _load(self, directory: str, path: str) -> None:
        lines = _read_lines(path)
        if lines is None:
            return
        import pathspec

        self._specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))

    def enter(self, directory: str) -> None:
        """Read ``directory``'s own ``.gitignore`` (call before looking at its entries)."""
        self._load(os.path.abspath(directory), os.path.join(directory, ".gitignore"))

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        if not self._specs:
            return False
        full = os.path.abspath(path)
        verdict = False
        for directory, spec in self._specs:
            if not full.startswith(directory.rstrip(os.sep) + os.sep):
                continue
            rel = os.path.relpath(full, directory).replace(os.sep, "/")
            result = spec.check_file(rel + "/" if is_dir else rel)
            if result.include is not None:
                verdict = bool(result.include)
        return verdict
