"""A checked bibliography is freed as soon as it is dropped (issue 19).

The engine runs with the cyclic collector off and collects only every few MB
of input, so a document caught in a reference cycle stays in memory until then
(with the default two processes, that was 13 MiB of the real corpus's peak).
These tests drop a parsed, checked document with the collector off and ask
whether it is gone.  The entries need pylatexenc (math, a macro with an
argument), whose parser keeps its frames in a cycle.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pylatexenc.latex2text import LatexNodes2Text

from refcheck import engine, streaming
from refcheck.config import Settings
from refcheck.parsers import latex
from refcheck.rules.base import Context

REAL = Path(__file__).parent / "data" / "real-bib"

LATEX = r"""
@article{math1, author = {Smith, John}, title = {Bounds on $O(n \log n)$ sorting},
  journal = {Journal of Algorithms}, year = {2001}, pages = {1--9}}
@inproceedings{macro1, author = {Doe, Jane}, title = {The \textsc{Lisp} machine and
  \emph{its} heirs}, booktitle = {Proc. \mbox{ACM} Symposium}, year = {1999}}
"""


@pytest.fixture()
def collector_off() -> Iterator[None]:
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@pytest.fixture()
def pylatexenc_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every value given to pylatexenc (the decoder's cache emptied first)."""
    calls: list[str] = []
    real = LatexNodes2Text.latex_to_text

    def counted(self: Any, text: str, **flags: Any) -> Any:
        calls.append(text)
        return real(self, text, **flags)

    monkeypatch.setattr(LatexNodes2Text, "latex_to_text", counted)
    latex._decode_latex.cache_clear()
    return calls


def _bib(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    real = (REAL / "nilearn-references.bib").read_text(encoding="utf-8")
    path.write_text(real + LATEX, encoding="utf-8")
    return path


@pytest.mark.usefixtures("collector_off")
def test_a_parsed_bibliography_is_freed_when_dropped(
        tmp_path: Path, pylatexenc_calls: list[str]) -> None:
    doc = engine.load_document(str(_bib(tmp_path)), Settings(offline=True))
    assert pylatexenc_calls, "the entries must reach pylatexenc for this test to mean anything"
    assert len(doc.references) > 2
    gone = weakref.ref(doc)
    del doc
    assert gone() is None


@pytest.mark.usefixtures("collector_off")
def test_a_checked_bibliography_is_freed_when_done_with(
        tmp_path: Path, pylatexenc_calls: list[str]) -> None:
    settings = Settings(offline=True, jobs=1)
    rules = [r for r in engine.select_rules(settings).rules if not r.network]
    doc = engine.load_document(str(_bib(tmp_path)), settings)
    run_documents = [doc]
    notes: list[str] = []
    plans = engine._plan(rules, settings, Context(documents=run_documents))
    findings = engine._check_planned(doc, plans, settings, notes)
    assert pylatexenc_calls and findings
    streaming.done_with(doc, run_documents)
    gone = weakref.ref(doc)
    del doc
    assert gone() is None
