"""Verdicts are given out as each is known, not when the last search of a run ends.

A cluster's task checks 125 files: with every verdict held back until the slowest
search answered, the rules of all of them waited for the registry's last answer and
then ran at once.  These tests hold one search open and look at what is known meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from refcheck.model import Author, Reference
from refcheck.net.sources import Answer, Record, Source
from refcheck.net.verify import Verdict, Verifier

TITLES = ["Attention Is All You Need", "Deep Residual Learning for Image Recognition",
          "Generative Adversarial Networks"]


def ref(index: int, title: str, doi: str | None = None) -> Reference:
    r = Reference(path="t.bib", format="bibtex", index=index, start=0, end=1, raw="x",
                  key=f"k{index}", entry_type="article", title=title, year=2017 + index,
                  doi=doi, container="Journal of Tests")
    r.authors = [Author("Vaswani")]
    return r


def record(ident: str, title: str, year: int) -> Record:
    return Record("gated", ident, title=title, authors=(("Vaswani", "Ashish"),), year=year,
                  container="Journal of Tests", type="journal-article")


class GatedSource(Source):
    """Knows the DOI ``10.1/a`` by identifier; each search waits for its title's gate."""

    name = "gated"
    label = "Gated"

    def __init__(self) -> None:
        self.gates = {t: threading.Event() for t in TITLES}

    def identifiers(self, r: Reference) -> list[str]:
        return [r.doi] if r.doi else []

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        return {i: record(i, TITLES[0], 2017) if i == "10.1/a" else None for i in idents}, set()

    def search(self, r: Reference) -> Answer:
        assert r.title is not None
        assert self.gates[r.title].wait(10), "the test never opened this search"
        return Answer([record(f"S-{r.index}", r.title, 2017 + r.index)])


def test_verdicts_known_early_are_given_out_before_the_searches_end() -> None:
    source = GatedSource()
    refs = [ref(0, TITLES[0], "10.1/a"), ref(1, TITLES[1]), ref(2, TITLES[2])]
    given: list[tuple[int, str]] = []
    arrived = threading.Condition()

    def ready(verdicts: list[Verdict]) -> None:
        with arrived:
            given.extend((v.ref.index, v.verdict) for v in verdicts)
            arrived.notify_all()

    out: list[Any] = []
    runner = threading.Thread(target=lambda: out.append(Verifier([source]).run(refs, ready)))
    runner.start()
    try:
        with arrived:
            # Found by its DOI: out while both searches are still waiting.
            assert arrived.wait_for(lambda: given, timeout=10)
            assert given == [(0, "verified")]
            source.gates[TITLES[2]].set()
            # The second search ended first: its verdict is out, the first's is not.
            assert arrived.wait_for(lambda: len(given) == 2, timeout=10)
            assert given[1] == (2, "verified")
    finally:
        for gate in source.gates.values():
            gate.set()
        runner.join(10)
    assert [i for i, _ in given] == [0, 2, 1]
    # The list returned is in the references' order, the same verdicts as given out.
    assert [v.ref.index for v in out[0]] == [0, 1, 2]
    assert [v.verdict for v in out[0]] == ["verified"] * 3


def test_the_same_verdicts_with_or_without_early_ones() -> None:
    refs = [ref(0, TITLES[0], "10.1/a"), ref(1, TITLES[1]), ref(2, TITLES[2], "10.1/zzz")]
    runs = []
    for ready in (None, lambda verdicts: None):
        source = GatedSource()
        for gate in source.gates.values():
            gate.set()
        runs.append([v.to_json() for v in Verifier([source]).run(refs, ready)])
    assert runs[0] == runs[1]
    # The third cites a DOI held nowhere: it was found by its search instead.
    assert runs[0][2]["doi"] is None and runs[0][2]["verdict"] == "verified"


def test_a_rule_gets_its_references_verdict_while_another_is_searched(tmp_path: Any) -> None:
    from refcheck.config import Settings
    from refcheck.model import Document, SourceText
    from refcheck.net.http import HttpConfig
    from refcheck.net.services import build_services

    refs = [ref(0, TITLES[0], "10.1/a"), ref(1, TITLES[1])]
    doc = Document(source=SourceText("t.bib", "x"), format="bibtex", references=refs)
    settings = Settings(cache_dir=str(tmp_path), offline=False)
    svc = build_services(settings, [doc], config=HttpConfig(no_cache=True))
    source = GatedSource()
    svc._sources = [source]
    # The Retraction Watch table would be downloaded: none here.
    svc.watch_retracted = lambda *a, **k: False  # type: ignore[method-assign]
    try:
        verifying = threading.Thread(target=svc._all_verdicts)  # as prefetch starts it
        verifying.start()
        asked: list[Any] = []
        first = threading.Thread(target=lambda: asked.append(svc.verdict(refs[0])))
        first.start()
        first.join(10)
        # The search of the other reference is still waiting for its gate.
        assert not first.is_alive() and verifying.is_alive()
        assert asked[0].verdict == "verified" and asked[0].ref is refs[0]
        source.gates[TITLES[1]].set()
        second = svc.verdict(refs[1])
        assert second is not None and second.verdict == "verified"
        verifying.join(10)
        assert svc.verdicts is not None and len(svc.verdicts) == 2
    finally:
        for gate in source.gates.values():
            gate.set()
        svc.close()


def test_two_tasks_citing_the_same_works_search_them_in_the_same_order() -> None:
    """A cluster's tasks wait for the registry's answers together: searched in the order
    of their works, not of their files, they ask for the same work at the same time, and
    the same work cited twice in one task is searched side by side."""
    class Recording(GatedSource):
        def __init__(self) -> None:
            super().__init__()
            self.asked: list[str] = []
            for gate in self.gates.values():
                gate.set()

        def search(self, r: Reference) -> Answer:
            assert r.title is not None
            self.asked.append(r.title)
            return super().search(r)

    orders = []
    for titles in ([TITLES[2], TITLES[0], TITLES[1], TITLES[2]],
                   [TITLES[1], TITLES[2], TITLES[0]]):
        source = Recording()
        refs = [ref(i, title) for i, title in enumerate(titles)]
        Verifier([source], workers=1).run(refs, lambda verdicts: None)
        orders.append(source.asked)
    assert orders[0] == [TITLES[0], TITLES[1], TITLES[2], TITLES[2]]
    assert orders[1] == [TITLES[0], TITLES[1], TITLES[2]]
