"""In-text citations: find them in the body of a document, outside its reference list.

Four families are recognised, each into :class:`Citation` values with the
absolute offsets of the cited item (one number, one author-year pair, one
key), so that a finding points at exactly what the reader sees:

* **numbered**: ``[1]``, ``[1, 3–5]``, ``[2; 7]``, ``[12, p. 5]`` and
  Unicode superscripts that survived extraction (``states¹²``, ``⁴⁻⁶``).
  Brackets whose content is not only numbers, ranges and a page locator are
  prose (``[sic]``, ``[2022]`` — a year is never a citation number), as are
  Markdown links ``[1](…)``, link definitions ``[1]: …`` and footnotes ``[^1]``.
* **author-date**: parenthetical ``(Walt 1985)``, ``(Leeds 2003; Walt
  1990a, 1991)``, ``(see Walt and Leeds 2003, 12)``, bracketed ``[Walt,
  1985, p. 5]`` (GOST) and narrative ``Walt (1985, 12)``, ``Walt et al.
  (2003)``.  Names must be capitalised words; a bare year in parentheses
  is not a citation.
* **latex**: the ``\\cite`` family of LaTeX, natbib and biblatex (``\\citep``,
  ``\\citet``, ``\\parencite``, ``\\textcite``, ``\\autocite``, ``\\footcite``,
  ``\\cites`` …) with optional ``[pre][post]`` notes; ``\\nocite{*}`` is kept
  as the key ``*``.
* **pandoc**: ``[@key]``, ``[see @key, p. 3; @other]``, ``[-@key]`` and, in a
  document that has bracketed pandoc citations or a ``bibliography:``
  header, bare ``@key``.

The body is the text with the reference section, every reference span and
code (Markdown fences, LaTeX comments) blanked out, so offsets stay those
of the file.  Patterns are bounded (no nested quantifiers over unbounded
text), so scanning is linear in the size of the input.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

import regex

from refcheck.model import Document
from refcheck.text.patterns import lazy

__all__ = [
    "NOT_NAMES",
    "Citation",
    "author_date_citations",
    "bibliography_names",
    "body_text",
    "fold_name",
    "key_citations",
    "numbered_citations",
]


@dataclass(frozen=True)
class Citation:
    """One cited item as written in the text."""

    style: str  # "numbered" | "author-date" | "latex" | "pandoc"
    start: int
    end: int
    number: int | None = None
    # Author-date: family names as written ("Walt", "De Haas"); "et al." sets ``et_al``.
    names: tuple[str, ...] = ()
    et_al: bool = False
    year: int | None = None
    year_suffix: str | None = None
    no_date: bool = False
    key: str | None = None
    # The whole citation group ("(Leeds 2003; Walt 1990)"), for context.
    group_start: int = 0
    group_end: int = 0

    @property
    def label(self) -> str:
        if self.style == "numbered":
            return f"[{self.number}]"
        if self.style == "author-date":
            who = self.names[0] + (" et al." if self.et_al else "")
            if len(self.names) == 2 and not self.et_al:
                who = f"{self.names[0]} and {self.names[1]}"
            when = "n.d." if self.no_date else f"{self.year}{self.year_suffix or ''}"
            return f"{who} {when}"
        return f"@{self.key}" if self.style == "pandoc" else f"\\cite{{{self.key}}}"


# ---------------------------------------------------------------------------
# The body: the text a reader reads, with the reference material blanked out.

_FENCE = lazy(r"^[ \t]{0,3}(```|~~~)[^\n]*\n.*?^[ \t]{0,3}\1[ \t]*$", regex.M | regex.S)
_INLINE_CODE = lazy(r"`[^`\n]{1,200}`")
_TEX_COMMENT = lazy(r"(?<!\\)%[^\n]*")
_TEX_VERBATIM = lazy(
    r"\\begin\{(verbatim|lstlisting|minted|comment)\}.*?\\end\{\1\}", regex.S
)
_HTML_COMMENT = lazy(r"<!--.*?-->", regex.S)


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(max(0, start), min(end, len(chars))):
        if chars[i] != "\n":
            chars[i] = " "


def body_text(doc: Document) -> str:
    """``doc.text`` with the reference list, references and code replaced by spaces.

    Same length and same line breaks as the original, so a match's offsets
    are offsets into ``doc.text``.
    """
    text = doc.text
    chars = list(text)
    if doc.section is not None:
        _blank(chars, *doc.section)
    for ref in doc.references:
        _blank(chars, ref.start, ref.end)
    patterns = [_FENCE, _INLINE_CODE, _HTML_COMMENT]
    if doc.format == "latex":
        patterns = [_TEX_COMMENT, _TEX_VERBATIM]
    else:
        for start, end in console_spans(text):
            _blank(chars, start, end)
    for pattern in patterns:
        for m in pattern.finditer(text):
            _blank(chars, m.start(), m.end())
    if doc.format == "latex":
        # The thebibliography environment is the list, not the body.
        for m in regex.finditer(r"\\begin\{thebibliography\}.*?(?:\\end\{thebibliography\}|\Z)",
                                text, regex.S):
            _blank(chars, m.start(), m.end())
    return "".join(chars)


# A console transcript: prompts and what the program printed ("[1] 0 6 13",
# "Data: double [180, 4]") are no citations.  A prompt line is code when it reads
# like code (a call, an assignment); a Markdown quote ("> As Walt (1987) says")
# does not.
_PROMPT = lazy(r"^[ \t]*(?:R>|>|\+)[ \t]?\S")
_CODE_SIGN = lazy(r"\w\(|<-|\w[ \t]?=[ \t]?\S|\w\$\w|::|^[ \t]*R>")
_PROSE_WORD = lazy(r"(?<![\w\-.])\p{L}{2,}(?![\w\-(])")
# Output runs at most this many non-empty lines past the last prompt.
_OUTPUT_LINES = 60


def _is_prose(line: str) -> bool:
    """A line of running text: eight words or more, mostly words."""
    words = len(_PROSE_WORD.findall(line))
    return words >= 8 and words >= 0.6 * len(line.split())


def console_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of console transcripts: prompt lines that read like code, and the
    lines after them up to the next line of running text."""
    if ">" not in text:
        return []
    spans: list[tuple[int, int]] = []
    pos = 0
    after = -1  # non-empty lines since the last prompt; -1: not in a transcript
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        if not line.strip():
            continue
        if _PROMPT.match(line) and _CODE_SIGN.search(line) and not _is_prose(line):
            after = 0
        elif after < 0 or after >= _OUTPUT_LINES or _is_prose(line):
            after = -1
            continue
        else:
            after += 1
        if spans and spans[-1][1] >= start - 2:
            spans[-1] = (spans[-1][0], pos)
        else:
            spans.append((start, pos))
    return spans


# ---------------------------------------------------------------------------
# Numbered citations.

_DASH = "-–—‒−"
_NUM_ITEM = rf"\d{{1,4}}(?:[ \t]*[{_DASH}][ \t]*\d{{1,4}})?"
_LOCATOR = r"(?:pp?|s|с|S|C|стр|ch|chap|fig|vol|art|para|§)\.?[ \t]?\d[\d\w" + _DASH + r",. ]{0,20}"
_BRACKET_NUM = lazy(
    r"(?<![\[\w!^])\[[ \t]?(?P<body>" + _NUM_ITEM + r"(?:[ \t]?[,;][ \t]?" + _NUM_ITEM + r"){0,30}"
    r"(?:[ \t]?[,:][ \t]?" + _LOCATOR + r")?)[ \t]?\](?![(\[:])"
)
_BRACKET_RANGE = lazy(r"\[(\d{1,4})\][ \t]?[" + _DASH + r"][ \t]?\[(\d{1,4})\]")
_NUM_PART = lazy(r"(\d{1,4})(?:[ \t]*[" + _DASH + r"][ \t]*(\d{1,4}))?")
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER = lazy(
    r"(?<=[\p{L}\p{P}])[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}(?:[⁻˗,‚ ]{1,2}[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}){0,10}"
)
_SUPER_TABLE = str.maketrans(_SUPERSCRIPT_DIGITS + "⁻˗‚", "0123456789--,")
_LONGEST_RANGE = 100


def _is_year(n: int) -> bool:
    return 1400 <= n <= 2100


def numbered_citations(body: str) -> list[Citation]:
    """Bracketed numbers and superscripts in ``body`` (see :func:`body_text`)."""
    out: list[Citation] = []
    for m in _BRACKET_NUM.finditer(body):
        inner = m.group("body")
        base = m.start("body")
        # The locator ("p. 5") is not a citation number.
        cut = regex.search(r"[,:][ \t]?" + _LOCATOR + r"$", inner)
        numbers_part = inner[: cut.start()] if cut else inner
        items = list(_NUM_PART.finditer(numbers_part))
        values = [int(x.group(1)) for x in items] + [int(x.group(2)) for x in items if x.group(2)]
        if any(_is_year(v) for v in values) or any(v == 0 for v in values):
            continue  # "[2022]", "[1998–2004]", "[0]": prose, not citations
        group = (m.start(), m.end())
        for item in items:
            first = int(item.group(1))
            last = int(item.group(2)) if item.group(2) else first
            start, end = base + item.start(), base + item.end()
            if last < first or last - first > _LONGEST_RANGE:
                # A reversed or huge "range" is an ordinary number pair; keep its ends.
                out.append(Citation("numbered", start, end, number=first,
                                    group_start=group[0], group_end=group[1]))
                continue
            for n in range(first, last + 1):
                out.append(Citation("numbered", start, end, number=n,
                                    group_start=group[0], group_end=group[1]))
    # IEEE writes a range as "[2]–[4]": the numbers between are cited too.
    for m in _BRACKET_RANGE.finditer(body):
        first, last = int(m.group(1)), int(m.group(2))
        if 0 < first < last and last - first <= _LONGEST_RANGE and not _is_year(last):
            for n in range(first + 1, last):
                out.append(Citation("numbered", m.start(), m.end(), number=n,
                                    group_start=m.start(), group_end=m.end()))
    for m in _SUPER.finditer(body):
        plain = m.group(0).translate(_SUPER_TABLE)
        for part in regex.finditer(r"(\d{1,3})(?:-(\d{1,3}))?", plain):
            first = int(part.group(1))
            last = int(part.group(2)) if part.group(2) else first
            if first == 0 or last < first or last - first > _LONGEST_RANGE:
                continue
            for n in range(first, last + 1):
                out.append(Citation("numbered", m.start() + part.start(), m.start() + part.end(),
                                    number=n, group_start=m.start(), group_end=m.end()))
    out.sort(key=lambda c: (c.group_start, c.number or 0))
    return out


# ---------------------------------------------------------------------------
# Author-date citations.

_PARTICLE = r"(?i:van|von|de|der|den|du|da|di|le|la|dos|das|del|della|ten|ter|al|el|bin|ibn|St\.)"
_SURNAME = (
    r"(?:" + _PARTICLE + r"[ \t]+){0,3}"
    # Bounded runs: a name is never 40 letters long, and unbounded ones let a
    # 47,000-letter "word" be split at every letter (15 s; found by benchmarks/fuzz.py).
    r"(?:\p{Lu}['’]\p{Lu}|Mc|Mac)?\p{Lu}[\p{Ll}\p{Lu}'’]{0,40}\p{Ll}[\p{Ll}'’]{0,40}"
    r"(?:-\p{Lu}[\p{Ll}'’]+)?"
)
_INSTITUTION = r"\p{Lu}{2,10}"  # UNODC, OECD, NATO
# A corporate author of several capitalised words, a one-letter word among them
# ("R Core Team", "World Health Organization"); which of its words name the work
# is decided against the list (rules/citations.py), as a sentence's first word
# ("In R Core Team (2019)") can precede it.
# Possessive: a run of capitalised words is taken whole, never re-split on failure
# (splitting it every way made a page of capitalised names 25 times slower).
_CORPORATE = r"(?:\p{Lu}[\p{Ll}\p{Lu}&'’\-]{0,30}[ \t]+(?=\p{Lu})){1,5}+" + _SURNAME
_COMPANY = r"(?:,?[ \t]+(?:Inc|Ltd|Corp|LLC|GmbH|AG|plc)\.?)?"  # "(Cytel Inc., 2003)"
_NAME = r"(?:" + _CORPORATE + r"|" + _SURNAME + r"|" + _INSTITUTION + r")" + _COMPANY
_JOIN = r"(?:[ \t]*,[ \t]*(?:(?:and|&)[ \t]+)?|[ \t]+(?:and|&|und|et|y|и)[ \t]+)"
_NAMES = r"(?P<names>" + _NAME + r"(?:" + _JOIN + _NAME + r"){0,5})(?P<etal>[ \t]+et[ \t]+al\.?)?"
_YEAR = r"(?:(?:1[5-9]\d\d|20\d\d)[a-z]?(?![\d])|n\.[ \t]?d\.)"
# After the first year, a letter alone is that year again: "(Fraley and Raftery 2002b,a)".
_YEAR_NEXT = r"(?:" + _YEAR + r"|[a-z](?![\p{L}\p{N}]))"
_YEARS = r"(?P<years>" + _YEAR + r"(?:[ \t]*,[ \t]*" + _YEAR_NEXT + r"){0,6})"
# What a citation may point into after the year: "p. 5", "Table 7.8, page 288",
# "Chapter 29", "Theorem 2".
_LOC_WORD = (
    r"(?:pp?\.|с\.|S\.|ch\.|chap\.|(?i:pages?|tables?|tab\.|figures?|figs?\.|chapters?"
    r"|sections?|sec\.|§|eqs?\.|equations?|appendix|theorems?|lemmas?|examples?|definitions?"
    r"|propositions?|corollary|remarks?|part|vol\.|no\.|col\.|para\.|notes?|fn\.|ll?\.))"
)
_LOC = (
    r"(?:[ \t]*[,:][ \t]*(?:" + _LOC_WORD + r"[ \t]?)?[\divxlc][\w"
    + _DASH
    + r"., ]{0,30}(?:[ \t]*,[ \t]*" + _LOC_WORD + r"[ \t]?[\divxlc][\w" + _DASH
    + r". ]{0,20}){0,2})?"
)
_PREFIX = (
    r"(?:(?:see|see[ \t]+also|e\.g\.|cf\.|compare|also|i\.e\.|for[ \t]+example"
    r"|as[ \t]+cited[ \t]+in|quoted[ \t]+in|in|after)[, \t]+){0,3}"
    # A parenthesis's own words before the source, ending in a word that leads
    # to it: "(example data from Agresti, 2002)", "(as proposed by Walt 1987)".
    r"(?:(?:\p{Ll}[\p{Ll}\-]{0,20}[ \t]+){0,4}(?:from|by|in|following)[ \t]+)?"
)

# Where the cited work is found on the web: "(R Core Team 2017, http://www.R-project.org/)".
_WEB = r"(?:[ \t]*,[ \t]*(?:https?://|www\.)[^\s,;]{1,200})?"
# A remark after the source: "(Heywood 2009, archived on CRAN)", "(Walt 1987, among others)".
_REMARK = r"(?:[ \t]*,[ \t]*\p{Ll}[\p{L}\p{N} .'’\-]{0,60})?"
_AD_ITEM = lazy(
    r"[ \t]*" + _PREFIX + _NAMES + r"(?:['’]s)?[ \t]*,?[ \t]+" + _YEARS + _LOC + _WEB + _REMARK
    + r"[ \t]*"
)
_AD_GROUP = lazy(r"(?P<open>[(\[])(?P<body>[^()\[\]\n]{4,400})(?P<close>[)\]])")
_NARRATIVE_RE = (
    r"(?<![\p{L}\p{N}@\\])" + _NAMES + r"(?:['’]s)?[ \t]+\((?P<years>" + _YEAR
    + r"(?:[ \t]*,[ \t]*" + _YEAR_NEXT + r"){0,6})" + _LOC + r"\)"
)
_NARRATIVE = lazy(_NARRATIVE_RE)
# Matched backwards, from the year's parenthesis (see _narratives).
_NARRATIVE_BACK = lazy(_NARRATIVE_RE, regex.REVERSE)
_YEAR_ONE = lazy(
    r"(1[5-9]\d\d|20\d\d)([a-z]?)(?!\d)|n\.[ \t]?d\.|(?<![\p{L}\p{N}])([a-z])(?![\p{L}\p{N}])")
_SPLIT_NAMES = lazy(_JOIN)
_NOT_NAMES = frozenset(
    [
        "The", "A", "An", "In", "On", "At", "For", "From", "To", "Of", "And", "But", "Or",
        "See", "Also", "Since", "Between", "Until", "Before", "After", "During", "Table",
        "Figure", "Fig", "Chapter", "Section", "Part", "Vol", "Volume", "No", "Page",
        "Pages", "Appendix", "Art", "Article", "January", "February", "March", "April",
        "May", "June", "July", "August", "September", "October", "November", "December",
        "Spring", "Summer", "Autumn", "Fall", "Winter", "Act", "Law", "Decree",
        "Resolution", "Report"
    ]
)


# Capitalised words that begin sentences and labels, never an author's name.
NOT_NAMES = _NOT_NAMES


def _names_of(text: str) -> tuple[str, ...]:
    names = (regex.sub(r"['’]s$", "", n.strip()) for n in _SPLIT_NAMES.split(text))
    return tuple(n for n in names if n)


def _ad_from(
    match: regex.Match[str], offset: int, group: tuple[int, int]
) -> list[Citation]:
    names = _names_of(match.group("names"))
    if not names or names[0] in _NOT_NAMES or names[0].split()[-1] in _NOT_NAMES:
        return []
    et_al = bool(match.group("etal"))
    out: list[Citation] = []
    # Offsets of a match are relative to the string it was made on.
    ys = match.start("years") - match.start()
    year: int | None = None
    suffixed = False
    for y in _YEAR_ONE.finditer(match.group("years")):
        start, end = offset + ys + y.start(), offset + ys + y.end()
        if y.group(3) is not None:
            if year is not None and suffixed:  # "2002b,a": the letter is 2002a
                out.append(Citation("author-date", start, end, names=names, et_al=et_al,
                                    year=year, year_suffix=y.group(3),
                                    group_start=group[0], group_end=group[1]))
            continue
        if y.group(1) is not None:
            year, suffixed = int(y.group(1)), bool(y.group(2))
        if y.group(1) is None:
            out.append(Citation("author-date", start, end, names=names, et_al=et_al,
                                no_date=True, group_start=group[0], group_end=group[1]))
        else:
            out.append(Citation("author-date", start, end, names=names, et_al=et_al,
                                year=int(y.group(1)), year_suffix=y.group(2) or None,
                                group_start=group[0], group_end=group[1]))
    return out


# A narrative citation's names end at "(" and a year: the names are searched for only
# in a window before each such parenthesis, not from every capital of the text.
_YEAR_PAREN = lazy(r"\((?=(?:1[5-9]\d\d|20\d\d)[a-z]?(?!\d)|n\.[ \t]?d\.)")
_NAMES_WINDOW = 400


def _narratives(body: str) -> list[regex.Match[str]]:
    """Narrative citations ("Walt (1987)") in ``body``, each found from its year's parenthesis."""
    out: list[regex.Match[str]] = []
    for p in _YEAR_PAREN.finditer(body):
        paren = p.start()
        close = body.find(")", paren, paren + 120)
        if close < 0:
            continue
        # Searched backwards from the parenthesis: one attempt that takes in as many
        # names to the left as match, instead of one attempt from every capital.
        back = _NARRATIVE_BACK.match(body, max(0, paren - _NAMES_WINDOW), close + 1)
        if back is None or back.start("years") - 1 != paren:
            continue
        # Read forwards from where it starts: groups as a forward match makes them
        # (backwards, a locator would take the second of "(1998, 2005)").
        m = _NARRATIVE.match(body, back.start(), close + 1)
        if m is not None:
            out.append(m)
    return out


def author_date_citations(body: str) -> list[Citation]:
    """Parenthetical, bracketed and narrative author-date citations in ``body``.

    Each year of an item is one citation ("Walt 1985, 1990" cites two works);
    its offsets are those of the year, which is what a reader corrects.
    """
    out: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for g in _AD_GROUP.finditer(body):
        inner = g.group("body")
        base = g.start("body")
        pos = 0
        found: list[Citation] = []
        for part in inner.split(";"):
            m = _AD_ITEM.fullmatch(part)
            if m is not None:
                found.extend(_ad_from(m, base + pos, (g.start(), g.end())))
            pos += len(part) + 1
        if found:
            out.extend(found)
            taken.append((g.start(), g.end()))
    # Groups come left to right and never overlap: one bisect per narrative citation.
    starts = [s for s, _ in taken]
    for m in _narratives(body):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < taken[i][1]:
            continue
        out.extend(_ad_from(m, m.start(), (m.start(), m.end())))
    out.sort(key=lambda c: c.start)
    return out


# ---------------------------------------------------------------------------
# Citation keys: LaTeX and pandoc.

_CITE_CMD = lazy(
    r"\\(?P<cmd>(?:[Cc]ite[a-zA-Z]{0,12}|[Pp]arencites?|[Tt]extcites?|[Aa]utocites?"
    r"|[Ff]ootcites?|[Ff]ootcitetexts?|[Ss]martcites?|[Ss]upercites?|nocite|fullcite"
    r"|footfullcite|volcite|[Pp]volcite|[Nn]otecite|[Pp]notecite))\*?"
    r"(?P<args>(?:[ \t]*(?:\([^()\n]{0,200}\)){0,2}(?:[ \t]*\[[^\[\]\n]{0,200}\]){0,2}"
    r"[ \t]*\{[^{}\n]{0,2000}\})+)"
)
_BRACES = lazy(r"\{([^{}]*)\}")
_KEY = lazy(r"[^,\s{}]+")
_PANDOC_GROUP = lazy(r"\[(?P<body>[^\[\]\n]{0,500}?@[^\[\]\n]{0,500})\](?!\()")
_PANDOC_KEY = lazy(
    r"(?<![\w@.])-?@(?P<key>\{[^{}\s]{1,200}\}|[\p{L}\p{N}_][\p{L}\p{N}_:.#$%&\-+?<>~/]{0,200})"
)
_PANDOC_BIB = lazy(r"^(?:bibliography|references):", regex.M)


def _clean_key(key: str) -> str:
    if key.startswith("{") and key.endswith("}"):
        return key[1:-1]
    # Trailing punctuation ends a bare key: "@doe99." cites doe99.
    return key.rstrip(".:;,?!-/")


def key_citations(body: str, *, latex: bool = True, pandoc: bool = True) -> list[Citation]:
    """``\\cite``-family keys and pandoc ``@key`` citations in ``body``."""
    out: list[Citation] = []
    if latex and "\\" in body:
        for m in _CITE_CMD.finditer(body):
            args_start = m.start("args")
            # The last {...} of each cite holds keys; with \cites every {...} does.
            for b in _BRACES.finditer(m.group("args")):
                inner_start = args_start + b.start(1)
                for k in _KEY.finditer(b.group(1)):
                    out.append(Citation("latex", inner_start + k.start(), inner_start + k.end(),
                                        key=k.group(0), group_start=m.start(),
                                        group_end=m.end()))
    if pandoc and "@" in body:
        bracketed: list[tuple[int, int]] = []
        for g in _PANDOC_GROUP.finditer(body):
            items = list(_PANDOC_KEY.finditer(g.group("body")))
            if not items:
                continue
            bracketed.append((g.start(), g.end()))
            base = g.start("body")
            for k in items:
                key = _clean_key(k.group("key"))
                ks = base + k.start("key")
                out.append(Citation("pandoc", ks, ks + len(k.group("key").rstrip(".:;,?!-/")),
                                    key=key, group_start=g.start(), group_end=g.end()))
        # Bare @key is a citation only where the document demonstrably uses pandoc's.
        if bracketed or _PANDOC_BIB.search(body[:4000]):
            # Groups are found left to right and never overlap: one bisect per key
            # (scanning every group for every key was quadratic: 84 s for 80 KB).
            starts = [s for s, _ in bracketed]
            for k in _PANDOC_KEY.finditer(body):
                i = bisect.bisect_right(starts, k.start()) - 1
                if i >= 0 and k.start() < bracketed[i][1]:
                    continue
                raw = k.group("key")
                key = _clean_key(raw)
                if not key:
                    continue
                ks = k.start("key")
                out.append(Citation("pandoc", ks, ks + len(raw.rstrip(".:;,?!-/")), key=key,
                                    group_start=k.start(), group_end=k.end()))
    out.sort(key=lambda c: c.start)
    return out


def bibliography_names(doc: Document) -> list[str] | None:
    """File names the document says it cites from, or None when it names none.

    LaTeX ``\\bibliography{a,b}``, ``\\addbibresource{a.bib}``; pandoc's
    ``bibliography:`` header (one value or a YAML list).
    """
    text = doc.text
    names: list[str] = []
    # \bibdata is what LaTeX writes to the .aux for \bibliography.
    for m in regex.finditer(
        r"\\(?:bibliography|addbibresource|bibdata)(?:\[[^\]]*\])?\{([^{}]{1,500})\}", text
    ):
        names.extend(n.strip() for n in m.group(1).split(",") if n.strip())
    if text.startswith("---"):
        end = text.find("\n---", 3)
        header = text[: end if end != -1 else min(len(text), 4000)]
        m = regex.search(r"^bibliography:[ \t]*(.*)$((?:\n[ \t]+-[ \t]*.*)*)", header, regex.M)
        if m is not None:
            first = m.group(1).strip()
            if first.startswith("["):
                names.extend(x.strip(" '\"") for x in first.strip("[]").split(","))
            elif first:
                names.append(first.strip("'\""))
            names.extend(x.strip().lstrip("-").strip().strip("'\"")
                         for x in m.group(2).splitlines() if x.strip())
    names = [n for n in names if n]
    return names or None


def fold_name(name: str) -> str:
    """A family name for comparison: no accents, no case, letters only."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c)).lower()
