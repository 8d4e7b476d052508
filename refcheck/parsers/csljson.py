"""CSL-JSON parser (Zotero's and citeproc's format): one :class:`Reference` per item.

Values come from :mod:`json`; positions come from a small scanner that walks
the same text, respecting strings, and finds each top-level item's ``{...}``
and each member's value.  ``field_spans[name]`` is the value as written (for a
string: inside its quotes, escapes as written), and ``fields[name]`` is that
text, names lower-cased (``DOI`` -> ``doi``).

Problems: ``json-syntax`` (invalid JSON, with the line and column of the error;
a top level that is not a list or object of items) and ``csl-schema`` (an item
that is not an object, lacks ``id`` or ``type``, or holds a value of the wrong
type).  A repeated ``id`` is a ``duplicate-key`` problem, as in BibTeX.  When
the JSON is invalid, the items that can still be read on their own are kept.
Never raises.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from refcheck.model import Author, Document, ParseProblem, Reference, SourceText
from refcheck.parsers.bibtex import extract_dois, normalize_doi

__all__ = ["parse"]

FORMAT = "csl-json"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_STRUCT = re.compile(r'["\[\]{}]')
_SCALAR = re.compile(r"[^\s,\]}:]+")
_WS = re.compile(r"\s*")
# A key json would decode to its own text: no escape, no control character.
_PLAIN_KEY = re.compile(r'"([^"\\\x00-\x1f]*)"')
# Such a key, its colon and a string value (as ``_STRING`` reads one): group 2.
_PLAIN_HEAD = re.compile(r'"([^"\\\x00-\x1f]*)"\s*:\s*("(?:[^"\\]|\\.)*")', re.DOTALL)

# Members whose value must be a string (Crossref's one-element lists are accepted).
_TEXT_FIELDS = ("title", "container-title", "publisher", "publisher-place", "doi", "url")
_NUMBER_FIELDS = ("volume", "issue", "page", "number")
_NAME_FIELDS = ("author", "editor")
_DATE_FIELDS = ("issued", "accessed")


@dataclass
class _Member:
    key: str
    key_start: int
    value_start: int  # for a string: inside the quotes
    value_end: int


# ---------------------------------------------------------------------------
# Position scanner


_DECODER = json.JSONDecoder()
# Checks JSON syntax without building objects: an invalid 50 MB export is judged
# in little memory, with json's own message and offset.
_VALIDATOR = json.JSONDecoder(object_pairs_hook=lambda pairs: None)
# JSON's own whitespace (``\s`` also takes U+00A0 and the like, which json refuses).
_JSON_WS = re.compile(r"[ \t\n\r]*")


def _decode_whole(text: str, start: int, decoder: json.JSONDecoder = _DECODER) -> Any:
    """``json.loads(text[start:])`` without copying the text; offsets are the file's."""
    value, end = decoder.raw_decode(text, start)
    end = _JSON_WS.match(text, end).end()  # type: ignore[union-attr]
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _skip_ws(text: str, pos: int) -> int:
    # Most calls land on a token already: spare the regex (8 calls an item).
    if not text[pos : pos + 1].isspace():  # str.isspace() is what re's \s matches
        return pos
    m = _WS.match(text, pos)
    return m.end() if m else pos


def _string_end(text: str, pos: int) -> int:
    """Offset after the string starting at ``pos``; the end of text if unterminated."""
    m = _STRING.match(text, pos)
    return m.end() if m else len(text)


def _value_end(text: str, pos: int) -> int:
    """Offset after the JSON value starting at ``pos`` (iterative: no recursion)."""
    if pos >= len(text):
        return pos
    char = text[pos]
    if char == '"':
        return _string_end(text, pos)
    if char not in "[{":
        m = _SCALAR.match(text, pos)
        return m.end() if m else pos + 1
    # Valid JSON (nearly always: the file was parsed whole already) ends where the
    # C decoder says; token by token in Python cost a minute for a 50 MB export.
    try:
        return _DECODER.raw_decode(text, pos)[1]
    except (ValueError, RecursionError):
        pass
    depth = 0
    while True:
        m = _STRUCT.search(text, pos)
        if m is None:
            return len(text)
        tok = m.group(0)
        if tok == '"':
            pos = _string_end(text, m.start())
            continue
        pos = m.end()
        if tok in "[{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return pos


def _elements(text: str, pos: int) -> list[tuple[int, int]]:
    """Spans of the elements of the array whose ``[`` is at ``pos``."""
    spans: list[tuple[int, int]] = []
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "]":
        end = _value_end(text, pos)
        spans.append((pos, end))
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        elif pos < len(text) and text[pos] != "]":
            break  # not JSON any more: stop rather than guess
    return spans


def _members(text: str, pos: int, end: int) -> list[_Member]:
    """Members of the object whose ``{`` is at ``pos`` (and which ends at ``end``)."""
    members: list[_Member] = []
    pos = _skip_ws(text, pos + 1)
    while pos < end and text[pos] == '"':
        head = _PLAIN_HEAD.match(text, pos)
        if head is not None and head.end() <= end:
            # A plain key, its colon and a string value, in one match (nearly every
            # member of a real export): no decoding, no separate whitespace skips.
            vstart = head.start(2)
            vend = head.end()
            members.append(_Member(head.group(1), pos, vstart + 1, vend - 1))
            pos = _after_member(text, vend, end)
            continue
        plain = _PLAIN_KEY.match(text, pos)
        if plain is not None:  # nothing to decode (nearly every key)
            key_end = plain.end()
            key: Any = plain.group(1)
        else:
            key_end = _string_end(text, pos)
            try:
                key = json.loads(text[pos:key_end])
            except ValueError:
                break
        colon = _skip_ws(text, key_end)
        if colon >= end or text[colon] != ":":
            break
        vstart = _skip_ws(text, colon + 1)
        vend = _value_end(text, vstart)
        if vend > end:
            break
        if text[vstart : vstart + 1] == '"' and vend - vstart >= 2:
            members.append(_Member(str(key), pos, vstart + 1, vend - 1))
        else:
            members.append(_Member(str(key), pos, vstart, vend))
        pos = _after_member(text, vend, end)
    return members


def _after_member(text: str, vend: int, end: int) -> int:
    """Where the next member's key starts, after a value that ends at ``vend``."""
    pos = _skip_ws(text, vend)
    if pos < end and text[pos] == ",":
        pos = _skip_ws(text, pos + 1)
    return pos


# ---------------------------------------------------------------------------
# Parsing


def parse(source: SourceText) -> Document:
    """Parse a CSL-JSON file; never raises."""
    doc = Document(source=source, format=FORMAT, layout="csl-json", expects_list=True)
    try:
        _parse_into(doc)
    except Exception as exc:  # last resort: malformed input must never raise
        doc.problems.append(
            ParseProblem("json-syntax", 0, min(len(source.text), 1), f"could not read ({exc!r})")
        )
    _check_duplicate_ids(doc)
    return doc


def _parse_into(doc: Document) -> None:
    text = doc.source.text
    # A byte-order mark is not JSON whitespace, but editors write one.
    start = 1 if text.startswith("\ufeff") else 0
    start = _skip_ws(text, start)
    if start >= len(text):
        doc.problems.append(
            ParseProblem(
                "json-syntax", 0, len(text), "the file is empty: expected a list of CSL items"
            )
        )
        return
    if text[start] == "[" and _stream_list(doc, start):
        return
    try:
        _decode_whole(text, start, _VALIDATOR)
        data = _decode_whole(text, start)
    except json.JSONDecodeError as exc:
        offset = exc.pos
        line, col = doc.source.position(offset)
        doc.problems.append(
            ParseProblem(
                "json-syntax",
                offset,
                min(offset + 1, len(text)) if offset < len(text) else offset,
                f"invalid JSON at line {line}, column {col}: {exc.msg}",
            )
        )
        _salvage(doc, start)
        return
    except RecursionError:
        doc.problems.append(
            ParseProblem("json-syntax", start, start + 1, "the JSON is nested too deeply to read")
        )
        return

    if not _is_bibliography(data):
        _not_a_bibliography(doc, start)
        return
    for position, (value, span, key) in enumerate(_items(doc, data, start), 1):
        _add_item(doc, value, span, key, position)


def _stream_list(doc: Document, start: int) -> bool:
    """Read a top-level list one item at a time; False (nothing kept) if it is not valid.

    Decoding the whole list first held every item's objects next to the
    references made from them: 1.4 GB for 200,000 small items in 50 MB.  Each
    item is decoded where it stands (the C decoder), turned into a reference
    and dropped.  Anything the item-by-item walk cannot take (invalid JSON,
    trailing data, deep nesting) is left to the whole-file path, which reports
    it exactly as json does.
    """
    text = doc.source.text
    size = len(text)
    references, problems = len(doc.references), len(doc.problems)
    decode = _DECODER.raw_decode
    skip = _JSON_WS.match
    bibliography = False
    position = 0
    pos = skip(text, start + 1).end()  # type: ignore[union-attr]
    ok = False
    try:
        if pos < size and text[pos] == "]":
            ok = True
            pos += 1
        while not ok:
            value, end = decode(text, pos)
            position += 1
            if not bibliography and isinstance(value, dict) and _looks_like_item(value):
                bibliography = True
            _add_item(doc, value, (pos, end), None, position)
            del value
            pos = skip(text, end).end()  # type: ignore[union-attr]
            if pos < size and text[pos] == ",":
                pos = skip(text, pos + 1).end()  # type: ignore[union-attr]
            elif pos < size and text[pos] == "]":
                pos += 1
                ok = True
            else:
                break
    except (ValueError, RecursionError):
        ok = False
    if ok and skip(text, pos).end() != size:  # type: ignore[union-attr]
        ok = False
    if not ok or (position and not bibliography):
        del doc.references[references:]
        del doc.problems[problems:]
    if not ok:
        return False
    if position and not bibliography:
        _not_a_bibliography(doc, start)
    return True


def _not_a_bibliography(doc: Document, start: int) -> None:
    # package.json, tsconfig.json, …: a repository's JSON files reach the hook
    # too; they are not bibliographies and must not fail a commit.
    doc.expects_list = False
    doc.layout = None
    doc.problems.append(
        ParseProblem(
            "not-a-bibliography",
            start,
            start,
            "valid JSON but not CSL-JSON (no item with id, type, title or author): skipped",
        )
    )


def _is_bibliography(data: Any) -> bool:
    if isinstance(data, list):
        return not data or any(isinstance(v, dict) and _looks_like_item(v) for v in data)
    if isinstance(data, dict):
        return _looks_like_item(data) or any(
            isinstance(v, dict) and _looks_like_item(v) for v in data.values()
        )
    # A bare number or string is a broken export, reported as json-syntax below.
    return True


def _looks_like_item(data: dict[str, Any]) -> bool:
    return any(k in data for k in ("id", "type", "title", "author", "DOI", "issued"))


def _items(
    doc: Document, data: Any, start: int
) -> Iterator[tuple[Any, tuple[int, int], str | None]]:
    """(item value, item span, mapping key) for each item of the top-level value."""
    text = doc.source.text
    end = _value_end(text, start)
    if isinstance(data, list):
        spans = _elements(text, start)
        if len(spans) != len(data):  # cannot happen for valid JSON; keep going anyway
            spans = [(start, end)] * len(data)
        for value, span in zip(data, spans, strict=True):
            yield value, span, None
    elif isinstance(data, dict) and _looks_like_item(data):
        yield data, (start, end), None
    elif isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        # {"id1": {...}, "id2": {...}}: items keyed by their id.
        members = {m.key: m for m in _members(text, start, end)}
        for key, value in data.items():
            member = members.get(key)
            span = (member.value_start, member.value_end) if member else (start, end)
            yield value, span, key
    else:
        found = type(data).__name__ if not isinstance(data, dict) else "an object without items"
        found = {
            "str": "a string",
            "int": "a number",
            "float": "a number",
            "bool": "a boolean",
            "NoneType": "null",
        }.get(found, found)
        doc.problems.append(
            ParseProblem(
                "json-syntax",
                start,
                min(end, start + 1) if end > start else start,
                f"expected a list of CSL items (or one item), found {found}",
            )
        )


def _salvage(doc: Document, start: int) -> None:
    """After a syntax error, keep the items that are valid JSON on their own."""
    text = doc.source.text
    if text[start] != "[":
        return
    for position, span in enumerate(_elements(text, start), 1):
        try:
            value = json.loads(text[span[0] : span[1]])
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            _add_item(doc, value, span, None, position)


def _schema(doc: Document, start: int, end: int, message: str) -> None:
    doc.problems.append(ParseProblem("csl-schema", start, max(end, start + 1), message))


def _add_item(
    doc: Document, item: Any, span: tuple[int, int], map_key: str | None, position: int
) -> None:
    """Add the ``position``-th item (1-based, counting every item) as a Reference."""
    source = doc.source
    text = source.text
    start, end = span
    if not isinstance(item, dict):
        kind = {"str": "a string", "list": "a list", "NoneType": "null"}.get(
            type(item).__name__, f"a {type(item).__name__}"
        )
        _schema(doc, start, end, f"item {position} is not an object (found {kind})")
        return

    members = _members(text, start, end) if text[start : start + 1] == "{" else []
    ref = Reference(
        path=source.path,
        format=FORMAT,
        index=len(doc.references) + 1,
        start=start,
        end=end,
        raw=text[start:end],
        line=source.position(start)[0],
        end_line=source.position(max(start, end - 1))[0],
    )
    seen: set[str] = set()
    for m in members:
        # One string per field name, not one per item: 1.6 million copies of
        # "title", "page", … took 87 MB in a 200,000-item file.
        name = sys.intern(m.key.lower())
        if name in seen:
            _schema(
                doc,
                m.key_start,
                m.value_end,
                f"key '{m.key}' appears twice in this item; the last one is used",
            )
        seen.add(name)
        written = text[m.value_start : m.value_end]
        value = item.get(m.key)
        # A string written without escapes is the decoded string: keep one copy.
        ref.fields[name] = value if isinstance(value, str) and value == written else written
        ref.field_spans[name] = (m.value_start, m.value_end)

    def where(name: str) -> tuple[int, int]:
        for key, value in ref.field_spans.items():
            if key == name.lower():
                return value
        return (start, min(end, start + 1))

    label_id = item.get("id", map_key)
    label = f"item '{label_id}'" if isinstance(label_id, (str, int)) else f"item {position}"

    # Identity.
    if "id" not in item:
        if map_key is not None:
            ref.key = map_key
        else:
            _schema(doc, start, start + 1, f"{label} has no 'id'")
    elif isinstance(item["id"], (str, int)) and not isinstance(item["id"], bool):
        ref.key = str(item["id"])
    else:
        _schema(doc, *where("id"), f"{label}: 'id' must be a string or a number")
    if "type" not in item:
        _schema(doc, start, start + 1, f"{label} has no 'type'")
    elif isinstance(item["type"], str):
        ref.entry_type = item["type"]
    else:
        _schema(doc, *where("type"), f"{label}: 'type' must be a string")

    # Text and number fields, looked up without regard to case (DOI, URL).
    lower = {k.lower(): v for k, v in item.items() if isinstance(k, str)}
    texts: dict[str, str | None] = {}
    for name in _TEXT_FIELDS + _NUMBER_FIELDS:
        if name not in lower or lower[name] is None:
            continue
        value = lower[name]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = next((v for v in value if v.strip()), None)  # Crossref's lists
        if value is None:
            continue
        if isinstance(value, str):
            texts[name] = value.strip() or None
        elif (
            name in _NUMBER_FIELDS
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            texts[name] = str(value)
        else:
            kind = "a string or a number" if name in _NUMBER_FIELDS else "a string"
            _schema(doc, *where(name), f"{label}: '{name}' must be {kind}")

    for name in _NAME_FIELDS:
        if name not in lower:
            continue
        names = _names(lower[name])
        if names is None:
            _schema(
                doc,
                *where(name),
                f"{label}: '{name}' must be a list of name objects "
                "with 'family'/'given' or 'literal' strings",
            )
        elif name == "author":
            ref.authors = names
        else:
            ref.editors = names

    for name in _DATE_FIELDS:
        if name not in lower:
            continue
        date = _date(lower[name])
        if date is None:
            _schema(
                doc,
                *where(name),
                f"{label}: '{name}' must be a date object with "
                "'date-parts' (a list of [year, month, day] lists) or 'raw'/'literal'",
            )
            continue
        if name == "issued":
            ref.year = date[0]
        else:
            ref.accessed = date[1]

    ref.title = texts.get("title")
    ref.container = texts.get("container-title")
    ref.volume = texts.get("volume")
    ref.issue = texts.get("issue") or texts.get("number")
    ref.pages = texts.get("page")
    ref.publisher = texts.get("publisher")
    ref.place = texts.get("publisher-place")
    doi = texts.get("doi")
    ref.doi = normalize_doi(doi) if doi else None
    url = texts.get("url")
    ref.urls = [url] if url else []
    dois = [ref.doi] if ref.doi else []
    if url and re.search(r"doi\.org/", url, re.IGNORECASE):
        dois.extend(d for d in extract_dois(url) if d not in dois)
    ref.dois = dois
    if ref.doi is None and dois:
        ref.doi = dois[0]
    doc.references.append(ref)


def _check_duplicate_ids(doc: Document) -> None:
    # One pass with an index (each item against all earlier ones was quadratic:
    # minutes for a 200,000-item export).
    first: dict[str, Reference] = {}
    for ref in doc.references:
        if ref.key is None:
            continue
        other = first.setdefault(ref.key, ref)
        if other is ref:
            continue
        span = ref.field_spans.get("id", (ref.start, ref.start + 1))
        doc.problems.append(
            ParseProblem(
                "duplicate-key",
                span[0],
                max(span[1], span[0] + 1),
                f"duplicate id '{ref.key}': already used by the item at line {other.line}",
            )
        )


def _names(value: Any) -> list[Author] | None:
    if not isinstance(value, list):
        return None
    out: list[Author] = []
    for name in value:
        if not isinstance(name, dict):
            return None
        # Crossref writes an organisation as {"name": ...}: accept it as a literal.
        literal = name.get("literal", name.get("name"))
        family = name.get("family")
        given = name.get("given")
        if isinstance(literal, str) and literal.strip():
            out.append(Author(family=literal.strip(), literal=True))
        elif isinstance(family, str) and (given is None or isinstance(given, str)):
            out.append(Author(family=family.strip(), given=(given or "").strip() or None))
        elif family is None and isinstance(given, str) and given.strip():
            out.append(Author(family=given.strip()))  # a mononym filed under given
        else:
            return None
    return out


def _date(value: Any) -> tuple[int | None, str | None] | None:
    """(year, written form) of a CSL date, or None when it is malformed."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if parts is not None:
        if not (isinstance(parts, list) and parts and all(isinstance(p, list) for p in parts)):
            return None
        first = parts[0]
        if not all(isinstance(x, (int, str)) and not isinstance(x, bool) for x in first):
            return None
        numbers = []
        for x in first:
            try:
                numbers.append(int(x))
            except ValueError:
                return None
        if not numbers:
            return (None, None)
        written = "-".join(f"{n:02d}" if i else str(n) for i, n in enumerate(numbers))
        return numbers[0], written
    for key in ("raw", "literal"):
        raw = value.get(key)
        if isinstance(raw, str):
            m = re.search(r"(?<!\d)(\d{4})(?!\d)", raw)
            return (int(m.group(1)) if m else None), raw.strip()
    if set(value) <= {"season", "circa"}:
        return (None, None)
    return None
