"""The hand-written field reader (see ``refcheck/parsers/fields.py``).

Identifiers (DOIs, URLs and their pieces broken by a space, access dates)
are found first and blanked out with spaces so offsets stay valid; then an
author list is read from the start (``names.py``); the title is the quoted
text or the next sentence (in a note, "Name, Title, Container", up to the
next comma before a capital); the container runs to the first locator; when
the title is unquoted and no volume, issue or pages follow, the segment is a
book's publisher, a series or a description, and a container is set only
when the name reads like a periodical: a false container is worse than none.
"""

from __future__ import annotations

import re

from refcheck.model import Author, Reference
from refcheck.parsers.fieldpatterns import (
    _ABBR_TAIL,
    _ACCESSED_RE,
    _BARE_VOLUME,
    _CORP,
    _DAY_DATE,
    _DMY,
    _DOI_RE,
    _EDITED_BY,
    _EDS_PAREN,
    _EDS_TRAIL,
    _GENRE,
    _GOST_PUB,
    _IN_RE,
    _ISS_KW,
    _JOURNAL_WORDS,
    _LEAD_DATE,
    _LEAD_YEAR,
    _LOCATOR_START,
    _NAT_THEN_DATE,
    _ONLY_DATES,
    _OTHER_ID_RE,
    _PAGE_COUNT,
    _PAGES_KW,
    _PIN_ONLY,
    _PLACE_PUB,
    _PREFIX_RE,
    _PUBLISHER_WORDS,
    _QUOTES,
    _RANGE,
    _REPOSITORY,
    _STRONG_LOC,
    _THESIS,
    _TRAILING_DATE,
    _URL_PIECE,
    _URL_RE,
    _VANC_PUB,
    _VCP,
    _VIP,
    _VOL_KW,
    _VP,
    _YEAR_RE,
    _YEAR_SPAN,
    _blank,
    _clean_doi,
    _clean_url,
    _comma_stop,
    _name_like,
    _place_like,
    _publisher_like,
    _sentence_end,
    _strip_span,
)
from refcheck.parsers.names import (
    _LABEL_RE,
    _LITERAL_YEAR,
    DASHES,
    MONTHS,
    _best_names,
)

# Patterns the reader tries on every reference, compiled once (inline
# ``re.search(rf"{MONTHS}…")`` rebuilt its pattern and looked it up in re's
# cache at every call).
_OPEN_QUOTE = re.compile(r"[“\"‘«„]")
_PAREN_YEAR = re.compile(r"\((?:1[5-9]\d\d|20\d\d)[a-z]?(?:,[^()]{0,30})?\)|\(n\.\s?d\.\)")
_ENDS_DATED = re.compile(rf"(?:\d|{MONTHS}\.?)\s*$")
_WORD_CHAR = re.compile(r"\w")
_EDS_AFTER = re.compile(r"[.,]?\s*\(?(?:eds?|Eds?)\.\)?(?=[\s,.]|$)")
_CLOSING_APOSTROPHE = re.compile(r"'(?=[,.;:?!]?(?:\s|$))")
_MEDIUM = re.compile(r"(?i)online|electronic|internet")
_IN_INSIDE = re.compile(r"\.?\s+In:?\s+")
_BRACKETED = re.compile(r"[.,]?\s*\[([^\[\]]{3,400})\]")
_STOP_THEN_WORD = re.compile(r"\.\s+[^\W\d_]")
_YEAR_ALONE = re.compile(r"\(?(1[5-9]\d\d|20\d\d)([a-z])?\)?[.,](?=\s|$)\s*")
_SHORT_WORD_END = re.compile(r"(?:^|\s)[A-Z][a-z]{0,5}$")
_PAREN_PAGES_EDS = re.compile(r" \((?:pp?\.|[Ee]ds?\.|[Ee]ditors?)")
_LETTER = re.compile(r"[^\W\d_]")
_PAGES_WORD = re.compile(r"(?:pp?\.|[Pp]ages)\s*\d")
_LAST_PART = re.compile(r",\s+([^,]{2,80})$")
_COMMA_DATE = re.compile(rf"\s*,\s*(?:{MONTHS},?\s+)?\d{{4}}")
_DAY_DATE_AHEAD = re.compile(rf"[\s.,;]*{_DAY_DATE}")
_SEMICOLON_YEAR = re.compile(r"\s*;\s*\d{4}")
_SENTENCE_AFTER = re.compile(r"[.?!]\s+[^\W\d_]")
_TRANSLATED_TAIL = re.compile(r"\s\[([^\[\]]{3,200})\]$")
_SEPARATOR = re.compile(r"[.,]?\s*")
_SEGMENT = re.compile(r"(?:^|(?<=[.]))\s*([^.]{3,160})")
_DASH = re.compile(f"[{DASHES}]")
_PP_BEFORE = re.compile(r"(?<!\w)pp?\.\s*$")
_BARE_VOLUME_END = re.compile(
    r"[\s,;.]*(?P<y>(?:1[5-9]\d\d|20\d\d)\s*;\s*)?(\d{1,4}[A-Za-z]?)[\s.]*$"
)
_NOT_PAGES_BEFORE = re.compile(rf"{MONTHS}\.?\s*$|\(\s*$|[Nn]o\.?\s*$")
_DIGITS = re.compile(r"\d+")
_LOCATOR_WORD_BEFORE = re.compile(r"(?:[Vv]ol|[Nn]o|pp?)\.?\s*$")
_THESIS_WORD = re.compile(r"\b(?:thesis|dissertation|ph\.?\s?d\b|master|диссертац)")
_REPORT_WORD = re.compile(r"\b(?:report|working paper|policy brief|research paper|white paper)\b")
_EVENT_WORD = re.compile(r"proceedings|conference|symposium|workshop")
# The part of _DOI_RE every match holds, found without trying its optional
# lead ("https://doi.org/", "doi:") at every place.
_DOI_CORE = re.compile(r"10\.\d{4,9}/[^\s\"]")
# The words _ACCESSED_RE needs, found without its per-position lead.
_ACCESS_HINT = re.compile(r"ccessed|etrieved|iewed|onsulted|дата обращения")


class _Filler:
    def __init__(self, ref: Reference) -> None:
        self.ref = ref
        self.s = ref.raw or ""
        self.spans: dict[str, tuple[int, int]] = {}
        self.title_start = -1  # where an unquoted title starts
        self.m, self.pos0 = self.s, 0
        self.comma_mode = False  # a note: "Given Family, Title, …"
        # Segments judged not to be a container (a thesis or book description).
        self.not_container: list[tuple[int, int]] = []
        self._text_kind: str | None = None  # "thesis", "report" or "" once read
        self._lower = ""

    def put(self, name: str, a: int, b: int, strip: str = " \t\n.,;:") -> str | None:
        a, b = _strip_span(self.s, a, b, strip)
        if b <= a:
            return None
        self.spans[name] = (a, b)
        return " ".join(self.s[a:b].split()) if "\n" in self.s[a:b] else self.s[a:b]

    def run(self) -> None:
        s = self.s
        ref = self.ref
        lab = _LABEL_RE.match(s)
        pos0 = lab.end() if lab else 0
        chars = list(s)
        self._identifiers(chars)
        m = "".join(chars)
        n = len(m)
        # Kept for the learned labeller, which reads the same blanked text.
        self.m, self.pos0 = m, pos0

        # Authors: bounded by a parenthesised year or an opening quote when present.
        limit = n
        q = _OPEN_QUOTE.search(m[pos0:])
        qpos = pos0 + q.start() if q else -1
        pm = _PAREN_YEAR.search(m, pos0)
        if pm:
            limit = pm.start()
        if qpos >= 0 and qpos < limit:
            limit = qpos
        names = _best_names(m, pos0, limit)
        cur = names.end
        if not names.authors and m[pos0 : pos0 + 1] not in _QUOTES:
            # An institution ("UNODC. 2010.") before a year in the lead.
            lm = _LITERAL_YEAR.search(m, pos0, min(n, pos0 + 70))
            if lm and lm.start() > pos0:
                a, b = _strip_span(s, pos0, lm.start())
                block = s[a:b]
                if (
                    b > a
                    and len(block.split()) <= 6
                    and _sentence_end(m, a, b) == b
                    # "Declaration, 5 September 2008.": a dated document, not an author;
                    # "CST Memorandum 2000.": nothing follows, so it is the title.
                    and not _ENDS_DATED.search(block)
                    and _WORD_CHAR.search(m, lm.end()) is not None
                ):
                    names.authors.append((block, None, a, b))
                    names.scheme = "literal"
                    cur = b
        if (
            names.scheme == "natural"
            and len(names.authors) == 1
            and "." not in (names.authors[0][1] or "")
            and _NAT_THEN_DATE.match(m, cur)
        ):
            # "Kyrgyzstan Army. 2010." / "Nezavisimaya Gazeta. 27 September 2000.":
            # author-date lists put a person's family name first, so a name in
            # natural order before the date is an institution or a periodical.
            a, b = names.authors[0][2], names.authors[0][3]
            names.authors[0] = (s[a:b], None, a, b)
            names.literals = {0}
        if names.authors:
            ref.authors = [
                Author(f, g, literal=names.scheme == "literal" or i in names.literals)
                for i, (f, g, _, _) in enumerate(names.authors)
            ]
            self.spans["authors"] = (names.authors[0][2], names.authors[-1][3])
        # Chicago "Curtis, Glen. ed. 1996." or "Starr S.F., eds."
        eds = _EDS_AFTER.match(m, cur)
        if eds and names.authors:
            cur = eds.end()
            # The names heading an edited book are its editors.
            ref.editors = [Author(a.family, a.given, a.literal) for a in ref.authors]

        # A year right after the authors (APA, Harvard, Chicago author-date).
        ly2 = _LEAD_YEAR.match(m, cur) or _LEAD_DATE.match(m, cur)
        if ly2:
            if ly2.re is _LEAD_DATE:
                self._set_year(ly2.group(1), None, ly2.start(1))
            else:
                y = ly2.group(1) or ly2.group(3)
                if y:
                    suf = ly2.group(2) or ly2.group(4)
                    ys = ly2.start(1) if ly2.group(1) else ly2.start(3)
                    self._set_year(y, suf, ys)
            cur = ly2.end()

        # Title.
        while cur < n and m[cur] in " \t\n.,:;":
            cur += 1
        comma_mode = (
            names.scheme == "natural"
            and m[names.end : names.end + 1] == ","
            and m[cur : cur + 1] not in _QUOTES
        )
        self.comma_mode = comma_mode
        title_end = cur
        title_quoted = False
        if cur < n and m[cur] in _QUOTES:
            close = _QUOTES[m[cur]]
            if close == "'":
                cm = _CLOSING_APOSTROPHE.search(m, cur + 1)
                j = cm.start() if cm else -1
            else:
                j = m.find(close, cur + 1)
            if j > cur:
                ref.title = self.put("title", cur + 1, j, " \t\n,.;:")
                title_end = j + 1
                title_quoted = True
        else:
            stop = n
            if comma_mode:
                stop = _comma_stop(m, cur, n)
            end = _sentence_end(m, cur, stop)
            # GOST: the translation in brackets closes the title, even when
            # the title itself has a full stop ("Radary na Tashkent. Uzbekistan ...").
            br = m.find(" [", cur, min(stop, cur + 400))
            if br > 0:
                cbr = m.find("]", br, br + 400)
                inner = m[br + 2 : cbr] if cbr > 0 else ""
                if len(inner.split()) >= 2 and not _MEDIUM.match(inner):
                    end = br
            inm = _IN_INSIDE.search(m, cur, end)
            if inm and inm.start() > cur:
                end = inm.start()
            # "Concept of Collective Security, 10 February 1995.": a dated document
            # whose date closes the reference is not part of its title.
            td = _TRAILING_DATE.search(m, cur, end)
            after_title = end
            if td and not m[end:].strip(" \t\n.,;"):
                if ref.year is None:
                    self._set_year(td.group(1), None, td.start(1))
                end = td.start()
            if end > cur:
                ref.title = self.put("title", cur, end, " \t\n,.;:")
                title_end = after_title
                self.title_start = cur
        cur = title_end
        # GOST: "Title [English translation]."
        tm = _BRACKETED.match(m, cur)
        if tm and ref.title:
            ref.translated_title = self.put("translated_title", tm.start(1), tm.end(1))
            cur = tm.end()

        self._container_and_rest(m, cur, comma_mode, title_quoted)
        self._finish(m, pos0)

    # -- identifiers --------------------------------------------------------

    def _identifiers(self, chars: list[str]) -> None:
        s = self.s
        ref = self.ref
        dois: list[str] = []
        taken: list[tuple[int, int]] = []
        # Each identifier pattern needs a piece ("10.1234/", "http", "www.",
        # "ccessed" …); most references hold none and skip the scan.
        for mm in _DOI_RE.finditer(s, _doi_scan_start(s)) if _DOI_CORE.search(s) else ():
            doi = _clean_doi(mm.group(1))
            a = mm.start(1)
            if not dois:
                self.spans["doi"] = (a, a + len(doi))
            dois.append(doi)
            start = mm.start()
            pre = _PREFIX_RE.search(s[max(0, start - 40) : start])
            if pre:
                start = max(0, start - 40) + pre.start()
            taken.append((mm.start(), a + len(doi)))
            _blank(chars, start, a + len(doi))
        urls: list[str] = []
        for mm in _URL_RE.finditer(s) if "http" in s or "www." in s else ():
            if any(a <= mm.start() < b for a, b in taken):
                continue
            url = _clean_url(mm.group())
            if "doi.org/" in url.lower():
                continue
            if not urls:
                self.spans["urls"] = (mm.start(), mm.start() + len(url))
            urls.append(url)
            start = mm.start()
            pre = _PREFIX_RE.search(s[max(0, start - 40) : start])
            if pre:
                start = max(0, start - 40) + pre.start()
            _blank(chars, start, mm.start() + len(url))
            # A URL broken by a space in PDF text ("http://www.glo- balsecurity.org/…"):
            # its pieces are no title or container.
            end = mm.start() + len(url)
            for _ in range(6):
                piece = _URL_PIECE.match(s, end)
                if piece is None or not (
                    s[end - 1 : piece.start(1)].strip()[-1:] in tuple("-/.=?&%_#")
                    or s[end - 1] in "-/.=?&%_#"
                    or "/" in piece.group(1)
                ):
                    break
                _blank(chars, piece.start(1), piece.end(1))
                end = piece.end(1)
        text = "".join(chars)
        acc = _ACCESSED_RE.search(text) if _ACCESS_HINT.search(text) else None
        if acc:
            ref.accessed = acc.group(1)
            self.spans["accessed"] = (acc.start(1), acc.end(1))
            _blank(chars, acc.start(), acc.end())
            text = "".join(chars)
        if "PM" in text or "IS" in text or "arXiv" in text:
            for mm in _OTHER_ID_RE.finditer(text):
                _blank(chars, mm.start(), mm.end())
        if dois:
            ref.doi = dois[0]
            ref.dois = dois
        ref.urls = urls

    # -- container, locators, publisher -----------------------------------

    def _container_and_rest(self, m: str, cur: int, comma_mode: bool, quoted: bool) -> None:
        ref = self.ref
        n = len(m)
        while cur < n and m[cur] in " \t\n.,:;?!”’\"'»":
            cur += 1
        chapter = False
        im = _IN_RE.match(m, cur)
        if im:
            chapter = True
            cur = im.end()
            # "In: Reiter, Erich and Gärtner, Heinz. Small States and Alliances."
            ed = _best_names(m, cur, min(n, cur + 300))
            if (
                ed.authors
                and not ed.literals
                and (len(ed.authors) > 1 or ed.scheme != "natural")
                and _STOP_THEN_WORD.match(m[ed.end : ed.end + 3])
            ):
                ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                cur = ed.end + 1
            # APA: "In A. Editor & B. Editor (Eds.), Book"
            ep = _EDS_PAREN.search(m, cur, min(n, cur + 300))
            if ep:
                ed = _best_names(m, cur, ep.start())
                if ed.authors:
                    ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                    cur = ep.end()
        yl = _YEAR_ALONE.match(m, cur)
        if yl:
            # Chicago author-date without an author: "“Title.” 2010. Stratfor."
            if self.ref.year is None:
                self._set_year(yl.group(1), yl.group(2), yl.start(1))
            cur = yl.end()
        cont_start = cur
        loc = _LOCATOR_START.search(m, cur + 1) if cur < n else None
        stop = loc.start() if loc else n
        if comma_mode:
            c = _comma_stop(m, cur, n)
            if 0 < c < stop:
                stop = c
        end = _sentence_end(m, cur, stop)
        # Abbreviated journal titles keep their dots: "J. Comp. Neurol. 2001;435".
        if (
            end < stop
            and _SHORT_WORD_END.search(m[max(cur, end - 9) : end])
            and _ABBR_TAIL.fullmatch(m, end + 1, stop)
            and "." in m[end + 1 : stop + 1]
            # Another abbreviation before, or several after ("Agency. Moscow." is two sentences).
            and ("." in m[cur:end] or len(m[end + 1 : stop].split()) >= 2)
        ):
            end = stop
        br = m.find(" (", cur, end)
        if br > 0 and _PAREN_PAGES_EDS.match(m[br : br + 8]):
            end = br
        eb = _EDITED_BY.search(m, cur, end)
        if eb:
            ed = _best_names(m, eb.end(), n)
            if ed.authors:
                ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
            end = eb.start()
            chapter = True
        et = _EDS_TRAIL.search(m, cur, min(n, end + 8))
        if et and not ref.editors:
            ed = _best_names(m, cur, et.start())
            if ed.authors:
                ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                chapter = True
                cur = cont_start = et.end()
                while cur < n and m[cur] in " .,":
                    cur += 1
                cont_start = cur
                end = _sentence_end(m, cur, n)
        if (
            not chapter
            and not quoted
            and loc is not None
            and end < stop
            and self.title_start >= 0
            and _STRONG_LOC.match(m, stop)
        ):
            end, cont_start = self._last_sentence_container(m, cont_start, stop, end)
        container = None
        cont_has_loc = True
        if end > cont_start and _LETTER.search(m, cont_start, end):
            a, b = _strip_span(m, cont_start, end, " \t\n.,;:")
            seg = m[a:b]
            pp = _PLACE_PUB.match(seg)
            gp = _GOST_PUB.match(seg)
            after = m[b:]
            has_loc = bool(_VOL_KW.search(after) or _ISS_KW.search(after) or _VIP.search(after))
            has_loc = has_loc or bool(_PAGES_WORD.search(after))
            has_loc = has_loc or bool(_RANGE.match(after.lstrip(" ,:")))
            has_loc = has_loc or bool(
                _VP.search(after) or _VCP.search(after) or _BARE_VOLUME.match(after)
            )
            if comma_mode and _PIN_ONLY.fullmatch(after[:200]):
                has_loc = False  # a note's cited page: "…, Oxford University Press, 2012, p. 45."
            cont_has_loc = has_loc
            pubm = _LAST_PART.search(seg)
            # Nothing but dates and punctuation follows: the segment closes the reference.
            last = len(after) < 300 and _ONLY_DATES.fullmatch(after) is not None
            if pp and not has_loc and not chapter:
                self._publisher(a, pp)
            elif (
                gp
                and _place_like(gp.group("place"))
                and not has_loc
                and _COMMA_DATE.match(after)
                and (_PUBLISHER_WORDS.search(gp.group("pub")) or _PAGE_COUNT.search(after))
            ):
                self._publisher(a, gp)
            elif chapter:
                container = self.put("container", a, b)
                ref.container = container
            elif _GENRE.fullmatch(seg):
                pass  # "Report.", "Working Paper.": a kind of work, not its source
            elif _DAY_DATE_AHEAD.match(after):
                # "Novaya gazeta, 10.07.2019.": a source dated to the day is a periodical.
                ref.container = self.put("container", a, b)
            elif _THESIS.search(seg) or (_PAGE_COUNT.search(after) and not has_loc):
                # "A Thesis Submitted to …", "… 2005. 25 p.": a description of a
                # thesis or a whole book, not a container.
                self.not_container.append((a, b))
            elif _REPOSITORY.match(seg) or _SEMICOLON_YEAR.match(after):
                # A preprint server, or Vancouver's "Publisher; 2021."
                ref.publisher = self.put("publisher", a, b)
            elif pubm and _publisher_like(pubm.group(1)) and not _CORP.fullmatch(pubm.group(1)):
                # MLA: "Container, Publisher, 2012": the last part names the publisher.
                ref.container = self.put("container", a, a + pubm.start())
                ref.publisher = self.put("publisher", a + pubm.start(1), b)
            elif (
                b > a
                and not has_loc
                and _publisher_like(seg)
                and _name_like(seg)
                and not _SENTENCE_AFTER.search(m[b:].strip())
            ):
                # "Title. Cornell University Press." at the end: a book's publisher.
                ref.publisher = self.put("publisher", a, b)
            elif not has_loc and not quoted and not _JOURNAL_WORDS.search(seg):
                # An unquoted title with no volume, issue or pages is a book, a
                # report or a preprint: what follows it names its publisher when
                # it closes the reference, else a series or an institution.
                if last and len(seg.split()) <= 8 and _name_like(seg):
                    ref.publisher = self.put("publisher", a, b)
            elif b > a:
                tr = _TRANSLATED_TAIL.search(seg)
                if tr:
                    # GOST: "Book [Translated book title]": the container is the book.
                    ref.fields["translated_container"] = tr.group(1)
                    b = a + tr.start()
                container = self.put("container", a, b)
                ref.container = container
        rest_from = end
        if ref.container and not ref.editors:
            # GOST: "Book. Starr S.F., Cornell S.E., eds. Place, …"
            ed_at = _SEPARATOR.match(m, end)
            # Names are read only when an "eds." follows somewhere to end them.
            if ed_at and _EDS_TRAIL.search(m, ed_at.end()):
                ed = _best_names(m, ed_at.end(), min(n, ed_at.end() + 300))
                et2 = _EDS_TRAIL.match(m, ed.end) if ed.authors else None
                if et2:
                    ref.editors = [Author(f, g) for f, g, _, _ in ed.authors]
                    chapter = True
                    rest_from = et2.end()
        if ref.publisher is None and (
            ref.container is None or chapter or not cont_has_loc or rest_from > end
        ):
            # A book: "Title. Place: Publisher." further on.
            for seg_m in _SEGMENT.finditer(m[rest_from:]):
                sa = rest_from + seg_m.start(1)
                seg = seg_m.group(1)
                pp = _PLACE_PUB.match(seg)
                gp = _GOST_PUB.match(seg)
                if gp and gp.group("year") and _publisher_like(gp.group("pub")):
                    pp = gp
                if pp:
                    self._publisher(sa, pp)
                    break
                vp = _VANC_PUB.match(seg)
                if vp and _name_like(vp.group(1)):
                    # Vancouver: "Publisher; 2015."
                    ref.publisher = self.put("publisher", sa + vp.start(1), sa + vp.end(1))
                    break
        self._locators(m, rest_from)
        if comma_mode:
            self._pinpoint()
        if chapter and ref.container:
            ref.entry_type = "chapter"

    def _last_sentence_container(self, m: str, start: int, stop: int, end: int) -> tuple[int, int]:
        """Several sentences between an unquoted title and a journal's
        locators: the journal is the last one ("Title. Subtitle. Journal, 39(12),
        979–988"); the others continue the title, or name an institution."""
        pieces: list[tuple[int, int]] = []
        p = start
        while p < stop and len(pieces) < 4:
            e = _sentence_end(m, p, stop)
            a, b = _strip_span(m, p, e)
            if b > a:
                pieces.append((a, b))
            p = e + 1
        if p < stop or not 2 <= len(pieces) <= 3:
            return end, start
        (la, lb), mids = pieces[-1], pieces[:-1]
        last = m[la:lb]
        if _publisher_like(last) or not re.search(r"[^\W\d_]", last) or _IN_RE.match(last):
            return end, start
        if any(_EDS_TRAIL.search(m, a, b) or _IN_RE.match(m, a) for a, b in mids):
            return end, start
        if all(_publisher_like(m[a:b]) and _name_like(m[a:b]) for a, b in mids):
            self.ref.publisher = self.put("publisher", mids[0][0], mids[0][1])
        else:
            self.ref.title = self.put("title", self.title_start, mids[-1][1], " \t\n,.;:")
        return stop, la

    def _pinpoint(self) -> None:
        """In a note ("Name, Title, Journal, 19(3), 1994, p. 9.") a single
        page is the page cited, not the work's extent: keep it apart."""
        ref = self.ref
        if ref.pages is None or _DASH.search(ref.pages):
            return
        a = self.spans["pages"][0]
        if not _PP_BEFORE.search(self.s[max(0, a - 6) : a]):
            return
        ref.fields["pinpoint"] = ref.pages
        self.spans["pinpoint"] = self.spans.pop("pages")
        ref.pages = None

    def _publisher(self, base: int, mm: re.Match[str]) -> None:
        self.ref.place = self.put("place", base + mm.start("place"), base + mm.end("place"))
        self.ref.publisher = self.put("publisher", base + mm.start("pub"), base + mm.end("pub"))

    def _locators(self, m: str, start: int) -> None:
        ref = self.ref
        used: list[tuple[int, int]] = []
        for pat, name in ((_VOL_KW, "volume"), (_ISS_KW, "issue"), (_PAGES_KW, "pages")):
            mm = pat.search(m, start)
            if mm:
                setattr(ref, name, self.put(name, mm.start(1), mm.end(1), " "))
                used.append((mm.start(), mm.end()))
        if ref.volume is None:
            vip = _VIP.search(m, start)
            vp = _VP.search(m, start)
            vcp = _VCP.search(m, start)
            best = min(
                (
                    x
                    for x in (vip, vp, vcp)
                    if x is not None
                    and not self._is_year_span(m, x)
                    and not any(a <= x.start(1) < b for a, b in used)
                    and not (x.re is _VCP and _YEAR_RE.fullmatch(x.group(1)))
                ),
                key=lambda x: x.start(),
                default=None,
            )
            if best is not None:
                ref.volume = self.put("volume", best.start(1), best.end(1), " ")
                if best.re is _VIP:
                    if ref.issue is None:
                        ref.issue = self.put("issue", best.start(2), best.end(2), " ")
                    if best.group(3) and ref.pages is None:
                        ref.pages = self.put("pages", best.start(3), best.end(3), " ")
                elif ref.pages is None:
                    ref.pages = self.put("pages", best.start(2), best.end(2), " ")
                used.append((best.start(), best.end()))
        if ref.volume is None and ref.container:
            # "Frontiers in Genetics, 8." / "2017;8.": a bare volume closing the reference.
            vm = _BARE_VOLUME_END.match(m, start)
            if vm and (vm.group("y") or not _YEAR_RE.fullmatch(vm.group(2))):
                ref.volume = self.put("volume", vm.start(2), vm.end(2), " ")
        if ref.pages is None:
            for mm in _RANGE.finditer(m, start):
                a, b = mm.span(1)
                if any(x <= a < y for x, y in used):
                    continue
                before = m[max(0, a - 12) : a]
                if _NOT_PAGES_BEFORE.search(before):
                    continue
                nums = _DIGITS.findall(mm.group(1))
                if len(nums) == 2 and all(1500 <= int(x) <= 2099 for x in nums):
                    continue
                ref.pages = self.put("pages", a, b, " ")
                break

    @staticmethod
    def _is_year_span(m: str, mm: re.Match[str]) -> bool:
        # "2015;53(4)": the year before a semicolon is not a volume.
        return m[mm.end(1) : mm.end(1) + 1] == ";"

    def _set_year(self, y: str, suffix: str | None, at: int) -> None:
        self.ref.year = int(y)
        self.ref.year_suffix = suffix
        self.spans["year"] = (at, at + len(y))

    def _finish(self, m: str, pos0: int) -> None:
        ref = self.ref
        if ref.year is None:
            skip = [
                self.spans[k]
                for k in ("title", "translated_title", "volume", "pages", "issue")
                if k in self.spans
            ]
            if "container" in self.spans:
                skip.append(self.spans["container"])
            best: tuple[int, int, re.Match[str]] | None = None
            for mm in _YEAR_RE.finditer(m, pos0):
                a = mm.start(1)
                if any(x <= a < y for x, y in skip):
                    continue
                before = m[max(0, a - 6) : a]
                after = m[mm.end() : mm.end() + 2]
                if _LOCATOR_WORD_BEFORE.search(before):
                    continue
                score = 0
                if after[:1] in (";", ")") or before.endswith("("):
                    score += 2
                if after[:1] in (",", ".", ";", "") or after[:1].isspace():
                    score += 1
                if best is None or score > best[0]:
                    best = (score, a, mm)
            if best is not None:
                self._set_year(best[2].group(1), best[2].group(2), best[1])
        if ref.year is None:
            dm = _DMY.search(m, pos0)
            if dm:
                self._set_year(dm.group(1), None, dm.start(1))
        if ref.year is None:
            # A volume's season or span: "(Winter, 1994-1995)", "1994/95": the first year.
            for rm in _YEAR_SPAN.finditer(m, pos0):
                y1, y2 = rm.group(1), rm.group(2)
                y2full = int(y1[: 4 - len(y2)] + y2)
                if 0 < y2full - int(y1) <= 2:
                    self._set_year(y1, None, rm.start(1))
                    break
        ref.entry_type = ref.entry_type or self._guess_type()
        base = ref.start
        ref.field_spans.update({k: (base + a, base + b) for k, (a, b) in self.spans.items()})

    def _guess_type(self) -> str:
        ref = self.ref
        if self._text_kind is None:
            # What the words alone say; fill() asks again after the labeller.
            text = ref.raw.lower()
            # Words each pattern needs, looked for first (most texts hold none).
            thesis = any(w in text for w in ("thesis", "dissertation", "ph", "master", "диссертац"))
            report = any(w in text for w in ("report", "paper", "brief"))
            self._text_kind = (
                "thesis"
                if thesis and _THESIS_WORD.search(text)
                else "report"
                if report and _REPORT_WORD.search(text)
                else ""
            )
            self._lower = text
        if self._text_kind:
            return self._text_kind
        text = self._lower
        if ref.container and ref.publisher and not (ref.volume or ref.issue):
            return "chapter"  # a part of a published book: "Book, Publisher, 1999, pp. 1–8"
        if ref.container and (ref.volume or ref.issue or ref.pages):
            return "article"
        if ref.container and _EVENT_WORD.search(text):
            return "chapter"
        if ref.publisher:
            return "book"
        if ref.urls and not ref.container:
            return "web"
        if ref.container:
            return "article"
        return "misc"


def _doi_scan_start(s: str) -> int:
    """A place no match of _DOI_RE starts before: its lead ("doi: ",
    "https://dx.doi.org/", at most 20 characters besides spaces) ends where
    the first DOI's core starts, and no lead holds a core's "10.".  Scanning
    from there finds the same matches without trying the lead everywhere."""
    core = _DOI_CORE.search(s)
    if core is None:
        return len(s)
    k = core.start()
    while k > 0 and s[k - 1].isspace():
        k -= 1
    if k > 0 and s[k - 1] == ":":
        k -= 1
    while k > 0 and s[k - 1].isspace():
        k -= 1
    return max(0, k - 20)


def fill_rules(ref: Reference) -> None:
    """Fill ``ref`` with the hand-written reader alone (never raises)."""
    try:
        _Filler(ref).run()
    except Exception:  # pragma: no cover - a parser bug must not stop a lint run
        return


def blanked(raw: str) -> tuple[str, int]:
    """``raw`` with its identifiers (DOIs, URLs, access dates, PMIDs …) blanked
    out by spaces, and where the text after a list label ("[3]", "12.") starts."""
    ref = Reference(path="", format="text", index=0, start=0, end=len(raw), raw=raw)
    filler = _Filler(ref)
    lab = _LABEL_RE.match(raw)
    chars = list(raw)
    filler._identifiers(chars)
    return "".join(chars), lab.end() if lab else 0
