"""Rules on the shape of single BibTeX/CSL field values (RC020–RC029, RC420–RC429).

A field can be well-formed BibTeX and still say something BibTeX or biblatex
will print wrongly: an author list separated by commas (read as one name), a
name given twice, a `doi` field carrying its own resolver prefix (printed
twice), a URL with a space in it, an entry type one slip from a real one
(treated as `@misc`), or a LaTeX accent applied twice.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import regex

from refcheck.model import Category, Document, Fix, Reference, Severity
from refcheck.parsers.latex import _ACCENTS as _COMBINING  # accent command -> combining mark
from refcheck.rules.base import Context, Hit, rule
from refcheck.text.patterns import lazy

_BIB = ("bibtex",)


def _field(ref: Reference, name: str) -> tuple[str, int, int] | None:
    """The raw value of field ``name`` (any case) and where it is written."""
    for key, (s, e) in ref.field_spans.items():
        if key.lower() == name:
            value = ref.fields.get(key)
            if value is None:
                return None
            return value, s, e
    return None


# --------------------------------------------------------------------------
# RC420 author-list-commas

_BRACE_OR_AND = lazy(r"[{}]|\s+and\s+", regex.IGNORECASE)
_INITIAL = lazy(r"^\p{Lu}(?:\.|\.?-\p{Lu}\.?)?$")
_SUFFIX = lazy(r"^(?:jr|sr|ii|iii|iv|jun|sen)\.?$", regex.IGNORECASE)
# Words that start a family name written first ("van der Berg, Jan").
# fmt: off
_PARTICLES = frozenset(
    [
        "van", "von", "der", "den", "de", "da", "di", "du", "la", "le", "del", "della", "dos",
        "das", "ten", "ter", "bin", "ibn", "al", "el",
    ]
)
# fmt: on


# Compiled once: regex's module functions (regex.split(pattern, ...)) look the
# pattern up in its cache at every call, ~8 µs, more than the split itself.
_WORD_GAP = lazy(r"[\s~]+")
_INITIAL_GAP = lazy(r"[\s.]+")
_URL_START = lazy(r"(?:https?|ftp)://|www\.")
_URL_START_ANY_CASE = lazy(r"(?:https?|ftp)://|www\.", regex.IGNORECASE)


def _words(part: str) -> list[str]:
    return [w for w in _WORD_GAP.split(part.strip()) if w]


def _has_initial(part: str) -> bool:
    ws = _words(part)
    return len(ws) >= 2 and any(_INITIAL.match(w) is not None for w in (ws[0], ws[-1]))


def _top_split(segment: str, sep: str) -> list[str]:
    """``segment`` split at ``sep`` outside braces (a braced name may hold commas)."""
    parts: list[str] = []
    depth = 0
    last = 0
    for i, c in enumerate(segment):
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif c == sep and depth == 0:
            parts.append(segment[last:i])
            last = i + 1
    parts.append(segment[last:])
    return parts


def _comma_list(segment: str, others_plain: bool) -> bool:
    """Whether one `and`-separated segment is really several names split by commas.

    BibTeX reads "Last, First" and "Last, Jr, First" as one name, so one
    comma alone proves nothing.  A list shows itself by three or more commas
    (BibTeX allows two), by two commas whose middle part is no "Jr"/"III",
    by two whole names each with an initial ("Lee A, Chen B"), or by two
    whole names in a field whose other names are all written "First Last"
    ("Ann Lee, Bo Chen and Carl Diaz").
    """
    parts = _top_split(segment, ",")
    if len(parts) < 2 or any(not p.strip() for p in parts):
        return False
    words = [_words(p) for p in parts]
    if len(parts) >= 4:
        return True
    if len(parts) == 3:
        # "Lee, Jr, Ann" is one name; so is "Lee, Ann, Jr" (misordered, not a list).
        return not (_SUFFIX.match(parts[1].strip()) or _SUFFIX.match(parts[2].strip()))
    if any(len(w) < 2 for w in words):
        return False  # "Lee, Ann": a part is one word
    if any(_SUFFIX.match(w[0]) or _SUFFIX.match(w[-1]) for w in words):
        return False
    if words[0][0].lower() in _PARTICLES:
        return False  # "van der Berg, Jan Piet"
    return all(_has_initial(p) for p in parts) or others_plain


def _as_names(segment: str, sep: str) -> list[str]:
    """The names of a segment that separates them with ``sep``.

    "Lee, Ann, Chen, Bo" pairs family and given names; "Ann Lee, Bo Chen"
    holds one name per part.
    """
    parts = [p.strip() for p in _top_split(segment, sep)]
    if sep == "," and len(parts) % 2 == 0 and all(len(_words(p)) <= 2 for p in parts):
        single = [len(_words(p)) == 1 for p in parts[0::2]]
        if all(single):
            return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    return parts


def _segments(value: str) -> list[tuple[int, int]]:
    """Offsets (in ``value``) of the names separated by `and`, outside braces."""
    # One scan in C for braces and `and`s, not a step per character: an `and`
    # holds no brace, so skipping over one leaves the depth as it was.
    out: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for m in _BRACE_OR_AND.finditer(value):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append((start, m.start()))
            start = m.end()
    out.append((start, len(value)))
    return out


@rule(
    code="RC420",
    name="author-list-commas",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="a BibTeX name list separated by commas instead of 'and'.",
    fix="unsafe",
    formats=_BIB,
)
def author_list_commas(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reads the `author` and `editor` fields of BibTeX entries and flags names
    separated by commas or semicolons instead of `and`.  BibTeX takes a comma
    to separate a family name from the given names, so a comma alone is not
    reported: "Lee, Ann" and "Lee, Jr., Ann" are one name each.  A list is
    reported when three or more comma-separated parts are each a whole name
    ("Ann Lee, Bo Chen, Carl Diaz"), when two whole names both carry an
    initial ("Lee A, Chen B"), when two whole names stand among names
    written "First Last" with `and` or before a serial comma ("Ann Lee, Bo
    Chen, and Carl Diaz"), or when names are separated by `;`.  A lone
    comma before `and` ("Lee, Ann, and Chen, Bo") is reported too.

    Why it matters:
    BibTeX reads "Ann Lee, Bo Chen, Carl Diaz" as one person whose family
    name is "Ann Lee": the printed reference and every citation label are
    wrong.

    Example:
    `author = {Ann Lee, Bo Chen, Carl Diaz}` -> `Ann Lee and Bo Chen and Carl Diaz`.

    Fix safety:
    Unsafe: a family name of two words written first ("Garcia Marquez,
    Gabriel Jose") looks like two names; applied with `--fix-typos`.
    Removing a lone comma before `and` is safe: no name ends with one.
    """
    for ref in doc.entries():
        for name in ("author", "editor"):
            found = _field(ref, name)
            if found is None:
                continue
            value, s, _ = found
            if "," not in value and ";" not in value:
                continue
            segs = _segments(value)
            plain = [("," not in value[a:b]) for a, b in segs]
            for k, (a, b) in enumerate(segs):
                seg = value[a:b].rstrip()
                # "Ann Lee, Bo Chen, and Carl Diaz": a serial comma before "and".
                serial = seg.endswith(",") and k < len(segs) - 1
                if serial:
                    seg = seg[:-1].rstrip()
                others_plain = len(segs) > 1 and all(p for j, p in enumerate(plain) if j != k)
                semicolons = ";" in seg and all(len(_words(p)) >= 2 for p in _top_split(seg, ";"))
                lead = len(seg) - len(seg.lstrip())
                start = s + a + lead
                end = s + a + len(value[a:b].rstrip()) if serial else s + a + len(seg)
                if not semicolons and not _comma_list(seg, others_plain or serial):
                    if serial:
                        yield Hit(
                            start,
                            end,
                            f"a comma before 'and' in the {name} field: BibTeX reads "
                            f"'{seg.strip()},' as a name with an empty part",
                            suggestion=seg.strip(),
                            field=name,
                            reference=ref,
                            fix=Fix(start, end, seg.strip(), safe=True),
                        )
                    continue
                sep = ";" if semicolons else ","
                names = _as_names(seg, sep)
                fixed = " and ".join(names)
                yield Hit(
                    start,
                    end,
                    f"{len(names)} names separated by '{sep}' in the {name} field; BibTeX "
                    f"separates names with 'and' and reads this as one name",
                    suggestion=fixed,
                    field=name,
                    reference=ref,
                    fix=Fix(start, end, fixed, safe=False),
                )


# --------------------------------------------------------------------------
# RC421 repeated-author


def _name_key(family: str, given: str | None) -> str:
    raw = f"{family}|{given or ''}"
    decomposed = unicodedata.normalize("NFKD", raw)
    letters = "".join(c for c in decomposed if c.isalnum() or c == "|")
    return letters.lower()


@rule(
    code="RC421",
    name="repeated-author",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="the same person named twice in one author list.",
)
def repeated_author(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Compares the names of a reference's author (and editor) list and flags
    one that repeats an earlier one exactly: same family name and same given
    names, accents and punctuation aside.  Names with no given name
    (institutions, a bare surname) are not compared, and neither are two
    people who share a family name but differ in given names or initials.
    A name given by initials only counts in a list of five names or fewer,
    or when it repeats the name right before it: "Wang, Y." twice in a long
    list may be two people.

    Why it matters:
    A doubled name is a copy-paste slip: the list no longer matches the work
    and citation labels ("Lee and Lee") mislead.

    Example:
    `author = {Lee, Ann and Chen, Bo and Lee, Ann}` — 'Lee, Ann' twice.
    """
    text = doc.text
    for ref in doc.entries():
        for names, fld in ((ref.authors, "author"), (ref.editors, "editor")):
            seen: set[str] = set()
            spans = _name_spans(ref, fld, len(names))
            for k, au in enumerate(names):
                if au.literal or not au.given or not au.family.strip():
                    continue
                key = _name_key(au.family, au.given)
                if key not in seen:
                    seen.add(key)
                    continue
                # Initials alone may be two people ("Wang, Y." twice in a long list).
                previous = names[k - 1] if k else None
                adjacent = (
                    previous is not None and _name_key(previous.family, previous.given) == key
                )
                if _only_initials(au.given) and not adjacent and len(names) > _FEW_NAMES:
                    continue
                span = spans[k] if spans else _second_mention(text, ref, fld, au.family)
                if span is None:
                    continue
                yield Hit(
                    span[0],
                    span[1],
                    f"'{au.family}, {au.given}' is named twice in the {fld} list",
                    field=fld,
                    reference=ref,
                )


# Two different people share a family name and initials mostly in long lists.
_FEW_NAMES = 5


def _only_initials(given: str) -> bool:
    return all(len(w.strip(".-")) <= 1 for w in _INITIAL_GAP.split(given) if w)


def _name_spans(ref: Reference, fld: str, count: int) -> list[tuple[int, int]] | None:
    """Where each name of a BibTeX name field is written, when the parse agrees."""
    found = _field(ref, fld)
    if found is None or ref.format != "bibtex":
        return None
    value, s, _ = found
    out: list[tuple[int, int]] = []
    for a, b in _segments(value):
        seg = value[a:b]
        lead = len(seg) - len(seg.lstrip())
        out.append((s + a + lead, s + a + len(seg.rstrip())))
    return out if len(out) == count else None


def _second_mention(text: str, ref: Reference, fld: str, family: str) -> tuple[int, int] | None:
    found = _field(ref, fld)
    lo, hi = (found[1], found[2]) if found else (ref.start, ref.end)
    first = text.find(family, lo, hi)
    if first < 0:
        return None
    second = text.find(family, first + len(family), hi)
    if second < 0:
        return None
    return second, second + len(family)


# --------------------------------------------------------------------------
# RC020 doi-field-prefix

_DOI_PREFIX = lazy(
    r"^\s*(?:(?:https?://)?(?:dx\.)?doi\.org/|doi\s*:\s*|doi\s+)(?=10\.)",
    regex.IGNORECASE,
)


@rule(
    code="RC020",
    name="doi-field-prefix",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="a 'doi' field holding a 'doi:' label or a doi.org link, not the bare DOI.",
    fix="safe",
    formats=("bibtex", "csl-json"),
)
def doi_field_prefix(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Checks the `doi` field of BibTeX entries (and `DOI` of CSL-JSON items)
    for a prefix before the DOI itself: `doi:`, `DOI: `, `https://doi.org/`,
    `http://dx.doi.org/`.  The field is meant to hold the bare DOI
    (`10.1000/182`).  A file that writes every DOI (two or more) as a
    `doi.org` link follows a house style whose styles print the field as it
    stands, and is left alone; a `doi:` label is reported all the same.

    Why it matters:
    Styles print the field behind their own prefix or link it through
    `https://doi.org/`: a prefixed value comes out as `doi:doi:10…` or a
    link to `https://doi.org/https://doi.org/10…`, which resolves nowhere.

    Example:
    `doi = {https://doi.org/10.1021/ja00001a001}` -> `10.1021/ja00001a001`.

    Fix safety:
    Safe: only the prefix is removed, and only when what follows it is a
    DOI (`10.` + registrant + `/` + suffix), which never begins with it.
    """
    fields = [(ref, f) for ref in doc.entries() if (f := _field(ref, "doi")) and f[0].strip()]
    links = [_DOI_PREFIX.match(v) for _, (v, _, _) in fields]
    # Every DOI of the file written as a resolver link, none bare: a house style
    # (Beebe's TUG bibliographies and their styles), not a slip.
    house = len(fields) >= 2 and all(m is not None and "doi.org/" in m.group() for m in links)
    for (ref, (value, s, e)), m in zip(fields, links, strict=True):
        if m is None or (house and "doi.org/" in m.group()):
            continue
        if ref.format == "csl-json" and doc.text[s:e] != value:
            continue  # a JSON escape: offsets of the decoded value are unknown
        prefix = value[: m.end()].strip()
        yield Hit(
            s,
            s + m.end(),
            f"the doi field starts with '{prefix}': it should hold the bare DOI",
            suggestion=value[m.end() :].strip(),
            field="doi",
            reference=ref,
            fix=Fix(s, s + m.end(), "", safe=True),
        )


# --------------------------------------------------------------------------
# RC021 url-field-space

_GAP = lazy(r"\s+")
# Characters after or before which an extraction or line break is usual.
_BREAK_NEXT = frozenset("/.?&=#-_:")


@rule(
    code="RC021",
    name="identifier-field-space",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="whitespace inside the address of a 'url' field or the DOI of a 'doi' field.",
    fix="safe",
    formats=("bibtex", "csl-json"),
)
def url_field_space(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Checks `url` fields (BibTeX) and `URL` (CSL-JSON) that hold one address
    starting with a scheme or `www.` for whitespace inside it, and `doi`
    fields for whitespace inside the DOI's suffix (`10.1016/j.neuro
    image…`).  A field that lists several addresses or DOIs separated by
    spaces is left alone, and so are the gaps RC001 reports (after `10.`,
    around the first `/`).

    Why it matters:
    An address or a DOI cannot contain a space: the link breaks at it, or
    the space becomes `%20` and leads elsewhere.

    Example:
    `url = {https://aclanthology. org/2021.acl-long.1}` ->
    `https://aclanthology.org/2021.acl-long.1`.

    Fix safety:
    Safe when every gap sits beside a `/`, `.`, `?`, `&`, `=`, `#`, `-`,
    `_` or `:`, where extraction breaks addresses and no address or DOI has
    a space; otherwise (`…/my file.pdf`, perhaps `my%20file`) only suggested.
    """
    text = doc.text
    for ref in doc.entries():
        yield from _doi_field_space(text, ref)
        found = _field(ref, "url")
        if found is None:
            continue
        value, s, e = found
        if text[s:e] != value:
            continue
        body = value.strip()
        if not _URL_START_ANY_CASE.match(body):
            continue
        gaps = list(_GAP.finditer(body))
        if not gaps:
            continue
        pieces = _GAP.split(body)
        # Several whole addresses, or an address followed by a note.
        if sum(1 for p in pieces if _URL_START.match(p)) > 1:
            continue
        if any(p[:1] in "([" for p in pieces[1:]):
            continue
        safe = all(
            body[g.start() - 1] in _BREAK_NEXT or body[g.end() : g.end() + 1] in _BREAK_NEXT
            for g in gaps
        )
        lead = len(value) - len(value.lstrip())
        start, end = s + lead, s + lead + len(body)
        fixed = "".join(pieces)
        yield Hit(
            start,
            end,
            f"URL broken by whitespace in the url field: '{body}'",
            suggestion=fixed,
            field="url",
            reference=ref,
            fix=Fix(start, end, fixed, safe=safe),
        )


_DOI_START = lazy(r"(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.", regex.I)


def _doi_field_space(text: str, ref: Reference) -> Iterator[Hit]:
    found = _field(ref, "doi")
    if found is None:
        return
    value, s, e = found
    body = value.strip()
    if text[s:e] != value or _DOI_START.match(body) is None:
        return
    gaps = list(_GAP.finditer(body))
    if not gaps:
        return
    slash = body.find("/")
    for g in gaps:
        before = body[: g.start()]
        if slash < 0 or g.start() <= slash + 1 or before.lower().endswith(("10.", "doi.org/")):
            return  # RC001's: a gap in the prefix or beside the first slash
        if _DOI_START.match(body, g.end()):
            return  # several DOIs
    fixed = _GAP.sub("", body)
    safe = all(
        body[g.start() - 1] in _BREAK_NEXT or body[g.end() : g.end() + 1] in _BREAK_NEXT
        for g in gaps
    )
    lead = len(value) - len(value.lstrip())
    start, end = s + lead, s + lead + len(body)
    yield Hit(
        start,
        end,
        f"DOI broken by whitespace in the doi field: '{body}'",
        suggestion=fixed,
        field="doi",
        reference=ref,
        fix=Fix(start, end, fixed, safe=safe),
    )


# --------------------------------------------------------------------------
# RC022 unknown-entry-type

# BibTeX's standard types, biblatex's (manual §2.1) and the common aliases and
# reference-manager types (JabRef, Zotero, Mendeley exports).
# fmt: off
_TYPES = frozenset(
    [
        "article", "book", "booklet", "conference", "inbook", "incollection", "inproceedings",
        "manual", "mastersthesis", "misc", "phdthesis", "proceedings", "techreport",
        "unpublished", "mvbook", "bookinbook", "suppbook", "collection", "mvcollection",
        "incollection", "suppcollection", "dataset", "online", "patent", "periodical",
        "suppperiodical", "mvproceedings", "reference", "mvreference", "inreference", "report",
        "set", "software", "thesis", "xdata", "artwork", "audio", "bibnote", "commentary",
        "image", "jurisdiction", "legislation", "legal", "letter", "movie", "music",
        "performance", "review", "standard", "video", "electronic", "www", "webpage", "customa",
        "customb", "customc", "customd", "custome", "customf", "string", "preamble", "comment",
    ]
)
# fmt: on


@lru_cache(maxsize=1024)
def _nearest_type(kind: str) -> str | None:
    """The one known type ``kind`` is a slip of (one or two edits), if any."""
    if kind in _TYPES or len(kind) < 4:
        return None
    # Imported only for an unknown type: rapidfuzz costs ~6 ms, a fifth of a
    # short file's check, and nearly every entry's type is a standard one.
    from rapidfuzz.distance import OSA

    limit = 1 if len(kind) < 7 else 2
    near = [(OSA.distance(kind, t), t) for t in _TYPES]
    best = min(d for d, _ in near)
    if best == 0 or best > limit:
        return None
    closest = [t for d, t in near if d == best]
    if len(closest) > 1:
        # Slips rarely hit the first letter: "iproceedings" is "inproceedings",
        # not "proceedings".
        closest = [t for t in closest if t[0] == kind[0]]
    return closest[0] if len(closest) == 1 else None


@rule(
    code="RC022",
    name="entry-type-misspelling",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="a BibTeX entry type one or two slips from a standard one ('@inprocedings').",
    fix="unsafe",
    formats=_BIB,
)
def entry_type_misspelling(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Compares each entry's type with the types BibTeX and biblatex define
    (and those reference managers export: `@electronic`, `@webpage`, …).  A
    type that is none of them but one edit (two for long types) from exactly
    one of them is reported with that type as the suggestion.  Unknown types
    far from every standard one (a style's own types) are left alone.

    Why it matters:
    BibTeX prints an entry of unknown type as `@misc`, with a warning few
    read: a conference paper loses its proceedings, pages and publisher.

    Example:
    `@inprocedings{lee2020, …}` -> `@inproceedings`.

    Fix safety:
    Unsafe: a style may define a type of that name; applied with `--fix-typos`.
    """
    text = doc.text
    for ref in doc.entries():
        kind = (ref.entry_type or "").lower()
        right = _nearest_type(kind)
        if right is None:
            continue
        at = text.find("@", ref.start, ref.end)
        if at < 0:
            continue
        start = at + 1
        end = start + len(ref.entry_type or "")
        if text[start:end].lower() != kind:
            continue
        written = text[start:end]
        fixed = right.upper() if written.isupper() else right
        yield Hit(
            start,
            end,
            f"'@{written}' is not an entry type; '@{fixed}' is one slip away",
            suggestion=fixed,
            reference=ref,
            fix=Fix(start, end, fixed, safe=False),
        )


# --------------------------------------------------------------------------
# RC023 doubled-accent

# An accent command, then (through braces) a second accent command or a letter
# that already carries an accent.
_DOUBLED = lazy(
    r"(?P<outer>\\(?P<a>[\"'`^~=.]|[uvHcdbkr](?=[\s{])))\s*\{?\s*"
    r"(?:(?P<inner>\\(?P<b>[\"'`^~=.]|[uvHcdbkr](?=[\s{]))\s*)\{?\s*\\?[a-zA-Z]"
    r"|(?P<c>[^\W\d_]\p{M}*))"
)


def _accented(ch: str) -> bool:
    return len(unicodedata.normalize("NFD", ch)) > 1


@rule(
    code="RC023",
    name="doubled-accent",
    category=Category.SYNTAX,
    severity=Severity.WARNING,
    summary="a LaTeX accent applied twice, or to a letter already accented ('\\\"{ü}').",
    fix="safe",
)
def doubled_accent(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Finds a LaTeX accent command whose letter is itself accented: the same
    or another accent command (`{\\"\\"u}`, `\\'{\\'e}`) or a letter that
    already carries the accent as a Unicode character (`\\"{ü}`, `\\'é`),
    or a Unicode letter carrying the same combining mark twice (`ü` followed
    by U+0308).

    Why it matters:
    The name prints with two marks stacked (ü̈), or LaTeX fails on the
    Unicode letter under the command; the name no longer matches the
    author's.

    Example:
    `author = {M{\\"\\"u}ller, Hans}` -> `M{\\"u}ller`; `Garc\\'{í}a` -> `García`.

    Fix safety:
    Safe when both marks are the same accent: one of them is dropped.  Two
    different accents (`\\'{ü}`) are only reported: which is meant is unknown.
    """
    text = doc.text
    for ref in doc.entries():
        yield from _doubled_marks(text, ref)
        if "\\" not in ref.raw:
            continue
        for m in _DOUBLED.finditer(text, ref.start, ref.end):
            a = m.group("a")
            if m.group("b") is not None:
                # Drop the inner command: the braces stay balanced as written.
                same = a == m.group("b")
                cut = m.span("inner")
            else:
                letter = m.group("c")
                if not _accented(letter):
                    continue
                same = _COMBINING.get(a) == unicodedata.normalize("NFD", letter)[1:]
                cut = m.span("outer")
            start, end = m.start(), m.end()
            written = text[start:end]
            fixed = written[: cut[0] - start] + written[cut[1] - start :]
            yield Hit(
                start,
                end,
                f"accent applied twice in '{written}'",
                suggestion=fixed if same else None,
                reference=ref,
                fix=Fix(cut[0], cut[1], "", safe=True) if same else None,
            )


# A letter with a combining mark, then the same mark again ("ü" + U+0308).
_MARK_AGAIN = lazy(r"\p{L}(\p{Mn}*)(\p{Mn})")
# Any combining mark: a search for one runs 20x faster than _MARK_AGAIN, tried
# at every letter, and nearly every reference has none.
_MARK = lazy(r"\p{Mn}")


def _doubled_marks(text: str, ref: Reference) -> Iterator[Hit]:
    """The same accent twice on one Unicode letter (`ü̈`): one is dropped."""
    raw = ref.raw
    if raw.isascii() or _MARK.search(text, ref.start, ref.end) is None:
        return
    for m in _MARK_AGAIN.finditer(text, ref.start, ref.end):
        letter = unicodedata.normalize("NFD", text[m.start() : m.end()])
        marks = letter[1:]
        if len(marks) < 2 or len(set(marks)) == len(marks):
            continue
        once = unicodedata.normalize("NFC", letter[0] + "".join(dict.fromkeys(marks)))
        yield Hit(
            m.start(),
            m.end(),
            f"accent applied twice in '{text[m.start() : m.end()]}'",
            suggestion=once,
            reference=ref,
            fix=Fix(m.start(), m.end(), once, safe=True),
        )


RULES = (
    author_list_commas,
    repeated_author,
    doi_field_prefix,
    url_field_space,
    entry_type_misspelling,
    doubled_accent,
)
