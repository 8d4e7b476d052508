"""Text read out of a binary document, with the way back to where each character stood.

A PDF or Word file is turned into plain text (repaired: hyphenation, wrapped
URLs, ligatures) that the text reader and every rule work on unchanged.
:class:`LocatedSource` is that text plus a list of *pieces*: from a given
offset on, characters come from a given place of the original (a page and a
line on it, or a part of a Word file and a paragraph in it) starting at a
given column.  :meth:`LocatedSource.span` turns offsets into that place, so
findings point at the page or the footnote a reader can open.
"""

from __future__ import annotations

import bisect

from refcheck.model import Reference, SourceText, Span


class LocatedSource(SourceText):
    """A synthetic text whose spans name a page (PDF) or a part (Word), not a line of the text."""

    # --fix rewrites text files; these are typeset documents read into text.
    rewritable = False

    def __init__(
        self,
        path: str,
        text: str,
        pieces: list[tuple[int, str, int, int]],
        digest: str | None = None,
        kind: str = "pdf",
    ) -> None:
        """``pieces``: (offset, place, line, column) sorted by offset; ``place`` is
        ``"p3"`` for a PDF page or a Word part (``"body"``, ``"footnote 3"``)."""
        super().__init__(path, text, encoding="utf-8", digest=digest)
        self.kind = kind
        self._offsets = [p[0] for p in pieces]
        self._pieces = pieces

    def place(self, offset: int) -> tuple[str, int, int]:
        """(place, line, column) of an offset in the original document."""
        if not self._pieces:
            line, col = self.position(offset)
            return ("p1" if self.kind == "pdf" else "body"), line, col
        i = max(0, bisect.bisect_right(self._offsets, offset) - 1)
        start, place, line, col = self._pieces[i]
        return place, line, col + max(0, offset - start)

    def offset(self, place: str, line: int, column: int) -> int | None:
        """The text offset of a place, line and column (the inverse of :meth:`place`)."""
        best: int | None = None
        for start, p, ln, col in self._pieces:
            if p == place and ln == line and col <= column:
                best = start + column - col  # the last piece of that line starting before
        return best

    def locate(self, refs: list[Reference]) -> None:
        """Give references the page or part they start on, and lines counted there."""
        for ref in refs:
            sp = self.span(ref.start, ref.end)
            ref.line, ref.end_line = sp.line, sp.end_line
            ref.page, ref.part = sp.page, sp.part

    def span(self, start: int, end: int) -> Span:
        place, line, col = self.place(start)
        last = max(start, end)
        end_place, end_line, end_col = self.place(max(start, last - 1))
        if end_place != place or end_line < line:
            end_line, end_col = line, col + max(0, last - start) - 1
        end_col += 1 if last > start else 0
        if last == start:
            end_line, end_col = line, col
        if self.kind == "pdf":
            return Span(self.path, line, col, end_line, end_col, page=int(place[1:]))
        return Span(self.path, line, col, end_line, end_col, part=place)
