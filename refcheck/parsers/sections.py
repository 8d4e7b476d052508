"""Reference lists in plain text.

Headed sections, numbered or bulleted items, and author-date entries.
"""

from __future__ import annotations

import itertools

from refcheck.parsers import segment
from refcheck.parsers.textbase import (
    _AUTHOR_START,
    _BULLET,
    _CONTINUATION_START,
    _ITEM,
    _MAX_ENTRY_FOR_SPLIT,
    _MAX_ITEM_GAP_LINES,
    _MAX_LINE_FOR_HEADING,
    _PLACE_PUBLISHER,
    _REF_HEADING,
    _SETEXT_UNDERLINE,
    _YEAR,
    _ends_reference,
    _is_heading_like,
    _is_prose,
    _item_number,
    _looks_like_reference,
    _Span,
    _split_points,
    _State,
    _taken_between,
    _trim,
)

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
    page_break = False
    j = first
    while j < n:
        line = lines[j]
        if line.blank:
            blank_run += 1
            page_break = page_break or "\f" in line.text
            # A long gap ends the list, unless it is a page break (a PDF's form feed).
            if seen_content and blank_run >= 4 and not page_break:
                return j - blank_run + 1
            j += 1
            continue
        blank_run = 0
        page_break = "\f" in line.text
        nxt = lines[j + 1] if j + 1 < n else None
        if _is_heading_like(line, nxt):
            return j
        prose = _is_prose(line.text) and _item_number(line.text) is None
        if prose and seen_content and not _list_resumes(st, j):
            return j
        if prose and not seen_content and not _list_resumes(st, j, names_only=True):
            # A section about references, not a list ("3. References" over a
            # paragraph on \bibitem): its first paragraph is prose and no
            # reference follows it.  A numbered line after it is no proof: it
            # may be the next section's heading ("4. Example references").
            return j
        seen_content = True
        j += 1
    return n


def _list_resumes(st: _State, j: int, names_only: bool = False) -> bool:
    """Whether the list goes on after the prose-like paragraph at line ``j``.

    A long reference with no year (a report, a web page, a title full of small
    words) reads like prose; a paragraph after the list is followed by more
    prose or by nothing.  So the paragraph ends the list only when the line
    after it does not start the way a reference starts.
    """
    lines = st.lines
    n = len(lines)
    k = j + 1
    while k < n and lines[k].blank and k - j <= _MAX_GAP_IN_LIST:
        k += 1
    if k >= n or lines[k].blank:
        return False
    t = lines[k].text.lstrip()
    if _is_prose(lines[k].text):
        return False
    item = _item_number(t)
    if names_only:
        return segment.author_start(t[item[3] :].lstrip() if item else t)
    return item is not None or segment.author_start(t)


_MAX_GAP_IN_LIST = 3


def _segment_section(st: _State, first: int, end: int) -> list[_Span]:
    lines = st.lines
    content = [k for k in range(first, end) if not lines[k].blank]
    if not content:
        return []
    head = lines[content[0]].text
    # The line model splits lists in every layout (one a line or a paragraph,
    # wrapped, hanging indents, page breaks with headers and footers) when it
    # can run; the rules below are the fallback.
    spans = segment.segment_region(st, first, end)
    if spans is not None:
        return spans
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


