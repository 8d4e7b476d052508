"""Word's automatic list numbers: the "1." or "[1]" Word draws before a paragraph.

A reference list made with Word's numbering holds no number in its text; the
number comes from ``word/numbering.xml`` (the format of each list level) and
the paragraph's ``w:numPr`` (or its style's, in ``word/styles.xml``).  The
numbers are counted here in document order, per list and level, as Word
counts them; bullets give no label.  Overrides of start values in the middle
of a document (``w:lvlOverride``) are not followed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el: Element | None, name: str = "val") -> str | None:
    return None if el is None else el.get(_W + name)


def _roman(n: int) -> str:
    out = []
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                          (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                          (4, "iv"), (1, "i")):
        while n >= value:
            out.append(digits)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
}


@dataclass
class Numbering:
    # numId -> ilvl -> (format, level text such as "[%1]", start)
    levels: dict[str, dict[int, tuple[str, str, int]]] = field(default_factory=dict)
    styles: dict[str, tuple[str, int]] = field(default_factory=dict)  # styleId -> (numId, ilvl)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def read(cls, numbering: Element | None, styles: Element | None) -> Numbering:
        out = cls()
        if numbering is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for an in numbering.iter(_W + "abstractNum"):
                lvls = {}
                for lvl in an.iter(_W + "lvl"):
                    ilvl = int(_val(lvl, "ilvl") or 0)
                    fmt = _val(lvl.find(_W + "numFmt")) or "decimal"
                    text = _val(lvl.find(_W + "lvlText")) or ""
                    start = _val(lvl.find(_W + "start"))
                    lvls[ilvl] = (fmt, text, int(start) if start and start.isdigit() else 1)
                abstract[_val(an, "abstractNumId") or ""] = lvls
            for num in numbering.iter(_W + "num"):
                ref = _val(num.find(_W + "abstractNumId"))
                if ref in abstract:
                    out.levels[_val(num, "numId") or ""] = abstract[ref]
        if styles is not None:
            for st in styles.iter(_W + "style"):
                num_pr = st.find(f"{_W}pPr/{_W}numPr")
                num_id = _val(num_pr.find(_W + "numId")) if num_pr is not None else None
                if num_pr is not None and num_id:
                    level = _val(num_pr.find(_W + "ilvl"))
                    out.styles[_val(st, "styleId") or ""] = (num_id, int(level or 0))
        return out

    def label(self, p: Element) -> str | None:
        """The number Word draws before paragraph ``p`` ("1.", "[3]"), or None."""
        ppr = p.find(_W + "pPr")
        if ppr is None:
            return None
        num_pr = ppr.find(_W + "numPr")
        where: tuple[str, int] | None = None
        if num_pr is not None:
            num_id = _val(num_pr.find(_W + "numId"))
            if num_id is not None:
                where = (num_id, int(_val(num_pr.find(_W + "ilvl")) or 0))
        else:
            style = _val(ppr.find(_W + "pStyle"))
            if style is not None:
                where = self.styles.get(style)
        if where is None or where[0] == "0" or where[0] not in self.levels:
            return None
        num_id, ilvl = where
        levels = self.levels[num_id]
        if ilvl not in levels:
            return None
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]  # a new item restarts the levels below it
        fmt, text, _ = levels[ilvl]
        if fmt not in _FORMATS or "%" not in text:
            return None  # a bullet, or a format not worth a label
        out = text
        for k in range(ilvl + 1):
            level_fmt = levels.get(k, ("decimal", "", 1))[0]
            show = _FORMATS.get(level_fmt, str)
            out = out.replace(f"%{k + 1}", show(counts.get(k, levels.get(k, ("", "", 1))[2])))
        return out
