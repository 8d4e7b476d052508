"""Errors every layer may raise.

Kept apart from :mod:`refcheck.io` so that parsers, which :mod:`refcheck.io` looks up by
format, can raise them without importing the reader that imports them.
"""

from __future__ import annotations


class InputError(Exception):
    """An input that cannot be read; the message is one line."""
