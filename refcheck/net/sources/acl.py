"""ACL Anthology: papers of ACL, EMNLP, NAACL, TACL and their workshops, by anthology ID.

The anthology has no query API; every paper page has a BibTeX export at
``https://aclanthology.org/{id}.bib`` (the "Cite" → "BibTeX" link of each paper
page, aclanthology.org/info/ids/ for the IDs), which is what is asked here:
``{id}.bib`` answers one ``@inproceedings``/``@article`` entry with ``title``,
``author`` ("Family, Given and …"), ``booktitle``/``journal``, ``year``,
``pages``, ``url`` and ``doi`` (10.18653/v1/{id} since 2017), or 404 for an ID
that does not exist.  IDs come from anthology URLs and 10.18653/v1 DOIs
(:func:`refcheck.net.identifiers.acl_id`); the entry is read by refcheck's own
BibTeX parser.  One request per ID, cached, at most two at a time (the
anthology is a static site served by a small team).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from refcheck.model import Reference, SourceText
from refcheck.net.crossref import normalise_doi
from refcheck.net.identifiers import acl_id
from refcheck.net.sources import Record, Source, fetch_text, lookup_each, reply_failed

WORKERS = 2


def record_from_bibtex(ident: str, text: str) -> Record | None:
    """The first entry of an anthology BibTeX export in the shared shape."""
    from refcheck.parsers.bibtex import parse

    try:
        entries = list(parse(SourceText(f"{ident}.bib", text)).entries())
    except Exception:  # an unreadable export is "no record", never a crash
        return None
    if not entries or not entries[0].title:
        return None
    ref = entries[0]
    return Record(
        source="acl",
        ident=ident,
        title=ref.title,
        authors=tuple((a.family, a.given) for a in ref.authors if a.family),
        year=ref.year,
        container=ref.container,
        volume=ref.volume,
        issue=ref.issue,
        pages=ref.pages,
        doi=normalise_doi(ref.doi) if ref.doi else None,
        type="journal-article" if (ref.entry_type or "").lower() == "article"
        else "proceedings-article",
    )


class AclAnthologySource(Source):
    name = "acl"
    label = "ACL Anthology"

    def holds(self, ref: Reference, registry_shaped: bool) -> bool:
        return False  # identifiers only: the anthology has no search API

    def identifiers(self, ref: Reference) -> list[str]:
        found = acl_id(ref)
        return [found] if found else []

    def _one(self, ident: str) -> tuple[Record | None, bool]:
        reply, text = fetch_text(self.http, f"{self.base}/{quote(ident)}.bib", {},
                                 "application/x-bibtex, text/plain")
        if reply_failed(reply):
            return None, True
        if reply.code == 200 and text is not None:
            return record_from_bibtex(ident, text), False
        return None, False

    def lookup(self, idents: Iterable[str]) -> tuple[dict[str, Record | None], set[str]]:
        return lookup_each({i for i in idents if i}, WORKERS, self._one)
