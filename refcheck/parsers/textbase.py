"""Shared pieces of the plain-text reader: patterns, lines, spans and small predicates.

Every pattern is anchored or bounded, so none can backtrack catastrophically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from refcheck.model import SourceText

# ---------------------------------------------------------------------------
# Patterns.  All anchored or bounded: none can backtrack catastrophically.

_UP = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ"
_LOW = "a-zß-öø-ÿā-žа-яё"

_REF_HEADING_WORDS = (
    r"references?(?:\s+(?:and\s+notes|cited|list))?|reference\s+list|list\s+of\s+references"
    r"|(?:selected\s+|select\s+|annotated\s+)?bibliography|bibliographie|bibliograf[ií]a"
    r"|literature(?:\s+cited)?|cited\s+literature|literature\s+references"
    r"|works\s+(?:cited|consulted)|sources(?:\s+(?:cited|used|consulted))?"
    r"|list\s+of\s+sources|literaturverzeichnis|literatur|quellen"
    r"|r[ée]f[ée]rences(?:\s+bibliographiques)?|referencias(?:\s+bibliogr[aá]ficas)?"
    r"|riferimenti\s+bibliografici|heimildir|heimildaskr[aá]"
    r"|список\s+(?:использованной\s+|цитируемой\s+)?литературы"
    r"|список\s+(?:использованных\s+)?источников(?:\s+и\s+литературы)?"
    r"|литература|библиография|библиографический\s+список|источники(?:\s+и\s+литература)?"
)
_MARK = r"(?:\*\*|__|\*|_)?"
# Every run of white space below follows a required non-space token, so no
# two quantifiers compete for the same spaces (no polynomial backtracking on
# lines made of thousands of spaces).
_EMPH = r"(?:\*\*|__|\*|_)"
_REF_HEADING = re.compile(
    (
        # The lookahead rejects most lines at their first letter, cheaply.
        r"^\s{0,8}(?=[#*_\dIVXLCrbswlqhсилб])(?:#{1,6}\s*)?(?:" + _EMPH + r"\s*)?"
        r"(?:(?:\d{1,2}|[IVXLC]{1,6})(?:\.\d{1,2})*[.)]?\s+)?"
        + _MARK
        + r"(?:"
        + _REF_HEADING_WORDS
        + r")"
        + _MARK
        + r"(?:\s*[:.])?(?:\s*"
        + _EMPH
        + r")?\s*\r?$"
    ).replace(r"\s", r"[ \t]"),
    re.IGNORECASE | re.MULTILINE,
)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-{3,})\s*$")
_BACK_MATTER = re.compile(
    r"^\s{0,8}(?:#{1,6}\s*)?" + _MARK + r"\s*(?:(?:\d{1,2}|[A-Z]|[IVXLC]{1,6})[.)]?\s+)?"
    r"(?:appendix|appendices|acknowledge?ments?|about\s+the\s+authors?|affiliations?"
    r"|authors?['’]?\s+address(?:es)?"
    r"|author\s+(?:information|contributions|biograph\w*|details)|notes\s+on\s+contributors"
    r"|funding|conflicts?\s+of\s+interests?|competing\s+interests|declarations?"
    r"|supplementary(?:\s+\w+){0,3}|data\s+availability(?:\s+statement)?"
    r"|copyright(?:\s+\w+){0,4}|licen[cs]e|comments?(?:\s*\(\d+\))?|add\s+comment"
    r"|footnotes|endnotes|index|(?:tables?|figures?)(?:\s+[A-Z]?\d{1,3})?|abbreviations|glossary|keywords"
    r"|share|related\s+articles|recommended\s+articles|cited\s+by|metrics"
    r"|приложени[ея]|благодарности|об\s+авторах?|сведения\s+об\s+авторах?)" + _MARK + r"\s*:?\s*$",
    re.IGNORECASE,
)
# An item marker at a line start: "1.", "1)", "[1]", "(1)" followed by text.
# "5.2.5." is not one: the dot must be followed by white space.
# Markdown escapes the brackets of a label ("\\[12\\]") so that it is not read as a link.
_ITEM = re.compile(
    r"^([ \t]{0,12})(?:(\d{1,4})([.)])|\\?\[(\d{1,4})\\?\]|\((\d{1,4})\))(?=[ \t]+\S)[ \t]+",
    re.MULTILINE,
)
_BULLET = re.compile(r"^(\s{0,12})([-*+•‣◦▪–—])\s+(?=\S)")
_NUMBER_ALONE = re.compile(r"^\s{0,12}(\d{1,4})\s*$")
_NUMBER_LEAD = re.compile(r"^(\s{0,12})(\d{1,4})\s+(?=\S)")
_SEPARATOR = re.compile(r"^(?:[ \t\u00a0]{10,}|[ \t]{0,12}[_\-–—=*.]{5,}[ \t]*)\r?$", re.MULTILINE)
_YEAR = re.compile(r"(?<![\d/.-])(?:1[5-9]\d\d|20\d\d)(?![\d])|\bn\.\s?d\.")
_URL = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)
_DOI = re.compile(r"\b10\.\d{4,9}/\S")
_PAGE = re.compile(r"(?:^|[\s(,])(?:pp?|s|с)\.\s?\d", re.IGNORECASE)
_BARE_URL_LINE = re.compile(r"^\s*(https?://\S+|www\.\S+)\s*$", re.IGNORECASE)
_IBID = re.compile(r"^\W{0,3}(?:(?:see|cf\.)\s+)?(?:ibid(?:em)?\b|id\.(?:\s|$))", re.IGNORECASE)
_OPCIT = re.compile(r"\b(?:op\.?\s?cit|loc\.?\s?cit)\b", re.IGNORECASE)
_CITATION_LINE = re.compile(
    (
        r"^\s{0,8}(?=[*_fchtpsдсб])(?:"
        + _EMPH
        + r"\s*)?(for\s+citation|cite\s+this(?:\s+article|\s+paper)?"
        r"|how\s+to\s+cite(?:\s+this\s+(?:article|paper))?|to\s+cite\s+this\s+(?:article|paper)"
        r"|please\s+cite\s+(?:this\s+(?:article|paper)\s+)?as|suggested\s+citation|citation"
        r"|для\s+цитирования|ссылка\s+для\s+цитирования|библиографическая\s+ссылка)"
        + _MARK
        + r"(?:\s*:)?"
        + _MARK
        + r"(.*)$"
    ).replace(r"\s", r"[ \t]"),
    re.IGNORECASE | re.MULTILINE,
)
# A line that starts with "Place: Publisher" continues the previous entry.
_PLACE_PUBLISHER = re.compile(
    r"^\s*["
    + _UP
    + r"][\w'’.]*(?:-[\w'’.]+)*(?:[ /,]{1,3}["
    + _UP
    + r"][\w'’.]*(?:-[\w'’.]+)*){0,3}"
    r"\s?:\s+[" + _UP + r"]"
)
_CONTINUATION_START = re.compile(
    r"^\s*(?:https?://|www\.|doi\b|DOI\b|URL\b|accessed\b|available\b|retrieved\b|in:|pp?\.|"
    r"vol\.|no\.|ed\.|eds\.|edited\b|trans\.|translated\b|isbn\b|issn\b|pmid\b|arxiv\b|"
    r"[(\[&,;:)\]–—-])",
    re.IGNORECASE,
)
_NOT_A_PLACE_WORDS = (
    "in available accessed retrieved url doi see online note notes source sources "
    "abstract keywords summary vol volume no issue pp isbn issn"
)
_NOT_A_PLACE = frozenset(_NOT_A_PLACE_WORDS.split())
# A new author-date entry starting in the middle of a line: ". Surname, Given. 2001."
_MIDLINE_AUTHOR_YEAR = re.compile(
    r"(?<=[.”\"] )[" + _UP + r"][" + _LOW + r"'’-]+, [" + _UP + r"][\w'’.-]{0,20}"
    r"(?: [" + _UP + r"][\w'’.-]{0,20}){0,2}[.,] \(?(?:1[5-9]\d\d|20\d\d)[a-z]?\)?[.,:]"
)
# Signs that a line starts a new entry (rather than continuing one).
_AUTHOR_START = re.compile(
    r"^\s*(?:[“\"‘«]"
    r"|[" + _UP + r"][\w'’]+(?:-[\w'’]+)*(?: [" + _UP + r"][\w'’]+(?:-[\w'’]+)*)?,\s+[" + _UP + r"]"
    r"|[" + _UP + r"][\w'’-]+\s+(?:[" + _UP + r"]\.\s?){1,3}"
    r"|[" + _UP + r"]{2,}[.,\s])"
)
_WORD = re.compile(r"[^\W\d_]+")
_STOPWORD_TEXT = """
a an the of and or to in on at by for with from as is are was were be been being it its
this that these those which who whom whose will would shall should may might can could must
not no nor but if then than so such all any each other their there they them we our you your
he she his her has have had do does did also only more most into under over about after
before between through during without within upon
и в во на с со по к ко от до для из за не что как это или но а же ли бы при так также
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_MAX_LINE_FOR_HEADING = 120
_MAX_ENTRY_FOR_SPLIT = 5000
_MAX_NOTE_CHARS = 6000
_MAX_ITEM_GAP_LINES = 12


@dataclass
class _Line:
    start: int
    end: int  # exclusive, before "\r\n"/"\n"
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip())


@dataclass
class _Span:
    """A reference found, before it becomes a :class:`Reference`."""

    start: int
    end: int
    label: str | None = None
    kind: str = "entry"
    number: int | None = None  # footnote number
    repeats: _Span | None = None


class _Lines:
    """The document's lines, made on demand from the source's line index.

    Passes look up the lines near what they found instead of walking every
    line, which keeps the per-line cost of huge inputs down.
    """

    def __init__(self, source: SourceText) -> None:
        self._source = source
        self._text = source.text
        self._count = source.line_count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k: int) -> _Line:
        start = self._source.line_start(k + 1)
        last = k + 1 >= self._count
        end = len(self._text) if last else self._source.line_start(k + 2) - 1
        if end > start and self._text[end - 1] == "\r":
            end -= 1
        return _Line(start, end, self._text[start:end])

    def index_of(self, offset: int) -> int:
        """0-based index of the line holding ``offset``."""
        return self._source.position(offset)[0] - 1


@dataclass
class _State:
    source: SourceText
    lines: _Lines
    taken: list[bool] = field(default_factory=list)  # line already belongs to a list/note


# ---------------------------------------------------------------------------
# Small predicates.


def _has_year(s: str) -> bool:
    return _YEAR.search(s) is not None


def _is_prose(s: str) -> bool:
    """A paragraph of running text (licence, footer, body), not a reference."""
    words = _WORD.findall(s[:4000])
    if len(words) < 22:
        return False
    stop = sum(1 for w in words if w.lower() in _STOPWORDS)
    ratio = stop / len(words)
    if _has_year(s) or _URL.search(s) or _DOI.search(s):
        return ratio >= 0.42 and len(words) >= 40
    return ratio >= 0.28


def _looks_like_reference(s: str) -> bool:
    """The shape of a reference: long enough, a date or link, several parts."""
    s = s.strip()
    if len(s) < 25 or _is_prose(s):
        return False
    signal = _has_year(s) or _URL.search(s) is not None or _DOI.search(s) is not None
    parts = s.count(". ") + s.count(", ") + s.count(": ")
    return signal and parts >= 2


def _ends_reference(s: str) -> bool:
    """Whether a line ends the way a complete reference ends."""
    t = s.rstrip()
    if not t:
        return True
    if t[-1] in ".)]”\"»’'!?":
        return True
    if t[-1].isdigit():
        return True
    last = t.rsplit(None, 1)[-1]
    return _URL.match(last) is not None or _DOI.match(last) is not None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _item_number(line: str) -> tuple[int, str, str, int] | None:
    """(number, style, label, content offset) of a numbered item line."""
    m = _ITEM.match(line)
    if m is None:
        return None
    if m.group(2) is not None:
        return int(m.group(2)), m.group(3), m.group(2), m.end()
    if m.group(4) is not None:
        return int(m.group(4)), "[]", f"[{m.group(4)}]", m.end()
    return int(m.group(5)), "()", f"({m.group(5)})", m.end()


def _is_heading_like(line: _Line, nxt: _Line | None) -> bool:
    """Another heading: Markdown, setext, or back-matter section names."""
    t = line.text
    if _MD_HEADING.match(t):
        return True
    if len(t) <= _MAX_LINE_FOR_HEADING and (_BACK_MATTER.match(t) or _REF_HEADING.match(t)):
        return True
    return nxt is not None and bool(_SETEXT_UNDERLINE.match(nxt.text)) and len(t.strip()) < 80


def _split_points(raw: str) -> list[int]:
    """Offsets in ``raw`` where a second reference starts on the same line(s).

    Two signs: a complete reference ending in "Place: Publisher." followed by
    text that is itself a dated reference, and a new "Surname, Given. 2001."
    right after a sentence end.
    """
    if not _has_year(raw):
        return []
    cuts: set[int] = set()
    pos = raw.find(": ")
    while pos != -1:
        cut = _after_publisher(raw, pos)
        if cut is not None:
            cuts.add(cut)
        pos = raw.find(": ", pos + 2)
    for m in _MIDLINE_AUTHOR_YEAR.finditer(raw):
        if _has_year(raw[: m.start()]):
            cuts.add(m.start())
    return sorted(c for c in cuts if 0 < c < len(raw))


def _after_publisher(raw: str, colon: int) -> int | None:
    seg = raw.rfind(". ", 0, colon)
    place = raw[seg + 2 if seg >= 0 else 0 : colon].strip()
    words = place.replace("/", " ").replace(",", " ").split()
    if not 1 <= len(words) <= 4 or len(place) > 40:
        return None
    if words[0].lower().strip(".") in _NOT_A_PLACE:
        return None
    if not all(w[:1].isupper() and not any(c.isdigit() for c in w) for w in words):
        return None
    stop = raw.find(". ", colon + 2)
    if stop == -1:
        return None
    publisher = raw[colon + 2 : stop]
    pwords = publisher.split()
    if not 1 <= len(pwords) <= 8 or not publisher[:1].isupper():
        return None
    if any(c.isdigit() for c in publisher) or ":" in publisher:
        return None
    rest_at = stop + 2
    rest = raw[rest_at:]
    lead = len(rest) - len(rest.lstrip())
    rest = rest.lstrip()
    if len(rest) < 15 or not (rest[0].isupper() or rest[0] in '“"‘«'):
        return None
    if _CONTINUATION_START.match(rest) or _PLACE_PUBLISHER.match(rest):
        return None
    if rest.split(None, 1)[0].rstrip(".,").lower() in {"report", "reprint", "first", "repr"}:
        return None
    if not _has_year(rest) or not _has_year(raw[:rest_at]):
        return None
    return rest_at + lead


def _taken_between(st: _State, a: int, b: int) -> bool:
    return a >= 0 and any(st.taken[a + 1 : b])
