"""What refcheck sets up on the workers of a Dask cluster (:mod:`refcheck.cluster`).

Imported only once ``distributed`` is: the plugin must subclass Dask's own base class.
"""

from __future__ import annotations

import sys
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

__all__ = ["NoSamplingProfiler"]


class NoSamplingProfiler(WorkerPlugin):  # type: ignore[misc]
    """A worker plugin: no statistical profiler on a worker that runs Python 3.11.

    Dask samples every worker thread's stack (``sys._current_frames``) every 10 ms for
    its dashboard.  On 3.11 that call can deadlock against a thread being started
    while a garbage collection runs (CPython issues 106883 and 116969, dask/distributed
    8616: fixed in 3.12, never in 3.11): every thread of the worker waits for the
    interpreter lock and the audit hangs.  refcheck starts threads all the time (link
    checks, batches side by side), and one registry-bound run in four hung so.  The
    plugin is set up on every worker, restarted ones included; 3.12 and later keep
    their profiler.
    """

    name = "refcheck-no-sampling-profiler"

    def setup(self, worker: Any) -> None:
        if sys.version_info >= (3, 12):
            return
        # Taken out before the worker starts its periodic callbacks, or stopped if it has.
        callback = worker.periodic_callbacks.pop("profile", None)
        if callback is not None:
            callback.stop()
