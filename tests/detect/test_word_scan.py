"""The shared word scan and the fast searches behind it find what plain searches find.

Each fast path (the scan's candidate filter, the phrase index, the
prefix/suffix candidate search, the stride lookups, the ligature search)
is compared with the straightforward computation it replaces, on the seed
documents and on text built to hit the edge cases.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from refcheck.text import freq
from refcheck.text.context import RefContext
from refcheck.text.lexicon import phrase_index, phrases
from refcheck.text.scan import scan_recurring, scan_region
from refcheck.text.spelling import (
    LIGATURES,
    MIN_GAIN,
    WORD_MIN_ZIPF,
    glue_split,
    is_camel_case,
    judge,
    ligature_repair,
    match_case,
)
from refcheck.text.tokens import Token, is_acronym, words
from tests.detect.helpers import ROOT, parsed

SEEDS = sorted((ROOT / "references").glob("*.txt"))


def _plain_phrase_slips(text: str, toks: list[Token]) -> list[tuple[int, int, str, str, str]]:
    """Every window around every phrase word compared with every phrase containing it."""
    from rapidfuzz.distance import OSA

    index = phrase_index()
    runs: list[list[Token]] = []
    for tok in toks:
        if runs and text[runs[-1][-1].end : tok.start] in (" ", "\u00a0"):
            runs[-1].append(tok)
        else:
            runs.append([tok])
    out = []
    for run in runs:
        lows = [t.text.lower() for t in run]
        reported_until = -1
        for j, low in enumerate(lows):
            for p, k in index.get(low, ()):
                i = j - k
                n = len(p.words)
                if i < 0 or i + n > len(run) or i <= reported_until:
                    continue
                evidence, ok = False, True
                for t, pw in enumerate(p.words, i):
                    w = lows[t]
                    if w == pw:
                        continue
                    if w + "s" == pw or pw + "s" == w or w + "es" == pw or pw + "es" == w:
                        continue
                    tok = run[t]
                    if (
                        len(pw) >= 4
                        and tok.text.isalpha()
                        and not is_acronym(tok.text)
                        and not is_camel_case(tok.text)
                        and OSA.distance(w, pw) == 1
                        and freq.zipf(pw) - freq.zipf(w) >= 1.0
                    ):
                        evidence = True
                        continue
                    ok = False
                    break
                if ok and evidence:
                    window = run[i : i + n]
                    start, end = window[0].start, window[-1].end
                    right = " ".join(
                        t.text if t.text.lower() == pw else match_case(t.text, orig)
                        for t, pw, orig in zip(window, p.words, p.text.split(), strict=True)
                    )
                    reported_until = i + n - 1
                    out.append((start, end, text[start:end], right, p.category))
    return out


def _slipped(word: str, rng: random.Random) -> Iterator[str]:
    """The word, its plurals and one-edit slips of it, in several capitalisations."""
    yield word
    yield word + "s"
    yield word + "es"
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]
        yield word[:i] + rng.choice("aeioux") + word[i + 1 :]
        yield word[:i] + word[i : i + 2][::-1] + word[i + 2 :]
    yield word[:2] + "zz" + word[2:]  # two edits: never a slip


def _phrase_text() -> str:
    """Lines of lexicon phrases with one word slipped, amid other words and punctuation."""
    rng = random.Random(8)
    lines = []
    for p in phrases():
        if len(p.words) < 2:
            continue
        written = p.text.split()
        for k, word in enumerate(written):
            for variant in _slipped(word, rng):
                ws = [*written[:k], variant, *written[k + 1 :]]
                case = rng.choice((str, str.lower, str.upper, str.title))
                joiner = rng.choice((" ", " ", " ", "\u00a0", ", ", "  "))
                filler = rng.choice(("A study", "Thesis,", "In", "The"))
                lines.append(f"{filler} {joiner.join(case(w) for w in ws)} of the {p.text}.")
    return "\n".join(lines)


def test_phrase_index_finds_what_comparing_every_window_finds() -> None:
    texts = [_phrase_text(), *(path.read_text(encoding="utf-8") for path in SEEDS)]
    reported = 0
    for text in texts:
        for line_start, line in _lines(text):
            scanned = scan_region(text, line_start, line_start + len(line))
            plain = _plain_phrase_slips(text, words(line, line_start))
            assert [tuple(s) for s in scanned.slips] == plain, line
            reported += len(plain)
            # The scan of a recurring value, kept by value and moved, is the same.
            assert scan_recurring(text, line_start, line_start + len(line)) == scanned
    assert reported > 500  # the text does exercise slipped phrases


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_scan_keeps_every_word_a_word_rule_can_report(path: Path) -> None:
    doc = parsed(path)
    text = doc.text
    for ref in doc.references:
        lo, hi = ref.start, ref.end
        for prose in (False, True):
            found = scan_region(text, lo, hi, prose=prose)
            suspects = set(found.suspects)
            for tok in words(text[lo:hi], lo):
                if judge(text, tok, lo, hi, rare=prose) is not None:
                    assert tok in suspects, tok
                eligible = len(tok.text) >= 4 and tok.text.isascii() and tok.text.isalpha()
                if eligible and ligature_repair(tok.text) is not None:
                    assert tok in suspects, tok
            glued = [
                (tok, glue_split(tok.text))
                for tok in words(text[lo:hi], lo)
                if len(tok.text) >= 4 and tok.text.isascii() and glue_split(tok.text)
            ]
            assert list(found.glued) == glued


def _plain_candidates(word: str) -> tuple[freq.Candidate, ...]:
    """Every word of the three length buckets compared with ``word``."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    out = []
    for length in range(len(word) - 1, len(word) + 2):
        bucket = freq._bucket(length)
        for cand, dist, _ in process.extract(
            word, bucket, scorer=OSA.distance, score_cutoff=1, limit=None
        ):
            if cand != word:
                out.append(freq.Candidate(cand, int(dist), freq.zipf(cand)))
    out.sort(key=lambda c: (c.distance, -c.zipf))
    return tuple(out)


def test_prefix_suffix_search_finds_every_candidate() -> None:
    rng = random.Random(3)
    sample: set[str] = set()
    for length in range(2, 14):
        for word in rng.sample(freq._bucket(length), 8):
            sample.update(w for w in _slipped(word, rng) if w.isascii() and len(w) >= 2)
    sample.update(("secuirty", "eonomy", "procedings", "ab", "qqqq"))
    with_candidates = 0
    for word in sorted(sample):
        plain = _plain_candidates(word)
        assert freq._one_edit_candidates(word) == plain, word
        with_candidates += bool(plain)
    assert with_candidates > len(sample) // 2


def test_stride_lookups_agree_with_a_bisection() -> None:
    t = freq.tables()

    word = t.word
    count = len(t.offsets) - 1
    rng = random.Random(5)
    indices = [0, 1, 63, 64, 65, count - 1, *rng.sample(range(count), 400)]
    probes: set[str] = {"", "a", "zzzzzzzz", "\U0010ffff", "a\nb", "the\nof", "\n"}
    for i in indices:
        w = word(i).decode("utf-8", "surrogatepass")
        assert t.find(w) == i
        probes.update((w[:-1], w + "a", w[: len(w) // 2], w[:1] + "\uffff", w + "\n"))
        if i + 1 < count:  # two neighbouring words, as they sit in the table
            probes.add(f"{w}\n{word(i + 1).decode('utf-8', 'surrogatepass')}")
    for p in probes:
        key = p.encode("utf-8", "surrogatepass")
        at = bisect.bisect_left(range(count), key, key=word)
        exact = at if at < count and word(at) == key else -1
        assert t.find(p) == exact, p
        assert t.has_prefix(p) == (at < count and word(at).startswith(key)), p


def _plain_ligature_repair(word: str) -> str | None:
    """Every ligature at every place, looked up one by one."""
    low = word.lower()
    if freq.zipf(low) >= WORD_MIN_ZIPF:
        return None
    best: tuple[float, str] | None = None
    for i in range(1, len(low)):
        for lig in LIGATURES:
            cand = low[:i] + lig + low[i:]
            z = freq.zipf(cand)
            if z >= 3.0 and z - freq.zipf(low) >= MIN_GAIN and (best is None or z > best[0]):
                best = (z, cand)
    return match_case(word, best[1]) if best else None


def test_ligature_search_by_prefix_restores_what_trying_every_place_does() -> None:
    rng = random.Random(2)
    lost: list[str] = []
    for length in range(5, 14):
        for word in freq._bucket(length):
            for lig in ("ffi", "ffl", "fi", "fl", "ff"):
                if lig in word:
                    lost.append(word.replace(lig, "", 1))
                    break
    sample = [*rng.sample(lost, 150), "Articial", "Scientic", "EFCIENT", "Dierent", "xyzzy"]
    restored = 0
    for word in sample:
        expected = _plain_ligature_repair(word)
        assert ligature_repair.__wrapped__(word) == expected, word
        restored += expected is not None
    assert restored > 50


def test_mask_reason_with_many_masks_matches_the_last_forty_rule() -> None:
    rng = random.Random(4)
    ctx = RefContext(regions=[(0, 2000, None)])
    for k in range(120):
        s = rng.randrange(0, 1900)
        ctx.masks.append((s, s + rng.randrange(1, 80), f"r{k % 5}"))
    ctx.finish()
    starts = [m[0] for m in ctx.masks]
    for _ in range(500):
        start = rng.randrange(0, 1990)
        end = start + rng.randrange(1, 12)
        i = bisect.bisect_right(starts, end)
        expected = next(
            (r for s, e, r in ctx.masks[max(0, i - 40) : i] if s < end and start < e), None
        )
        assert ctx.mask_reason(start, end) == expected
