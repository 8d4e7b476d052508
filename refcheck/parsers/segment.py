"""Where each reference of a plain-text list starts: a line-level sequence model.

Every non-blank line of a region is labelled ``B`` (starts a reference),
``I`` (continues one) or ``O`` (page furniture: a running header or footer,
a page number).  The labels come from a linear-chain CRF (python-crfsuite)
over simple features of the line and its neighbours — how it starts (an
author, an item marker, a lower-case word, "pp."), how the line before ends,
its length against the region's usual width, its indent, blank lines and
form feeds around it, whether its text repeats elsewhere in the file (a
running header).  The transitions let the model weigh a whole list at once:
one reference a line, one a paragraph, wrapped with hanging indents or
without, across page breaks.

The model file (``refcheck/data/segmenter.crfsuite``) is trained by
``scripts/segmenter/train.py`` on files laid out from labelled data (see
``scripts/segmenter/README.md``); ``benchmarks/segmentation.py`` measures it
on held-out data.  When python-crfsuite or the model file is missing,
:func:`available` is false and callers use their rules instead.

Feature extraction looks at bounded prefixes and suffixes of each line, so
the time is linear in the size of the input.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from refcheck.parsers.textbase import (
    _AUTHOR_START,
    _BULLET,
    _CONTINUATION_START,
    _DOI,
    _MAX_ENTRY_FOR_SPLIT,
    _PLACE_PUBLISHER,
    _UP,
    _URL,
    _YEAR,
    _is_prose,
    _item_number,
    _Lines,
    _Span,
    _split_points,
    _State,
    _taken_between,
    _trim,
)

MODEL_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "segmenter.crfsuite")

# Vancouver authors ("Smith JA,"), initials first ("J. A. Smith", "A.B. Author"),
# capitalised surnames ("SMITH, J."), GOST ("Иванов И. И.").
_VANCOUVER = re.compile(
    r"^[" + _UP + r"][\w'’-]+(?: [" + _UP + r"][\w'’-]+)? [" + _UP + r"]{1,3}[,.:]"
)
_INITIALS_FIRST = re.compile(r"^(?:[" + _UP + r"]\.[ -]?){1,3}(?:[" + _UP + r"][\w'’-]+)")
_CAPS_SURNAME = re.compile(r"^[" + _UP + r"]{2,}(?:[ -][" + _UP + r"]{2,})?,")
_DIGITS = re.compile(r"\d+")
# A family name led by a lower-case particle ("von Sydow, L.", "van der Laan, C."):
# an author start that begins with a lower-case word.
_PARTICLE_NAME = re.compile(
    r"^(?:van|von|de|del|della|der|den|di|da|du|dos|le|la|ten|ter|al|el|bin)"
    r"(?:\s+(?:der|den|de|la|le))?\s+[" + _UP + r"][\w'’-]+,\s+[" + _UP + r"]"
)
# Lines that only ever continue a reference: "Place: Publisher", a link, a page
# range, "In:", "Accessed …".
_CONTINUES = re.compile(
    r"(?:https?://|www\.|doi:|pp?\.\s?\d|vol\.|in:|accessed\b|available\b|retrieved\b"
    r"|isbn\b|issn\b|[&,;:])",
    re.IGNORECASE,
)
_SHAPE_MAP = str.maketrans(
    {
        **{c: "A" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
        **{c: "a" for c in "abcdefghijklmnopqrstuvwxyz"},
        **{c: "9" for c in "0123456789"},
    }
)
_MAX_FEATURE_CHARS = 240  # of each line: enough for every feature, bounded for huge lines


def _shape(word: str) -> str:
    """``Smith,`` -> ``Aa,``: case and punctuation, repeats collapsed."""
    out: list[str] = []
    for ch in word[:12].translate(_SHAPE_MAP):
        if not ch.isascii():
            ch = "A" if ch.isupper() else "a" if ch.isalpha() else ch
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out[:6])


def author_start(s: str) -> bool:
    """Whether ``s`` starts with author names in one of the common shapes."""
    return bool(
        _AUTHOR_START.match(s)
        or _VANCOUVER.match(s)
        or _INITIALS_FIRST.match(s)
        or _CAPS_SURNAME.match(s)
    )


def _end_class(s: str) -> str:
    if not s:
        return "none"
    ch = s[-1]
    if ch in ".,:;-)]":
        return ch
    if ch in "\"”’»'":
        return "q"
    if ch.isdigit():
        return "9"
    if ch.isalpha():
        return "a" if ch.islower() else "A"
    return "p"


def _start_class(s: str) -> str:
    ch = s[:1]
    if not ch:
        return "none"
    if ch.isalpha():
        return "A" if ch.isupper() else "a"
    if ch.isdigit():
        return "9"
    if ch in "“\"‘«":
        return "q"
    if ch in "([":
        return "("
    return "p"


def _marker(s: str) -> tuple[str, int | None, int]:
    """(kind, number, length) of an item marker at the start of ``s`` (stripped)."""
    item = _item_number(s)
    if item is not None:
        return ("m" + item[1], item[0], item[3])
    b = _BULLET.match(s)
    if b is not None:
        return ("bullet", None, b.end())
    return ("", None, 0)


class _LineInfo:
    __slots__ = (
        "end",
        "ff",
        "gap",
        "indent",
        "last",
        "length",
        "marker",
        "mlen",
        "norm",
        "number",
        "s",
        "text",
        "word",
    )

    def __init__(self, text: str, gap: int, ff: bool) -> None:
        head = text[:_MAX_FEATURE_CHARS].replace("\f", "")
        self.text = text
        self.s = head.strip()
        self.indent = len(head) - len(head.lstrip())
        self.gap = gap
        self.ff = ff or "\f" in head
        self.marker, self.number, self.mlen = _marker(self.s)
        self.norm = _DIGITS.sub("0", self.s.lower()) if len(text) <= 120 else ""
        tail = text.rstrip()
        self.end = _end_class(tail)
        self.length = len(tail)
        body = self.s[self.mlen :].lstrip() if self.mlen else self.s
        self.word = body.split(None, 1)[0] if body else ""
        words = tail[-40:].rsplit(None, 1)
        self.last = _shape(words[-1]) if words else ""


def _length_class(n: int, width: int) -> str:
    if width <= 0:
        return "0"
    r = n / width
    return "s" if r < 0.55 else "m" if r < 0.85 else "f"


_FEW_LINES = 6
_COMMON_WIDTH = 75
# Columns of the widest text a page holds: a longer line was never wrapped.
_PAGE_WIDTH = 110


def _absolute_length(n: int) -> str:
    return "<40" if n < 40 else "<70" if n < 70 else "<100" if n < 100 else (
        "<110" if n <= _PAGE_WIDTH else "wide"
    )


# Features whose "0" is a value, not an absence.
_DENSE = frozenset({"gap", "words", "rep"})


def _repeat_kind(infos: Sequence[_LineInfo], k: int, repeats: Counter[str]) -> str:
    """``page`` for a line that recurs next to page breaks (a running header or
    footer), ``text`` for one that recurs elsewhere (a reference listed twice),
    ``0`` for a line that does not recur."""
    i = infos[k]
    if not i.norm or repeats[i.norm] < 2:
        return "0"
    nxt = infos[k + 1] if k + 1 < len(infos) else None
    at_break = i.ff or i.gap > 0 or nxt is None or nxt.ff or nxt.gap > 0
    return "page" if at_break else "text"


def features(infos: Sequence[_LineInfo], repeats: Counter[str]) -> list[list[str]]:
    """One feature list per line (see the module docstring)."""
    if not infos:
        return []
    lengths = sorted(i.length for i in infos)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    # The page's width: most wrapped lines fall a few columns short of it, and a
    # long unbreakable link can overshoot it, so a high quantile plus a margin.
    widest = min(lengths[-1], lengths[int(0.8 * (len(lengths) - 1))] + 3)
    if len(lengths) < _FEW_LINES:
        # Too few lines to measure the page: assume a common one.
        width = widest = max(widest, _COMMON_WIDTH)
    base = Counter(i.indent for i in infos).most_common(1)[0][0]
    short_share = sum(1 for n in lengths if n < 0.55 * width) / len(lengths)
    ends_share = sum(1 for i in infos if i.end in (".", ")", "9", "q")) / len(infos)
    # How the region looks as a whole: the same line can start a reference in
    # a file of one reference a line and continue one in a wrapped file.
    region = [
        "gaps=" + ("many" if sum(1 for i in infos if i.gap) > 0.3 * len(infos) else "few"),
        "short=" + ("many" if short_share > 0.45 else "some" if short_share > 0.2 else "few"),
        "marks=" + ("many" if sum(1 for i in infos if i.marker) > 0.2 * len(infos) else "few"),
        "ends=" + ("many" if ends_share > 0.75 else "some" if ends_share > 0.4 else "few"),
        # Wider than any page: a line is a whole paragraph, never wrapped.
        "wide=" + ("1" if width > _PAGE_WIDTH else "0"),
    ]
    # One key for the kind of file, so that each sign is weighed per kind in one feature.
    kind = "R=" + "|".join(r.split("=", 1)[1] for r in region if not r.startswith("marks="))
    own: list[dict[str, str]] = []
    own_strs: list[list[str]] = []
    for k, i in enumerate(infos):
        s = i.s
        first = s[i.mlen :].lstrip() if i.mlen else s
        word = first.split(None, 1)[0] if first else ""
        f = {
            "gap": str(min(i.gap, 2)),
            "ff": "1" if i.ff else "0",
            "ind": "=" if i.indent == base else ">" if i.indent > base else "<",
            "len": _length_class(i.length, width),
            "alen": _absolute_length(i.length),
            "end": i.end,
            "last": i.last,
            # "van der Laan, C. G." starts like a capitalised name, not a lower-case word.
            "start": "A" if _PARTICLE_NAME.match(first) else _start_class(first),
            "mark": i.marker,
            "shape": _shape(word),
            "aut": "1" if _AUTHOR_START.match(first) else "0",
            "part": "1" if _PARTICLE_NAME.match(first) else "0",
            "van": "1" if _VANCOUVER.match(first) else "0",
            "ini": "1" if _INITIALS_FIRST.match(first) else "0",
            "caps": "1" if _CAPS_SURNAME.match(first) else "0",
            "cont": "1" if _CONTINUATION_START.match(first) else "0",
            "place": "1" if _PLACE_PUBLISHER.match(first) else "0",
            "y40": "1" if _YEAR.search(first[:40]) else "0",
            "yr": "1" if _YEAR.search(s) else "0",
            "link": "1" if _URL.search(s) or _DOI.search(s) else "0",
            "num": "1" if s.isdigit() else "0",
            "rep": _repeat_kind(infos, k, repeats),
            "prose": "1" if len(s) >= 60 and _is_prose(i.text[:4000]) else "0",
            "words": str(min(len(s.split()), 6)),
        }
        own.append(f)
        # Binary signs are written only when present: half the strings, the same model.
        own_strs.append([f"{key}={v}" for key, v in f.items() if v != "0" or key in _DENSE])
    # Context skips running headers, footers and page numbers (lines whose text
    # recurs with other digits, or a bare number): across a page break the line
    # that matters is the last one of the text on the page before.
    furniture = [f["rep"] == "page" or f["num"] == "1" for f in own]
    n = len(infos)
    prev_of: list[int] = []
    last = -1
    for k in range(n):
        prev_of.append(last)
        if not furniture[k]:
            last = k
    next_of = [-1] * n
    nxt = -1
    for k in range(n - 1, -1, -1):
        next_of[k] = nxt
        if not furniture[k]:
            nxt = k
    out: list[list[str]] = []
    last_number: int | None = None
    for k, i in enumerate(infos):
        f = own[k]
        feats = ["bias", *region, *own_strs[k]]
        pk = prev_of[k]
        if pk >= 0:
            p, pi = own[pk], infos[pk]
            # Would this line's first word have fitted at the end of the line before?
            # A PDF wraps a paragraph as soon as a word does not fit, so a word that
            # would have fitted says the line before ended a paragraph.
            fits = pi.length + 1 + len(i.word) <= widest
            names = "1" if f["aut"] == "1" or f["part"] == "1" else "0"
            feats += [
                "p.end=" + p["end"],
                "p.len=" + p["len"],
                "p.alen=" + p["alen"],
                "p.last=" + p["last"],
                "p.skip=" + ("1" if pk < k - 1 else "0"),
                "dind=" + ("=" if i.indent == pi.indent else ">" if i.indent > pi.indent else "<"),
                "fits=" + ("1" if fits else "0"),
                "fits|p.end=" + ("1" if fits else "0") + "|" + p["end"],
                "p.end|start=" + p["end"] + "|" + f["start"],
                "p.len|gap=" + p["len"] + "|" + f["gap"],
                "p.end|len=" + p["end"] + "|" + p["len"],
                # With no indent, marker or blank line, a reference's first line
                # is told by the line before ending one (".", a page number, a
                # link) and this one opening with a name ("Ezell, C. C.").
                "p.end|aut=" + p["end"] + "|" + names,
                "p.last|aut=" + p["last"][-3:] + "|" + names,
                "fits|aut=" + ("1" if fits else "0") + "|" + names,
            ]
            # The same signs weigh differently by the kind of file (see ``region``).
            feats += [
                f"{kind}|p.end={p['end']}",
                f"{kind}|p.len={p['len']}",
                f"{kind}|start={f['start']}",
                f"{kind}|fits={int(fits)}",
                f"{kind}|p.end|aut={p['end']}|{names}",
            ]
        else:
            feats.append("first")
        if i.number is not None:
            seq = last_number is not None and i.number == last_number + 1
            feats.append("seq=" + ("1" if seq else "0"))
            last_number = i.number
        nk = next_of[k]
        if nk >= 0:
            nx = own[nk]
            feats += [
                "n.start=" + nx["start"],
                "n.gap=" + nx["gap"],
                "n.aut=" + nx["aut"],
                "n.mark=" + nx["mark"],
                "n.ind=" + ("=" if infos[nk].indent == i.indent else
                            ">" if infos[nk].indent > i.indent else "<"),
            ]
        else:
            feats.append("last")
        out.append(feats)
    return out


def line_infos(lines: _Lines, first: int, end: int) -> tuple[list[int], list[_LineInfo]]:
    """The non-blank lines of ``[first, end)`` with the gaps before each."""
    idx: list[int] = []
    infos: list[_LineInfo] = []
    gap = 0
    ff = False
    for k in range(first, end):
        line = lines[k]
        if line.blank:
            gap += 1
            ff = ff or "\f" in line.text
            continue
        idx.append(k)
        infos.append(_LineInfo(line.text, gap, ff))
        gap = 0
        ff = False
    return idx, infos


def repeat_counts(infos: Sequence[_LineInfo]) -> Counter[str]:
    return Counter(i.norm for i in infos if i.norm)


@lru_cache(maxsize=1)
def _tagger() -> Any:
    try:
        import pycrfsuite
    except ImportError:
        return None
    if not os.path.exists(MODEL_PATH):
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(MODEL_PATH)
    return tagger


def available() -> bool:
    """Whether the line model can run (python-crfsuite installed, model file present)."""
    return _tagger() is not None


def label(infos: Sequence[_LineInfo], repeats: Counter[str] | None = None) -> list[str]:
    """``B``/``I``/``O`` for each line; an empty list when the model cannot run."""
    tagger = _tagger()
    if tagger is None or not infos:
        return []
    labels: list[str] = tagger.tag(features(infos, repeats or repeat_counts(infos)))
    return labels


def _continues(info: _LineInfo) -> bool:
    """A line that only ever continues a reference, whatever the model says.

    "Manchester: Manchester University Press." alone on a line is the end of
    the reference above it (a short line: a long one may be a title-first
    reference, "Kyrgyzstan: The CSTO's Plan. 2010. …").
    """
    s = info.s
    if _CONTINUES.match(s):
        return True
    return info.length < 80 and bool(_PLACE_PUBLISHER.match(s)) and not author_start(s)


def _unwrapped_end(info: _LineInfo) -> bool:
    """A line wider than any page that ends as a reference ends: the paragraph ended.

    Text is wrapped at a page's width, so a longer line is a whole paragraph
    (one reference a line); the next line starts another even when it starts
    in lower case ("van Dijk, T. …", "bell hooks. …").
    """
    return info.length > _PAGE_WIDTH and info.end in (".", "9", ")", "q")


def segment_region(st: _State, first: int, end: int) -> list[_Span] | None:
    """The references of lines ``[first, end)`` as the model splits them; None without it.

    A ``B`` line opens a reference (after its item marker, which becomes the
    label), an ``I`` line extends the open one, an ``O`` line is skipped: a
    reference broken by a page's header and footer runs on across them.
    """
    if not available():
        return None
    lines = st.lines
    text = st.source.text
    idx, infos = line_infos(lines, first, end)
    keep = [(k, i) for k, i in zip(idx, infos, strict=True) if not st.taken[k]]
    if not keep:
        return []
    idx = [k for k, _ in keep]
    infos = [i for _, i in keep]
    labels = label(infos)
    spans: list[_Span] = []
    cur: _Span | None = None
    before: _LineInfo | None = None
    for k, info, lab in zip(idx, infos, labels, strict=True):
        if lab == "O":
            continue
        line = lines[k]
        if lab == "B" and cur is not None and not info.mlen and _continues(info):
            lab = "I"
        elif lab == "I" and before is not None and _unwrapped_end(before) and not _continues(info):
            lab = "B"
        before = info
        if lab == "B" or cur is None or _taken_between(st, lines.index_of(cur.end), k):
            if cur is not None:
                spans.append(cur)
            lead = line.text.find(info.s[:1]) if info.s else 0
            cur = _Span(line.start + max(lead, 0), line.end)
            if info.mlen:
                cur.start += info.mlen
                item = _item_number(info.s)
                cur.label = item[2] if item is not None else None
        else:
            cur.end = line.end
    if cur is not None:
        spans.append(cur)
    out: list[_Span] = []
    for sp in spans:
        s, e = _trim(text, sp.start, sp.end)
        if e <= s:
            continue
        splittable = sp.label is None and e - s <= _MAX_ENTRY_FOR_SPLIT
        cuts = _split_points(text[s:e]) if splittable else []
        bounds = [s] + [s + c for c in cuts] + [e]
        for a, b in itertools.pairwise(bounds):
            a2, b2 = _trim(text, a, b)
            if b2 > a2:
                out.append(_Span(a2, b2, sp.label if a == s else None))
    return out
