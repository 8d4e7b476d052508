from __future__ import annotations

import pytest

from refcheck.model import Document, SourceText
from refcheck.rules.encoding import (
    invisible_character,
    low_high_quotes,
    minus_in_range,
    mojibake,
    wrong_apostrophe,
)
from tests.detect.helpers import ROOT, hits, one_reference, parsed, texts


def test_backtick_apostrophe_in_seed() -> None:
    doc = parsed(ROOT / "references" / "001-memo-krivopalov-2021.txt")
    found = {doc.text[h.start : h.end]: h.suggestion for h in hits(wrong_apostrophe, doc)}
    assert found["Putin`s"] == "Putin’s"


def test_reversed_quote_apostrophe_in_thesis() -> None:
    path = ROOT / "references" / "003-thesis-csto-nato.txt"
    text = path.read_text(encoding="utf-8")
    doc = Document(SourceText(str(path), text), "text", [])
    at = text.index("Master‟s")
    # The thesis body is prose: reported only with --prose, never by default.
    spans = [(h.start, h.suggestion) for h in hits(wrong_apostrophe, doc, prose=True)]
    assert (at, "Master’s") in spans
    assert (at, "Master’s") not in [(h.start, h.suggestion) for h in hits(wrong_apostrophe, doc)]


def test_latex_is_not_an_apostrophe() -> None:
    doc = one_reference("title = {Caf\\`e and ``quoted'' text}")
    assert texts(wrong_apostrophe, doc) == []


def test_low_high_quote_pair() -> None:
    doc = one_reference("a „self-help‟ system; the acute´s test")
    assert [h.suggestion for h in hits(low_high_quotes, doc)] == ["‘", "’"]
    assert [h.suggestion for h in hits(wrong_apostrophe, doc)] == ["acute’s"]


def test_mojibake_uses_ftfy() -> None:
    doc = one_reference("Cardoso, Jean-FranÃ§ois. Blind signal separation. 1998.")
    (h,) = hits(mojibake, doc)
    assert h.fix is not None
    fixed = doc.text[: h.start] + h.fix.replacement + doc.text[h.end :]
    assert "Jean-François" in fixed
    assert texts(mojibake, one_reference("Hämäläinen M. “Title”. Zinov’ev, 2004.")) == []


def test_minus_in_page_range() -> None:
    doc = one_reference("International Organization, 54 (3): 421−456.")
    (h,) = hits(minus_in_range, doc)
    assert doc.text[h.start : h.end] == "−" and h.suggestion == "–"


def test_invisible_characters() -> None:
    doc = one_reference("10.1000/\u200bxyz and soft\u00adhyphen")
    assert [doc.text[h.start : h.end] for h in hits(invisible_character, doc)] == [
        "\u200b",
        "\u00ad",
    ]


def _mojibake_lines() -> list[str]:
    """Seed lines with non-ASCII text, and text mis-decoded by the codecs ftfy knows."""
    import random

    lines = [
        line
        for path in sorted((ROOT / "references").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").split("\n")
        if not line.isascii()
    ]
    rng = random.Random(6)
    alphabet = "abcdefXYZ .,;:'\"-éèàçöüßñøåœŒ’“”–—…€£©®™°±µ½×αβγабвгЁЯ„‟"
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        codec = rng.choice(("cp1252", "latin-1", "mac_roman", "cp1251", "cp1253", "cp1257"))
        broken = text.encode("utf-8").decode(codec, "replace")
        cut = rng.randint(0, len(broken))
        lines.append(text[:cut] + broken[cut:] if rng.random() < 0.5 else broken)
    return lines


def test_badness_searched_near_non_ascii_characters_only_agrees_with_ftfy() -> None:
    from refcheck.rules.encoding import _badness_plan, _ftfy_badness, _near_non_ascii

    plan = _badness_plan()
    if plan is None:
        pytest.skip("this ftfy's pattern does not allow the windowed search")
    is_bad = _ftfy_badness().is_bad
    lines = _mojibake_lines()
    verdicts = [is_bad(line) for line in lines]
    assert [_near_non_ascii(line, *plan) for line in lines] == verdicts
    assert 0 < sum(verdicts) < len(lines)


def test_mojibake_found_on_every_line_at_its_offset() -> None:
    block = "Plain ASCII line.\nJean-FranÃ§ois and Ã©tÃ©\nGödel, Escher\nx\n"
    text = block * 3
    found = hits(mojibake, Document(SourceText("t.txt", text), "bibtex", []))
    spans = [(h.start, h.end, h.suggestion) for h in found]
    first = [(s, e, fix) for s, e, fix in spans if s < len(block)]
    assert [text[s:e] for s, e, _ in first] == ["Jean-FranÃ§", "Ã©", "tÃ©"]
    assert [fix for _, _, fix in first] == ["Jean-Franç", "é", "té"]
    n = len(block)
    assert spans == [(s + k * n, e + k * n, fix) for k in range(3) for s, e, fix in first]


def test_single_character_matches_found_like_finditer() -> None:
    from refcheck.rules.encoding import (
        _APOSTROPHE_CHARS,
        _APOSTROPHE_LIKE,
        _INVISIBLE,
        _INVISIBLE_CHARS,
        _matches_at,
    )

    text = (
        "Putin`s a``b \\`e x´y members‟ „q‟ 1′2 a‟b `x y` "
        "a\u200bb \u200c\u200d a\u200cb ك\u200cك 1\u200d \ufeffz \u00ad \u2060"
    ) * 3
    for pattern, chars in ((_APOSTROPHE_LIKE, _APOSTROPHE_CHARS), (_INVISIBLE, _INVISIBLE_CHARS)):
        expected = [(m.start(), m.group()) for m in pattern.finditer(text)]
        assert [(m.start(), m.group()) for m in _matches_at(pattern, chars, text)] == expected
        assert expected


def test_badness_gate_never_turns_away_a_line_ftfy_finds_bad() -> None:
    from refcheck.rules.encoding import _badness_gate, _build_gate, _ftfy_badness, _may_be_bad

    if _badness_gate() is None:
        pytest.skip("this ftfy's pattern cannot be read as pairs of characters")
    assert _badness_gate() == _build_gate()  # what the cache keeps is what the pattern gives
    is_bad = _ftfy_badness().is_bad
    lines = _mojibake_lines()
    bad = [line for line in lines if is_bad(line)]
    assert bad and all(_may_be_bad(line) for line in bad)
    # ...while clean text with accents, dashes and curly quotes needs no ftfy at all.
    clean = [line for line in lines if not is_bad(line)]
    assert sum(not _may_be_bad(line) for line in clean) > len(clean) // 2
    assert not _may_be_bad("Hämäläinen, Gaël Varoquaux and Göttingen — “Title”, 12–71 ©")
