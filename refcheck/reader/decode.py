"""Token labels → one character span per field.

A field is a run of tokens with its label.  When a label appears in several
runs, the runs are joined if only punctuation or one short word lies between
them (a title broken by a stray label: "Title: part" tagged title, O, title);
otherwise the longest run wins (the author list: the first run), since a
reference has one title, one container, one volume.  Each span is trimmed
to its content as the training data was (``training/align.py``): edge
punctuation and quotes go, a closing bracket stays when its opening one is
inside, a title keeps its closing "?" or "!".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["FieldSpans", "decode", "trim"]

FieldSpans = dict[str, tuple[int, int]]


def trim(text: str, label: str, a: int, b: int) -> tuple[int, int]:
    while a < b and not text[a].isalnum() and text[a] not in "([":
        a += 1
    while b > a and not text[b - 1].isalnum():
        c = text[b - 1]
        if c in "?!" and label == "title":
            break
        if c == ")" and "(" in text[a : b - 1]:
            break
        if c == "]" and "[" in text[a : b - 1]:
            break
        b -= 1
    if a < b and text[a] in "([":
        close = ")" if text[a] == "(" else "]"
        if close not in text[a:b]:
            return trim(text, label, a + 1, b)
    return a, b


_YEAR_TOKEN = re.compile(r"(?:1[5-9]\d\d|20\d\d)[a-z]?")


def _year_in_names(tokens: Sequence[tuple[str, int, int]], labels: Sequence[str]) -> list[str]:
    """"Zeileis A (2006b)." all tagged author: a bracketed year inside the
    names is the year, and the names end before it."""
    out = list(labels)
    for i in range(1, len(tokens) - 1):
        if (
            out[i] == "author"
            and tokens[i - 1][0] == "("
            and tokens[i + 1][0] == ")"
            and _YEAR_TOKEN.fullmatch(tokens[i][0])
            and "year" not in out
        ):
            out[i - 1] = out[i + 1] = "O"
            out[i] = "year"
            k = i + 2
            while k < len(out) and out[k] == "author":
                out[k] = "O"
                k += 1
            break
    return out


_LOCATORS = frozenset(["volume", "issue", "pages"])
# Words a locator may hold: roman numerals aside, supplements and parts.
_LOCATOR_WORDS = frozenset(["suppl", "supplement", "part", "pt", "art", "spec", "special"])


def _words_in_locators(tokens: Sequence[tuple[str, int, int]], labels: Sequence[str]) -> list[str]:
    """A locator holds numbers: a word the labeller put in one ("GigaScience 4
    (1)" all tagged issue) is the container's when it opens the run and no
    container was read, else nothing."""
    out = list(labels)
    has_container = "container" in out
    for i, (tok, _, _) in enumerate(tokens):
        if (
            out[i] in _LOCATORS
            and len(tok) >= 3
            and tok.isalpha()
            and tok.lower() not in _LOCATOR_WORDS
            and not _ROMAN.fullmatch(tok.lower())
        ):
            opens = i == 0 or out[i - 1] not in _LOCATORS or out[i - 1] == "container"
            out[i] = "container" if opens and not has_container else "O"
    return out


_ROMAN = re.compile(r"[ivxlcdm]+")


def decode(text: str, tokens: Sequence[tuple[str, int, int]], labels: Sequence[str]) -> FieldSpans:
    if "author" in labels:
        labels = _year_in_names(tokens, labels)
    if any(lab in _LOCATORS for lab in labels):
        labels = _words_in_locators(tokens, labels)
    runs: dict[str, list[list[int]]] = {}
    i = 0
    n = len(labels)
    while i < n:
        lab = labels[i]
        j = i
        while j < n and labels[j] == lab:
            j += 1
        if lab != "O":
            runs.setdefault(lab, []).append([i, j])
        i = j
    out: FieldSpans = {}
    chosen: dict[str, list[int]] = {}
    spare: dict[str, list[list[int]]] = {}
    for lab, rs in runs.items():
        merged: list[list[int]] = [rs[0]]
        for r in rs[1:]:
            gap = range(merged[-1][1], r[0])
            small = len(gap) <= 2 and all(
                labels[k] == "O" and (not tokens[k][0].isalnum() or len(gap) == 1) for k in gap
            )
            if small and lab in ("title", "container", "author"):
                merged[-1][1] = r[1]
            else:
                merged.append(r)
        if lab == "year" and len(merged) > 1:
            # A page range is no year ("350(16):1605–1616, 2004"): a run that
            # opens a range, or follows a colon, gives way to the others.
            plain = [r for r in merged if not _in_range(tokens, r)]
            if plain and len(plain) < len(merged):
                if "pages" not in runs:
                    r = next(r for r in merged if _in_range(tokens, r))
                    end = _range_end(tokens, r)
                    a, b = trim(text, "pages", tokens[r[0]][1], tokens[end - 1][2])
                    if b > a:
                        out["pages"] = (a, b)
                merged = plain
        if lab == "issue" and len(merged) > 1 and "volume" not in runs:
            # "4 (1)" read as two issues: a number, then one in brackets, are
            # the volume and the issue.
            r0, r1 = merged[0], merged[1]
            if tokens[r1[0] - 1][0] == "(" and all(
                labels[k] == "O" for k in range(r0[1], r1[0])
            ):
                a, b = trim(text, "volume", tokens[r0[0]][1], tokens[r0[1] - 1][2])
                if b > a:
                    out["volume"] = (a, b)
                merged = merged[1:]
        if lab in ("author", "volume", "issue"):
            best = merged[0]  # names open a reference; a volume comes before pages
        else:
            best = max(merged, key=lambda r: tokens[r[1] - 1][2] - tokens[r[0]][1])
        if lab == "title" and len(merged) > 1:
            # A run in quotation marks is the title; another run is not
            # ("Okafor, Nkem, Global Lipids Consortium, … 2019. “Rare variants.”").
            quoted = [r for r in merged if r[0] > 0 and tokens[r[0] - 1][0] in _PAIRS]
            if len(quoted) == 1:
                best = quoted[0]
        chosen[lab] = best
        spare[lab] = [r for r in merged if r is not best]
        if lab == "title":
            best = _quoted(tokens, best)
        a, b = trim(text, lab, tokens[best[0]][1], tokens[best[1] - 1][2])
        if lab in ("title", "container"):
            # A field does not end inside a word: "South of 40°S" where the
            # labeller stopped at "40".
            e = b
            while e < len(text) and not text[e].isspace() and text[e] not in _STOPS:
                e += 1
            if e > b and text[b] not in "-‐":
                a, b = trim(text, lab, a, e)
        if lab == "container":
            lead = _IN.match(text, a, b)
            if lead:
                a = lead.end()  # "In Book Title": the word is not the book's
        if b > a:
            out[lab] = (a, b)
        if lab == "volume" and len(merged) > 1 and "pages" not in runs:
            # "Phys. Rev. D 12, 345 (1981)": a second volume-like number after
            # the volume, and no pages, is the first page.
            r = merged[1]
            a, b = trim(text, "pages", tokens[r[0]][1], tokens[r[1] - 1][2])
            if b > a:
                out["pages"] = (a, b)
    _names_before_year(text, tokens, labels, chosen, spare, out)
    _split_year_volume(text, out)
    _named_pages(text, out)
    _container_edges(text, out)
    return out


_RANGE = re.compile(r"\d+\s*[-‐‑‒–—−]\s*\d+")
_TRAILING_NUMBER = re.compile(r"(?<=[^\W\d_])\s+(\d{1,4})$")
_LEADING_WORDS = re.compile(r"(?:[A-Z][^\W\d_]*\s+){1,2}$")


def _container_edges(text: str, out: FieldSpans) -> None:
    """A container's edges as a journal's are written: "eLife 3" and "Frontiers
    in Genetics 8" end with the volume; "Der Urologe" keeps its article; a
    lone range "27–27" taken for the volume is the pages."""
    vol = out.get("volume")
    if (
        vol is not None
        and "pages" not in out
        and _RANGE.fullmatch(text, *vol)
        and not _VOLUMES_WORD.search(text[max(0, vol[0] - 9) : vol[0]])
    ):
        out["pages"] = out.pop("volume")
    span = out.get("container")
    if span is None:
        return
    a, b = span
    m = _TRAILING_NUMBER.search(text, a, b)
    if (
        m is not None
        and "volume" not in out
        and not any(k in out for k in ("issue", "pages"))
        and not _YEAR_TOKEN.fullmatch(m.group(1))  # ACS: "Journal 2013, 2 (6)"
    ):
        out["volume"] = m.span(1)
        b = m.start()
    lead = _LEADING_WORDS.search(text, max(0, a - 24), a)
    if lead is not None:
        before = text[: lead.start()].rstrip()
        # The words open a segment (after the title's closing quote or a full
        # stop) and belong to no other field.
        if before[-1:] in "”\".,:;" and not any(
            x < a and lead.start() < y for k, (x, y) in out.items() if k != "container"
        ) and lead.group().split()[0] not in ("In", "in"):
            a = lead.start()
    out["container"] = (a, b)


_ISSUE_WORD = re.compile(r"(?:\b[Nn][°º]|\b(?:No|no|Nr|nr|Issue|issue)\.?)\s*$")
_ISSUE_LEAD = re.compile(r"(?:[Nn][°º]|No\.|Nr\.)\s*(?=\d)")
_VOLUMES_WORD = re.compile(r"\b(?:[Vv]ols?|[Vv]olumes?)\.?\s*$")
_VOLUME_THEN_RANGE = re.compile(r"(\d+)\s+(\d+\s*[-‐‑‒–—−]\s*\d+)")


def _named_pages(text: str, out: FieldSpans) -> None:
    """Pages the text names otherwise: "n°3" is the issue, "vols. 5–7" the
    volumes; "17 259-273" (no volume read) is a volume, then pages."""
    span = out.get("pages")
    if span is None:
        return
    a, b = span
    before = text[max(0, a - 8) : a]
    if "issue" not in out and _ISSUE_WORD.search(before):
        out["issue"] = out.pop("pages")
        return
    lead = _ISSUE_LEAD.match(text, a, b)
    if "issue" not in out and lead is not None:
        del out["pages"]
        out["issue"] = (lead.end(), b)
        return
    if "volume" not in out and _VOLUMES_WORD.search(before):
        out["volume"] = out.pop("pages")
        return
    m = _VOLUME_THEN_RANGE.fullmatch(text, a, b)
    if m is not None:
        if "volume" not in out:
            out["volume"] = m.span(1)
        out["pages"] = m.span(2)


_DASH_TOKENS = frozenset("-‐‑‒–—−")
# Words that name the number after them ("no. 1855, 2017" has no year 1855).
_NUMBER_WORDS = frozenset(["no", "nr", "vol", "volume", "issue", "p", "pp", "art", "article"])


def _in_range(tokens: Sequence[tuple[str, int, int]], r: list[int]) -> bool:
    """Whether the run is a number opening "1605–1616", after "(16):" or "no."."""
    i, j = r
    after = tokens[j][0] if j < len(tokens) else ""
    before = tokens[i - 1][0] if i > 0 else ""
    nxt = tokens[j + 1][0] if j + 1 < len(tokens) else ""
    word = tokens[i - 2][0].lower() if i > 1 and before == "." else before.lower()
    return (after in _DASH_TOKENS and nxt.isdigit()) or before == ":" or word in _NUMBER_WORDS


def _range_end(tokens: Sequence[tuple[str, int, int]], r: list[int]) -> int:
    j = r[1]
    if j + 1 < len(tokens) and tokens[j][0] in _DASH_TOKENS and tokens[j + 1][0].isdigit():
        return j + 2
    return j


_LIST_GAP = frozenset([",", ";", "and", "&"])


def _names_before_year(
    text: str,
    tokens: Sequence[tuple[str, int, int]],
    labels: Sequence[str],
    chosen: dict[str, list[int]],
    spare: dict[str, list[list[int]]],
    out: FieldSpans,
) -> None:
    """A title run left over between the names and the year, joined to the
    names by a comma, continues the author list (author-date: names, year,
    title; "Okafor, Nkem, Global Lipids Genetics Consortium, Tamas Varga, …
    2019.")."""
    au, yr, ti = chosen.get("author"), chosen.get("year"), chosen.get("title")
    if au is None or yr is None or ti is None or ti[0] < yr[0]:
        return
    for r in spare.get("title", []):
        gap = range(au[1], r[0])
        if (
            au[1] < r[0]
            and r[1] <= yr[0]
            and len(gap) > 0
            and all(tokens[k][0] in _LIST_GAP and labels[k] == "O" for k in gap)
            and all(labels[k] == "O" and not tokens[k][0].isalnum() for k in range(r[1], yr[0]))
        ):
            a, b = trim(text, "author", tokens[au[0]][1], tokens[r[1] - 1][2])
            if b > a:
                out["author"] = (a, b)
            return


_YEAR_VOLUME = re.compile(r"(1[5-9]\d\d|20\d\d)[a-z]?\s*;\s*(?=\S)")


def _split_year_volume(text: str, out: FieldSpans) -> None:
    """Vancouver's "2019;21(8)" read as one volume: the year is before the semicolon."""
    span = out.get("volume")
    if span is None or "year" in out:
        return
    m = _YEAR_VOLUME.match(text, span[0], span[1])
    if m:
        out["year"] = (m.start(1), m.end(1))
        out["volume"] = (m.end(), span[1])


_STOPS = frozenset(',;:()[]"“”‘’«».?!')
_IN = re.compile(r"(?:In|in|В)\s*:?\s+(?=\w)")
_PAIRS = {"“": "”", "«": "»", '"': '"', "‘": "’"}


def _quoted(tokens: Sequence[tuple[str, int, int]], run: list[int]) -> list[int]:
    """A title opened by a quotation mark ends at the closing one
    ("“Collective Security.” Contemporary Security …" is no one title)."""
    i, j = run
    k = i - 1 if i > 0 and tokens[i - 1][0] in _PAIRS else i if tokens[i][0] in _PAIRS else -1
    if k < 0:
        return run
    close = _PAIRS[tokens[k][0]]
    for x in range(max(i, k + 1), j - 1):
        if tokens[x][0] == close:
            return [i, x + 1]
    return run
