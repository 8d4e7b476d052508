"""The Retraction Watch database as a local, indexed table.

Crossref publishes the Retraction Watch database as one CSV (about 69,000
rows, tens of megabytes).  It is fetched through the shared session (never
held in memory whole: the body is streamed to a file beside the table), read
row by row into SQLite in the cache directory, indexed by the normalised
``OriginalPaperDOI`` and ``OriginalPaperPubMedID``, and refreshed when older
than :data:`MAX_AGE` (with ``If-None-Match``/``If-Modified-Since`` when the
server gave an ETag or a date, so an unchanged file costs one 304).  A
retraction check then costs no request per DOI, and a read-only run (``--cache-read-only``)
uses the table built earlier.

A download or a CSV that cannot be read never replaces a good table and never
becomes an empty one: the run says so once (:attr:`RetractionWatch.problem`)
and answers "unknown" (``None``), not "not retracted".
"""

from __future__ import annotations

import contextlib
import csv
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from refcheck.net.crossref import normalise_doi
from refcheck.net.http import HttpClient
from refcheck.net.outcomes import classify_exception

MAX_AGE = 7 * 24 * 3600.0  # seconds before the table is refreshed
RETRY_AFTER = 3600.0  # seconds before a failed download is tried again
TABLE_FILE = "retraction_watch.sqlite"
FAILED_FILE = "retraction_watch.failed"
SCHEMA = 1
REQUIRED = ("Record ID", "OriginalPaperDOI", "OriginalPaperPubMedID", "RetractionNature",
            "RetractionDOI")
_CHUNK = 1 << 16
_MAX_DOWNLOAD = 1024 * 1024 * 1024
_DOWNLOAD_SECONDS = 900.0
_MAX_HOPS = 5
# Values the database writes where an identifier is absent.
_ABSENT = {"", "0", "unavailable", "none", "n/a", "na", "null"}


@dataclass(frozen=True)
class WatchEntry:
    """One row of the database that concerns a cited work."""

    record_id: str
    nature: str  # "Retraction", "Expression of concern", "Correction", "Reinstatement"
    notice_doi: str | None

    @property
    def kind(self) -> str:
        """The nature as a Crossref update type: retraction, expression_of_concern…"""
        return self.nature.strip().lower().replace(" ", "_").replace("-", "_")

    @property
    def label(self) -> str:
        return f"Retraction Watch (record {self.record_id})"


class MalformedCsvError(ValueError):
    """The downloaded file is not the Retraction Watch CSV."""


def _doi(value: str) -> str | None:
    value = value.strip()
    if value.lower() in _ABSENT:
        return None
    doi = normalise_doi(value)
    return doi if doi.startswith("10.") and "/" in doi else None


def _pmid(value: str) -> str | None:
    value = value.strip()
    return value if value.isdigit() and value.lstrip("0") else None


def build_table(csv_path: Path, db_path: Path) -> int:
    """Read the CSV into a new SQLite file; returns the number of rows kept.

    Raises :class:`MalformedCsvError` when the header lacks the columns used or a
    row cannot be parsed: a half-read database must not pass for a complete one.
    """
    if db_path.exists():
        db_path.unlink()
    con = sqlite3.connect(db_path)
    try:
        con.execute("CREATE TABLE entries (doi TEXT, pmid TEXT, nature TEXT, notice TEXT, "
                    "record TEXT)")
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        kept = 0
        # The export has been published in UTF-8 with a BOM and in Windows-1252; titles
        # are not used here, so undecodable bytes are replaced rather than refused.
        with open(csv_path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise MalformedCsvError("the file is empty") from None
            except csv.Error as exc:
                raise MalformedCsvError(f"unreadable header ({exc})") from None
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise MalformedCsvError("no column " + ", ".join(repr(c) for c in missing))
            at = {name: header.index(name) for name in REQUIRED}
            width = max(at.values()) + 1
            batch: list[tuple[str | None, str | None, str, str | None, str]] = []
            try:
                for row in reader:
                    if not row or not any(cell.strip() for cell in row):
                        continue
                    if len(row) < width:
                        raise MalformedCsvError(
                            f"line {reader.line_num}: {len(row)} fields, expected {len(header)}")
                    doi = _doi(row[at["OriginalPaperDOI"]])
                    pmid = _pmid(row[at["OriginalPaperPubMedID"]])
                    if doi is None and pmid is None:
                        continue
                    batch.append((doi, pmid, row[at["RetractionNature"]].strip(),
                                  _doi(row[at["RetractionDOI"]]), row[at["Record ID"]].strip()))
                    if len(batch) >= 5000:
                        con.executemany("INSERT INTO entries VALUES (?,?,?,?,?)", batch)
                        kept += len(batch)
                        batch.clear()
            except csv.Error as exc:
                raise MalformedCsvError(f"line {reader.line_num}: {exc}") from None
            con.executemany("INSERT INTO entries VALUES (?,?,?,?,?)", batch)
            kept += len(batch)
        if kept == 0:
            raise MalformedCsvError("no row names a DOI or a PubMed ID")
        con.execute("CREATE INDEX by_doi ON entries (doi)")
        con.execute("CREATE INDEX by_pmid ON entries (pmid)")
        con.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        con.commit()
        return kept
    finally:
        con.close()


class RetractionWatch:
    """The local table and its upkeep; one per run, safe to query from many threads."""

    def __init__(self, http: HttpClient, url: str, directory: str,
                 max_age: float = MAX_AGE) -> None:
        self.http = http
        self.url = url
        self.directory = Path(directory)
        self.max_age = max_age
        self.problem: str | None = None  # why the table is not (or not freshly) available
        self._lock = threading.Lock()
        self._ready = False
        self._con: sqlite3.Connection | None = None
        # The table does not change once opened: a work cited by many references (and
        # asked about by the verdicts and the rules both) is looked up once.
        self._rows: dict[tuple[str, ...], list[WatchEntry]] = {}

    @property
    def path(self) -> Path:
        return self.directory / TABLE_FILE

    # -- upkeep --------------------------------------------------------------------------

    def _meta(self, con: sqlite3.Connection) -> dict[str, str]:
        return {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta")}

    def _open_existing(self) -> tuple[sqlite3.Connection, dict[str, str]] | None:
        if not self.path.is_file():
            return None
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                  check_same_thread=False)
            meta = self._meta(con)
        except sqlite3.Error:
            return None
        if meta.get("schema") != str(SCHEMA):
            con.close()
            return None
        return con, meta

    def _ensure(self) -> sqlite3.Connection | None:
        with self._lock:
            if not self._ready:
                self._ready = True
                try:
                    self._con = self._prepare_once()
                except (OSError, sqlite3.Error) as exc:
                    self.problem = f"cannot keep the table in {self.directory} ({exc})"
                    self._con = None
            return self._con

    def _prepare_once(self) -> sqlite3.Connection | None:
        """:meth:`_prepare` with the directory's lock held: processes that share a cache
        directory (a fleet's workers on one machine, runs side by side) download the table
        once; the others wait for it and find it fresh.  Without the lock every task of a
        fleet downloaded it again (12 times in one 800-file run)."""
        from filelock import FileLock, Timeout

        if self.http.cfg.read_only:
            return self._prepare()  # nothing is downloaded, and the directory may be read-only
        lock = FileLock(str(self.directory / f"{TABLE_FILE}.lock"))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # A download is bounded (_DOWNLOAD_SECONDS): a holder past that is stuck.
            lock.acquire(timeout=_DOWNLOAD_SECONDS + 60)
        except (Timeout, OSError):
            return self._prepare()
        try:
            return self._prepare()
        finally:
            lock.release()

    def _prepare(self) -> sqlite3.Connection | None:
        existing = self._open_existing()
        meta = existing[1] if existing else {}
        fresh = (existing is not None and meta.get("url") == self.url
                 and time.time() - float(meta.get("fetched", "0") or 0) < self.max_age)
        if fresh or self.http.cfg.read_only:
            if existing is None:
                self.problem = "no local table yet (read-only cache: it was not downloaded)"
                return None
            return existing[0]
        failed = self._last_failure()
        if failed is not None:
            # Like a cached failure: a server that was down (or served a broken file) an
            # hour ago is not asked again on every run.
            self.problem = f"{failed} (not retried before an hour has passed)"
            return existing[0] if existing is not None else None
        headers: dict[str, str] = {}
        if existing is not None and meta.get("url") == self.url:
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        outcome = self._refresh(headers)
        if outcome != "failed":
            self._forget_failure()
        if outcome == "not-modified" and existing is not None:
            existing[0].close()
            self._touch({"fetched": str(time.time())})
            reopened = self._open_existing()
            return reopened[0] if reopened else None
        if outcome == "built":
            if existing is not None:
                existing[0].close()
            reopened = self._open_existing()
            return reopened[0] if reopened else None
        # The refresh failed (noted): an older table is still the database as last seen.
        self._remember_failure()
        return existing[0] if existing is not None else None

    def _last_failure(self) -> str | None:
        """The problem of a download that failed less than RETRY_AFTER ago, for this URL."""
        try:
            url, when, problem = (self.directory / FAILED_FILE).read_text(
                encoding="utf-8").split("\n", 2)
            if url == self.url and 0 <= time.time() - float(when) < RETRY_AFTER:
                return problem.strip()
        except (OSError, ValueError):
            pass
        return None

    def _remember_failure(self) -> None:
        with contextlib.suppress(OSError):
            (self.directory / FAILED_FILE).write_text(
                f"{self.url}\n{time.time()}\n{self.problem or 'failed'}\n", encoding="utf-8")

    def _forget_failure(self) -> None:
        with contextlib.suppress(OSError):
            (self.directory / FAILED_FILE).unlink()

    def _touch(self, values: dict[str, str]) -> None:
        con = sqlite3.connect(self.path)
        try:
            con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
            con.commit()
        finally:
            con.close()

    def _refresh(self, headers: dict[str, str]) -> str:
        """Download and rebuild: 'built', 'not-modified' or 'failed' (with ``problem`` set)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        url = self.url
        for _ in range(_MAX_HOPS + 1):
            # The whole database (about 50 MB today): a larger cap and deadline than
            # a registry answer gets, but bounded all the same.
            outcome = self.http.send("GET", url, cache=False, headers=headers or None,
                                     max_bytes=_MAX_DOWNLOAD, seconds=_DOWNLOAD_SECONDS)
            if isinstance(outcome, BaseException):
                status = classify_exception(outcome)[0]
                self.problem = f"could not be downloaded from {self.url} ({status})"
                return "failed"
            with outcome:
                code = outcome.status_code
                if code in (301, 302, 303, 307, 308) and outcome.headers.get("Location"):
                    url = urljoin(url, outcome.headers["Location"].strip())
                    continue
                if code == 304:
                    return "not-modified"
                if code != 200:
                    self.problem = f"could not be downloaded from {self.url} (HTTP {code})"
                    return "failed"
                etag = outcome.headers.get("ETag", "")
                modified = outcome.headers.get("Last-Modified", "")
                return self._store(outcome.iter_content(_CHUNK), etag, modified)
        self.problem = f"could not be downloaded from {self.url} (too many redirects)"
        return "failed"

    def _store(self, chunks: Iterator[bytes], etag: str, modified: str) -> str:
        fd, tmp_csv = tempfile.mkstemp(prefix="rw-", suffix=".csv", dir=self.directory)
        tmp_db = Path(tmp_csv).with_suffix(".sqlite")
        try:
            try:
                with os.fdopen(fd, "wb") as fh:
                    for chunk in chunks:
                        fh.write(chunk)
            except Exception as exc:  # a reset mid-body: nothing is built from half a file
                self.problem = (f"could not be downloaded from {self.url} "
                                f"({classify_exception(exc)[0]})")
                return "failed"
            try:
                rows = build_table(Path(tmp_csv), tmp_db)
            except MalformedCsvError as exc:
                self.problem = f"the file at {self.url} is not a readable Retraction Watch CSV " \
                               f"({exc})"
                return "failed"
            con = sqlite3.connect(tmp_db)
            try:
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                    ("url", self.url), ("fetched", str(time.time())), ("etag", etag),
                    ("last_modified", modified), ("rows", str(rows))])
                con.commit()
            finally:
                con.close()
            # Readers of the old table keep their open file; the new one appears whole.
            os.replace(tmp_db, self.path)
            return "built"
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp_csv)
            with contextlib.suppress(OSError):
                tmp_db.unlink()

    # -- queries -------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._ensure() is not None

    def entries(self, doi: str | None = None, pmid: str | None = None) -> list[WatchEntry] | None:
        """Rows about a work (by DOI and/or PubMed ID); None when the table is unavailable."""
        con = self._ensure()
        if con is None:
            return None
        clauses: list[str] = []
        args: list[str] = []
        key = _doi(doi) if doi else None
        if key:
            clauses.append("doi = ?")
            args.append(key)
        pm = _pmid(pmid) if pmid else None
        if pm:
            clauses.append("pmid = ?")
            args.append(pm)
        if not clauses:
            return []
        memo = (*clauses, *args)
        with self._lock:
            known = self._rows.get(memo)
            if known is None:
                rows = con.execute("SELECT DISTINCT record, nature, notice FROM entries WHERE "
                                   + " OR ".join(clauses) + " ORDER BY record", args).fetchall()
                known = [WatchEntry(str(r), str(n), str(d) if d else None) for r, n, d in rows]
                self._rows[memo] = known
        return list(known)

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

