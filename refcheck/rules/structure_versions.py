"""What a reference states about its version, for RC402 (duplicate-reference).

Two references with the same title, first author and year are one work only
when none of the facts both state disagrees; this module extracts those facts
(normalised so that two styles of one reference compare equal) and compares
them.  Kept apart from ``structure.py`` to keep that module readable.
"""

from __future__ import annotations

import re
import unicodedata

from refcheck.model import Reference
from refcheck.text.patterns import lazy_re

_NOT_WORD = lazy_re(r"[^\w]|_")


def _fold(text: str) -> str:
    """Lower-case letters and digits without accents; other characters become spaces."""
    bare = text.replace("{", "").replace("}", "")
    # ASCII text has no accents to strip (NFKD leaves it as it is): most titles.
    if not bare.isascii():
        decomposed = unicodedata.normalize("NFKD", bare)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


# Facts that say where a work appeared and which version it is.  Two entries
# with the same title, first author and year are one work only when none of
# these that both state disagrees: an "Editorial" in every issue of a volume
# differs in number and pages, two editions of a book in edition, ISBN or
# publisher, a reprint in its `related` entry.  The place of publication is
# left out: styles give it as a city alone or with state and country, and
# co-publishers list one city or two.
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_ORDINALS = {w: i + 1 for i, w in enumerate(
    ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
     "tenth"))}
_TEXT_FACTS = ("container", "title", "publisher", "organization", "institution", "school", "series",
               "type", "howpublished", "note", "related")
_STOP = frozenset(
    ["a", "an", "and", "of", "the", "on", "in", "for", "to", "at", "de", "des", "du", "la", "le",
     "les", "et", "und", "der", "die", "das"]
)
_PREPRINT = lazy_re(r"(?i)\b(?:arxiv|biorxiv|medrxiv|chemrxiv|ssrn|preprint|e-?print)\b")
_PREPRINT_TYPES = frozenset({"techreport", "report", "unpublished", "online"})
_THESIS_TYPES = frozenset({"phdthesis", "mastersthesis", "thesis"})


def _bare_doi(value: str) -> str:
    doi = re.sub(r"(?i)^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value.strip(" {}"))
    return doi.rstrip(".,;").lower()


def _isbns(value: str) -> frozenset[str]:
    """Every ISBN in a field, as ISBN-13 digits, so that the two forms compare equal."""
    out = set()
    for m in re.finditer(r"(?<![\dXx-])(?:\d[- ]?){9}[\dXx](?:[- ]?\d){0,3}(?![\dXx])", value):
        digits = re.sub(r"[^\dXx]", "", m.group()).upper()
        if len(digits) == 10:
            core = "978" + digits[:9]
            check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(core)) % 10) % 10
            digits = core + str(check)
        out.add(digits)
    return frozenset(out)


def _month(value: str) -> str:
    folded = _fold(value)
    if folded.isdigit():
        return str(int(folded))
    return str(_MONTHS.get(folded[:3], folded))


def _edition(value: str) -> str:
    folded = _fold(value)
    first = folded.split(" ")[0] if folded else ""
    digits = re.match(r"\d+", first)
    if digits:
        return digits.group()
    return str(_ORDINALS.get(first, folded))


def doi_of(ref: Reference) -> str:
    """The reference's DOI, bare and lower-cased (a doi.org link counts), or ''."""
    doi = ref.doi or ""
    for name, value in ref.fields.items():
        if name.lower() == "doi" and value.strip(' \t\r\n{}"'):
            doi = value
    if not doi:
        doi = next((u for u in ref.urls if re.search(r"(?i)doi\.org/", u)), "")
        url = next((v for k, v in ref.fields.items() if k.lower() == "url"), "")
        doi = doi or (url if re.search(r"(?i)doi\.org/", url) else "")
    return _bare_doi(doi) if doi else ""


def stated_facts(ref: Reference) -> dict[str, object]:
    """What a reference states about its version and place of publication, normalised."""
    fields = {k.lower(): v for k, v in ref.fields.items() if v.strip(' \t\r\n{}"')}
    facts: dict[str, object] = {}

    def put(name: str, value: str | None, norm: object) -> None:
        # A value that normalises to nothing ("??", "--") states nothing.
        if value and value.strip(' \t\r\n{}"') and norm not in ("", frozenset()):
            facts[name] = norm

    container = (fields.get("journaltitle") or fields.get("journal") or fields.get("booktitle")
                 or ref.container)
    put("container", container, _fold(container or ""))
    volume, issue = fields.get("volume") or ref.volume, fields.get("number") or fields.get(
        "issue") or ref.issue
    put("volume", volume, _fold(volume or ""))
    put("issue", issue, _fold(issue or ""))
    pages = fields.get("pages") or ref.pages
    put("pages", pages, _fold(pages or "").split(" ")[0])
    doi = doi_of(ref)
    if doi:
        facts["doi"] = doi
    urls = [fields["url"]] if "url" in fields else list(ref.urls)
    web = [u for u in urls if not re.search(r"(?i)doi\.org/", u)]
    if web:
        facts["url"] = re.sub(r"(?i)^\s*https?://(?:www\.)?|/+\s*$", "", web[0]).lower()
    put("eprint", fields.get("eprint"), _fold(fields.get("eprint", "")))
    put("month", fields.get("month"), _month(fields.get("month", "")))
    put("edition", fields.get("edition"), _edition(fields.get("edition", "")))
    put("chapter", fields.get("chapter"), _fold(fields.get("chapter", "")))
    isbns = _isbns(fields.get("isbn", ""))
    if isbns:
        facts["isbn"] = isbns
    # Same-DOI candidates must have titles that can be one: a chapter that gives its
    # book's DOI is not the book.
    put("title", ref.title, _fold(ref.title or ""))
    for name in _TEXT_FACTS[2:]:
        value = fields.get(name) or (ref.publisher if name == "publisher" else None)
        put(name, value, _fold(value or ""))
    # biblatex's `related` prints a different item (a translation, a reprint, the
    # volumes of a set): an entry with it differs from one without it.
    if "related" in fields:
        facts.setdefault("related", _fold(fields["related"]))
    return facts


def first_name(ref: Reference) -> str:
    """Whom a reference is by, to compare: the first author's family name, else the
    first editor's, else biblatex's `shortauthor` (ancient sources name their author
    only there: Apollonios' and Valerius Flaccus' "Argonautica" are two works)."""
    people = ref.authors or ref.editors
    if people:
        return _fold(people[0].family)
    for name, value in ref.fields.items():
        if name.lower() == "shortauthor":
            return _fold(value)
    return ""


def _words(text: str) -> list[str]:
    return [w for w in text.split(" ") if w not in _STOP]


def _same_text(a: str, b: str) -> bool:
    """Whether two names of a journal, publisher … can be one: abbreviation and extra
    words allowed ("Phys. Rev. Lett." and "Physical Review Letters", "14th Symposium
    on Logic …" and "IEEE Symposium on Logic …"), but at least half the shorter's words
    must be found in the longer, and numbers both give must agree ("4 computer disks"
    and "6 computer disks" are two products)."""
    short, long = sorted((_words(a), _words(b)), key=len)
    if not short:
        return True
    nums_a, nums_b = ({w for w in ws if w.isdigit()} for ws in (short, long))
    if nums_a and nums_b and not (nums_a <= nums_b or nums_b <= nums_a):
        return False
    found = sum(any(w.startswith(s) or s.startswith(w) for w in long) for s in short)
    return 2 * found >= len(short)


def disagreement(a: dict[str, object], b: dict[str, object]) -> str | None:
    """The first fact both state with different values, or None."""
    if ("related" in a) != ("related" in b):
        return "related"
    for name in a.keys() & b.keys():
        x, y = a[name], b[name]
        if isinstance(x, frozenset) and isinstance(y, frozenset):
            if not x & y:
                return name
        elif name in _TEXT_FACTS:
            if not _same_text(str(x), str(y)):
                return name
        elif x != y:
            return name
    return None


def form_of(ref: Reference, facts: dict[str, object]) -> str:
    """'preprint' for a preprint, report or web version, 'thesis' for a thesis (often
    published later as a book or articles under its title), 'published' otherwise."""
    kind = (ref.entry_type or "").lower()
    if kind in _THESIS_TYPES:
        return "thesis"
    container = str(facts.get("container", ""))
    if container:
        return "preprint" if _PREPRINT.search(container) else "published"
    if kind in _PREPRINT_TYPES or "eprint" in facts:
        return "preprint"
    if _PREPRINT.search(" ".join(str(facts.get(n, "")) for n in ("howpublished", "note"))):
        return "preprint"
    if str(facts.get("doi", "")).startswith("10.48550/"):
        return "preprint"
    return "published"
