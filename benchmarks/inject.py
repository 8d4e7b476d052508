"""Labelled errors made by damaging correct references, for benchmarks/accuracy.py.

The shared corpus's development split holds few errors of some kinds (none
of BibTeX structure, none of PDF damage), so recall on those kinds is
measured here on errors *made* the way real ones arise: each generator
below takes one correct reference and damages it as a person or a PDF
extractor does (an author list pasted with commas, a DOI copied with its
link, a ligature glyph, an accent separated from its letter…).  The
generators know nothing of the rules; they only write the damaged text and
the label (kind, token as written, what it should be), in the format of
``corpus/errors.jsonl``.

Sources are correct references: ``corpus/clean.bib`` and the real
bibliographies in ``benchmarks/data/real_bib`` (BibTeX), and the text
reference lists of ``tests/data/clean`` (PDF damage).  Generation is seeded,
so the set is the same from run to run.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from refcheck.model import Reference, SourceText
from refcheck.parsers import parse

Item = dict[str, Any]

# Adjective -> noun, as a writer recalling a title by sense swaps them.
_NOUNS = {
    "Statistical": "Statistics",
    "Chemical": "Chemistry",
    "Physical": "Physics",
    "Biological": "Biology",
    "Mathematical": "Mathematics",
    "Astronomical": "Astronomy",
    "Geological": "Geology",
    "Ecological": "Ecology",
    "Economic": "Economics",
    "Medical": "Medicine",
    "Psychological": "Psychology",
    "Philosophical": "Philosophy",
    "Political": "Politics",
    "Historical": "History",
    "Geographical": "Geography",
}
_DOI_PREFIXES = ("doi:", "DOI: ", "https://doi.org/", "http://dx.doi.org/", "doi: ")
_ACCENTED: dict[str, tuple[str, str]] = {
    "ü": ("u", "\u0308"),
    "ö": ("o", "\u0308"),
    "ä": ("a", "\u0308"),
    "é": ("e", "\u0301"),
    "á": ("a", "\u0301"),
    "í": ("i", "\u0301"),
    "ó": ("o", "\u0301"),
    "ç": ("c", "\u0327"),
    "ñ": ("n", "\u0303"),
}
_SPACING = {"\u0308": "¨", "\u0301": "´", "\u0327": "¸", "\u0303": "˜"}
_TYPES = ("article", "inproceedings", "book", "incollection", "phdthesis", "techreport", "misc")


def _field(ref: Reference, name: str) -> tuple[str, int, int] | None:
    for key, (s, e) in ref.field_spans.items():
        if key.lower() == name:
            return ref.fields.get(key, ""), s, e
    return None


def _replace(text: str, s: int, e: int, new: str) -> str:
    return text[:s] + new + text[e:]


def _entry(doc_text: str, ref: Reference) -> tuple[str, int]:
    return doc_text[ref.start : ref.end], ref.start


# --------------------------------------------------------------------------
# BibTeX generators: (entry text, reference, offset of the entry, rng) -> item


def _first_last(name: str) -> str:
    if "," in name:
        family, _, given = name.partition(",")
        return f"{given.strip()} {family.strip()}".strip()
    return name.strip()


def authors_commas(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    f = _field(ref, "author")
    if f is None:
        return None
    value, s, e = f
    names = re.split(r"\s+and\s+", value)
    if len(names) < 3 or "{" in value or "others" in value:
        return None
    wrong = ", ".join(_first_last(n) for n in names)
    return _item(
        _replace(text, s - off, e - off, wrong), "structure", wrong, "names joined by 'and'"
    )


def repeated_name(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    f = _field(ref, "author")
    if f is None:
        return None
    value, s, e = f
    names = re.split(r"\s+and\s+", value)
    if len(names) < 2 or "others" in value:
        return None
    k = rng.randrange(len(names))
    if "," not in names[k] or len(names[k].split(",")[1].strip()) < 2:
        return None  # a name with its given name, as such slips repeat it
    token = names[k].split(",")[0].strip()
    wrong = value + " and " + names[k]
    item = _item(_replace(text, s - off, e - off, wrong), "structure", token, "name given twice")
    # The token is the second mention, the last one in the field.
    item["errors"][0]["offset"] = s - off + wrong.rindex(token)
    return item


def doi_prefix(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    f = _field(ref, "doi")
    if f is None or not f[0].startswith("10."):
        return None
    value, s, e = f
    wrong = rng.choice(_DOI_PREFIXES) + value
    return _item(_replace(text, s - off, e - off, wrong), "doi", wrong, value)


def doi_punctuation(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    f = _field(ref, "doi")
    if f is None or not f[0].startswith("10."):
        return None
    value, s, e = f
    wrong = value + rng.choice(".,;")
    return _item(_replace(text, s - off, e - off, wrong), "doi", wrong, value)


def url_space(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    f = _field(ref, "url")
    if f is None or "://" not in f[0]:
        return None
    value, s, e = f
    body = value.split("://", 1)[1]
    cuts = [i for i, c in enumerate(body) if c in "/." and 0 < i < len(body) - 1]
    if not cuts:
        return None
    i = len(value) - len(body) + rng.choice(cuts) + 1
    wrong = value[:i] + " " + value[i:]
    return _item(_replace(text, s - off, e - off, wrong), "url", wrong, value)


def type_slip(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    kind = ref.entry_type or ""
    if kind.lower() not in _TYPES or len(kind) < 5:
        return None
    i = rng.randrange(1, len(kind) - 1)
    op = rng.choice(("drop", "double", "swap"))
    if op == "drop":
        wrong = kind[:i] + kind[i + 1 :]
    elif op == "double":
        wrong = kind[:i] + kind[i] + kind[i:]
    else:
        wrong = kind[:i] + kind[i + 1] + kind[i] + kind[i + 2 :]
    if wrong.lower() == kind.lower():
        return None
    at = text.index("@") + 1
    return _item(_replace(text, at, at + len(kind), wrong), "structure", wrong, kind)


_LATEX_ACCENT = re.compile(r"\\([\"'`^~])(\{?)([a-zA-Z])")


def doubled_accent(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    found = list(_LATEX_ACCENT.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    wrong = f"\\{m.group(1)}\\{m.group(1)}{m.group(2)}{m.group(3)}"
    return _item(_replace(text, m.start(), m.end(), wrong), "structure", wrong, m.group())


def journal_noun(text: str, ref: Reference, off: int, rng: random.Random) -> Item | None:
    f = _field(ref, "journal")
    if f is None:
        return None
    value, s, e = f
    words = value.split()
    hits = [k for k, w in enumerate(words) if w in _NOUNS]
    if not hits or len(words) < 3:
        return None
    k = rng.choice(hits)
    noun = _NOUNS[words[k]]
    wrong_value = " ".join([*words[:k], noun, *words[k + 1 :]])
    item = _item(_replace(text, s - off, e - off, wrong_value), "typo", noun, words[k])
    # The noun may occur earlier in the entry (a title about physics).
    item["errors"][0]["offset"] = s - off + len(" ".join(words[:k])) + (1 if k else 0)
    return item


BIBTEX: tuple[Callable[[str, Reference, int, random.Random], Item | None], ...] = (
    authors_commas,
    repeated_name,
    doi_prefix,
    doi_punctuation,
    url_space,
    type_slip,
    doubled_accent,
    journal_noun,
)


# --------------------------------------------------------------------------
# Text generators (PDF damage): (reference text, rng) -> item

_WORD = re.compile(r"[A-Za-z]+")


def ligature_glyph(text: str, rng: random.Random) -> Item | None:
    spots = [m for m in re.finditer(r"[A-Za-z]*(ffi|ffl|ff|fi|fl)[A-Za-z]*", text)]
    if not spots:
        return None
    m = rng.choice(spots)
    glyph = {"ffi": "ﬃ", "ffl": "ﬄ", "ff": "ﬀ", "fi": "ﬁ", "fl": "ﬂ"}[m.group(1)]
    wrong = m.group().replace(m.group(1), glyph, 1)
    return _item(_replace(text, m.start(), m.end(), wrong), "artifact", wrong, m.group())


def superscript_ligature(text: str, rng: random.Random) -> Item | None:
    spots = [m for m in re.finditer(r"\b[A-Za-z]*(fi|fl)[a-z]+", text)]
    if not spots:
        return None
    m = rng.choice(spots)
    i = m.group().index(m.group(1))
    word = m.group()
    wrong = f"{word[:i]}<sup>{m.group(1)}</sup>{word[i + 2 :]}"
    return _item(_replace(text, m.start(), m.end(), wrong), "artifact", wrong, word)


def spacing_accent(text: str, rng: random.Random) -> Item | None:
    spots = [m for m in re.finditer(r"\w*[üöäéáíóçñ]\w*", text)]
    if not spots:
        return None
    m = rng.choice(spots)
    word = m.group()
    ch = next(c for c in word if c in _ACCENTED)
    base, mark = _ACCENTED[ch]
    # "Mu ̈ller" (a combining mark after a space) or "Garci´ a" (a spacing accent).
    damaged = base + " " + mark if rng.random() < 0.5 else base + _SPACING[mark] + " "
    wrong = word.replace(ch, damaged, 1)
    if wrong.endswith(" "):
        return None
    return _item(_replace(text, m.start(), m.end(), wrong), "artifact", wrong, word)


def glued_words(text: str, ref: Reference, rng: random.Random) -> Item | None:
    # Field offsets are absolute: ``text`` starts at ref.start.
    span = ref.field_spans.get("title")
    if span is None:
        return None
    s, e = span[0] - ref.start, span[1] - ref.start
    words = list(_WORD.finditer(text, s, e))
    spots = [
        k
        for k in range(len(words) - 2)
        if words[k + 1].group().lower() in ("of", "the", "and", "for", "in", "a", "an")
        and text[words[k].end() : words[k + 2].start()].count(" ") == 2
        and "\n" not in text[words[k].start() : words[k + 2].end()]
        and all(text[w.end() : w.end() + 1] == " " for w in words[k : k + 2])
    ]
    if not spots:
        return None
    k = rng.choice(spots)
    a, b = words[k].start(), words[k + 2].end()
    right = text[a:b]
    wrong = right.replace(" ", "")
    return _item(_replace(text, a, b, wrong), "artifact", wrong, right)


def year_letter(text: str, ref: Reference, rng: random.Random) -> Item | None:
    if ref.year is None or "0" not in str(ref.year):
        return None
    y = str(ref.year)
    spots = [m.start() for m in re.finditer(re.escape(y), text)]
    if not spots:
        return None
    at = spots[-1]
    wrong = y.replace("0", "o")
    return _item(_replace(text, at, at + 4, wrong), "artifact", wrong, y)


def _in_value(item: Item, ref: Reference, off: int) -> bool:
    """Whether the damage lies in a field value (not a key or a field name)."""
    at = item["input"].find(item["errors"][0]["token"])
    return "\\" not in item["errors"][0]["token"] and any(
        s - off <= at < e - off for s, e in ref.field_spans.values()
    )


def _item(text: str, kind: str, token: str | None, correct: str) -> Item:
    return {"input": text, "errors": [{"kind": kind, "token": token, "correct": correct}]}


# --------------------------------------------------------------------------


def generate(bib_files: list[Path], text_files: list[Path], seed: int = 14) -> list[Item]:
    """Damaged references with their labels (``errors.jsonl`` items)."""
    rng = random.Random(seed)
    out: list[Item] = []
    n = 0
    for path in bib_files:
        text = path.read_text(encoding="utf-8")
        doc = parse(SourceText(str(path), text), "bibtex")
        for ref in doc.entries():
            entry, off = _entry(text, ref)
            for gen in BIBTEX:
                item = gen(entry, ref, off, rng)
                if item is not None:
                    n += 1
                    out.append(_finish(item, f"inj{n:04d}-{gen.__name__}", "bibtex", path))
            # PDF damage reaches BibTeX too, through titles and names pasted from PDFs.
            for tgen in (ligature_glyph, spacing_accent):
                item = tgen(entry, rng)
                if item is not None and _in_value(item, ref, off):
                    n += 1
                    out.append(_finish(item, f"inj{n:04d}-{tgen.__name__}", "bibtex", path))
    for path in text_files:
        text = path.read_text(encoding="utf-8")
        doc = parse(SourceText(str(path), text), "text")
        for ref in doc.entries():
            raw = text[ref.start : ref.end]
            made: Iterator[tuple[str, Item | None]] = iter(
                (
                    ("ligature_glyph", ligature_glyph(raw, rng)),
                    ("superscript_ligature", superscript_ligature(raw, rng)),
                    ("spacing_accent", spacing_accent(raw, rng)),
                    ("glued_words", glued_words(raw, ref, rng)),
                    ("year_letter", year_letter(raw, ref, rng)),
                )
            )
            for name, item in made:
                if item is not None:
                    n += 1
                    out.append(_finish(item, f"inj{n:04d}-{name}", "text", path))
    return out


def _finish(item: Item, ident: str, fmt: str, path: Path) -> Item:
    item["id"] = ident
    item["format"] = fmt
    item["confidence"] = "generated"
    item["source"] = f"damaged copy of a reference of {path.name}"
    return item
