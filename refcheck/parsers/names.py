"""Author and editor names at the head of a reference, read by shape.

The name shapes (``Family, Given``, ``Family I.O.``, ``Family IO``, ``Given
Family``) and institutional or one-word names ("GTEx Consortium",
"Ehtisham-ul-Haq") where what follows them is another name, "et al." or the
list's end; the variant that reads furthest wins.  Split out of
``refcheck/parsers/fields.py``; the rule reader and the learned labeller both
use it (the labeller to split its author span into names).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

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
        # A company's legal form ends a name that is no person's ("Cytel Inc.").
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "corporation",
        "corp",
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


@dataclass(slots=True)
class _Names:
    authors: list[tuple[str, str | None, int, int]] = field(default_factory=list)
    end: int = 0
    scheme: str = ""
    etal: bool = False
    joined: bool = False  # saw "and"/"&"
    literals: set[int] = field(default_factory=set)  # indices of institutional names


# Patterns the name readers try at many places of every reference, compiled
# once here (an inline ``re.match(rf"{U}…")`` rebuilt and hashed its
# 400-character class on every call).
_CAPPART_WORD = re.compile(rf"{CAPPART}\s")
_NEXT_NAME_SEP = re.compile(r"\s*(?:,|;|&|and\b)")
_COMMA_AHEAD = re.compile(r"\s*,")
_VANC_INITIALS = re.compile(rf"{U}{{1,4}}")
_ONE_WORD_NAME = re.compile(rf"{U}(?:{L}|{APOS}{L}|-{L})+")
_JOINED = re.compile(r"and|&")
_BOUNDARY = re.compile(r"\s*(?:[.,:;(“\"‘\[]|$)")
_COMMA_NO_YEAR = re.compile(r"\s*,(?!\s*\(?\d{4})")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_POSSESSIVE = re.compile(r"\w['’]s\b")


_NOT_NAME_WORDS = _STOP | _ORG_WORDS


def _bad_name(fam: str, giv: str) -> bool:
    for w in fam.replace(".", " ").split():
        if len(w) > 1 and w.lower() in _NOT_NAME_WORDS:
            return True
    for w in giv.replace(".", " ").split():
        # Vancouver initials are never words ("Sartor ITS", "de Bruin ED").
        if len(w) > 1 and not (w.isupper() and len(w) <= 4) and w.lower() in _NOT_NAME_WORDS:
            return True
    if "s" not in fam and "s" not in giv:
        return False
    # A possessive is not part of a person's name ("CSTO Moscow’s Declaration").
    return any(w.endswith(("'s", "’s")) for w in (fam + " " + giv).split())


def _nat_ok(s: str, m: re.Match[str], first: bool, limit: int) -> bool:
    """Whether a natural-order match "Given I. Family" is a name, not "Family I. Title"."""
    if not first or not _WORD_INITIALS.match(m.group("giv")):
        return True
    if not s[m.end() : limit].strip(" ."):
        # The name fills what is known to be the author list (the labeller's
        # span, or the lead before "(1997)"): "Peter H. Westfall." is no
        # "Family I. Title".
        return True
    # "Saha A. Physical Examinations." / "Peraya D. Distance(s)": family-first with
    # initials is far more common; natural order with a middle initial heads a
    # note ("John T. Mearsheimer, The False Promise") or a list ("… and …").
    fam = m.group("fam")
    if " " in fam.strip() and not _CAPPART_WORD.match(fam):
        return False
    return _NEXT_NAME_SEP.match(s, m.end()) is not None


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
                    and _COMMA_AHEAD.match(s, o.end(), o.end() + 3)
                    and not _bad_name(o.group("fam"), o.group("giv"))
                ):
                    m = o
                    break
        if m and not _bad_name(m.group("fam"), m.group("giv")):
            if pat is _NAT and (
                not _nat_ok(s, m, first, limit) or _ACRONYM_WORD.search(m.group("giv"))
            ):
                # An acronym is no given name in natural order ("RBC Newsfeed").
                continue
            return m
    return None


@lru_cache(maxsize=256)
def _literal_ends(s: str, pos: int, limit: int) -> tuple[int, ...]:
    """Possible ends of an institutional or single-word name at ``pos``, longest first.

    Cached: every name scheme of ``_best_names`` and ``names_in_span`` asks
    again at the same places of the same reference (a third of the calls
    were new); the answer depends on the arguments alone.
    """
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
    return tuple(e for e in ends if _literal_ok(s[pos:e]))


def _literal_ok(text: str) -> bool:
    words = text.split()
    if len(words) == 2 and _VANC_INITIALS.fullmatch(words[1]):
        return False  # a Vancouver name, "Gross JB"
    if len(words) == 3 and words[1] in ("and", "&") and not _ORG_WORDS & {w.lower() for w in words}:
        return False  # two one-word names, "Sheherazade and Ardiantiono"
    if len(words) == 1:
        w = words[0]
        return len(w) > 2 and w.lower() not in _STOP and _ONE_WORD_NAME.fullmatch(w) is not None
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

# Each scheme's later shapes with natural order tried first; the same tuple
# when it already is (so the name looked ahead at is not read again).
_NATURAL_FIRST = {
    scheme: rest if rest[0] is _NAT else (_NAT, *(p for p in rest if p is not _NAT))
    for scheme, (_, rest) in _SCHEMES.items()
}


def _read_names(s: str, pos: int, limit: int, scheme: str, whole: bool = False) -> _Names:
    first, rest = _SCHEMES[scheme]
    rest_natural = _NATURAL_FIRST[scheme]
    out = _Names(end=pos, scheme=scheme)
    cur = pos
    natural_rest = False
    last_joined = False
    # The name the loop looked ahead at (position, match), read again otherwise.
    ahead: tuple[int, re.Match[str] | None] | None = None
    for _ in range(200):
        pats = first if not out.authors else rest
        if natural_rest and _NAT in pats:
            # Chicago: after "Family, Given" the names run in natural order;
            # "David Favero, M." is then a name and an initial, not "Family, I.".
            pats = rest_natural
        if ahead is not None and ahead[0] == cur and pats is rest:
            got = ahead[1]
        else:
            got = _name_at(s, cur, limit, pats, not out.authors)
        ahead = None
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
        joined = _JOINED.search(sep.group()) is not None
        nxt = sep.end()
        ahead = (nxt, _name_at(s, nxt, limit, rest, False))
        if ahead[1] is None and not any(
            _literal_fits(s, e2, limit, rest, 1) for e2 in _literal_ends(s, nxt, limit)[:3]
        ):
            break
        out.joined = out.joined or joined
        last_joined = joined
        cur = nxt
    if scheme == "natural" and len(out.authors) > 1 and not (out.joined or out.etal or whole):
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
    return _BOUNDARY.match(rest) is not None or (s[end - 1] == "." and rest[:1].isspace())


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
            and _COMMA_NO_YEAR.match(s[got.end : got.end + 12])
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


_SPLIT_RE = re.compile(r"\s*(?:;|,\s*(?:and|&)\s+|\s+(?:and|&|et|und|y|e)\s+|&|,)\s*")


def names_in_span(s: str, a: int, b: int) -> list[tuple[str, str | None, bool, int, int]]:
    """The names of an author list known to fill ``s[a:b]`` (the learned
    labeller found its ends): (family, given, literal, start, end) each.

    The name shapes are tried over the whole span, without the guesses that
    decide where a list ends ("Alan Bryman, Social Research Methods" is one
    name and a title only when the end is not known); the reading that
    covers most of the span wins.  When no shape reads a name, the span is
    kept as institutional names split at list separators ("The PLOS ONE
    Editors").
    """
    b0 = b
    if s[b : b + 1] == ".":
        b += 1  # the span was trimmed of the full stop that closes an initial ("Gano K.")
    best: _Names | None = None
    for scheme in _SCHEMES:
        got = _read_names(s, a, b, scheme, whole=True)
        # Most of the span read; then fewer institutions; then more names
        # ("Cathy S. Lim, Caroline L. Cooper" is two names in natural order,
        # not "Lim, Caroline" read inverted).
        # The full stop after the span counts for no reading: "Pin Ng." is not
        # better read as "Family I." for reaching it.
        if got.authors and (
            best is None
            or (min(got.end, b0), -len(got.literals), len(got.authors))
            > (min(best.end, b0), -len(best.literals), len(best.authors))
        ):
            best = got
    out: list[tuple[str, str | None, bool, int, int]] = []
    cur = a
    if best is not None:
        out = [
            (fam, giv, i in best.literals, x, y) for i, (fam, giv, x, y) in enumerate(best.authors)
        ]
        cur = best.end
        if best.scheme == "natural" and not best.joined:
            # "S. Biddle, Military Power": without "and", a later "Given Family"
            # whose given name is no known given name is the title.
            given = given_names()
            for i in range(1, len(out)):
                giv = out[i][1] or ""
                words = [w for w in giv.split() if len(w) > 1 and w.isalpha() and w[1:].islower()]
                if words and not any(w.lower() in given for w in words):
                    out = out[:i]
                    break
    if out:
        # What the shapes do not read after names is not trusted to be names
        # ("Joyce LR, Villarreal R. A glycolipid"): the labeller's span may overreach.
        return out
    rest = s[cur:b]
    etal = _ETAL_RE.search(rest)
    if etal is not None:
        rest = rest[: etal.start()]
    if _TWO_LETTERS.search(rest) is None:
        return out
    pos = cur
    for piece in _SPLIT_RE.split(rest):
        at = s.find(piece, pos, b) if piece else -1
        if at < 0:
            continue
        pos = at + len(piece)
        text = piece.strip(" .")
        # A possessive names no author ("Moscow’s Declaration").
        if _TWO_LETTERS.search(text) and not _POSSESSIVE.search(text):
            out.append((" ".join(text.split()), None, True, at, at + len(piece)))
    return out


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The labeller's given-name lexicon (lower case; empty without it)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "reader", "lexicons.json")
    try:
        with open(path, encoding="utf-8") as fh:
            return frozenset(json.load(fh).get("given", ()))
    except (OSError, ValueError):
        return frozenset()
