"""Footnotes of text extracted from PDF, their ibid./op. cit. repeats, and citation lines."""

from __future__ import annotations

import re

from refcheck.parsers.textbase import (
    _BARE_URL_LINE,
    _CITATION_LINE,
    _DOI,
    _IBID,
    _MAX_NOTE_CHARS,
    _NUMBER_ALONE,
    _NUMBER_LEAD,
    _OPCIT,
    _PAGE,
    _SEPARATOR,
    _URL,
    _WORD,
    _YEAR,
    _has_year,
    _is_heading_like,
    _item_number,
    _looks_like_reference,
    _Span,
    _State,
    _trim,
)

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


