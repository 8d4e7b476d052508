"""Venue identity: "NeurIPS", "NIPS" and "Advances in Neural Information Processing
Systems 34" are one venue; "2022 IEEE/CVF Conference on Computer Vision and Pattern
Recognition (CVPR)" and "CVPR" are one; "UAI" and "International Conference on Machine
Learning" are two.

The table (``refcheck/data/venues.tsv``, with its source) gives each venue a canonical
acronym and the names and acronyms it is printed under.  A venue string is identified by
its *name* first — years, ordinals, "Proceedings of the", publishers' society prefixes and
punctuation removed, then compared whole with the table's names reduced the same way — and
otherwise by an acronym written in it as an acronym ("ICML 2021", "(CVPR)"), never by an
ordinary word that happens to spell one.  A string the table does not know identifies no
venue: callers then compare spellings as before.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from rapidfuzz import fuzz

from refcheck.net.compare import fold

__all__ = ["Venue", "identify", "same_venue", "venue"]

# Words that say nothing about which venue it is: the publisher's society, "Proceedings
# of the", "Annual", "International" (added and dropped freely in citations).
_NOISE = frozenset({
    "proceedings", "proc", "of", "the", "on", "in", "and", "for", "annual", "international",
    "intl", "ieee", "acm", "cvf", "siam", "usenix", "rsj", "ieeecvf", "a", "an", "at",
    "conf", "joint",
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth", "fortieth",
    "fiftieth", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "volume", "vol", "part", "main", "track", "papers", "long", "short",
})
# Numbers, ordinals, "'21", and volume numbers in roman numerals ("XVII", not "I").
_NUMBER = re.compile(r"^\d+(st|nd|rd|th)?$|^'\d\d$|^(?=[xvil]{2,}$)l?x{0,3}(ix|iv|v?i{0,3})$")
_PARENS = re.compile(r"\([^()]*\)")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&*+\-]*")


def _acronym_like(token: str, spellings: frozenset[str]) -> bool:
    """Written as an acronym: as the table spells it, or with two capitals or more
    ("ICML", "NeurIPS"), never an ordinary capitalised or lower-case word."""
    return token in spellings or sum(c.isupper() for c in token) >= 2


@dataclass(frozen=True)
class Venue:
    key: str  # canonical acronym: "NEURIPS"
    kind: str  # conference | journal | preprint
    names: tuple[str, ...]

    @property
    def label(self) -> str:
        """How a message names it: the first acronym and the first long name."""
        short = self.names[0]
        long_ = next((n for n in self.names if " " in n and len(n) > len(short)), None)
        return f"{short} ({long_})" if long_ else short


def _core(text: str) -> str:
    text = _PARENS.sub(" ", text).replace("&", " and ")
    words = [w for w in fold(text).split()
             if w not in _NOISE and not _NUMBER.match(w) and not w.isdigit()]
    return " ".join(words)


@dataclass(frozen=True)
class _Table:
    venues: dict[str, Venue]
    by_core: dict[str, str]  # reduced name -> key
    by_acronym: dict[str, tuple[str, frozenset[str]]]  # casefolded -> (key, spellings)
    cores: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _table() -> _Table:
    text = resources.files("refcheck.data").joinpath("venues.tsv").read_text(encoding="utf-8")
    venues: dict[str, Venue] = {}
    by_core: dict[str, str] = {}
    by_acronym: dict[str, tuple[str, frozenset[str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, kind, names = line.split("\t")
        alts = tuple(n.strip() for n in names.split("|") if n.strip())
        venues[key] = Venue(key, kind, alts)
        for name in alts:
            if " " not in name:
                known = by_acronym.get(name.casefold(), (key, frozenset()))[1]
                by_acronym[name.casefold()] = (key, known | {name})
            core = _core(name)
            if core and len(core) >= 3:
                by_core.setdefault(core, key)
    return _Table(venues, by_core, by_acronym, tuple(by_core))


@functools.lru_cache(maxsize=1 << 14)
def identify(text: str | None) -> frozenset[str]:
    """The keys of the venues ``text`` names (usually one; empty when none is known)."""
    if not text:
        return frozenset()
    table = _table()
    core = _core(text)
    if core in table.by_core:
        return frozenset({table.by_core[core]})
    words = core.split()
    if len(words) >= 4:
        # A long name written a little differently ("Computer Vision & Pattern Recognition").
        best, key = 0.0, None
        for candidate in table.cores:
            if abs(len(candidate) - len(core)) > 8 or candidate.count(" ") < 3:
                continue
            score = fuzz.ratio(core, candidate)
            if score > best:
                best, key = score, table.by_core[candidate]
        if key is not None and best >= 95:
            return frozenset({key})
    if len(words) >= 4:
        # A known name inside a longer one: "… Association for Computational Linguistics:
        # Human Language Technologies", "Findings of the … EMNLP".  The longest wins.
        padded = f" {core} "
        inside = [c for c in table.cores if c.count(" ") >= 3 and f" {c} " in padded]
        if inside:
            return frozenset({table.by_core[max(inside, key=len)]})
    found = set()
    for token in _TOKEN.findall(text):
        for part in {token, *token.split("-")}:
            hit = table.by_acronym.get(part.casefold())
            if hit is not None and _acronym_like(part, hit[1]):
                found.add(hit[0])
    return frozenset(found)


def venue(key: str) -> Venue | None:
    return _table().venues.get(key)


def same_venue(cited: str | None, registry: str | None) -> bool | None:
    """True or False when the table knows both venues, None when it cannot tell."""
    a, b = identify(cited), identify(registry)
    if not a or not b:
        return None
    return bool(a & b)


def is_preprint_key(key: str) -> bool:
    v = venue(key)
    return v is not None and v.kind == "preprint"
