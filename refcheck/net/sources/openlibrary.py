"""Open Library: books by ISBN, so a cited book is checked rather than "unverifiable".

From the Open Library Books API documentation (openlibrary.org/dev/docs/api/books):
``GET /api/books?bibkeys=ISBN:A,ISBN:B&format=json&jscmd=data`` answers one JSON
object keyed by the bibkeys it found (``{"ISBN:A": {"key": "/books/OL…M",
"title", "subtitle", "authors": [{"url", "name"}], "publishers": [{"name"}],
"publish_date": "1994", "identifiers": {"isbn_10", "isbn_13"}}}``); a key it
does not know is simply absent.  Many ISBNs go in one request, so a whole run
asks once per :data:`BATCH` books.  No key; the documentation asks bulk users
for a User-Agent naming the application and a contact, which the shared client
sends.  ISBNs come from a BibTeX/CSL ``isbn`` field or an "ISBN …" in the text,
check digit verified (:func:`refcheck.net.identifiers.isbn`).  There is no
search here: a book without an ISBN is still judged by the other sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from refcheck.model import Reference
from refcheck.net.identifiers import isbn
from refcheck.net.sources import (
    Record,
    Source,
    lookup_in_batches,
    reply_failed,
    split_name,
    strip_markup,
    year_of,
)

BATCH = 50


def record_from_book(book: dict[str, Any]) -> Record:
    """An Open Library ``jscmd=data`` book in the shared shape."""
    title = strip_markup(str(book.get("title") or "")) or None
    if title and book.get("subtitle"):
        title = f"{title}: {strip_markup(str(book['subtitle']))}"
    publishers = [str(p.get("name")) for p in book.get("publishers") or []
                  if isinstance(p, dict) and p.get("name")]
    return Record(
        source="openlibrary",
        ident=str(book.get("key") or "").rsplit("/", 1)[-1],
        title=title,
        authors=tuple(split_name(str(a["name"])) for a in book.get("authors") or []
                      if isinstance(a, dict) and a.get("name")),
        year=year_of(book.get("publish_date")),
        container=publishers[0] if publishers else None,
        type="book",
    )


class OpenLibrarySource(Source):
    name = "openlibrary"
    label = "Open Library"

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        return False  # identifiers only

    def identifiers(self, ref: Reference) -> list[str]:
        found = isbn(ref)
        return [found] if found else []

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        def fetch(chunk: list[str]) -> tuple[dict[str, Record | None] | None, bool]:
            reply = self.http.get_json(f"{self.base}/api/books", {
                "bibkeys": ",".join(f"ISBN:{i}" for i in chunk),
                "format": "json", "jscmd": "data"})
            if reply_failed(reply):
                return None, True
            if reply.code != 200 or not isinstance(reply.data, dict):
                return {}, reply.code != 400 and reply.code != 404
            out: dict[str, Record | None] = {}
            for ident in chunk:
                book = reply.data.get(f"ISBN:{ident}")
                if isinstance(book, dict):
                    out[ident] = record_from_book(book)
            return out, False

        return lookup_in_batches(idents, BATCH, fetch)
