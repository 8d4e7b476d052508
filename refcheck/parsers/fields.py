"""Split one plain-text reference into bibliographic fields.

``fill(ref)`` reads ``ref.raw`` (a single reference as written, in any common
style) and sets authors, editors, year, title, container, publisher,
locators, identifiers and ``field_spans`` (exact character offsets).

Two readers work together, each where it measured better
(``benchmarks/field_accuracy.py``, held-out data only):

- the hand-written reader (``fields_rules.py``) finds identifiers (DOIs,
  URLs, access dates) by pattern and blanks them, and reads editors,
  publisher, place, pinpoints and translated titles;
- the learned labeller (``refcheck/reader``, a CRF trained on labelled and
  rendered references) decides the fields in ``LEARNED``: which tokens are
  the author list, year, title, container, volume, issue and pages.  Its
  author span is split into names by the name shapes of ``names.py``.

Without python-crfsuite or the model file the hand-written reader alone
fills everything.  Besides the model's attributes, ``ref.fields`` may receive
``pinpoint`` (the page a note cites, kept out of ``pages``) and
``translated_container``.  Nothing here raises.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from refcheck.model import Author, Reference
from refcheck.parsers.fieldpatterns import _REPOSITORY, _publisher_like
from refcheck.parsers.fields_rules import _Filler, fill_rules
from refcheck.reader.decode import trim

__all__ = ["LEARNED", "fill", "fill_rules"]

# Fields the learned labeller decides (both presence and extent); the rest
# stay with the hand-written reader.  Chosen per field by the benchmark.
LEARNED = frozenset(["authors", "year", "title", "container", "volume", "issue", "pages"])

FieldSpans = dict[str, tuple[int, int]]
# The longest reference text the field readers are given.  Their patterns are
# tried at many places of a reference, so their work grows faster than its
# length (a 180 KB "reference" of a fuzzed file took minutes); no real reference
# comes near this (a hundred authors are about 3,000 characters).
MAX_RAW = 10_000
# Fields the rule reader keeps where the labeller found none and read nothing
# at the rule reader's place for it (measured: benchmarks/field_accuracy.py).
# The container only when the labeller read a locator (a journal's volume,
# issue or pages evidence one): alone it lowered container F1 on AnyStyle's set;
# so did the issue, on the rendered set.
RULES_WHEN_SILENT = ("container", "volume", "pages", "year")
_SENTENCE_BREAK = re.compile(r"([^\W\d_]{5,})\.\s+[A-Z]")
_YEAR_IN = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)([a-z])?(?!\d)")


def fill(ref: Reference) -> None:
    """Fill ``ref``'s bibliographic fields and ``field_spans`` from ``ref.raw``.

    Never raises: on input it cannot read it leaves the fields it could not
    find unset.
    """
    if len(ref.raw or "") > MAX_RAW:
        return
    try:
        filler = _Filler(ref)
        filler.run()
    except Exception:  # pragma: no cover - a parser bug must not stop a lint run
        return
    if not LEARNED or not ref.raw or not ref.raw.strip():
        return
    try:
        _relabel(ref, filler)
    except Exception:  # pragma: no cover - the rule reader's reading stands
        return


def _value(s: str, a: int, b: int) -> str:
    return " ".join(s[a:b].split()) if "\n" in s[a:b] else s[a:b]


def _relabel(ref: Reference, filler: _Filler) -> None:
    from refcheck import reader

    m = " " * filler.pos0 + filler.m[filler.pos0 :]
    spans = reader.label(m)
    if spans is None:
        return
    s = ref.raw
    base = ref.start
    fs = ref.field_spans

    def put(name: str, span: tuple[int, int] | None) -> str | None:
        if span is None:
            fs.pop(name, None)
            return None
        fs[name] = (base + span[0], base + span[1])
        return _value(s, *span)

    if "authors" in LEARNED:
        first = min((a for a, _ in spans.values()), default=None)
        _authors(ref, m, spans, first, put)
    rel = {k: (a - base, b - base) for k, (a, b) in fs.items()}
    for name in RULES_WHEN_SILENT:
        # The labeller is silent on a field the rule reader read, somewhere the
        # labeller read nothing: the rule reader's value stands.
        if (
            name not in spans
            and name in rel
            and not any(_overlaps(rel[name], v) for v in spans.values())
            and (name != "container" or any(k in spans for k in ("volume", "issue", "pages")))
        ):
            spans[name] = rel[name]
    if (
        filler.comma_mode
        and "title" not in spans
        and not any(k in spans for k in ("volume", "issue"))
    ):
        # A note on a book ("Alan Bryman, Social Research Methods, Oxford
        # University Press, 2012, p. 45."): the labeller saw no notes in
        # training; the rule reader's comma reading of title, container and
        # publisher stands.
        for name in ("title", "container"):
            spans.pop(name, None)
            if name in rel:
                spans[name] = rel[name]
    _keyword_locators(s, rel, spans)
    if (
        "title" not in spans
        and "container" in spans
        and not any(k in spans for k in ("volume", "issue", "pages"))
    ):
        # A "container" with no title before it and no locator is the work's
        # own title: a book ("Gatti F. Applications of … Springer; 2017."), a
        # web page ("Kyrgyzstan Army. 2010. Global Security. Accessed …").
        spans["title"] = spans.pop("container")
    t = rel.get("title")
    if (
        "title" not in spans
        and t is not None
        and s[t[0] - 1 : t[0]] in _OPENING
        and not any(_overlaps(t, v) for v in spans.values())
    ):
        spans["title"] = t  # a quoted title the labeller left out
    if "title" not in spans:
        q = _QUOTED.search(m)
        if q is not None and not any(_overlaps(q.span(1), v) for v in spans.values()):
            # Quoted words no field holds are the title ('Author, J., "Title," …').
            spans["title"] = trim(m, "title", *q.span(1))
    if ref.editors and "container" in spans and "container" in rel:
        c, rc = spans["container"], rel["container"]
        if rc[1] <= c[0] or any(
            e.family in s[c[0] : c[1]] for e in ref.editors if len(e.family) > 2
        ):
            # The labeller never saw editors labelled: a container holding the
            # names the rule reader read as editors, or after them ("Book.
            # Starr S.F., Cornell S.E., eds. Institute …"), takes the rule reader's.
            spans["container"] = rc
    t, p, c2 = spans.get("title"), rel.get("publisher"), spans.get("container")
    if t is not None and p is not None and c2 is not None and t[0] < p[0] < p[1] <= t[1] <= c2[0]:
        # Nor publishers: one the rule reader read inside the title, before a
        # container, ends it ("Relations in Modern Era. International
        # Institute for Global Analyses. Analytical Dossier, 2019, no. 3").
        spans["title"] = trim(s, "title", t[0], p[0])
    if "title" in LEARNED and _note_title(s, fs, base, spans):
        # "Name, Title, Container, …" (a note): the labeller took the unquoted
        # title for a container and found no title; the rule reader's reading
        # of both stands.
        spans.pop("title", None)
        spans.pop("container", None)
        if "title" in fs:
            spans["title"] = (fs["title"][0] - base, fs["title"][1] - base)
        if "container" in fs:
            spans["container"] = (fs["container"][0] - base, fs["container"][1] - base)
    if "title" in LEARNED:
        span = spans.get("title")
        tt = fs.get("translated_title")
        if span is not None and tt is not None and span[0] < tt[0] - base < span[1]:
            # GOST "Title [Translated title]": the translation stays apart.
            cut = s.rfind("[", span[0], tt[0] - base)
            b = len(s[:cut].rstrip(" .,;:")) if cut > span[0] else span[1]
            span = (span[0], b) if b > span[0] else None
        ref.title = put("title", span)
    if "container" in LEARNED:
        span = spans.get("container")
        if span is not None and _publisher_instead(s, fs, base, span, spans):
            span = None
        elif span is not None and any(_overlaps(span, x) for x in filler.not_container):
            span = None  # the rule reader read a thesis or book description there
        elif (
            span is not None
            and _SERIES.search(s, span[0], span[1])
            and not _JOURNAL_WORD.search(s, span[0], span[1])
            and not any(k in spans for k in ("volume", "issue", "pages"))
        ):
            # A book series after the title ("Regions and Powers. Cambridge
            # Studies in International Relations."): a series names books, and
            # with no volume, issue or pages nothing says a periodical.
            span = None
        elif (
            span is not None
            and _two_sentences(s[span[0] : span[1]])
            and not _evidenced(fs, base, span, spans)
        ):
            # Two sentences and no locator: a series or an institution after a
            # book's title ("Regions and Powers. The Structure of Security.
            # Cambridge Studies."), not a periodical; a false container is worse
            # than none.  (Asking every container for a locator measured far
            # worse: proceedings and preprint servers have none.)
            span = None
        if span is not None:
            for other in ("publisher", "place"):
                o = fs.get(other)
                if o is not None and o[0] - base < span[1] and span[0] < o[1] - base:
                    fs.pop(other)
                    setattr(ref, other, None)
        ref.container = put("container", span)
        if ref.container is None:
            ref.fields.pop("translated_container", None)
    for name in ("volume", "pages"):
        span = spans.get(name)
        if span is not None and _EXTENT.match(s, span[1]):
            del spans[name]  # "2002. 487 p.": the book's extent, no locator
    for name in ("volume", "issue"):
        if name in LEARNED:
            setattr(ref, name, put(name, spans.get(name)))
    if "pages" in LEARNED:
        span = spans.get("pages")
        pin = fs.get("pinpoint")
        if span is not None and pin is not None and (base + span[0], base + span[1]) == pin:
            span = None  # the page a note cites, read as such by the rule reader
        ref.pages = put("pages", span)
    if "year" in LEARNED:
        span = spans.get("year")
        ym = _YEAR_IN.search(s, span[0], span[1]) if span else None
        if ym is not None:
            ref.year = int(ym.group(1))
            ref.year_suffix = ym.group(2)
            fs["year"] = (base + ym.start(1), base + ym.end(1))
        elif span is not None or spans.get("title") is not None:
            # The labeller read the reference and found no year in it.
            ref.year, ref.year_suffix = None, None
            fs.pop("year", None)
    keep = ("thesis", "report") + (("chapter",) if ref.container and ref.editors else ())
    if ref.entry_type not in keep:
        ref.entry_type = None
        ref.entry_type = filler._guess_type()


@lru_cache(maxsize=1)
def _abbreviated_words() -> frozenset[str]:
    """Words that journal abbreviations shorten with a full stop ("Neurol.")."""
    path = os.path.join(
        os.path.dirname(os.path.dirname(__file__)), "data", "journal_abbreviations.txt"
    )
    words: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                words.update(w.lower() for w in re.findall(r"([^\W\d_]+)\.", line))
    return frozenset(words)


def _two_sentences(text: str) -> bool:
    """Whether ``text`` holds a full stop after a whole word, then a capital."""
    words = _abbreviated_words()
    return any(m.group(1).lower() not in words for m in _SENTENCE_BREAK.finditer(text))


# Words that name a book series, and words that name a periodical.
_SERIES = re.compile(
    r"\b(?:Series|Studies (?:in|of|on)|Lecture Notes|Monographs?|Library of|Texts in"
    r"|Handbooks? (?:in|of)|Occasional Papers?)\b"
)
_JOURNAL_WORD = re.compile(
    r"\b(?:Journal|Review|Bulletin|Quarterly|Annals|Proceedings|Transactions|Letters|Magazine"
    r"|Conference|Symposium|Workshop)\b",
    re.IGNORECASE,
)
_EXTENT = re.compile(r"\s*(?:p|pp|pages|с|S)\.(?!\s*\d)")
_QUOTED = re.compile(r"[“\"«]([^“”\"«»]{1,300}?)[”\"»]")
_OPENING = frozenset("“\"‘«„'")
_KEYWORD = {
    "volume": re.compile(r"(?:[Vv]ol(?:ume)?|VOL|[Тт]|Bd)\.?\s*$"),
    "issue": re.compile(r"(?:[Nn]o|NO|[Nn]r|[Ii]ssue|[Ii]ss|№|[Hh]eft)\.?\s*$"),
    "pages": re.compile(r"(?:pp|PP|[Pp]ages?|[Pp]|[Сс])\.?\s*$"),
}


def _keyword_locators(s: str, rel: FieldSpans, spans: FieldSpans) -> None:
    """A number the text itself names ("no. 54", "Vol. 3", "pp. 1–9") is what
    its word says, whatever the labeller guessed: the rule reader's reading
    of it replaces any labeller field on the same place."""
    for name, kw in _KEYWORD.items():
        r = rel.get(name)
        if r is None or kw.search(s, max(0, r[0] - 8), r[0]) is None:
            continue
        for other in [k for k, v in spans.items() if k != name and _overlaps(v, r)]:
            if other in _KEYWORD:
                del spans[other]
        if not any(_overlaps(v, r) for k, v in spans.items() if k != name):
            spans[name] = r


def _overlaps(x: tuple[int, int], y: tuple[int, int]) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def _publisher_instead(
    raw: str, fs: dict[str, tuple[int, int]], base: int, span: tuple[int, int], spans: FieldSpans
) -> bool:
    """Whether the labeller's container is the publisher the rule reader read.

    The labeller never saw a publisher labelled (its data marks none), so a
    book's publisher or a preprint server may look like a container to it;
    without a volume, issue or pages a container is not evidenced, and the
    rule reader's publisher stands ("Title. openRxiv.", "Front Matter; 2021").
    """
    if any(k in spans for k in ("volume", "issue", "pages")):
        return False
    pub = fs.get("publisher")
    if pub is None:
        return False
    a, b = pub[0] - base, pub[1] - base
    if not _overlaps((a, b), span):
        return False
    # Only a publisher by its name or its place ("… Press", "openRxiv",
    # Vancouver's "Publisher; 2021"); "Ecology. 2019." may be either.
    name = raw[a:b]
    return bool(
        _publisher_like(name) or _REPOSITORY.match(name) or re.match(r"\s*[;,]\s*\d{4}\b", raw[b:])
    )


def _evidenced(
    fs: dict[str, tuple[int, int]], base: int, span: tuple[int, int], spans: FieldSpans
) -> bool:
    """A container is evidenced by a locator or by the rule reader's reading."""
    if any(k in spans for k in ("volume", "issue", "pages")):
        return True
    rc = fs.get("container")
    return rc is not None and _overlaps((rc[0] - base, rc[1] - base), span)


def _note_title(raw: str, fs: dict[str, tuple[int, int]], base: int, spans: FieldSpans) -> bool:
    title = fs.get("title")
    cont = spans.get("container")
    if "title" in spans or title is None or cont is None:
        return False
    t = (title[0] - base, title[1] - base)
    rc = fs.get("container")
    # The note's shape: the rule reader read "Title, Container".
    comma = rc is not None and "," in raw[t[1] : rc[0] - base]
    return (
        comma
        and _overlaps(t, cont)
        and not any(_overlaps(t, v) for k, v in spans.items() if k != "container")
    )


def _authors(ref: Reference, m: str, spans: FieldSpans, first: int | None, put: object) -> None:
    from refcheck.parsers.names import names_in_span

    assert callable(put)
    span = spans.get("author")
    head_editors = bool(ref.editors) and [a.family for a in ref.editors] == [
        a.family for a in ref.authors
    ]
    cont, title = spans.get("container"), spans.get("title")
    if (
        span is None
        and cont is not None
        and title is not None
        and cont[0] == first
        and cont[1] <= title[0]
        and "year" in spans
        and cont[1] <= spans["year"][0]
    ):
        # A "container" opening the reference, before its year and its title, is
        # where every author-date style puts the author: an institution the
        # labeller, trained mostly on personal names, took for a periodical
        # ("World Health Organization (2018). Global report on …").
        span = spans["author"] = spans.pop("container")
    if span is None:
        old = ref.field_spans.get("authors")
        if old is not None and first is not None and old[1] - ref.start <= first:
            # The labeller found no names; the rule reader's, read before the
            # labeller's first field, stand ("Stravopodis, “Cisplatin …”").
            return
        ref.authors = []
        put("authors", None)
        return
    names = names_in_span(m, span[0], span[1])
    if not names:
        # No name shape and no institution reads there ("Moscow’s Declaration,
        # 5 September 2008."): the words are the title when there is none.
        if "title" not in spans:
            spans["title"] = trim(m, "title", *span)
        del spans["author"]
        return
    ref.authors = [Author(f, g, literal=lit) for f, g, lit, _, _ in names]
    end = _after_names(m, names[-1][4], span[1])
    if end < span[1]:
        rt = ref.field_spans.get("title")
        rules_title = (rt[0] - ref.start, rt[1] - ref.start) if rt else None
        span = _give_back(m, spans, (end, span[1]), rules_title) or span
    spans["author"] = span
    put("authors", span)
    if head_editors:
        ref.editors = [Author(a.family, a.given, a.literal) for a in ref.authors]


_ETAL = re.compile(r"[\s,]*(?:et\s+al\.?|and\s+others\b|и\s+др\.?)")


def _after_names(m: str, end: int, limit: int) -> int:
    """Where an author list read up to ``end`` ends, with its "et al."."""
    e = _ETAL.match(m, end, limit)
    return e.end() if e else end


def _give_back(
    m: str, spans: FieldSpans, rest: tuple[int, int], rules_title: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The labeller's author span ran past the names ("A. B. Author, Phys. Rev. D",
    "S. Biddle, Military Power (…)"): the words after the last name go to the
    container they run into when they are a journal abbreviation ("Phys."),
    or else are the title; the author span ends at the names.  None when the
    rest holds no words or has nowhere to go."""
    a, b = rest
    while a < b and not (m[a].isalnum()):
        a += 1
    if a >= b or re.search(r"[^\W\d_]{2}", m[a:b]) is None:
        return None
    cont = spans.get("container")
    words = re.findall(r"[^\W\d_]+", m[a:b])
    abbreviated = all(w.lower() in _abbreviated_words() for w in words) and m[b : b + 1] == "."
    if (
        "title" not in spans
        and cont is not None
        and abbreviated
        and not m[b : cont[0]].strip(" .,:;")
    ):
        spans["container"] = (a, cont[1])
    elif "title" not in spans:
        spans["title"] = trim(m, "title", a, b)
        rt = rules_title
        if rt is not None and rt[0] == spans["title"][0] and rt[1] < b:
            spans["title"] = rt  # the rule reader saw where the title ends
    else:
        return None
    return (spans["author"][0], len(m[:a].rstrip(' ,;:"“‘(')))
