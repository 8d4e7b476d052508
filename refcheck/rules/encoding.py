"""Encoding rules (RC301–RC349): wrong characters in the file.

Mojibake is recognised and repaired by ftfy (never a hand-made table).  The
other rules look for characters that render almost right: a backtick or an
acute accent for an apostrophe, the reversed quote U+201F, a minus sign in a
page range, invisible characters.  These faults belong to the file, not to
one reference; still, by default only the references are reported (a
thesis body full of U+201F apostrophes is not the bibliography's problem):
``--prose`` widens them to the whole text.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import regex

from refcheck.model import Category, Document, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text.patterns import lazy

_APOSTROPHE_LIKE = lazy(r"(?<=\p{L})(?:(?<!\\)(?<!`)`(?!`)|´|‟|′)(?=\p{L})|(?<=\p{L})‟")
_LOW_HIGH_PAIR = lazy(r"„([^„‟“”\n]{1,200}?)‟")
_RANGE_MINUS = lazy(r"(\d+)[ \t]?\u2212[ \t]?(\d+)(?![\d.,]\d)")
# What stands before a page range written in running text: "pp. ", "p. ", "(3): ", "54, ".
_PAGE_MARK_BEFORE = lazy(r"(?:\bpp?\.|\bpages?|[:,])[ \t\u00a0]*$", regex.IGNORECASE)
# The marks after which the numbers can only be pages.
_PAGES_WORD_BEFORE = lazy(r"(?:\bpp?\.|\bpages?)[ \t\u00a0]*$", regex.IGNORECASE)
# What follows an apostrophe in English: a possessive or a contraction
# ("Putin’s", "don’t", "we’ll", "they’re", "I’ve", "I’d", "I’m").
_CLITIC_AFTER = lazy(r"(?:s|t|d|m|ll|re|ve)(?!\p{L})", regex.IGNORECASE)
_INVISIBLE = lazy(
    r"[\u200b\u2060\u2061\u2062\u2063\u2064\u00ad\ufeff]|(?<=[\p{Latin}\p{N}\s])[\u200c\u200d]"
)
# The characters the matches of each pattern consist of (one each).
_APOSTROPHE_CHARS = "`´‟′"
_INVISIBLE_CHARS = "\u200b\u2060\u2061\u2062\u2063\u2064\u00ad\ufeff\u200c\u200d"
_NAMES = {
    "`": "a backtick",
    "´": "an acute accent (U+00B4)",
    "‟": "a reversed quotation mark (U+201F)",
    "′": "a prime (U+2032)",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\u00ad": "a soft hyphen",
    "\ufeff": "a byte-order mark",
}


def _scoped(
    fn: Callable[[Document, Context], Iterator[Hit]],
) -> Callable[[Document, Context], Iterator[Hit]]:
    """Keep hits inside references unless prose is on (or the file is all bibliography)."""

    @functools.wraps(fn)
    def wrapped(doc: Document, ctx: Context) -> Iterator[Hit]:
        if ctx.options.get("prose") or doc.format != "text":
            yield from fn(doc, ctx)
            return
        spans = sorted((r.start, r.end) for r in doc.references)
        starts = [s for s, _ in spans]
        for hit in fn(doc, ctx):
            i = bisect.bisect_right(starts, hit.start) - 1
            if i >= 0 and spans[i][0] <= hit.start < spans[i][1]:
                yield hit

    return wrapped


def _matches_at(pattern: regex.Pattern[str], chars: str, text: str) -> Iterator[regex.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose matches are one character of ``chars``.

    Such matches cannot overlap, and lookarounds see the whole text from any
    position: trying the pattern only where one of the characters stands
    finds the same matches.  ``str.find`` locates them in C, most often
    finding none, instead of the pattern's lookbehinds running at every
    position of the file.
    """
    found: list[int] = []
    for c in chars:
        i = text.find(c)
        while i >= 0:
            found.append(i)
            i = text.find(c, i + 1)
    found.sort()
    for i in found:
        m = pattern.match(text, i)
        if m is not None:
            yield m


def _reference_at(doc: Document, offset: int) -> Reference | None:
    for ref in doc.references:
        if ref.start <= offset < ref.end:
            return ref
    return None


@rule(
    code="RC301",
    name="mojibake",
    category=Category.ENCODING,
    severity=Severity.ERROR,
    summary="text decoded with the wrong encoding ('â€™', 'Ã©'), repaired by ftfy.",
    fix="safe",
    options={"prose": False},
)
@_scoped
def mojibake(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Runs ftfy's badness test on every line; where it finds mojibake (UTF-8
    read as Latin-1 or Windows-1252 and saved again), ftfy's `fix_encoding`
    gives the repaired text and each changed stretch is reported with it.

    Why it matters:
    "Ã©" for "é" and "â€™" for "’" make names unsearchable and a
    bibliography unreadable; they usually come from a copy through a
    mis-configured tool.

    Example:
    `Jean-FranÃ§ois` -> `Jean-François`.

    Fix safety:
    Safe: ftfy only changes text it can decode back unambiguously.
    """
    text = doc.text
    if text.isascii():
        return  # mojibake is made of non-ASCII characters: nothing to test
    if not _may_be_bad(text):
        return  # no pair of characters any of ftfy's patterns needs: never bad
    badness = _ftfy_badness()
    plan = _badness_plan()
    for pos, line in _bad_lines(text):
        import ftfy  # ~60 ms: only once a line needs repairing

        # Repaired and compared stretch by stretch around the non-ASCII text, never
        # as a whole line: a diff of two long lines is quadratic (a 6 KB line took
        # 17 s), and a mojibake sequence is a few characters inside one stretch.
        for lo, hi in _windows(line):
            piece = line[lo:hi]
            if not (badness.is_bad(piece) if plan is None else _near_non_ascii(piece, *plan)):
                continue
            fixed = ftfy.fix_encoding(piece)
            if fixed == piece:
                continue
            for a0, a1, b0, b1 in _changes(piece, fixed):
                # Widen to whole words so that the reported text is readable.
                while (
                    a0 > 0
                    and b0 > 0
                    and not piece[a0 - 1].isspace()
                    and piece[a0 - 1] == fixed[b0 - 1]
                ):
                    a0, b0 = a0 - 1, b0 - 1
                start, end = pos + lo + a0, pos + lo + a1
                yield Hit(
                    start,
                    end,
                    f"mojibake: '{piece[a0:a1]}' should read '{fixed[b0:b1]}'",
                    suggestion=fixed[b0:b1],
                    reference=_reference_at(doc, start),
                    fix=Fix(start, end, fixed[b0:b1], safe=True),
                )


# Most characters of a changed middle that are diffed character by character;
# a longer one is reported as one change (SequenceMatcher is quadratic or worse
# on repetitive text: 832 windows of a fuzzed file took 36 s).
_DIFF_MAX = 120


def _changes(a: str, b: str) -> Iterator[tuple[int, int, int, int]]:
    """(a0, a1, b0, b1) of each stretch where ``a`` and ``b`` differ."""
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    q = 0
    while q < n - p and a[len(a) - 1 - q] == b[len(b) - 1 - q]:
        q += 1
    mid_a, mid_b = a[p : len(a) - q], b[p : len(b) - q]
    if len(mid_a) + len(mid_b) > _DIFF_MAX:
        yield p, len(a) - q, p, len(b) - q
        return
    import difflib  # only once mojibake is found

    matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "equal":
            yield p + a0, p + a1, p + b0, p + b1


# Longest stretch handed to ftfy and the diff, and the context kept around a
# non-ASCII run when no space is near: mojibake of one character is 2-4 characters.
_WINDOW = 400
_CONTEXT = 48


def _windows(line: str) -> Iterator[tuple[int, int]]:
    """Stretches of ``line`` around its non-ASCII characters, each under ``_WINDOW``.

    Each non-ASCII run (cut into pieces if long) is widened to the ASCII spaces
    around it, at most ``_CONTEXT`` characters each side; neighbours merge while
    the merged stretch stays short.  Work is linear in the line.
    """
    lo = hi = -1
    step = _WINDOW - 2 * _CONTEXT
    for run in _NON_ASCII.finditer(line):
        for r0 in range(run.start(), run.end(), step):
            r1 = min(run.end(), r0 + step)
            a = max(line.rfind(" ", max(0, r0 - _CONTEXT), r0) + 1, r0 - _CONTEXT, 0)
            b = line.find(" ", r1, r1 + _CONTEXT)
            b = min(len(line), r1 + _CONTEXT) if b < 0 else b
            if lo >= 0 and a <= hi and b - lo <= _WINDOW:
                hi = max(hi, b)
                continue
            if lo >= 0:
                yield lo, hi
                a = max(a, hi)  # never overlapping: a hit is found once
            lo, hi = a, b
    if lo >= 0:
        yield lo, hi


_NON_ASCII = lazy(r"[^\x00-\x7f]+")  # the regex module scans this 7x faster than re


def _bad_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) of each line of ``text`` that ftfy's ``is_bad`` finds mojibake in.

    Only lines with a non-ASCII character can hold mojibake: they are found
    by a regex scan in C rather than by testing every line in Python.
    """
    badness = _ftfy_badness()
    is_bad = badness.is_bad
    plan = _badness_plan()
    pos = 0
    while True:
        m = _NON_ASCII.search(text, pos)
        if m is None:
            return
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        if end < 0:
            end = len(text)
        line = text[start:end]
        if is_bad(line) if plan is None else _near_non_ascii(line, *plan):
            yield start, line
        pos = end + 1


def _near_non_ascii(line: str, pattern: re.Pattern[str], width: int) -> bool:
    """``pattern.search(line)``, searching only around the line's non-ASCII characters.

    Valid for a plan of :func:`_badness_plan`: each match holds a non-ASCII
    character and spans at most ``width`` characters, so it lies within
    ``width - 1`` characters of one.  ftfy's test is a regex of hundreds of
    alternatives tried at every position: most of a line is plain ASCII.
    """
    lo = hi = -1  # the window being widened
    for run in _NON_ASCII.finditer(line):
        a = max(0, run.start() - width + 1)
        b = min(len(line), run.end() - 1 + width)
        if a <= hi:
            hi = max(hi, b)
            continue
        if hi >= 0 and pattern.search(line, lo, hi):
            return True
        lo, hi = a, b
    return hi >= 0 and pattern.search(line, lo, hi) is not None


@functools.lru_cache(maxsize=1)
def _badness_plan() -> tuple[re.Pattern[str], int] | None:
    """ftfy's badness pattern and the most characters one of its matches spans.

    ``is_bad(text)`` is ``bool(BADNESS_RE.search(text))``.  The plan is
    given only when the pattern's parse proves what :func:`_near_non_ascii`
    relies on: every alternative needs a non-ASCII character, no match
    looks beyond the characters it covers (no lookaround, no anchor but the
    start) and a match is short.  Otherwise (another ftfy, another Python)
    None: each line is then tested whole, as before.
    """
    try:
        pattern = _ftfy_badness().BADNESS_RE
        if not isinstance(pattern, re.Pattern) or pattern.flags & re.IGNORECASE:
            return None
        parser, names = _sre()
        tree = parser.parse(pattern.pattern, pattern.flags)
        width = int(tree.getwidth()[1])
        if width > 64 or not _self_contained(tree, names):
            return None
        if len(tree.data) == 1 and tree.data[0][0] is names.BRANCH:
            branches = tree.data[0][1][1]
        else:
            branches = [tree]
        if not all(any(_non_ascii_only(item, names) for item in b.data) for b in branches):
            return None
        return pattern, width
    except Exception:  # an unexpected parse: fall back to ftfy's own test
        return None


@functools.lru_cache(maxsize=1)
def _ftfy_badness() -> Any:
    """ftfy's ``badness`` module, read without importing the ``ftfy`` package.

    The package's ``__init__`` (character tables, codecs, wcwidth) takes ~60 ms
    to import, while ``badness`` needs only ``re``: most files have no mojibake
    and never need the rest (``fix_encoding``).  Any surprise (ftfy
    reorganised, a relative import) falls back to the ordinary import.
    """
    import importlib.util
    import sys

    loaded = sys.modules.get("ftfy.badness")
    if loaded is not None:
        return loaded
    try:
        path = _badness_path()
        if path is None:
            raise ImportError("ftfy")
        spec = importlib.util.spec_from_file_location("refcheck._ftfy_badness", path)
        if spec is None or spec.loader is None:
            raise ImportError(path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if callable(getattr(module, "is_bad", None)):
            return module
    except Exception:  # any way the shortcut fails, the real import decides
        pass
    from ftfy import badness

    return badness


@functools.lru_cache(maxsize=1)
def _badness_path() -> str | None:
    """Where ftfy's ``badness.py`` is, found without importing ftfy."""
    import importlib.util
    import os

    try:
        package = importlib.util.find_spec("ftfy")
    except (ImportError, ValueError):
        return None
    if package is None or package.origin is None:
        return None
    return os.path.join(os.path.dirname(package.origin), "badness.py")


def _sre() -> tuple[Any, Any]:
    """The standard library's regex parser and its opcode names."""
    import importlib

    try:
        return importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # Python 3.10
        return importlib.import_module("sre_parse"), importlib.import_module("sre_constants")


# A gate: (characters any of which may alone start a match, non-ASCII character ->
# ((offset of a neighbour, the characters that neighbour must be), ...)).
_Gate = tuple[frozenset[str], dict[str, tuple[tuple[int, frozenset[str]], ...]]]

# Occurrences of the gate's characters examined before the gate gives up and lets
# ftfy's pattern decide (a long text in Latin-1 accents): the gate stays cheap.
_GATE_MAX = 2000


def _may_be_bad(text: str) -> bool:
    """False only when no match of ftfy's badness pattern can lie anywhere in ``text``.

    Compiling that pattern (hundreds of alternatives over large character
    classes) costs ~7 ms, a tenth of checking a short file, and most files
    with accents hold no mojibake.  Every alternative of the pattern needs two
    given characters side by side, one of them non-ASCII (mojibake is a pair
    like "Ã©"); the gate (:func:`_badness_gate`, derived from the pattern's
    parse and kept in the user cache) lists those pairs, and a text where none
    occurs cannot match.  When the pattern cannot be read so, the gate is None
    and every text goes on to ftfy's test.
    """
    gate = _badness_gate()
    if gate is None:
        return True
    singles, pairs = gate
    present = set("".join(_NON_ASCII.findall(text)))
    if not present.isdisjoint(singles):
        return True
    seen = 0
    for c in present.intersection(pairs):
        needs = pairs[c]
        i = text.find(c)
        while i >= 0:
            seen += 1
            if seen > _GATE_MAX:
                return True
            for offset, others in needs:
                k = i + offset
                if 0 <= k < len(text) and text[k] in others:
                    return True
            i = text.find(c, i + 1)
    return False


@functools.lru_cache(maxsize=1)
def _badness_gate() -> _Gate | None:
    """The pairs of characters ftfy's badness pattern needs (see :func:`_may_be_bad`)."""
    from pathlib import Path

    from refcheck.text.store import derived

    path = _badness_path()
    if path is None:
        return None
    try:
        return derived("ftfy-badness-gate", [Path(path), Path(__file__)], _build_gate)
    except Exception:  # an unexpected pattern or module: ftfy's own test decides
        return None


def _build_gate() -> _Gate | None:
    badness = _ftfy_badness()
    pattern = badness.BADNESS_RE
    if not isinstance(pattern, re.Pattern) or pattern.flags & re.IGNORECASE:
        return None
    # The gate stands for is_bad() only while is_bad() is that pattern's search.
    code = getattr(badness.is_bad, "__code__", None)
    if code is None or set(code.co_names) - {"bool", "BADNESS_RE", "search"}:
        return None
    parser, names = _sre()
    tree = parser.parse(pattern.pattern, pattern.flags)
    if len(tree.data) == 1 and tree.data[0][0] is names.BRANCH:
        branches = tree.data[0][1][1]
    else:
        branches = [tree]
    singles: set[str] = set()
    pairs: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for branch in branches:
        sets = [_char_set(item, names) for item in branch.data]
        # Adjacent items each matching exactly one character: the pair with the
        # fewest combinations, one side non-ASCII only; else a lone non-ASCII item.
        best: tuple[int, int, int] | None = None
        lone: int | None = None
        for j, here in enumerate(sets):
            if here is None or not all(ord(c) >= 128 for c in here):
                continue
            if lone is None or len(here) < len(sets[lone] or ()):
                lone = j
            for k in (j - 1, j + 1):
                there = sets[k] if 0 <= k < len(sets) else None
                if there is not None and (best is None or len(here) * len(there) < best[0]):
                    best = (len(here) * len(there), j, k)
        if best is not None:
            _, j, k = best
            for c in sets[j] or ():
                pairs.setdefault(c, []).append((k - j, sets[k] or frozenset()))
        elif lone is not None:
            singles |= sets[lone] or frozenset()
        else:
            return None  # an alternative with no character it must hold
    return frozenset(singles), {c: tuple(v) for c, v in pairs.items()}


def _char_set(item: tuple[Any, Any], names: Any) -> frozenset[str] | None:
    """The characters one parsed item matches when it is exactly one of a few listed, else None."""
    op, av = item
    if op is names.LITERAL:
        return frozenset(chr(av))
    if op is not names.IN:
        return None
    out: set[str] = set()
    for kind, value in av:
        if kind is names.LITERAL:
            out.add(chr(value))
        elif kind is names.RANGE and value[1] - value[0] < 4096:
            out.update(map(chr, range(value[0], value[1] + 1)))
        else:  # a negation, a category, a huge range
            return None
    return frozenset(out)


def _self_contained(tree: Any, names: Any) -> bool:
    """Whether a parsed pattern only matches characters, with no lookaround or end anchor."""
    for op, av in tree.data:
        if op is names.BRANCH:
            if not all(_self_contained(b, names) for b in av[1]):
                return False
        elif op is names.SUBPATTERN:
            if not _self_contained(av[-1], names):
                return False
        elif op in (names.MAX_REPEAT, names.MIN_REPEAT):
            if not _self_contained(av[2], names):
                return False
        elif op is names.AT:
            if av not in (names.AT_BEGINNING, names.AT_BEGINNING_STRING):
                return False
        elif op not in (names.LITERAL, names.NOT_LITERAL, names.IN, names.ANY):
            return False
    return True


def _non_ascii_only(item: tuple[Any, Any], names: Any) -> bool:
    """Whether one (mandatory) item of a sequence matches only non-ASCII characters."""
    op, av = item
    if op is names.LITERAL:
        return bool(av >= 128)
    if op is not names.IN:
        return False
    for kind, value in av:
        if kind is names.LITERAL and value >= 128:
            continue
        if kind is names.RANGE and value[0] >= 128:
            continue
        return False
    return True


@rule(
    code="RC302",
    name="wrong-apostrophe",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="a backtick, acute accent or U+201F used as an apostrophe ('Putin`s').",
    fix="safe",
    options={"prose": False},
)
@_scoped
def wrong_apostrophe(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a backtick, an acute accent (´), a prime (′) or the reversed
    quotation mark U+201F (‟) standing between two letters, and a U+201F
    after a word ("members‟ interests"), where an apostrophe (’) belongs.
    LaTeX accents (`\\`e`) and LaTeX quotes (``` `` ```) are left alone.

    Example:
    `Putin`s Grand Strategy` -> `Putin’s`; `Master‟s thesis` -> `Master’s`.

    A prime is reported only before an English possessive or contraction
    ending ("Putin′s"): between other letters it is notation (Kröger–Vink
    `V′Cu`, `f′x`, `A′B′`).

    Why it matters:
    These characters come from keyboards without an apostrophe key or from
    PDF fonts with a broken character map; they break searches for the
    word and look wrong in print.

    Fix safety:
    Safe only where the character cannot be anything but an apostrophe: a
    backtick or U+201F before an English possessive or contraction ending
    ("Putin`s").  Otherwise unsafe: an acute accent may be a spacing
    diacritic from a PDF ("Garci´a" is "García"), or a transliterated soft
    sign ("Dal´nego", where ’ is one convention among others).
    """
    text = doc.text
    paired: set[int] = set()
    if "„" in text:
        for m in _LOW_HIGH_PAIR.finditer(text):
            paired.update((m.start(), m.end() - 1))
    for m in _matches_at(_APOSTROPHE_LIKE, _APOSTROPHE_CHARS, text):
        if m.start() in paired:
            continue
        ch = m.group()
        clitic = _CLITIC_AFTER.match(text, m.end()) is not None
        if ch == "′" and not clitic:
            continue
        word_start = m.start()
        while word_start > 0 and text[word_start - 1].isalpha():
            word_start -= 1
        word_end = m.end()
        while word_end < len(text) and text[word_end].isalpha():
            word_end += 1
        shown = text[word_start:word_end]
        fixed = text[word_start : m.start()] + "’" + text[m.end() : word_end]
        yield Hit(
            word_start,
            word_end,
            f"{_NAMES.get(ch, repr(ch))} used as an apostrophe in '{shown}'",
            suggestion=fixed,
            reference=_reference_at(doc, m.start()),
            fix=Fix(word_start, word_end, fixed, safe=clitic and ch in "`‟"),
        )


@rule(
    code="RC303",
    name="low-high-quotes",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="„…‟ quotes (U+201E … U+201F) where ‘…’ belongs.",
    fix="safe",
    options={"prose": False},
)
@_scoped
def low_high_quotes(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a quotation opened with „ (U+201E) and closed with ‟ (U+201F), a
    pair no typographic convention uses: PDF extraction produces it from
    single quotes.  Each of the two marks is reported with its replacement.

    Why it matters:
    The marks print as odd low and reversed quotes and hide the quoted term
    from searches.

    Example:
    `a „self-help‟ system` -> `a ‘self-help’ system`.

    Fix safety:
    Safe: only the two quotation marks change.
    """
    text = doc.text
    if "„" not in text:
        return
    for m in _LOW_HIGH_PAIR.finditer(text):
        ref = _reference_at(doc, m.start())
        quoted = m.group()
        for pos, repl in ((m.start(), "‘"), (m.end() - 1, "’")):
            yield Hit(
                pos,
                pos + 1,
                f"low-high quotation marks „…‟ around '{quoted[1:-1]}'; use ‘…’",
                suggestion=repl,
                reference=ref,
                fix=Fix(pos, pos + 1, repl, safe=True),
            )


@rule(
    code="RC304",
    name="minus-in-range",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="a minus sign (U+2212) in a number range ('421−456').",
    fix="safe",
    options={"prose": False},
)
@_scoped
def minus_in_range(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags the minus sign U+2212 between two numbers in a reference, where
    a page or year range needs an en dash (–): in a pages field or after
    "pp." when the numbers ascend; elsewhere only between two years in
    ascending order ("1991−1995"), or after ": " or ", " when the numbers
    ascend.  "between 10−7 atm" is a power of ten, not a range.

    Why it matters:
    A minus sign makes a range unreadable to reference managers and
    registries ("421−456" is not a page range to them).

    Example:
    `54 (3): 421−456` -> `421–456`; `pressures of 10−7 atm` is left alone.

    Fix safety:
    Safe in a pages field, or after "pp." or "pages", when the two numbers
    ascend (a page range can be nothing else): the sign and any space
    around it become one en dash.
    Unsafe elsewhere: a title may hold a formula.
    """
    text = doc.text
    if "\u2212" not in text:
        return
    for ref in doc.references:
        if text.find("\u2212", ref.start, ref.end) < 0:
            continue
        pages = [
            span for name, span in ref.field_spans.items() if name.lower() in ("pages", "page")
        ]
        for m in _RANGE_MINUS.finditer(text, ref.start, ref.end):
            in_pages = any(s <= m.start() and m.end() <= e for s, e in pages) or (
                _PAGES_WORD_BEFORE.search(text, ref.start, m.start()) is not None
            )
            first, last = m.group(1), m.group(2)
            if in_pages:
                if not _ascending(first, last):
                    continue
            elif not (
                (_is_year(first) and _is_year(last) and int(first) < int(last))
                or (
                    _ascending(first, last)
                    and _PAGE_MARK_BEFORE.search(text, ref.start, m.start()) is not None
                )
            ):
                continue
            start, end = m.start(1) + len(first), m.start(2)
            yield Hit(
                start,
                end,
                "minus sign (U+2212) in a number range; a range takes an en dash (–)",
                suggestion="–",
                reference=ref,
                field="pages" if in_pages else None,
                fix=Fix(start, end, "–", safe=in_pages),
            )


def _ascending(first: str, last: str) -> bool:
    """Whether ``first``–``last`` reads as a range: 421–456, or abbreviated 421–56."""
    a, b = int(first), int(last)
    if len(last) < len(first) and len(last) >= 2:
        b = int(first[: len(first) - len(last)] + last)
    return a <= b


def _is_year(number: str) -> bool:
    return len(number) == 4 and 1450 <= int(number) <= 2100


@rule(
    code="RC305",
    name="invisible-character",
    category=Category.ENCODING,
    severity=Severity.WARNING,
    summary="an invisible character (zero-width space, soft hyphen, stray BOM).",
    fix="safe",
    options={"prose": False},
)
@_scoped
def invisible_character(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags zero-width spaces, word joiners, soft hyphens, a byte-order mark
    inside the text, and zero-width (non-)joiners between Latin letters or
    digits (elsewhere they shape scripts that need them).

    Why it matters:
    Invisible characters make two equal-looking strings differ: a DOI or a
    title with one fails to match, and nobody can see why.

    Example:
    `10.1000/\u200bxyz` (with a zero-width space) -> `10.1000/xyz`.

    Fix safety:
    Safe: the character is deleted.
    """
    text = doc.text
    for m in _matches_at(_INVISIBLE, _INVISIBLE_CHARS, text):
        if m.start() == 0 and m.group() == "\ufeff":
            continue  # a BOM that opens the file is the file's business
        ch = m.group()
        yield Hit(
            m.start(),
            m.end(),
            f"invisible character: {_NAMES.get(ch, f'U+{ord(ch):04X}')}",
            suggestion="",
            reference=_reference_at(doc, m.start()),
            fix=Fix(m.start(), m.end(), "", safe=True),
        )


RULES = (mojibake, wrong_apostrophe, low_high_quotes, minus_in_range, invisible_character)
