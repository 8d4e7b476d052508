"""Structure additions (RC450–RC469): values that cannot be right.

An access date before the work appeared or after today, a year outside any
plausible range, a page range that runs backwards.  These need no registry:
the reference contradicts itself or the calendar.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator

import regex

from refcheck.model import Category, Document, Reference, Severity
from refcheck.rules.base import Context, Hit, rule
from refcheck.text.patterns import lazy

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_ACCESSED = lazy(
    r"(?:accessed|retrieved|viewed|consulted|last visited|zugegriffen am|дата обращения)"
    r"[:\s]*(?:on\s+)?(?P<date>[^)\];]{4,40})",
    regex.IGNORECASE,
)
_ISO = lazy(r"(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DMY_NUM = lazy(r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>(?:19|20)\d\d)")
_MDY = lazy(r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>(?:19|20)\d\d)")
_DMY = lazy(r"(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>(?:19|20)\d\d)")
_MY = lazy(r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<y>(?:19|20)\d\d)")
_PAGES = lazy(r"^\s*(\d{1,6})\s*(?:-{1,3}|–|—|−)\s*(\d{1,6})\s*$")
_YEAR_TEXT = lazy(r"\b\d{4,5}\b")
_TRIMMED = lazy(r"\S.*\S|\S")
# A designation before a number: "Open-File Report 2008–1128", "Paper No. 2011-07"
# hold a report or series number (often year–serial), not pages.
_DESIGNATION_BEFORE = lazy(
    r"(?:\b(?:report|rep|no|nos|number|paper|papers|circular|bulletin|series|memorandum|memo|"
    r"publication|pub|document|doc|tr|grant|contract|patent|standard|law|act|resolution)"
    r"\.?|#)\s*$",
    regex.IGNORECASE,
)

EARLIEST_YEAR = 1450  # the printing press; earlier works are cited without a plain year


def parse_date(text: str) -> _dt.date | None:
    """A calendar date from the common written forms, or None."""
    for pattern in (_ISO, _DMY_NUM, _MDY, _DMY, _MY):
        m = pattern.search(text)
        if not m:
            continue
        groups = m.groupdict()
        try:
            year = int(groups["y"])
            if "mon" in groups:
                month = _MONTHS.get(groups["mon"].lower())
                if month is None:
                    continue
            else:
                month = int(groups["m"])
            day = int(groups.get("d") or 1)
            return _dt.date(year, month, day)
        except ValueError:
            continue
    return None


def _accessed(ref: Reference) -> tuple[str, int] | None:
    """The access-date text and its offset in the document."""
    if ref.accessed:
        span = ref.field_spans.get("urldate") or ref.field_spans.get("accessed")
        i = ref.raw.find(ref.accessed)
        if span:
            return ref.accessed, span[0]
        return ref.accessed, ref.start + max(i, 0)
    if ref.format != "text":
        # A BibTeX/CSL entry states its access date in a field; words such as
        # "last visited" elsewhere in it (a note, a Crossref item's own cited
        # references) belong to other works.
        return None
    m = _ACCESSED.search(ref.raw)
    if m:
        return m.group("date"), ref.start + m.start("date")
    return None


def _today(ctx: Context) -> _dt.date:
    value = ctx.options.get("today")
    if isinstance(value, str):
        return _dt.date.fromisoformat(value)
    return _dt.date.today()


@rule(
    code="RC450",
    name="access-date-impossible",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="an access date before the publication year or in the future.",
    options={"today": None},
)
def access_date(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reads the access date of a reference ("accessed 05.06.2020", "Accessed
    January 7, 2017", `urldate = {2020-06-05}`) and flags it when it is
    after today or in a year before the work's publication year.

    Why it matters:
    Nobody consulted a page before it existed or in the future: one of the
    two dates is wrong, usually a typo in the year.

    Example:
    `Smith J. Title. 2019. Available at: https://… (accessed 05.06.2017)`.

    Options:
    `today` (ISO date, default: the real date): the date taken as today.
    """
    today = _today(ctx)
    for ref in doc.entries():
        found = _accessed(ref)
        if found is None:
            continue
        raw_date, offset = found
        date = parse_date(raw_date)
        if date is None:
            continue
        m = _TRIMMED.search(raw_date)
        start = offset + (m.start() if m else 0)
        end = offset + (m.end() if m else len(raw_date))
        if date > today:
            yield Hit(start, end, f"access date {date.isoformat()} is in the future", reference=ref)
        elif ref.year is not None and date.year < ref.year:
            yield Hit(
                start,
                end,
                f"access date {date.isoformat()} is before the publication year {ref.year}",
                reference=ref,
            )


@rule(
    code="RC451",
    name="year-out-of-range",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="a publication year before 1450 or after next year.",
    options={"today": None},
)
def year_out_of_range(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Flags a publication year earlier than 1450 or later than next year
    (forthcoming works carry next year at most), and a BibTeX year that is
    five digits long.  A biblatex date before the common era (`date =
    {-3000~}`, EDTF) has no year to judge.

    Why it matters:
    Such a year is a typo ("20019", "1019") that breaks sorting, author-year
    citations and registry matching.

    Example:
    `year = {20019}` or `Smith, J. (2091). Title.`

    Options:
    `today` (ISO date, default: the real date): the date taken as today.
    """
    latest = _today(ctx).year + 1
    for ref in doc.entries():
        span = ref.field_spans.get("year") or ref.field_spans.get("date")
        raw_year = ref.fields.get("year") or ref.fields.get("date")
        if raw_year is not None and span is not None:
            m = _YEAR_TEXT.search(raw_year)
            if m and len(m.group()) == 5:
                s = span[0] + max(0, doc.text.find(m.group(), span[0], span[1]) - span[0])
                yield Hit(s, s + 5, f"year '{m.group()}' has five digits", reference=ref)
                continue
        if ref.year is None or EARLIEST_YEAR <= ref.year <= latest:
            continue
        text = str(ref.year)
        if span is not None:
            i = doc.text.find(text, span[0], span[1])
        else:
            i = doc.text.find(text, ref.start, ref.end)
        start, end = (i, i + len(text)) if i >= 0 else (ref.start, ref.start)
        when = "in the future" if ref.year > latest else f"before {EARLIEST_YEAR}"
        yield Hit(start, end, f"publication year {ref.year} is {when}", reference=ref, field="year")


def expand_range(first: str, last: str) -> tuple[int, int]:
    """Page numbers of a range, expanding abbreviations ("1234-56" is 1234–1256)."""
    a = int(first)
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return a, int(last)


@rule(
    code="RC452",
    name="page-range-reversed",
    category=Category.STRUCTURE,
    severity=Severity.WARNING,
    summary="a page range whose last page comes before its first.",
)
def page_range_reversed(doc: Document, ctx: Context) -> Iterator[Hit]:
    """What it does:
    Reads the pages of a reference and flags a range whose end is smaller
    than its start, after expanding abbreviated ranges ("1234–56" means
    1234–1256 and is fine).

    Why it matters:
    A reversed range is a typo that makes registry matching fail and sends
    readers to the wrong pages.

    In a plain-text reference, numbers right after a designation
    ("Open-File Report 2008–1128", "Paper No. 2011-07") are a report or
    series number, not pages, and are left alone.

    Example:
    `pp. 351-335`.
    """
    for ref in doc.entries():
        if not ref.pages:
            continue
        m = _PAGES.match(ref.pages)
        if not m:
            continue
        first, last = expand_range(m.group(1), m.group(2))
        if last >= first:
            continue
        span = ref.field_spans.get("pages")
        if ref.format == "text" and _designated(ref):
            continue
        if span is not None:
            start, end = span
        else:
            i = ref.raw.find(ref.pages)
            start, end = (
                (ref.start + i, ref.start + i + len(ref.pages))
                if i >= 0
                else (
                    ref.start,
                    ref.start,
                )
            )
        yield Hit(
            start,
            end,
            f"page range '{ref.pages.strip()}' ends before it starts ({last} < {first})",
            reference=ref,
            field="pages",
        )


def _designated(ref: Reference) -> bool:
    """Whether a text reference's "pages" follow a designation ("Report 2008–1128")."""
    if not ref.pages:
        return False
    i = ref.raw.find(ref.pages)
    return i >= 0 and _DESIGNATION_BEFORE.search(ref.raw, max(0, i - 30), i) is not None


RULES = (access_date, year_out_of_range, page_range_reversed)
