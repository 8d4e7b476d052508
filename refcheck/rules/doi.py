"""DOI rules (RC601–649): does each DOI exist, and is it the cited work's?

Lookups are batched for the whole run by :mod:`refcheck.net.services`.  A DOI
unknown to Crossref is asked of the DOI proxy (DataCite, mEDRA and the other
agencies register DOIs too) before it is called missing; when a registry
cannot be reached nothing is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from refcheck.model import Category, Document, Severity
from refcheck.net.locate import locate
from refcheck.rules.base import Context, Hit, rule


@rule(
    code="RC601",
    name="doi-not-found",
    category=Category.DOI,
    severity=Severity.ERROR,
    summary="A cited DOI is registered nowhere.",
    network=True,
)
def doi_not_found(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Looks every DOI of the references up at Crossref (in batches) and, for
    those Crossref does not hold, at the DOI proxy's handle API
    (`--doi-resolver`).  Reports DOIs that neither knows.  DOI links
    (`https://doi.org/…`, `dx.doi.org`, `doi:`) are checked this way too.

    Why it matters:
    A DOI that resolves nowhere is a typo, a DOI that was never registered,
    or a fabricated reference; readers cannot reach the work through it.

    Example:
    `doi:10.7554/eLife.01567x` gives
    `RC601 DOI 10.7554/elife.01567x is not registered (not at Crossref, not at the DOI proxy)`.
    """
    services = ctx.services
    if services is None:
        return
    from refcheck.net.services import reference_dois

    for ref in doc.entries():
        for doi in reference_dois(ref):
            info = services.doi(doi)
            if info is None or info.state != "missing" or services.notices(doi):
                continue
            start, end = locate(ref, doi, "doi")
            yield Hit(start, end,
                      f"DOI {doi} is not registered (not at Crossref, not at the DOI proxy)",
                      reference=ref, status="404")


@rule(
    code="RC602",
    name="doi-other-work",
    category=Category.DOI,
    severity=Severity.ERROR,
    summary="A cited DOI belongs to a different work.",
    network=True,
)
def doi_other_work(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Compares the reference with the record of its DOI and reports the DOI
    when the title bears no resemblance to the record's and the first author
    (or, without authors, the year) disagrees as well.  When a registry search
    (`--sources`) finds the cited work itself, its DOI is the suggestion.

    Why it matters:
    A DOI copied from the neighbouring entry or mistyped by one digit often
    still resolves, to someone else's paper; readers and citation indexes
    then credit the wrong work.

    Example:
    A reference to Smith, "Coral reef decline", 2012, with a DOI whose record
    is Kuschel and Reiss, "Charges ride the spin wave", 2014, gives
    `RC602 DOI 10.1038/nnano.2014.279 is registered for another work: …`.
    """
    services = ctx.services
    if services is None:
        return
    for ref in doc.entries():
        found = services.wrong_doi(ref)
        if found is None:
            continue
        doi, record = found
        title = (record.get("title") or ["?"])[0]
        authors = ", ".join(str(a.get("family", "")) for a in (record.get("author") or [])[:3])
        start, end = locate(ref, doi, "doi")
        # When the cited work itself can be found (by search, in any registry), its DOI.
        right = services.right_doi(ref) if hasattr(services, "right_doi") else None
        hint = f"; the cited work is {right}" if right else ""
        yield Hit(start, end,
                  f"DOI {doi} is registered for another work: '{title}' ({authors}){hint}",
                  reference=ref, field="title", suggestion=right)


@rule(
    code="RC603",
    name="doi-available",
    category=Category.DOI,
    severity=Severity.INFO,
    summary="A reference without a DOI matches a registered work that has one.",
    network=True,
)
def doi_available(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    For references that give no DOI, asks Crossref's bibliographic search
    and suggests the DOI of the best candidate only when it is confirmed
    field by field: nearly the same title, the same year and the same first
    author.  Otherwise it stays silent: a wrong DOI is worse than none.

    Why it matters:
    A DOI makes a reference findable for good and lets the other checks
    verify it against the registry.

    Example:
    `Kuschel, T. and Reiss, G. (2014) Charges ride the spin wave. Nature
    Nanotechnology 10(1)` suggests `10.1038/nnano.2014.279`.
    """
    services = ctx.services
    if services is None:
        return
    for ref in doc.entries():
        if ref.kind != "entry" and ref.kind != "footnote":
            continue
        doi = services.suggest_doi(ref)
        if doi is None:
            continue
        start, end = locate(ref, ref.title, "title")
        yield Hit(start, end, f"reference has no DOI; the registry has it as {doi}",
                  suggestion=doi, reference=ref)


RULES = (doi_not_found, doi_other_work, doi_available)
