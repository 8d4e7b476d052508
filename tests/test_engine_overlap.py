"""Network rules run beside the offline rules, and the report keeps the serial order (issue 19)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from refcheck import engine
from refcheck.config import Settings
from refcheck.model import Category, Document, Severity, SourceText
from refcheck.parsers import parse
from refcheck.rules.base import Context, Hit, Rule

BIB = "@article{{a{n},\n  title = {{First {n}}},\n  year = {{2020}},\n}}\n\n" \
      "@article{{b{n},\n  title = {{Second {n}}},\n  year = {{2021}},\n}}\n"


def _documents() -> list[Document]:
    return [parse(SourceText(f"refs{n}.bib", BIB.format(n=n)), "bibtex") for n in range(3)]


def _rules(last: Document, offline_done: threading.Event, seen: dict[str, bool]) -> list[Rule]:
    def offline(doc: Document, ctx: Context) -> Iterator[Hit]:
        for ref in doc.references:
            yield Hit(ref.start, ref.start + 1, "offline", reference=ref)
        if doc is last:
            offline_done.set()

    def online(doc: Document, ctx: Context) -> Iterator[Hit]:
        # Waits for the offline rule to have reached the last document: run one after
        # the other (document by document), this could only time out.
        seen[doc.path] = offline_done.wait(timeout=10)
        for ref in doc.references:
            yield Hit(ref.start, ref.start + 1, "online", reference=ref)

    return [
        Rule("RC990", "offline-probe", Category.SYNTAX, Severity.WARNING, "", offline),
        Rule("RC991", "online-probe", Category.LINK, Severity.WARNING, "", online, network=True),
    ]


def test_network_rules_overlap_the_offline_rules_and_keep_the_serial_order() -> None:
    docs = _documents()
    done, seen = threading.Event(), dict[str, bool]()
    rules = _rules(docs[-1], done, seen)
    notes: list[str] = []
    found = engine._check_all(docs, rules, Settings(), Context(services=object(),
                                                               documents=docs), notes)
    assert seen == {d.path: True for d in docs}  # the offline rule ran ahead
    # Document by document, then rule by rule, as one thread gives them.
    assert [(f.span.path, f.code) for f in found] == [
        (d.path, code) for d in docs for code in ("RC990", "RC990", "RC991", "RC991")
    ]
    assert notes == []


def test_without_services_the_rules_run_in_one_thread() -> None:
    docs = _documents()
    done, seen = threading.Event(), dict[str, bool]()
    done.set()  # nothing to wait for: only the order is checked here
    rules = _rules(docs[-1], done, seen)
    found = engine._check_all(docs, rules, Settings(), Context(documents=docs), [])
    assert [(f.span.path, f.code) for f in found] == [
        (d.path, code) for d in docs for code in ("RC990", "RC990", "RC991", "RC991")
    ]


def test_waiting_is_said_once_only_the_network_rules_are_left() -> None:
    # A cluster's task gives its worker slot away at that moment (cluster._secede): after
    # the offline rules of every document, before the network rules' results are in.
    docs = _documents()
    done, seen = threading.Event(), dict[str, bool]()
    rules = _rules(docs[-1], done, seen)
    release = threading.Event()
    online = rules[1].check

    def held_online(doc: Document, ctx: Context) -> Iterator[Hit]:
        release.wait(timeout=10)  # the network rules end only after ``waiting`` is said
        yield from online(doc, ctx)

    rules[1] = Rule("RC991", "online-probe", Category.LINK, Severity.WARNING, "", held_online,
                    network=True)
    said: list[bool] = []

    def waiting() -> None:
        said.append(done.is_set())
        release.set()

    found = engine._check_all(docs, rules, Settings(), Context(services=object(), documents=docs),
                              [], waiting)
    assert said == [True]  # once, with the offline rules done
    assert len(found) == 4 * len(docs)


class _Unsettled:
    """Services whose first document's verdicts are still looked up until ``settle``."""

    def __init__(self, waiting_on: Document) -> None:
        self.waiting_on = waiting_on
        self.settle = threading.Event()

    def unsettled(self, doc: Document) -> bool:
        return doc is self.waiting_on and not self.settle.is_set()


def test_documents_whose_verdicts_are_known_are_checked_first_in_file_order_reported() -> None:
    docs = _documents()
    services = _Unsettled(docs[0])
    checked: list[str] = []

    def offline(doc: Document, ctx: Context) -> Iterator[Hit]:
        yield from ()

    def online(doc: Document, ctx: Context) -> Iterator[Hit]:
        checked.append(doc.path)
        if doc is not docs[0]:
            services.settle.set()  # its verdicts came in while the others were checked
        for ref in doc.references:
            yield Hit(ref.start, ref.start + 1, "online", reference=ref)

    rules = [Rule("RC990", "offline-probe", Category.SYNTAX, Severity.WARNING, "", offline),
             Rule("RC991", "online-probe", Category.EXISTENCE, Severity.WARNING, "", online,
                  network=True)]
    found = engine._check_all(docs, rules, Settings(), Context(services=services,
                                                               documents=docs), [])
    # The first document waited for its verdicts: the second was checked meanwhile.
    assert checked == [docs[1].path, docs[0].path, docs[2].path]
    assert [f.span.path for f in found] == [d.path for d in docs for _ in range(2)]
    # Without the question (or with every verdict known), file order.
    assert list(engine._settled_first(object(), docs)) == [0, 1, 2]


def test_the_settled_first_order_looks_a_bounded_way_ahead() -> None:
    docs = [parse(SourceText(f"r{n}.bib", BIB.format(n=n)), "bibtex") for n in range(300)]
    asked: list[Document] = []

    class AllWaiting:
        def unsettled(self, doc: Document) -> bool:
            asked.append(doc)
            return doc is not docs[200]  # one known, far down the list

    order = list(engine._settled_first(AllWaiting(), docs))
    assert sorted(order) == list(range(300))
    # Out of reach until the documents before it were taken in file order.
    assert order.index(200) == 200 - engine._LOOK_AHEAD + 1
    # No rescan of the whole list for every document taken.
    assert len(asked) <= engine._LOOK_AHEAD * len(docs)
