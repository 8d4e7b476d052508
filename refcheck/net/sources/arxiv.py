"""arXiv: preprints, by identifier (``id_list``) or by title and author (``search_query``).

From the arXiv API user manual and terms of use: one query route
(``/api/query``) answering with an Atom 1.0 feed (``<entry>`` with ``<id>``,
``<title>``, ``<published>``, ``<author><name>``, and ``arxiv:doi`` /
``arxiv:journal_ref`` extensions); ``id_list`` takes many comma-separated IDs,
so one request answers a whole run; no more than one request every three
seconds, on a single connection.  :class:`~refcheck.net.sources.Pacer` keeps
that pace for requests that reach the network; cached answers never wait.
A search runs only for references that look like preprints.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from refcheck.model import Reference
from refcheck.net.crossref import normalise_doi
from refcheck.net.http import HttpClient
from refcheck.net.sources import (
    NOT_ASKED,
    Answer,
    Pacer,
    Record,
    Source,
    arxiv_id,
    fetch_text,
    lookup_in_batches,
    reply_failed,
    split_name,
    strip_markup,
    year_of,
)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
BATCH = 50
SEARCH_ROWS = 5
INTERVAL = 3.0  # seconds between requests, as the terms of use ask
_PREPRINT = re.compile(r"\barxiv\b|\bpre-?print\b|\bcorr\b|\bbiorxiv\b", re.I)


def parse_feed(text: str) -> list[Record] | None:
    """The entries of an arXiv Atom feed; None when the text is not a feed."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    if root.tag != f"{ATOM}feed":
        return None
    records: list[Record] = []
    for entry in root.findall(f"{ATOM}entry"):
        ident = (entry.findtext(f"{ATOM}id") or "").strip()
        # The API reports an unknown or malformed ID as an entry titled "Error".
        title = strip_markup(entry.findtext(f"{ATOM}title") or "")
        if not ident or "/api/errors" in ident or title == "Error":
            continue
        short = re.sub(r"v\d+$", "", ident.split("/abs/")[-1])
        # The feed's <id> names the latest version: "…/abs/2101.00001v3".
        latest = re.search(r"v(\d+)$", ident)
        authors = tuple(split_name(strip_markup(a.findtext(f"{ATOM}name") or ""))
                        for a in entry.findall(f"{ATOM}author"))
        doi = entry.findtext(f"{ARXIV}doi")
        records.append(Record(
            source="arxiv",
            ident=short,
            title=title or None,
            authors=tuple(a for a in authors if a[0]),
            year=year_of(entry.findtext(f"{ATOM}published")),
            container=(entry.findtext(f"{ARXIV}journal_ref") or "").strip() or "arXiv",
            doi=normalise_doi(doi) if doi else None,
            type="preprint",
            retracted="withdrawn" in (entry.findtext(f"{ARXIV}comment") or "").lower(),
            version=int(latest.group(1)) if latest else None,
        ))
    return records


class ArxivSource(Source):
    name = "arxiv"
    label = "arXiv"
    interval = INTERVAL

    def __init__(self, http: HttpClient, base: str) -> None:
        super().__init__(http, base)
        from urllib.parse import urlsplit

        self.pacer = Pacer(http, urlsplit(self.base).hostname or "", self.interval)

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        container = ref.container or ""
        return bool(_PREPRINT.search(container) or _PREPRINT.search(ref.raw))

    def identifiers(self, ref: Reference) -> list[str]:
        ident = arxiv_id(ref)
        return [ident] if ident else []

    def _query(self, params: dict[str, str]) -> tuple[list[Record] | None, bool]:
        with self.pacer:
            reply, text = fetch_text(self.http, f"{self.base}/query", params,
                                     "application/atom+xml")
        if reply_failed(reply):
            return None, True
        records = parse_feed(text) if text is not None else None
        if records is None:
            # 400 answers a malformed query; anything else unreadable is a failure.
            return None, reply.code != 400
        return records, False

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        def fetch(chunk: list[str]) -> tuple[dict[str, Record | None] | None, bool]:
            records, broken = self._query({"id_list": ",".join(chunk),
                                           "max_results": str(len(chunk))})
            return {r.ident: r for r in records or []}, broken

        return lookup_in_batches(idents, BATCH, fetch)

    def search(self, ref: Reference) -> Answer:
        if not ref.title:
            return NOT_ASKED
        words = re.sub(r"[^\w\s]", " ", ref.title).split()
        query = "ti:\"" + " ".join(words) + "\""
        family = next((a.family for a in ref.authors if not a.literal), None)
        if family:
            query += " AND au:" + re.sub(r"[^\w]", "_", family.split()[-1])
        records, broken = self._query({"search_query": query,
                                       "max_results": str(SEARCH_ROWS)})
        if broken:
            return Answer(failed=True)
        return Answer(records or [])
