"""Reading a PDF's text layer into lines, columns, paragraphs and footnotes.

pypdfium2 (PDFium) gives each character with its baseline origin, box and
font size.  From those this module rebuilds what a reader sees:

* **lines**: characters on one baseline, cut where a horizontal gap is wider
  than a column gutter could be inside a line; a character set smaller and
  raised above the line's baseline is a *superscript* (a note marker);
* **running headers, footers and page numbers**: the top-most and
  bottom-most lines of a page whose text (digits ignored) recurs at the top
  or bottom of another page, or that are only a page number;
* **columns**: lines lying in the left or right half of a page are read
  left column first, between lines spanning the page;
* **footnotes**: lines at the bottom of a page set smaller than the body
  text, the first of them beginning with a note number;
* **paragraphs**: a new one begins after a vertical gap, a change of font
  size, a list label (``[3]``, ``3.``), a line that ended short although the
  next word would have fitted, or by indentation (hanging indentation inside
  a reference section, first-line indentation elsewhere).

Nothing here decides what is a reference; :mod:`refcheck.parsers.pdf` joins
the paragraphs into text for the plain-text reader.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

# A line is cut where the gap to the next character exceeds this many ems:
# wider than any justified word space, narrower than a column gutter.
_GAP_EMS = 1.5
# A character is superscript when set at most this fraction of the line's
# size and raised at least this many ems above its baseline.
_SUP_SIZE = 0.85
_SUP_RAISE = 0.2
# Footnotes are set at most this fraction of the body size.
_NOTE_SIZE = 0.92

_PAGE_NUMBER = re.compile(
    r"^\W{0,3}(?:page\s+|p\.\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\W{0,3}$", re.IGNORECASE
)
_LABEL = re.compile(r"^(?:\[\d{1,4}\]|\d{1,3}\.\s|\(\d{1,4}\)\s)")
_REF_HEADING = re.compile(
    r"^(?:\d{1,2}\.?\s+|[IVX]{1,4}\.\s+)?(?:references?(?:\s+cited)?|bibliography|works\s+cited"
    r"|literature(?:\s+cited)?|sources|notes\s+and\s+references|r[ée]f[ée]rences"
    r"|literaturverzeichnis|список\s+литературы|литература)\s*:?$",
    re.IGNORECASE,
)


@dataclass
class Line:
    """One line of a page: its characters' text, positions and superscript marks."""

    text: str
    xs: list[float]  # left edge of each character
    x0: float
    x1: float
    y: float  # baseline
    size: float  # the line's dominant font size
    sup: list[bool]
    page: int = 0  # 1-based
    number: int = 0  # 1-based line number on its page, in reading order
    column: int = 0  # 0 spanning or only column, 1 left, 2 right
    left: float = 0.0  # left edge of its column on this page
    right: float = 0.0  # right edge of its column on this page

    def ems(self, dx: float) -> float:
        return dx / self.size if self.size else 0.0


@dataclass
class Layout:
    """The lines of a document, sorted into body and footnotes, in reading order."""

    pages: int
    body: list[Line] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)  # every line, headers included
    notes: list[list[Line]] = field(default_factory=list)  # one list per page with notes
    body_size: float = 0.0
    chars: int = 0


def _page_text(textpage: Any, raw: Any, n: int) -> str:
    """The page's characters in one call, one per character index."""
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = raw.FPDFText_GetText(textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(0, got - 1) * 2].decode("utf-16-le", errors="replace")
    if len(text) == n:
        # PDFium writes a hyphen it found at a line end as U+FFFE here, U+0002 per character.
        return text.replace("\ufffe", "\x02")
    # Characters beyond the BMP take two UTF-16 units: ask for each one.
    return "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(n))


def _chars(textpage: Any, raw: Any) -> list[tuple[str, float, float, float, float]]:
    """(char, left, right, bottom, size) of every character, with line breaks as '\\n'.

    One call per character: the loose box (the glyph's advance, not its ink,
    so a '1' is as wide as a '0', and its bottom follows the baseline); the
    font size is asked for only where the box height changes.
    """
    n = raw.FPDFText_CountChars(textpage)
    text = _page_text(textpage, raw, n)
    out: list[tuple[str, float, float, float, float]] = []
    append = out.append
    rect = raw.FS_RECTF()
    prect = ctypes.byref(rect)
    get_box = raw.FPDFText_GetLooseCharBox
    get_size = raw.FPDFText_GetFontSize
    last_height = -1.0
    size = 0.0
    right = 0.0
    bottom = 0.0
    for i, ch in enumerate(text):
        if ch == "\r" or ch == "\n":
            if out and out[-1][0] != "\n":
                append(("\n", 0.0, 0.0, 0.0, 0.0))
            continue
        if ch == " ":
            # Where a space ends matters to nobody: the next character's box says it.
            append((ch, right, right, bottom, size))
            continue
        if not get_box(textpage, i, prect) or rect.right <= rect.left:
            if ch == " " or ch == "\x02":
                append((ch, right, right, bottom, size))  # a space PDFium inserted
            continue
        height = rect.top - rect.bottom
        if abs(height - last_height) > 0.01:
            last_height = height
            size = float(get_size(textpage, i))
            if size < 2.0:
                # A font scaled by the text matrix reports size 1: the glyph box's
                # height (about 1.2 ems) tells the size the reader sees.
                size = height / 1.2
        right = rect.right
        bottom = rect.bottom
        append((ch, rect.left, right, bottom, size))
    return _attach_accents(_decode_tex_codes(out))


# Glyphs a TeX font without a Unicode map leaves as their code (PDFium gives the
# code itself): the Cork (T1) encoding's dashes, quotes and ligatures, and the
# old (OT1) encoding's ligatures and letters.  The two disagree at 0x1B–0x1F;
# an OT1 ligature code (0x0B–0x0F) between letters shows a page set in OT1 (in T1
# those codes are accents and quotes, which do not stand inside a word).
_T1_CODES = {
    "\x10": "\u201c",
    "\x11": "\u201d",
    "\x15": "\u2013",
    "\x16": "\u2014",
    "\x19": "\u0131",
    "\x1b": "\ufb00",
    "\x1c": "\ufb01",
    "\x1d": "\ufb02",
    "\x1e": "\ufb03",
    "\x1f": "\ufb04",
}
_OT1_CODES = {
    "\x0b": "\ufb00",
    "\x0c": "\ufb01",
    "\x0d": "\ufb02",
    "\x0e": "\ufb03",
    "\x0f": "\ufb04",
    "\x10": "\u0131",
    "\x19": "\u00df",
    "\x1a": "\u00e6",
    "\x1b": "\u0153",
    "\x1c": "\u00f8",
    "\x1d": "\u00c6",
    "\x1e": "\u0152",
    "\x1f": "\u00d8",
}
_Char = tuple[str, float, float, float, float]


def _decode_tex_codes(chars: list[_Char]) -> list[_Char]:
    """Control characters standing for a TeX font's glyphs, written as what they show."""
    codes = [i for i, c in enumerate(chars) if "\x0b" <= c[0] <= "\x1f"]
    if not codes:
        return chars

    def between_letters(i: int) -> bool:
        return 0 < i < len(chars) - 1 and chars[i - 1][0].isalpha() and chars[i + 1][0].isalpha()

    ot1 = any(chars[i][0] <= "\x0f" and between_letters(i) for i in codes)
    table = _OT1_CODES if ot1 else _T1_CODES
    out = list(chars)
    for i in codes:
        ch = table.get(out[i][0])
        if ch is not None:
            out[i] = (ch, *out[i][1:])
    return out


# Accents a TeX font sets as glyphs of their own over the letter (``\"o`` is
# "¨" then "o"), and the combining marks they stand for.
_ACCENTS = {
    "¨": "\u0308",
    "\u00b4": "\u0301",
    "`": "\u0300",
    "\u02c6": "\u0302",
    "^": "\u0302",
    "\u02dc": "\u0303",
    "~": "\u0303",
    "\u02c7": "\u030c",
    "\u02d8": "\u0306",
    "\u00af": "\u0304",
    "\u02d9": "\u0307",
    "\u02da": "\u030a",
    "\u02dd": "\u030b",
    "\u00b8": "\u0327",
    "\u02db": "\u0328",
}


def _attach_accents(chars: list[_Char]) -> list[_Char]:
    """An accent glyph set over (or under) a letter is composed with that letter.

    Character boxes here are the glyphs' advances on the baseline, so the
    accent's box lies over its letter's: its centre inside the letter's box,
    on the same line.  Neighbouring characters' boxes only touch, so a caret
    or tilde of the text itself (``x^2``, ``y ~ x``) is left alone.  The
    letter is looked for among the nearby characters, since a content stream
    may write accents apart from their letters.
    """
    import unicodedata

    marks = [i for i, c in enumerate(chars) if c[0] in _ACCENTS]
    if not marks:
        return chars
    out: list[_Char | None] = list(chars)
    for i in marks:
        ch, lo, hi, bottom, size = chars[i]
        centre = (lo + hi) / 2
        best: int | None = None
        for j in range(max(0, i - 60), min(len(chars), i + 60)):
            c = out[j]
            if c is None or j == i or not c[0].isalpha():
                continue
            inside = c[1] + 0.1 * (c[2] - c[1]) < centre < c[2] - 0.1 * (c[2] - c[1])
            near = best is None or abs(j - i) < abs(best - i)
            if inside and abs(bottom - c[3]) < 0.5 * size and near:
                best = j
        if best is None:
            continue
        letter = out[best]
        assert letter is not None
        base = {"\u0131": "i", "\u0237": "j"}.get(letter[0], letter[0])
        composed = unicodedata.normalize("NFC", base + _ACCENTS[ch])
        if len(composed) != 1:
            continue
        out[best] = (composed, *letter[1:])
        out[i] = None
    return [c for c in out if c is not None]


def _lines_of(chars: list[tuple[str, float, float, float, float]]) -> list[Line]:
    """Group characters into lines (see the module docstring)."""
    runs: list[list[tuple[str, float, float, float, float]]] = []
    cur: list[tuple[str, float, float, float, float]] = []
    base_y = base_size = last_right = last_left = 0.0
    gap_ems = _GAP_EMS
    for c in chars:
        ch = c[0]
        if ch == "\n":
            if cur:
                runs.append(cur)
                cur = []
            continue
        lo, y, size = c[1], c[3], c[4]
        if cur:
            m = size if size > base_size else base_size
            dy = y - base_y
            if (
                dy > 0.6 * m
                or -dy > 0.6 * m
                or lo - last_right > gap_ems * m
                or lo < last_left - 1.0
            ):
                # Another baseline, a gutter's gap, or back to the left: a new line.
                runs.append(cur)
                cur = []
        if not cur:
            if ch == " ":
                continue
            base_y, base_size = y, size
        cur.append(c)
        if ch != " ":
            if size > base_size * 1.05:
                base_y, base_size = y, size  # a superscript began the line
            last_right = c[2]
            last_left = lo
    if cur:
        runs.append(cur)
    return [line for run in runs if (line := _line(run)) is not None]


def _line(run: list[tuple[str, float, float, float, float]]) -> Line | None:
    while run and run[-1][0] == " ":
        run.pop()
    if not run:
        return None
    first = run[0][4]
    if all(c[4] == first for c in run):
        size, y, mixed = first, run[0][3], False
    else:
        sizes = Counter(round(c[4], 1) for c in run if c[0] != " ")
        size = sizes.most_common(1)[0][0]
        ys = sorted(c[3] for c in run if c[0] != " " and abs(c[4] - size) < 0.15)
        y = ys[len(ys) // 2] if ys else run[0][3]
        mixed = True
    text: list[str] = []
    xs: list[float] = []
    sup: list[bool] = []
    prev_right: float | None = None
    space_gap = 0.2 * size
    sup_size, sup_raise = _SUP_SIZE * size, _SUP_RAISE * size
    for ch, lo, hi, cy, csize in run:
        if ch != " ":
            if prev_right is not None and lo - prev_right > space_gap and text[-1] != " ":
                # A gap with no space character: PDFs often position words instead.
                text.append(" ")
                xs.append(prev_right)
                sup.append(False)
            prev_right = hi
        text.append(ch)
        xs.append(lo)
        sup.append(mixed and ch != " " and csize < sup_size and cy - y > sup_raise)
    right = max(c[2] for c in run)
    return Line("".join(text), xs, run[0][1], right, y, size, sup)


def _merge_same_baseline(lines: list[Line]) -> list[Line]:
    """Join pieces of one line that the content stream wrote apart (same baseline, touching)."""
    out: list[Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and abs(prev.y - ln.y) < 0.25 * prev.size
            and 0 <= ln.x0 - prev.x1 < _GAP_EMS * prev.size
            and abs(prev.size - ln.size) < 0.5
        ):
            sep = " " if ln.x0 - prev.x1 > 0.2 * prev.size else ""
            prev.text += sep + ln.text
            prev.xs += ([prev.x1] if sep else []) + ln.xs
            prev.sup += ([False] if sep else []) + ln.sup
            prev.x1 = ln.x1
            continue
        out.append(ln)
    return out


def _join_pieces(lines: list[Line]) -> list[Line]:
    """On a one-column page, pieces standing on one baseline joined left to right."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: -ln.y):
        if rows and abs(rows[-1][0].y - ln.y) < 0.25 * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    out: list[Line] = []
    for ln in (ln for row in rows for ln in sorted(row, key=lambda ln: ln.x0)):
        prev = out[-1] if out else None
        if (
            prev is not None
            and abs(prev.y - ln.y) < 0.25 * prev.size
            and ln.x0 >= prev.x1
            and abs(prev.size - ln.size) < 0.5
        ):
            prev.text += " " + ln.text
            prev.xs += [prev.x1, *ln.xs]
            prev.sup += [False, *ln.sup]
            prev.x1 = ln.x1
            continue
        out.append(ln)
    if len(out) == len(lines):
        return lines  # nothing joined: the page keeps its content stream's order
    return out


def _split_at_gutter(lines: list[Line], width: float) -> list[Line]:
    """Lines run across a narrow column gutter, cut where the gutter is.

    Where the gutter is narrower than the gap that cuts a line, both columns'
    lines on one baseline were read as one.  A gutter is a gap (a space at
    least half an em wide) at the same place near the middle of the page in
    most of the lines that cross the middle; word spaces of one-column text
    fall at different places on each line.
    """
    mid = width / 2
    crossing: list[tuple[Line, list[tuple[int, float, float]]]] = []
    for ln in lines:
        if not (ln.x0 < mid < ln.x1):
            continue
        gaps = [
            (j, ln.xs[j], ln.xs[j + 1])
            for j in range(len(ln.text) - 1)
            if ln.text[j] == " "
            and ln.xs[j + 1] - ln.xs[j] >= 0.5 * ln.size
            and 0.3 * width < ln.xs[j] < 0.7 * width
        ]
        crossing.append((ln, gaps))
    if len(crossing) < 6:
        return lines
    best_x, best_n = 0.0, 0
    for _, gaps in crossing:
        for _, a, b in gaps:
            x = (a + b) / 2
            n = sum(1 for _, gs in crossing if any(a2 <= x <= b2 for _, a2, b2 in gs))
            if n > best_n:
                best_x, best_n = x, n
    if best_n < 0.6 * len(crossing):
        return lines
    cut: dict[int, int] = {}
    for ln, gaps in crossing:
        for j, a, b in gaps:
            if a <= best_x <= b:
                cut[id(ln)] = j
    out: list[Line] = []
    for ln in lines:
        at = cut.get(id(ln))
        if at is None:
            out.append(ln)
            continue
        left = Line(ln.text[:at], ln.xs[:at], ln.x0, ln.xs[at], ln.y, ln.size, ln.sup[:at])
        right = Line(
            ln.text[at + 1 :],
            ln.xs[at + 1 :],
            ln.xs[at + 1],
            ln.x1,
            ln.y,
            ln.size,
            ln.sup[at + 1 :],
        )
        out += [left, right]
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _edge_lines(lines: list[Line]) -> set[int]:
    """Indexes of the top-most and bottom-most lines (those sharing the extreme baselines)."""
    if not lines:
        return set()
    top = max(ln.y for ln in lines)
    bottom = min(ln.y for ln in lines)
    return {
        i
        for i, ln in enumerate(lines)
        if top - ln.y < 0.5 * ln.size or ln.y - bottom < 0.5 * ln.size
    }


def _halves(lines: list[Line], width: float) -> tuple[list[Line], list[Line]]:
    """Lines lying in the left half and in the right half of a page."""
    mid = width / 2
    slack = width * 0.02
    # A left-column line may stick out into the gutter (an unbreakable DOI);
    # only one reaching well into the right half spans the page.
    left = [ln for ln in lines if ln.x1 <= mid + width * 0.2 and ln.x0 < mid - slack]
    right = [ln for ln in lines if ln.x0 >= mid - slack and ln.x1 > mid]
    return left, right


def _two_columns(lines: list[Line], width: float) -> bool:
    left, right = _halves(lines, width)
    if len(left) < 3 or len(right) < 3 or len(right) < 0.15 * len(lines):
        return False
    # A right column's lines start at its left edge (give or take an indent);
    # pieces of widely spaced justified lines cut at a word gap start anywhere.
    starts = sorted(ln.x0 for ln in right)
    edge = starts[len(starts) // 2]
    aligned = sum(1 for ln in right if abs(ln.x0 - edge) < 2.5 * ln.size)
    return aligned >= 0.6 * len(right)


def _order(lines: list[Line], width: float, two: bool) -> list[Line]:
    """Reading order: spanning lines cut the page into bands; in a band, left column then right.

    ``two``: the document is set in two columns (a last page may hold only a
    few lines of its left column).
    """
    left, right = _halves(lines, width)
    if two:
        for ln in left:
            ln.column = 1
        for ln in right:
            if ln.column == 0:
                ln.column = 2
    ordered = sorted(lines, key=lambda ln: -ln.y)
    out: list[Line] = []
    band: list[Line] = []

    def flush() -> None:
        band.sort(key=lambda ln: (ln.column, -ln.y))
        out.extend(_feet_last(band))
        band.clear()

    for ln in ordered:
        if ln.column == 0:
            flush()
            out.append(ln)
        else:
            band.append(ln)
    flush()
    for col in (0, 1, 2):
        members = [ln for ln in out if ln.column == col]
        if members:
            # Not the leftmost line either: a stray piece (a marker, a line from
            # the other column) would make every line of the column look indented.
            starts = sorted(ln.x0 for ln in members)
            lo = starts[len(starts) // 10]
            # Not the widest line: a URL or a marker may stick out of the column,
            # and a ragged right edge is better underestimated (fewer false ends).
            ends = sorted((ln.x1 for ln in members), reverse=True)
            hi = ends[len(ends) // 5]
            for ln in members:
                ln.left, ln.right = lo, hi
    return out


def _feet_last(band: list[Line]) -> list[Line]:
    """A band's columns, with the small type at the foot of each column read after both.

    A block set smaller across the foot of both columns (a bibliography begun
    at a page's foot, or footnotes) is read after the columns' text, left
    part first: otherwise its left part would stand between the two columns.
    """
    sizes: Counter[float] = Counter()
    for ln in band:
        sizes[round(ln.size, 1)] += len(ln.text)
    if not sizes:
        return band
    main = sizes.most_common(1)[0][0]
    bodies: list[Line] = []
    feet: list[Line] = []
    for col in (1, 2):
        lines = [ln for ln in band if ln.column == col]
        k = len(lines)
        while k > 0 and lines[k - 1].size < 0.95 * main:
            k -= 1
        if k == 0:  # all small: no foot, the column itself is small type
            k = len(lines)
        bodies += lines[:k]
        feet += lines[k:]
    if not feet or len(bodies) + len(feet) != len(band):
        return band
    return bodies + feet


def _body_size(lines: list[Line]) -> float:
    """The body text's size: the commonest before the reference heading.

    A long reference list set in small type may hold more characters than the
    text; counted over the whole document, its size would pass for the body's
    and the footnotes' would not look small.
    """
    sizes: Counter[float] = Counter()
    for ln in lines:
        if sizes and _REF_HEADING.match(ln.text.strip()) and sum(sizes.values()) > 2000:
            break
        sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def read_layout(pdf: Any, raw: Any) -> Layout:
    """The layout of an opened ``pypdfium2.PdfDocument``."""
    pages: list[list[Line]] = []
    widths: list[float] = []
    total = 0
    for index in range(len(pdf)):
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                chars = _chars(textpage, raw)
            finally:
                textpage.close()
            widths.append(float(page.get_width()))
        finally:
            page.close()
        total += len(chars)
        lines = _split_at_gutter(_merge_same_baseline(_lines_of(chars)), widths[-1])
        for ln in lines:
            ln.page = index + 1
        pages.append(lines)
    layout = Layout(pages=len(pages), chars=total)
    # Two columns when most pages with some text are set so.
    full = [p for p, lines in enumerate(pages) if len(lines) >= 10]
    two = sum(_two_columns(pages[p], widths[p]) for p in full) * 2 > len(full)
    orders = []
    for p, lines in enumerate(pages):
        page_two = two or _two_columns(lines, widths[p])
        if not page_two:
            # One column: pieces of a line cut at a wide justified word gap are one line.
            lines = pages[p] = _join_pieces(lines)
        orders.append(_order(lines, widths[p], page_two))
    layout.body_size = _body_size([ln for ordered in orders for ln in ordered])
    # Running headers and footers: edge lines whose shape recurs on another page's edge.
    edges = [_edge_lines(lines) for lines in pages]
    shapes: Counter[str] = Counter()
    for lines, idx in zip(pages, edges, strict=True):
        for s in {_shape(lines[i].text) for i in idx}:
            shapes[s] += 1
    in_list = False
    for p, lines in enumerate(pages):
        ordered = orders[p]
        layout.lines.extend(ordered)
        drop = {
            id(lines[i])
            for i in edges[p]
            if _PAGE_NUMBER.match(lines[i].text.strip())
            or (shapes[_shape(lines[i].text)] >= 2 and len(pages) >= 2)
        }
        for n, ln in enumerate(ordered, 1):
            ln.number = n
        kept = [ln for ln in ordered if id(ln) not in drop]
        # After the reference heading, small type at a page's foot is the list itself.
        notes: list[Line] = []
        if in_list:
            body = kept
        else:
            body, notes = _split_notes(kept, layout.body_size)
            at = next((k for k, ln in enumerate(body) if _REF_HEADING.match(ln.text.strip())), None)
            if at is not None:
                in_list = True
                # Small type below the heading, set like the list's first lines (or with
                # no list line above it): the list's entries, not footnotes.
                after = body[at + 1] if at + 1 < len(body) else None
                if notes and (after is None or abs(after.size - notes[0].size) < 0.3):
                    body, notes = kept, []
        layout.body.extend(body)
        if notes:
            layout.notes.append(notes)
    return layout


def is_ref_heading(text: str) -> bool:
    """Whether a line's text is a reference list's heading ("References", "Bibliography" …)."""
    return _REF_HEADING.match(text.strip()) is not None


def opens_note(ln: Line) -> bool:
    """Whether a line begins with a note number (superscript, or followed by ' ', '.', ')')."""
    m = re.match(r"\d{1,4}", ln.text)
    if m is None:
        return False
    if all(ln.sup[: m.end()]):
        return True
    return m.end() < len(ln.text) and ln.text[m.end()] in " .)"


def _split_notes(lines: list[Line], body_size: float) -> tuple[list[Line], list[Line]]:
    """Footnote lines: a block of small lines at the page's foot, opened by a note number."""
    if not lines or body_size <= 0:
        return lines, []
    by_height = sorted(lines, key=lambda ln: ln.y)  # bottom first
    tail: list[Line] = []
    for ln in by_height:
        if ln.size >= _NOTE_SIZE * body_size:
            break
        tail.append(ln)
    if not tail:
        return lines, []
    # The block begins at its top-most line that opens a note; the body's
    # superscripts must include that note's number (a small-type reference
    # list at the foot of a page is not a block of footnotes).
    markers = {
        m.group(0)
        for ln in lines
        if ln.size >= _NOTE_SIZE * body_size
        for m in re.finditer(
            r"\d+", "".join(c if s else " " for c, s in zip(ln.text, ln.sup, strict=True))
        )
    }
    first: Line | None = None
    for ln in reversed(tail):  # top-most first
        m = re.match(r"\d{1,4}", ln.text)
        if m is not None and opens_note(ln) and m.group(0) in markers:
            first = ln
            break
    if first is None:
        return lines, []
    block = [ln for ln in tail if ln.y <= first.y + 0.1]
    ids = {id(ln) for ln in block}
    block.sort(key=lambda ln: (ln.column, -ln.y))
    return [ln for ln in lines if id(ln) not in ids], block


def paragraphs(lines: list[Line], body_size: float) -> list[list[Line]]:
    """Lines grouped into paragraphs (see the module docstring for the signs used)."""
    out: list[list[Line]] = []
    cur: list[Line] = []
    mode = "body"  # body | hanging (entries outdented) | flush (entries opened by labels)
    pitch = _pitch(lines)
    for k, ln in enumerate(lines):
        text = ln.text.strip()
        if cur and _breaks(cur[-1], ln, mode, pitch):
            out.append(cur)
            cur = []
        cur.append(ln)
        if _REF_HEADING.match(text):
            mode = _list_mode(lines[k + 1 : k + 41])
        elif mode != "body" and ln.size > body_size * 1.05 and len(text) < 80:
            mode = "body"  # a later heading ends the reference section
    if cur:
        out.append(cur)
    return out


def _list_mode(lines: list[Line]) -> str:
    """How a reference list's entries are told apart: by hanging indentation or by labels."""
    if not lines:
        return "flush"
    ind = [ln.x0 - ln.left > 0.6 * ln.size for ln in lines]
    # In a hanging list an outdented line is often followed by indented ones (an
    # entry's continuation); in prose under a heading that merely says
    # "References", indented first lines are followed by runs of flush lines.
    flush = [k for k in range(len(ind) - 1) if not ind[k]]
    opened = sum(1 for k in flush if ind[k + 1])
    hanging = sum(ind) >= 0.2 * len(lines) and (not flush or opened >= 0.35 * len(flush))
    return "hanging" if hanging else "flush"


def _pitch(lines: list[Line]) -> dict[int, float]:
    """The usual distance between consecutive lines, per page."""
    per_page: dict[int, Counter[float]] = {}
    for a, b in pairwise(lines):
        if a.page == b.page and a.column == b.column and a.y > b.y:
            per_page.setdefault(a.page, Counter())[round(a.y - b.y, 0)] += 1
    return {p: c.most_common(1)[0][0] for p, c in per_page.items()}


def _breaks(a: Line, b: Line, mode: str, pitch: dict[int, float]) -> bool:
    at = a.text.rstrip()
    bt = b.text.lstrip()
    if not bt:
        return False
    if abs(a.size - b.size) > 0.6:
        return True
    if at.endswith(("\x02", "\u00ad")):
        return False
    same_column = a.page == b.page and a.column == b.column and a.y > b.y
    if same_column:
        usual = pitch.get(a.page)
        if usual and a.y - b.y > 1.25 * usual:
            return True
    indent_b = b.x0 - b.left > 0.6 * b.size
    indent_a = a.x0 - a.left > 0.6 * a.size
    # "[3] …" at the left edge opens an entry; "3. …" only in a reference section
    # (elsewhere a line may begin with a volume or a year).
    if _LABEL.match(bt) and not indent_b and (mode != "body" or bt.startswith("[")):
        return True
    if mode == "hanging":
        # Indentation alone tells entries apart: an outdented line opens one.
        return not indent_b
    if mode == "body" and indent_b and not indent_a:
        return True
    # A line that ended although the next word would have fitted ends its paragraph.
    if a.right > a.x0 and b.text:
        first = bt.split(" ", 1)[0]
        avg = (b.x1 - b.x0) / max(1, len(b.text))
        need = (len(first) + 1) * avg
        if a.x1 + need < a.right - a.size and not at.endswith(("/", "-")):
            return True
    return False
