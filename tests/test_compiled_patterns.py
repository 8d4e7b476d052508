"""The cache of compiled patterns (refcheck/text/compiled.py) gives the patterns a compile gives."""

from __future__ import annotations

import importlib
import marshal
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
import regex

import refcheck.rules
import refcheck.text
from refcheck.text import compiled
from refcheck.text.patterns import _LazyPattern

ROOT = Path(__file__).resolve().parent


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory, and the module's state as at a process's start."""
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compiled, "_kept", None)
    monkeypatch.setattr(compiled, "_new", {})
    return tmp_path


def _lazy_patterns() -> list[tuple[str, str, int]]:
    """Every pattern the rule and text modules compile on first use."""
    found: dict[tuple[str, str, int], None] = {}
    for package in (refcheck.rules, refcheck.text):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, _LazyPattern):
                    engine, pattern, flags = value.__dict__["_source"]
                    found[(engine, pattern, int(flags))] = None
    return list(found)


def _sample() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "bib").glob("*.bib"))]
    return "\n".join(texts)[:200_000] + "\nThe doi.org/10.1000/xyz ofMany Lee, Ann and Bo Chen ü̈"


def _behaviour(p: Any, text: str) -> tuple[Any, ...]:
    return (
        p.pattern,
        p.flags,
        p.groups,
        dict(p.groupindex),
        [m.regs for m in p.finditer(text)],
    )


def test_every_lazy_pattern_replayed_from_the_cache_matches_as_compiled(cache: Path) -> None:
    patterns = _lazy_patterns()
    assert len(patterns) > 100 and {e for e, _, _ in patterns} == {"re", "regex"}
    text = _sample()
    for engine, pattern, flags in patterns:
        compiled.compile_pattern(engine, pattern, flags)
    compiled._save()
    kept = compiled._read(str(compiled._path()))
    assert len(kept) > 0.9 * len(patterns)  # nearly all kept (none locale-dependent here)
    for (engine, pattern, flags), args in kept.items():
        replayed = compiled._constructor(engine)(*args)
        fresh = (re if engine == "re" else regex).compile(pattern, flags)
        assert _behaviour(replayed, text) == _behaviour(fresh, text), pattern


def test_a_later_run_builds_patterns_from_the_cache(cache: Path) -> None:
    pattern = r"(?<!\p{L})(\p{L}+)-([ \t]*\r?\n[ \t]*|[ \t]+)(\p{L}+)"
    regex.purge()  # as in a new process: not in regex's own cache
    first = compiled.compile_pattern("regex", pattern)
    assert compiled._new
    compiled._save()
    compiled._kept = None  # a new process
    calls: list[Any] = []
    real = compiled._constructor("regex")

    def counting(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    owner = compiled._owner("regex")
    owner.compile = counting
    try:
        regex.purge()
        again = compiled.compile_pattern("regex", pattern)
    finally:
        owner.compile = real
    assert len(calls) == 1 and compiled._new == {}  # the C constructor alone, nothing new
    assert again.findall("ill-\n  formed co- operation") == first.findall(
        "ill-\n  formed co- operation"
    )


def test_a_damaged_or_foreign_cache_is_ignored(cache: Path) -> None:
    path = Path(str(compiled._path()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00not marshal")
    assert compiled.compile_pattern("re", r"a(b)c").search("xabc").group(1) == "b"
    compiled._kept = None
    # Another engine's opcodes under this name: a different stamp, never read.
    path.write_bytes(marshal.dumps((("old",), {("re", "x", 0): ("x", 0, [1, 2], 0, {}, ())})))
    assert compiled._load() == {}
    assert compiled.compile_pattern("re", "x").fullmatch("x")


def test_a_locale_dependent_pattern_is_never_kept(cache: Path) -> None:
    # What \w matches then depends on the process's locale, not on the pattern.
    p = compiled.compile_pattern("regex", r"\w+", int(regex.LOCALE))
    assert p.fullmatch("word")
    assert compiled._new == {}
