"""Field-by-field comparison of a reference with its registry record.

Pure functions, no network: every rule that cross-checks metadata, the DOI
"belongs to another work" check and DOI discovery share these.  Comparisons
are deliberately forgiving where citation styles legitimately differ (case,
punctuation, diacritics, abbreviated page ranges, print versus online year,
journal abbreviations, transliteration) and only report what a reader would
call wrong.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from refcheck.model import Reference

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212-"
_DASH_RE = re.compile(f"\\s*[{DASHES}]+\\s*")
_STOP = {"of", "the", "and", "for", "in", "on", "a", "an", "&", "de", "la", "le", "und"}


@dataclass(frozen=True)
class Discrepancy:
    field: str  # title, container, authors, year, volume, issue, pages
    cited: str
    registry: str
    kind: str  # "mismatch" (the DOI may be wrong) or "slip" (one or two typed slips)
    message: str


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a string."""
    text = unicodedata.normalize("NFKD", text).replace("&", " and ")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"<[^>]+>", " ", text)  # Crossref titles may carry JATS markup
    text = re.sub(r"[^\w\s]", " ", text.casefold())
    return " ".join(text.split())


MAX_SLIPS = 2
_MIN_SLIP_LENGTH = 8  # in shorter strings two edits make another word, not a typo


def slips(cited: str, registry: str) -> int:
    """Edits (insert, delete, substitute, swap) between the normalised forms."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(fold(cited), fold(registry)))


def is_slip(cited: str, registry: str) -> bool:
    """One or two slips of the keyboard away from the registry's spelling."""
    shortest = min(len(fold(cited)), len(fold(registry)))
    return shortest >= _MIN_SLIP_LENGTH and 0 < slips(cited, registry) <= MAX_SLIPS


@functools.lru_cache(maxsize=1 << 14)
def script(text: str) -> str:
    """The dominant alphabet of a string (latin, cyrillic, …) by letter count."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            try:
                name = unicodedata.name(ch).split()[0]
            except ValueError:
                continue
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


def first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else None


def record_years(record: dict[str, Any]) -> list[int]:
    years: list[int] = []
    for key in ("published-print", "published-online", "issued", "published"):
        parts = (record.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int) and parts[0][0] not in years:
            years.append(parts[0][0])
    return years


def record_year(record: dict[str, Any]) -> int | None:
    """The year a citation should give: print if there is one, else the issue date."""
    for key in ("published-print", "issued", "published", "published-online"):
        parts = (record.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int):
            return int(parts[0][0])
    return None


def record_titles(record: dict[str, Any]) -> list[str]:
    titles = [t for t in (record.get("title") or []) if isinstance(t, str)]
    subtitles = [s for s in (record.get("subtitle") or []) if isinstance(s, str)]
    out = list(titles)
    for t in titles:
        for s in subtitles:
            out.append(f"{t}: {s}")
    out += [t for t in (record.get("original-title") or []) if isinstance(t, str)]
    out += [t for t in (record.get("short-title") or []) if isinstance(t, str)]
    return out


def title_similarity(cited: str, record: dict[str, Any]) -> tuple[float, str | None]:
    """Best similarity (0–100) of a cited title to the record's titles, and that title."""
    best, best_title = 0.0, None
    folded = fold(cited)
    for title in record_titles(record):
        other = fold(title)
        score = fuzz.ratio(folded, other)
        # A cited main title without its subtitle (or the reverse) is not a mismatch.
        short, long_ = sorted((folded, other), key=len)
        if len(short) >= 20 and long_.startswith(short + " "):
            score = 100.0
        if score > best:
            best, best_title = score, title
    return best, best_title


def _clean_title(title: str) -> str:
    return re.sub(r"<[^>]+>", "", title).strip()


def compare_title(cited: str | None, record: dict[str, Any]) -> Discrepancy | None:
    titles = record_titles(record)
    if not cited or not titles or script(cited) != script(titles[0]):
        return None  # a translated or transliterated title cannot be compared by spelling
    score, best = title_similarity(cited, record)
    shown = _clean_title(best or titles[0])
    if score >= 100:
        return None
    # Inline mathematics is compared by neither side: registries garble it ("$ǎrepsilon$"
    # for "$\varepsilon$"), and citations write it in many ways.
    if _MATH.sub(" ", cited).split() == _MATH.sub(" ", shown).split() and _MATH.search(cited):
        return None
    if "".join(fold(cited).split()) == "".join(fold(shown).split()):
        return None  # "Pre-training" / "Pretraining", "Re-ID" / "ReID": the same words
    if is_slip(cited, shown):
        return Discrepancy("title", cited, shown, "slip",
                           f"title '{cited}' is spelled '{shown}' in the registry")
    if score >= 85:
        # Near the registry's title but not it: a word changed, added or dropped says the
        # citation was written from memory or made up ("towards" for "for"), while case,
        # punctuation, hyphenation, LaTeX and diacritics never count.
        change = _word_change(cited, shown)
        if change is None:
            return None
        return Discrepancy("title", cited, shown, "reworded",
                           f"title differs from the registry's '{shown}' ({change})")
    return Discrepancy("title", cited, shown, "mismatch",
                       f"title does not match the registry's '{shown}' (the DOI may be wrong)")


_MATH = re.compile(r"\$[^$]{0,200}\$")


def _word_change(cited: str, registry: str) -> str | None:
    """The words by which two titles differ ("'towards' for 'for'"), or None when they
    differ only in case, punctuation, hyphenation or accents."""
    a, b = fold(_MATH.sub(" ", cited)).split(), fold(_MATH.sub(" ", registry)).split()
    if "".join(a) == "".join(b):
        return None  # "pre-training" / "pretraining", "Re-ID" / "ReID"
    import difflib

    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        mine, theirs = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if op == "replace":
            parts.append(f"'{mine}' where the registry has '{theirs}'")
        elif op == "delete":
            parts.append(f"'{mine}' added")
        elif op == "insert":
            parts.append(f"'{theirs}' left out")
    return "; ".join(parts[:3]) or None


def _tokens(text: str) -> list[str]:
    return [t for t in fold(text).split() if t not in _STOP]


def _abbreviates(short: str, full: str) -> bool:
    """'J. Slav. Mil. Stud.' abbreviates 'Journal of Slavic Military Studies'."""
    a, b = _tokens(short), _tokens(full)
    if not a or len(a) > len(b):
        return False
    j = 0
    for tok in a:
        while j < len(b) and not b[j].startswith(tok):
            j += 1
        if j == len(b):
            return False
        j += 1
    return True


def compare_container(cited: str | None, record: dict[str, Any]) -> Discrepancy | None:
    names = [n for key in ("container-title", "short-container-title")
             for n in (record.get(key) or []) if isinstance(n, str)]
    if not cited or not names or script(cited) != script(names[0]):
        return None
    folded = fold(cited)
    if any(folded == fold(n) for n in names):
        return None
    from refcheck.net import venues

    cited_ids = venues.identify(cited)
    registry_ids = frozenset().union(*(venues.identify(n) for n in names))
    if cited_ids and registry_ids:
        # Both venues known: "NeurIPS" is "Advances in Neural Information Processing
        # Systems", and "UAI" is not "International Conference on Machine Learning".
        if cited_ids & registry_ids or any(venues.is_preprint_key(k) for k in registry_ids):
            return None  # the same venue; or a preprint's record, silent on the venue
        return Discrepancy("container", cited, names[0], "mismatch",
                           f"published in '{names[0]}' according to the registry, not "
                           f"'{cited}'")
    best = max(names, key=lambda n: fuzz.ratio(folded, fold(n)))
    # Slips first: a registry abbreviation ("Nature Nanotech") prefixes a misspelt full
    # name ("Nature Nanotechnolgy") as well as the right one.
    if is_slip(cited, best):
        return Discrepancy("container", cited, best, "slip",
                           f"journal name '{cited}' is spelled '{best}' in the registry")
    if any(_abbreviates(cited, n) or _abbreviates(n, cited) for n in names):
        return None
    if any(fuzz.ratio(folded, fold(n)) >= 80 or fuzz.token_set_ratio(folded, fold(n)) >= 95
           for n in names):
        return None  # a variant of the name, not a slip and not another journal
    return Discrepancy("container", cited, names[0], "mismatch",
                       f"published in '{names[0]}' according to the registry, not "
                       f"'{cited}' (the DOI may be wrong)")


def compare_year(ref: Reference, record: dict[str, Any]) -> Discrepancy | None:
    years = record_years(record)
    if ref.year is None or not years or ref.year in years:
        return None
    expected = record_year(record) or years[0]
    shown = ", ".join(str(y) for y in sorted(years))
    return Discrepancy("year", str(ref.year), str(expected), "mismatch",
                       f"cited year {ref.year}, registry has {shown}")


def _norm_number(value: str) -> str:
    value = _DASH_RE.sub("-", fold_keep_dash(value))
    return re.sub(r"^(vol|no|issue|iss|nr|n)\s*", "", value).lstrip("0") or "0"


def fold_keep_dash(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold().strip().rstrip(".")
    return re.sub(r"[\s.]+", " ", text).strip()


def _parts(value: str) -> set[str]:
    return {p for p in re.split(r"[-/,&\s]+|and", value) if p}


def compare_number(field: str, cited: str | None, registry: Any) -> Discrepancy | None:
    reg = first(registry)
    if not cited or not reg:
        return None
    a, b = _norm_number(cited), _norm_number(reg)
    if a == b or _parts(a) & _parts(b):  # "3" within a double issue "3-4"
        return None
    return Discrepancy(field, cited, reg, "mismatch",
                       f"cited {field} {cited}, registry has {reg}")


def page_range(value: str) -> tuple[str, str | None]:
    """(first, last) page; '126-34' expands to ('126', '134')."""
    text = re.sub(r"^(pp?\.?|pages?)\s*", "", fold_keep_dash(value))
    text = _DASH_RE.sub("-", text)
    pieces = [p.strip() for p in text.split("-") if p.strip()]
    if not pieces:
        return "", None
    start = pieces[0]
    end = pieces[-1] if len(pieces) > 1 else None
    if end and start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start, end


def compare_pages(cited: str | None, record: dict[str, Any]) -> Discrepancy | None:
    reg = first(record.get("page"))
    article = first(record.get("article-number"))
    if not cited or not (reg or article):
        return None
    c_start, c_end = page_range(cited)
    if article and fold_keep_dash(article) in (c_start, fold_keep_dash(cited)):
        return None
    if not reg:
        return None
    r_start, r_end = page_range(reg)
    if c_start == r_start and (c_end is None or r_end is None or c_end == r_end):
        return None
    return Discrepancy("pages", cited, reg, "mismatch", f"cited pages {cited}, registry has {reg}")


def _family(name: str) -> str:
    return fold(name)


def compare_authors(ref: Reference, record: dict[str, Any]) -> Discrepancy | None:
    reg = [a for a in (record.get("author") or []) if isinstance(a, dict)]
    # Group authors ("EFSA Panel on …", a consortium) carry a name and no family; the
    # cited side leaves institutions out too, so both lists hold people only — unless
    # the registry gives display names alone.  A group cited as if it were a person
    # ("GTEx Consortium" read as family "Consortium") is still the registry's group.
    groups: list[str] = []
    if any(a.get("family") for a in reg):
        groups = [str(a.get("name")) for a in reg if not a.get("family") and a.get("name")]
        reg = [a for a in reg if a.get("family")]
    reg_names = [str(a.get("family") or a.get("name") or "") for a in reg]
    reg_names = [n for n in reg_names if n]
    cited = [a.family for a in ref.authors if a.family and not a.literal]
    if not cited or not reg_names or script(" ".join(cited)) != script(" ".join(reg_names)):
        return None
    shown = ", ".join(reg_names[:6]) + (" et al." if len(reg_names) > 6 else "")

    def same(x: str, y: str) -> bool:
        fx, fy = _family(x), _family(y)
        return fx == fy or fuzz.ratio(fx, fy) >= 85 or fx in fy.split() or fy in fx.split()

    if not same(cited[0], reg_names[0]):
        if any(same(cited[0], r) for r in reg_names):
            return Discrepancy("authors", ", ".join(cited), shown, "mismatch",
                               f"author order differs from the registry ({shown})")
        return Discrepancy("authors", ", ".join(cited), shown, "mismatch",
                           f"first author {cited[0]} is not in the registry record ({shown})")
    unknown = [c for c in cited if not any(same(c, r) for r in reg_names)
               and not any(fold(c) in fold(g).split() for g in groups)]
    if unknown and len(cited) > len(reg_names) and all(
            any(same(c, r) for c in cited) for r in reg_names):
        # Every registry author is cited, and more.  Registries cut long author lists
        # (the extra names then all come after the last one they give) and now and then
        # miss one name of a long list; a short list with an extra name is an addition.
        last = max(next(i for i, c in enumerate(cited) if same(c, r)) for r in reg_names)
        cut = len(reg_names) >= 6 and all(cited.index(u) > last for u in unknown)
        if cut or (len(unknown) == 1 and len(cited) >= 5):
            unknown = []
    if unknown:
        return Discrepancy("authors", ", ".join(cited), shown, "mismatch",
                           f"{', '.join(unknown)} not among the registry's authors ({shown})")
    truncated = bool(re.search(r"\bet\s*al\b|\band others\b|…|\.\.\.", ref.raw, re.I))
    if len(cited) < len(reg_names) and not truncated and len(cited) < 6:
        missing = [r for r in reg_names if not any(same(c, r) for c in cited)]
        return Discrepancy("authors", ", ".join(cited), shown, "mismatch",
                           f"missing author(s) {', '.join(missing)} (registry: {shown})")
    return None


def compare(ref: Reference, record: dict[str, Any]) -> list[Discrepancy]:
    """Every discrepancy between a reference and its record."""
    found = [
        compare_title(ref.title, record),
        compare_container(ref.container, record),
        compare_authors(ref, record),
        compare_year(ref, record),
        compare_number("volume", ref.volume, record.get("volume")),
        compare_number("issue", ref.issue, record.get("issue")),
        compare_pages(ref.pages, record),
    ]
    return [d for d in found if d is not None]


def other_work(ref: Reference, record: dict[str, Any]) -> bool:
    """Does the DOI belong to a different work than the one cited?

    Needs two independent signals: a title that does not resemble the record's
    and a first author (or, failing that, a year) that disagrees too.
    """
    titles = record_titles(record)
    if not ref.title or not titles or script(ref.title) != script(titles[0]):
        return False
    score, _ = title_similarity(ref.title, record)
    if score >= 60 or fuzz.token_set_ratio(fold(ref.title), fold(titles[0])) >= 70:
        return False
    authors = compare_authors(ref, record)
    if authors is not None and "first author" in authors.message:
        return True
    if not ref.authors or not record.get("author"):
        years = record_years(record)
        return ref.year is not None and bool(years) and all(abs(ref.year - y) > 1 for y in years)
    return False


def confirmed(ref: Reference, record: dict[str, Any]) -> bool:
    """Is a search candidate certainly the cited work?  (Title, year, first author.)"""
    if not ref.title:
        return False
    score, _ = title_similarity(ref.title, record)
    if score < 90:
        return False
    years = record_years(record)
    if ref.year is None or not years or ref.year not in years:
        return False
    reg = [a for a in (record.get("author") or []) if isinstance(a, dict)]
    if not ref.authors or not reg:
        return False
    cited = ref.authors[0].family
    fam = str(reg[0].get("family") or reg[0].get("name") or "")
    return bool(fam) and (fold(cited) == fold(fam) or fuzz.ratio(fold(cited), fold(fam)) >= 90)


def search_query(ref: Reference) -> str | None:
    """The bibliographic query string for a reference, or None if too thin to search."""
    if not ref.title or len(fold(ref.title)) < 12:
        return None
    parts = [a.family for a in ref.authors[:2]] + [ref.title]
    if ref.container:
        parts.append(ref.container)
    if ref.year:
        parts.append(str(ref.year))
    return " ".join(parts)
