"""Metadata (RC701–749) and retraction (RC801–819) rules: the reference against its record.

Each reference with a DOI that Crossref holds is compared field by field by
:func:`refcheck.net.compare.compare`; one rule per field lets a project
silence, say, page checks without losing year checks.  Findings name the
field, the cited value and the registry's value, which is the suggestion.
"""

from __future__ import annotations

from collections.abc import Iterator

from refcheck.model import Category, Document, Fix, Severity
from refcheck.net.locate import locate
from refcheck.rules.base import Context, Hit, Rule, rule


def _field_hits(doc: Document, ctx: Context, field: str) -> Iterator[Hit]:
    services = ctx.services
    if services is None:
        return
    for ref in doc.entries():
        for d in services.discrepancies(ref):
            # Slips in a title or journal name are typos (RC104), not a metadata mismatch.
            if d.field != field or d.kind == "slip":
                continue
            start, end = locate(ref, d.cited if field != "authors" else None, field)
            if field == "authors" and ref.authors:
                start, end = locate(ref, ref.authors[0].family, field)
            yield Hit(start, end, d.message, suggestion=d.registry, field=field, reference=ref,
                      )


def _metadata_rule(code: str, field: str, what: str, example: str) -> Rule:
    def check(doc: Document, ctx: Context) -> Iterator[Hit]:
        return _field_hits(doc, ctx, field)

    check.__doc__ = f"""What it does:
    Compares the cited {what} with the registry record of the reference's DOI
    (or, without one, the record the existence check matched in any source) and
    reports a difference, with the registry's value as suggestion.

    Why it matters:
    A wrong {what} sends readers to the wrong place and makes the reference
    look careless; citation indexes may fail to link it.

    Example:
    {example}
    """
    return rule(
        code=code,
        name=f"metadata-{field}",
        category=Category.METADATA,
        severity=Severity.WARNING,
        summary=f"The cited {what} differs from the registry record.",
        network=True,
    )(check)


metadata_year = _metadata_rule(
    "RC701", "year", "year",
    "Kuzio (2009) in a volume the registry dates 2000 gives "
    "`RC701 cited year 2009, registry has 2000` (suggestion 2000). Either the print "
    "or the online year is accepted.")
metadata_volume = _metadata_rule(
    "RC702", "volume", "volume", "`vol. 13` where the record has volume 31 suggests `31`.")
metadata_issue = _metadata_rule(
    "RC703", "issue", "issue",
    "`no. 4` where the record has issue 2 suggests `2`; `3` within a double issue `3-4` is "
    "accepted.")
metadata_pages = _metadata_rule(
    "RC704", "pages", "page range",
    "`pp. 126-43` where the record has `126-134` suggests `126-134`; abbreviated ranges "
    "(`126-34`), en dashes and article numbers are normalised first.")
metadata_title = _metadata_rule(
    "RC705", "title", "title",
    "A title that differs a lot from the record's says the DOI may be wrong, with the "
    "registry's title as suggestion; one or two slips are typos (RC104). A title near the "
    "record's with a word changed, added or dropped (`… Augmentation towards Model "
    "Debiasing` for `… for Model Debiasing`) is reported with the words that differ; case, "
    "punctuation, hyphenation, LaTeX, inline maths and accents never count. Titles in "
    "another script (a translation) are not compared.")
metadata_container = _metadata_rule(
    "RC706", "container", "journal or book title",
    "`Marine Biology` for a record published in `Nature Nanotechnology` says the DOI may be "
    "wrong; slips such as `Europe-Asia Studie` are typos (RC104), and standard "
    "abbreviations such as `J. Slav. Mil. Stud.` are accepted. Venues are known by name "
    "and acronym (`refcheck/data/venues.tsv`): `NeurIPS` is `Advances in Neural Information "
    "Processing Systems 34`, while `UAI` for a paper the registry places at `International "
    "Conference on Machine Learning` is reported, and so is a journal or conference given "
    "for a work every registry asked knows only as a preprint.")


@rule(
    code="RC104",
    name="registry-spelling",
    category=Category.TYPO,
    severity=Severity.WARNING,
    summary="A title or journal name is one or two slips from the registry's spelling.",
    network=True,
    fix="unsafe",
)
def registry_spelling(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Compares the cited title and journal (or book) title with the registry record
    of the reference's DOI, after normalising case, accents and punctuation, and
    reports a value one or two typed slips (a letter added, dropped, changed or
    two letters swapped) away from the registry's, with the registry's spelling
    as suggestion.

    Why it matters:
    A misspelt title or journal makes the reference look careless and can keep
    search engines and citation indexes from linking it; the registry holds
    the spelling the publisher deposited.

    Example:
    `Charges ride the spin wav` for the record's `Charges ride the spin wave`
    gives `RC104 title 'Charges ride the spin wav' is spelled 'Charges ride the
    spin wave' in the registry`; `Nature Nanotechnolgy` likewise for the journal.

    Fix safety:
    Unsafe: the fix replaces the cited text with the registry's spelling, which
    may differ in capitalisation or markup conventions from the rest of the
    list, and a rare record is itself misspelt. It is offered only where the
    cited value is found as written in the file.
    """
    services = ctx.services
    if services is None:
        return
    for ref in doc.entries():
        for d in services.discrepancies(ref):
            if d.kind != "slip" or d.field not in ("title", "container"):
                continue
            start, end = locate(ref, d.cited, d.field)
            exact = ref.start <= start < end <= ref.end and doc.text[start:end] == d.cited
            fix = Fix(start, end, d.registry, safe=False) if exact else None
            yield Hit(start, end, d.message, suggestion=d.registry, field=d.field,
                      reference=ref, fix=fix)
metadata_authors = _metadata_rule(
    "RC707", "authors", "author list",
    "`Reiss, G. and Kuschel, T.` for a record listing Kuschel first reports the order; "
    "a first author missing from the record, or authors dropped without `et al.`, are "
    "reported too.")


_RETRACTING = {"retraction", "withdrawal", "removal", "partial_retraction",
               "expression_of_concern"}
_CORRECTING = {"correction", "erratum", "corrigendum", "addendum", "clarification"}


def _notice_hits(doc: Document, ctx: Context, kinds: set[str]) -> Iterator[Hit]:
    services = ctx.services
    if services is None:
        return
    from refcheck.net.services import reference_dois
    from refcheck.net.sources.crossref import RETRACTION_WATCH, watch_label

    for ref in doc.entries():
        for doi in reference_dois(ref):
            info = services.doi(doi)
            if info is None or info.state == "unknown":
                continue
            notices = [n for n in services.notices(doi)
                       if str(n.get("type", "")).lower().replace("-", "_") in kinds]
            for update in (info.record or {}).get("updated-by", []) or []:
                if not isinstance(update, dict):
                    continue
                kind = str(update.get("type", "")).lower().replace("-", "_")
                if kind in kinds and str(update.get("DOI", "")).lower() != doi:
                    notices.append({"notice": update.get("DOI"), "type": kind,
                                    "label": update.get("label"),
                                    "source": update.get("source"),
                                    "record-id": update.get("record-id")})
            # The Retraction Watch table (local, no request) also knows works whose
            # publisher never deposited a notice.
            for entry in services.watch_entries(doi) or []:
                if entry.kind in kinds:
                    notices.append({"notice": entry.notice_doi or f"record {entry.record_id}",
                                    "type": entry.kind, "label": entry.nature,
                                    "source": RETRACTION_WATCH,
                                    "record-id": entry.record_id})
            # A notice asserted by both the publisher and Retraction Watch is one notice;
            # the Retraction Watch entry is kept for its record id.
            notices.sort(key=lambda n: n.get("source") != RETRACTION_WATCH)
            seen: set[str] = set()
            for n in notices:
                key = str(n.get("notice", "")).lower()
                if key in seen:
                    continue
                seen.add(key)
                label = str(n.get("label") or n.get("type") or "update").replace("_", " ")
                start, end = locate(ref, doi, "doi")
                by = f" (recorded by {watch_label(n)})" if n.get("source") == RETRACTION_WATCH \
                    else ""
                yield Hit(start, end,
                          f"{doi}: {label.lower()} published as {n.get('notice')}{by}",
                          reference=ref, suggestion=None)


@rule(
    code="RC801",
    name="retracted",
    category=Category.RETRACTION,
    severity=Severity.ERROR,
    summary="The cited work has been retracted or withdrawn, or has an expression of concern.",
    network=True,
)
def retracted(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Asks Crossref for editorial notices that update each cited DOI (the
    `update-to` of retraction notices, and the record's own `updated-by`,
    which also carries the Retraction Watch database's entries) and reports
    retractions, withdrawals, removals and expressions of concern.

    Why it matters:
    Citing a retracted paper as support spreads results its own publisher
    no longer stands behind.

    Example:
    Citing `10.1371/journal.pone.0090062`, retracted by
    `10.1371/journal.pone.0210896`, gives
    `RC801 10.1371/journal.pone.0090062: retraction published as 10.1371/journal.pone.0210896`.
    """
    return _notice_hits(doc, ctx, _RETRACTING)


@rule(
    code="RC802",
    name="corrected",
    category=Category.RETRACTION,
    severity=Severity.INFO,
    summary="The cited work has a published correction.",
    network=True,
)
def corrected(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reports cited DOIs that a correction, erratum, corrigendum, addendum or
    clarification updates.

    Why it matters:
    The corrected version may change the point being cited; it is worth a
    look, not an alarm.

    Example:
    Citing `10.1371/journal.pone.0109449` gives
    `RC802 10.1371/journal.pone.0109449: correction published as 10.1371/journal.pone.0117653`.
    """
    return _notice_hits(doc, ctx, _CORRECTING)


RULES = (
    registry_spelling, metadata_year, metadata_volume, metadata_issue, metadata_pages,
    metadata_title, metadata_container, metadata_authors, retracted, corrected,
)
