"""RC201 url-whitespace and RC002 malformed-url: finding URLs, joining broken ones, judging them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from refcheck.model import Category, Document, Fix, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.rules.syntax_doi import _ALNUM, _LETTER, _strip_trailing
from refcheck.rules.syntax_regions import _SCHEME_HINT, _Region, _regions
from refcheck.text.patterns import lazy_re

# --------------------------------------------------------------------------
# URLs

_URL_START = lazy_re(r"(?i)(?<![\w@/.-])(?:(?:https?|ftp)://|www\.)")
# A URL ends at whitespace, quotes, angle brackets and braces (BibTeX groups).
_URL_STOP = lazy_re(r"[\s\"<>{}“”«»‘’]")
_RUN = lazy_re(r"[^\s\"<>{}“”«»‘’]+")
# Between two pieces of one URL: a space or a line break (the seeds' thesis
# text has blank lines between wrapped lines).
_GAP = lazy_re(r"[ \t]{0,2}(?:\r?\n[ \t]*){0,2}")
_PERCENT = lazy_re(r"%[0-9A-Fa-f]{2}")
_URLISH = lazy_re(r"[/?=&%#_~]|\.[a-z]{2,5}\b|[A-Za-z]\d|\d[A-Za-z]")
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
    return iter(_urls_in(region.text))


@lru_cache(maxsize=8192)
def _urls_in(t: str) -> tuple[_Url, ...]:
    """The URLs of a region's text, which is all they depend on.

    Memoised: large bibliographies repeat the same URL fields in every entry
    (Beebe's TUGboat file has its journal's URL in 4,839 of them).
    """
    return tuple(_scan_text(t))


def _scan_text(t: str) -> Iterator[_Url]:
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
_SCHEME = lazy_re(
    r"(?i)(?<![\w.+-])(?P<scheme>[a-z]{2,8})(?P<sep>:/{1,4}|:\\{1,3}|/{2,3}|:(?=www\.))"
    r"(?=[\w%.~-])"
)
_HOST_LABEL = lazy_re(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_IPV4 = lazy_re(r"\d{1,3}(?:\.\d{1,3}){3}")


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


_URL_ESCAPE = lazy_re(r"\\(?=[%_&#~$])")


@lru_cache(maxsize=8192)
def _url_problems(url: str, field: str | None) -> tuple[str, ...]:
    """What is wrong with a (joined) URL, as phrases (memoised: URLs repeat)."""
    return tuple(_problems(url, field))


def _problems(url: str, field: str | None) -> list[str]:
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
        inside the URL.  In a BibTeX field, `\\%`, `\\_`, `\\&`, `\\#` and
        `\\~` are the usual LaTeX escapes of those characters, not backslashes.

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


@lru_cache(maxsize=8192)
def _schemes_in(t: str) -> tuple[tuple[int, int, str, str, str], ...]:
    """(start, end, scheme, separator, text) of each scheme written in ``t`` (memoised)."""
    return tuple(
        (m.start(), m.end(), m.group("scheme"), m.group("sep"), m.group())
        for m in _SCHEME.finditer(t)
    )


def _url_hits(region: _Region) -> Iterator[Hit]:
    """RC002 in one region."""
    t = region.text
    for start, end, scheme, sep, written in _schemes_in(t):
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
        s, e = region.at(start, end)
        yield Hit(
            s,
            e,
            f"malformed URL scheme '{written}': {why}",
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
