"""Citation rules (RC901–RC949): the citations in the text against the reference list.

Citations are found by :mod:`refcheck.citations` in the body of a document
(everything outside its reference section and references).  A numbered
list is checked against numbered citations, an author-date list against
author-date citations, and ``\\cite``/``[@key]`` keys against the BibTeX
and CSL-JSON files of the same run.

False alarms are what make people switch a rule off, so the "missing" and
"never cited" rules speak only when the document demonstrably uses the
citation style in question: at least two of its citations resolve to
entries of its list.  A bare reference list, an abstract page or a text
whose citations were lost in extraction produces nothing here.  Footnote
styles (``ibid.`` with nothing to repeat, ``op. cit.`` of a work never
cited in full) are reported by RC409 in :mod:`refcheck.rules.structure`.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

import regex

from refcheck.citations import (
    NOT_NAMES,
    Citation,
    author_date_citations,
    bibliography_names,
    body_text,
    fold_name,
    key_citations,
    numbered_citations,
)
from refcheck.model import Category, Document, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.rules.structure_fields import where_all
from refcheck.rules.structure_versions import _fold

# A document "demonstrably" cites in a style when this many of its citations resolve.
_MIN_RESOLVED = 2
# Citations needed before a document without any list is said to lack one.
_MIN_ORPHAN_NUMBERED = 2
_MIN_ORPHAN_AUTHOR_DATE = 3

# Files that define citation keys.  biber reads RIS and EndNote XML
# (`\addbibresource[datatype=ris]{refs.ris}`); a .bbl is the list BibTeX or biber
# wrote for one document (its jobname).
_BIB_FORMATS = frozenset({"bibtex", "csl-json", "ris", "endnote-xml", "bbl"})
# pandoc-crossref labels look like citations but name figures, tables, equations.
_CROSSREF_PREFIXES = ("fig:", "tbl:", "eq:", "sec:", "lst:", "tab:")


# --------------------------------------------------------------------------
# Shared helpers


def _text_entries(doc: Document) -> list[Reference]:
    return [r for r in doc.references if r.kind == "entry"]


def _numbered_entries(doc: Document) -> dict[int, Reference]:
    out: dict[int, Reference] = {}
    for r in _text_entries(doc):
        label = (r.label or "").strip("[]().")
        if label.isdigit():
            out.setdefault(int(label), r)
    return out


def _label_span(doc: Document, ref: Reference) -> tuple[int, int]:
    """The item marker ("17.") of a numbered entry, else the entry's first characters."""
    label = (ref.label or "").strip("[]().")
    line_start = doc.text.rfind("\n", 0, ref.start) + 1
    i = doc.text.rfind(label, line_start, ref.start) if label else -1
    if i >= 0:
        return i, i + len(label)
    first = ref.raw.split("\n", 1)[0].rstrip()
    return ref.start, ref.start + max(1, min(len(first), 60))


def _has_list(doc: Document) -> bool:
    return doc.section is not None or any(r.kind in ("entry", "footnote") for r in doc.references)


def _numbered(doc: Document) -> list[Citation]:
    return numbered_citations(body_text(doc))


@dataclass
class _AuthorDate:
    """The author-date citations of a document, each resolved against the list."""

    citations: list[Citation]
    # Per citation: the entries it may cite (by first author), and those it does cite.
    by_author: list[list[Reference]]
    matches: list[list[Reference]]

    @property
    def resolved(self) -> int:
        return sum(1 for m in self.matches if m)


def _first_family(ref: Reference) -> str | None:
    if not ref.authors:
        return None
    folded = fold_name(ref.authors[0].family)
    return folded or None


def _resolve_author_date(doc: Document) -> _AuthorDate:
    index: dict[str, list[Reference]] = defaultdict(list)
    for r in _text_entries(doc):
        fam = _first_family(r)
        if fam is not None:
            index[fam].append(r)
    text = doc.text
    cites = [_named_as_listed(c, index, text) for c in author_date_citations(body_text(doc))]
    by_author: list[list[Reference]] = []
    matches: list[list[Reference]] = []
    for c in cites:
        candidates = index.get(fold_name(c.names[0]), [])
        by_author.append(candidates)
        matches.append(_match_year(c, candidates))
    return _AuthorDate(cites, by_author, matches)


def _named_as_listed(c: Citation, index: dict[str, list[Reference]], text: str) -> Citation:
    """The citation with the names the list knows, where the reader took in words before them.

    A run of capitalised words is read whole ("R Core Team"), so a sentence's
    first word can come with it ("In R Core Team (2019)"), and a narrative
    citation can take a sentence adverb for a first author ("However, Zeileis
    (2000b)").  The longest tail the list has as a first author is kept;
    when the list has none, only words that are never names are dropped.
    """
    names = list(c.names)
    narrative = text[c.group_start : c.group_start + 1] not in ("(", "[")
    while narrative and len(names) > 1 and not _tail_known(names[0], index) and (
        _tail_known(names[1], index)
    ):
        names.pop(0)  # "However, Zeileis (2000b)": the adverb is no author
    words = names[0].split()
    kept = next((" ".join(words[k:]) for k in range(len(words))
                 if fold_name(" ".join(words[k:])) in index), None)
    if kept is None:
        while len(words) > 1 and words[0] in NOT_NAMES:
            words.pop(0)
        kept = " ".join(words)
    names[0] = kept
    return c if tuple(names) == c.names else replace(c, names=tuple(names))


def _tail_known(name: str, index: dict[str, list[Reference]]) -> bool:
    words = name.split()
    return any(fold_name(" ".join(words[k:])) in index for k in range(len(words)))


def _match_year(c: Citation, candidates: list[Reference]) -> list[Reference]:
    if c.no_date:
        same = [r for r in candidates if r.year is None]
    else:
        same = [r for r in candidates if r.year == c.year]
        if c.year_suffix:
            exact = [r for r in same if (r.year_suffix or "") == c.year_suffix]
            # "Walt 2003a" with one unsuffixed "Walt 2003" listed: the suffix is the slip.
            same = exact or [r for r in same if not r.year_suffix and len(same) == 1]
    if len(same) > 1:
        same = _narrow(c, same)
    return same


def _narrow(c: Citation, entries: list[Reference]) -> list[Reference]:
    """Tell same-author, same-year entries apart by the citation's other names."""
    if len(c.names) >= 2 and not c.et_al:
        second = fold_name(c.names[1])
        picked = [
            r for r in entries if len(r.authors) >= 2 and fold_name(r.authors[1].family) == second
        ]
        if picked:
            return picked
        return [r for r in entries if len(r.authors) == len(c.names)] or entries
    if c.et_al:
        return [r for r in entries if len(r.authors) >= 3] or entries
    return [r for r in entries if len(r.authors) == 1] or entries


def _author_year_span(ref: Reference) -> tuple[int, int]:
    """The head of an author-date entry, "Walt, S. M. (1987a)", else its first characters."""
    first_line = ref.raw.split("\n", 1)[0].rstrip()
    if ref.year is not None:
        m = regex.search(rf"{ref.year}{ref.year_suffix or ''}\)?", first_line[:200])
        if m is not None:
            return ref.start, ref.start + m.end()
    return ref.start, ref.start + max(1, min(len(first_line), 80))


def _entry_label(ref: Reference) -> str:
    who = ref.authors[0].family if ref.authors else (ref.title or ref.raw[:40])
    if len(ref.authors) == 2:
        who += f" and {ref.authors[1].family}"
    elif len(ref.authors) > 2:
        who += " et al."
    return f"{who} ({ref.year or 'n.d.'}{ref.year_suffix or ''})"


# --------------------------------------------------------------------------
# RC901 citations-without-list


@rule(
    code="RC901",
    name="citations-without-list",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="The text cites numbered or author-date sources but contains no reference list.",
    formats=("text",),
)
def citations_without_list(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Says once, at the first citation, that the text cites sources
        ("[1]", "[2]" or "(Walt 1985)") but no reference list, footnote or
        bibliography was found in the file.

    Why it matters:
        Every citation of the document points nowhere: the list was lost
        (cut off by a web page, a PDF extraction, a copy-paste) or was never
        written.  One finding says it; a finding per citation would bury it.

    Example:
        An article page whose text says "… from its member states [1]" and
        "… 'collective confusion' [2]" and ends without references:
        `RC901 the text cites [1], [2] but has no reference list`.
    """
    hit = orphan_citations(doc)
    if hit is not None:
        yield hit


def orphan_citations(doc: Document) -> Hit | None:
    """The one RC901 hit of a document that cites but has no list (also used by RC408)."""
    if _has_list(doc):
        return None
    body = body_text(doc)
    numbered = numbered_citations(body)
    numbers = sorted({c.number for c in numbered if c.number is not None})
    if len(numbered) >= _MIN_ORPHAN_NUMBERED:
        shown = ", ".join(f"[{n}]" for n in numbers[:6]) + (", …" if len(numbers) > 6 else "")
        first = numbered[0]
        return Hit(
            first.group_start,
            first.group_end,
            f"the text cites {shown} but has no reference list: "
            f"{len(numbers)} cited source{'s' if len(numbers) != 1 else ''} cannot be identified",
        )
    ad = author_date_citations(body)
    if len({(c.names[0], c.year, c.year_suffix) for c in ad}) >= _MIN_ORPHAN_AUTHOR_DATE:
        labels = list(dict.fromkeys(c.label for c in ad))
        shown = "; ".join(labels[:3]) + ("; …" if len(labels) > 3 else "")
        return Hit(
            ad[0].group_start,
            ad[0].group_end,
            f"the text cites ({shown}) but has no reference list: "
            f"{len(labels)} cited sources cannot be identified",
        )
    return None


# --------------------------------------------------------------------------
# RC902 citation-not-listed, RC903 citation-out-of-range, RC904 uncited-entry


def _numbered_state(doc: Document) -> tuple[dict[int, Reference], list[Citation]] | None:
    """The numbered list and citations, when the document demonstrably uses them."""
    if doc.layout != "numbered":
        return None
    entries = _numbered_entries(doc)
    if not entries:
        return None
    cites = _numbered(doc)
    resolved = {c.number for c in cites if c.number in entries}
    if len(resolved) < _MIN_RESOLVED:
        return None
    return entries, cites


@rule(
    code="RC902",
    name="citation-not-listed",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="A numbered citation whose number has no entry in the reference list.",
    formats=("text",),
)
def citation_not_listed(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a numbered citation ("[5]", "[3–6]") within the range of
        the list whose number has no entry: the list skips it.

    Why it matters:
        The reader looking up [5] finds nothing; usually an entry was
        deleted from the list without renumbering the citations.

    Example:
        A list numbered 1–4, 6–9 and a sentence "as shown in [5]":
        `RC902 [5] is cited but the reference list has no entry 5`.
    """
    state = _numbered_state(doc)
    if state is None:
        return
    entries, cites = state
    top = max(entries)
    seen: set[tuple[int, int]] = set()
    for c in cites:
        n = c.number
        if n is None or n in entries or n > top or (c.start, n) in seen:
            continue
        seen.add((c.start, n))
        yield Hit(c.start, c.end, f"[{n}] is cited but the reference list has no entry {n}")


@rule(
    code="RC903",
    name="citation-out-of-range",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="A numbered citation beyond the last entry of the reference list.",
    formats=("text",),
)
def citation_out_of_range(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a numbered citation whose number is larger than the last
        number of the reference list.

    Why it matters:
        The cited source is not in the list at all: the list was truncated,
        or citations were renumbered for another version of the text.

    Example:
        A list of 17 entries and "see [21]":
        `RC903 [21] is cited but the reference list ends at 17`.
    """
    state = _numbered_state(doc)
    if state is None:
        return
    entries, cites = state
    top = max(entries)
    reported: set[int] = set()
    for c in cites:
        if c.number is None or c.number <= top or c.start in reported:
            continue
        reported.add(c.start)
        yield Hit(
            c.start,
            c.end,
            f"[{c.number}] is cited but the reference list ends at {top}",
        )


@rule(
    code="RC904",
    name="uncited-entry",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="An entry of a numbered or author-date list that the text never cites.",
    formats=("text",),
)
def uncited_entry(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports an entry of the reference list that no citation of the text
        points to: no "[7]" (or range covering 7) for a numbered list, no
        "(Walt 1985)" or "Walt (1985)" for an author-date list.  Only in a
        document that demonstrably cites its list (two or more citations
        resolve to entries): a bare list is not reported entry by entry.

    Why it matters:
        A listed source nobody cites was either dropped from the text (and
        the claim it supported with it) or added to pad the list; journals
        ask for every listed work to be cited.

    Example:
        A Vancouver list of 9 entries whose text cites [1]–[6] and [8]:
        `RC904 entry 7 is never cited in the text`.
    """
    state = _numbered_state(doc)
    if state is not None:
        entries, cites = state
        cited = {c.number for c in cites}
        for n, ref in sorted(entries.items()):
            if n not in cited:
                start, end = _label_span(doc, ref)
                yield Hit(start, end, f"entry {n} is never cited in the text", reference=ref)
        return
    if doc.layout != "author-date":
        return
    ad = _resolve_author_date(doc)
    if ad.resolved < _MIN_RESOLVED:
        return
    cited_ids = {id(r) for m in ad.matches for r in m}
    # An entry cited with the wrong year is reported as a year mismatch, not as uncited.
    near_ids = {id(r) for m, b in zip(ad.matches, ad.by_author, strict=True) if not m for r in b}
    for ref in _text_entries(doc):
        if not ref.authors or id(ref) in cited_ids or id(ref) in near_ids:
            continue
        start, end = _author_year_span(ref)
        yield Hit(start, end, f"{_entry_label(ref)} is never cited in the text", reference=ref)


# --------------------------------------------------------------------------
# RC905 author-date-not-listed, RC906 citation-year-mismatch, RC907 ambiguous-citation


def _author_date_state(doc: Document) -> _AuthorDate | None:
    if doc.layout != "author-date":
        return None
    ad = _resolve_author_date(doc)
    return ad if ad.resolved >= _MIN_RESOLVED else None


@rule(
    code="RC905",
    name="author-date-not-listed",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="An author-date citation whose author has no entry in the reference list.",
    formats=("text",),
)
def author_date_not_listed(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports an author-date citation ("(Leeds 2003)", "Leeds (2003)")
        when no entry of the list has that first author.  Citations are read
        with their locators ("Table 7.8, page 288"), lead-in words ("example
        data from"), corporate authors ("R Core Team 2019") and remarks; of a
        run of capitalised words, or a sentence word before a narrative
        citation ("However, Zeileis (2000b)"), the names the list knows are
        kept.  Console transcripts (prompts and printed output) are not text.

    Why it matters:
        The cited source cannot be found: its entry was never added to the
        list or was deleted with a revision.

    Example:
        "… as Leeds argues (Leeds 2003)" with no Leeds in the references:
        `RC905 'Leeds 2003' is cited but no entry by Leeds is in the reference list`.
    """
    ad = _author_date_state(doc)
    if ad is None:
        return
    for c, cand in zip(ad.citations, ad.by_author, strict=True):
        if not cand:
            yield Hit(
                c.start,
                c.end,
                f"'{c.label}' is cited but no entry by {c.names[0]} is in the reference list",
            )


@rule(
    code="RC906",
    name="citation-year-mismatch",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="An author-date citation whose year differs from the listed entries of that author.",
    formats=("text",),
)
def citation_year_mismatch(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports an author-date citation whose author is in the list but with
        no entry of the cited year (or year suffix): cited 2009, listed 2000.
        When the author has one listed year, it is the suggestion.

    Why it matters:
        Either the citation or the entry has a wrong year, and a reader
        cannot tell which work is meant when the author has several.

    Example:
        "(Walt 2009)" with only "Walt, S. M. 2000. …" listed:
        `RC906 'Walt 2009' is cited but the list has Walt (2000)` [suggestion: 2000].
    """
    ad = _author_date_state(doc)
    if ad is None:
        return
    for c, cand, match in zip(ad.citations, ad.by_author, ad.matches, strict=True):
        if not cand or match:
            continue
        years = sorted({f"{r.year or 'n.d.'}{r.year_suffix or ''}" for r in cand})
        listed = ", ".join(years)
        yield Hit(
            c.start,
            c.end,
            f"'{c.label}' is cited but the list has {c.names[0]} ({listed})",
            suggestion=years[0] if len(years) == 1 else None,
        )


@rule(
    code="RC907",
    name="ambiguous-citation",
    category=Category.CITATION,
    severity=Severity.WARNING,
    summary="An author-date citation that matches two or more entries (no 2010a/2010b).",
    formats=("text",),
)
def ambiguous_citation(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports an author-date citation that fits two or more entries of the
        list: same first author, same year, and nothing (a year suffix, a
        co-author) to tell them apart.  Entries that are copies of one work
        (same title) are RC402's: a citation reaches that work either way.

    Why it matters:
        The reader cannot know which work supports the claim.  Author-date
        styles require 2010a/2010b in both the list and the citations; RC406
        reports the list side, this rule the citations that inherit it.

    Example:
        "(Walt 1987)" with two entries "Walt, S. 1987. The Origins …" and
        "Walt, S. 1987. Alliance Formation …":
        `RC907 'Walt 1987' matches 2 entries of the list`.
    """
    ad = _author_date_state(doc)
    if ad is None:
        return
    for c, match in zip(ad.citations, ad.matches, strict=True):
        # Copies of one work are RC402's business: the citation reaches that work.
        if len({_fold(r.title or r.raw) for r in match}) > 1:
            places = where_all(doc, [r.start for r in match])
            yield Hit(
                c.start,
                c.end,
                f"'{c.label}' matches {len(match)} entries of the list ({places}): "
                "add a/b to the years",
            )


# --------------------------------------------------------------------------
# RC910 undefined-citation-key, RC911 unused-bib-entry, RC912 no-bibliography


# Typeset documents: LaTeX has turned every \cite into text and pandoc every [@key], so
# a "\cite{key}" left in their text is LaTeX source quoted in the document, not a citation.
_TYPESET_FORMATS = frozenset({"pdf", "docx"})


def _typeset(doc: Document) -> bool:
    """A PDF or Word file: read into text by its reader, whose format is then "text"."""
    from refcheck.parsers.located import LocatedSource

    return doc.format in _TYPESET_FORMATS or isinstance(doc.source, LocatedSource)


def _key_citations(doc: Document) -> list[Citation]:
    if doc.format in _BIB_FORMATS or doc.format == "jats" or _typeset(doc):
        return []
    if doc.format == "aux":
        from refcheck.parsers.aux import cited_keys

        return [Citation("latex", s, e, key=k, group_start=s, group_end=e)
                for k, s, e in cited_keys(doc.text)]
    cites = key_citations(body_text(doc), latex=True, pandoc=doc.format != "latex")
    return [c for c in cites if c.key and not c.key.startswith(_CROSSREF_PREFIXES)]


def _bib_documents(doc: Document, ctx: Context) -> tuple[list[Document], list[str]]:
    """The bibliographies ``doc`` cites from, and the declared names not in the run."""
    bibs = [d for d in ctx.documents if d.format in _BIB_FORMATS and d.layout is not None]
    names = bibliography_names(doc)
    if names is None:
        return bibs, []
    chosen = [d for d in bibs if any(_names_file(n, d.path) for n in names)]
    missing = [n for n in names if not any(_names_file(n, d.path) for d in chosen)]
    # The .bbl LaTeX reads for this document (same directory and jobname) holds
    # every key it cites, even when the .bib it was made from is not at hand.
    job = os.path.splitext(os.path.normpath(doc.path))[0]
    built = [d for d in bibs if d.format == "bbl"
             and os.path.splitext(os.path.normpath(d.path))[0] == job]
    if built:
        return chosen + [d for d in built if d not in chosen], []
    return chosen, missing


# The run's documents (kept, so their ids stay theirs) -> id(bibliography) ->
# (documents citing from it, in run order; the keys they cite).  Computed once per
# run instead of once per bibliography: a repository of 2,000 .bib files otherwise
# scans 2,000 x 2,000 documents.
_CITING: (
    tuple[list[Document], tuple[int, ...], dict[int, tuple[list[Document], set[str]]]] | None
) = None


def _citing_documents(ctx: Context) -> dict[int, tuple[list[Document], set[str]]]:
    global _CITING
    cached = _CITING
    # The engine hands every rule of a run the same list: recognising it by
    # identity keeps this lookup from being linear in the run's documents.
    if cached is not None and cached[0] is ctx.documents and len(cached[1]) == len(ctx.documents):
        return cached[2]
    documents = tuple(ctx.documents)
    ids = tuple(map(id, documents))
    if cached is not None and cached[1] == ids:
        _CITING = (ctx.documents, ids, cached[2])
        return cached[2]
    out: dict[int, tuple[list[Document], set[str]]] = {}
    for other in documents:
        if other.format in _BIB_FORMATS:
            continue
        cites = _key_citations(other)
        if not cites:
            continue
        bibs, _missing = _bib_documents(other, ctx)
        for b in {id(b): b for b in bibs}.values():
            users, cited = out.setdefault(id(b), ([], set()))
            users.append(other)
            cited.update(c.key for c in cites if c.key)
    _CITING = (ctx.documents, ids, out)
    return out


def _names_file(name: str, path: str) -> bool:
    """Whether a declared bibliography ("refs", "refs.bib", "../refs.json") is ``path``."""
    wanted = os.path.basename(name.strip())
    base = os.path.basename(path)
    if os.path.splitext(wanted)[1]:
        return wanted == base
    # \bibliography{refs} names refs.bib.
    return base == wanted + ".bib"


def _local_keys(doc: Document) -> set[str]:
    """Keys a document defines itself: \\bibitem, a pandoc ``references:`` header."""
    keys = set(regex.findall(r"\\bibitem(?:\[[^\]]*\])?\{([^{}\s]+)\}", doc.text))
    if doc.format == "aux":
        from refcheck.parsers.aux import defined_keys

        keys |= defined_keys(doc.text)  # \bibcite: keys BibTeX resolved
    if doc.text.startswith("---"):
        end = doc.text.find("\n---", 3)
        header = doc.text[: end if end != -1 else 0]
        keys.update(regex.findall(r"(?m)^[ \t]*-?[ \t]*id:[ \t]*['\"]?([^'\"\s]+)", header))
    return keys


def _suggest(key: str, keys: set[str]) -> str | None:
    lower = {k.lower(): k for k in keys}
    if key.lower() in lower:
        return lower[key.lower()]
    from rapidfuzz import fuzz, process

    best = process.extractOne(key, sorted(keys), scorer=fuzz.ratio, score_cutoff=80)
    return str(best[0]) if best else None


@rule(
    code="RC910",
    name="undefined-citation-key",
    category=Category.CITATION,
    severity=Severity.ERROR,
    summary="A \\cite or [@key] citation whose key no bibliography of the run defines.",
)
def undefined_citation_key(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a key cited with the LaTeX `\\cite` family (natbib, biblatex)
        or with pandoc's `[@key]` that no BibTeX or CSL-JSON file of the run
        defines (the files the document names in `\\bibliography{…}`,
        `\\addbibresource{…}` or a `bibliography:` header, else every
        bibliography checked with it).  A near key is the suggestion.

    Why it matters:
        LaTeX prints "[?]" and pandoc "???" where the citation should be,
        and both only warn: the error reaches print.

    Example:
        `\\citep{walt1958}` with `@book{walt1987,…}` in refs.bib:
        `RC910 citation key 'walt1958' is not defined in refs.bib` [suggestion: walt1987].
    """
    cites = _key_citations(doc)
    if not cites:
        return
    bibs, _missing = _bib_documents(doc, ctx)
    local = _local_keys(doc)
    if not bibs and not local:
        return  # RC911 says once that there is nothing to check against
    keys = {r.key for d in bibs for r in d.references if r.key} | local
    where = ", ".join(os.path.basename(d.path) for d in bibs) or "this document"
    for c in cites:
        if c.key is None or c.key == "*" or c.key in keys:
            continue
        yield Hit(
            c.start,
            c.end,
            f"citation key '{c.key}' is not defined in {where}",
            suggestion=_suggest(c.key, keys),
        )


@rule(
    code="RC911",
    name="citation-keys-without-bibliography",
    category=Category.CITATION,
    severity=Severity.INFO,
    summary="A document cites keys but no bibliography it uses was checked with it.",
)
def keys_without_bibliography(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Says once, at the first `\\cite{…}` or `[@key]`, that the document
        cites by key but none of its bibliography files is among the files
        checked, so its keys could not be verified.

    Why it matters:
        A clean report would otherwise suggest the citations were checked.
        Pass the .bib or CSL-JSON file in the same run.

    Example:
        `refcheck check paper.md` where paper.md says `[@doe99]` and has a
        `bibliography: refs.bib` header: `RC911 cites 4 keys, but refs.bib
        was not checked with this file`.
    """
    cites = _key_citations(doc)
    if not cites or _local_keys(doc):
        return
    bibs, missing = _bib_documents(doc, ctx)
    n = len({c.key for c in cites})
    if missing:
        names = ", ".join(missing)
        yield Hit(
            cites[0].start,
            cites[0].end,
            f"cites {n} key{'s' if n != 1 else ''}, but {names} was not checked with this file: "
            "its keys were not verified",
        )
    elif not bibs:
        yield Hit(
            cites[0].start,
            cites[0].end,
            f"cites {n} key{'s' if n != 1 else ''}, but no BibTeX or CSL-JSON file was checked "
            "with this file: its keys were not verified",
        )


@rule(
    code="RC912",
    name="unused-bib-entry",
    category=Category.CITATION,
    severity=Severity.INFO,
    summary="A BibTeX or CSL-JSON entry that no document of the run cites.",
    formats=("bibtex", "csl-json"),
)
def unused_bib_entry(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        In a run that checks a bibliography together with the LaTeX or
        Markdown documents citing from it, reports each entry whose key none
        of those documents cites.  Silent when no document of the run cites
        from this file, or one says `\\nocite{*}`.

    Why it matters:
        With biblatex or pandoc an uncited entry is silently left out of the
        printed list; with a style that prints everything, it pads the list
        with a work the text never uses.

    Example:
        refs.bib defines `leeds2003` and paper.tex never cites it:
        `RC912 entry 'leeds2003' is not cited by paper.tex`.
    """
    users, cited = _citing_documents(ctx).get(id(doc), ([], set()))
    if not users or "*" in cited:
        return
    who = ", ".join(os.path.basename(d.path) for d in users[:3]) + (" …" if len(users) > 3 else "")
    for ref in doc.references:
        if not ref.key or ref.key in cited:
            continue
        i = ref.raw.find(ref.key)
        start = ref.start + i if i >= 0 else ref.start
        end = start + len(ref.key) if i >= 0 else ref.start + 1
        yield Hit(start, end, f"entry '{ref.key}' is not cited by {who}", reference=ref)


RULES = (
    citations_without_list,
    citation_not_listed,
    citation_out_of_range,
    uncited_entry,
    author_date_not_listed,
    citation_year_mismatch,
    ambiguous_citation,
    undefined_citation_key,
    keys_without_bibliography,
    unused_bib_entry,
)
