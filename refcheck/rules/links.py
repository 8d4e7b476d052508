"""Link rules (RC501–549): is every cited URL still there?

The checking itself happens in :mod:`refcheck.net` (all URLs of the run at
once, concurrently, cached, behind the address guard); these rules only turn
its typed results into findings.  DOI links (doi.org, dx.doi.org, ``doi:``)
are not web links here: the DOI rules check them through the registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from refcheck.model import Category, Document, Fix, Severity
from refcheck.net.locate import locate
from refcheck.rules.base import Context, Hit, rule


def _results(doc: Document, ctx: Context, kind: str) -> Iterator[tuple[Any, str, Any]]:
    services = ctx.services
    if services is None:
        return
    from refcheck.net.services import reference_links

    keep = services.link_filter
    for ref in doc.entries():
        for url in reference_links(ref):
            result = services.link(url)
            # --accept 200,429: a status the user takes as live is no finding.
            if result is not None and result.kind == kind and not keep.accepts(result.status):
                yield ref, url, result


@rule(
    code="RC501",
    name="link-not-found",
    category=Category.LINK,
    severity=Severity.ERROR,
    summary="A cited URL answers 404 or 410, or its host does not exist.",
    network=True,
)
def link_not_found(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Fetches every URL of the references (HEAD, then GET when a server refuses
    HEAD or says the page is gone) and reports those that answer 404 Not
    Found or 410 Gone, and those whose host name does not exist in DNS.

    Why it matters:
    A reader who follows a dead link cannot check the source.  These answers
    are definite: unlike a timeout they do not go away when retried.

    Example:
    `https://example.org/report-2019.pdf` answering 404 gives
    `RC501 link https://example.org/report-2019.pdf is dead (HTTP 404)`.
    """
    for ref, url, result in _results(doc, ctx, "dead"):
        start, end = locate(ref, url, "url")
        what = "its host does not exist" if result.status == "dns" else f"HTTP {result.status}"
        yield Hit(start, end, f"link {url} is dead ({what})", reference=ref, url=url,
                  status=result.status, severity=Severity.ERROR)


@rule(
    code="RC502",
    name="link-unreachable",
    category=Category.LINK,
    severity=Severity.WARNING,
    summary="A cited URL could not be fetched (timeout, server error, rate limit, 403).",
    network=True,
)
def link_unreachable(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reports URLs whose check ended without a definite answer: a timeout, a
    server error or 429 still there after retries (honouring Retry-After), a
    403 (often a site blocking automated checks), a refused or reset
    connection, a TLS failure or a redirect loop.  The message says which.

    Why it matters:
    The link may be dead, or the site may be having a bad minute: flaky CI is
    the first complaint about link checkers, so these are warnings, and
    errors only with `--strict-links`.

    Example:
    A host that does not answer within `--timeout` gives
    `RC502 link https://slow.example.org/ could not be checked: timeout`.
    """
    strict = bool(getattr(ctx.services, "strict_links", False))
    for ref, url, result in _results(doc, ctx, "transient"):
        start, end = locate(ref, url, "url")
        detail = result.detail or result.status
        yield Hit(start, end, f"link {url} could not be checked: {detail}", reference=ref,
                  url=url, status=result.status,
                  severity=Severity.ERROR if strict else Severity.WARNING,
                  transient=not strict)


@rule(
    code="RC503",
    name="link-moved",
    category=Category.LINK,
    severity=Severity.INFO,
    summary="A cited URL permanently redirects to a new address.",
    network=True,
    fix="unsafe",
)
def link_moved(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reports URLs that answer with a permanent redirect (301 or 308, followed
    one hop at a time) to an address that works, and suggests the new one.

    Why it matters:
    Permanent redirects are how sites say an address changed; the old one
    tends to break in the next site migration.

    Example:
    `http://example.org/paper` redirecting for good to
    `https://example.org/papers/1` suggests the latter.

    Fix safety:
    Unsafe: the new address is what the server says today; a redirect to a
    login or home page would replace a precise link with a vague one, so a
    person should look before accepting it.
    """
    for ref, url, result in _results(doc, ctx, "ok"):
        if not result.moved_to or result.moved_to == url:
            continue
        start, end = locate(ref, url, "url")
        exact = doc.text[start:end] == url
        fix = Fix(start, end, result.moved_to, safe=False) if exact else None
        yield Hit(start, end, f"link {url} has moved permanently to {result.moved_to}",
                  suggestion=result.moved_to, reference=ref, url=url, status="301",
                  fix=fix, severity=Severity.INFO)


@rule(
    code="RC504",
    name="link-blocked",
    category=Category.LINK,
    severity=Severity.WARNING,
    summary="A cited URL points at a private or local address and was not fetched.",
    network=True,
)
def link_blocked(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reports URLs that the address guard refused: a scheme other than http(s),
    or a host that resolves to loopback, private, link-local, multicast or
    reserved space (also when reached through a redirect).  `--allow-host`
    and `--allow-private-hosts` permit them.

    Why it matters:
    A linter that runs on pull requests must not fetch
    `http://169.254.169.254/` (cloud credentials) or intranet pages on
    anyone's behalf; and a reader outside that network cannot open the link.

    Example:
    `http://10.0.0.5/report.pdf` gives
    `RC504 link http://10.0.0.5/report.pdf was not fetched: private address`.
    """
    for ref, url, result in _results(doc, ctx, "blocked"):
        start, end = locate(ref, url, "url")
        why = result.detail or "private or local address"
        yield Hit(start, end, f"link {url} was not fetched: {why}", reference=ref, url=url,
                  status="blocked", severity=Severity.WARNING)


RULES = (link_not_found, link_unreachable, link_moved, link_blocked)
