"""The identifiers a reference states: DOIs, ISBNs, ACL Anthology and OpenReview IDs.

Both :mod:`refcheck.net.services` and the source modules read them; keeping
them here (importing only :mod:`refcheck.net.crossref`'s DOI normalisation)
lets sources import them at module level without a circle through services.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from refcheck.model import Reference
from refcheck.net.crossref import doi_from_link, normalise_doi

__all__ = ["acl_id", "doi_from_link", "isbn", "isbn_valid", "openreview_id", "reference_dois"]


def reference_dois(ref: Reference) -> list[str]:
    """The DOIs a reference states, in its DOI fields or as doi.org links."""
    out: list[str] = []
    for value in [ref.doi, *ref.dois, *(doi_from_link(u) for u in ref.urls)]:
        if value:
            doi = normalise_doi(value)
            if doi.startswith("10.") and "/" in doi and doi not in out:
                out.append(doi)
    return out


# -- ISBN ---------------------------------------------------------------------------------

# "ISBN 978-0-262-03384-8", "ISBN-13: 9780262033848", "ISBN 0-262-03384-4".
_ISBN_TEXT = re.compile(r"\bISBN(?:-1[03])?\s*:?\s*((?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dX])\b",
                        re.I)


def isbn_valid(digits: str) -> bool:
    """Does the ISBN-10 or ISBN-13 check digit hold?  (A typo is not looked up.)"""
    if len(digits) == 10 and re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if len(digits) == 13 and digits.isdigit():
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits))
        return total % 10 == 0
    return False


def isbn(ref: Reference) -> str | None:
    """The first valid ISBN a reference states (BibTeX ``isbn`` field, then its text)."""
    candidates = re.split(r"[,;]|\s(?=\d{9})", ref.fields.get("isbn", ""))
    candidates += [m.group(1) for m in _ISBN_TEXT.finditer(ref.raw)]
    for text in candidates:
        digits = re.sub(r"[\s-]", "", text).upper()
        if isbn_valid(digits):
            return digits
    return None


# -- ACL Anthology ------------------------------------------------------------------------

# New IDs (2020-): "2020.acl-main.1", "2021.findings-emnlp.3"; old ones: "P19-1001", "W12-3903".
_ACL_NEW = r"\d{4}\.[a-z0-9]+(?:-[a-z0-9]+)*\.\d+"
_ACL_OLD = r"[A-Z]\d{2}-\d{4}"
# aclweb.org/anthology/ is the anthology's address before 2020, still cited and redirected.
_ACL_URL = re.compile(rf"(?:aclanthology\.org|aclweb\.org/anthology)/({_ACL_NEW}|{_ACL_OLD})"
                      rf"(?:\.pdf|\.bib|/)?(?![\w.])", re.I)
_ACL_DOI = re.compile(rf"^10\.18653/v1/({_ACL_NEW}|{_ACL_OLD})$", re.I)


def _acl_canonical(ident: str) -> str:
    # Old-style IDs are upper-case letters; DOIs reach here lower-cased by normalisation.
    return ident.upper() if re.fullmatch(_ACL_OLD, ident, re.I) else ident.lower()


def acl_id(ref: Reference) -> str | None:
    """The ACL Anthology ID of a reference, from an anthology URL or a 10.18653/v1 DOI."""
    for doi in reference_dois(ref):
        m = _ACL_DOI.match(doi)
        if m:
            return _acl_canonical(m.group(1))
    for text in [*ref.urls, ref.raw]:
        m = _ACL_URL.search(text or "")
        if m:
            return _acl_canonical(m.group(1))
    return None


# -- OpenReview ---------------------------------------------------------------------------

_OPENREVIEW_URL = re.compile(r"https?://(?:www\.)?openreview\.net/(?:forum|pdf)\?[^\s}>\"]+",
                             re.I)


def openreview_id(ref: Reference) -> str | None:
    """The OpenReview note ID of a forum or PDF link (``openreview.net/forum?id=…``)."""
    for text in [*ref.urls, ref.raw]:
        for m in _OPENREVIEW_URL.finditer(text or ""):
            ident = (parse_qs(urlsplit(m.group(0)).query).get("id") or [""])[0]
            if re.fullmatch(r"[A-Za-z0-9_\-]{5,}", ident):
                return ident
    return None
