"""refcheck: a bibliography and reference-integrity linter.

``refcheck.check(paths, **options) -> Report`` is the Python API (:mod:`refcheck.api`).
"""

from typing import TYPE_CHECKING, Any

try:
    # Written by setuptools-scm from the git tag when the package is built or installed.
    from refcheck._version import __version__
except ImportError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from refcheck.api import Report, Statistic, Verdict, check

__all__ = ["Report", "Statistic", "Verdict", "__version__", "check"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the command line's start-up (a pre-commit hook's) never pays
    # for the API module it does not need before it parses its options.
    if name in ("Report", "Statistic", "Verdict", "check"):
        from refcheck import api

        return getattr(api, name)
    raise AttributeError(f"module 'refcheck' has no attribute {name!r}")
