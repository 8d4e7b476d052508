"""Run an audit on a Dask distributed cluster: a conference's submissions, a backlist.

refcheck schedules nothing itself here: the files are cut into parts of about
equal size, Dask's scheduler hands their tasks to its workers (and hands a dead
worker's tasks to another).  One task reads and parses a part's files
(:func:`load_task`), and its documents come back here at once; the next checks
them on the same worker with every rule that looks at one document at a time,
network rules included (:func:`check_task`).  What only the whole corpus can
answer (a ``\\cite`` key against every bibliography of the run) is checked here
afterwards, on the documents sent back, so the findings are those of a
single-machine run of the same files.

What the workers share lives in Redis (``redis_url``): the HTTP cache (the
``redis`` cache backend) and one limit per registry and per web host
(:mod:`refcheck.net.ratelimit`), so that N workers together stay within each
host's published rate and concurrency, and a ``Retry-After`` seen by one slows
them all.  Without Redis every worker keeps its own cache and limits, which is
right only offline.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from refcheck import engine, forking
from refcheck.config import Settings
from refcheck.io import InputError
from refcheck.model import Document, Finding
from refcheck.report import FileInfo, RunResult

__all__ = ["FleetStats", "TaskResult", "check_task", "load_task", "run"]

# Tasks per worker: enough that a slow or lost task does not leave the others idle,
# few enough that scheduling and sending documents back stays a small share.
_TASKS_PER_WORKER = 8
# How long to wait for a scheduler that does not answer before saying so.
CONNECT_TIMEOUT = "30s"


@dataclass
class TaskResult:
    """What one task's checks send back: findings, notes, verdicts and what it asked of
    the network.  Its documents come back earlier, from the task that read them
    (:func:`load_task`)."""

    index: int
    findings: list[Finding]
    notes: list[str]
    verdicts: list[dict[str, Any]] | None
    http: dict[str, Any] | None
    seconds: float


@dataclass
class FleetStats:
    """The summary a fleet run prints: throughput, requests per host, cache hit rate."""

    documents: int
    references: int
    seconds: float
    workers: int
    tasks: int
    sent_by_host: dict[str, int]
    cache_hits: int

    @property
    def requests(self) -> int:
        return sum(self.sent_by_host.values())

    def lines(self) -> list[str]:
        secs = max(self.seconds, 1e-9)
        out = [f"{self.documents} documents, {self.references} references in {self.seconds:.1f} s "
               f"on {self.workers} workers ({self.documents / secs:.1f} documents/s, "
               f"{self.tasks} tasks)"]
        asked = self.requests + self.cache_hits
        if asked:
            out.append(f"HTTP: {self.requests} requests sent, {self.cache_hits} answered by the "
                       f"cache ({self.cache_hits / asked:.0%} hit rate)")
        for host, n in sorted(self.sent_by_host.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  {host}: {n} requests, {n / secs:.1f}/s")
        return out


def _worker_settings(settings: Settings) -> Settings:
    """The settings each task runs with: its own rules minus the corpus-wide ones."""
    cross = [r.code for r in engine.corpus_wide_rules(settings)]
    online = not settings.offline
    return dataclasses.replace(
        settings,
        ignore=[*settings.ignore, *cross],
        # A Dask worker already is one of many processes: no forking inside it.
        jobs=1,
        shared_limits=online and settings.redis_url is not None,
        cache_backend="redis" if online and settings.redis_url else settings.cache_backend,
    )


# Tasks of one worker process that may wait on the network after giving their slot
# away: as many as a worker is given (``_TASKS_PER_WORKER``), so that every task has
# parsed and checked what needs no answer while the registry's limit is still the
# wait.  With four, a registry-bound run of 2,000 files left the last six tasks to
# start after the registry's last answer (10 s more).  Waiting threads sleep (on a
# condition, or polling Redis at most every 0.2 s): they do not take the interpreter
# from the task that parses.
_WAITING_PER_WORKER = _TASKS_PER_WORKER
_waiting = threading.BoundedSemaphore(_WAITING_PER_WORKER)
_task = threading.local()


def _secede() -> None:
    """Give this task's slot on its worker to the next task: what is left is waiting.

    The web hosts and registries allow each client only so many requests a second,
    shared by the whole fleet (:mod:`refcheck.net.ratelimit`).  A task that held its
    worker's thread until its last answer came would leave the hosts idle while the
    next task parses, and the CPU idle while this one waits; seceded, the next
    task's links join the hosts' queues while this task's are answered.  When
    ``_WAITING_PER_WORKER`` tasks of this worker wait already, this one keeps its slot.
    """
    try:
        from distributed import secede
    except ImportError:  # pragma: no cover - the cluster extra is installed to get here
        return
    if not _waiting.acquire(blocking=False):
        return
    try:
        secede()
    except ValueError:  # not in a worker's task (a direct call)
        _waiting.release()
        return
    _task.seceded = True


def load_task(files: list[str], settings: Settings) -> list[Document]:
    """One task's reading, run on a worker: its documents, parsed.

    A task of its own, so that the documents reach the client (for the report's
    snippets and the corpus-wide rules) while the checks still wait on the
    registry: sent back with the findings, at the end, 2,000 files' documents (84 MB
    pickled) took the client 2 s to receive after the registry's last answer.
    :func:`check_task` reads the same objects on the same worker, not a copy.
    """
    return [engine.load_tolerant(f, settings) for f in files]


def check_task(index: int, documents: list[Document], settings: Settings) -> TaskResult:
    """One task's checks, run on a worker: every rule over ``documents``."""
    started = time.perf_counter()
    _task.seceded = False
    try:
        result = engine.check(documents, settings, waiting=_secede)
    finally:
        if _task.seceded:
            _task.seceded = False
            _waiting.release()
    return TaskResult(index, result.findings, result.notes, result.verdicts, result.http,
                      time.perf_counter() - started)


def _close_later(client: Any, cluster: Any) -> None:
    """Close a LocalCluster this run started, in a thread of its own: its workers take
    half a second to stop (2,000 files), which the caller spends on its reports.  Not a
    daemon: the interpreter waits for it before it exits."""
    def close() -> None:
        try:
            client.close()
        finally:
            cluster.close()

    threading.Thread(target=close, name="refcheck-cluster-close").start()


def _partition(files: list[str], parts: int) -> list[list[str]]:
    """Consecutive runs of files of about equal size (bytes), in discovery order."""
    sizes = []
    for f in files:
        try:
            sizes.append(os.stat(f).st_size + 1)
        except OSError:
            sizes.append(1)
    return [[files[i] for i in chunk] for chunk in forking.slices(sizes, parts) if chunk]


def _client(address: str, workers: int) -> tuple[Any, Any]:
    """A distributed Client on ``address`` (``local``: a LocalCluster of ``workers``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise InputError("--cluster needs Dask's distributed package: "
                         "pip install 'refcheck[cluster]'") from exc
    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        return Client(cluster), cluster
    try:
        return Client(address, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--cluster {address}: cannot reach the scheduler ({exc})") from exc


def run(
    paths: Sequence[str],
    settings: Settings,
    address: str,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    client: Any = None,
) -> tuple[RunResult, FleetStats]:
    """Check ``paths`` on the cluster at ``address``; the same result as ``engine.run``.

    ``progress(done, total)`` is called as tasks finish.  ``client`` is an
    existing distributed Client to use instead of connecting to ``address``.
    """
    started = time.perf_counter()
    # The same files, in the same order, as a run on one machine reads.
    files, unlisted = engine.files_to_check(list(paths), settings)
    if not files and not unlisted:
        raise InputError("no files to check")
    own = None
    if client is None:
        client, own = _client(address, workers or settings.jobs or (os.cpu_count() or 1))
    try:
        from distributed import as_completed

        from refcheck.clusterplugin import NoSamplingProfiler

        client.register_plugin(NoSamplingProfiler(), name=NoSamplingProfiler.name)
        nworkers = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
        tasks = _partition(files, max(1, min(len(files), nworkers * _TASKS_PER_WORKER)))
        task_settings = _worker_settings(settings)
        stamp = f"{os.getpid()}-{started}"
        loads: list[Any] = []
        checks: list[Any] = []
        for i, chunk in enumerate(tasks):
            # Submitted in turn (Dask runs the earlier submitted first): a part's checks,
            # and with them its first requests, start as soon as it is read, not after
            # every part has been read.
            loads.append(client.submit(load_task, chunk, task_settings, pure=False,
                                       retries=3, key=f"refcheck-load-{i}-{stamp}"))
            checks.append(client.submit(check_task, i, loads[i], task_settings, pure=False,
                                        retries=3, key=f"refcheck-task-{i}-{stamp}"))
        which = {f.key: i for i, f in enumerate(loads)}
        documents: dict[int, list[Document]] = {}
        done: dict[int, TaskResult] = {}
        # Results are fetched as their tasks end, in the client's event loop, not one
        # ``result()`` round trip after another: fetched in turn, 16 tasks' documents of
        # 2,000 files took 3 s to arrive.
        for future, got in as_completed([*loads, *checks], with_results=True):
            if isinstance(got, TaskResult):
                # A task rerun after its worker died answers once: keep one result per task.
                done.setdefault(got.index, got)
                # Its result is here now: kept on the worker too, a worker that died
                # later took finished tasks with it and Dask ran them again.
                future.release()
                loads[got.index].release()
                if progress is not None:
                    progress(len(done), len(tasks))
            else:
                documents.setdefault(which[future.key], got)
    finally:
        if own is not None:
            _close_later(client, own)
    parts = [done[i] for i in range(len(tasks))]
    read = [documents[i] for i in range(len(tasks))]
    if unlisted:
        # Inputs that could not even be listed are findings on themselves, as on one machine.
        checked = engine.check(unlisted, _worker_settings(settings))
        parts.append(TaskResult(len(parts), checked.findings, checked.notes,
                                checked.verdicts, checked.http, 0.0))
        read.append(unlisted)
    result = _merge(parts, read, settings)
    stats = FleetStats(
        documents=len(result.documents),
        references=result.reference_count,
        seconds=time.perf_counter() - started,
        workers=nworkers,
        tasks=len(tasks),
        sent_by_host=dict((result.http or {}).get("sent_by_host", {})),
        cache_hits=int((result.http or {}).get("cache_hits", 0)),
    )
    return result, stats


def _merge(parts: list[TaskResult], read: list[list[Document]],
           settings: Settings) -> RunResult:
    """The tasks' results in file order, plus the corpus-wide rules run here."""
    documents = [d for docs in read for d in docs]
    findings = [f for p in parts for f in p.findings]
    # The notes said once per run (network rules skipped) come from every task: say them once.
    notes = engine.run_notes(settings)
    for p in parts:
        notes.extend(n for n in p.notes if n not in notes)
    findings.extend(engine.check_corpus_wide(documents, settings, notes))
    findings.sort(key=Finding.sort_key)
    verdict_parts = [p.verdicts for p in parts if p.verdicts is not None]
    verdicts = [v for part in verdict_parts for v in part] if verdict_parts else None
    sent: dict[str, int] = {}
    hits = 0
    for p in parts:
        if p.http:
            for host, n in p.http.get("sent_by_host", {}).items():
                sent[host] = sent.get(host, 0) + n
            hits += p.http.get("cache_hits", 0)
    online = any(p.http is not None for p in parts)
    rules = [r for r in engine.select_rules(settings).rules if not r.network or online]
    files = [
        FileInfo(d.path, d.format, sum(1 for _ in d.entries()), d.layout) for d in documents
    ]
    return RunResult(files=files, findings=findings, rules=rules, documents=documents,
                     notes=notes, verdicts=verdicts,
                     http={"sent_by_host": sent, "cache_hits": hits} if online else None)
