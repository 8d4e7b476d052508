"""Tests for refcheck.reader (the learned field labeller) and its use by fill()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from refcheck import reader
from refcheck.model import Reference
from refcheck.parsers.fields import fill, fill_rules
from refcheck.reader.decode import decode, trim
from refcheck.reader.features import LABELS, Lexicons, token_features, tokenize

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "training"

pytestmark = pytest.mark.skipif(not reader.available(), reason="python-crfsuite or model missing")


def parse(raw: str) -> Reference:
    ref = Reference(path="t.txt", format="text", index=0, start=7, end=7 + len(raw), raw=raw)
    fill(ref)
    return ref


def families(ref: Reference) -> list[str]:
    return [a.family for a in ref.authors]


def assert_exact_spans(ref: Reference) -> None:
    """Every field's span holds its value, offsets relative to the file."""
    for name in ("title", "container", "volume", "issue", "pages", "publisher"):
        value = getattr(ref, name)
        if value is None:
            assert name not in ref.field_spans or name == "pages", name
            continue
        a, b = ref.field_spans[name]
        assert " ".join(ref.raw[a - ref.start : b - ref.start].split()) == value, name
    if ref.year is not None:
        a, b = ref.field_spans["year"]
        assert ref.raw[a - ref.start : b - ref.start] == str(ref.year)


# --- the cases the issue names ------------------------------------------------------


def test_physics_style_reads_year_journal_volume_page() -> None:
    ref = parse("A. B. Author, Phys. Rev. D 12, 345 (1981).")
    assert families(ref) == ["Author"]
    assert ref.year == 1981
    assert ref.container == "Phys. Rev. D"
    assert (ref.volume, ref.pages) == ("12", "345")
    assert ref.title is None
    assert_exact_spans(ref)


def test_initials_first_comma_list_is_all_authors() -> None:
    ref = parse(
        "A. Author, B. Second, C. Third, D. Fourth, Title of the work on reading lists, "
        "J. Appl. Phys. 91, 1234 (2002)."
    )
    assert families(ref) == ["Author", "Second", "Third", "Fourth"]
    assert ref.title == "Title of the work on reading lists"
    assert ref.container == "J. Appl. Phys"
    assert (ref.volume, ref.pages, ref.year) == ("91", "1234", 2002)
    assert_exact_spans(ref)


def test_quoted_title_with_volume_and_number_keywords() -> None:
    ref = parse('Author, J., "Title," Journal, Vol. 3, No. 7, 2000, pp. 1–9.')
    assert families(ref) == ["Author"]
    assert ref.title == "Title"
    assert ref.container == "Journal"
    assert (ref.volume, ref.issue, ref.pages, ref.year) == ("3", "7", "1–9", 2000)
    assert_exact_spans(ref)


@pytest.mark.parametrize(
    "raw",
    [
        "Smith, J. (2010). Is reading the same as parsing? Journal of Reading, 3(2), 1-9.",
        "J. Smith, “Is reading the same as parsing?” Journal of Reading, vol. 3, no. 2, "
        "pp. 1–9, 2010.",
    ],
)
def test_title_keeps_its_question_mark(raw: str) -> None:
    ref = parse(raw)
    assert ref.title == "Is reading the same as parsing?"
    assert ref.container == "Journal of Reading"
    assert ref.year == 2010
    assert_exact_spans(ref)


def test_year_inside_publisher_parentheses() -> None:
    ref = parse("S. Biddle, Military Power (Cambridge University Press, Cambridge, 2002).")
    assert families(ref) == ["Biddle"]
    assert ref.year == 2002
    assert ref.title == "Military Power"
    assert ref.container is None
    assert_exact_spans(ref)


def test_pdf_damage_still_reads() -> None:
    raw = (
        "Lin, C.-W., Kalb, S. J., & Yeh, W.-S. (2015). Delay in diagnosis of spinal mus-\n"
        "cular atrophy: a systematic literature review. Pediatric Neu- rology,53(4), 293–300."
    )
    ref = parse(raw)
    assert families(ref) == ["Lin", "Kalb", "Yeh"]
    assert ref.year == 2015
    assert ref.container == "Pediatric Neu- rology"
    assert (ref.volume, ref.issue, ref.pages) == ("53", "4", "293–300")
    assert_exact_spans(ref)


def test_learned_reader_beats_the_rules_on_the_named_cases() -> None:
    # The rule reader alone misses these (issue 13); the combined reader reads them.
    raw = "A. B. Author, Phys. Rev. D 12, 345 (1981)."
    old = Reference(path="t", format="text", index=0, start=0, end=len(raw), raw=raw)
    fill_rules(old)
    assert (old.year, old.container) != (1981, "Phys. Rev. D")
    assert (parse(raw).year, parse(raw).container) == (1981, "Phys. Rev. D")


# --- pieces ---------------------------------------------------------------------


def test_tokens_keep_offsets() -> None:
    text = "Lin CW. Title. J Neurol. 2015;53(4):293-300."
    toks = tokenize(text)
    assert all(text[a:b] == t for t, a, b in toks)
    assert [t for t, _, _ in toks][-9:] == ["53", "(", "4", ")", ":", "293", "-", "300", "."]


def test_features_see_context() -> None:
    lex = Lexicons({"given": ["john"], "journal": ["neurol"]})
    text = "John Smith. “A title.” J Neurol 3 (1999)"
    feats = token_features(text, tokenize(text), lex)
    assert "lex=given" in feats[0] and "BOS" in feats[0]
    assert "q=1" in feats[4]  # inside the quotes
    assert "yearlike" in feats[-2] and "par=1" in feats[-2]
    assert "EOS" in feats[-1]


def test_decode_joins_a_broken_title_and_trims() -> None:
    text = "Smith J. A title: broken. Journal 3."
    toks = tokenize(text)
    labels = ["author", "author", "O", "title", "title", "O", "title", "O", "container", "volume"]
    labels.append("O")
    assert len(labels) == len(toks)
    spans = decode(text, toks, labels)
    assert text[slice(*spans["title"])] == "A title: broken"
    assert text[slice(*spans["author"])] == "Smith J"
    assert set(spans) <= set(LABELS)
    assert trim("“Why?”,", "title", 0, 7) == (1, 5)
    assert trim("(1999),", "year", 0, 7) == (0, 6)


def test_fill_without_a_model_falls_back_to_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = "Lin, C.-W. (2015). Delay in diagnosis. Pediatric Neurology, 53(4), 293–300."
    monkeypatch.setattr(reader, "_state", {"tagger": None})
    ref = parse(raw)
    old = Reference(path="t.txt", format="text", index=0, start=7, end=7 + len(raw), raw=raw)
    fill_rules(old)
    assert ref.to_json() == old.to_json()


def test_model_and_lexicons_ship_in_the_package() -> None:
    assert Path(reader.MODEL_FILE).is_file()
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"reader/*.crfsuite"' in text and '"reader/*.json"' in text


def test_bib_only_run_loads_no_model() -> None:
    env = dict(os.environ, REFCHECK_OFFLINE="1")
    bib = ROOT / "references" / "sample.bib"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "refcheck", "check", "--offline", str(bib)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "pycrfsuite" not in imported
    assert "refcheck.reader" not in imported
    assert "refcheck.parsers.fields" not in imported


def test_held_out_records_are_never_trained_on() -> None:
    sys.path.insert(0, str(TRAINING))
    try:
        from align import held_out
    finally:
        sys.path.remove(str(TRAINING))
    data = TRAINING / "data"
    with open(data / "rendered-train.jsonl", encoding="utf-8") as fh:
        train_keys = {json.loads(line)["id"].rsplit("|", 1)[0] for line in fh}
    with open(data / "rendered-heldout.jsonl", encoding="utf-8") as fh:
        test_keys = {json.loads(line)["id"].rsplit("|", 1)[0] for line in fh}
    assert train_keys and test_keys and not train_keys & test_keys
    assert not any(held_out(k) for k in train_keys)
    assert all(held_out(k) for k in test_keys)


def test_book_extent_is_no_locator() -> None:
    ref = parse("Norberg J. Harsh Realities of Alliances. Stockholm, Defence Agency, 2013. 60 p.")
    assert (ref.volume, ref.pages) == (None, None)
    assert ref.year == 2013


def test_keyword_marked_number_is_what_its_word_says() -> None:
    ref = parse("Troitskii E.F. Organizatsiya dogovora. Rusin, 2018, no. 54, pp. 335-351.")
    assert (ref.volume, ref.issue, ref.pages) == (None, "54", "335-351")
    assert ref.container == "Rusin"
    assert_exact_spans(ref)


def test_vancouver_year_before_the_volume_is_the_year() -> None:
    from refcheck.model import Reference
    from refcheck.parsers.fields import fill

    raw = ("Mansfield SJ, Smith RC, Yong JRJ, Garry OL, Anderson EA. A General Copper-Catalyzed "
           "Synthesis of Ynamides from 1,2-Dichloroenamides. Organic Letters. "
           "2019;21(8):2918-2922.")
    ref = Reference(path="t", format="text", index=0, start=0, end=len(raw), raw=raw)
    fill(ref)
    assert (ref.year, ref.volume, ref.issue, ref.pages) == (2019, "21", "8", "2918-2922")
    a, b = ref.field_spans["volume"]
    assert raw[a:b] == "21"
