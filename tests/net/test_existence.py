"""Existence verdicts across registries, against loopback stand-ins for all five sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refcheck.config import Settings
from refcheck.engine import load_document
from refcheck.model import Author, Document, Reference, Severity
from refcheck.net.http import HttpConfig
from refcheck.net.services import Services, build_services
from refcheck.net.sources import Record
from refcheck.net.sources.arxiv import ArxivSource
from refcheck.net.sources.pubmed import PubMedSource
from refcheck.net.verify import Verdict, match, name_key, same_name, shape
from refcheck.rules import doi as doi_rules
from refcheck.rules import existence
from refcheck.rules import metadata as metadata_rules
from refcheck.rules.base import Context, Hit, Rule

from .conftest import Server
from .sources_conftest import (  # noqa: F401  (fixtures)
    arxiv_server,
    dblp_server,
    openalex_server,
    pubmed_server,
    registries_fixture,
)
from .sources_conftest import (
    registry_settings as settings,
)
from .test_registry import KUSCHEL, document

ROOT = Path(__file__).resolve().parents[2]
RULES: dict[str, Rule] = {r.code: r for m in (existence, doi_rules, metadata_rules)
                          for r in m.RULES}


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ArxivSource, "interval", 0.0)
    monkeypatch.setattr(PubMedSource, "interval", 0.0)




def services(s: Settings, docs: list[Document]) -> Services:
    cfg = HttpConfig(timeout=s.timeout, backoff=0.01, mailto=s.mailto,
                     allow_hosts=s.allow_hosts, cache_dir=s.cache_dir, no_cache=s.no_cache)
    return build_services(s, docs, config=cfg)


def verdict_of(svc: Services, ref: Reference) -> Verdict:
    v = svc.verdict(ref)
    assert v is not None
    return v


def run(code: str, doc: Document, svc: Services) -> list[Hit]:
    return list(RULES[code].check(doc, Context(services=svc, documents=[doc])))


@pytest.fixture
def open_services() -> Iterator[list[Services]]:
    made: list[Services] = []
    yield made
    for svc in made:
        svc.close()


def verdicts(s: Settings, doc: Document) -> tuple[dict[int, Verdict], Services]:
    svc = services(s, [doc])
    out = {r.index: verdict_of(svc, r) for r in doc.entries()}
    svc.close()
    return out, svc


DEEP = {  # a real article that the Crossref fixtures lack and OpenAlex holds
    "raw": "LeCun, Y., Bengio, Y. and Hinton, G. (2015) Deep learning. Nature 521: 436-444.",
    "authors": [Author("LeCun", "Y."), Author("Bengio", "Y."), Author("Hinton", "G.")],
    "year": 2015, "title": "Deep learning", "container": "Nature", "volume": "521",
    "pages": "436-444", "entry_type": "article",
}
FABRICATED = {  # real authors and journal, a title nobody published
    "raw": "Kuschel, T. and Reiss, G. (2015) Magnon drag in layered oxide heterostructures. "
           "Nature Nanotechnology 11(3): 210-218.",
    "authors": [Author("Kuschel", "T."), Author("Reiss", "G.")], "year": 2015,
    "title": "Magnon drag in layered oxide heterostructures",
    "container": "Nature Nanotechnology", "volume": "11", "issue": "3", "pages": "210-218",
    "entry_type": "article",
}
CHIMERA = {  # a real title under another paper's author
    "raw": "Lieber, R. L. (2014) Charges ride the spin wave. Nature Nanotechnology 10(1): 22-24.",
    "authors": [Author("Lieber", "R. L.")], "year": 2014, "title": "Charges ride the spin wave",
    "container": "Nature Nanotechnology", "volume": "10", "issue": "1", "pages": "22-24",
    "entry_type": "article",
}
SWAPPED = dict(KUSCHEL, doi="10.1002/jor.1100150407", entry_type="article",
               raw=str(KUSCHEL["raw"]).replace("10.1038/nnano.2014.279", "10.1002/jor.1100150407"))


# -- matching --------------------------------------------------------------------------------


def test_names_fold_transliteration_and_diacritics() -> None:
    assert same_name("Zinov’ev", "Зиновьев") and same_name("Kupce", "Kupče")
    assert same_name("Troitskii", "Троицкий") and same_name("Tchaikovsky", "Chaikovskii")
    assert name_key("Müller") == name_key("Muller")
    assert not same_name("Smith", "Kuschel")


def test_match_is_field_by_field() -> None:
    record = Record("crossref", "10.1038/nnano.2014.279", "Charges ride the spin wave",
                    (("Kuschel", "Timo"), ("Reiss", "Günter")), 2014,
                    container="Nature Nanotechnology", volume="10", doi="10.1038/nnano.2014.279")
    moved = dict(KUSCHEL, year=2009, raw=str(KUSCHEL["raw"]).replace("2014", "2009"))
    doc = document(dict(KUSCHEL), dict(CHIMERA), moved)
    good, chimera, wrong_year = (match(r, record) for r in doc.references)
    assert good.same_work and good.verdict == "verified" and good.score == 1.0
    assert {"title", "authors", "year", "container"} <= set(good.agreeing)
    assert chimera.same_work and chimera.disagreeing == ("authors",)
    assert wrong_year.same_work and "year" in wrong_year.disagreeing
    # The title alone never makes a match: same title, other author, other decade.
    other = document(dict(CHIMERA, year=1990, raw="Lieber (1990) Charges ride the spin wave."))
    assert not match(other.references[0], record).same_work


def test_shapes_of_references() -> None:
    doc = document(dict(FABRICATED), {"raw": "Smith, J. (2001) A Book. London: Penguin.",
                                      "title": "A Book", "entry_type": "book"},
                   {"raw": "X. Policy Brief, no. 26.", "title": "On security",
                    "container": "Central Asia Policy Brief", "issue": "26",
                    "entry_type": "article"})
    assert [shape(r)[0] for r in doc.references] == [True, False, False]


# -- the ladder against the stand-ins ------------------------------------------------------


def test_found_only_in_the_second_source(registries: dict[str, Server], tmp_path: Path) -> None:
    doc = document(dict(DEEP))
    v, svc = verdicts(settings(registries, tmp_path), doc)
    assert v[1].verdict == "verified" and v[1].source == "openalex"
    assert v[1].doi == "10.1038/nature14539" and v[1].asked[:2] == ["Crossref", "OpenAlex"]
    assert registries["pubmed"].hits() == 0 and registries["dblp"].hits() == 0  # stopped
    report = svc.verdicts
    assert report is not None and report[0]["score"] > 0.9
    assert {"title", "authors", "year"} <= set(report[0]["agreeing"])


def test_identifier_first_then_stop(registries: dict[str, Server], tmp_path: Path) -> None:
    doc = document(dict(KUSCHEL, entry_type="article"),
                   {"raw": "Vaswani A. et al. Attention is all you need. arXiv:1706.03762, 2017.",
                    "title": "Attention is all you need", "authors": [Author("Vaswani", "A.")],
                    "year": 2017})
    before = len(registries["crossref"].log)
    v, _ = verdicts(settings(registries, tmp_path), doc)
    assert (v[1].verdict, v[1].source) == ("verified", "crossref")
    assert (v[2].verdict, v[2].source) == ("verified", "arxiv")
    asked = str(registries["crossref"].log[before:])
    assert "filter=doi" in asked and "query.bibliographic" not in asked  # no search needed
    assert registries["openalex"].hits("/works?search") == 0
    assert registries["arxiv"].hits("/query?id_list") == 1


def test_fabricated_reference_is_a_warning(registries: dict[str, Server],
                                           tmp_path: Path) -> None:
    doc = document(dict(FABRICATED))
    svc = services(settings(registries, tmp_path), [doc])
    hits = run("RC851", doc, svc)
    svc.close()
    assert len(hits) == 1
    assert verdict_of(svc, doc.references[0]).verdict == "not-found"
    assert "Crossref, OpenAlex, PubMed, DBLP" in hits[0].message
    assert doc.text[hits[0].start:hits[0].end] == FABRICATED["title"]


def test_real_title_with_wrong_authors(registries: dict[str, Server], tmp_path: Path) -> None:
    doc = document(dict(CHIMERA))
    svc = services(settings(registries, tmp_path), [doc])
    # The record found by search is compared field by field like a DOI's (RC707); RC708,
    # which said only "other authors", stays silent rather than report it twice.
    hits = run("RC707", doc, svc)
    assert not run("RC708", doc, svc)
    assert not run("RC851", doc, svc)
    svc.close()
    assert verdict_of(svc, doc.references[0]).verdict == "discrepancy"
    assert len(hits) == 1 and hits[0].suggestion == "Kuschel, Reiss"
    assert "Lieber" in hits[0].message
    assert hits[0].field == "authors" and doc.text[hits[0].start:hits[0].end] == "Lieber"


def test_swapped_doi_suggests_the_right_one(registries: dict[str, Server],
                                            tmp_path: Path) -> None:
    doc = document(dict(SWAPPED))
    svc = services(settings(registries, tmp_path), [doc])
    hits = run("RC602", doc, svc)
    svc.close()
    assert len(hits) == 1 and hits[0].suggestion == "10.1038/nnano.2014.279"
    v = verdict_of(svc, doc.references[0])
    assert v.verdict == "discrepancy" and v.match is not None
    assert "doi" in v.match.disagreeing


def test_a_source_that_times_out_is_named_once(registries: dict[str, Server],
                                               tmp_path: Path) -> None:
    registries["openalex"].state["mode"] = "hang"
    doc = document(dict(DEEP), dict(DEEP, raw=str(DEEP["raw"]) + " "), dict(FABRICATED))
    svc = services(settings(registries, tmp_path), [doc])
    hits = run("RC851", doc, svc)
    svc.close()
    v = {r.index: verdict_of(svc, r) for r in doc.references}
    assert all(x.verdict == "skipped" and "OpenAlex" in x.failed for x in v.values())
    assert not hits  # never "not found" because a registry did not answer
    notes = [n for n in svc.notes if "OpenAlex" in n]
    assert len(notes) == 1 and registries["openalex"].base in notes[0]


def test_retracted_by_openalex_flag(registries: dict[str, Server], tmp_path: Path) -> None:
    doc = document({
        "raw": "Wakefield AJ, Murch SH. Ileal-lymphoid-nodular hyperplasia, non-specific "
               "colitis, and pervasive developmental disorder in children. Lancet. 1998;"
               "351(9103):637-41. doi:10.1016/S0140-6736(97)11096-0",
        "authors": [Author("Wakefield", "AJ"), Author("Murch", "SH")], "year": 1998,
        "title": "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive "
                 "developmental disorder in children", "container": "Lancet", "volume": "351",
        "doi": "10.1016/S0140-6736(97)11096-0"})
    svc = services(settings(registries, tmp_path), [doc])
    hits = run("RC803", doc, svc)
    svc.close()
    assert verdict_of(svc, doc.references[0]).verdict == "retracted"
    assert len(hits) == 1 and "OpenAlex" in hits[0].message


def test_warm_run_makes_no_request(registries: dict[str, Server], tmp_path: Path) -> None:
    doc = document(dict(DEEP), dict(FABRICATED), dict(CHIMERA), dict(SWAPPED),
                   {"raw": "Smith, J. (2001) A Book About Things. London: Penguin.",
                    "title": "A Book About Things", "entry_type": "book", "year": 2001,
                    "authors": [Author("Smith", "J.")]})
    s = settings(registries, tmp_path)
    sent = []
    for _ in range(2):
        svc = services(s, [doc])
        first = [verdict_of(svc, r).verdict for r in doc.references]
        sent.append(svc.http.sent)
        svc.close()
    assert sent[0] > 0 and sent[1] == 0
    assert first == ["verified", "not-found", "discrepancy", "discrepancy", "unverifiable"]
    assert sent[0] / len(doc.references) <= 5


# -- the seeds: grey literature is never called fabricated -----------------------------------


@pytest.mark.parametrize("name", ["001-memo-krivopalov-2021.txt",
                                  "004-jrs-post-soviet-security.txt"])
def test_seed_grey_literature_is_unverifiable(registries: dict[str, Server], tmp_path: Path,
                                              name: str) -> None:
    s = settings(registries, tmp_path)
    doc = load_document(str(ROOT / "references" / name), s)
    svc = services(s, [doc])
    warnings = run("RC851", doc, svc)
    infos = run("RC852", doc, svc)
    svc.close()
    v = {r.index: verdict_of(svc, r) for r in doc.entries()}
    assert not [x for x in v.values() if x.verdict in ("verified", "discrepancy")]
    grey = [x for x in v.values() if not x.registry_shaped]
    assert grey and all(x.verdict in ("unverifiable", "skipped") for x in grey)
    # Reports, books, theses, news and web pages: info, never a warning.
    kinds = {x.kind for x in grey}
    assert {"book", "report"} <= kinds
    warned = {h.reference.index for h in warnings if h.reference}
    assert warned == {i for i, x in v.items() if x.verdict == "not-found"}
    assert all(v[i].registry_shaped for i in warned)
    assert all(RULES["RC852"].severity == Severity.INFO for _ in infos)
    assert {h.reference.index for h in infos if h.reference} == {
        i for i, x in v.items() if x.verdict == "unverifiable"}
    news = [x for x in v.values() if "news" in x.kind]
    assert all(x.verdict == "unverifiable" for x in news)


def test_verdict_json_shape(registries: dict[str, Server], tmp_path: Path) -> None:
    doc = document(dict(DEEP))
    _, svc = verdicts(settings(registries, tmp_path), doc)
    (entry,) = svc.verdicts or []
    assert {"path", "line", "index", "key", "verdict", "doi", "source", "score",
            "agreeing"} <= set(entry)


def test_verdict_entries_are_written_as_the_verdicts_are_given_out(
        registries: dict[str, Server], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written while the searches wait on the registry, not when the report asks: at the
    end, a cluster's task spent 0.1–0.2 s on them after its last answer."""
    doc = document(dict(DEEP))
    _, svc = verdicts(settings(registries, tmp_path), doc)
    written: list[Verdict] = []
    real = Verdict.to_json
    monkeypatch.setattr(Verdict, "to_json", lambda v: written.append(v) or real(v))
    (entry,) = svc.verdicts or []
    assert entry["verdict"] and not written


def test_offline_services_have_no_verdicts(registries: dict[str, Server],
                                           tmp_path: Path) -> None:
    svc = services(settings(registries, tmp_path), [document(dict(DEEP))])
    assert svc.verdicts is None  # nothing asked for them: nothing was sent
    assert svc.http.sent == 0
    svc.close()


def test_cli_reports_verdicts(registries: dict[str, Server], tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from refcheck.cli import main

    refs = tmp_path / "refs.txt"
    refs.write_text(
        "References\n\n"
        "1. LeCun, Y., Bengio, Y. and Hinton, G. (2015) Deep learning. Nature, 521, 436-444.\n"
        "2. Kuschel, T. and Reiss, G. (2015) Magnon drag in layered oxide heterostructures. "
        "Nature Nanotechnology, 11(3), 210-218.\n",
        encoding="utf-8")
    code = main([
        "check", "--format", "json", "--allow-host", "127.0.0.1",
        "--crossref-url", registries["crossref"].base,
        "--doi-resolver", registries["proxy"].base,
        "--openalex-url", registries["openalex"].base, "--openalex-key", "k",
        "--sources", "crossref,openalex",
        "--cache-dir", str(tmp_path / "cache"), "--timeout", "2", "--select", "RC85",
        str(refs)])
    out = capsys.readouterr().out
    data = json.loads(out)
    # Written as the standard library writes it (orjson writes it so only where the
    # report's floats are scores: refcheck.report.json._plain_floats).
    assert out == json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def floats(value: object, path: tuple[object, ...]) -> list[tuple[object, ...]]:
        if isinstance(value, float):
            return [path]
        items = value.items() if isinstance(value, dict) else (
            enumerate(value) if isinstance(value, list) else ())
        return [p for k, v in items for p in floats(v, (*path, k))]

    found = floats(data, ())
    assert found and all(p[0] == "references" and p[2:] == ("score",) for p in found)
    by_index = {r["index"]: r for r in data["references"]}
    assert by_index[1]["verdict"] == "verified" and by_index[1]["source"] == "openalex"
    assert by_index[2]["verdict"] == "not-found"
    assert [f["code"] for f in data["findings"]] == ["RC851"] and code == 1
    assert "Crossref, OpenAlex" in data["findings"][0]["message"]
    assert registries["dblp"].hits() == 0  # not in --sources: never asked
