"""Sharing independent tasks between this process and forked ones.

Used by the engine for rule groups of one large document and for chunks of many
files.  Forked children inherit everything already parsed and loaded, so nothing
is pickled on the way out; only each task's result travels back.  A child that
dies or fails sends nothing and its tasks are run again here.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from typing import Any, TypeVar


def slices(sizes: list[int], parts: int) -> list[list[int]]:
    """Consecutive runs of document indices with about equal sums of ``sizes``."""
    out: list[list[int]] = []
    target = sum(sizes) / parts
    current: list[int] = []
    filled = 0.0
    for d, size in enumerate(sizes):
        current.append(d)
        filled += size
        if filled >= target * (len(out) + 1) and len(out) < parts - 1:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out



_R = TypeVar("_R")


def share(count: int, task: Callable[[int], _R], workers: int) -> dict[int, _R] | None:
    """``task(0) … task(count - 1)``, run by this process and ``workers - 1`` forked ones.

    Each process takes the next index from a shared counter until none is
    left, so that they finish together.  A child that fails sends nothing:
    its tasks are run again here.  None means the fork itself failed.
    """
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    counter = mp.Value("i", 0)

    def work() -> dict[int, _R]:
        done: dict[int, _R] = {}
        while True:
            with counter.get_lock():
                t = counter.value
                counter.value += 1
            if t >= count:
                return done
            done[t] = task(t)

    children = []
    # Whatever exists now is inherited: a child's cyclic collection (the engine runs
    # one between files) would otherwise write to every inherited object's header and
    # so copy the parent's pages into the child.  Frozen objects are never visited.
    gc.freeze()
    try:
        for _ in range(min(workers, count) - 1):
            recv, send = mp.Pipe(duplex=False)
            child = mp.Process(target=_child, args=(work, send), daemon=True)
            child.start()
            send.close()
            children.append((child, recv))
    except OSError:
        for child, _ in children:
            child.kill()
        gc.unfreeze()
        return None
    try:
        done = work()
        for child, recv in children:
            with contextlib.suppress(EOFError, OSError):
                done.update(recv.recv())
            child.join()
    finally:
        gc.unfreeze()
    for t in range(count):
        if t not in done:
            done[t] = task(t)
    return done


def _child(work: Any, send: Any) -> None:
    send.send(work())
    send.close()
