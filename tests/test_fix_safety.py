"""Safe fixes never damage a correct word, and applying them twice changes nothing.

Every rule's *safe* fixes (those ``--fix`` applies without asking) are run over
real, correct bibliographies kept in the repository (``tests/data/real-bib``,
trimmed copies of hand-kept project and book bibliographies, sources in its
README; ``tests/data/clean``).  In such text every word is as its writer meant
it, so a safe edit must change no word (``refcheck/text/edits.py`` says what
that means).  A rule whose safe fix would do that (``Formatter`` -> ``For
matter``, ``10−7`` -> ``10–7``) fails this test, whichever rule it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.config import Settings
from refcheck.engine import check
from refcheck.fix import apply_text
from refcheck.model import Document, Finding, Fix, SourceText
from refcheck.parsers import format_for, parse
from refcheck.text.edits import changed_words, words_of

DATA = Path(__file__).resolve().parent / "data"
CORPORA = sorted((DATA / "real-bib").glob("*.bib")) + sorted((DATA / "clean").iterdir())


def _load(path: Path) -> Document:
    fmt = format_for(str(path)) or "text"
    return parse(SourceText(str(path), path.read_text(encoding="utf-8")), fmt)


def _safe_fixes(doc: Document) -> list[tuple[Finding, Fix]]:
    result = check([doc], Settings(offline=True, jobs=1))
    out: list[tuple[Finding, Fix]] = []
    taken: list[tuple[int, int]] = []
    for f in sorted(result.findings, key=lambda f: f.fix.start if f.fix else -1):
        fx = f.fix
        if fx is None or not fx.safe:
            continue
        if any(s < fx.end and fx.start < e for s, e in taken):
            continue  # overlapping fixes are not applied together by --fix either
        taken.append((fx.start, fx.end))
        out.append((f, fx))
    return out


def _damage(text: str, fx: Fix) -> str | None:
    changed = changed_words(text, fx.start, fx.end, fx.replacement)
    return None if changed is None else f"{changed[0]!r} -> {changed[1]!r}"


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_safe_fixes_change_no_correct_word(path: Path) -> None:
    doc = _load(path)
    damaged = [
        f"{f.code} line {f.span.line}: {bad}"
        for f, fx in _safe_fixes(doc)
        if (bad := _damage(doc.text, fx)) is not None
    ]
    assert damaged == []


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_safe_fixes_are_idempotent(path: Path) -> None:
    doc = _load(path)
    fixes = [fx for _, fx in _safe_fixes(doc)]
    once = apply_text(doc.text, fixes)
    again = _safe_fixes(parse(SourceText(str(path), once), doc.format))
    assert [(f.code, fx.start, fx.replacement) for f, fx in again] == []


# Text that real bibliographies hold and that safe fixes once damaged
# (issue 14): each line must survive --fix unchanged in its words.
_ONCE_DAMAGED = r"""@article{a,
  author = {Ann Lee and Bo Chen},
  title = {Partial pressures between 10−7 atm and 10−12 atm, Kr{\"o}ger–Vink V′Cu defects},
  journal = {IEEE Trans. Pattern Anal. Mach. Intell.},
  year = {2010},
  volume = {3},
  pages = {1--20},
}
@book{b,
  author = {Carl Diaz},
  title = {{E}instein's {H}andbook of Toposes, Formatters and Incorporations: signifyin' and
           the {I}nternational {C}onference on Machine Learning in {S}ydney},
  publisher = {Nobody},
  year = {2001},
}
"""


def test_text_once_damaged_survives() -> None:
    doc = parse(SourceText("once.bib", _ONCE_DAMAGED), "bibtex")
    fixes = [fx for _, fx in _safe_fixes(doc)]
    assert words_of(apply_text(doc.text, fixes)) == words_of(doc.text)


def test_damage_is_seen() -> None:
    """The check itself: a split, a join, a changed letter or sign are damage; a quote is not."""
    text = "the Formatter of 10−7 atm"
    at = text.index("Formatter")
    assert _damage(text, Fix(at + 3, at + 3, " ")) is not None  # "For matter"
    assert _damage(text, Fix(at, at + 1, "f")) is not None
    minus = text.index("−")
    assert _damage(text, Fix(minus, minus + 1, "–")) is not None  # "10–7"
    assert _damage(text, Fix(0, 0, "“")) is None  # a mark between words
    assert _damage("a b", Fix(1, 2, "")) is not None  # "ab"
