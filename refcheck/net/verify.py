"""Does each cited work exist?  Field-by-field matching and the verdict ladder.

Matching (:func:`match`) never rests on the title alone: it weighs the
normalised title similarity (rapidfuzz), the first author's family name
(transliteration and diacritics folded: "Zinov'ev" = "Зиновьев" =
"Zinoviev"), the year within one, and the container when the reference
gives one.  The score and the fields that agree go into the JSON report.

The ladder (:class:`Verifier`) asks the cheapest, most certain question
first and stops as soon as a registry has matched the reference:

1. identifiers, for the whole run at once — DOIs at Crossref (the DOI rules'
   own batched lookups), then at OpenAlex for DOIs Crossref lacks (one
   ``filter=doi:A|B`` call per 50), arXiv IDs (one ``id_list`` call), PMIDs
   (one ``esummary`` call);
2. only then a bibliographic search, one source after another in the
   configured order, each asked only where it may hold the work (arXiv for
   preprints; PubMed and DBLP for articles and conference papers).

A source that fails is remembered and named once in the notes; a reference
that only it might have held is never called "not found".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from refcheck.model import Reference
from refcheck.net import compare, venues
from refcheck.net.identifiers import reference_dois
from refcheck.net.sources import Record, Source, arxiv_id, arxiv_version, pmid

VERDICTS = ("verified", "discrepancy", "not-found", "unverifiable", "retracted", "skipped")

# -- normalisation ------------------------------------------------------------------------

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ў": "u",
}
_GREEK = {
    "α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "e", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "ph", "χ": "ch", "ψ": "ps",
    "ω": "o",
}
_TABLE = {ord(k): v for k, v in {**_CYRILLIC, **_GREEK}.items()}
# Romanisation systems disagree on a few spellings; fold them to one form.
_VARIANTS = [(r"iy\b|yy\b|ii\b|ij\b", "i"), (r"kh", "h"), (r"ks", "x"), (r"ts", "c"),
             (r"j", "i"), (r"y", "i"), (r"w", "v"), (r"ie", "e"), (r"ye", "e")]


def translit(text: str) -> str:
    """Latin letters for Cyrillic and Greek, then accents and punctuation folded."""
    lowered = unicodedata.normalize("NFC", text).casefold().translate(_TABLE)
    return compare.fold(lowered)


def name_key(name: str) -> str:
    """A family name reduced so that spellings of one name meet ("Zinov’ev", "Zinoviev")."""
    key = translit(name).replace(" ", "")
    for pattern, repl in _VARIANTS:
        key = re.sub(pattern, repl, key)
    return key


def same_name(cited: str, registry: str) -> bool:
    a, b = name_key(cited), name_key(registry)
    if not a or not b:
        return False
    if a == b or fuzz.ratio(a, b) >= 85:
        return True
    # Compound and particle names: "De Haas" / "Haas", "Garcia Marquez" / "Garcia".
    ta, tb = translit(cited).split(), translit(registry).split()
    return bool(ta and tb) and (ta[-1] == tb[-1] or set(ta) <= set(tb) or set(tb) <= set(ta))


def title_score(ref: Reference, record: Record) -> float:
    """Best similarity (0–100) of the cited title (or its translation) to the record's."""
    if not record.title:
        return 0.0
    other = translit(record.title)
    best = 0.0
    for cited in (ref.title, ref.translated_title):
        if not cited:
            continue
        mine = translit(cited)
        if not mine:
            continue
        score = float(fuzz.ratio(mine, other))
        short, long_ = sorted((mine, other), key=len)
        # A title cited without its subtitle (or with one the registry lacks).
        if len(short) >= 20 and long_.startswith(short + " "):
            score = max(score, 97.0)
        best = max(best, score)
    return best


def _words(text: str) -> int:
    return len([w for w in translit(text).split() if len(w) > 2])


# -- matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """How well one record fits one reference."""

    record: Record
    score: float  # 0–1, weighted over the fields both sides give
    title: float  # 0–100
    agreeing: tuple[str, ...]
    disagreeing: tuple[str, ...]
    same_work: bool
    by_identifier: bool = False
    # The cited venue is a journal or conference, while every registry asked knows the
    # work only as a preprint: "published at ICML" is not what they hold.
    preprint_only: bool = False

    @property
    def verdict(self) -> str:
        if self.record.retracted:
            return "retracted"
        return "discrepancy" if self.disagreeing else "verified"


def _cited_authors(ref: Reference) -> list[str]:
    return [a.family for a in ref.authors if a.family and not a.literal]


def match(ref: Reference, record: Record, by_identifier: bool = False) -> Match:
    """Compare a reference with a registry record, field by field."""
    agree: list[str] = []
    disagree: list[str] = []
    weights: list[tuple[float, float]] = []  # (weight, 0..1)

    t = title_score(ref, record) if ref.title else 0.0
    if ref.title and record.title:
        weights.append((0.5, t / 100))
        (agree if t >= 90 else disagree).append("title")

    cited = _cited_authors(ref)
    families = [f for f, _ in record.authors]
    first_ok = any_ok = False
    if cited and families:
        first_ok = same_name(cited[0], families[0])
        any_ok = first_ok or any(same_name(cited[0], f) for f in families)
        weights.append((0.25, 1.0 if first_ok else 0.7 if any_ok else 0.0))
        (agree if any_ok else disagree).append("authors")

    years = record.all_years()
    year_ok: bool | None = None
    if ref.year is not None and years:
        year_ok = any(abs(ref.year - y) <= 1 for y in years)
        weights.append((0.15, 1.0 if year_ok else 0.0))
        (agree if year_ok else disagree).append("year")

    if ref.container and record.container and record.source != "arxiv":
        crossref_shape = {"container-title": [record.container]}
        if compare.script(ref.container) == compare.script(record.container):
            ok = compare.compare_container(ref.container, crossref_shape) is None
            weights.append((0.1, 1.0 if ok else 0.0))
            (agree if ok else disagree).append("container")

    for name, cited_value, reg in (("volume", ref.volume, record.volume),
                                   ("issue", ref.issue, record.issue)):
        if cited_value and reg:
            ok = compare.compare_number(name, cited_value, reg) is None
            (agree if ok else disagree).append(name)
    if ref.pages and record.pages:
        ok = compare.compare_pages(ref.pages, {"page": record.pages}) is None
        (agree if ok else disagree).append("pages")
    if by_identifier:
        agree.insert(0, "doi" if record.doi and record.doi in _dois(ref) else "identifier")

    total = sum(w for w, _ in weights)
    score = round(sum(w * s for w, s in weights) / total, 3) if total else 0.0

    long_title = bool(ref.title) and _words(ref.title or "") >= 4
    if by_identifier and not ref.title:
        same = not (cited and families and not any_ok)
    elif not ref.title or not record.title:
        same = False
    elif cited and families:
        if any_ok:
            same = t >= 90 or (t >= 80 and year_ok is not False) or (by_identifier and t >= 70)
        else:
            # A real title under someone else's name: the same work only when the title
            # is long, nearly identical, and the year agrees.
            same = t >= 95 and long_title and year_ok is True and "container" not in disagree
    else:
        same = t >= 93 and year_ok is not False and (long_title or year_ok is True)
    # Only disagreements a reader would call wrong count; the title is judged above.
    wrong = tuple(f for f in disagree if f != "title")
    return Match(record, score, t, tuple(agree), wrong if same else tuple(disagree), same,
                 by_identifier)


def _is_preprint(record: Record) -> bool:
    kind = (record.type or "").lower()
    return kind in ("posted-content", "preprint") or record.source == "arxiv" or any(
        venues.is_preprint_key(k) for k in venues.identify(record.container))


def _cites_venue(ref: Reference) -> bool:
    """Does the reference name a known journal or conference (not a preprint server)?"""
    keys = venues.identify(ref.container)
    return bool(keys) and not any(venues.is_preprint_key(k) for k in keys)


def _dois(ref: Reference) -> list[str]:
    return reference_dois(ref)


def best_match(ref: Reference, records: Iterable[Record],
               by_identifier: bool = False) -> Match | None:
    """The best record that is the cited work, if any."""
    found = [match(ref, r, by_identifier) for r in records]
    same = [m for m in found if m.same_work]
    return max(same, key=lambda m: (m.score, m.title)) if same else None


# -- the shape of a reference -------------------------------------------------------------

_CONFERENCE_TYPES = {"inproceedings", "conference", "paper-conference", "proceedings-article"}
_ARTICLE_TYPES = {"article", "article-journal"}
_GREY_TYPES = {
    "book": "book", "mvbook": "book", "monograph": "book", "booklet": "book",
    "chapter": "book chapter", "incollection": "book chapter", "inbook": "book chapter",
    "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "report": "report", "techreport": "report", "manual": "report", "standard": "report",
    "web": "web page", "webpage": "web page", "online": "web page", "post": "web page",
    "post-weblog": "web page", "article-newspaper": "news item",
    "article-magazine": "magazine article", "legislation": "law", "legal_case": "law",
    "bill": "law", "treaty": "law", "patent": "patent", "dataset": "dataset",
    "software": "software",
}
_CONFERENCE_RE = re.compile(r"\b(proceedings|proc\.|conference|symposium|workshop)\b", re.I)
# Periodicals that registries do not index, even with a volume: newspapers, newsfeeds.
_NEWS_RE = re.compile(r"\b(news|newsfeed|newspaper|gazett?[ae]|daily|tribune|herald|monitor"
                      r"|times|post|agency)\b(?![-\w])", re.I)
# Numbered series of think tanks and agencies ("Policy Brief, no. 26").
_SERIES_RE = re.compile(r"\b(policy brief|brief|dossier|working paper|report|occasional paper"
                        r"|foundation|institute|centre|center|ministry)\b(?![-\w])", re.I)


def shape(ref: Reference) -> tuple[bool, str]:
    """(held by registries?, what the reference is) — the basis for warning versus info.

    Registries hold journal articles with a volume or issue, conference papers and
    anything with a DOI, arXiv ID or PMID; books, chapters, reports, theses, laws,
    news and web pages are rarely there, so not finding them says little.  A
    reference without a volume needs more care: an issue number alone is also how
    think-tank series and newspapers are cited, and pages alone how chapters are.
    """
    if _dois(ref):
        return True, "work with a DOI"
    if arxiv_id(ref):
        return True, "arXiv preprint"
    if pmid(ref):
        return True, "PubMed article"
    kind = (ref.entry_type or "").lower()
    container = ref.container or ""
    if kind in _CONFERENCE_TYPES or (kind not in _GREY_TYPES and _CONFERENCE_RE.search(container)
                                     and ref.pages):
        return True, "conference paper"
    if kind in _GREY_TYPES:
        return False, _GREY_TYPES[kind]
    if kind and kind not in _ARTICLE_TYPES:
        return False, "work of a kind registries rarely hold"
    if not container:
        return False, "work without a journal"
    if _NEWS_RE.search(container):
        return False, "news item"
    if ref.volume:
        return True, "journal article"
    if ref.issue:
        if _SERIES_RE.search(container) or ref.publisher or ref.place:
            return False, "report series item"
        return True, "journal article"
    return False, "article without volume or issue (news, magazine or book part)"


# What registries rarely hold, by the kinds :func:`shape` names: not finding one of these
# can only give "unverifiable", so a metered search for it is money spent for nothing.
GREY_KINDS = frozenset({
    "book", "book chapter", "thesis", "report", "report series item", "web page",
    "news item", "magazine article", "law",
})


def grey_literature(ref: Reference) -> bool:
    """Is this a book, chapter, report, thesis, law, news item or web page without an
    identifier (whose verdict, when no free source finds it, is "unverifiable")?"""
    held, kind = shape(ref)
    return not held and kind in GREY_KINDS


# -- the ladder ---------------------------------------------------------------------------


@dataclass
class Verdict:
    ref: Reference
    verdict: str
    registry_shaped: bool
    kind: str
    match: Match | None = None
    asked: list[str] = field(default_factory=list)  # labels of registries that answered
    failed: list[str] = field(default_factory=list)  # labels of registries that failed
    other_work: Record | None = None  # what a cited identifier turned out to be
    # An arXiv version cited that arXiv does not have: (ID, cited, latest).
    missing_version: tuple[str, int, int] | None = None

    @property
    def source(self) -> str | None:
        return self.match.record.source if self.match else None

    @property
    def doi(self) -> str | None:
        return self.match.record.doi if self.match else None

    def to_json(self) -> dict[str, Any]:
        m = self.match
        return {
            "path": self.ref.path,
            "line": self.ref.line,
            **self.ref.where(),  # a PDF's page or a Word part, as findings name them
            "index": self.ref.index,
            "key": self.ref.key,
            "verdict": self.verdict,
            "doi": self.doi,
            "source": self.source,
            "score": m.score if m else None,
            "agreeing": list(m.agreeing) if m else [],
            "disagreeing": list(m.disagreeing) if m else [],
            "kind": self.kind,
            "asked": list(self.asked),
            "failed": list(self.failed),
            "record": m.record.to_json() if m else None,
        }


@dataclass
class _State:
    match: Match | None = None
    asked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    other_work: Record | None = None
    elsewhere: bool = False  # a DOI registered at another agency, with no record to compare
    missing_version: tuple[str, int, int] | None = None  # (arXiv ID, cited, latest)

    def ask(self, label: str, failed: bool) -> None:
        target = self.failed if failed else self.asked
        if label not in target:
            target.append(label)


def _search_order(ref: Reference) -> tuple[str, str, int]:
    """Where a reference's search goes in the queue: by its work (title, first author,
    year), not by where it is cited.

    The tasks of a cluster cite many of the same works and wait for the registry's
    answers together, each with a few searches on their way.  Each in file order, they
    waited on different works: a task's later references, answered long before through
    the shared cache, queued behind its searches still on their way, and 900 searches
    of 16 tasks ended after the registry's last answer.  In the order of their works,
    the tasks wait on the same searches, and a search's answer lets every task move on.
    Within one process, the same work cited twice is searched side by side.
    """
    title = " ".join((ref.title or "").casefold().split())
    first = ref.authors[0].family.casefold() if ref.authors else ""
    return title, first, ref.year or 0


class Verifier:
    """Verdicts for every reference of a run, from the configured sources in order."""

    def __init__(
        self,
        sources: list[Source],
        doi_state: Callable[[str], Any] | None = None,
        retracted_doi: Callable[[str], bool] | None = None,
        workers: int = 4,
        progress: Callable[[Iterable[Any], int, str], Iterable[Any]] | None = None,
    ) -> None:
        self.sources = sources
        self.progress = progress
        self.doi_state = doi_state
        self.retracted_doi = retracted_doi
        self.workers = workers
        self.failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def run(self, refs: list[Reference],
            ready: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
        """Every reference's verdict, in order.  ``ready`` is given each verdict as soon as
        it is known: those found by identifier while the searches are still on their way,
        then each searched one as its search ends."""
        states = [_State() for _ in refs]
        shapes = [shape(r) for r in refs]
        self._identifiers(refs, states)
        todo = [i for i, s in enumerate(states)
                if refs[i].title and (
                    (s.match is None and (not s.elsewhere or shapes[i][0]))
                    # A preprint's identifier cited with a venue: is the published
                    # version there too?
                    or (s.match is not None and _cites_venue(refs[i])
                        and _is_preprint(s.match.record)))]
        # Searched in an order every process of a fleet shares: see _search_order.
        todo.sort(key=lambda i: _search_order(refs[i]))
        verdicts: list[Verdict | None] = [None] * len(refs)

        def settle(i: int) -> Verdict:
            verdicts[i] = v = self._verdict(refs[i], shapes[i], states[i])
            return v

        if ready is not None:
            # What the identifiers decided is given out first (it waits for the run's
            # update notices, ``retracted_doi``), then the searches start: done the other
            # way round, the notices were the registry's last answers, and every verdict
            # of a cluster's task waited for them; this way only the references searched
            # for wait for the last answers, and each is given out as its search ends.
            searched = set(todo)
            ready([settle(i) for i in range(len(refs)) if i not in searched])
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(todo)))) as pool:
            # Only searches in these threads: a verdict is settled here, never in their way.
            pending = {pool.submit(self._search, refs[i], shapes[i][0], states[i]): i
                       for i in todo}
            done: Iterable[Any] = as_completed(pending)
            if self.progress is not None and todo:
                done = self.progress(done, len(todo), "looking up references")
            for future in done:
                future.result()
                if ready is not None:
                    ready([settle(pending[future])])
        return [v if v is not None else settle(i) for i, v in enumerate(verdicts)]

    def _identifiers(self, refs: list[Reference], states: list[_State]) -> None:
        for source in self.sources:
            wanted: dict[str, list[int]] = {}
            for i, ref in enumerate(refs):
                # A cited arXiv version is looked up even for a work already found
                # elsewhere: only arXiv knows which versions exist.
                if states[i].match is not None and not (
                        source.name == "arxiv" and arxiv_version(ref) is not None):
                    continue
                for ident in source.identifiers(ref):
                    wanted.setdefault(ident, []).append(i)
            if not wanted:
                continue
            found, failed = source.lookup(wanted)
            with self._lock:
                if failed:
                    self.failures[source.label] = self.failures.get(source.label, 0) + len(
                        {i for d in failed for i in wanted.get(d, [])})
            for ident, indexes in wanted.items():
                record = found.get(ident)
                for i in indexes:
                    state = states[i]
                    state.ask(source.label, ident in failed)
                    cited = arxiv_version(refs[i]) if source.name == "arxiv" else None
                    if record is not None and record.version and cited and cited > record.version:
                        state.missing_version = (record.ident, cited, record.version)
                    if record is None or state.match is not None:
                        continue
                    m = match(refs[i], record, by_identifier=True)
                    if m.same_work:
                        state.match = m
                    elif state.other_work is None:
                        state.other_work = record
        if self.doi_state is None:
            return
        # A DOI no source holds but another agency registered (DataCite, mEDRA…): it
        # exists, though no record is there to compare with.
        for ref, state in zip(refs, states, strict=True):
            if state.match is None and state.other_work is None:
                for doi in reference_dois(ref):
                    info = self.doi_state(doi)
                    if info is None or getattr(info, "state", None) != "elsewhere":
                        continue
                    # The agency's own record (content negotiation): compared like any
                    # registry's, so a DataCite or mEDRA DOI is more than "it exists".
                    work = getattr(info, "work", None)
                    if not isinstance(work, Record):
                        state.elsewhere = True
                        continue
                    state.ask("DOI resolver", False)
                    m = match(ref, work, by_identifier=True)
                    if m.same_work:
                        state.match, state.elsewhere = m, False
                        break
                    if state.other_work is None:
                        state.other_work = work

    def _search(self, ref: Reference, registry_shaped: bool, state: _State) -> None:
        # A DOI registered at another agency (DataCite's arXiv DOIs, Zenodo) proves that
        # *a* work exists, not that it is the one described: the work is still looked up
        # by its description, so its authors, title and venue can be compared.
        preprint: Match | None = state.match  # found by its identifier: a preprint
        for source in self.sources:
            if not source.holds(ref, registry_shaped):
                continue
            answer = source.search(ref)
            if not answer.asked:
                continue
            state.ask(source.label, answer.failed)
            if answer.failed:
                with self._lock:
                    self.failures[source.label] = self.failures.get(source.label, 0) + 1
                continue
            found = best_match(ref, answer.records)
            if found is None:
                continue
            if not _cites_venue(ref) or not _is_preprint(found.record):
                state.match = found
                return
            # Cited at a venue, found as a preprint: the other sources may hold the
            # published version; ask them before saying that none does.
            versions = [m for m in (match(ref, r) for r in answer.records)
                        if m.same_work and not _is_preprint(m.record)]
            if versions:
                state.match = max(versions, key=lambda m: (m.score, m.title))
                return
            preprint = preprint or found
        if preprint is not None and not state.failed:
            state.match = replace(preprint, preprint_only=True,
                                  disagreeing=(*preprint.disagreeing, "container"))
        elif preprint is not None:
            state.match = preprint

    def _verdict(self, ref: Reference, sh: tuple[bool, str], state: _State) -> Verdict:
        registry_shaped, kind = sh
        v = Verdict(ref, "skipped", registry_shaped, kind, state.match, state.asked,
                    state.failed, state.other_work, state.missing_version)
        if state.match is not None:
            if state.other_work is not None and not state.match.by_identifier:
                # Found by search, while the identifier it cites belongs to another work.
                v.match = state.match = replace(
                    state.match, disagreeing=(*state.match.disagreeing, "doi"))
            v.verdict = state.match.verdict
            doi = state.match.record.doi
            if v.verdict != "retracted" and doi and self.retracted_doi is not None \
                    and self.retracted_doi(doi):
                v.verdict = "retracted"
        elif state.elsewhere:
            v.verdict = "verified"
            v.asked.append("DOI resolver")
        elif not ref.title and not state.asked:
            v.verdict = "skipped"
        elif state.failed:
            # A registry that could not answer might hold the work: never "not found";
            # and when none answered at all, nothing was checked.
            v.verdict = "skipped" if registry_shaped or not state.asked else "unverifiable"
        elif not state.asked:
            v.verdict = "skipped"
        else:
            v.verdict = "not-found" if registry_shaped else "unverifiable"
        return v
