"""Crossref, the DOI proxy, services and the network rules, against loopback servers
that answer with real recorded Crossref responses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from refcheck.config import Settings
from refcheck.model import Author, Document, Reference, Severity, SourceText
from refcheck.net.crossref import BATCH, CrossrefClient, doi_from_link, normalise_doi
from refcheck.net.http import HttpConfig
from refcheck.net.services import UNREACHABLE, Services, build_services
from refcheck.rules import doi as doi_rules
from refcheck.rules import links as link_rules
from refcheck.rules import metadata as meta_rules
from refcheck.rules.base import Context, Hit, Rule

from .conftest import CrossrefData, Server

RULES: dict[str, Rule] = {r.code: r for m in (link_rules, doi_rules, meta_rules) for r in m.RULES}


def settings(crossref: Server, proxy: Server, tmp_path: Path, **kw: Any) -> Settings:
    s = Settings(crossref_url=crossref.base, doi_resolver=proxy.base, mailto="ci@example.org",
                 allow_hosts=["127.0.0.1"], cache_dir=str(tmp_path), timeout=1.0)
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def services_for(s: Settings, docs: list[Document]) -> Services:
    cfg = HttpConfig(timeout=s.timeout, backoff=0.01, max_retry_after=2.0, mailto=s.mailto,
                     allow_hosts=s.allow_hosts, allow_private=s.allow_private_hosts,
                     cache_dir=s.cache_dir, no_cache=s.no_cache)
    return build_services(s, docs, config=cfg)


def document(*refs: dict[str, Any]) -> Document:
    """A text document with one reference per line, built from field dicts."""
    lines, built, offset = [], [], 0
    for i, fields in enumerate(refs):
        raw = fields.pop("raw")
        lines.append(raw)
        ref = Reference(path="refs.txt", format="text", index=i + 1, start=offset,
                        end=offset + len(raw), raw=raw, **fields)
        built.append(ref)
        offset += len(raw) + 1
    doc = Document(SourceText("refs.txt", "\n".join(lines) + "\n"), "text", built)
    return doc


def run(code: str, doc: Document, services: Services) -> list[Hit]:
    return list(RULES[code].check(doc, Context(services=services, documents=[doc])))


KUSCHEL: dict[str, Any] = {
    "raw": "Kuschel, T. and Reiss, G. (2014) Charges ride the spin wave. Nature "
           "Nanotechnology 10(1): 22-24. doi:10.1038/nnano.2014.279",
    "authors": [Author("Kuschel", "T."), Author("Reiss", "G.")],
    "year": 2014, "title": "Charges ride the spin wave", "container": "Nature Nanotechnology",
    "volume": "10", "issue": "1", "pages": "22-24", "doi": "10.1038/nnano.2014.279",
}


# -- DOI helpers ----------------------------------------------------------------------------


def test_doi_links_are_recognised() -> None:
    assert doi_from_link("https://doi.org/10.1038/NNANO.2014.279") == "10.1038/nnano.2014.279"
    assert doi_from_link("http://dx.doi.org/10.1000%2Fabc") == "10.1000/abc"
    assert doi_from_link("doi:10.1000/xyz.") == "10.1000/xyz"
    assert doi_from_link("https://example.org/10.1000/x") is None
    assert normalise_doi(" DOI:10.1000/ABC; ") == "10.1000/abc"


# -- Crossref client -----------------------------------------------------------------------


def test_batch_lookup_and_single_fallback(crossref: Server, proxy: Server,
                                          tmp_path: Path) -> None:
    svc = services_for(settings(crossref, proxy, tmp_path), [])
    before = crossref.hits()
    found, failed = svc.crossref.works(
        ["10.1038/nnano.2014.279", "10.1371/journal.pone.0033693", "10.7554/elife.01567x"]
    )
    svc.close()
    assert not failed
    record = found["10.1038/nnano.2014.279"]
    assert record is not None and record["title"] == ["Charges ride the spin wave"]
    assert found["10.7554/elife.01567x"] is None  # the recorded 404
    # One batch; the DOI it lacks is one the DOI proxy says does not exist, so Crossref
    # is not asked for it again.
    assert crossref.hits() - before == 1
    assert [p for _, p in proxy.log][-1] == "/ra/10.7554/elife.01567x"
    batch = [p for _, p in crossref.log if "filter=doi" in p][-1]
    assert "select=" in batch and "mailto=ci%40example.org" in batch
    # Without an agency to ask, the absent DOI is confirmed singly before it is "not held".
    svc = services_for(settings(crossref, proxy, tmp_path / "alone"), [])
    alone = CrossrefClient(svc.http, crossref.base, "ci@example.org")
    before = crossref.hits()
    found, failed = alone.works(["10.1038/nnano.2014.279", "10.7554/elife.01567x"])
    svc.close()
    assert found["10.7554/elife.01567x"] is None and not failed
    assert crossref.hits() - before == 2


def test_requests_per_doi_cold_and_warm(crossref: Server, proxy: Server, tmp_path: Path,
                                        crossref_data: CrossrefData) -> None:
    dois = sorted(d for d in crossref_data.works if "," not in d)[:100]
    doc = document(*({"raw": f"Ref {i}. doi:{d}", "doi": d} for i, d in enumerate(dois)))
    s = settings(crossref, proxy, tmp_path)
    for warm in (False, True):
        svc = services_for(s, [doc])
        for code in ("RC601", "RC701", "RC801"):
            run(code, doc, svc)
        sent = svc.http.sent
        svc.close()
        assert not any("unreachable" in n for n in svc.notes)
        if warm:
            assert sent == 0
        else:
            assert sent / len(dois) <= 0.05, sent
            assert sent >= 2 * ((len(dois) + BATCH - 1) // BATCH)


def test_select_rejected_falls_back_to_full_records(crossref: Server, proxy: Server,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import refcheck.net.crossref as cr

    monkeypatch.setattr(cr, "SELECT", cr.SELECT + ",no-such-field")
    svc = services_for(settings(crossref, proxy, tmp_path, no_cache=True), [])
    found, failed = svc.crossref.works(["10.1038/nnano.2014.279"])
    svc.close()
    assert found["10.1038/nnano.2014.279"] is not None and not failed


# -- DOI rules -----------------------------------------------------------------------------


def test_doi_unknown_everywhere_is_an_error_elsewhere_is_fine(
    crossref: Server, proxy: Server, tmp_path: Path
) -> None:
    doc = document(
        {"raw": "A. doi:10.7554/eLife.01567x", "doi": "10.7554/eLife.01567x"},
        {"raw": "B. https://doi.org/10.5281/zenodo.1234567",
         "urls": ["https://doi.org/10.5281/zenodo.1234567"]},
        {"raw": "C. doi:10.1371/notarealdoi", "doi": "10.1371/notarealdoi"},
        dict(KUSCHEL),
    )
    before = len(proxy.log)  # the proxy serves the whole session
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    hits = run("RC601", doc, svc)
    link_hits = [h for c in ("RC501", "RC502", "RC503", "RC504") for h in run(c, doc, svc)]
    svc.close()
    assert sorted(h.reference.index for h in hits if h.reference) == [1, 3]
    first = hits[0]
    assert doc.text[first.start:first.end].lower() == "10.7554/elife.01567x"
    assert not link_hits  # a DOI link is checked as a DOI, never fetched as a web page
    # The resolver's redirect endpoint is asked only for the record (CSL content
    # negotiation) of the DOI registered at another agency, never as a web link.
    assert [p for _, p in proxy.log[before:] if p.startswith("/10.")] == [
        "/10.5281/zenodo.1234567"]


def test_doi_of_another_work(crossref: Server, proxy: Server, tmp_path: Path) -> None:
    wrong = {
        "raw": "Smith, J. (2012) Coral reef decline in the western Pacific. Marine "
               "Biology 4: 1-9. doi:10.1038/nnano.2014.279",
        "authors": [Author("Smith", "J.")], "year": 2012,
        "title": "Coral reef decline in the western Pacific", "container": "Marine Biology",
        "doi": "10.1038/nnano.2014.279",
    }
    doc = document(wrong, dict(KUSCHEL))
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    hits = run("RC602", doc, svc)
    meta = [h for c in ("RC701", "RC705", "RC706", "RC707") for h in run(c, doc, svc)]
    svc.close()
    assert [h.reference.index for h in hits if h.reference] == [1]
    assert "Charges ride the spin wave" in hits[0].message
    assert not meta  # a wrong DOI is one finding, not a list of field mismatches


def test_doi_discovery_only_when_confirmed(crossref: Server, proxy: Server,
                                           tmp_path: Path) -> None:
    found = dict(KUSCHEL, doi=None,
                 raw="Kuschel, T. and Reiss, G. (2014) Charges ride the spin wave. "
                     "Nature Nanotechnology 10(1): 22-24.")
    wrong_year = dict(found, year=2001, raw=found["raw"].replace("2014", "2001"))
    unknown = {"raw": "Ivanov, P. (2018) Security institutions of Eurasia. Moscow.",
               "authors": [Author("Ivanov", "P.")], "year": 2018,
               "title": "Security institutions of Eurasia"}
    doc = document(found, wrong_year, unknown)
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    hits = run("RC603", doc, svc)
    svc.close()
    assert [(h.reference.index, h.suggestion) for h in hits if h.reference] == [
        (1, "10.1038/nnano.2014.279")
    ]


# -- metadata ------------------------------------------------------------------------------


def test_metadata_fields_against_a_real_record(crossref: Server, proxy: Server,
                                               tmp_path: Path) -> None:
    cited = dict(
        KUSCHEL, year=2009, volume="12", issue="1", pages="22-4",
        raw=KUSCHEL["raw"].replace("2014", "2009").replace("10(1)", "12(1)")
        .replace("22-24", "22-4"),
    )
    clean = dict(KUSCHEL, year=2015)  # the print year is as good as the online one
    doc = document(cited, clean)
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    by_code = {c: run(c, doc, svc) for c in ("RC701", "RC702", "RC703", "RC704", "RC705",
                                             "RC706", "RC707")}
    svc.close()
    year = by_code["RC701"]
    assert len(year) == 1 and year[0].field == "year" and year[0].suggestion == "2015"
    assert doc.text[year[0].start:year[0].end] == "2009"
    assert "2009" in year[0].message and "2014" in year[0].message
    volume = by_code["RC702"]
    assert [(h.field, h.suggestion) for h in volume] == [("volume", "10")]
    for code in ("RC703", "RC704", "RC705", "RC706", "RC707"):  # "22-4" is 22-24
        assert by_code[code] == [], code


def test_title_near_miss_and_author_order(crossref: Server, proxy: Server,
                                          tmp_path: Path) -> None:
    slip = dict(KUSCHEL, title="Charges ride the spin wav",
                authors=[Author("Reiss", "G."), Author("Kuschel", "T.")],
                raw=KUSCHEL["raw"].replace("spin wave", "spin wav")
                .replace("Kuschel, T. and Reiss, G.", "Reiss, G. and Kuschel, T."))
    doc = document(slip)
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    title = run("RC104", doc, svc)
    mismatch = run("RC705", doc, svc)
    authors = run("RC707", doc, svc)
    svc.close()
    assert [(h.field, h.suggestion) for h in title] == [("title", "Charges ride the spin wave")]
    assert doc.text[title[0].start:title[0].end] == "Charges ride the spin wav"
    assert title[0].fix is not None and not title[0].fix.safe
    assert title[0].fix.replacement == "Charges ride the spin wave"
    assert mismatch == []  # a slip is a typo, not a sign of a wrong DOI
    assert len(authors) == 1 and "order" in authors[0].message


def test_registry_spelling_slips_and_large_differences(crossref: Server, proxy: Server,
                                                       tmp_path: Path) -> None:
    journal_slip = dict(KUSCHEL, container="Nature Nanotechnolgy",
                        raw=KUSCHEL["raw"].replace("Nanotechnology", "Nanotechnolgy"))
    swapped = dict(KUSCHEL, title="Chagres ride teh spin wave",
                   raw=KUSCHEL["raw"].replace("Charges ride the", "Chagres ride teh"))
    three = dict(KUSCHEL, title="Chagres rid teh spin wave",
                 raw=KUSCHEL["raw"].replace("Charges ride the", "Chagres rid teh"))
    other_title = dict(KUSCHEL, title="Magnon transport in thin garnet films",
                       raw=KUSCHEL["raw"].replace("Charges ride the spin wave",
                                                  "Magnon transport in thin garnet films"))
    other_journal = dict(KUSCHEL, container="Marine Biology",
                         raw=KUSCHEL["raw"].replace("Nature Nanotechnology", "Marine Biology"))
    doc = document(journal_slip, swapped, three, other_title, other_journal, dict(KUSCHEL))
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    typos = run("RC104", doc, svc)
    titles = run("RC705", doc, svc)
    journals = run("RC706", doc, svc)
    svc.close()
    assert [(h.reference.index, h.field, h.suggestion, doc.text[h.start:h.end])
            for h in typos if h.reference] == [
        (1, "container", "Nature Nanotechnology", "Nature Nanotechnolgy"),
        (2, "title", "Charges ride the spin wave", "Chagres ride teh spin wave"),
    ]
    assert all(h.fix is not None and not h.fix.safe for h in typos)
    # Three slips are no typo with one obvious correction, but the words differ: said so,
    # with the words; a wholly other title says the DOI may be wrong.
    assert [h.reference.index for h in titles if h.reference] == [3, 4]
    assert "'chagres rid teh' where the registry has 'charges ride the'" in titles[0].message
    assert "the DOI may be wrong" in titles[1].message
    assert titles[0].suggestion == titles[1].suggestion == "Charges ride the spin wave"
    assert [h.reference.index for h in journals if h.reference] == [5]
    assert "the DOI may be wrong" in journals[0].message


# -- retractions ---------------------------------------------------------------------------


def test_retraction_and_correction_notices(crossref: Server, proxy: Server,
                                           tmp_path: Path) -> None:
    doc = document(
        {"raw": "Retracted. doi:10.1371/journal.pone.0090062",
         "doi": "10.1371/journal.pone.0090062"},
        {"raw": "Corrected. doi:10.1371/journal.pone.0109449",
         "doi": "10.1371/journal.pone.0109449"},
        dict(KUSCHEL),
    )
    svc = services_for(settings(crossref, proxy, tmp_path), [doc])
    retracted = run("RC801", doc, svc)
    corrected = run("RC802", doc, svc)
    missing = run("RC601", doc, svc)
    svc.close()
    assert [h.reference.index for h in retracted if h.reference] == [1]
    assert "10.1371/journal.pone.0210896" in retracted[0].message
    assert [h.reference.index for h in corrected if h.reference] == [2]
    assert not missing  # a DOI a notice updates exists, even if we hold no record for it


def test_updated_by_in_a_full_record(crossref: Server, proxy: Server, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import refcheck.net.crossref as cr

    # Full records (select rejected by the API) carry updated-by as trimmed ones do.
    monkeypatch.setattr(cr, "SELECT", cr.SELECT + ",no-such-field")
    doc = document({"raw": "Own updated-by. doi:10.1371/journal.pone.0033693",
                    "doi": "10.1371/journal.pone.0033693"})
    svc = services_for(settings(crossref, proxy, tmp_path, no_cache=True), [doc])
    corrected = run("RC802", doc, svc)
    retracted = run("RC801", doc, svc)
    svc.close()
    assert len(corrected) == 1 and "10.1371/annotation/" in corrected[0].message
    assert retracted == []


# -- links through services ----------------------------------------------------------------


def test_link_rules_severity_and_dedup(crossref: Server, proxy: Server, web: Server,
                                       tmp_path: Path) -> None:
    dead, slow, moved = web.url("/404"), web.url("/503"), web.url("/moved")
    doc = document(
        {"raw": f"A. {dead}", "urls": [dead]},
        {"raw": f"B. {dead} again", "urls": [dead]},
        {"raw": f"C. {slow}", "urls": [slow]},
        {"raw": f"D. {moved}", "urls": [moved]},
        {"raw": "E. http://169.254.169.254/latest/", "urls": ["http://169.254.169.254/latest/"]},
    )
    for strict in (False, True):
        svc = services_for(settings(crossref, proxy, tmp_path / str(strict), strict_links=strict,
                                    no_cache=True), [doc])
        before = web.hits("/404")
        hits = {c: run(c, doc, svc) for c in ("RC501", "RC502", "RC503", "RC504")}
        svc.close()
        assert web.hits("/404") - before == 2  # HEAD + confirming GET, once for two citations
        assert [(h.status, h.severity) for h in hits["RC501"]] == [
            ("404", Severity.ERROR), ("404", Severity.ERROR)]
        assert [(h.status, h.severity) for h in hits["RC502"]] == [
            ("503", Severity.ERROR if strict else Severity.WARNING)]
        assert [(h.url, h.suggestion) for h in hits["RC503"]] == [(moved, web.url("/ok/new"))]
        assert hits["RC503"][0].fix is not None and not hits["RC503"][0].fix.safe
        assert [h.status for h in hits["RC504"]] == ["blocked"]
        first = hits["RC501"][0]
        assert doc.text[first.start:first.end] == dead


def test_unreachable_network_is_said_once(crossref: Server, proxy: Server, tmp_path: Path,
                                          closed_port: int) -> None:
    urls = [f"http://127.0.0.1:{closed_port}/{i}" for i in range(3)]
    doc = document(*({"raw": f"R. {u}", "urls": [u]} for u in urls))
    s = settings(crossref, proxy, tmp_path, crossref_url=f"http://127.0.0.1:{closed_port}")
    svc = services_for(s, [doc])
    hits = [h for c in ("RC501", "RC502") for h in run(c, doc, svc)]
    svc.close()
    assert hits == [] and svc.notes == [UNREACHABLE]


def test_rule_modules_do_not_import_the_http_stack() -> None:
    import subprocess
    import sys

    code = ("import sys, refcheck.rules.links, refcheck.rules.doi, refcheck.rules.metadata; "
            "print(any(m.split('.')[0] in ('requests', 'requests_cache', 'urllib3') "
            "for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_group_authors_do_not_shift_the_author_list() -> None:
    from refcheck.net.compare import compare_authors

    record = {"author": [{"name": "EFSA Panel on Food Additives (ANS)"},
                         {"family": "Younes", "given": "Maged"},
                         {"family": "Aggett", "given": "Peter"}]}
    cited = document({"raw": "EFSA Panel on Food Additives (ANS), Younes, M., Aggett, P. (2018)",
                      "authors": [Author("EFSA Panel on Food Additives (ANS)", literal=True),
                                  Author("Younes", "M."), Author("Aggett", "P.")]})
    assert compare_authors(cited.references[0], record) is None
    swapped = document({"raw": "Aggett, P., Younes, M. (2018)",
                        "authors": [Author("Aggett", "P."), Author("Younes", "M.")]})
    found = compare_authors(swapped.references[0], record)
    assert found is not None and "order" in found.message
