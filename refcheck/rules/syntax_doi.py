"""RC001 malformed-doi: finding DOIs in a reference's text and judging their form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from refcheck.model import Category, Document, Fix, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.rules.syntax_regions import _DOI_HINT, _Region, _regions
from refcheck.text.patterns import lazy_re

# --------------------------------------------------------------------------
# DOIs

# A DOI: "10." + registrant code (4–9 digits, optionally subdivided) + "/" + suffix.
_DOI_VALID = lazy_re(r"10\.\d{4,9}(?:\.\d+)*/\S+")
# A shortDOI (shortdoi.org): "10/cn2h9c", an alias the DOI resolver answers for a
# full DOI; valid as a DOI field or a resolver path though it has no registrant.
_SHORT_DOI = lazy_re(r"(?:10/)?[a-z0-9]{4,12}", re.IGNORECASE)
# Where a DOI is announced: a resolver URL (possibly with a stray "doi:" after it)
# or a "doi:" / "DOI" label.  The trailing whitespace is part of the match so that
# "https://doi.org/ 10.1016/..." is seen as one DOI broken by a space.
_DOI_URL = lazy_re(
    r"(?i)(?<![\w.])(?:https?://)?(?:dx\.|www\.)?doi\.org/(?P<gap>[ \t]{0,2}(?:doi:[ \t]?)?)"
)
_DOI_LABEL = lazy_re(r"(?i)(?<![\w.])doi(?![\w.])[ \t]*:?[ \t]{0,2}")
# The DOI body after a resolver or label: the breaks that line and PDF
# extraction insert (after "10.", around the "/") are allowed, and reported.
_DOI_BODY = lazy_re(
    r"10(?P<dot>\.[ \t]?)(?P<reg>\d+(?:\.\d+)*)(?P<slash>[ \t]?/[ \t]?)"
    r"(?P<sfx>[^\s\"<>{}“”«»]*)"
)
# A bare DOI in running text: only the strict shape, never with spaces, and not
# in the middle of a URL path (publisher URLs embed DOIs; those are URLs).
_DOI_BARE = lazy_re(r"(?<![\w/.:%-])10\.\d{4,9}(?:\.\d+)*/[^\s\"<>{}“”«»]+")
# A last token that continues a DOI cut by a space: letters and digits mixed,
# then nothing but closing punctuation up to the end of the reference.
_DOI_TAIL = lazy_re(r"[ \t](?P<tok>[A-Za-z0-9][\w.-]*)[.,;]?\s*$")
# What follows a resolver or a label when it is not a DOI body.
_TOKEN = lazy_re(r"[^\s\"<>{}“”«»]+")
_DOI_PREFIX_LABEL = lazy_re(r"(?i)doi:[ \t]?")
_DIGIT = lazy_re(r"\d")
_LETTER = lazy_re(r"[A-Za-z]")
_ALNUM = lazy_re(r"[A-Za-z0-9]")
_TRAILING = ".,;:!?"


def _strip_trailing(s: str) -> str:
    """Drop sentence punctuation and closing brackets that do not belong to ``s``."""
    while s:
        last = s[-1]
        opener = "(" if last == ")" else "["
        unmatched = last in ")]" and s.count(last) > s.count(opener)
        # "*" closes Markdown emphasis around a link: "*[title](https://x.org/)*".
        if last not in _TRAILING and last not in "'’*" and not unmatched:
            break
        s = s[:-1]
    return s


@dataclass(frozen=True)
class _DoiHit:
    """A DOI problem found in one region's text."""

    start: int  # offsets into the region text
    end: int
    message: str
    suggestion: str | None
    safe: bool


def _may_hold_doi(region: _Region) -> bool:
    """Whether :func:`_scan_dois` can find anything in ``region``."""
    if region.field is not None and region.field.lower() == "doi":
        return True  # a doi field is judged even when it holds no DOI at all
    return _DOI_HINT.search(region.text) is not None


def _scan_dois(region: _Region) -> Iterator[_DoiHit]:
    """Malformed DOIs in a region, each with the corrected text when mechanical."""
    t = region.text
    taken: list[tuple[int, int]] = []

    def free(i: int) -> bool:
        return not any(a <= i < b for a, b in taken)

    for m in _DOI_URL.finditer(t):
        if not free(m.start()):
            continue
        body = _DOI_BODY.match(t, m.end())
        gap = m.group("gap")
        if body is None:
            # A resolver link whose path is not a DOI at all.
            path_m = _TOKEN.match(t, m.end())
            end = path_m.end() if path_m else m.end()
            path = _strip_trailing(t[m.end() : end])
            end = m.end() + len(path)
            if path and not _DOI_VALID.fullmatch(unquote(path)) and not _is_short_doi(path):
                taken.append((m.start(), end))
                yield _DoiHit(
                    m.start(),
                    end,
                    f"'{t[m.start() : end]}' is a DOI link whose path is not a DOI "
                    "(a DOI starts with '10.', a registrant code and '/')",
                    None,
                    False,
                )
            continue
        yield from _check_doi_body(region, m.start(), body, gap, taken, url_prefix=True)

    for m in _DOI_LABEL.finditer(t):
        if not free(m.start()):
            continue
        body = _DOI_BODY.match(t, m.end())
        if body is None:
            # "doi: 1016/j.x": something DOI-shaped that lacks the "10." directory.
            tok = _TOKEN.match(t, m.end())
            if tok and "/" in tok.group() and _DIGIT.match(tok.group()):
                value = _strip_trailing(tok.group())
                if value.startswith("10/") and _is_short_doi(value):
                    continue
                taken.append((tok.start(), tok.start() + len(value)))
                yield _DoiHit(
                    tok.start(),
                    tok.start() + len(value),
                    f"'{value}' follows a DOI label but is not a DOI: a DOI begins with '10.'",
                    None,
                    False,
                )
            continue
        yield from _check_doi_body(region, body.start(), body, "", taken, url_prefix=False)

    for m in _DOI_BARE.finditer(t):
        if not free(m.start()):
            continue
        yield from _check_doi_body(
            region, m.start(), _DOI_BODY.match(t, m.start()), "", taken, url_prefix=False, bare=True
        )

    if region.field is not None and region.field.lower() == "doi":
        # A DOI field that holds no DOI at all.
        value = t.strip()
        if (
            value
            and not any(a < len(t) and b > 0 for a, b in taken)
            and not _DOI_VALID.search(t)
            and not (value.startswith("10/") and _is_short_doi(value))
        ):
            lead = len(t) - len(t.lstrip())
            yield _DoiHit(
                lead,
                lead + len(value),
                f"the doi field '{value}' is not a DOI (expected 10.<registrant>/<suffix>)",
                None,
                False,
            )


def _is_short_doi(value: str) -> bool:
    """Whether ``value`` is a shortDOI: "10/cn2h9c", or "cn2h9c" as a resolver path.

    A bare code must mix letters and digits: a resolver path of one word
    ("doi.org/about") is no DOI of any kind.
    """
    if not _SHORT_DOI.fullmatch(value):
        return False
    code = value[3:] if value.startswith("10/") else value
    return value.startswith("10/") or bool(_LETTER.search(code) and _DIGIT.search(code))


def _check_doi_body(
    region: _Region,
    start: int,
    body: re.Match[str] | None,
    gap: str,
    taken: list[tuple[int, int]],
    *,
    url_prefix: bool,
    bare: bool = False,
) -> Iterator[_DoiHit]:
    """Judge one DOI whose body (``10.…``) matched at ``body``; ``start`` begins the report."""
    if body is None:
        return
    t = region.text
    sfx = body.group("sfx")
    # In a field holding only the DOI, trailing punctuation is part of the value
    # (and wrong); in running text it ends the sentence.
    kept = sfx if region.single_value else _strip_trailing(sfx)
    end = body.start("sfx") + len(kept)
    if region.single_value and t[end:].strip():
        kept = sfx  # the field holds more than the DOI; leave that to other checks
    taken.append((start, end))
    written = t[start:end]
    prefix = t[start : body.start()]  # resolver URL (with gap) or ""
    reg = body.group("reg")
    problems: list[str] = []
    suggestion: str | None = None
    safe = True

    spaced = any(c in body.group("dot") + body.group("slash") + gap for c in " \t")
    clean_prefix = _DOI_PREFIX_LABEL.sub("", prefix).replace(" ", "").replace("\t", "")
    doi = "10." + reg + "/" + kept
    if "doi:" in gap.lower():
        problems.append("a DOI link repeats the 'doi:' label after the resolver")
    if spaced:
        problems.append("the DOI is broken by whitespace")

    # A DOI cut by a space inside its suffix ("10.25007/ajnu.v12 n2a1754."): only
    # when the rest of the reference is one token mixing letters and digits.
    tail = None
    if region.field is None and kept == sfx and kept and kept[-1].isalnum():
        tail = _DOI_TAIL.match(t, end)
        if tail is not None:
            tok = _strip_trailing(tail.group("tok"))
            mixed = _LETTER.search(tok) and _DIGIT.search(tok)
            if not mixed or tok.lower().startswith(("doi", "http", "www", "pmid", "isbn")):
                tail = None
            else:
                problems.append(f"the DOI seems cut by a space before '{tok}'")
                end = tail.start("tok") + len(tok)
                doi += tok
                safe = False
                taken[-1] = (start, end)
                written = t[start:end]

    if not 4 <= len(reg.split(".")[0]) <= 9:
        if bare:
            return  # "10.12/3" in running text is rarely a DOI; say nothing
        problems.append(f"the registrant code '{reg}' must have 4 to 9 digits")
        suggestion = None
        safe = False
    elif not kept:
        problems.append("the DOI has no suffix after '/'")
        safe = False
    elif region.single_value and kept != _strip_trailing(kept):
        stripped = _strip_trailing(kept)
        problems.append(f"the DOI ends with punctuation '{kept[len(stripped) :]}'")
        doi = "10." + reg + "/" + stripped
        safe = False  # a DOI may (rarely) end in punctuation
    if not problems:
        return
    if problems[-1].startswith(("the registrant", "the DOI has no suffix")):
        suggestion = None
    else:
        suggestion = (clean_prefix if url_prefix else "") + doi
    yield _DoiHit(
        start,
        end,
        f"malformed DOI '{written}': " + "; ".join(problems),
        suggestion,
        safe and suggestion is not None,
    )


def _doi_hits(region: _Region) -> Iterator[Hit]:
    """RC001 in one region."""
    for h in _scan_dois(region):
        start, end = region.at(h.start, h.end)
        suggestion = h.suggestion if region.exact else None
        fix = None if suggestion is None else Fix(start, end, suggestion, h.safe)
        yield Hit(
            start,
            end,
            h.message,
            suggestion=suggestion,
            field=region.field,
            reference=region.ref,
            fix=fix,
        )


@rule(
    code="RC001",
    name="malformed-doi",
    category=Category.SYNTAX,
    severity=Severity.ERROR,
    summary="A DOI that does not have the shape 10.<registrant>/<suffix>.",
    fix="safe",
)
def malformed_doi(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Finds DOIs in each reference — after a `doi:`/`DOI` label, in a
        `doi.org` or `dx.doi.org` link, bare `10.NNNN/…` strings and BibTeX
        or CSL `doi` fields — and reports those that are not
        `10.<4–9 digits>(.<digits>)*/<suffix>`: a DOI broken by a space
        (`10. 48550/arXiv…`, `https://doi.org/ 10.1016/…`), a suffix cut in
        two by a space at the end of a reference, a registrant code with the
        wrong number of digits, an empty suffix, a `doi.org/doi:` link, a
        `doi` field that holds something else, or one that ends in punctuation.
        A shortDOI (`10/cn2h9c`, an alias the resolver answers) is a DOI.

    Why it matters:
        A broken DOI does not resolve: readers land on an error page and
        reference managers cannot import the work.  Spaces inside DOIs are the
        usual trace of copying from a PDF.

    Example:
        `doi: 10. 48550/arXiv.2303.08774` → `10.48550/arXiv.2303.08774`;
        `https://doi.org/ 10.1016/j.neuroimage.2017.10.034` →
        `https://doi.org/10.1016/j.neuroimage.2017.10.034`.

    Fix safety:
        Removing a space after `10.`, around the `/`, or between `doi.org/`
        and the DOI is safe: a DOI never contains whitespace there.  Joining a
        token that follows the DOI after a space, and removing trailing
        punctuation from a `doi` field, are only suggested (unsafe).
    """
    covered: list[tuple[int, int]] = []
    for region in _regions(doc):
        if _may_hold_doi(region):
            for hit in _doi_hits(region):
                covered.append((hit.start, hit.end))
                yield hit
    # A DOI the parser recorded whose text the scan above could not judge (it
    # does not start with "10." or a resolver): report it where it is written.
    for ref in doc.references:
        if ref.format == "csl-json":
            continue  # its DOIs are fields, scanned above (decoded)
        if not ref.doi and not ref.dois:
            continue  # most references: spare building the set below
        for value in dict.fromkeys(d.strip() for d in [ref.doi, *ref.dois] if d):
            if _DOI_VALID.fullmatch(value) or _DOI_BODY.match(value) or _is_short_doi(value):
                continue
            if value.lower().startswith(("http", "doi", "dx.")):
                continue
            i = ref.raw.find(value)
            if i < 0:
                continue
            start = ref.start + i
            if any(a <= start < b for a, b in covered):
                continue
            yield Hit(
                start,
                start + len(value),
                f"'{value}' is recorded as this reference's DOI but is not a DOI "
                "(expected 10.<registrant>/<suffix>)",
                field="doi",
                reference=ref,
            )
