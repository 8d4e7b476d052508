"""OpenReview: ICLR, TMLR and workshop papers (and rejected submissions) by note ID.

From the OpenReview API documentation (docs.openreview.net, "Using the API" /
"Getting notes"): ``GET https://api2.openreview.net/notes?id={id}`` answers
``{"notes": [note], "count": n}``; a note has ``id``, ``forum``, ``cdate``/``pdate``
(milliseconds since 1970) and ``content`` whose fields are ``{"value": …}``
objects in API 2 (``title``, ``authors``, ``venue`` such as "ICLR 2023 poster" or
"Submitted to ICLR 2023", ``venueid``), plain values in API 1
(``api.openreview.net``), both read here.  An unknown ID is 404, a note that is
not public 403 (no credentials are sent, so that is "not held", not a refused
key).  IDs come from ``openreview.net/forum?id=…`` and ``/pdf?id=…`` links.

A note whose venue says "Submitted to …", "… Withdrawn …" or "Rejected" was not
published there: it is typed as a preprint, so citing it as an ICLR paper
leads to the same "known only as a preprint" finding as an arXiv-only work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from refcheck.model import Reference
from refcheck.net.identifiers import openreview_id
from refcheck.net.sources import Record, Source, json_object, split_name, strip_markup, year_of

_UNPUBLISHED = re.compile(r"\bsubmitted to\b|\bwithdrawn\b|\brejected\b|\bunder review\b",
                          re.I)
# How the venue string says how a paper was presented, which is not part of its venue.
_PRESENTATION = re.compile(r"\s+(?:poster|oral|spotlight|notable[\w\s%-]*|top[\w\s%-]*)$",
                           re.I)


def _value(content: dict[str, Any], name: str) -> Any:
    value = content.get(name)
    return value.get("value") if isinstance(value, dict) else value


def record_from_note(note: dict[str, Any]) -> Record | None:
    """An OpenReview note (API 1 or 2) in the shared shape."""
    content = json_object(note.get("content"))
    title = _value(content, "title")
    if not title:
        return None
    venue = str(_value(content, "venue") or "").strip()
    year = year_of(venue)
    if year is None:
        stamp = note.get("pdate") or note.get("cdate")
        if isinstance(stamp, (int, float)):
            year = datetime.fromtimestamp(stamp / 1000, tz=timezone.utc).year
    authors = _value(content, "authors") or []
    return Record(
        source="openreview",
        ident=str(note.get("forum") or note.get("id") or ""),
        title=strip_markup(str(title)),
        authors=tuple(split_name(str(a)) for a in authors if isinstance(a, str) and a.strip()),
        year=year,
        container=_PRESENTATION.sub("", venue) or "OpenReview",
        type="preprint" if not venue or _UNPUBLISHED.search(venue)
        else "proceedings-article",
    )


class OpenReviewSource(Source):
    name = "openreview"
    label = "OpenReview"

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        return False  # identifiers only

    def identifiers(self, ref: Reference) -> list[str]:
        found = openreview_id(ref)
        return [found] if found else []

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        found: dict[str, Record | None] = {}
        failed: set[str] = set()
        for ident in sorted({i for i in idents if i}):
            reply = self.http.get_json(f"{self.base}/notes", {"id": ident})
            code = reply.code
            if code is None or code >= 500 or code == 429:
                failed.add(ident)
                continue
            notes = reply.data.get("notes") if code == 200 and isinstance(reply.data, dict) \
                else None
            note = next((n for n in notes or [] if isinstance(n, dict)), None)
            found[ident] = record_from_note(note) if note is not None else None
        return found, failed
