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
    notes: list[list[Line]] = field(default_factory=list)  # one list per page with notes
    body_size: float = 0.0
    chars: int = 0


def _chars(textpage: Any, raw: Any) -> list[tuple[str, float, float, float, float]]:
    """(char, left, right, baseline, size) of every character, with line breaks as '\\n'."""
    n = raw.FPDFText_CountChars(textpage)
    out: list[tuple[str, float, float, float, float]] = []
    # The loose box spans the glyph's advance, not its ink: a '1' is as wide as a '0'.
    rect = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    get_unicode = raw.FPDFText_GetUnicode
    get_box = raw.FPDFText_GetLooseCharBox
    get_origin = raw.FPDFText_GetCharOrigin
    get_size = raw.FPDFText_GetFontSize
    is_generated = raw.FPDFText_IsGenerated
    prect = ctypes.byref(rect)
    pox, poy = ctypes.byref(ox), ctypes.byref(oy)
    for i in range(n):
        code = get_unicode(textpage, i)
        if code in (10, 13):
            if is_generated(textpage, i):
                if out and out[-1][0] != "\n":
                    out.append(("\n", 0.0, 0.0, 0.0, 0.0))
                continue
        if not get_origin(textpage, i, pox, poy):
            continue
        size = float(get_size(textpage, i))
        if code == 32 or is_generated(textpage, i):
            out.append((" ", ox.value, ox.value, oy.value, size))
            continue
        get_box(textpage, i, prect)
        lo = rect.left if rect.right > rect.left else ox.value
        hi = rect.right if rect.right > rect.left else ox.value + size * 0.5
        out.append((chr(code) if code < 0x110000 else "\ufffd", lo, hi, oy.value, size))
    return out


def _lines_of(chars: list[tuple[str, float, float, float, float]]) -> list[Line]:
    """Group characters into lines (see the module docstring)."""
    runs: list[list[tuple[str, float, float, float, float]]] = []
    cur: list[tuple[str, float, float, float, float]] = []
    base_y = 0.0
    base_size = 0.0
    last_right = 0.0
    last_left = 0.0
    for c in chars:
        ch, lo, hi, y, size = c
        if ch == "\n":
            if cur:
                runs.append(cur)
            cur = []
            continue
        if cur:
            tol = 0.6 * max(size, base_size)
            gap = lo - last_right
            if (
                abs(y - base_y) > tol
                or gap > _GAP_EMS * max(size, base_size)
                or lo < last_left - 1.0  # went back left: another line or column
            ):
                runs.append(cur)
                cur = []
        if not cur:
            if ch == " ":
                continue
            base_y, base_size = y, size
        cur.append(c)
        if size > base_size * 1.05 and ch != " ":
            base_y, base_size = y, size  # a superscript began the line
        if ch != " ":
            last_right = hi
            last_left = lo
    if cur:
        runs.append(cur)
    lines: list[Line] = []
    for run in runs:
        while run and run[-1][0] == " ":
            run.pop()
        if not run:
            continue
        sizes = Counter(round(c[4], 1) for c in run if c[0] != " ")
        size = sizes.most_common(1)[0][0] if sizes else run[0][4]
        ys = sorted(c[3] for c in run if c[0] != " " and abs(c[4] - size) < 0.15)
        y = ys[len(ys) // 2] if ys else run[0][3]
        text = []
        xs = []
        sup = []
        prev_right: float | None = None
        for ch, lo, hi, cy, csize in run:
            if (
                prev_right is not None
                and ch != " "
                and text
                and text[-1] != " "
                and lo - prev_right > 0.2 * size
            ):
                # A gap with no space character: PDFs often position words instead.
                text.append(" ")
                xs.append(prev_right)
                sup.append(False)
            text.append(ch)
            xs.append(lo)
            sup.append(ch != " " and csize < _SUP_SIZE * size and cy - y > _SUP_RAISE * size)
            if ch != " ":
                prev_right = hi
        right = max(c[2] for c in run)
        lines.append(Line("".join(text), xs, run[0][1], right, y, size, sup))
    return lines


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


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _edge_lines(lines: list[Line]) -> set[int]:
    """Indexes of the top-most and bottom-most lines (those sharing the extreme baselines)."""
    if not lines:
        return set()
    top = max(ln.y for ln in lines)
    bottom = min(ln.y for ln in lines)
    return {
        i for i, ln in enumerate(lines) if top - ln.y < 0.5 * ln.size or ln.y - bottom < 0.5 * ln.size
    }


def _order(lines: list[Line], width: float) -> list[Line]:
    """Reading order: spanning lines cut the page into bands; in a band, left column then right."""
    mid = width / 2
    slack = width * 0.02
    left = [ln for ln in lines if ln.x1 <= mid + slack and ln.x0 < mid]
    right = [ln for ln in lines if ln.x0 >= mid - slack and ln.x1 > mid]
    two = len(left) >= 3 and len(right) >= 3 and len(right) >= 0.15 * len(lines)
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
        out.extend(band)
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
            lo = min(ln.x0 for ln in members)
            # Not the widest line: a URL or a marker may stick out of the column.
            ends = sorted((ln.x1 for ln in members), reverse=True)
            hi = ends[len(ends) // 10]
            for ln in members:
                ln.left, ln.right = lo, hi
    return out


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
        lines = _merge_same_baseline(_lines_of(chars))
        for ln in lines:
            ln.page = index + 1
        pages.append(lines)
    layout = Layout(pages=len(pages), chars=total)
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[ln.size] += len(ln.text)
    layout.body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    # Running headers and footers: edge lines whose shape recurs on another page's edge.
    edges = [_edge_lines(lines) for lines in pages]
    shapes: Counter[str] = Counter()
    for lines, idx in zip(pages, edges, strict=True):
        for s in {_shape(lines[i].text) for i in idx}:
            shapes[s] += 1
    for p, lines in enumerate(pages):
        ordered = _order(lines, widths[p])
        drop = {
            id(lines[i])
            for i in edges[p]
            if _PAGE_NUMBER.match(lines[i].text.strip())
            or (shapes[_shape(lines[i].text)] >= 2 and len(pages) >= 2)
        }
        for n, ln in enumerate(ordered, 1):
            ln.number = n
        kept = [ln for ln in ordered if id(ln) not in drop]
        body, notes = _split_notes(kept, layout.body_size)
        layout.body.extend(body)
        if notes:
            layout.notes.append(notes)
    return layout


def _starts_with_marker(ln: Line) -> bool:
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
        for m in re.finditer(r"\d+", "".join(c if s else " " for c, s in zip(ln.text, ln.sup, strict=True)))
    }
    first: Line | None = None
    for ln in reversed(tail):  # top-most first
        m = re.match(r"\d{1,4}", ln.text)
        if m is not None and _starts_with_marker(ln) and m.group(0) in markers:
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
    hanging = False
    pitch = _pitch(lines)
    for ln in lines:
        text = ln.text.strip()
        if cur and _breaks(cur[-1], ln, hanging, pitch):
            out.append(cur)
            cur = []
        cur.append(ln)
        if _REF_HEADING.match(text):
            hanging = True
        elif hanging and ln.size > body_size * 1.05 and len(text) < 80:
            hanging = False  # a later heading ends the reference section
    if cur:
        out.append(cur)
    return out


def _pitch(lines: list[Line]) -> dict[int, float]:
    """The usual distance between consecutive lines, per page."""
    per_page: dict[int, Counter[float]] = {}
    for a, b in zip(lines, lines[1:], strict=False):
        if a.page == b.page and a.column == b.column and a.y > b.y:
            per_page.setdefault(a.page, Counter())[round(a.y - b.y, 0)] += 1
    return {p: c.most_common(1)[0][0] for p, c in per_page.items()}


def _breaks(a: Line, b: Line, hanging: bool, pitch: dict[int, float]) -> bool:
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
        if usual and a.y - b.y > 1.3 * usual:
            return True
    if _LABEL.match(bt):
        return True
    indent_b = b.x0 - b.left > 0.6 * b.size
    indent_a = a.x0 - a.left > 0.6 * a.size
    if hanging:
        if not indent_b:
            return True
    elif indent_b and not indent_a:
        return True
    # A line that ended although the next word would have fitted ends its paragraph.
    if a.right > a.x0 and b.text:
        first = bt.split(" ", 1)[0]
        avg = (b.x1 - b.x0) / max(1, len(b.text))
        need = (len(first) + 1) * avg
        if a.x1 + need < a.right - 0.5 * a.size and not at.endswith(("/", "-")):
            return True
    return False
