"""Plain-text and Markdown documents: find the references inside a whole document.

A ``.txt``/``.md`` file may be a bare reference list, or a whole article,
thesis or web page that holds one somewhere (or holds none).  This parser
locates the reference material and gives every reference exact offsets;
reading the fields of each reference is left to
:func:`refcheck.parsers.fields.fill`.

What is recognised, in the order it is looked for:

* **Headed sections**: a line that is only "References", "Bibliography",
  "Works Cited", "Список литературы" … (optionally a Markdown ``#`` heading,
  numbered, bold, followed by a colon).  The section runs until another
  heading, a paragraph of prose (licence or footer text), a long gap, or the
  end of the file.  Inside it, entries are numbered items (``1.``, ``[1]``,
  ``1)``, ``(1)``), Markdown bullets, blank-line separated paragraphs, or one
  entry a line with continuation lines joined (a line that starts with
  "Place: Publisher", in lower case, or follows a line that did not end a
  reference).  In unnumbered lists a line that holds two references ("…
  New York: Random House. Next Work, 1995.") is split.
* **Numbered lists without a heading**: a run of consecutive item numbers
  starting at (or near) 1 whose items look like references.  Section numbers
  such as ``5.2.5.`` are not item markers.
* **Footnotes** of text extracted from PDF: after a separator line (a long
  run of spaces or underscores) come note numbers, each alone on its line (or
  leading its first line) and followed by the note text.  Note numbers must
  increase; a number out of sequence (a page number), an indented line that
  starts a new page, or the PDF's repeated link annotations end the block.
  ``ibid.`` notes get kind ``ibid`` and ``op. cit.`` notes kind ``op-cit``,
  with ``repeats`` pointing at the reference they repeat.  Notes with no
  sign of a citation (no year, page, link) are commentary and are skipped.
* **Citation lines**: "For citation:" / "Cite this article:" followed by the
  document's own reference (kind ``citation-line``).

``raw`` excludes the item marker or note number (they are in ``label``);
``raw == text[start:end]`` always holds.  Every step is a single pass over
lines with anchored, bounded regular expressions, so the time is linear in
the size of the input.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from refcheck.model import Document, ParseProblem, Reference, SourceText

FillFn = Callable[[Reference], None]
_fill: FillFn | None
try:
    from refcheck.parsers.fields import fill as _imported_fill

    _fill = _imported_fill
except ImportError:  # the field reader is optional: segmentation works without it
    _fill = None

__all__ = ["parse"]

FORMAT = "text"

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
    r"(?:appendix|appendices|acknowledge?ments?|about\s+the\s+authors?"
    r"|author\s+(?:information|contributions|biograph\w*|details)|notes\s+on\s+contributors"
    r"|funding|conflicts?\s+of\s+interests?|competing\s+interests|declarations?"
    r"|supplementary(?:\s+\w+){0,3}|data\s+availability(?:\s+statement)?"
    r"|copyright(?:\s+\w+){0,4}|licen[cs]e|comments?(?:\s*\(\d+\))?|add\s+comment"
    r"|footnotes|endnotes|index|tables?|figures?|abbreviations|glossary|keywords"
    r"|share|related\s+articles|recommended\s+articles|cited\s+by|metrics"
    r"|приложени[ея]|благодарности|об\s+авторах?|сведения\s+об\s+авторах?)" + _MARK + r"\s*:?\s*$",
    re.IGNORECASE,
)
# An item marker at a line start: "1.", "1)", "[1]", "(1)" followed by text.
# "5.2.5." is not one: the dot must be followed by white space.
_ITEM = re.compile(
    r"^([ \t]{0,12})(?:(\d{1,4})([.)])|\[(\d{1,4})\]|\((\d{1,4})\))(?=[ \t]+\S)[ \t]+", re.MULTILINE
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


# ---------------------------------------------------------------------------
# Headed sections.


def _find_sections(st: _State) -> list[tuple[int, int, int]]:
    """(heading line, first content line, end line exclusive) of each headed section."""
    lines = st.lines
    out: list[tuple[int, int, int]] = []
    n = len(lines)
    done = 0  # sections do not overlap: skip headings inside the last one
    for m in _REF_HEADING.finditer(st.source.text):
        i = lines.index_of(m.start())
        if i < done or len(lines[i].text) > _MAX_LINE_FOR_HEADING:
            continue
        first = i + 1
        if first < n and _SETEXT_UNDERLINE.match(lines[first].text):
            first += 1
        end = _section_end(st, first)
        out.append((i, first, end))
        done = max(end, i + 1)
    return out


def _section_end(st: _State, first: int) -> int:
    lines = st.lines
    n = len(lines)
    blank_run = 0
    seen_content = False
    j = first
    while j < n:
        line = lines[j]
        if line.blank:
            blank_run += 1
            if seen_content and blank_run >= 4:
                return j - blank_run + 1
            j += 1
            continue
        blank_run = 0
        nxt = lines[j + 1] if j + 1 < n else None
        if _is_heading_like(line, nxt):
            return j
        if seen_content and _is_prose(line.text) and _item_number(line.text) is None:
            return j
        seen_content = True
        j += 1
    return n


def _segment_section(st: _State, first: int, end: int) -> list[_Span]:
    lines = st.lines
    content = [k for k in range(first, end) if not lines[k].blank]
    if not content:
        return []
    head = lines[content[0]].text
    if _item_number(head) is not None:
        return _segment_items(st, first, end, numbered=True)
    if _BULLET.match(head) is not None:
        return _segment_items(st, first, end, numbered=False)
    return _segment_author_date(st, first, end)


def _segment_items(st: _State, first: int, end: int, numbered: bool) -> list[_Span]:
    """Numbered or bulleted items; other lines continue the current item."""
    lines = st.lines
    text = st.source.text
    spans: list[_Span] = []
    cur_start: int | None = None
    cur_end = 0
    cur_label: str | None = None
    expected = 0
    style: str | None = None
    after_blank = False
    stop = end
    for k in range(first, end):
        line = lines[k]
        if line.blank:
            after_blank = True
            continue
        marker: tuple[str | None, int] | None = None
        if numbered:
            item = _item_number(line.text)
            # A continuation line may start with "2019." : only a number close
            # to the expected one, in the list's marker style, is a new item.
            if item is not None and (style is None or item[1] == style):
                num = item[0]
                if cur_start is None or expected - 3 <= num <= expected + 3:
                    marker = (item[2], item[3])
                    style = item[1]
                    expected = num + 1
        else:
            b = _BULLET.match(line.text)
            if b is not None:
                marker = (None, b.end())
        if marker is not None:
            if cur_start is not None:
                spans.append(_Span(cur_start, cur_end, cur_label))
            cur_start = line.start + marker[1]
            cur_end = line.end
            cur_label = marker[0]
        elif cur_start is not None:
            t = line.text
            continues = not after_blank or line.indent >= 2 or t.lstrip()[:1].islower()
            if not continues or _is_prose(t):
                stop = k
                break
            cur_end = line.end
        after_blank = False
    if cur_start is not None:
        spans.append(_Span(cur_start, cur_end, cur_label))
    del stop
    out: list[_Span] = []
    for sp in spans:
        s, e = _trim(text, sp.start, sp.end)
        if e > s:
            out.append(_Span(s, e, sp.label))
    return out


def _starts_entry(line: str, prev: str, strong_only: bool) -> bool:
    """Whether ``line`` begins a new entry (else it continues the previous one)."""
    s = line.lstrip()
    if not s:
        return False
    if s[0].islower() or _CONTINUATION_START.match(s) or _PLACE_PUBLISHER.match(s):
        return False
    if not _ends_reference(prev):
        return False
    if _AUTHOR_START.match(s):
        return True
    if strong_only:
        return False
    return _YEAR.search(s[:70]) is not None


def _segment_author_date(st: _State, first: int, end: int) -> list[_Span]:
    lines = st.lines
    text = st.source.text
    body = [k for k in range(first, end) if not lines[k].blank]
    if not body:
        return []
    # Double-spaced extractions put a blank line after every line: blank lines
    # then separate nothing.  Otherwise blank lines separate entries.
    singles = sum(1 for k in body if k + 1 < end and lines[k + 1].blank)
    double_spaced = len(body) >= 3 and singles >= 0.8 * len(body)
    paragraphs = 1 + sum(1 for a, b in itertools.pairwise(body) if b - a > 1)
    blank_separated = not double_spaced and paragraphs >= 2
    # When blank lines separate entries, only a strong author start splits a
    # paragraph; when entries are one per line, a leading year suffices.
    strong_only = blank_separated and paragraphs >= max(2, len(body) // 3)

    spans: list[_Span] = []
    cur: list[int] = []
    prev_k = -1
    for k in body:
        line = lines[k]
        new = not cur
        if cur:
            gap = k - prev_k > 1
            if blank_separated and gap:
                new = True
            else:
                new = _starts_entry(line.text, lines[prev_k].text, strong_only)
        if new and cur:
            spans.append(_Span(lines[cur[0]].start, lines[cur[-1]].end))
            cur = []
        cur.append(k)
        prev_k = k
    if cur:
        spans.append(_Span(lines[cur[0]].start, lines[cur[-1]].end))

    out: list[_Span] = []
    for sp in spans:
        s, e = _trim(text, sp.start, sp.end)
        if e <= s:
            continue
        cuts = _split_points(text[s:e]) if e - s <= _MAX_ENTRY_FOR_SPLIT else []
        bounds = [s] + [s + c for c in cuts] + [e]
        for a, b in itertools.pairwise(bounds):
            a2, b2 = _trim(text, a, b)
            if b2 > a2:
                out.append(_Span(a2, b2))
    return out


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


# ---------------------------------------------------------------------------
# Numbered lists without a heading.


def _numbered_runs(st: _State) -> list[list[_Span]]:
    """Runs of numbered items (1., 2., 3. …) that look like references."""
    lines = st.lines
    text = st.source.text
    runs: list[list[_Span]] = []
    cur: list[_Span] = []
    style: str | None = None
    expected = 0
    last_item = -1  # line of the current run's last item
    covered = -1  # last line the current item extends over
    for m in _ITEM.finditer(text):
        k = lines.index_of(m.start())
        if k <= covered or st.taken[k]:
            continue
        item = _item_number(lines[k].text)
        if item is None:
            continue
        num, item_style, label, off = item
        fits = bool(cur) and item_style == style and expected - 1 <= num <= expected + 2
        if not fits or k - last_item > _MAX_ITEM_GAP_LINES or _taken_between(st, last_item, k):
            if cur:
                runs.append(cur)
            cur = []
            if num > 3:
                continue
        line = lines[k]
        span = _Span(line.start + off, line.end, label)
        style, expected, last_item = item_style, num + 1, k
        covered = _extend_item(st, k, span, style, expected)
        cur.append(span)
    if cur:
        runs.append(cur)

    accepted: list[list[_Span]] = []
    for run in runs:
        spans = []
        for sp in run:
            s, e = _trim(text, sp.start, sp.end)
            if e > s:
                spans.append(_Span(s, e, sp.label))
        if len(spans) < 3:
            continue
        good = sum(1 for sp in spans if _looks_like_reference(text[sp.start : sp.end]))
        if good >= 0.6 * len(spans):
            accepted.append(spans)
    return accepted


def _taken_between(st: _State, a: int, b: int) -> bool:
    return a >= 0 and any(st.taken[a + 1 : b])


def _extend_item(st: _State, k: int, span: _Span, style: str, expected: int) -> int:
    """Extend an item over its continuation lines; return the last line it covers.

    A line directly below the item (or indented, after a blank line) continues
    it, and so does a line starting with a number far from the next item's
    ("2019. Title …"): a new item must be numbered close to ``expected``.
    """
    lines = st.lines
    n = len(lines)
    last = k
    j = k + 1
    while j < n and j - k <= _MAX_ITEM_GAP_LINES and not st.taken[j]:
        line = lines[j]
        if line.blank:
            j += 1
            continue
        item = _item_number(line.text)
        if item is not None and item[1] == style and expected - 1 <= item[0] <= expected + 2:
            break
        if (j == last + 1 or line.indent >= 2) and not _is_prose(line.text):
            span.end = line.end
            last = j
            j += 1
            continue
        break
    return last


# ---------------------------------------------------------------------------
# Footnotes.


def _note_start(line: str) -> tuple[int, int | None] | None:
    """(number, offset of text on the same line or None) for a note's first line."""
    m = _NUMBER_ALONE.match(line)
    if m is not None:
        return int(m.group(1)), None
    m = _NUMBER_LEAD.match(line)
    if m is not None and _item_number(line) is None:
        return int(m.group(2)), m.end()
    return None


def _footnotes(st: _State) -> list[_Span]:
    lines = st.lines
    text = st.source.text
    n = len(lines)
    notes: list[_Span] = []
    last_number = 0
    done = 0
    for m in _SEPARATOR.finditer(text):
        k = lines.index_of(m.start())
        if k < done or st.taken[k]:
            continue
        j = k + 1
        while j < n and j - k <= 4 and lines[j].blank and not _SEPARATOR.match(lines[j].text):
            j += 1
        first = _note_start(lines[j].text) if j < n else None
        if first is None or first[0] <= last_number:
            continue
        done, last_number = _read_note_block(st, j, notes)
    # Commentary with no citation signal is not a reference.
    out: list[_Span] = []
    for sp in notes:
        raw = text[sp.start : sp.end]
        repeat = _IBID.match(raw) is not None or _OPCIT.search(raw) is not None
        cites = _has_year(raw) or _URL.search(raw) or _DOI.search(raw) or _PAGE.search(raw)
        if repeat or cites:
            out.append(sp)
    return out


def _read_note_block(st: _State, j: int, notes: list[_Span]) -> tuple[int, int]:
    """Read the notes from line ``j``; return (line after the block, last number)."""
    lines = st.lines
    text = st.source.text
    n = len(lines)
    number = 0
    cur: _Span | None = None
    cur_lines = 0
    first_indent = 0
    block_start = lines[j].start

    def finish() -> None:
        if cur is not None:
            s, e = _trim(text, cur.start, cur.end)
            if e > s:
                notes.append(_Span(s, e, str(cur.number), "footnote", cur.number))

    k = j
    while k < n:
        line = lines[k]
        if line.blank and not _SEPARATOR.match(line.text):
            k += 1
            continue
        if _SEPARATOR.match(line.text) or "\f" in line.text:
            break
        start = _note_start(line.text)
        if start is not None and (cur is None or number < start[0] <= number + 2):
            finish()
            number = start[0]
            cur = _Span(line.end, line.end, number=number)
            cur_lines = 0
            if start[1] is not None:
                cur.start = line.start + start[1]
                cur.end = line.end
                cur_lines = 1
                first_indent = line.indent
            st.taken[k] = True
            k += 1
            continue
        if cur is None or _NUMBER_ALONE.match(line.text):
            break  # a number out of sequence: a page number; the body resumes
        bare = _BARE_URL_LINE.match(line.text)
        if bare is not None:
            seen = re.sub(r"\s+", "", text[block_start : line.start])
            if bare.group(1).rstrip(".,;") in seen:
                break  # the PDF's link annotations repeat the notes' URLs
        if cur_lines == 0:
            cur.start = line.start
            first_indent = line.indent
        elif 0 < line.indent <= first_indent + 1:
            break  # an indented line after a note's first line starts a new page
        if line.end - cur.start > _MAX_NOTE_CHARS:
            break
        cur.end = line.end
        cur_lines += 1
        st.taken[k] = True
        k += 1
    finish()
    return k, number


def _family_names(prefix: str) -> list[str]:
    """Family names in the author part of an op. cit. note ("John T. Smith, …")."""
    p = re.sub(
        r"^\W*(?:q(?:uo)?ted\s+in|cited\s+in|see\s+also|see|cf\.|in)\s+",
        "",
        prefix,
        flags=re.IGNORECASE,
    )
    p = p.split("(", 1)[0]
    names: list[str] = []
    for chunk in re.split(r"\s+(?:&|and|и)\s+|;", p)[:4]:
        head = chunk.split(",", 1)[0].strip()
        words = [w for w in _WORD.findall(head) if len(w) > 1 and w[0].isupper()]
        if words:
            names.append(words[-1])
    return names


def _words(s: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(s) if len(w) > 3} | set(_YEAR.findall(s))


def _resolve_repeats(text: str, notes: list[_Span]) -> None:
    by_number: dict[int, _Span] = {}
    # family name (lower case) -> earlier full notes that mention it, and the
    # words of each note: op. cit. lookups stay cheap on very long documents.
    index: dict[str, list[_Span]] = {}
    words: dict[int, set[str]] = {}
    for sp in notes:
        raw = text[sp.start : sp.end]
        if _IBID.match(raw):
            sp.kind = "ibid"
            prev = by_number.get(sp.number - 1) if sp.number is not None else None
            if prev is not None:
                sp.repeats = prev.repeats if prev.kind in ("ibid", "op-cit") else prev
        else:
            m = _OPCIT.search(raw)
            if m is not None and m.start() < 200:
                sp.kind = "op-cit"
                sp.repeats = _match_op_cit(raw[: m.start()], index, words)
            else:
                head = raw[:600]
                words[id(sp)] = _words(head)
                for w in {w.lower() for w in _WORD.findall(head) if w[0].isupper()}:
                    index.setdefault(w, []).append(sp)
        if sp.number is not None:
            by_number[sp.number] = sp


def _match_op_cit(
    prefix: str, index: dict[str, list[_Span]], words: dict[int, set[str]]
) -> _Span | None:
    names = _family_names(prefix)
    if not names:
        return None
    candidates = index.get(names[0].lower(), [])[-50:]
    # Prefer the earlier note that shares the op. cit.'s other words (a year,
    # title words), and among equals the most recent.
    extra = _words(prefix)
    best: _Span | None = None
    best_score = -1
    for cand in candidates:
        score = len(extra & words.get(id(cand), set()))
        if score >= best_score:
            best, best_score = cand, score
    return best


# ---------------------------------------------------------------------------
# Citation lines.


def _citation_lines(st: _State) -> list[_Span]:
    lines = st.lines
    text = st.source.text
    out: list[_Span] = []
    n = len(lines)
    for hit in _CITATION_LINE.finditer(text):
        k = lines.index_of(hit.start())
        line = lines[k]
        if st.taken[k] or len(line.text) > 2000:
            continue
        m = _CITATION_LINE.match(line.text)
        if m is None:
            continue
        label = re.sub(r"\s+", " ", m.group(1).strip())
        if m.group(2).strip():
            s, e = _trim(text, line.start + m.start(2), line.end)
        else:
            j = k + 1
            while j < n and j - k <= 2 and lines[j].blank:
                j += 1
            if j >= n or lines[j].blank or st.taken[j]:
                continue
            s, e = _trim(text, lines[j].start, lines[j].end)
            # The citation may be wrapped over a few lines.
            j2 = j + 1
            while j2 < n and j2 - j < 4 and not lines[j2].blank:
                if _is_heading_like(lines[j2], None):
                    break
                e = _trim(text, lines[j].start, lines[j2].end)[1]
                j2 += 1
        if e > s and _looks_like_reference(text[s:e]):
            out.append(_Span(s, e, label, "citation-line"))
    return out


# ---------------------------------------------------------------------------


def _mark(st: _State, spans: list[_Span]) -> None:
    """Mark the lines the spans cover, so later passes leave them alone."""
    for sp in spans:
        a = st.lines.index_of(sp.start)
        b = st.lines.index_of(max(sp.start, sp.end - 1))
        for k in range(a, b + 1):
            st.taken[k] = True


def _make_reference(source: SourceText, sp: _Span) -> Reference:
    line, _ = source.position(sp.start)
    end_line, _ = source.position(sp.end)
    return Reference(
        path=source.path,
        format=FORMAT,
        index=0,
        start=sp.start,
        end=sp.end,
        raw=source.text[sp.start : sp.end],
        label=sp.label,
        kind=sp.kind,
        line=line,
        end_line=end_line,
    )


def parse(source: SourceText) -> Document:
    """Find the references in a plain-text or Markdown document."""
    doc = Document(source=source, format=FORMAT, expects_list=False)
    try:
        _parse_into(doc)
    except Exception as exc:  # never raise on input; report instead
        doc.problems.append(
            ParseProblem("text-parse", 0, 0, f"the text parser failed: {type(exc).__name__}: {exc}")
        )
    return doc


def _parse_into(doc: Document) -> None:
    source = doc.source
    text = source.text
    st = _State(source, _Lines(source))
    st.taken = [False] * len(st.lines)

    lists: list[tuple[str, int, list[_Span]]] = []  # (layout, section start, spans)
    for head, first, end in _find_sections(st):
        spans = _segment_section(st, first, end)
        if not spans:
            continue
        numbered = any(sp.label is not None for sp in spans)
        lists.append(("numbered" if numbered else "author-date", st.lines[head].start, spans))
        for k in range(head, first):
            st.taken[k] = True
        _mark(st, spans)
    for run in _numbered_runs(st):
        lists.append(("numbered", run[0].start, run))
        _mark(st, run)
    notes = _footnotes(st)
    _resolve_repeats(text, notes)
    cites = _citation_lines(st)
    if not lists and not notes and not cites:
        bare = _bare_list(st)
        if bare:
            lists.append(("numbered" if any(sp.label for sp in bare) else "author-date",
                          bare[0].start, bare))
            _mark(st, bare)

    found: list[_Span] = [sp for _, _, lst in lists for sp in lst] + notes + cites
    found.sort(key=lambda sp: sp.start)
    refs: list[Reference] = []
    position: dict[int, int] = {}
    for i, sp in enumerate(found, 1):
        ref = _make_reference(source, sp)
        ref.index = i
        position[id(sp)] = i
        refs.append(ref)
    for sp, ref in zip(found, refs, strict=True):
        if sp.repeats is not None:
            ref.repeats = position.get(id(sp.repeats))
    for ref in refs:
        _fill_fields(doc, ref)
    doc.references = refs

    if lists:
        main = max(lists, key=lambda item: len(item[2]))
        doc.layout = main[0]
        doc.section = (min(s for _, s, _ in lists), max(lst[-1].end for _, _, lst in lists))
    elif notes:
        doc.layout = "footnotes"


def _bare_list(st: _State) -> list[_Span]:
    """A file that is nothing but references, with no heading: ``refs.txt``.

    Users paste one or two references into a file, or keep a list without a
    heading; a numbered run needs three items and a section needs a heading,
    so neither finds them.  The whole file is read as one section when every
    entry it splits into has the shape of a reference and none is prose;
    otherwise (an abstract, a page of text) nothing is invented.
    """
    spans = _segment_section(st, 0, len(st.lines))
    if not spans or len(spans) > 2000:
        return []
    text = st.source.text
    if all(_bare_entry(text[sp.start : sp.end], sp.label) for sp in spans):
        return spans
    return []


def _bare_entry(raw: str, label: str | None) -> bool:
    """Stricter than inside a headed section: no heading vouches for the text."""
    if not _looks_like_reference(raw):
        return False
    words = _WORD.findall(raw[:2000])
    if len(words) >= 15 and sum(w.lower() in _STOPWORDS for w in words) / len(words) >= 0.3:
        return False
    plain = raw.lstrip().lstrip("*_")  # Markdown emphasis around the authors
    return (
        label is not None
        or _AUTHOR_START.match(plain) is not None
        or _BARE_START.match(raw) is not None
        or _BARE_START.match(plain) is not None
    )


# Starts that a bare entry may have besides _AUTHOR_START: a bullet, a Markdown-escaped
# label ("\\[32\\]"), a Vancouver author ("Alfaro-Almagro F, …", "Smith JA.").
_BARE_START = re.compile(
    r"^\s*(?:[-*+•]\s|\\?\[\d{1,4}\\?\]|\d{1,4}[.)]\s"
    r"|[" + _UP + r"][\w'’-]+\s+[" + _UP + r"]{1,3}[,.])"
)


def _fill_fields(doc: Document, ref: Reference) -> None:
    if _fill is None:
        return
    try:
        _fill(ref)
    except Exception as exc:  # a field-reader bug must not lose the reference
        doc.problems.append(
            ParseProblem(
                "text-parse", ref.start, ref.end, f"fields could not be read: {type(exc).__name__}"
            )
        )
