"""A small, safe XML reader that keeps exact offsets: the base of the JATS and EndNote parsers.

XML from outside is read with the standard library's expat and nothing
else, with the protections defusedxml applies: a document that declares
entities (the "billion laughs" expansion, an external entity pointing at
``file:///etc/passwd`` or a URL) is refused before anything is expanded;
external DTDs and parameter entities are never loaded, so no file is read
and no request made.  An undefined entity such as ``&nbsp;`` from an
unloaded DTD becomes a space-like placeholder, never a fetch.

Unlike ElementTree and lxml (line numbers only), expat reports the byte
index of every event, so each element knows where its tags and its
content start and end in the decoded text; :meth:`Node.plain` gives an
element's text with a map from each character back to the file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from xml.parsers import expat

__all__ = ["Node", "Plain", "XmlError", "read"]


class XmlError(Exception):
    """The text is not XML we can read safely; ``offset`` is where (in characters)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class _Refused(Exception):
    pass


@dataclass(eq=False)
class Node:
    """One element: its name, attributes, offsets and children in document order."""

    tag: str
    attrs: dict[str, str]
    start: int  # "<" of the start tag
    content_start: int = 0  # after the start tag's ">"
    content_end: int = 0  # at "</" (equal to content_start for <x/>)
    end: int = 0  # after the end tag
    # Children and text pieces, in order: a Node, or (offset, text) with the
    # offset of the piece in the source (an entity's "&" for an entity).
    items: list[Node | tuple[int, str]] = field(default_factory=list)
    parent: Node | None = None
    local: str = ""  # the tag without a namespace prefix
    _index: dict[str, list[Node]] | None = None

    def __post_init__(self) -> None:
        self.local = self.tag.rsplit(":", 1)[-1]

    def children(self, *names: str) -> list[Node]:
        return [c for c in self.items if isinstance(c, Node) and (not names or c.local in names)]

    def child(self, *names: str) -> Node | None:
        for c in self.items:
            if isinstance(c, Node) and c.local in names:
                return c
        return None

    def iter(self, *names: str) -> list[Node]:
        """Descendants (and self) named ``names``, in document order.

        The subtree is walked once and indexed by name: a citation is asked for
        a dozen element names, and a document for its reference lists.
        """
        if self._index is None:
            index: dict[str, list[Node]] = {}
            stack: list[Node] = [self]
            while stack:
                n = stack.pop()
                index.setdefault(n.local, []).append(n)
                stack.extend(c for c in reversed(n.items) if isinstance(c, Node))
            self._index = index
        if not names:
            return sorted((n for group in self._index.values() for n in group),
                          key=lambda n: n.start)
        if len(names) == 1:
            return list(self._index.get(names[0], ()))
        found = [n for name in names for n in self._index.get(name, ())]
        found.sort(key=lambda n: n.start)
        return found

    def attr(self, name: str) -> str | None:
        """An attribute by local name (``xlink:href`` answers ``href``)."""
        if name in self.attrs:
            return self.attrs[name]
        for k, v in self.attrs.items():
            if k.rsplit(":", 1)[-1] == name:
                return v
        return None

    def plain(self, source: str, skip: frozenset[str] = frozenset()) -> Plain:
        """This element's text (descendants included, ``skip`` elements left out)."""
        out = Plain()
        self._plain_into(source, skip, out)
        return out

    def _plain_into(self, source: str, skip: frozenset[str], out: Plain) -> None:
        for item in self.items:
            if isinstance(item, Node):
                if item.local not in skip:
                    item._plain_into(source, skip, out)
                continue
            offset, text = item
            if source.startswith(text, offset):
                out.add(text, offset, offset + len(text))
                continue
            # An entity or a normalised line end: the piece stands for a
            # stretch of the source of another length.
            if source.startswith("&", offset):
                semi = source.find(";", offset, offset + 40)
                end = semi + 1 if semi != -1 else offset + 1
            elif source.startswith("\r\n", offset):
                end = offset + 2
            else:
                end = offset + len(text)
            out.add(text, offset, end, opaque=True)

    def text(self, source: str) -> str:
        """The element's text, whitespace collapsed."""
        return " ".join(self.plain(source).text.split())


class Plain:
    """Text gathered from a part of a document, with each character's place in the source."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, text: str, start: int, end: int, *, opaque: bool = False) -> None:
        self._parts.append(text)
        if opaque:
            self._starts.extend([start] * len(text))
            self._ends.extend([end] * len(text))
        else:
            self._starts.extend(range(start, start + len(text)))
            self._ends.extend(range(start + 1, start + len(text) + 1))

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def squeezed(self) -> Plain:
        """The same text with each run of white space one space, the map kept."""
        text = self.text
        out = Plain()
        i = 0
        n = len(text)
        while i < n:
            j = i
            if text[i].isspace():
                while j < n and text[j].isspace():
                    j += 1
                out.add(" ", self._starts[i], self._ends[j - 1], opaque=True)
            else:
                while j < n and not text[j].isspace():
                    j += 1
                out._parts.append(text[i:j])
                out._starts.extend(self._starts[i:j])
                out._ends.extend(self._ends[i:j])
            i = j
        return out

    def span(self, a: int, b: int) -> tuple[int, int] | None:
        """Source offsets of the plain text's ``[a, b)``, or None when it is empty."""
        if b <= a or a >= len(self._starts):
            return None
        b = min(b, len(self._ends))
        return self._starts[a], self._ends[b - 1]

    def stripped_span(self) -> tuple[int, int] | None:
        """Source offsets of the text without its leading and trailing white space."""
        text = self.text
        a = len(text) - len(text.lstrip())
        b = len(text.rstrip())
        return self.span(a, b)


class _ByteMap:
    """Byte offsets of the UTF-8 encoding -> character offsets of the text."""

    def __init__(self, text: str) -> None:
        self.byte_pos: list[int] = []
        self.extra: list[int] = []
        if text.isascii():
            return
        extra = 0
        for m in _NON_ASCII.finditer(text):
            o = ord(m.group())
            self.byte_pos.append(m.start() + extra)
            extra += 1 if o < 0x800 else 2 if o < 0x10000 else 3
            self.extra.append(extra)

    def char(self, byte: int) -> int:
        if not self.byte_pos:
            return byte
        k = bisect.bisect_left(self.byte_pos, byte)
        return byte - (self.extra[k - 1] if k else 0)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A tag up to its ">", attribute values (which may hold ">") skipped whole.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def _tag_end(text: str, pos: int) -> int:
    """Offset after the ``>`` closing the tag that starts at ``pos`` (quotes respected)."""
    m = _TAG.match(text, pos)
    return m.end() if m else len(text)


def read(text: str) -> tuple[Node | None, XmlError | None]:
    """The document's root element and what stopped the reading, if anything.

    Entity declarations are refused (no expansion ever happens), as are
    external entities; an external DTD is named but never loaded.  XML
    that breaks off (not well-formed) still yields the elements read before
    the break, closed there, so the references before it are kept.
    """
    data = text.encode("utf-8", "surrogatepass")
    bytemap = _ByteMap(text)
    parser = expat.ParserCreate(encoding="utf-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = False
    root: list[Node] = []
    stack: list[Node] = []
    refused: list[tuple[str, int]] = []

    def where() -> int:
        return bytemap.char(parser.CurrentByteIndex)

    def refuse(message: str) -> None:
        refused.append((message, where()))
        raise _Refused(message)

    def start(name: str, attrs: dict[str, str]) -> None:
        pos = where()
        node = Node(name, attrs, pos, parent=stack[-1] if stack else None)
        tag_end = _tag_end(text, pos)
        node.content_start = tag_end
        if stack:
            stack[-1].items.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(name: str) -> None:
        node = stack.pop()
        pos = where()
        if text.endswith("/>", 0, node.content_start) and pos <= node.content_start:
            # <x/>: no end tag of its own (the event comes at or after its start tag)
            node.content_end = node.content_start
            node.end = node.content_start
        else:
            node.content_end = pos
            node.end = _tag_end(text, pos)

    def chars(data_: str) -> None:
        if stack:
            stack[-1].items.append((where(), data_))

    def entity_decl(name: str, *_args: object) -> None:
        refuse(f"the XML declares the entity '{name}'; entity declarations are refused "
               "(entity expansion and external entities are not read)")

    def unparsed_decl(name: str, *_args: object) -> None:
        refuse(f"the XML declares the external entity '{name}'; it is not read")

    def external_ref(*_args: object) -> int:
        refuse("the XML refers to an external entity; it is not read")
        return 0

    def skipped(name: str, _is_param: int) -> None:
        # An entity of a DTD that is not loaded (&nbsp;, &ndash;): its text is
        # unknown, so a space stands for it; the offsets stay those of the file.
        if stack:
            stack[-1].items.append((where(), " "))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = entity_decl
    parser.UnparsedEntityDeclHandler = unparsed_decl
    parser.ExternalEntityRefHandler = external_ref
    parser.SkippedEntityHandler = skipped
    try:
        parser.Parse(data, True)
    except _Refused:
        message, offset = refused[0]
        return None, XmlError(message, offset)
    except expat.ExpatError as exc:
        index = parser.CurrentByteIndex
        offset = max(0, min(bytemap.char(index) if index >= 0 else 0, len(text)))
        message = expat.ErrorString(exc.code) if exc.code else str(exc)
        for node in stack:  # what was open is closed where the reading stopped
            node.content_end = node.end = max(offset, node.content_start)
        return (root[0] if root else None), XmlError(f"not well-formed XML: {message}", offset)
    except (ValueError, RecursionError) as exc:
        return None, XmlError(f"the XML cannot be read: {exc}", 0)
    if not root:
        return None, XmlError("no XML element found", 0)
    return root[0], None
