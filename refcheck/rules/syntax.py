"""Syntax rules (RC001–RC049) and the URL-extraction artifact rule RC201.

These rules read the text of each reference as written (``Reference.raw`` for
plain text, the literal field values for BibTeX and CSL-JSON) and the parse
problems a parser left in ``Document.problems``.  They never consult a parser's
internals: what a DOI or URL is, and where it starts and ends, is decided here
from the text itself, so that every finding points at the exact characters.

DOIs and URLs are found by :func:`_scan_dois` and :func:`_scan_urls`; both work
on :class:`_Region` values (a piece of the document text with its offset) so
that one scanner serves every input format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from refcheck.model import Category, Document, DocumentMemo, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule

# --------------------------------------------------------------------------
# Regions: what text of a reference the scanners read


class _Region:
    """A stretch of the document text belonging to one reference (or one field).

    ``text`` is normally ``doc.text[start:end]``; for a JSON string with
    escapes it is the decoded value (``exact`` False), and a finding inside
    it can only point at the whole field.
    """

    # A plain slotted class: a frozen dataclass costs several times more to
    # build, and a large file has tens of thousands of fields.
    __slots__ = ("_urls", "end", "exact", "field", "ref", "single_value", "start", "text")

    def __init__(
        self,
        text: str,
        start: int,  # absolute offsets of the written text
        end: int,
        ref: Reference,
        field: str | None = None,  # the BibTeX/CSL field name, None for a whole text reference
        exact: bool = True,
    ) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.ref = ref
        self.field = field
        self.exact = exact
        # A field that holds exactly one identifier, so its end is the identifier's end.
        self.single_value = field is not None and field.lower() in ("doi", "url")
        self._urls: tuple[_Url, ...] | None = None

    def at(self, i: int, j: int) -> tuple[int, int]:
        """Absolute offsets of ``text[i:j]``."""
        return (self.start + i, self.start + j) if self.exact else (self.start, self.end)

    def urls(self) -> tuple[_Url, ...]:
        """The URLs of the region (RC002, RC201, RC003 and RC004 all need them)."""
        if self._urls is None:
            self._urls = tuple(_scan_urls(self)) if _URL_HINT.search(self.text) else ()
        return self._urls


# Fields that are not part of the printed reference: prose, notes to self, files.
_NOT_PRINTED = frozenset(
    {"abstract", "annote", "annotation", "comment", "comments", "keywords", "file", "review"}
)

# What a region must contain for a rule to find anything in it.  Each is
# implied by the rule's own patterns (a DOI needs "10." or "doi"; a URL or a
# scheme needs "//", "www." or a colon before a slash or backslash), so a
# region without it is skipped with no change in findings; most fields
# ("2001", "Smith, J.") hold none.
_DOI_HINT = re.compile(r"(?i)10\.|doi")
_SCHEME_HINT = re.compile(r"(?i):[/\\]|//|www\.")
_URL_HINT = re.compile(r"(?i)://|www\.")
# Brackets and quotation marks that RC003/RC004 pair: in a field, braces are
# BibTeX syntax and straight quotes delimiters, so neither is paired there.
_TEXT_BRACKETS = re.compile(r"[()\[\]{}]")
_FIELD_BRACKETS = re.compile(r"[()\[\]]")
_TEXT_QUOTES = re.compile(r"[“„«”‟»\"]")
_FIELD_QUOTES = re.compile(r"[“„«”‟»]")


def _any_hint(marks: str) -> re.Pattern[str]:
    """A pattern for any of ``marks`` or any hint of a DOI, URL or scheme above.

    It matches what ``(?i)10\\.|doi|:[/\\\\]|//|www\\.|[marks]`` matches, but
    begins with one character class, so that the regex engine skips the
    characters that start no hint without trying every alternative: two to
    three times faster on the tens of thousands of short fields of a large file.
    """
    m = re.escape(marks)
    return re.compile(
        f"[{m}1dD:/wW]"
        f"(?:(?<=[{m}])|(?<=1)0\\.|(?<=[dD])[oO][iIıİ]|(?<=:)[/\\\\]|(?<=/)/|(?<=[wW])[wW][wW]\\.)"
    )


# Any of the above, for a field and for a whole reference.  ("ı" and "İ" are
# there because ``(?i)i`` matches them.)
_FIELD_HINT = _any_hint("()[]“„«”‟»")
_TEXT_HINT = _any_hint('()[]{}“„«”‟»"')

# The regions of the last few documents, shared by the rules of this module
# (the engine runs a module's rules in one process).
_CACHE_SIZE = 4
_CACHE: DocumentMemo[list[_Region]] = DocumentMemo(_CACHE_SIZE)


def _regions(doc: Document) -> list[_Region]:
    """The regions of ``doc`` in which some rule here may find something.

    Regions holding none of the hints above are left out, except a ``doi``
    field, which is judged even when it holds no DOI at all.
    """
    regions = _CACHE.get(doc)
    if regions is None:
        regions = _CACHE.put(doc, list(_all_regions(doc, hinted_only=True)))
    return regions


def _all_regions(doc: Document, *, hinted_only: bool = False) -> Iterator[_Region]:
    """The text of every reference: for BibTeX and CSL-JSON, each field value.

    With ``hinted_only``, only the regions that hold a hint (see
    :func:`_regions`).
    """
    text = doc.text
    size = len(text)
    field_hint = _FIELD_HINT.search
    for ref in doc.references:
        # A plain-text reference is read whole: its field spans would cut a URL
        # or a title at the point where the parser (perhaps wrongly) split it.
        if not ref.field_spans or ref.format == "text":
            if ref.raw and (not hinted_only or _TEXT_HINT.search(ref.raw)):
                yield _Region(ref.raw, ref.start, ref.end, ref)
            continue
        csl = ref.format == "csl-json"
        for name, (s, e) in ref.field_spans.items():
            if not 0 <= s <= e <= size:
                continue
            if not csl:
                # The hint is tested first and in place (no copy of the field):
                # most fields fail it, and then only a doi field is kept.
                if hinted_only and not field_hint(text, s, e):
                    if len(name) != 3 or name.lower() != "doi":
                        continue
                elif name.lower() in _NOT_PRINTED:
                    continue
                yield _Region(text[s:e], s, e, ref, name)
                continue
            low = name.lower()
            if low in _NOT_PRINTED:
                continue
            literal = text[s:e]
            if literal[:1] in ("[", "{"):
                continue  # names, dates, nested records: no free text of the user's
            if "\\" not in literal:
                if not hinted_only or low == "doi" or field_hint(literal):
                    yield _Region(literal, s, e, ref, name)
                continue
            try:
                value = json.loads(f'"{literal}"')
            except ValueError:
                continue  # the parser reports invalid JSON
            # Decoded before the hint test: "http:\/\/" is a URL only once decoded.
            if isinstance(value, str) and (not hinted_only or low == "doi" or field_hint(value)):
                yield _Region(value, s, e, ref, name, exact=False)


# --------------------------------------------------------------------------
# DOIs

# A DOI: "10." + registrant code (4–9 digits, optionally subdivided) + "/" + suffix.
_DOI_VALID = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
# A shortDOI (shortdoi.org): "10/cn2h9c", an alias the DOI resolver answers for a
# full DOI; valid as a DOI field or a resolver path though it has no registrant.
_SHORT_DOI = re.compile(r"(?:10/)?[a-z0-9]{4,12}", re.IGNORECASE)
# Where a DOI is announced: a resolver URL (possibly with a stray "doi:" after it)
# or a "doi:" / "DOI" label.  The trailing whitespace is part of the match so that
# "https://doi.org/ 10.1016/..." is seen as one DOI broken by a space.
_DOI_URL = re.compile(
    r"(?i)(?<![\w.])(?:https?://)?(?:dx\.|www\.)?doi\.org/(?P<gap>[ \t]{0,2}(?:doi:[ \t]?)?)"
)
_DOI_LABEL = re.compile(r"(?i)(?<![\w.])doi(?![\w.])[ \t]*:?[ \t]{0,2}")
# The DOI body after a resolver or label: the breaks that line and PDF
# extraction insert (after "10.", around the "/") are allowed, and reported.
_DOI_BODY = re.compile(
    r"10(?P<dot>\.[ \t]?)(?P<reg>\d+(?:\.\d+)*)(?P<slash>[ \t]?/[ \t]?)"
    r"(?P<sfx>[^\s\"<>{}“”«»]*)"
)
# A bare DOI in running text: only the strict shape, never with spaces, and not
# in the middle of a URL path (publisher URLs embed DOIs; those are URLs).
_DOI_BARE = re.compile(r"(?<![\w/.:%-])10\.\d{4,9}(?:\.\d+)*/[^\s\"<>{}“”«»]+")
# A last token that continues a DOI cut by a space: letters and digits mixed,
# then nothing but closing punctuation up to the end of the reference.
_DOI_TAIL = re.compile(r"[ \t](?P<tok>[A-Za-z0-9][\w.-]*)[.,;]?\s*$")
# What follows a resolver or a label when it is not a DOI body.
_TOKEN = re.compile(r"[^\s\"<>{}“”«»]+")
_DOI_PREFIX_LABEL = re.compile(r"(?i)doi:[ \t]?")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")
_ALNUM = re.compile(r"[A-Za-z0-9]")
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


# --------------------------------------------------------------------------
# URLs

_URL_START = re.compile(r"(?i)(?<![\w@/.-])(?:(?:https?|ftp)://|www\.)")
# A URL ends at whitespace, quotes, angle brackets and braces (BibTeX groups).
_URL_STOP = re.compile(r"[\s\"<>{}“”«»‘’]")
_RUN = re.compile(r"[^\s\"<>{}“”«»‘’]+")
# Between two pieces of one URL: a space or a line break (the seeds' thesis
# text has blank lines between wrapped lines).
_GAP = re.compile(r"[ \t]{0,2}(?:\r?\n[ \t]*){0,2}")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_URLISH = re.compile(r"[/?=&%#_~]|\.[a-z]{2,5}\b|[A-Za-z]\d|\d[A-Za-z]")
# Words that, alone after "example. ", finish a URL: top-level domains and file extensions.
_TLDS = frozenset(
    re.findall(
        r"\w+",
        "com org net edu gov mil int info biz io co eu uk us ca au de fr it es nl be ch at se"
        " no dk fi pl cz ru ua by kz kg uz tj am az ge md lt lv ee jp cn kr in br mx za tr gr"
        " pt ie html htm shtml php asp aspx jsp pdf",
    )
)


@dataclass(frozen=True)
class _Url:
    """A URL as written, possibly in several pieces separated by whitespace."""

    start: int  # region offsets of the whole written URL
    end: int
    pieces: tuple[tuple[int, int], ...]
    joined: str  # the URL with the breaks removed (hyphens kept)
    hyphen_breaks: tuple[int, ...]  # indexes of pieces that end with a line-break hyphen


def _is_continuation(prev: str, token: str) -> bool:
    """Whether ``token`` (after whitespace) continues the URL written so far."""
    if not token or (not token[0].isalnum() and not token.startswith("%")):
        return False
    low = token.lower()
    if low.startswith(("http", "www.", "doi:", "doi.org", "dx.doi")) or "://" in low:
        return False
    if _PERCENT.match(token):
        return True
    tok = _strip_trailing(token)
    if not _ALNUM.search(tok):
        return False
    last = prev[-1]
    if last == "-":
        # URLs rarely end in a hyphen: a hyphen before a break is a line break.
        return tok[0].islower() or tok[0].isdigit()
    has_letter = _LETTER.search(tok) is not None
    if last in "/?&=_#~":
        return has_letter and _URLISH.search(tok) is not None
    if last == ".":
        if tok.lower() in _TLDS and tok[0].islower():
            return True
        return has_letter and _URLISH.search(tok) is not None
    return False


def _scan_urls(region: _Region) -> Iterator[_Url]:
    t = region.text
    pos = 0
    while True:
        m = _URL_START.search(t, pos)
        if m is None:
            return
        run = _RUN.match(t, m.start())
        assert run is not None  # the start pattern is itself a run
        pieces = [(run.start(), run.end())]
        while True:
            gap = _GAP.match(t, pieces[-1][1])
            if gap is None or gap.end() == gap.start():
                break
            nxt = _RUN.match(t, gap.end())
            if nxt is None:
                break
            written = "".join(t[a:b] for a, b in pieces)
            if not _is_continuation(written, nxt.group()):
                break
            pieces.append((nxt.start(), nxt.end()))
        # Sentence punctuation after the URL is not part of it.
        a, b = pieces[-1]
        whole = "".join(t[x:y] for x, y in pieces)
        stripped = _strip_trailing(whole)
        b -= len(whole) - len(stripped)
        if b <= a:  # the last piece was only punctuation
            pieces.pop()
            if not pieces:
                pos = m.end()
                continue
        else:
            pieces[-1] = (a, b)
        hyphens = tuple(i for i, (_, y) in enumerate(pieces[:-1]) if t[y - 1] == "-")
        joined = "".join(t[x:y] for x, y in pieces)
        yield _Url(pieces[0][0], pieces[-1][1], tuple(pieces), joined, hyphens)
        pos = pieces[-1][1]


@lru_cache(maxsize=4096)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def _drop_hyphen(before: str, after: str) -> bool:
    """Whether a hyphen at a line break inside a URL is evidently a typesetting hyphen.

    ``before``/``after`` are the letters on either side.  The hyphen goes only
    when the joined letters make a common English word ("con- tent" →
    "content"), or a common word that spans the break followed by another
    ("glo- balsecurity" → "global" + "security").  Anything else ("wp- dyn",
    "rbc- freenews", "de- sant") keeps it: URL paths are full of real hyphens.
    """
    if not before or not after:
        return False
    joined = (before + after).lower()
    if _zipf(joined) >= 3.0:
        return True
    for k in range(max(len(before) + 1, 4), len(joined) - 2):
        if _zipf(joined[:k]) >= 3.5 and _zipf(joined[k:]) >= 3.0:
            return True
    return False


def _join_url(t: str, url: _Url) -> tuple[str, bool]:
    """The URL with its breaks removed, and whether any hyphen choice was a guess."""
    out = t[url.pieces[0][0] : url.pieces[0][1]]
    guessed = False
    for i in range(1, len(url.pieces)):
        a, b = url.pieces[i]
        piece = t[a:b]
        if i - 1 in url.hyphen_breaks:
            guessed = True
            before = re.search(r"[A-Za-z]*(?=-$)", out)
            after = re.match(r"[A-Za-z]*", piece)
            if before and after and _drop_hyphen(before.group(), after.group()):
                out = out[:-1]
        out += piece
    return out, guessed


@rule(
    code="RC201",
    name="url-whitespace",
    category=Category.ARTIFACT,
    severity=Severity.WARNING,
    summary="A URL broken by a space or line break from text or PDF extraction.",
    fix="safe",
)
def url_whitespace(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Finds URLs split into pieces by a space or a line break — after a dot
        (`http://www.jamestown. org/…`), after a slash
        (`http://www.example.com/ showthread.php?…`), before a percent escape
        (`backPid %5D=381`), or at a line-break hyphen
        (`http://www.glo- balsecurity.org/…`) — and reports the whole broken
        URL with the joined one as the suggestion.  A piece after the break
        counts as part of the URL only when it looks like one (a top-level
        domain, a path, a query, an extension, a percent escape): a plain word
        such as `Accessed` never does.  Links to `doi.org` are left to RC001.

    Why it matters:
        Extraction from PDFs and hard-wrapped text inserts spaces where lines
        broke.  A reader who copies the link, and every link checker, gets a
        truncated URL that fails or lands elsewhere.

    Example:
        `http://www.jamestown. org/single/?no_cache=1` →
        `http://www.jamestown.org/single/?no_cache=1`.

    Fix safety:
        Removing whitespace is safe: URLs cannot contain it.  A hyphen before
        the break is ambiguous — `wp- dyn` is the real path `wp-dyn`, while
        `glo- balsecurity` is `globalsecurity` hyphenated by the typesetter.
        The suggestion keeps the hyphen unless the letters joined without it
        make a common English word (`con- tent` → `content`) or a common word
        that spans the break (`global` + `security`); either way such a fix is
        unsafe and is only suggested, never applied by `--fix`.
    """
    for region in _regions(doc):
        yield from _broken_url_hits(region)


def _broken_url_hits(region: _Region) -> Iterator[Hit]:
    """RC201 in one region."""
    for url in region.urls():
        if len(url.pieces) < 2:
            continue
        host = _host(url.joined)
        if host is not None and host.lower().endswith("doi.org"):
            continue  # a DOI link: RC001 reports it as a DOI
        joined, guessed = _join_url(region.text, url)
        written = region.text[url.start : url.end]
        start, end = region.at(url.start, url.end)
        how = "a hyphen and a space" if url.hyphen_breaks else "whitespace"
        yield Hit(
            start,
            end,
            f"URL broken by {how} (a line or PDF extraction artifact): '{written}'",
            suggestion=joined,
            field=region.field,
            reference=region.ref,
            fix=Fix(start, end, joined, safe=not guessed) if region.exact else None,
        )


# ---- RC002

# Scheme-like prefixes: "http:/x", "http//x", "htp://x", "http:\\x", "http:www".
_SCHEME = re.compile(
    r"(?i)(?<![\w.+-])(?P<scheme>[a-z]{2,8})(?P<sep>:/{1,4}|:\\{1,3}|/{2,3}|:(?=www\.))"
    r"(?=[\w%.~-])"
)
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _osa1(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one edit (insert, delete, replace, swap)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _host(url: str) -> str | None:
    target = url if "://" in url else "http://" + url
    try:
        return urlsplit(target).hostname
    except ValueError:
        return None


_URL_ESCAPE = re.compile(r"\\(?=[%_&#~$])")


def _url_problems(url: str, field: str | None) -> list[str]:
    """What is wrong with a (joined) URL, as phrases."""
    out: list[str] = []
    target = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(target)
        netloc = parts.netloc
    except ValueError:
        return ["it cannot be parsed (bad host or port)"]
    host = netloc.rsplit("@", 1)[-1]
    # An IPv6 literal ("[::1]") is accepted as it is.
    host = "" if host.startswith("[") else host.split(":", 1)[0]
    if not netloc:
        out.append("it has no host")
    elif host and host.isascii() and host.lower() != "localhost" and not _IPV4.fullmatch(host):
        labels = host.rstrip(".").split(".")
        if len(labels) < 2:
            out.append(f"its host '{host}' has no top-level domain")
        elif any(not _HOST_LABEL.fullmatch(lab) for lab in labels):
            out.append(f"its host '{host}' is not a valid host name")
        elif not (labels[-1].isalpha() or labels[-1].lower().startswith("xn--")):
            out.append(f"its host '{host}' ends in an invalid top-level domain")
    # A backslash is illegal in a URL; in BibTeX it is a LaTeX escape, which a
    # verbatim `url` field must not contain but any other field may.
    bad = sorted({c for c in url if c in "`^" or ord(c) < 32 or ord(c) == 127})
    if field is not None and "\\" in url:
        # In a BibTeX field "\%", "\_", "\&", "\#" and "\~" are the usual LaTeX
        # escapes of those characters (url.sty and hyperref read them so).
        url = _URL_ESCAPE.sub("", url)
    if "\\" in url and (field is None or field.lower() == "url"):
        bad.append("\\")
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        out.append(f"it contains characters not allowed in a URL ({shown})")
    for o, c in ("()", "[]"):
        if url.count(o) != url.count(c):
            out.append(f"its '{o}' and '{c}' are unbalanced")
    return out


@rule(
    code="RC002",
    name="malformed-url",
    category=Category.SYNTAX,
    severity=Severity.ERROR,
    summary="A URL with a bad scheme, no host, illegal characters or unbalanced brackets.",
    fix="safe",
)
def malformed_url(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Checks each URL in a reference (after joining any whitespace breaks,
        which RC201 reports): a misspelt or mis-punctuated scheme (`htp://`,
        `http:/`, `http//`, `http:\\\\`), a missing or invalid host (no
        top-level domain, empty labels), characters that cannot appear in a
        URL (backslash outside a LaTeX field, backtick, caret, control
        characters), and parentheses or square brackets opened but not closed
        inside the URL.

    Why it matters:
        A malformed URL cannot be followed.  Unbalanced brackets usually mean
        the URL was cut or merged with the surrounding text; a backslash in a
        BibTeX `url` field is printed literally and breaks the link.

    Example:
        `http:/www.example.org/report.pdf` → `http://www.example.org/report.pdf`;
        `https://en.wikipedia.org/wiki/Treaty_(1992` (the `(` is never closed).

    Fix safety:
        Only the scheme's punctuation is fixed (`http:/`, `http//`, `http:\\\\`
        → `http://`); that is safe.  A misspelt scheme (`htp`, `htps`) is
        suggested but not applied, since the intended scheme is a guess.
    """
    for region in _regions(doc):
        if _SCHEME_HINT.search(region.text):
            yield from _url_hits(region)


def _url_hits(region: _Region) -> Iterator[Hit]:
    """RC002 in one region."""
    t = region.text
    for m in _SCHEME.finditer(t):
        scheme, sep = m.group("scheme"), m.group("sep")
        low = scheme.lower()
        if low in ("http", "https", "ftp"):
            if sep == "://":
                continue
            fixed, safe = scheme + "://", True
            why = f"the scheme separator '{sep}' should be '://'"
        elif _osa1(low, "http") or _osa1(low, "https"):
            target = "https" if "s" in low[3:] else "http"
            fixed, safe = target + "://", False
            why = f"'{scheme}' is not a URL scheme (did you mean '{target}'?)"
        else:
            continue
        s, e = region.at(m.start(), m.end())
        yield Hit(
            s,
            e,
            f"malformed URL scheme '{m.group()}': {why}",
            suggestion=fixed,
            field=region.field,
            reference=region.ref,
            fix=Fix(s, e, fixed, safe) if region.exact else None,
        )
    for url in region.urls():
        problems = _url_problems(url.joined, region.field)
        if not problems:
            continue
        written = t[url.start : url.end]
        yield Hit(
            *region.at(url.start, url.end),
            f"malformed URL '{written}': " + "; ".join(problems),
            field=region.field,
            reference=region.ref,
        )


# --------------------------------------------------------------------------
# Brackets and quotes

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
# A leading list label such as "1)" or "a)" closes nothing.
_LABEL_PAREN = re.compile(r"\s*(?:\d{1,4}|[A-Za-z])\)")


def _masked_identifiers(region: _Region) -> str:
    """The region text with URLs and DOIs blanked out (their brackets are theirs)."""
    t = region.text
    spans = [(u.start, u.end) for u in region.urls()]
    if "10." in t:  # every bare DOI starts so
        spans += [(m.start(), m.end()) for m in _DOI_BARE.finditer(t)]
    if not spans:
        return t
    chars = list(t)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _unbalanced(text: str, brackets: re.Pattern[str], pos: int = 0) -> Iterator[tuple[int, str]]:
    """Offsets and characters of brackets in ``text[pos:]`` that have no partner.

    ``brackets`` matches the bracket characters to pair (``_TEXT_BRACKETS`` or
    ``_FIELD_BRACKETS``); visiting only those, not every character, is what
    makes the walk cheap.
    """
    stack: list[tuple[int, str]] = []
    for m in brackets.finditer(text, pos):
        i, c = m.start(), m.group()
        if c in _OPEN:
            stack.append((i, c))
        else:
            opener = _CLOSE[c]
            if stack and stack[-1][1] == opener:
                stack.pop()
            elif any(o == opener for _, o in stack):
                # The openers above the partner were never closed.
                while stack[-1][1] != opener:
                    yield stack.pop()
                stack.pop()
            else:
                yield i, c
    yield from stack


@rule(
    code="RC003",
    name="unbalanced-brackets",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="A parenthesis or bracket opened in a reference and never closed, or the reverse.",
)
def unbalanced_brackets(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Matches `()`, `[]` and `{}` within each reference and reports every
        bracket without a partner: an opener never closed, or a closer with
        nothing open.  Brackets inside URLs and DOIs are left to RC002, a
        leading list label such as `1)` is ignored, and in BibTeX and CSL-JSON
        only `()` and `[]` inside each field value are checked (braces there
        are BibTeX syntax, reported by RC005).

    Why it matters:
        An unclosed parenthesis usually marks a series name, an edition or a
        translation that lost its end in editing, and makes the reference
        hard to parse for people and for reference managers alike.

    Example:
        `Kelsen, Hans. 2001. Collective Security Under International Law
        (International Law Studies. Cambridge: Lawbook Exchange Ltd.` — the
        `(` before `International Law Studies` is never closed.
    """
    for region in _regions(doc):
        brackets = _TEXT_BRACKETS if region.field is None else _FIELD_BRACKETS
        # Masking only removes brackets: a region without any has nothing to report.
        if brackets.search(region.text):
            yield from _bracket_hits(region)


def _bracket_hits(region: _Region) -> Iterator[Hit]:
    """RC003 in one region."""
    masked = _masked_identifiers(region)
    brackets = _FIELD_BRACKETS
    skip = 0
    if region.field is None:
        brackets = _TEXT_BRACKETS
        label = _LABEL_PAREN.match(masked)
        skip = label.end() if label else 0
    for i, c in _unbalanced(masked, brackets, skip):
        at, stop = region.at(i, i + 1)
        if c in _OPEN:
            msg = f"'{c}' is opened here but never closed in this reference"
        else:
            msg = f"'{c}' closes a bracket that was never opened in this reference"
        yield Hit(at, stop, msg, field=region.field, reference=region.ref)


_QUOTE_OPEN = "“„«"
_QUOTE_CLOSE = "”‟»"
_STRAIGHT = re.compile('"')


def _quote_problems(text: str, straight: bool) -> Iterator[tuple[int, str]]:
    """Offsets and messages of unpaired quotation marks."""
    stack: list[tuple[int, str]] = []

    def between_letters(i: int) -> bool:
        return 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()

    for m in _FIELD_QUOTES.finditer(text):  # the typographic marks only
        i, c = m.start(), m.group()
        if between_letters(i):
            continue  # a mark used as an apostrophe ("NATO‟s"); the encoding rules see it
        top = stack[-1][1] if stack else ""
        if (c == "“" and top == "„") or (c == "«" and top == "»"):
            stack.pop()  # German „…“, Danish »…«
        elif c in _QUOTE_OPEN or (c == "»" and "«" not in (o for _, o in stack)):
            stack.append((i, c))
        elif stack:
            stack.pop()
        else:
            yield i, f"closing quotation mark '{c}' without an opening one in this reference"
    for i, c in stack:
        yield i, f"opening quotation mark '{c}' is never closed in this reference"
    if straight:
        marks = [m.start() for m in _STRAIGHT.finditer(text) if not between_letters(m.start())]
        if len(marks) % 2:
            yield marks[-1], "odd number of '\"' quotation marks in this reference"


@rule(
    code="RC004",
    name="unbalanced-quotes",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="A quotation mark opened in a reference and never closed, or the reverse.",
)
def unbalanced_quotes(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Pairs the double quotation marks of each reference — `“…”`, `„…“`,
        `«…»`, `»…«` and, in plain text, straight `"` (which must come in an
        even number) — and reports the mark without a partner.  Single marks
        (`‘’`, `'`) are not checked because `’` is also the apostrophe, and a
        mark between two letters (`NATO‟s`) is taken for a mangled apostrophe
        rather than a quote.  A title that wraps over lines is fine: the whole
        reference is checked at once.  In BibTeX straight quotes delimit
        values and `\\"` is an umlaut, so only the typographic marks are paired.

    Why it matters:
        A title missing its closing quote runs into the journal name; readers
        and citation parsers then cannot tell where the title ends.

    Example:
        `Smith, J. 2001. “The Concept of Alliance. Journal of Peace 12: 1–9.`
        — the `“` is never closed.
    """
    for region in _regions(doc):
        quotes = _TEXT_QUOTES if region.field is None else _FIELD_QUOTES
        # Masking only removes marks: a region without any has nothing to report.
        if quotes.search(region.text):
            yield from _quote_hits(region)


def _quote_hits(region: _Region) -> Iterator[Hit]:
    """RC004 in one region."""
    masked = _masked_identifiers(region)
    for i, msg in _quote_problems(masked, straight=region.field is None):
        at, stop = region.at(i, i + 1)
        yield Hit(at, stop, msg, field=region.field, reference=region.ref)


# --------------------------------------------------------------------------
# Parse problems


# Parse problems of files that cannot be read as written, by format.
_UNREADABLE = (
    "bibtex-syntax", "json-syntax", "csl-schema", "xml-syntax", "ris-syntax", "bbl-syntax"
)


def _problem_hits(doc: Document, kinds: tuple[str, ...]) -> Iterator[Hit]:
    for p in doc.problems:
        if p.kind in kinds:
            yield Hit(p.start, max(p.end, p.start), p.message, suggestion=p.suggestion)


@rule(
    code="RC005",
    name="bibtex-syntax",
    category=Category.SYNTAX,
    severity=Severity.ERROR,
    summary="A bibliography (BibTeX, CSL-JSON, XML, RIS, .bbl) that cannot be read as written.",
)
def bibtex_syntax(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports what the BibTeX and CSL-JSON parsers could not read: unclosed
        braces, missing commas or keys, JSON syntax errors, CSL items that
        break the schema (an `author` that is not a list of names, an
        `issued` that is not a date).  The message names the entry and the
        problem; the position is where the parser found it.  Likewise XML
        (JATS, EndNote) that is not well-formed or declares entities (refused
        unread: no entity expansion, no external entities), RIS records not
        closed by `ER`, and `.bbl` entries not closed.

    Why it matters:
        BibTeX skips (or silently merges) an entry it cannot parse, so the
        work vanishes from the bibliography; a JSON error loses the whole file.

    Example:
        `@article{smith2001, title = {Alliances, year = 2001}` —
        `entry 'smith2001': unclosed brace`.
    """
    yield from _problem_hits(doc, _UNREADABLE)


@rule(
    code="RC006",
    name="duplicate-field",
    category=Category.SYNTAX,
    severity=Severity.ERROR,
    summary="An entry that sets the same field twice.",
)
def duplicate_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a field given twice in one BibTeX entry (or CSL item), as the
        parser found it; the position is the second occurrence.

    Why it matters:
        BibTeX keeps one of the values and drops the other without a word
        (biber warns, bibtex uses the first), so an edit to the field that is
        ignored has no effect and the two copies drift apart.

    Example:
        `@article{a, year = {2001}, title = {X}, year = {2002}}` — which year?
    """
    yield from _problem_hits(doc, ("duplicate-field",))


@rule(
    code="RC008",
    name="empty-field",
    category=Category.SYNTAX,
    severity=Severity.INFO,
    summary="A BibTeX field whose value is empty.",
    formats=("bibtex",),
)
def empty_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports BibTeX fields written with an empty value (`month = {}`,
        `note = ""`).

    Why it matters:
        An empty field says nothing and hides a missing value: a required
        field that is present but empty still prints nothing, and exports
        from reference managers often leave such placeholders behind.

    Example:
        `month = {},` — delete the line or fill it in.
    """
    text = doc.text
    for ref in doc.references:
        fields = ref.fields
        for name, (s, e) in ref.field_spans.items():
            # Not .get(name, text[s:e]): that copies every field to use none.
            value = fields[name] if name in fields else text[s:e]
            if not value.strip(" \t\r\n{}"):
                name_at = text.rfind(name, ref.start, s)
                start = name_at if name_at >= 0 else s
                end = e + 1 if text[e : e + 1] in ("}", '"') else e
                yield Hit(
                    start,
                    max(end, start),
                    f"field '{name}' is empty",
                    field=name,
                    reference=ref,
                )


RULES = (
    malformed_doi,
    malformed_url,
    unbalanced_brackets,
    unbalanced_quotes,
    bibtex_syntax,
    duplicate_field,
    empty_field,
    url_whitespace,
)
