"""Which cited URLs are fetched, and which answers count as live (lychee's conventions).

``--exclude-url REGEX`` (repeatable; ``exclude-urls`` in the config) and the lines of a
``.refcheckignore`` file (one regular expression a line, ``#`` comments, as lychee's
``.lycheeignore``; read from the working directory and the config file's directory) name
URLs that are never fetched and never reported.  ``--accept 200,429`` (``accept`` in the
config; ranges as ``200..204``) lists HTTP statuses that count as a live link.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from refcheck.config import ConfigError, Settings

IGNORE_FILE = ".refcheckignore"


def _ignore_lines(directory: str) -> list[str]:
    path = os.path.join(directory, IGNORE_FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class LinkFilter:
    patterns: tuple[re.Pattern[str], ...]
    accepted: frozenset[int]

    def excluded(self, url: str) -> bool:
        return any(p.search(url) for p in self.patterns)

    def accepts(self, status: str | int | None) -> bool:
        """Is an HTTP status (as a link result carries it) one the user accepts?"""
        try:
            return int(str(status)) in self.accepted
        except ValueError:
            return False  # timeout, dns, ...: not an HTTP answer


def link_filter(settings: Settings) -> LinkFilter:
    dirs = dict.fromkeys(os.path.abspath(d) for d in (".", settings.root))
    sources = [*settings.exclude_urls, *(line for d in dirs for line in _ignore_lines(d))]
    return _compiled(tuple(sources), frozenset(settings.accept))


@lru_cache(maxsize=8)
def _compiled(sources: tuple[str, ...], accepted: frozenset[int]) -> LinkFilter:
    patterns = []
    for source in sources:
        try:
            patterns.append(re.compile(source))
        except re.error as exc:
            raise ConfigError(f"--exclude-url {source!r}: not a regular expression ({exc})") \
                from exc
    return LinkFilter(tuple(patterns), accepted)
