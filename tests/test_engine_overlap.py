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
