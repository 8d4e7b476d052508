"""Split one plain-text reference into bibliographic fields.

``fill(ref)`` reads ``ref.raw`` (a single reference as written: APA, Chicago
notes or author-date, MLA, Vancouver, IEEE, Harvard or GOST-like) and sets
authors, editors, year, title, container, publisher, locators, identifiers
and ``field_spans``.

The parser works by shape, not by a grammar of one style: identifiers
(DOIs, URLs, including the pieces of a URL broken by a space, access dates)
are found first and blanked out with spaces so that offsets stay valid; then
an author list is read from the start with a few name shapes (``Family,
Given``, ``Family I.O.``, ``Family IO``, ``Given Family``) plus institutional
or one-word names ("GTEx Consortium", "Ehtisham-ul-Haq") where what follows
them is another name, "et al." or the list's end; the variant that reads
furthest wins.  The title is the quoted text or the next sentence (in a note,
"Name, Title, Container", up to the next comma before a capital).  The
container runs to the first locator (``vol.``, ``53(4)``, ``: 12-20``, a
year); when the title is unquoted and no volume, issue or pages follow, the
segment is a book's publisher, a series or a description, and a container
is set only when the name reads like a periodical: a false container is
worse than none.

Besides the model's attributes, ``ref.fields`` may receive ``pinpoint`` (the
page a note cites, "…, p. 9.", kept out of ``pages``) and
``translated_container`` (GOST "Book [Translated title]").  Every pattern is
either anchored or has bounded repetition, so long garbage input stays
linear.  Nothing here raises: a reference that cannot be read keeps the
fields it had.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from refcheck.model import Author, Reference

__all__ = ["fill"]

# --- character classes ------------------------------------------------------

_UPPER_CHARS = "".join(
    c for c in map(chr, list(range(0x41, 0x250)) + list(range(0x370, 0x530))) if c.isupper()
)
U = "[" + _UPPER_CHARS + "]"
L = r"[^\W\d_]"  # any letter
LOW = r"(?:(?!" + U + ")" + L + ")"
APOS = "['’`]"
DASHES = "-–—−‐‑"
DASH = "[" + DASHES + "]"

WORD = rf"{U}(?:{L}|{APOS}{L}|[-‐‑]{L})*"
PARTICLE = r"(?:van|von|der|den|de|del|della|des|di|da|dos|das|du|la|le|ten|ter|al|el|bin|ibn)"
FAMILY = rf"(?:{PARTICLE}\s+){{0,3}}{WORD}"
NOTSTOP = r"(?!(?:The|A|An|On|In|Of|For|To|From|With|Why|How|What|When|Where|Is|Are|Do|Does)\b)"
# A second family word, but not Vancouver initials ("Lin CW").
FAM2 = rf"(?:[ -](?!{U}{{1,4}}(?![\w'’-])){WORD})?"
INITIAL = rf"{U}{LOW}?\.(?:-{L}\.)?"
# A particle's lower-case initial may sit between others ("J. d. C.").
INITIALS = rf"{INITIAL}(?:[ -]?(?:{INITIAL}|[a-z]\.(?=\s?{U}))){{0,3}}"

# Capitalised words that start titles and never are names.
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "of",
        "and",
        "for",
        "to",
        "from",
        "with",
        "toward",
        "towards",
        "why",
        "how",
        "what",
        "when",
        "where",
        "who",
        "is",
        "are",
        "do",
        "does",
        "can",
        "new",
        "report",
        "proceedings",
        "journal",
        "review",
        "university",
        "press",
        "institute",
        "international",
        "national",
        "annual",
        "conference",
        "workshop",
        "symposium",
        "handbook",
        "introduction",
        "chapter",
        "part",
        "vol",
        "no",
        "pp",
        "available",
        "accessed",
        "retrieved",
        "online",
        "world",
        "global",
        "study",
        "studies",
        "analysis",
        "security",
        "policy",
        "foreign",
        "affairs",
        "russia",
        "european",
        "american",
        "british",
        "this",
        "that",
        "these",
        "those",
        "between",
        "beyond",
        "after",
        "before",
        "under",
        "over",
        "via",
        "not",
        "all",
        "our",
        "their",
        "its",
        "his",
        "her",
        "one",
        "two",
        "three",
        "et",
        "al",
        "ed",
        "eds",
        "editor",
        "editors",
        "edited",
        "by",
    ]
)

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)

# --- identifiers ------------------------------------------------------------

_DOI_RE = re.compile(
    r"(?:(?:https?://)?(?:dx\.)?doi\.org/\s?|\b(?:doi|DOI)\s*:?\s*)?(10\.\d{4,9}/[^\s\"]+)"
)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")
_PREFIX_RE = re.compile(
    r"(?:(?:\[Online\]\.?\s*)?Available(?:\s+(?:at|from|online))?\s*:?|Retrieved\s+from\s*:?|"
    r"URL\s*:?|(?:doi|DOI)\s*:?|Электронный ресурс\]?\.?\s*URL\s*:?)\s*$"
)
_DATE = (
    rf"(?:\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{MONTHS}\.?\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"\d{{1,2}}\s+{MONTHS}\.?,?\s+\d{{4}}|{MONTHS}\.?\s+\d{{4}})"
)
_ACCESSED_RE = re.compile(
    rf"\(?\b(?:[Aa]ccessed|[Rr]etrieved|[Vv]iewed|[Cc]onsulted|дата обращения)\s*(?:on\s+)?:?\s*"
    rf"({_DATE})\)?"
)
_URL_PIECE = re.compile(r"[.\-]?\s([\w%~/?#=&;+.:\-]*(?:[/=%?]|\.\w)[\w%~/?#=&;+.:\-]*[\w/%=])")
_OTHER_ID_RE = re.compile(r"\b(?:PMID|PMCID|ISBN|ISSN|arXiv)\s*:?\s*[\dA-Za-z][\dA-Za-z.\-/]{0,30}")

# --- labels, names ----------------------------------------------------------

_LABEL_RE = re.compile(
    r"\s*(?:\\?\[\s*\d{1,4}\s*\\?\]|\(\d{1,4}\)|\d{1,4}\s*[.)](?!\d)|[*•\-–]\s+)\s*"
)
_SEP_RE = re.compile(r"\s*(?:,\s*(?:and|&)\s+|,\s*|\s+(?:and|&)\s+|;\s*|\s*&\s*)")
_ETAL_RE = re.compile(r",?\s*(?:et\s+al\.?|and\s+others\b|и\s+др\.?)")

# Each name shape: family-first with full given names, family-first with
# initials (two-word families allowed), GOST "Family I.O.", Vancouver
# "Family IO", natural order "Given Family".
_INV_FULL = re.compile(
    rf"(?P<fam>{FAMILY}(?:-{WORD})?),\s*(?P<giv>(?:{INITIALS}|{WORD})"
    rf"(?:[ -](?:{INITIALS}|{NOTSTOP}{WORD})){{0,3}})"
)
_INV_FULL_FIRST = re.compile(
    rf"(?P<fam>{FAMILY}{FAM2}),\s*(?P<giv>(?:{INITIALS}|{WORD})"
    rf"(?:[ -](?:{INITIALS}|{NOTSTOP}{WORD})){{0,3}})"
)
_INV_INIT = re.compile(rf"(?P<fam>{FAMILY}{FAM2}),\s*(?P<giv>{INITIALS})(?!\w)")
_GOST = re.compile(rf"(?P<fam>{FAMILY}{FAM2})\s+(?P<giv>{INITIALS})(?!\w)")
# Vancouver initials may hold a particle's lower-case letter ("Mendonça JdC").
_VANC = re.compile(rf"(?P<fam>{FAMILY}{FAM2})\s+(?P<giv>{U}(?:{U}|[a-z](?={U})){{0,3}})(?![\w'’-])")
# Capitalised particles that open a family name in natural order ("Mauro Dalla Serra").
CAPPART = r"(?:Dalla|Della|Delle|Degli|Del|De|Di|Da|Du|Dos|Das|La|Le|Van|Von|Ten|Ter)"
_NAT = re.compile(
    rf"(?P<giv>{INITIALS}\s*(?!{CAPPART}\s){WORD}\s+(?={U})|{INITIALS}\s*|{WORD}\s+(?:(?:{PARTICLE}\s+)?{INITIALS}\s*|(?!{CAPPART}\s){WORD}\s+)?)"
    rf"(?P<fam>(?!{U}{{1,4}}(?![\w'’-]))(?:{CAPPART}\s+)?{FAMILY}(?:[ -]{WORD})?)"
    r"(?=\s*(?:,|\.|;|&|\band\b|et\s+al\b|\(|$|“|\"|‘|:))"
)
_ACRONYM_WORD = re.compile(r"(?<![\w.])[A-Z]{3,}(?![\w.])")
_WORD_INITIALS = re.compile(rf"{WORD}\s+{INITIALS}\s*$")
_LITERAL_YEAR = re.compile(r"[.,]?\s*\(?(?:1[5-9]\d\d|20\d\d)[a-z]?\)?[.,]?(?:\s|$)")
# One word of an institutional name: a word, or a bracketed acronym "(ANS)".
_LIT_TOKEN = re.compile(r"\s*(\([^()\s]{1,20}\)|[^\s,;:“”\"‘«»()\[\]]+)")
# What may follow a name list that ends with an institution or a single name:
# a year that a title follows, a parenthesised year, or an opening quote.
_LIST_END = re.compile(
    r"\s*(?:\.\s*\(?(?:1[5-9]\d\d|20\d\d)[a-z]?\)?\.\s+\S|,?\s*\((?:1[5-9]\d\d|20\d\d)[a-z]?[),]"
    r"|[.,]?\s*[“\"‘«])"
)
# Words that make a "name" an institution: never a person's given or family name.
_ORG_WORDS = frozenset(
    [
        "consortium",
        "group",
        "panel",
        "committee",
        "collaboration",
        "collaborators",
        "network",
        "team",
        "initiative",
        "association",
        "society",
        "organization",
        "organisation",
        "council",
        "agency",
        "commission",
        "project",
        "investigators",
        "office",
        "ministry",
        "department",
        "foundation",
        "center",
        "centre",
        "army",
        "government",
        "bank",
        "union",
        "league",
        "federation",
        "service",
        "news",
        "newsfeed",
        "bureau",
        "board",
        "program",
        "programme",
    ]
)


@dataclass
class _Names:
    authors: list[tuple[str, str | None, int, int]] = field(default_factory=list)
    end: int = 0
    scheme: str = ""
    etal: bool = False
    joined: bool = False  # saw "and"/"&"
    literals: set[int] = field(default_factory=set)  # indices of institutional names


def _bad_name(fam: str, giv: str) -> bool:
    # Vancouver initials are never words ("Sartor ITS", "de Bruin ED").
    words = fam.replace(".", " ").split() + [
        w for w in giv.replace(".", " ").split() if not (w.isupper() and len(w) <= 4)
    ]
    if any(w.lower() in _STOP or w.lower() in _ORG_WORDS for w in words if len(w) > 1):
        return True
    # A possessive is not part of a person's name ("CSTO Moscow’s Declaration").
    return any(w.endswith(("'s", "’s")) for w in (fam + " " + giv).split())


def _nat_ok(s: str, m: re.Match[str], first: bool) -> bool:
    """Whether a natural-order match "Given I. Family" is a name, not "Family I. Title"."""
    if not first or not _WORD_INITIALS.match(m.group("giv")):
        return True
    # "Saha A. Physical Examinations." / "Peraya D. Distance(s)": family-first with
    # initials is far more common; natural order with a middle initial heads a
    # note ("John T. Mearsheimer, The False Promise") or a list ("… and …").
    fam = m.group("fam")
    if " " in fam.strip() and not re.match(rf"{CAPPART}\s", fam):
        return False
    return re.match(r"\s*(?:,|;|&|and\b)", s[m.end() :]) is not None


def _name_at(
    s: str, pos: int, limit: int, pats: tuple[re.Pattern[str], ...], first: bool
) -> re.Match[str] | None:
    for i, pat in enumerate(pats):
        m = pat.match(s, pos, limit)
        if m and pat is _INV_INIT:
            # "Perkins, T. Alex, Carl Boettiger": initials and a middle name,
            # when the longer reading ends where the next name starts.
            for other in pats[i + 1 :]:
                o = other.match(s, pos, limit)
                if (
                    o is not None
                    and o.end() > m.end()
                    and re.match(r"\s*,", s[o.end() : o.end() + 3])
                    and not _bad_name(o.group("fam"), o.group("giv"))
                ):
                    m = o
                    break
        if m and not _bad_name(m.group("fam"), m.group("giv")):
            if pat is _NAT and (not _nat_ok(s, m, first) or _ACRONYM_WORD.search(m.group("giv"))):
                # An acronym is no given name in natural order ("RBC Newsfeed").
                continue
            return m
    return None


def _literal_ends(s: str, pos: int, limit: int) -> list[int]:
    """Possible ends of an institutional or single-word name at ``pos``, longest first."""
    ends: list[int] = []
    cur = pos
    for words in range(15):
        t = _LIT_TOKEN.match(s, cur, limit)
        if t is None:
            break
        tok = t.group(1)
        a = t.start(1)
        if words == 0 and not (tok[:1].isupper() and tok[:1].isalpha()):
            break
        dot = tok.endswith(".")
        word = tok.rstrip(".")
        if tok.startswith("(") or (word[:1].isupper() and len(word) > 1) or word[:1].isdigit():
            if not (words == 0 and word.lower() in _STOP and word.lower() != "the"):
                ends.append(a + len(word))
        elif not (word.isalpha() and word.islower() and len(word) <= 12) and word != "&":
            break
        cur = t.end()
        if dot:
            break
    ends.reverse()
    return [e for e in ends if _literal_ok(s[pos:e])]


def _literal_ok(text: str) -> bool:
    words = text.split()
    if len(words) == 2 and re.fullmatch(rf"{U}{{1,4}}", words[1]):
        return False  # a Vancouver name, "Gross JB"
    if len(words) == 3 and words[1] in ("and", "&") and not _ORG_WORDS & {w.lower() for w in words}:
        return False  # two one-word names, "Sheherazade and Ardiantiono"
    if len(words) == 1:
        w = words[0]
        return (
            len(w) > 2
            and w.lower() not in _STOP
            and re.fullmatch(rf"{U}(?:{L}|{APOS}{L}|-{L})+", w) is not None
        )
    return words[0].lower() != "the" or len(words) > 2


def _literal_fits(
    s: str, e: int, limit: int, rest: tuple[re.Pattern[str], ...], depth: int = 0
) -> bool:
    """Whether a literal name ending at ``e`` is followed the way a name in a list is."""
    etal = _ETAL_RE.match(s, e, limit)
    if etal is not None and etal.end() > e:
        return True
    if _LIST_END.match(s, e):
        return True
    sep = _SEP_RE.match(s, e, limit)
    if sep is None or sep.end() == e:
        return False
    if _name_at(s, sep.end(), limit, rest, False) is not None:
        return True
    if depth == 0:
        return any(
            _literal_fits(s, e2, limit, rest, 1) for e2 in _literal_ends(s, sep.end(), limit)[:3]
        )
    return False


_SCHEMES: dict[str, tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]] = {
    "inverted": ((_INV_INIT, _INV_FULL_FIRST), (_INV_INIT, _INV_FULL, _NAT)),
    "gost": ((_GOST,), (_GOST,)),
    "vancouver": ((_VANC,), (_VANC,)),
    "natural": ((_NAT,), (_NAT,)),
}


def _read_names(s: str, pos: int, limit: int, scheme: str) -> _Names:
    first, rest = _SCHEMES[scheme]
    out = _Names(end=pos, scheme=scheme)
    cur = pos
    natural_rest = False
    last_joined = False
    for _ in range(200):
        pats = first if not out.authors else rest
        if natural_rest and _NAT in pats:
            # Chicago: after "Family, Given" the names run in natural order;
            # "David Favero, M." is then a name and an initial, not "Family, I.".
            pats = (_NAT, *(p for p in pats if p is not _NAT))
        got = _name_at(s, cur, limit, pats, not out.authors)
        if got is not None:
            natural_rest = got.re is _NAT
            fam = got.group("fam").strip()
            giv = got.group("giv").strip()
            out.authors.append((fam, giv or None, got.start(), got.end()))
            cur = got.end()
        else:
            # An institution or a one-word name ("GTEx Consortium", "Ehtisham-ul-Haq")
            # counts when what follows it is another name, "et al." or the list's end.
            lit = next(
                (e for e in _literal_ends(s, cur, limit) if _literal_fits(s, e, limit, rest)),
                None,
            )
            if lit is None:
                break
            out.literals.add(len(out.authors))
            out.authors.append((s[cur:lit], None, cur, lit))
            cur = lit
        out.end = cur
        e = _ETAL_RE.match(s, cur, limit)
        if e and e.end() > cur:
            out.etal = True
            out.end = e.end()
            break
        sep = _SEP_RE.match(s, cur, limit)
        if not sep or sep.end() == cur or last_joined:
            # "and"/"&" comes before the last name: what follows is the title.
            break
        joined = re.search(r"and|&", sep.group()) is not None
        nxt = sep.end()
        if _name_at(s, nxt, limit, rest, False) is None and not any(
            _literal_fits(s, e2, limit, rest, 1) for e2 in _literal_ends(s, nxt, limit)[:3]
        ):
            break
        out.joined = out.joined or joined
        last_joined = joined
        cur = nxt
    if scheme == "natural" and len(out.authors) > 1 and not (out.joined or out.etal):
        # "Alan Bryman, Social Research Methods": without "and"/"et al." a
        # comma list in natural order is a name followed by a title.
        out.authors = out.authors[:1]
        out.literals &= {0}
        out.end = out.authors[0][3]
    return out


def _boundary_ok(s: str, end: int, limit: int) -> bool:
    rest = s[end:limit]
    if end >= limit or not rest.strip():
        return True
    return re.match(r"\s*(?:[.,:;(“\"‘\[]|$)", rest) is not None or (
        s[end - 1] == "." and rest[:1].isspace()
    )


def _best_names(s: str, pos: int, limit: int) -> _Names:
    best = _Names(end=pos)
    for scheme in _SCHEMES:
        got = _read_names(s, pos, limit, scheme)
        while got.authors and not _boundary_ok(s, got.end, limit):
            got.literals.discard(len(got.authors) - 1)
            got.authors.pop()
            got.end = got.authors[-1][3] if got.authors else pos
        if (
            scheme == "inverted"
            and len(got.authors) == 1
            and not got.etal
            and not got.literals
            and re.match(r"\s*,(?!\s*\(?\d{4})", s[got.end : got.end + 12])
        ):
            # "Alan Bryman, Social Research Methods, …": one inverted name
            # followed by a comma (not another name) is a given-first name
            # followed by an unquoted title.
            continue
        # The furthest reading wins; on a tie, the one with fewer institutional
        # names ("Hedley Bull" is a person before it is an institution).
        if got.authors and (got.end, -len(got.literals)) > (best.end, -len(best.literals)):
            best = got
    return best


# --- sentence segmentation --------------------------------------------------

_ABBREV = frozenset(
    [
        "vol",
        "no",
        "nos",
        "pp",
        "p",
        "ed",
        "eds",
        "eds.",
        "et",
        "al",
        "st",
        "dr",
        "mr",
        "mrs",
        "ms",
        "jr",
        "sr",
        "vs",
        "e.g",
        "i.e",
        "etc",
        "fig",
        "ch",
        "sec",
        "univ",
        "dept",
        "co",
        "inc",
        "ltd",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "n.d",
        "d.c",
        "u.s",
        "proc",
        "trans",
    ]
)


def _sentence_end(m: str, start: int, stop: int) -> int:
    """Offset of the end of the sentence starting at ``start`` (exclusive of the mark)."""
    i = start
    while i < stop:
        c = m[i]
        if c in ".?!" and (i + 1 >= stop or m[i + 1].isspace()):
            if c != ".":
                return i + 1
            j = i
            while j > start and (m[j - 1].isalpha() or m[j - 1] == "."):
                j -= 1
            token = m[j:i]
            # An initial stands alone ("Smith J."); a capital glued to a digit or
            # sign ends a title ("South of 30°S.").
            alone = j == start or m[j - 1] in " \t\n(-‐["
            if (len(token) == 1 and token.isupper() and alone) or token.lower() in _ABBREV:
                i += 1
                continue
            return i
        i += 1
    return stop


# --- locators ---------------------------------------------------------------

PAGE = r"[A-Za-z]{0,2}\d+[A-Za-z]?(?:\.\d+)?"
PAGES = rf"{PAGE}(?:\s*{DASH}{{1,2}}\s*{PAGE})?"
_VOL_KW = re.compile(r"(?<!\w)(?:[Vv]ol(?:ume)?|VOL|[Тт]\.|Bd)\.?\s*(\d+[A-Za-z]?|[IVXLC]+\b)")
_ISS_KW = re.compile(
    r"(?<!\w)(?:[Nn]o|NO|[Nn]r|[Ii]ssue|[Ii]ss|№|[Hh]eft)\.?\s*(\d+[A-Za-z]?(?:[/\-–]\d+)?)"
)
_PAGES_KW = re.compile(rf"(?<!\w)(?:pp|PP|[Pp]ages?|[Pp]|[Сс]|S)\.?\s*({PAGES})(?!\s*p\.)")
_VIP = re.compile(
    rf"(?<![\w.])(\d+[A-Za-z]?)\s*\(([^()\s][^()]{{0,18}})\)\s*[:,.]?\s*(?:pp?\.\s*)?({PAGES})?"
)
_VP = re.compile(rf"(?<![\w.])(\d+[A-Za-z]?)\s*:\s*({PAGES})")
_VCP = re.compile(
    rf"(?<![\w.:;])(\d+[A-Za-z]?),\s*(?:pp?\.\s*)?({PAGE}\s*{DASH}{{1,2}}\s*{PAGE}|e\d+)"
)
_RANGE = re.compile(rf"(?<![\w.\-/])({PAGE}\s*{DASH}{{1,2}}\s*{PAGE})(?![\w/])")
_LOCATOR_START = re.compile(
    rf"(?:[,.;]\s*|\s+)(?:(?:[Vv]ol(?:ume)?|VOL|[Nn]o|NO|[Ii]ssue|pp|[Pp]ages|[Тт]|№)\.?\s*\d"
    rf"|p\.\s*\d|\d+[A-Za-z]?\s*\(|\d+\s*:\s*\w|\d+[A-Za-z]?\s*,\s*(?:pp?\.\s*|e)?\d|\d+\s*{DASH}\s*\d"
    rf"|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|\d+[A-Za-z]?\s*[.;]?[\s.]*$|\(?\d{{4}}[a-z]?\)?\s*[;,.)]|{MONTHS}\.?\s+\d)"
)
_YEAR_RE = re.compile(r"(?<![\w.\-–/])(1[5-9]\d\d|20\d\d)([a-z])?(?![\w\-–/])")
_LEAD_YEAR = re.compile(
    r"[.,]?\s*\((?:(1[5-9]\d\d|20\d\d)([a-z])?(?:,\s*[^()]{0,30})?|n\.\s?d\.|[^()\d]{0,20})\)[.,:]?"
    r"|[.,]?\s*(1[5-9]\d\d|20\d\d)([a-z])?\.(?=\s|$)"
)
_NAT_THEN_DATE = re.compile(
    rf"\.\s+(?:\d{{1,2}}\s+{MONTHS}\.?\s+)?(?:1[5-9]\d\d|20\d\d)[a-z]?[.,](?:\s|$)"
)
_LEAD_DATE = re.compile(
    rf"[.,]?\s*(?:\d{{1,2}}\s+{MONTHS}\.?,?\s+|{MONTHS}\.?\s+\d{{1,2}},\s+)"
    rf"(1[5-9]\d\d|20\d\d)()\.(?=\s|$)"
)
_TRAILING_DATE = re.compile(
    rf"(?:,\s*(?:\d{{1,2}}\s+{MONTHS}\.?,?\s+|{MONTHS}\.?\s+(?:\d{{1,2}},?\s+)?)?|,?\s+)"
    rf"(1[5-9]\d\d|20\d\d)\s*$"
)
_PAGE_COUNT = re.compile(r"\b\d+\s*(?:p|pp|pages|с)\.(?=\s|$)")
_PLACE_PUB = re.compile(
    rf"^\s*(?P<place>{U}[\w’'.-]*(?:[ /,]+{U}[\w’'.-]+){{0,3}})\s*:"
    rf"\s*(?P<pub>[^:;()]{{2,120}}?)\s*(?:,\s*(?:{MONTHS}\.?\s+)?\d{{4}})?[.,]?\s*$"
)
_GOST_PUB = re.compile(
    rf"^\s*(?P<place>{U}[^:;()]{{1,60}}?),\s+(?P<pub>[^,]{{2,120}}?)"
    rf"\s*(?P<year>,\s*(?:{MONTHS},?\s+)?\d{{4}})?[.,]?\s*$"
)
_PUBLISHER_WORDS = re.compile(
    r"\b(?:Press|Publish\w*|Verlag|Books|Routledge|Springer|Wiley|Elsevier|Macmillan|"
    r"Izdatel\w*|Nauka|Univ\w*|Institute|Foundation|Centre|Center|Library|Ltd|Inc|Co\.)"
)
# Publishers whose names carry no "Press"-like word, and organisation words.
_PUBLISHER_NAMES = re.compile(
    r"\b(?:Birkh[aä]user|Springer|Wiley|Elsevier|Routledge|SAGE|Sage Publications|Palgrave|"
    r"Brill|De Gruyter|Karger|Thieme|Kluwer|Blackwell|Pergamon|Emerald|Bloomsbury|Pearson|"
    r"Penguin|Norton|Polity|Verso|CRC|IOS|IGI Global|Nomos|Informa|Cengage|McGraw[- ]Hill|"
    r"Taylor (?:&|and) Francis|GmbH|LLC|Ltd|Inc|S\.A\.|B\.V\.|Laboratory|Society|Academy|"
    r"Publications|Publishers|Publishing|Union|Office|Bank|Agency|Ministry|Bureau|Council|"
    r"Commission|Department)\b"
)
# Preprint servers and repositories: a publisher of the work, never its container.
_REPOSITORY = re.compile(
    r"(?i)^(?:\w*rxiv|arXiv|SSRN|Research Square|Preprints(?:\.org)?|OSF(?: Preprints)?|"
    r"Zenodo|Figshare|Dryad|HAL|RePEc|PeerJ Preprints|Authorea|TechRxiv|Crossref)$"
)
# Words that name a periodical or a proceedings volume.
_JOURNAL_WORDS = re.compile(
    r"(?i)\b(?:journal|review|letters?|proceedings|transactions|annals|quarterly|bulletin|"
    r"magazine|acta|archives?|reports|studies|research|medicine|science|nature|gazette|"
    r"times|post|news|herald|monitor|daily|weekly|zeitschrift|revue|rivista|vestnik|"
    r"conference|symposium|workshop|congress|in\s)"
)
_ACRONYM_PUB = re.compile(r"[A-Z]{2,6}(?:\s+(?:Press|Publishing))?")
_IN_RE = re.compile(r"(?:In|in|В|V)\s*:\s*|[Ii]n\s+(?=\S)|//\s*")
_EDITED_BY = re.compile(r",?\s*(?:edited\s+by|ed\.\s+by|eds?\.\s+by|Ed\.\s+by)\s+")
_EDS_PAREN = re.compile(r"\s*\((?:[Ee]ds?\.?|[Ee]ditors?|[Hh]rsg\.?)\)\s*,?\s*")
_EDS_TRAIL = re.compile(r",?\s*(?:eds?|Eds?)\.(?=[\s,.]|$)")
_QUOTES = {"“": "”", '"': '"', "‘": "’", "«": "»", "„": "“", "'": "'"}


# "Frontiers in Genetics 8." / "eLife, 3." / "2017;8.": a bare volume closing the reference.
_BARE_VOLUME = re.compile(
    r"[\s.,;]*(?:(?:1[5-9]\d\d|20\d\d)\s*;\s*)?(?!(?:1[5-9]\d\d|20\d\d)\b)\d{1,4}[A-Za-z]?[\s.]*$"
)
_CORP = re.compile(r"(?:Ltd|Inc|LLC|GmbH|Co|S\.A|B\.V|plc|AG)\.?(?!\w)")
# The rest of an abbreviated journal title: "Comp. Neurol." before its locators.
_ABBR_TAIL = re.compile(r"(?:\s+[A-Z][a-z]{0,11}\.?){1,4}\s*")
_YEAR_SPAN = re.compile(
    rf"(?<![\w.\-–/])(1[5-9]\d\d|20\d\d)\s*[{DASHES}/]\s*(\d{{4}}|\d{{2}})(?![\w\-–/])"
)
_PIN_ONLY = re.compile(r"[\s,.;]*(?:\d{4}[\s,.;]*)?pp?\.\s*\d+[A-Za-z]?[\s,.;]*")
_GENRE = re.compile(
    r"(?i)(?:research |technical |policy |working |white |discussion )?(?:report|paper|brief|"
    r"preprint|editorial|press release|dataset|data set|memorandum|memo|fact sheet)s?"
)
_DAY_DATE = (
    rf"(?:\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|{MONTHS}\.?\s+\d{{1,2}}(?!\d)|\d{{1,2}}\s+{MONTHS}\b)"
)
_DMY = re.compile(r"(?<![\w.])\d{1,2}\.\d{1,2}\.(1[5-9]\d\d|20\d\d)(?!\w)")
_CONNECTORS = frozenset(
    ["of", "and", "for", "the", "on", "in", "de", "du", "des", "la", "le", "und", "für", "&"]
)
# Locators that only a periodical has, at the start of the locator run.
_STRONG_LOC = re.compile(
    r"[,.;]?\s*(?:\(?(?:1[5-9]\d\d|20\d\d)[a-z]?\)?\s*[;,.]\s*)?"
    r"(?:[Vv]ol\.|[Nn]o\.|\d+[A-Za-z]?\s*\(|\d+\s*:\s*e?\d|\d+,\s*(?:pp?\.\s*|e)?\d)"
)
_VANC_PUB = re.compile(r"\s*([^;:,]{2,80}?)\s*;\s*(?:1[5-9]\d\d|20\d\d)[a-z]?\s*$")
_ONLY_DATES = re.compile(rf"(?:[\s.,;:()\[\]]|\d|{MONTHS}\.?)*")
_THESIS = re.compile(r"(?i)\b(?:thesis|dissertation|diss\.|диссертац)")


def _publisher_like(text: str) -> bool:
    return bool(
        _PUBLISHER_WORDS.search(text)
        or _PUBLISHER_NAMES.search(text)
        or _ACRONYM_PUB.fullmatch(text.strip())
    )


def _name_like(text: str) -> bool:
    """Whether ``text`` reads like a name ("Springer Science and Business Media
    LLC"), not like a sentence ("Full text is available at …")."""
    words = text.split()
    return len(words) <= 10 and all(
        not w[:1].islower() or w.lower() in _CONNECTORS or not w.islower() for w in words
    )


def _place_like(text: str) -> bool:
    """A place of publication: a few capitalised words ("Moscow, Washington, D.C.")."""
    return len(text.split()) <= 5 and not re.search(r"\d", text) and _name_like(text)


def _comma_stop(m: str, cur: int, n: int) -> int:
    """End of a title in a note ("Name, Title, Container"): the first comma
    followed by a capital; a comma before a lower-case word continues the title."""
    chunk = m[cur : min(n, cur + 2000)]
    for cm in re.finditer(r",\s+(?=(\S))", chunk):
        if _CORP.match(chunk, cm.end()):
            continue
        # "…, restore biodiversity, and …" continues; "…, op. cit., p. 4" does not.
        if not re.match(r"[a-z]{2,}(?![.\w])", chunk[cm.end() :]):
            return cur + cm.start()
    return n


def _clean_doi(raw: str) -> str:
    doi = raw.rstrip(".,;:")
    for open_, close in (("(", ")"), ("[", "]"), ("<", ">")):
        while doi.endswith(close) and doi.count(close) > doi.count(open_):
            doi = doi[:-1].rstrip(".,;:")
    return doi


def _clean_url(raw: str) -> str:
    return _clean_doi(raw).rstrip("'’\"”")


def _blank(chars: list[str], a: int, b: int) -> None:
    for i in range(a, b):
        if chars[i] != "\n":
            chars[i] = " "


def _strip_span(s: str, a: int, b: int, chars: str = " \t\n.,;:") -> tuple[int, int]:
    while a < b and s[a] in chars:
        a += 1
    while b > a and s[b - 1] in chars:
        b -= 1
    return a, b


class _Filler:
    def __init__(self, ref: Reference) -> None:
        self.ref = ref
        self.s = ref.raw or ""
        self.spans: dict[str, tuple[int, int]] = {}
        self.title_start = -1  # where an unquoted title starts

    def put(self, name: str, a: int, b: int, strip: str = " \t\n.,;:") -> str | None:
        a, b = _strip_span(self.s, a, b, strip)
        if b <= a:
            return None
        self.spans[name] = (a, b)
        return " ".join(self.s[a:b].split()) if "\n" in self.s[a:b] else self.s[a:b]

    def run(self) -> None:
        s = self.s
        ref = self.ref
        lab = _LABEL_RE.match(s)
        pos0 = lab.end() if lab else 0
        chars = list(s)
        self._identifiers(chars)
        m = "".join(chars)
        n = len(m)

        # Authors: bounded by a parenthesised year or an opening quote when present.
        limit = n
        q = re.search(r"[“\"‘«„]", m[pos0:])
        qpos = pos0 + q.start() if q else -1
        py = re.compile(r"\((?:1[5-9]\d\d|20\d\d)[a-z]?(?:,[^()]{0,30})?\)|\(n\.\s?d\.\)")
        pm = py.search(m, pos0)
        if pm:
            limit = pm.start()
        if qpos >= 0 and qpos < limit:
            limit = qpos
        names = _best_names(m, pos0, limit)
        cur = names.end
        if not names.authors and m[pos0 : pos0 + 1] not in _QUOTES:
            # An institution ("UNODC. 2010.") before a year in the lead.
            lm = _LITERAL_YEAR.search(m, pos0, min(n, pos0 + 70))
            if lm and lm.start() > pos0:
                a, b = _strip_span(s, pos0, lm.start())
                block = s[a:b]
                if (
                    b > a
                    and len(block.split()) <= 6
                    and _sentence_end(m, a, b) == b
                    # "Declaration, 5 September 2008.": a dated document, not an author;
                    # "CST Memorandum 2000.": nothing follows, so it is the title.
                    and not re.search(rf"(?:\d|{MONTHS}\.?)\s*$", block)
                    and re.search(r"\w", m[lm.end() :]) is not None
                ):
                    names.authors.append((block, None, a, b))
                    names.scheme = "literal"
                    cur = b
        if (
            names.scheme == "natural"
            and len(names.authors) == 1
            and not re.search(r"\.", names.authors[0][1] or "")
            and _NAT_THEN_DATE.match(m, cur)
        ):
            # "Kyrgyzstan Army. 2010." / "Nezavisimaya Gazeta. 27 September 2000.":
            # author-date lists put a person's family name first, so a name in
            # natural order before the date is an institution or a periodical.
            a, b = names.authors[0][2], names.authors[0][3]
            names.authors[0] = (s[a:b], None, a, b)
            names.literals = {0}
        if names.authors:
            ref.authors = [
                Author(f, g, literal=names.scheme == "literal" or i in names.literals)
                for i, (f, g, _, _) in enumerate(names.authors)
            ]
            self.spans["authors"] = (names.authors[0][2], names.authors[-1][3])
        # Chicago "Curtis, Glen. ed. 1996." or "Starr S.F., eds."
        eds = re.compile(r"[.,]?\s*\(?(?:eds?|Eds?)\.\)?(?=[\s,.]|$)").match(m, cur)
        if eds and names.authors:
            cur = eds.end()
            # The names heading an edited book are its editors.
            ref.editors = [Author(a.family, a.given, a.literal) for a in ref.authors]

        # A year right after the authors (APA, Harvard, Chicago author-date).
        ly2 = _LEAD_YEAR.match(m, cur) or _LEAD_DATE.match(m, cur)
        if ly2:
            if ly2.re is _LEAD_DATE:
                self._set_year(ly2.group(1), None, ly2.start(1))
            else:
                y = ly2.group(1) or ly2.group(3)
                if y:
                    suf = ly2.group(2) or ly2.group(4)
                    ys = ly2.start(1) if ly2.group(1) else ly2.start(3)
                    self._set_year(y, suf, ys)
            cur = ly2.end()

        # Title.
        while cur < n and m[cur] in " \t\n.,:;":
            cur += 1
        comma_mode = (
            names.scheme == "natural"
            and m[names.end : names.end + 1] == ","
            and m[cur : cur + 1] not in _QUOTES
        )
        title_end = cur
        title_quoted = False
        if cur < n and m[cur] in _QUOTES:
            close = _QUOTES[m[cur]]
            if close == "'":
                cm = re.compile(r"'(?=[,.;:?!]?(?:\s|$))").search(m, cur + 1)
                j = cm.start() if cm else -1
            else:
                j = m.find(close, cur + 1)
            if j > cur:
                ref.title = self.put("title", cur + 1, j, " \t\n,.;:")
                title_end = j + 1
                title_quoted = True
        else:
            stop = n
            if comma_mode:
                stop = _comma_stop(m, cur, n)
            end = _sentence_end(m, cur, stop)
            # GOST: the translation in brackets closes the title, even when
            # the title itself has a full stop ("Radary na Tashkent. Uzbekistan ...").
            br = m.find(" [", cur, min(stop, cur + 400))
            if br > 0:
                cbr = m.find("]", br, br + 400)
                inner = m[br + 2 : cbr] if cbr > 0 else ""
                if len(inner.split()) >= 2 and not re.match(
                    r"(?i)online|electronic|internet", inner
                ):
                    end = br
            inm = re.compile(r"\.?\s+In:?\s+").search(m, cur, end)
            if inm and inm.start() > cur:
                end = inm.start()
            # "Concept of Collective Security, 10 February 1995.": a dated document
            # whose date closes the reference is not part of its title.
            td = _TRAILING_DATE.search(m, cur, end)
            after_title = end
            if td and not m[end:].strip(" \t\n.,;"):
                if ref.year is None:
                    self._set_year(td.group(1), None, td.start(1))
                end = td.start()
            if end > cur:
                ref.title = self.put("title", cur, end, " \t\n,.;:")
                title_end = after_title
                self.title_start = cur
        cur = title_end
        # GOST: "Title [English translation]."
        tm = re.compile(r"[.,]?\s*\[([^\[\]]{3,400})\]").match(m, cur)
        if tm and ref.title:
            ref.translated_title = self.put("translated_title", tm.start(1), tm.end(1))
            cur = tm.end()

        self._container_and_rest(m, cur, comma_mode, title_quoted)
        self._finish(m, pos0)

    # -- identifiers --------------------------------------------------------

    def _identifiers(self, chars: list[str]) -> None:
        s = self.s
        ref = self.ref
        dois: list[str] = []
        taken: list[tuple[int, int]] = []
        for mm in _DOI_RE.finditer(s):
            doi = _clean_doi(mm.group(1))
            a = mm.start(1)
            if not dois:
                self.spans["doi"] = (a, a + len(doi))
            dois.append(doi)
            start = mm.start()
            pre = _PREFIX_RE.search(s[max(0, start - 40) : start])
            if pre:
                start = max(0, start - 40) + pre.start()
            taken.append((mm.start(), a + len(doi)))
            _blank(chars, start, a + len(doi))
        urls: list[str] = []
        for mm in _URL_RE.finditer(s):
            if any(a <= mm.start() < b for a, b in taken):
                continue
            url = _clean_url(mm.group())
            if "doi.org/" in url.lower():
                continue
            if not urls:
                self.spans["urls"] = (mm.start(), mm.start() + len(url))
            urls.append(url)
            start = mm.start()
            pre = _PREFIX_RE.search(s[max(0, start - 40) : start])
            if pre:
                start = max(0, start - 40) + pre.start()
            _blank(chars, start, mm.start() + len(url))
            # A URL broken by a space in PDF text ("http://www.glo- balsecurity.org/…"):
            # its pieces are no title or container.
            end = mm.start() + len(url)
            for _ in range(6):
                piece = _URL_PIECE.match(s, end)
                if piece is None or not (
                    s[end - 1 : piece.start(1)].strip()[-1:] in tuple("-/.=?&%_#")
                    or s[end - 1] in "-/.=?&%_#"
                    or "/" in piece.group(1)
                ):
                    break
                _blank(chars, piece.start(1), piece.end(1))
                end = piece.end(1)
        acc = _ACCESSED_RE.search("".join(chars))
        if acc:
            ref.accessed = acc.group(1)
            self.spans["accessed"] = (acc.start(1), acc.end(1))
            _blank(chars, acc.start(), acc.end())
        for mm in _OTHER_ID_RE.finditer("".join(chars)):
            _blank(chars, mm.start(), mm.end())
        if dois:
            ref.doi = dois[0]
            ref.dois = dois
        ref.urls = urls

    # -- container, locators, publisher -----------------------------------

    def _container_and_rest(self, m: str, cur: int, comma_mode: bool, quoted: bool) -> None:
        ref = self.ref
        n = len(m)
        while cur < n and m[cur] in " \t\n.,:;?!”’\"'»":
            cur += 1
        chapter = False
        im = _IN_RE.match(m, cur)
        if im:
            chapter = True
            cur = im.end()
            # "In: Reiter, Erich and Gärtner, Heinz. Small States and Alliances."
            ed = _best_names(m, cur, min(n, cur + 300))
            if (
                ed.authors
                and not ed.literals
                and (len(ed.authors) > 1 or ed.scheme != "natural")
                and re.match(r"\.\s+[^\W\d_]", m[ed.end : ed.end + 3])
            ):
                ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                cur = ed.end + 1
            # APA: "In A. Editor & B. Editor (Eds.), Book"
            ep = _EDS_PAREN.search(m, cur, min(n, cur + 300))
            if ep:
                ed = _best_names(m, cur, ep.start())
                if ed.authors:
                    ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                    cur = ep.end()
        yl = re.compile(r"\(?(1[5-9]\d\d|20\d\d)([a-z])?\)?[.,](?=\s|$)\s*").match(m, cur)
        if yl:
            # Chicago author-date without an author: "“Title.” 2010. Stratfor."
            if self.ref.year is None:
                self._set_year(yl.group(1), yl.group(2), yl.start(1))
            cur = yl.end()
        cont_start = cur
        loc = _LOCATOR_START.search(m, cur + 1) if cur < n else None
        stop = loc.start() if loc else n
        if comma_mode:
            c = _comma_stop(m, cur, n)
            if 0 < c < stop:
                stop = c
        end = _sentence_end(m, cur, stop)
        # Abbreviated journal titles keep their dots: "J. Comp. Neurol. 2001;435".
        if (
            end < stop
            and re.search(r"(?:^|\s)[A-Z][a-z]{0,5}$", m[max(cur, end - 9) : end])
            and _ABBR_TAIL.fullmatch(m, end + 1, stop)
            and "." in m[end + 1 : stop + 1]
            # Another abbreviation before, or several after ("Agency. Moscow." is two sentences).
            and ("." in m[cur:end] or len(m[end + 1 : stop].split()) >= 2)
        ):
            end = stop
        br = m.find(" (", cur, end)
        if br > 0 and re.match(r" \((?:pp?\.|[Ee]ds?\.|[Ee]ditors?)", m[br : br + 8]):
            end = br
        eb = _EDITED_BY.search(m, cur, end)
        if eb:
            ed = _best_names(m, eb.end(), n)
            if ed.authors:
                ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
            end = eb.start()
            chapter = True
        et = _EDS_TRAIL.search(m, cur, min(n, end + 8))
        if et and not ref.editors:
            ed = _best_names(m, cur, et.start())
            if ed.authors:
                ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                chapter = True
                cur = cont_start = et.end()
                while cur < n and m[cur] in " .,":
                    cur += 1
                cont_start = cur
                end = _sentence_end(m, cur, n)
        if (
            not chapter
            and not quoted
            and loc is not None
            and end < stop
            and self.title_start >= 0
            and _STRONG_LOC.match(m, stop)
        ):
            end, cont_start = self._last_sentence_container(m, cont_start, stop, end)
        container = None
        cont_has_loc = True
        if end > cont_start and re.search(r"[^\W\d_]", m[cont_start:end]):
            a, b = _strip_span(m, cont_start, end, " \t\n.,;:")
            seg = m[a:b]
            pp = _PLACE_PUB.match(seg)
            gp = _GOST_PUB.match(seg)
            after = m[b:]
            has_loc = bool(_VOL_KW.search(after) or _ISS_KW.search(after) or _VIP.search(after))
            has_loc = has_loc or bool(re.search(r"(?:pp?\.|[Pp]ages)\s*\d", after))
            has_loc = has_loc or bool(_RANGE.match(after.lstrip(" ,:")))
            has_loc = has_loc or bool(
                _VP.search(after) or _VCP.search(after) or _BARE_VOLUME.match(after)
            )
            if comma_mode and _PIN_ONLY.fullmatch(after[:200]):
                has_loc = False  # a note's cited page: "…, Oxford University Press, 2012, p. 45."
            cont_has_loc = has_loc
            pubm = re.search(r",\s+([^,]{2,80})$", seg)
            # Nothing but dates and punctuation follows: the segment closes the reference.
            last = len(after) < 300 and _ONLY_DATES.fullmatch(after) is not None
            if pp and not has_loc and not chapter:
                self._publisher(a, pp)
            elif (
                gp
                and _place_like(gp.group("place"))
                and not has_loc
                and re.match(rf"\s*,\s*(?:{MONTHS},?\s+)?\d{{4}}", after)
                and (_PUBLISHER_WORDS.search(gp.group("pub")) or _PAGE_COUNT.search(after))
            ):
                self._publisher(a, gp)
            elif chapter:
                container = self.put("container", a, b)
                ref.container = container
            elif _GENRE.fullmatch(seg):
                pass  # "Report.", "Working Paper.": a kind of work, not its source
            elif re.match(rf"[\s.,;]*{_DAY_DATE}", after):
                # "Novaya gazeta, 10.07.2019.": a source dated to the day is a periodical.
                ref.container = self.put("container", a, b)
            elif _THESIS.search(seg) or (_PAGE_COUNT.search(after) and not has_loc):
                # "A Thesis Submitted to …", "… 2005. 25 p.": a description of a
                # thesis or a whole book, not a container.
                pass
            elif _REPOSITORY.match(seg) or re.match(r"\s*;\s*\d{4}", after):
                # A preprint server, or Vancouver's "Publisher; 2021."
                ref.publisher = self.put("publisher", a, b)
            elif pubm and _publisher_like(pubm.group(1)) and not _CORP.fullmatch(pubm.group(1)):
                # MLA: "Container, Publisher, 2012": the last part names the publisher.
                ref.container = self.put("container", a, a + pubm.start())
                ref.publisher = self.put("publisher", a + pubm.start(1), b)
            elif (
                b > a
                and not has_loc
                and _publisher_like(seg)
                and _name_like(seg)
                and not re.search(r"[.?!]\s+[^\W\d_]", m[b:].strip())
            ):
                # "Title. Cornell University Press." at the end: a book's publisher.
                ref.publisher = self.put("publisher", a, b)
            elif not has_loc and not quoted and not _JOURNAL_WORDS.search(seg):
                # An unquoted title with no volume, issue or pages is a book, a
                # report or a preprint: what follows it names its publisher when
                # it closes the reference, else a series or an institution.
                if last and len(seg.split()) <= 8 and _name_like(seg):
                    ref.publisher = self.put("publisher", a, b)
            elif b > a:
                tr = re.search(r"\s\[([^\[\]]{3,200})\]$", seg)
                if tr:
                    # GOST: "Book [Translated book title]": the container is the book.
                    ref.fields["translated_container"] = tr.group(1)
                    b = a + tr.start()
                container = self.put("container", a, b)
                ref.container = container
        rest_from = end
        if ref.container and not ref.editors:
            # GOST: "Book. Starr S.F., Cornell S.E., eds. Place, …"
            ed_at = re.compile(r"[.,]?\s*").match(m, end)
            if ed_at:
                ed = _best_names(m, ed_at.end(), min(n, ed_at.end() + 300))
                et2 = _EDS_TRAIL.match(m, ed.end) if ed.authors else None
                if et2:
                    ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                    chapter = True
                    rest_from = et2.end()
        if ref.publisher is None and (
            ref.container is None or chapter or not cont_has_loc or rest_from > end
        ):
            # A book: "Title. Place: Publisher." further on.
            for seg_m in re.finditer(r"(?:^|(?<=[.]))\s*([^.]{3,160})", m[rest_from:]):
                sa = rest_from + seg_m.start(1)
                seg = seg_m.group(1)
                pp = _PLACE_PUB.match(seg)
                gp = _GOST_PUB.match(seg)
                if gp and gp.group("year") and _publisher_like(gp.group("pub")):
                    pp = gp
                if pp:
                    self._publisher(sa, pp)
                    break
                vp = _VANC_PUB.match(seg)
                if vp and _name_like(vp.group(1)):
                    # Vancouver: "Publisher; 2015."
                    ref.publisher = self.put("publisher", sa + vp.start(1), sa + vp.end(1))
                    break
        self._locators(m, rest_from)
        if comma_mode:
            self._pinpoint()
        if chapter and ref.container:
            ref.entry_type = "chapter"

    def _last_sentence_container(self, m: str, start: int, stop: int, end: int) -> tuple[int, int]:
        """Several sentences between an unquoted title and a journal's
        locators: the journal is the last one ("Title. Subtitle. Journal, 39(12),
        979–988"); the others continue the title, or name an institution."""
        pieces: list[tuple[int, int]] = []
        p = start
        while p < stop and len(pieces) < 4:
            e = _sentence_end(m, p, stop)
            a, b = _strip_span(m, p, e)
            if b > a:
                pieces.append((a, b))
            p = e + 1
        if p < stop or not 2 <= len(pieces) <= 3:
            return end, start
        (la, lb), mids = pieces[-1], pieces[:-1]
        last = m[la:lb]
        if _publisher_like(last) or not re.search(r"[^\W\d_]", last) or _IN_RE.match(last):
            return end, start
        if any(_EDS_TRAIL.search(m, a, b) or _IN_RE.match(m, a) for a, b in mids):
            return end, start
        if all(_publisher_like(m[a:b]) and _name_like(m[a:b]) for a, b in mids):
            self.ref.publisher = self.put("publisher", mids[0][0], mids[0][1])
        else:
            self.ref.title = self.put("title", self.title_start, mids[-1][1], " \t\n,.;:")
        return stop, la

    def _pinpoint(self) -> None:
        """In a note ("Name, Title, Journal, 19(3), 1994, p. 9.") a single
        page is the page cited, not the work's extent: keep it apart."""
        ref = self.ref
        if ref.pages is None or re.search(f"[{DASHES}]", ref.pages):
            return
        a = self.spans["pages"][0]
        if not re.search(r"(?<!\w)pp?\.\s*$", self.s[max(0, a - 6) : a]):
            return
        ref.fields["pinpoint"] = ref.pages
        self.spans["pinpoint"] = self.spans.pop("pages")
        ref.pages = None

    def _publisher(self, base: int, mm: re.Match[str]) -> None:
        self.ref.place = self.put("place", base + mm.start("place"), base + mm.end("place"))
        self.ref.publisher = self.put("publisher", base + mm.start("pub"), base + mm.end("pub"))

    def _locators(self, m: str, start: int) -> None:
        ref = self.ref
        used: list[tuple[int, int]] = []
        for pat, name in ((_VOL_KW, "volume"), (_ISS_KW, "issue"), (_PAGES_KW, "pages")):
            mm = pat.search(m, start)
            if mm:
                setattr(ref, name, self.put(name, mm.start(1), mm.end(1), " "))
                used.append((mm.start(), mm.end()))
        if ref.volume is None:
            vip = _VIP.search(m, start)
            vp = _VP.search(m, start)
            vcp = _VCP.search(m, start)
            best = min(
                (
                    x
                    for x in (vip, vp, vcp)
                    if x is not None
                    and not self._is_year_span(m, x)
                    and not any(a <= x.start(1) < b for a, b in used)
                    and not (x.re is _VCP and _YEAR_RE.fullmatch(x.group(1)))
                ),
                key=lambda x: x.start(),
                default=None,
            )
            if best is not None:
                ref.volume = self.put("volume", best.start(1), best.end(1), " ")
                if best.re is _VIP:
                    if ref.issue is None:
                        ref.issue = self.put("issue", best.start(2), best.end(2), " ")
                    if best.group(3) and ref.pages is None:
                        ref.pages = self.put("pages", best.start(3), best.end(3), " ")
                elif ref.pages is None:
                    ref.pages = self.put("pages", best.start(2), best.end(2), " ")
                used.append((best.start(), best.end()))
        if ref.volume is None and ref.container:
            # "Frontiers in Genetics, 8." / "2017;8.": a bare volume closing the reference.
            vm = re.compile(
                r"[\s,;.]*(?P<y>(?:1[5-9]\d\d|20\d\d)\s*;\s*)?(\d{1,4}[A-Za-z]?)[\s.]*$"
            ).match(m, start)
            if vm and (vm.group("y") or not _YEAR_RE.fullmatch(vm.group(2))):
                ref.volume = self.put("volume", vm.start(2), vm.end(2), " ")
        if ref.pages is None:
            for mm in _RANGE.finditer(m, start):
                a, b = mm.span(1)
                if any(x <= a < y for x, y in used):
                    continue
                before = m[max(0, a - 12) : a]
                if re.search(rf"{MONTHS}\.?\s*$|\(\s*$|[Nn]o\.?\s*$", before):
                    continue
                nums = re.findall(r"\d+", mm.group(1))
                if len(nums) == 2 and all(1500 <= int(x) <= 2099 for x in nums):
                    continue
                ref.pages = self.put("pages", a, b, " ")
                break

    @staticmethod
    def _is_year_span(m: str, mm: re.Match[str]) -> bool:
        # "2015;53(4)": the year before a semicolon is not a volume.
        return m[mm.end(1) : mm.end(1) + 1] == ";"

    def _set_year(self, y: str, suffix: str | None, at: int) -> None:
        self.ref.year = int(y)
        self.ref.year_suffix = suffix
        self.spans["year"] = (at, at + len(y))

    def _finish(self, m: str, pos0: int) -> None:
        ref = self.ref
        if ref.year is None:
            skip = [
                self.spans[k]
                for k in ("title", "translated_title", "volume", "pages", "issue")
                if k in self.spans
            ]
            if "container" in self.spans:
                skip.append(self.spans["container"])
            best: tuple[int, int, re.Match[str]] | None = None
            for mm in _YEAR_RE.finditer(m, pos0):
                a = mm.start(1)
                if any(x <= a < y for x, y in skip):
                    continue
                before = m[max(0, a - 6) : a]
                after = m[mm.end() : mm.end() + 2]
                if re.search(r"(?:[Vv]ol|[Nn]o|pp?)\.?\s*$", before):
                    continue
                score = 0
                if after[:1] in (";", ")") or before.endswith("("):
                    score += 2
                if after[:1] in (",", ".", ";", "") or after[:1].isspace():
                    score += 1
                if best is None or score > best[0]:
                    best = (score, a, mm)
            if best is not None:
                self._set_year(best[2].group(1), best[2].group(2), best[1])
        if ref.year is None:
            dm = _DMY.search(m, pos0)
            if dm:
                self._set_year(dm.group(1), None, dm.start(1))
        if ref.year is None:
            # A volume's season or span: "(Winter, 1994-1995)", "1994/95": the first year.
            for rm in _YEAR_SPAN.finditer(m, pos0):
                y1, y2 = rm.group(1), rm.group(2)
                y2full = int(y1[: 4 - len(y2)] + y2)
                if 0 < y2full - int(y1) <= 2:
                    self._set_year(y1, None, rm.start(1))
                    break
        ref.entry_type = ref.entry_type or self._guess_type()
        base = ref.start
        ref.field_spans.update({k: (base + a, base + b) for k, (a, b) in self.spans.items()})

    def _guess_type(self) -> str:
        ref = self.ref
        text = ref.raw.lower()
        if re.search(r"\b(?:thesis|dissertation|ph\.?\s?d\b|master|диссертац)", text):
            return "thesis"
        if re.search(r"\b(?:report|working paper|policy brief|research paper|white paper)\b", text):
            return "report"
        if ref.container and ref.publisher and not (ref.volume or ref.issue):
            return "chapter"  # a part of a published book: "Book, Publisher, 1999, pp. 1–8"
        if ref.container and (ref.volume or ref.issue or ref.pages):
            return "article"
        if ref.container and re.search(r"proceedings|conference|symposium|workshop", text):
            return "chapter"
        if ref.publisher:
            return "book"
        if ref.urls and not ref.container:
            return "web"
        if ref.container:
            return "article"
        return "misc"


def fill(ref: Reference) -> None:
    """Fill ``ref``'s bibliographic fields and ``field_spans`` from ``ref.raw``.

    Never raises: on input it cannot read it leaves the fields it could not
    find unset.
    """
    try:
        _Filler(ref).run()
    except Exception:  # pragma: no cover - a parser bug must not stop a lint run
        return
