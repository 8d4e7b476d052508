"""Online checks: one HTTP layer, the Crossref and DOI-proxy clients, services for rules.

Only :mod:`refcheck.net.services` is imported by the engine, and only for
online runs, so an offline run never imports requests or requests-cache.

Why a thin Crossref client rather than crossref-commons
-------------------------------------------------------
The design card named crossref-commons.  Its last release (0.0.7, 2020)
calls the module-level ``requests.get`` with no timeout and no session, binds
the API base URL at import time, shares a mutable default headers dict
between calls and has no ``mailto``.  Wrapping it would mean patching module
globals (not thread-safe, and ``--crossref-url`` could not be honoured per
run), giving up the shared requests-cache session (so no cache, no address
guard, no retry or rate-limit policy), and risking hangs on a stalled
connection.  What refcheck needs from Crossref is three requests: a batch
``/works?filter=doi:…`` lookup with ``select=``, a ``filter=updates:…``
notice query and a ``query.bibliographic`` search.  A ~150-line client on
the shared session (:mod:`refcheck.net.crossref`) does that with the cache,
the polite pool (``mailto``), Crossref's documented concurrency (3 requests
at a time with a mailto, 1 without) and its ``X-Rate-Limit-*`` headers, and
costs no extra dependency.
"""
