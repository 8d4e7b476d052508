"""Existence rules (RC851–869): does every cited work exist in some registry?

The verdicts come from :mod:`refcheck.net.verify` through the run's services:
identifiers first, searches only when needed, every request cached.  Two
rules, so that a project can silence the info-level "unverifiable" reports on
grey literature without losing the warnings.  Two companions in other
families read the same verdicts: a registry match whose authors differ
(metadata, RC708) and a retraction flagged by OpenAlex or PubMed that Crossref
carries no notice for (retraction, RC803).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from refcheck.model import Category, Document, Reference, Severity
from refcheck.net.locate import locate
from refcheck.rules.base import Context, Hit, rule


def _verdicts(doc: Document, ctx: Context) -> Iterator[tuple[Reference, Any]]:
    services = ctx.services
    if services is None or not hasattr(services, "verdict"):
        return
    for ref in doc.entries():
        v = services.verdict(ref)
        if v is not None:
            yield ref, v


def _where(ref: Reference) -> tuple[int, int]:
    return locate(ref, ref.title, "title")


def _asked(v: Any) -> str:
    return ", ".join(v.asked) if v.asked else "no registry"


@rule(
    code="RC851",
    name="work-not-found",
    category=Category.EXISTENCE,
    severity=Severity.WARNING,
    summary="No registry consulted holds a work that registries should hold.",
    network=True,
)
def work_not_found(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Looks each reference up in the configured registries (`--sources`:
    Crossref, OpenAlex, arXiv, PubMed, DBLP), by DOI, arXiv ID or PMID first
    and by bibliographic search only when no identifier answered, and matches
    the records field by field (title, first author, year within one,
    container).  Reports a journal article with a volume or issue, a
    conference paper, or a reference with a DOI, arXiv ID or PMID that no
    registry holds.  A registry that could not be reached never makes a
    reference "not found": the run says so once instead.

    Why it matters:
    Fabricated references (real authors, a real journal, plausible volume and
    pages, a title nobody published) are invisible to a spelling check; only
    a registry can tell that the work does not exist.

    Example:
    `Walt, S. M. (1987) Alliance dynamics in small-state security. International
    Security 12(2): 44-61.` gives `RC851 journal article not found in Crossref,
    OpenAlex, PubMed, DBLP: check that it exists (possibly fabricated)`.
    """
    for ref, v in _verdicts(doc, ctx):
        if v.verdict != "not-found":
            continue
        start, end = _where(ref)
        extra = ""
        if v.other_work is not None and v.other_work.title:
            extra = f"; its identifier belongs to '{v.other_work.title}'"
        yield Hit(start, end,
                  f"{v.kind} not found in {_asked(v)}: check that it exists "
                  f"(possibly fabricated){extra}",
                  reference=ref, field="title")


@rule(
    code="RC852",
    name="work-unverifiable",
    category=Category.EXISTENCE,
    severity=Severity.INFO,
    summary="A book, report, thesis, law, news item or web page no registry holds.",
    network=True,
)
def work_unverifiable(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reports, for information, references of kinds that registries rarely hold
    (books and chapters, reports and policy papers, theses, laws, news items,
    web pages) when none of the registries asked found them.  The verdict is
    `unverifiable`, never `not-found`.

    Why it matters:
    A reviewer should know which references no registry could vouch for and
    check them by hand; calling a think-tank report or a Russian monograph
    fabricated because Crossref lacks it would be false.

    Example:
    `Olcott M.B. Vtoroi shans Tsentral'noi Azii. Moscow, Carnegie Endowment,
    2005. 487 p.` gives `RC852 book not found in Crossref (registries rarely
    hold this kind of work): unverifiable, check it by hand`.  (OpenAlex's
    metered search is not spent on such works; identifiers are still looked up.)
    """
    for ref, v in _verdicts(doc, ctx):
        if v.verdict != "unverifiable":
            continue
        start, end = _where(ref)
        yield Hit(start, end,
                  f"{v.kind} not found in {_asked(v)} (registries rarely hold this kind of "
                  f"work): unverifiable, check it by hand",
                  reference=ref, field="title")


@rule(
    code="RC708",
    name="metadata-authors-found",
    category=Category.METADATA,
    severity=Severity.WARNING,
    summary="A registry holds the cited title under other authors.",
    network=True,
)
def authors_found(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    For references matched by search or by an identifier other than a DOI
    Crossref holds (those are RC707's), reports a first author who is not
    among the authors of the registry record the reference matched; the
    registry's authors are the suggestion.  The match needs a long, nearly
    identical title and the same year, so a common title is not enough.

    Why it matters:
    A real title under the wrong names is a typical chimera of generated
    bibliographies, and credits the wrong people.

    Example:
    `Smith, J. (2014) Charges ride the spin wave. Nature Nanotechnology 10: 22-24`
    gives `RC708 the registry (Crossref) lists this work under Kuschel, Reiss, not Smith`
    with suggestion `Kuschel, Reiss`.
    """
    services = ctx.services
    for ref, v in _verdicts(doc, ctx):
        m = v.match
        if m is None or "authors" not in m.disagreeing:
            continue
        if any(d.field == "authors" for d in services.discrepancies(ref)):
            continue  # RC707 reports it, from the same record
        names = [f for f, _ in m.record.authors]
        shown = ", ".join(names[:6]) + (" et al." if len(names) > 6 else "")
        cited = ", ".join(a.family for a in ref.authors if not a.literal)
        first = ref.authors[0].family if ref.authors else None
        start, end = locate(ref, first, "authors")
        label = next((s.label for s in services.sources if s.name == m.record.source),
                     m.record.source)
        yield Hit(start, end,
                  f"the registry ({label}) lists this work under {shown}, not {cited}",
                  suggestion=shown, field="authors", reference=ref)


@rule(
    code="RC803",
    name="retracted-registry",
    category=Category.RETRACTION,
    severity=Severity.ERROR,
    summary="A registry flags the cited work as retracted.",
    network=True,
)
def retracted_registry(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reports references whose matched record is flagged retracted by OpenAlex
    (`is_retracted`), PubMed (publication type "Retracted Publication") or a
    Crossref record's `updated-by` (the publisher's notices and the Retraction
    Watch database's entries), when Crossref has no retraction notice for a
    DOI the reference states (RC801 reports those).

    Why it matters:
    Many retracted works carry no DOI in the citation, or their notice lives
    only in another index; citing them as support spreads withdrawn results.

    Example:
    A reference matched to an OpenAlex work with `is_retracted: true` gives
    `RC803 the cited work is flagged retracted by OpenAlex (W2041540760)`.
    """
    services = ctx.services
    for ref, v in _verdicts(doc, ctx):
        if v.verdict != "retracted" or v.match is None:
            continue
        from refcheck.net.services import RETRACTED_KINDS, reference_dois, watch_keys

        if any(services.doi_retracted(d) for d in reference_dois(ref)):
            continue  # RC801 has it, with the notice
        record = v.match.record
        if not record.retracted:
            # Retracted according to the local Retraction Watch table only.
            entries = [e for e in services.watch_entries(*watch_keys(record)) or []
                       if e.kind in RETRACTED_KINDS]
            if entries:
                start, end = _where(ref)
                notice = f", notice {entries[0].notice_doi}" if entries[0].notice_doi else ""
                yield Hit(start, end,
                          f"the cited work ({record.doi or record.ident}) is retracted "
                          f"according to {entries[0].label}{notice}", reference=ref)
            continue
        label = next((s.label for s in services.sources if s.name == record.source),
                     record.source)
        if record.retracted_by:
            label = f"{record.retracted_by}, through {label}"
        start, end = _where(ref)
        yield Hit(start, end,
                  f"the cited work is flagged retracted by {label} ({record.ident})",
                  reference=ref)


@rule(
    code="RC853",
    name="arxiv-version-missing",
    category=Category.EXISTENCE,
    severity=Severity.WARNING,
    summary="The cited arXiv version does not exist.",
    network=True,
)
def arxiv_version_missing(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reports a reference that cites a version of an arXiv preprint (`2101.00001v5`,
    `10.48550/arXiv.2101.00001v5`, an abs or pdf link) that arXiv does not have;
    the latest version is the suggestion.  arXiv is asked for every cited
    version, also when another registry already matched the work.

    Why it matters:
    A version that never existed is a sign of a citation written from memory or
    generated: the cited text cannot be read, and the identifier looks right.

    Example:
    `Vaswani et al. Attention is all you need. arXiv:1706.03762v9` where arXiv's
    latest is v7 gives `RC853 arXiv has no version v9 of 1706.03762 (the latest
    is v7)` with suggestion `1706.03762v7`.
    """
    for ref, v in _verdicts(doc, ctx):
        if v.missing_version is None:
            continue
        ident, cited, latest = v.missing_version
        at = ref.raw.lower().find(f"{ident}v{cited}".lower())
        if at >= 0:
            start, end = ref.start + at, ref.start + at + len(f"{ident}v{cited}")
        else:
            start, end = _where(ref)
        yield Hit(start, end,
                  f"arXiv has no version v{cited} of {ident} (the latest is v{latest})",
                  suggestion=f"{ident}v{latest}", reference=ref)


RULES = (work_not_found, work_unverifiable, authors_found, retracted_registry,
         arxiv_version_missing)
