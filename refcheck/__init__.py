"""refcheck: a bibliography and reference-integrity linter."""

try:
    # Written by setuptools-scm from the git tag when the package is built or installed.
    from refcheck._version import __version__
except ImportError:  # a source tree that was never installed
    __version__ = "0.0.0+unknown"
