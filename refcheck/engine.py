"""The pipeline: discover files, parse each once, run the selected rules, stamp findings.

Rules yield :class:`~refcheck.rules.base.Hit` values; the engine gives them
their identity (code, name, category), their configured severity and their
position, then drops what inline comments suppress.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from refcheck import forking, streaming
from refcheck.config import Settings
from refcheck.io import MIXED_UTF8, InputError, discover, read_source
from refcheck.model import Category, Document, Finding, ParseProblem, Severity, SourceText
from refcheck.parsers import detect_format, format_for, parse
from refcheck.report import FileInfo, RunResult
from refcheck.rules import all_rules
from refcheck.rules.base import Context, Rule
from refcheck.suppress import find_suppressions


@dataclass
class Selection:
    rules: list[Rule]
    skipped_network: list[Rule] = field(default_factory=list)


def _matches(rule: Rule, selector: str) -> bool:
    sel = selector.strip()
    if not sel:
        return False
    if sel.upper() == "ALL":
        return True
    return (
        rule.code.upper().startswith(sel.upper())
        or rule.name == sel.lower()
        or rule.category.value == sel.lower()
    )


def validate_selectors(selectors: Iterable[str]) -> None:
    rules = all_rules()
    for sel in selectors:
        if sel.strip() and not any(_matches(r, sel) for r in rules):
            raise InputError(f"unknown rule code, prefix or name: {sel!r}")


def select_rules(settings: Settings) -> Selection:
    validate_selectors([*settings.select, *settings.ignore, *settings.severity])
    chosen = []
    for r in all_rules():
        if settings.select and not any(_matches(r, s) for s in settings.select):
            continue
        if any(_matches(r, s) for s in settings.ignore):
            continue
        chosen.append(r)
    if settings.offline:
        return Selection(
            [r for r in chosen if not r.network], [r for r in chosen if r.network]
        )
    return Selection(chosen)


def _skipped_notes(selection: Selection) -> list[str]:
    """The run's first note: which network rules an offline run leaves out."""
    skipped = selection.skipped_network
    if not skipped:
        return []
    codes = ", ".join(r.code for r in skipped)
    return [f"offline: {len(skipped)} network rules skipped ({codes})"]


def severity_for(rule: Rule, settings: Settings) -> Severity | None:
    for key in (rule.code, rule.name.upper()):
        if key.upper() in settings.severity:
            return Severity(settings.severity[key.upper()])
    return None


def load_document(path: str, settings: Settings) -> Document:
    source = read_source(path)
    fmt = settings.input_format or detect_format(path, source.text, source.data)
    doc = parse(source, fmt)
    if source.encoding == MIXED_UTF8:
        doc.problems.append(
            ParseProblem(
                "file-encoding",
                0,
                0,
                "file is UTF-8 but for a few stray bytes, each read as CP1252 "
                "(--fix leaves them alone)",
            )
        )
    elif source.encoding not in ("utf-8", "utf-8-sig"):
        doc.problems.append(
            ParseProblem(
                "file-encoding",
                0,
                0,
                f"file is not UTF-8; it was read as {source.encoding}",
            )
        )
    doc.suppressions = find_suppressions(doc)
    return doc


def unreadable_document(path: str, message: str, settings: Settings) -> Document:
    """A file (or directory) that could not be read, as an empty document with one problem.

    In a run of several files one unreadable file must not hide the report on
    the others: it becomes a finding on itself (RC049) and the run goes on.
    """
    prefix = f"{path}: "
    reason = message[len(prefix):] if message.startswith(prefix) else message
    fmt = settings.input_format or format_for(path) or "text"
    doc = Document(SourceText(path, "", digest=None), fmt)
    doc.problems.append(ParseProblem("unreadable-file", 0, 0, f"not checked: {reason}"))
    return doc


def load_tolerant(path: str, settings: Settings) -> Document:
    """A document, or an unreadable file as a document with one problem (never raises)."""
    try:
        return load_document(path, settings)
    except InputError as exc:
        return unreadable_document(path, str(exc), settings)


class _Planned:
    """A rule with what its checks need from the run: computed once, not per document."""

    __slots__ = ("configured", "ctx", "rule")

    def __init__(self, rule: Rule, settings: Settings, ctx_base: Context) -> None:
        options = {**rule.options, **settings.rule_options.get(rule.code, {})}
        if "prose" in rule.options:
            options["prose"] = settings.prose
        self.rule = rule
        self.ctx = Context(
            options=options, services=ctx_base.services, documents=ctx_base.documents
        )
        self.configured = severity_for(rule, settings)


def _plan(rules: Iterable[Rule], settings: Settings, ctx_base: Context) -> list[_Planned]:
    return [_Planned(r, settings, ctx_base) for r in rules]


def check_document(
    doc: Document, rules: list[Rule], settings: Settings, ctx_base: Context, notes: list[str]
) -> list[Finding]:
    """The findings of ``rules`` on one document, in rule order."""
    return _check_planned(doc, _plan(rules, settings, ctx_base), settings, notes)


def _check_planned(
    doc: Document, plans: list[_Planned], settings: Settings, notes: list[str]
) -> list[Finding]:
    findings: list[Finding] = []
    for found, said in streaming.check_each(doc, plans, settings):
        findings.extend(found)
        notes.extend(said)
    return findings


def _with_bibliographies(files: list[str], settings: Settings, paths: list[str]) -> list[str]:
    """The files plus the bibliographies their .tex files use (refcheck check paper.tex).

    A .bbl or .aux met in a directory beside its .tex is left out: LaTeX built it
    from the files checked. Not with --input-format: a format forced on the .tex
    would be forced on its .bib too.
    """
    if settings.input_format is not None:
        return files
    from refcheck.parsers.latex_doc import linked_files

    return linked_files(files, explicit=paths)


def load_all(paths: list[str], settings: Settings) -> list[Document]:
    files = _with_bibliographies(
        discover(paths, settings.exclude, settings.input_format), settings, paths
    )
    if not files:
        raise InputError("no files to check")
    return [load_document(f, settings) for f in files]


# Rules that read ``Context.documents`` (a \cite key against every .bib of the run):
# they need the whole run, so worker processes leave them to the parent.
_CROSS_FILE_CATEGORIES = frozenset({Category.CITATION})


def _cross_file(rule: Rule) -> bool:
    return rule.category in _CROSS_FILE_CATEGORIES


def run(paths: list[str], settings: Settings, *, keep_documents: bool = True) -> RunResult:
    """Check the files under ``paths``.

    ``keep_documents=False`` says the caller reads only the findings, files and
    notes of the result (not ``documents``: no --fix, baseline or SARIF): a
    run over many bibliographies may then parse and check them in several
    processes, and ``documents`` is left empty.
    """
    # A run allocates several objects per field and keeps nearly all of them to the
    # end; the cyclic collector would walk them again and again and find little
    # garbage (a fifth of a 10,000-entry run, measured; peak memory unchanged).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(paths, settings, keep_documents)
    finally:
        if collecting:
            gc.enable()


def _run(paths: list[str], settings: Settings, keep_documents: bool) -> RunResult:
    files, extra = files_to_check(paths, settings)
    if not files and not extra:
        raise InputError("no files to check")
    if extra or len(files) > 1:
        # Several inputs: an unreadable one is a finding on itself, not the end of the run.
        return _run_files(files, settings, keep_documents, tolerant=True, extra=extra)
    return _run_files(files, settings, keep_documents, tolerant=False)


def _run_files(
    files: list[str],
    settings: Settings,
    keep_documents: bool,
    *,
    tolerant: bool,
    extra: list[Document] | None = None,
) -> RunResult:
    load = load_tolerant if tolerant else load_document
    if extra:
        return check([*(load(f, settings) for f in files), *extra], settings)
    # Files are parsed here: sending parsed documents back from worker processes
    # costs as much as parsing them (measured at 2,000 files).  With fork() the
    # processes that share the rules inherit them (check()), or, when nobody needs
    # the documents afterwards, each process parses and checks its own share of
    # the files (_run_mapped); without fork, offline workers parse *and* check
    # their files and only the cross-file rules run here.
    jobs = settings.jobs or (os.cpu_count() or 1)
    offline = not any(r.network for r in select_rules(settings).rules)
    sizes = _mappable(files, settings, jobs) if offline and not keep_documents else None
    if sizes is not None:
        mapped = _run_mapped(files, sizes, settings, jobs, tolerant)
        if mapped is not None:
            return mapped
    if jobs > 1 and len(files) >= 16 and offline and not _can_fork():
        return _run_parallel(files, settings, jobs, tolerant)
    return check([load(f, settings) for f in files], settings)


# Formats that never cite other files: in a run of only these, the cross-file
# rules (a bibliography against the documents citing from it) have nothing to
# compare, so each file can be checked without the others.
_LIST_FORMATS = frozenset({"bibtex", "csl-json"})

# Below this many bytes of input, starting a process costs more than it saves
# (about 500 references).
_MAP_MIN_BYTES = 160_000


def _mappable(files: list[str], settings: Settings, jobs: int = 2) -> list[int] | None:
    """The files' sizes when they can be read, parsed and checked apart, else None."""
    if len(files) < 2:
        return None  # one file: its rules are shared instead (_check_forked)
    if any((settings.input_format or format_for(f) or "text") not in _LIST_FORMATS for f in files):
        return None
    sizes = []
    for f in files:
        try:
            sizes.append(os.path.getsize(f))
        except OSError:  # unreadable: reported when it is read
            sizes.append(0)
    return sizes if sum(sizes) >= _MAP_MIN_BYTES and (jobs < 2 or _can_fork()) else None


# A share of the files, checked: (path, format, entries, findings, notes) per file,
# or the index and message of the first file that could not be read.
_Mapped = list[tuple[str, str, int, list[Finding], list[str], str | None]] | tuple[int, str]


def _run_mapped(
    files: list[str], sizes: list[int], settings: Settings, jobs: int, tolerant: bool = False
) -> RunResult | None:
    """Each of ``jobs`` processes reads, parses and checks a share of the files.

    Only findings, notes and entry counts travel back; the parsed documents
    stay where they were parsed (``documents`` is empty).  The files are cut
    into consecutive chunks of about equal size, shared out by :func:`_share`;
    the result is reassembled in file order, so the report is the one a
    single process gives.  None means the fork itself failed.
    """
    selection = select_rules(settings)
    rules = [r for r in selection.rules if not r.network]
    # Many small chunks: whichever process is free takes the next, so that
    # they finish together (the last chunk is all one of them may wait for).
    chunks = forking.slices([n + 1 for n in sizes], min(len(files), jobs * 16))

    collector = streaming.Collector()

    def check_chunk(c: int) -> _Mapped:
        # One document at a time, dropped once checked: memory follows the largest
        # file, not the input (the formats here cite no other file, so a rule that
        # reads the run's documents finds nothing to pair either way).
        out = []
        for i in chunks[c]:
            try:
                doc = load_document(files[i], settings)
            except InputError as exc:
                if not tolerant:
                    return (i, str(exc))
                doc = unreadable_document(files[i], str(exc), settings)
            notes: list[str] = []
            run_documents = [doc]
            found = _check_planned(doc, _plan(rules, settings, Context(documents=run_documents)),
                                   settings, notes)
            out.append(
                (doc.path, doc.format, sum(1 for _ in doc.entries()), found, notes, doc.layout)
            )
            streaming.done_with(doc, run_documents)
            read = len(doc.text)
            del doc  # before collecting: its cycles are garbage only once it is dropped
            collector.after(read)
        return out

    try:
        done = _share_chunks(chunks, sizes, check_chunk, jobs)
    finally:
        collector.close()
    if done is None:
        return None
    failed = [got for got in done.values() if isinstance(got, tuple)]
    if failed:
        raise InputError(min(failed)[1])  # the first unreadable file, as one process says
    notes = _skipped_notes(selection)
    infos: list[FileInfo] = []
    findings: list[Finding] = []
    for c in range(len(chunks)):
        chunk = done[c]
        assert isinstance(chunk, list)
        for path, fmt, entries, found, said, layout in chunk:
            infos.append(FileInfo(path, fmt, entries, layout))
            findings.extend(found)
            notes.extend(said)
    findings.sort(key=Finding.sort_key)
    return RunResult(files=infos, findings=findings, rules=rules, documents=[], notes=notes)


def _share_chunks(chunks: list[list[int]], sizes: list[int],
                  check_chunk: Callable[[int], _Mapped], jobs: int) -> dict[int, _Mapped] | None:
    """Every chunk checked, by this process alone or with forked ones; None if the fork failed."""
    if jobs < 2:  # the same streaming, in this process
        return {c: check_chunk(c) for c in range(len(chunks))}
    # Largest chunk first: a file that is a quarter of the run, handed out last,
    # leaves the other processes idle while one checks it.  Results are keyed by
    # chunk, so the report's order does not change.
    order = sorted(range(len(chunks)), key=lambda c: -sum(sizes[i] for i in chunks[c]))
    # The smallest chunk is checked here before the fork: the rules load their
    # tables (word lists, ~27 MiB) on first use, and loaded before it they are
    # one copy shared by every process instead of one copy each.
    first = order.pop()
    warmed = check_chunk(first)
    shared = forking.share(len(order), lambda t: check_chunk(order[t]), jobs)
    if shared is None:
        return None
    done = {order[t]: got for t, got in shared.items()}
    done[first] = warmed
    return done


_Checked = tuple[Document, list[Finding], list[str]]


# What a worker process of _run_parallel keeps between files: the settings and
# the rules it runs, sent and selected once per process, not once per file.
_worker: tuple[Settings, list[Rule], bool] | None = None


def _start_worker(settings: Settings, tolerant: bool = False) -> None:
    global _worker
    rules = [r for r in select_rules(settings).rules if not r.network and not _cross_file(r)]
    _worker = (settings, rules, tolerant)


def _load_and_check(path: str) -> _Checked:
    assert _worker is not None, "_start_worker runs first in every worker"
    settings, rules, tolerant = _worker
    doc = (load_tolerant if tolerant else load_document)(path, settings)
    notes: list[str] = []
    findings = check_document(doc, rules, settings, Context(documents=[doc]), notes)
    return doc, findings, notes


def _run_parallel(
    files: list[str], settings: Settings, jobs: int, tolerant: bool = False
) -> RunResult:
    from concurrent.futures import ProcessPoolExecutor

    # Large chunks: fewer round trips between processes; a few per worker, so
    # that one slow file does not leave the other workers idle at the end.
    chunk = max(8, len(files) // (jobs * 8))
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_start_worker, initargs=(settings, tolerant)
    ) as pool:
        # map() keeps the input order, so the run is the same as a serial one.
        done = list(pool.map(_load_and_check, files, chunksize=chunk))
    return check([d for d, _, _ in done], settings, [(f, n) for _, f, n in done])


def check(
    documents: list[Document],
    settings: Settings,
    checked: list[tuple[list[Finding], list[str]]] | None = None,
    *,
    waiting: Callable[[], None] | None = None,
) -> RunResult:
    """Run the selected rules over ``documents``.

    ``checked`` holds, per document, the findings and notes of every rule that
    does not read other documents, when worker processes have run those
    already; then only the cross-file rules run here.  ``waiting`` is called
    (in this thread) once the rules that compute are done and only the network
    rules' waits are left: a cluster's task gives its worker's slot to the next
    task there (:mod:`refcheck.cluster`).
    """
    selection = select_rules(settings)
    notes = _skipped_notes(selection)
    services = None
    if any(r.network for r in selection.rules):
        from refcheck.net.services import build_services

        services = build_services(settings, documents)
    ctx = Context(services=services, documents=documents)
    rules = [r for r in selection.rules if not r.network or services is not None]
    findings: list[Finding] = []
    verdicts: list[dict[str, Any]] | None = None
    http_stats: dict[str, Any] | None = None
    try:
        if checked is None:
            findings.extend(_check_all(documents, rules, settings, ctx, notes, waiting))
        else:
            cross = _plan([r for r in rules if _cross_file(r)], settings, ctx)
            for doc, (done, done_notes) in zip(documents, checked, strict=True):
                findings.extend(done)
                notes.extend(done_notes)
                findings.extend(_check_planned(doc, cross, settings, notes))
        if services is not None:
            verdicts = _verdicts(services, documents, rules)
    finally:
        if services is not None:
            notes.extend(getattr(services, "notes", []))
            http = services.http
            http_stats = {"sent_by_host": dict(http.sent_by_host),
                          "cache_hits": getattr(http, "cache_hits", 0)}
            services.close()
    findings.sort(key=Finding.sort_key)
    files = [
        # A PDF or Word file is checked as its text; the report names what it was.
        FileInfo(d.path, getattr(d.source, "kind", d.format), sum(1 for _ in d.entries()), d.layout)
        for d in documents
    ]
    return RunResult(
        files=files,
        findings=findings,
        rules=rules,
        documents=documents,
        notes=notes,
        verdicts=verdicts,
        http=http_stats,
    )


def _check_all(
    documents: list[Document],
    rules: list[Rule],
    settings: Settings,
    ctx: Context,
    notes: list[str],
    waiting: Callable[[], None] | None = None,
) -> list[Finding]:
    """Every rule over every document, split between processes when that pays."""
    plans = _plan(rules, settings, ctx)
    workers = _rule_workers(documents, rules, settings)
    if workers > 1:
        done = _check_forked(documents, plans, settings, workers)
        if done is not None:
            return _in_serial_order(done, len(documents), len(rules), notes)
    if ctx.services is not None and 0 < sum(p.rule.network for p in plans) < len(plans):
        return _check_overlapped(documents, plans, settings, notes, waiting)
    out: list[Finding] = []
    for doc in documents:
        out.extend(_check_planned(doc, plans, settings, notes))
    return out


def _check_overlapped(
    documents: list[Document], plans: list[_Planned], settings: Settings, notes: list[str],
    waiting: Callable[[], None] | None = None,
) -> list[Finding]:
    """The network rules in a thread of their own while the others run.

    The registry's rate limit and the hosts' latency are waiting, the offline rules are
    computing: done one after the other, a run takes their sum; side by side, about the
    longer of the two.  The results are put back in the serial order (document, then
    rule), so the report is byte-identical to a one-thread run.
    """
    from concurrent.futures import ThreadPoolExecutor

    def run(which: list[int], order: Iterable[int] | None = None,
            ) -> dict[tuple[int, int], tuple[list[Finding], list[str]]]:
        done: dict[tuple[int, int], tuple[list[Finding], list[str]]] = {}
        for d in range(len(documents)) if order is None else order:
            doc = documents[d]
            # All of them at once: rules that share an analysis over slices of a
            # large file compute it once per slice, not once per rule.
            for i, got in zip(which, streaming.check_each(doc, [plans[i] for i in which], settings),
                              strict=True):
                if got[0] or got[1]:
                    done[(d, i)] = got
        return done

    online = [i for i, p in enumerate(plans) if p.rule.network]
    services = plans[online[0]].ctx.services
    prefetch = getattr(services, "prefetch", None)
    compare_fields = any(plans[i].rule.category in _COMPARING for i in online)
    links = any(plans[i].rule.category is Category.LINK for i in online)
    registry = any(plans[i].rule.category in _REGISTRY_CATEGORIES for i in online)

    def run_online() -> dict[tuple[int, int], tuple[list[Finding], list[str]]]:
        # The lookups and link checks start before the first document's rules, side by
        # side, and the field comparisons run while the later lookups wait on the rate
        # limit (Services.prefetch).
        if prefetch is not None and (links or registry):
            prefetch(compare_fields, links=links, registry=registry)
        return run(online, _settled_first(services, documents))

    with ThreadPoolExecutor(max_workers=1) as pool:
        online_done = pool.submit(run_online)
        done = run([i for i, p in enumerate(plans) if not p.rule.network])
        if waiting is not None:
            waiting()
        done.update(online_done.result())
    return _in_serial_order(done, len(documents), len(plans), notes)


def _settled_first(services: Any, documents: list[Document]) -> Iterator[int]:
    """Documents in the order their references' verdicts are known (file order when all
    are, or none): a document whose verdicts are in is checked while another's still wait
    for a search.  In file order, the first document waiting for the registry held up
    every later one: in a cluster's task, most of 125 files' rules then ran after the
    registry's last answer.  Findings are put back in file order afterwards."""
    unsettled = getattr(services, "unsettled", None)
    left = list(range(len(documents)))
    if unsettled is None:
        yield from left
        return
    settled: set[int] = set()  # a verdict once known stays known: asked once

    def known(d: int) -> bool:
        if d not in settled and not unsettled(documents[d]):
            settled.add(d)
        return d in settled

    while left:
        # Only the next few are looked at, so that thousands of files waiting on one
        # search cost no quadratic scan: past them, the first waits as in file order.
        at = next((k for k, d in enumerate(left[:_LOOK_AHEAD]) if known(d)), 0)
        yield left.pop(at)


# Documents :func:`_settled_first` looks at for one whose verdicts are known.
_LOOK_AHEAD = 64


def _in_serial_order(
    done: dict[tuple[int, int], tuple[list[Finding], list[str]]],
    documents: int,
    rules: int,
    notes: list[str],
) -> list[Finding]:
    """Findings (and notes) keyed by (document, rule), in the order one thread gives them,
    so the report is byte-identical to a one-process, one-thread run."""
    out: list[Finding] = []
    for d in range(documents):
        for r in range(rules):
            found, said = done.get((d, r), _NOTHING)
            out.extend(found)
            notes.extend(said)
    return out


# Below this many references the rules take less time than starting a process.
_FORK_MIN_REFERENCES = 500

# Above this many characters of parsed text, the rules share no processes: a forked
# child copies every page it touches, and the rules touch every reference (a 50 MB
# CSL-JSON file of 200,000 items: 1.39 GiB in two processes, 0.8 GiB in one).
_FORK_MAX_CHARS = 16_000_000

# Rule modules that share a per-reference analysis (``refcheck.text.context``):
# running them in one process computes it once.
_SHARED_ANALYSIS = {"refcheck.rules.artifacts": "refcheck.rules.typos"}

# Seconds a rule module takes at 10,000 entries (benchmarks/README.md): the
# costliest tasks are handed out first, so the processes finish together.  A
# stale figure only costs balance, never correctness.
_MODULE_COST = {
    "refcheck.rules.typos": 0.81,  # with artifacts (_SHARED_ANALYSIS)
    "refcheck.rules.structure": 0.29,
    "refcheck.rules.syntax": 0.12,
    "refcheck.rules.encoding": 0.11,
    "refcheck.rules.sanity": 0.04,
}


def _rule_workers(documents: list[Document], rules: list[Rule], settings: Settings) -> int:
    """How many processes should share the rules of this run (1: no fork)."""
    jobs = settings.jobs or (os.cpu_count() or 1)
    if jobs < 2 or any(r.network for r in rules):
        return 1  # network rules share one client, cache and rate limit
    if sum(len(d.references) for d in documents) < _FORK_MIN_REFERENCES:
        return 1
    if sum(len(d.text) for d in documents) > _FORK_MAX_CHARS:
        return 1
    return jobs if _can_fork() else 1


def _can_fork() -> bool:
    import multiprocessing  # not before it is needed: a small run's start-up counts
    import threading

    # fork() is what makes the rule split cheap (the parsed documents are
    # inherited, not pickled); it is only safe in a process with no other thread.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


_Task = tuple[list[int], list[int]]  # (indices of rules, indices of documents)


def _tasks(documents: list[Document], rules: list[Rule], workers: int) -> list[_Task]:
    """Rule groups (by module) over slices of the documents, costliest first.

    With several documents, a group's documents are cut into one slice per
    process, so that the costliest group does not hold up the run; a group
    that reads other documents (the citation rules) keeps them together.
    """
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rules):
        module = r.check.__module__
        groups.setdefault(_SHARED_ANALYSIS.get(module, module), []).append(i)
    sizes = [len(d.references) + 1 for d in documents]
    total = sum(sizes)
    weighted: list[tuple[float, str, int, _Task]] = []
    for module, members in groups.items():
        cost = _MODULE_COST.get(module, 0.0)
        parts = 1 if any(_cross_file(rules[r]) for r in members) else workers
        for k, docs in enumerate(forking.slices(sizes, parts)):
            share = sum(sizes[d] for d in docs) / total
            weighted.append((-cost * share, module, k, (members, docs)))
    weighted.sort(key=lambda w: w[:3])
    return [task for *_, task in weighted]


# (document, rule) -> findings and notes; only the pairs that produced something.
_Done = dict[tuple[int, int], tuple[list[Finding], list[str]]]
_NOTHING: tuple[list[Finding], list[str]] = ([], [])


def _check_forked(
    documents: list[Document],
    plans: list[_Planned],
    settings: Settings,
    workers: int,
) -> _Done | None:
    """Run the rule groups over their document slices, shared out by :func:`_share`.

    None means the fork itself failed and the caller runs everything here.
    """
    tasks = _tasks(documents, [p.rule for p in plans], workers)

    def run_task(t: int) -> _Done:
        members, docs = tasks[t]
        done: _Done = {}
        for d in docs:
            got_all = streaming.check_each(documents[d], [plans[r] for r in members], settings)
            for r, got in zip(members, got_all, strict=True):
                if got[0] or got[1]:
                    done[(d, r)] = got
        return done

    results = forking.share(len(tasks), run_task, workers)
    if results is None:
        return None
    done: _Done = {}
    for part in results.values():
        done.update(part)
    return done


# Rules whose categories rest on matching references to registry records: when any
# of them runs, every reference gets a verdict; otherwise (a links-only run) the
# references are listed as skipped rather than searched for nothing.
_REGISTRY_CATEGORIES = {Category.EXISTENCE, Category.DOI, Category.METADATA, Category.RETRACTION}
# Rules that compare a reference's fields with its record (Services.discrepancies).
_COMPARING = {Category.EXISTENCE, Category.METADATA}


def _verdicts(services: Any, documents: list[Document], rules: list[Rule]) -> list[dict[str, Any]]:
    """The report's per-reference verdicts: present in every online run (the contract)."""
    if any(r.category in _REGISTRY_CATEGORIES and r.network for r in rules):
        for doc in documents:
            for ref in doc.entries():
                services.verdict(ref)
        done = services.verdicts
        if done is not None:
            return list(done)
    return [
        {"path": ref.path, "line": ref.line, **ref.where(), "index": ref.index,
         "key": ref.key, "verdict": "skipped", "doi": None, "source": None}
        for doc in documents
        for ref in doc.entries()
    ]


# -- what a run split across machines needs (refcheck.cluster) -----------------------------


def corpus_wide_rules(settings: Settings) -> list[Rule]:
    """The selected rules that read other documents of the run (citations against lists)."""
    return [r for r in select_rules(settings).rules if _cross_file(r)]


def check_corpus_wide(documents: list[Document], settings: Settings,
                      notes: list[str]) -> list[Finding]:
    """Run only the corpus-wide rules, over documents checked elsewhere for the rest."""
    rules = [r for r in corpus_wide_rules(settings) if not r.network]
    plans = _plan(rules, settings, Context(documents=documents))
    out: list[Finding] = []
    for doc in documents:
        out.extend(_check_planned(doc, plans, settings, notes))
    return out


def run_notes(settings: Settings) -> list[str]:
    """The notes a run says once whatever it reads (network rules skipped)."""
    return _skipped_notes(select_rules(settings))


def files_to_check(paths: list[str], settings: Settings) -> tuple[list[str], list[Document]]:
    """What a run reads: the files found (with the bibliographies their .tex files use),
    and the inputs that could not be listed, as documents with one problem each."""
    unlisted: list[tuple[str, str]] = []
    files = _with_bibliographies(
        discover(paths, settings.exclude, settings.input_format, unlisted,
                 respect_gitignore=settings.respect_gitignore), settings, paths
    )
    return files, [unreadable_document(p, m, settings) for p, m in unlisted]




