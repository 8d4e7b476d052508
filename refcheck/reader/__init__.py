"""A learned labeller of reference fields: a CRF over simple token features.

``label(text)`` tags each token of one reference string (identifiers already
blanked) as author, year, title, container, volume, issue, pages or other,
and returns the character spans of each field.  The model
(``model.crfsuite``) and its lexicons (``lexicons.json``) ship in this
package; both are trained by ``training/train_reader.py`` from data kept in
``training/data`` (AnyStyle's labelled references and real records rendered
through CSL styles).  Nothing is imported or loaded until the first call, so
runs that read no text reference (a ``.bib`` file) never pay for it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from refcheck.reader.decode import FieldSpans, decode
from refcheck.reader.features import Lexicons, load_lexicons, tagger_features, tokenize

__all__ = ["MODEL_FILE", "FieldSpans", "label", "label_tokens"]

MODEL_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.crfsuite")

_lock = threading.Lock()
_state: dict[str, Any] = {}


def _load() -> tuple[Any, Lexicons] | None:
    with _lock:
        if "tagger" not in _state:
            try:
                import pycrfsuite

                tagger = pycrfsuite.Tagger()
                tagger.open(MODEL_FILE)
                _state["tagger"] = (tagger, load_lexicons())
            except (ImportError, OSError, ValueError):
                # No crfsuite or no model: the rule reader alone reads references.
                _state["tagger"] = None
        got: tuple[Any, Lexicons] | None = _state["tagger"]
        return got


def available() -> bool:
    return _load() is not None


def label_tokens(text: str) -> tuple[list[tuple[str, int, int]], list[str]] | None:
    """The tokens of ``text`` and their labels, or None without a model."""
    loaded = _load()
    if loaded is None:
        return None
    tagger, lex = loaded
    tokens = tokenize(text)
    if not tokens:
        return tokens, []
    if len(tokens) > 2000:
        return tokens, ["O"] * len(tokens)  # no reference is that long: not worth tagging
    labels: list[str] = tagger.tag(tagger_features(text, tokens, lex))
    return tokens, labels


def label(text: str) -> FieldSpans | None:
    """Character spans of each field found in ``text``, or None without a model."""
    got = label_tokens(text)
    if got is None:
        return None
    tokens, labels = got
    return decode(text, tokens, labels)
