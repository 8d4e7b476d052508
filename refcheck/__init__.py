"""refcheck: a bibliography and reference-integrity linter."""

__version__ = "0.1.0"
