"""Structure rules (RC401–RC449): the reference list as a whole.

Duplicate keys and works, required BibTeX fields, numbering, alphabetical
order, author-year collisions, incomplete references, a missing list and
unresolved ibid./op. cit.  The rules read the parsed model only: reference
fields, ``raw`` text and offsets, and the document's layout and problems.
Comparisons go through dictionaries keyed by normalised values, never through
pairwise loops, so that long bibliographies stay fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from string import ascii_lowercase

from refcheck.model import Category, Document, Fix, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.rules.structure_fields import (
    RECORD_WORDS,
    locatable,
    missing_bibtex,
    missing_csl,
    missing_record,
    where,
    where_all,
)
from refcheck.rules.structure_versions import (
    _fold,
    disagreement,
    doi_of,
    first_name,
    form_of,
    stated_facts,
)
from refcheck.text.patterns import lazy_re

# --------------------------------------------------------------------------
# Shared helpers


def _head(ref: Reference) -> tuple[int, int]:
    """Offsets naming a reference: a text reference whole, an entry its first line."""
    raw = ref.raw.rstrip()
    if ref.format != "text":
        newline = raw.find("\n")
        if newline > 0:
            raw = raw[:newline].rstrip()
    return ref.start, ref.start + max(len(raw), 1)


def _covered(doc: Document, kind: str, ref: Reference) -> bool:
    """Whether a parse problem of ``kind`` already lies inside ``ref``."""
    return any(p.kind == kind and ref.start <= p.start < ref.end for p in doc.problems)


# --------------------------------------------------------------------------
# RC401 duplicate-key


def _key_span(ref: Reference) -> tuple[int, int]:
    key = ref.key or ""
    quoted = ref.raw.find(f'"{key}"')
    i = quoted + 1 if quoted >= 0 else ref.raw.find(key)
    if i < 0 or not key:
        return _head(ref)
    return ref.start + i, ref.start + i + len(key)


@rule(
    code="RC401",
    name="duplicate-key",
    category=Category.STRUCTURE,
    severity=Severity.ERROR,
    summary="Two entries share a citation key.",
)
def duplicate_key(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a citation key (BibTeX key, CSL `id`) used by more than one
        entry of a file, as the parser found it or, for formats whose parser
        does not check, by comparing the keys of all entries.  Keys that
        differ only in case count as the same, as they do for BibTeX.

    Why it matters:
        `\\cite{key}` can reach only one of the entries: BibTeX keeps the
        first and drops the other, so one work silently disappears from the
        bibliography, or the wrong one is cited.

    Example:
        `@article{smith2001, …}` and later `@book{Smith2001, …}`.
    """
    for p in doc.problems:
        if p.kind == "duplicate-key":
            yield Hit(p.start, max(p.end, p.start), p.message, suggestion=p.suggestion)
    first: dict[str, Reference] = {}
    for ref in doc.references:
        if not ref.key:
            continue
        folded = ref.key.casefold()
        earlier = first.setdefault(folded, ref)
        if earlier is ref or _covered(doc, "duplicate-key", ref):
            continue
        case = "" if earlier.key == ref.key else f" (as '{earlier.key}', differing in case)"
        start, end = _key_span(ref)
        yield Hit(
            start,
            end,
            f"duplicate key '{ref.key}': already used{case} by the entry at "
            f"{where(doc, earlier.start)}; a citation can reach only one of them",
            reference=ref,
        )


# --------------------------------------------------------------------------
# RC402 duplicate-reference

@rule(
    code="RC402",
    name="duplicate-reference",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="The same work is listed twice.",
)
def duplicate_reference(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Finds references with the same title, first author's (else first
        editor's, else biblatex `shortauthor`'s) family name and year
        (compared without case, accents or punctuation), or the same
        DOI, and reports the later one as a copy of the earlier only when
        nothing both of them state disagrees: container (journal, book or
        proceedings title, abbreviations allowed), volume, number, first
        page, DOI, URL, arXiv eprint, month, edition, chapter, ISBN,
        publisher, institution, series, report type, note, and biblatex's
        `related` entry.  A reference without author needs a title of at
        least ten letters to be compared, since short anonymous titles
        ("Editorial") repeat.  A preprint, report or web version listed next
        to the published version (different forms: one in a journal or
        proceedings, the other an arXiv preprint, a technical report, an
        `@online` entry or a thesis) is reported at info: citing both is
        usually a slip, but sometimes deliberate, and they are not one record.

    Why it matters:
        A work listed twice inflates the bibliography, splits citations
        between two entries (often with diverging details), and in author-date
        styles forces spurious 2001a/2001b labels.  A column that recurs in
        every issue ("Editorial" by the same editor), two editions or a
        reprint are different items and are not reported.

    Example:
        `Walt, Stephen. 1987. The Origins of Alliances. …` appearing at
        lines 12 and 40; `@book{Knuth:1986:M, …}` and `@book{Knuth:1986:MB,
        …}` with the same title, author, year and ISBN.
    """
    # A group keeps one reference per distinct set of stated facts (and form): a later
    # copy agrees with an earlier one exactly when it agrees with the first of its kind,
    # so the rest add nothing but time (a file of one entry pasted many times was
    # quadratic).  Facts are worked out only for references that meet a candidate.
    by_title: dict[tuple[str, str, int | None], _Group] = {}
    by_doi: dict[str, _Group] = {}
    facts: dict[int, dict[str, object]] = {}

    def facts_of(r: Reference) -> dict[str, object]:
        if id(r) not in facts:
            facts[id(r)] = stated_facts(r)
        return facts[id(r)]

    def kind_of(r: Reference) -> Hashable:
        f = facts_of(r)
        return form_of(r, f), tuple(
            (k, tuple(sorted(v)) if isinstance(v, frozenset) else v) for k, v in sorted(f.items())
        )

    for ref in doc.entries():
        if ref.kind != "entry":
            continue
        candidates: list[Reference] = []
        seen: set[int] = set()
        groups: list[_Group] = []
        title = _fold(ref.title or "")
        family = first_name(ref)
        if title and (family or len(title.replace(" ", "")) >= 10):
            groups.append(by_title.setdefault((title, family, ref.year), _Group()))
        doi = doi_of(ref)
        if doi:
            groups.append(by_doi.setdefault(doi, _Group()))
        for group in groups:
            for c in group.members:
                if id(c) not in seen:
                    seen.add(id(c))
                    candidates.append(c)
        if candidates:
            hit = _duplicate_of(doc, ref, facts_of(ref), [(c, facts_of(c)) for c in candidates])
            if hit is not None:
                yield hit
        for group in groups:
            group.add(ref, kind_of)


class _Group:
    """The distinct references of one title or DOI, in order of appearance."""

    __slots__ = ("kinds", "members")

    def __init__(self) -> None:
        self.members: list[Reference] = []
        self.kinds: set[Hashable] = set()

    def add(self, ref: Reference, kind_of: Callable[[Reference], Hashable]) -> None:
        if len(self.members) == 1 and not self.kinds:
            self.kinds.add(kind_of(self.members[0]))  # needed once a second arrives
        if self.members:
            kind = kind_of(ref)
            if kind in self.kinds:
                return
            self.kinds.add(kind)
        self.members.append(ref)


def _duplicate_of(
    doc: Document,
    ref: Reference,
    facts: dict[str, object],
    candidates: list[tuple[Reference, dict[str, object]]],
) -> Hit | None:
    form = form_of(ref, facts)
    other_form: Reference | None = None
    for earlier, known in candidates:
        if form_of(earlier, known) != form:
            other_form = other_form or earlier
            continue
        if disagreement(facts, known) is None:
            start, end = _head(ref)
            same = "DOI" if facts.get("doi") and facts.get("doi") == known.get("doi") else (
                "title, first author and year")
            return Hit(
                start,
                end,
                f"this reference repeats the one at {where(doc, earlier.start)} "
                f"(same {same}, and nothing else they both give differs); keep one of them",
                reference=ref,
            )
    if other_form is not None:
        start, end = _head(ref)
        what = {"preprint": "a preprint or report", "thesis": "the thesis"}.get(
            form, "the published version")
        return Hit(
            start,
            end,
            f"this is {what} of the work at {where(doc, other_form.start)}, listed "
            "too; cite one version alone (the published one) unless both are meant",
            reference=ref,
            severity=Severity.INFO,
        )
    return None


# --------------------------------------------------------------------------
# RC403 missing-field

@rule(
    code="RC403",
    name="missing-field",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="A BibTeX or CSL entry (or a JATS, RIS, EndNote, biber record) lacks a field it needs.",
    formats=("bibtex", "csl-json", "jats", "ris", "endnote-xml", "bbl"),
)
def missing_field(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Checks each BibTeX entry against the required fields of its type —
        BibTeX's table (`@article`: author, title, journal, year; `@book`:
        author or editor, title, publisher, year; `@inproceedings`: author,
        title, booktitle, year; …) or, when the entry uses biblatex types or
        fields (`date`, `journaltitle`, `@online`, `@report`, …), biblatex's
        table with its aliases (`journal` for `journaltitle`, `year` for
        `date`, `school` for `institution`).  An entry with `crossref` or
        `xdata` is skipped, since it inherits fields.  CSL-JSON items are
        checked for what any style needs: author, title, container and date
        of a journal article, and so on.  Empty fields count as missing.
        Records of JATS `element-citation`s and tagged `mixed-citation`s, RIS,
        EndNote XML and biber `.bbl` files are held to the CSL list, named in
        the format's own terms (`source`, `JO`, `secondary-title`); references
        written as text in them (`\\bibitem`, untagged citations) are not,
        since what the text reader did not find may well be there.

        Severity depends on whether the work can still be found.  It is a
        warning when the entry has no title and no locator either (DOI, URL,
        arXiv eprint, ISBN, journal with volume and pages, or a biblatex
        `shorthand`, the canonical abbreviation ancient sources are cited
        by): nobody can find such a work.  Otherwise the missing fields are reported at info.
        The tables list what the styles *ask* for, not what a reference
        needs: biblatex's standard styles print an entry without its
        "required" fields without a word (biber reports a missing mandatory
        field only when asked to validate the data model), and well-kept
        bibliographies routinely omit some — `@periodical` issues without
        an editor, `@manual`s and `@online` pages by an organisation,
        preprints typed `@article` with no journal yet, astronomy
        `@article`s without titles (the astronomy journals' reference styles
        print none).  On 2,772 entries of real bibliographies
        (`benchmarks/false_alarms.py --real`) such entries made up 33 of the
        35 warnings this rule gave before; the other two name nothing to
        find the work by.

    Why it matters:
        BibTeX prints an entry without its required fields with a warning few
        people read, and the reference comes out without a journal or year;
        without a title or a locator readers cannot find the work at all.

    Example:
        `@article{smith2001, author = {Smith, J.}, year = {2001}}` — lacks
        title, journal, and nothing else identifies it (warning);
        `@article{smith2001, author = {Smith, J.}, title = {Alliances}}` —
        lacks journal, year (info).
    """
    for ref in doc.entries():
        if ref.format == "bibtex":
            missing, dialect = missing_bibtex(ref)
        elif ref.format == "csl-json":
            missing, dialect = missing_csl(ref), "CSL"
        elif ref.format in RECORD_WORDS and not (ref.format == "bbl" and doc.layout != "biblatex"):
            missing, dialect = missing_record(ref), RECORD_WORDS[ref.format]["dialect"]
        else:
            continue  # a reference written as text
        if not missing:
            continue
        start, end = _head(ref)
        label = f"@{ref.entry_type}" if ref.format == "bibtex" else f"'{ref.entry_type}' item"
        key = f" '{ref.key}'" if ref.key else ""
        found_by = locatable(ref)
        if found_by is None:
            what, severity = ", with no title, DOI, URL or journal, volume and pages,", None
        else:
            what, severity = f" (found by its {found_by})", Severity.INFO
        # The list of fields comes last, after the only colon: tools split on it.
        yield Hit(
            start,
            end,
            f"{label}{key}{what} lacks required field(s): {', '.join(missing)} ({dialect})",
            reference=ref,
            severity=severity,
        )


# --------------------------------------------------------------------------
# RC404 numbering

_NUMBER = lazy_re(r"[\[(]?\s*(\d{1,4})\s*[\]).:]?")


def _label_span(ref: Reference, number: int) -> tuple[int, int]:
    span = ref.field_spans.get("label")  # where a structured format wrote it (JATS <label>)
    if span is not None:
        return span
    m = re.search(rf"(?<!\d){number}(?!\d)", ref.raw)
    if m is None:
        return _head(ref)
    return ref.start + m.start(), ref.start + m.end()


@rule(
    code="RC404",
    name="numbering",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="A numbered reference list with gaps, repeats or numbers out of sequence.",
    fix="unsafe",
)
def numbering(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Follows the labels of a numbered list (`1.`, `[12]`, `(3)`) and
        reports a number that repeats the previous one, skips ahead (naming
        the missing numbers) or goes back.  A single wrong label between two
        good ones (`3, 7, 5`) is reported once, with the number it should have,
        instead of as a gap followed by a step back.

    Why it matters:
        In numbered styles the number is the citation: `[7]` in the text
        points at whatever carries label 7.  A gap usually means a reference
        was lost in editing, a repeat that two works share one citation.

    Example:
        `… 4. Saat J.H. … 6. Olcott M.B. …` — number 5 is missing.

    Fix safety:
        Renumbering a single wrong label is offered but never applied: the
        citations in the text must change with it.
    """
    if doc.layout != "numbered":
        return
    numbered: list[tuple[Reference, int]] = []
    for ref in doc.references:
        m = _NUMBER.fullmatch(ref.label.strip()) if ref.kind == "entry" and ref.label else None
        if m is not None:
            numbered.append((ref, int(m.group(1))))
    for i in range(1, len(numbered)):
        prev = numbered[i - 1][1]
        ref, n = numbered[i]
        expected = prev + 1
        if n == expected:
            continue
        start, end = _label_span(ref, n)
        nxt = numbered[i + 1][1] if i + 1 < len(numbered) else None
        if nxt == expected + 1:
            # One wrong label between two that agree: fix this one.
            numbered[i] = (ref, expected)
            yield Hit(
                start,
                end,
                f"reference numbered {n} between {prev} and {nxt}: expected {expected}",
                suggestion=str(expected),
                reference=ref,
                fix=Fix(start, end, str(expected), safe=False),
            )
        elif n == prev:
            yield Hit(start, end, f"number {n} is used twice in a row", reference=ref)
        elif n > expected:
            gap = str(expected) if n == expected + 1 else f"{expected}–{n - 1}"
            yield Hit(
                start, end, f"numbering jumps from {prev} to {n}: {gap} missing", reference=ref
            )
        else:
            yield Hit(start, end, f"number {n} comes after {prev}: out of sequence", reference=ref)


# --------------------------------------------------------------------------
# RC405 author-date-order

_ARTICLES = lazy_re(r"(?i)^(?:the|a|an|le|la|les|l|der|die|das|el|los|las)\s+")
_PARTICLES = lazy_re(r"^(?:(?:van|von|de|der|den|da|di|du|des|del|della|la|le|ter|ten)\s+)+")


def _order_keys(ref: Reference) -> list[str]:
    """Every acceptable sort key of a reference, since conventions differ.

    Besides the first author's family name (or the title), the reference's
    own opening words count: a list is sorted by what it prints first, and a
    corporate author ("RBC Newsfeed") may have been split into given and
    family names by the parser.
    """
    name = ref.authors[0].family if ref.authors else ref.title or ref.raw
    lead = _fold(ref.raw.lstrip(" \t\"“„«‘'")[:60])
    keys = set()
    for base in (_fold(name), lead):
        keys |= {base, _PARTICLES.sub("", base), _ARTICLES.sub("", base)}
    # Word-by-word and letter-by-letter alphabetisation are both in use.
    keys |= {k.replace(" ", "") for k in keys}
    return sorted(k for k in keys if k)


def _authors_id(ref: Reference) -> tuple[str, ...]:
    """The author list as family names and first initials ("Snyder, C." ≠ "Snyder, G.")."""
    return tuple(f"{_fold(a.family)} {_fold(a.given or '')[:1]}" for a in ref.authors)


@rule(
    code="RC405",
    name="author-date-order",
    category=Category.STRUCTURE,
    severity=Severity.INFO,
    summary="An author-date reference list that is not in alphabetical order.",
)
def author_date_order(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        In an author-date list, checks that references follow each other
        alphabetically by the first author's family name (accents and case
        ignored), and by year for the same authors.  Entries without an
        author sort by title.  It accepts every common convention: name
        particles counted or not (`de Haas` under D or H), a leading article
        counted or not, word-by-word or letter-by-letter order, and a block
        of anonymous works put first or last as some publishers do.  Only the
        first inversion of a run is reported, not every entry after a
        misplaced one.  Severity is info: ordering conventions vary between
        publishers and scripts, and an entry out of place hinders a reader
        without making the reference wrong.

    Why it matters:
        Readers find an author-date citation by scanning the alphabet; an
        entry out of order looks missing.  It is also a common sign of an
        entry pasted in late.

    Example:
        `… Walt, Stephen. 1990. … Reiter, Dan. 1994. …` — Reiter sorts
        before Walt.
    """
    if doc.layout != "author-date":
        return
    entries = [r for r in doc.entries() if r.kind == "entry"]
    if len(entries) < 3:
        return
    # Anonymous works collected at the head or tail are a convention of their own.
    lo, hi = 0, len(entries)
    while lo < hi and not entries[lo].authors:
        lo += 1
    while hi > lo and not entries[hi - 1].authors:
        hi -= 1
    groups = [entries[:lo], entries[lo:hi], entries[hi:]] if lo < hi else [entries]
    for group in groups:
        yield from _check_order(doc, group)


def _check_order(doc: Document, refs: list[Reference]) -> Iterator[Hit]:
    prev_key: str | None = None
    prev: Reference | None = None
    in_run = False
    for ref in refs:
        keys = _order_keys(ref)
        if not keys:
            continue
        fitting = [k for k in keys if prev_key is None or k >= prev_key]
        chosen = fitting[0] if fitting else None
        out = chosen is None
        if (
            not out
            and prev is not None
            and chosen == prev_key
            and ref.year is not None
            and prev.year is not None
            and _authors_id(ref) == _authors_id(prev)
            and (ref.year, ref.year_suffix or "") < (prev.year, prev.year_suffix or "")
        ):
            out = True
        if out and prev is not None:
            if not in_run:
                start, end = _head(ref)
                yield Hit(
                    start,
                    end,
                    f"out of alphabetical order: this reference sorts before the one at "
                    f"{where(doc, prev.start)}",
                    reference=ref,
                )
            in_run = True
            prev_key = keys[0]
        else:
            in_run = False
            prev_key = chosen
        prev = ref


# --------------------------------------------------------------------------
# RC406 author-year-collision


def _year_span(ref: Reference) -> tuple[int, int] | None:
    if ref.year is None:
        return None
    m = re.search(rf"(?<!\d){ref.year}(?!\d)", ref.raw)
    if m is None:
        return None
    return ref.start + m.start(), ref.start + m.end()


@rule(
    code="RC406",
    name="author-year-collision",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="Two works by the same authors in the same year without 2010a/2010b.",
    fix="unsafe",
)
def author_year_collision(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        In an author-date list, groups the references by their author list
        (family names) and year, and reports each work of a group with more
        than one distinct title when their years carry no (or the same) letter
        suffix.  The suggestion is the year with the letter it should carry,
        in list order (`2010a`, `2010b`).

    Why it matters:
        An in-text citation `(UNODC 2010)` cannot tell the reader which of two
        works is meant; author-date styles require `2010a` and `2010b`.

    Example:
        `UNODC. 2010. “Addiction, Crime and Insurgency…”` and
        `UNODC. 2010. The Globalisation of Crime…` → `2010a`, `2010b`.

    Fix safety:
        Never applied automatically: the citations in the text must change
        along with the years.
    """
    if doc.layout != "author-date":
        return
    groups: dict[tuple[tuple[str, ...], int, str], list[Reference]] = {}
    for ref in doc.entries():
        if ref.kind != "entry" or not ref.authors or ref.year is None:
            continue
        groups.setdefault((_authors_id(ref), ref.year, ref.year_suffix or ""), []).append(ref)
    for (_, year, suffix), refs in groups.items():
        # Copies of one work are RC402's business, not a collision.
        distinct = list({_fold(r.title or r.raw): r for r in reversed(refs)}.values())[::-1]
        if len(distinct) < 2:
            continue
        others = where_all(doc, [r.start for r in distinct])
        for n, ref in enumerate(distinct):
            span = _year_span(ref)
            start, end = span if span else _head(ref)
            if suffix or span is None or n >= len(ascii_lowercase):
                yield Hit(
                    start,
                    end,
                    f"'{year}{suffix}' is shared by the same authors' works at {others}",
                    reference=ref,
                )
                continue
            wanted = f"{year}{ascii_lowercase[n]}"
            yield Hit(
                start,
                end,
                f"same authors and year as the works at {others}: citations "
                f"cannot tell them apart; use {wanted}",
                suggestion=wanted,
                reference=ref,
                fix=Fix(start, end, wanted, safe=False),
            )


# --------------------------------------------------------------------------
# RC407 incomplete-reference

_OPEN_QUOTES = "“\"«‘'„"
_CLOSE_QUOTES = "”\"»’'“"


def _quoted_title_end(ref: Reference) -> int | None:
    """Offset in ``raw`` just after a title written in quotation marks, or None."""
    if not ref.title:
        return None
    i = ref.raw.find(ref.title)
    if i < 0:
        return None
    before = ref.raw[:i].rstrip()
    if not before or before[-1] not in _OPEN_QUOTES:
        return None
    j = i + len(ref.title)
    while j < len(ref.raw) and ref.raw[j] in ".,;:?! ":
        j += 1
    if j < len(ref.raw) and ref.raw[j] in _CLOSE_QUOTES:
        return j + 1
    return None


@rule(
    code="RC407",
    name="incomplete-reference",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="A reference to an article or chapter that says nothing about where it appeared.",
)
def incomplete_reference(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a plain-text reference whose title is in quotation marks —
        the mark of a part of a larger work: an article, a chapter, a web
        page — and that ends with that title: no journal or book, publisher,
        place, volume, pages, URL or DOI, neither among the parsed fields nor
        anywhere in the text after the title (a year alone may follow).
        It is deliberately narrow: a short reference without quotation marks
        (a law, a treaty, a memorandum, a book title) is left alone, because
        such references are often complete as they stand.

    Why it matters:
        Without its container an article cannot be found: the title alone
        rarely identifies it, and neither readers nor registry searches can
        tell which journal or book to look in.

    Example:
        `MacCoubrey, Hillary. 2000. “The Concept of Collective Security.”`
    """
    for ref in doc.entries():
        if ref.format != "text" or ref.kind != "entry":
            continue
        if any(
            (
                ref.container,
                ref.publisher,
                ref.place,
                ref.volume,
                ref.issue,
                ref.pages,
                ref.doi,
                ref.dois,
                ref.urls,
                ref.accessed,
            )
        ):
            continue
        end = _quoted_title_end(ref)
        if end is None:
            continue
        rest = ref.raw[end:]
        if ref.year is not None:
            rest = re.sub(rf"(?<!\d){ref.year}(?!\d)[a-z]?", "", rest)
        if re.search(r"\w", rest):
            continue
        start, stop = _head(ref)
        yield Hit(
            start,
            stop,
            "incomplete reference: it gives a quoted title but no journal, book, "
            "publisher, URL or DOI, so the work cannot be located",
            reference=ref,
        )


# --------------------------------------------------------------------------
# RC408 no-reference-list, RC409 unresolved-repeat


@rule(
    code="RC408",
    name="no-reference-list",
    category=Category.STRUCTURE,
    severity=Severity.INFO,
    summary="A text file in which no reference list was found.",
)
def no_reference_list(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Says once, at the top of a plain-text file, that no reference list,
        footnote or citation line was found in it, so no reference-level
        check ran.

    Why it matters:
        A clean report on a file without references means nothing was
        checked; this makes that visible (an abstract page, a text whose
        references were lost in extraction, a wrong file).

    Example:
        `abstract.txt:1:1: RC408 no reference list found in this file`.
    """
    if doc.format == "text" and doc.expects_list is False and not doc.references:
        from refcheck.rules.citations import orphan_citations

        if orphan_citations(doc) is not None:
            return  # RC901 says it once, and says more: which citations point nowhere
        yield Hit(
            0,
            0,
            "no reference list found in this file: no reference was checked",
        )


_REPEAT_WORD = lazy_re(r"(?i)\b(?:ibid|ibidem|op\.?\s*cit|loc\.?\s*cit|idem)\b\.?")


@rule(
    code="RC409",
    name="unresolved-repeat",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="An ibid. or op. cit. that points to no earlier citation.",
)
def unresolved_repeat(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports an `ibid.` with no citation before it, and an `op. cit.`
        whose author was never cited in full earlier in the document.

    Why it matters:
        The reader has nothing to go back to: the repeated work is unknown,
        usually because a full citation was deleted or moved below.

    Example:
        A first footnote reading `Ibid., p. 12.`, or `Smith, op. cit., p. 4`
        with no earlier footnote by Smith.
    """
    for ref in doc.references:
        if ref.kind not in ("ibid", "op-cit") or ref.repeats is not None:
            continue
        m = _REPEAT_WORD.search(ref.raw)
        if m is not None:
            start, end = ref.start + m.start(), ref.start + m.end()
        else:
            start, end = _head(ref)
        if ref.kind == "ibid":
            msg = "'ibid.' with no earlier citation to repeat"
        else:
            msg = "'op. cit.' names a work never cited in full before it"
        yield Hit(start, end, msg, reference=ref)


RULES = (
    duplicate_key,
    duplicate_reference,
    missing_field,
    numbering,
    author_date_order,
    author_year_collision,
    incomplete_reference,
    no_reference_list,
    unresolved_repeat,
)
