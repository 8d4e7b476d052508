"""Patterns and small helpers of the rule-based field reader: identifiers,
sentence ends, locators, publishers.  Every pattern is anchored or has
bounded repetition, so long garbage input stays linear.
"""

from __future__ import annotations

import re

from refcheck.parsers.names import (
    DASH,
    DASHES,
    MONTHS,
    U,
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
# The whitespace run is taken whole and never given back (an atomic group written
# with a lookahead, for Python 3.10): no alternative starts with whitespace, and
# backtracking through a long run at every position was cubic (8,000 spaces: 16 s).
_LOCATOR_START = re.compile(
    rf"(?:[,.;]\s*|(?=(?P<ws>\s+))(?P=ws))(?:(?:[Vv]ol(?:ume)?|VOL|[Nn]o|NO|[Ii]ssue|pp|[Pp]ages|[Тт]|№)\.?\s*\d"
    rf"|p\.\s*\d|\d+[A-Za-z]?\s*\(|\d+\s*:\s*\w|\d+[A-Za-z]?\s*,\s*(?:pp?\.\s*|e)?\d|\d+\s*{DASH}\s*\d"
    rf"|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|\d+[A-Za-z]?(?:\s*;)?[\s.]*$|\(?\d{{4}}[a-z]?\)?\s*[;,.)]|{MONTHS}\.?\s+\d)"
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
    url = _clean_doi(raw).rstrip("'’\"”")
    # "…/CSparse,2005b": the space before the year was lost in the PDF's text.
    return _URL_YEAR.sub("", url)


_URL_YEAR = re.compile(r",\s*(?:1[5-9]\d\d|20\d\d)[a-z]?$")


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
