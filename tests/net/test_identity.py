"""Venue identity, near-miss titles, author lists and preprints (issue 18).

Pure comparisons and the verdict ladder with in-memory sources: no HTTP here (the
end-to-end runs against loopback registries are in test_existence.py and
benchmarks/hallmark.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from refcheck.model import Author, Reference
from refcheck.net import compare, venues
from refcheck.net.sources import Answer, Record, Source
from refcheck.net.sources.openalex import OpenAlexSource
from refcheck.net.verify import Verifier


@pytest.mark.parametrize(("text", "key"), [
    ("NeurIPS", "NEURIPS"),
    ("NIPS", "NEURIPS"),
    ("Advances in Neural Information Processing Systems 34", "NEURIPS"),
    ("2022 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)", "CVPR"),
    ("Proceedings of the 38th International Conference on Machine Learning, ICML 2021",
     "ICML"),
    ("Proceedings of the AAAI Conference on Artificial Intelligence", "AAAI"),
    ("Proceedings of the 29th ACM SIGKDD Conference on Knowledge Discovery & Data Mining",
     "KDD"),
    ("Proceedings of the 2022 Conference of the North American Chapter of the Association "
     "for Computational Linguistics: Human Language Technologies", "NAACL"),
    ("J. Mach. Learn. Res.", "JMLR"),
    ("Machine Learning", "MLJ"),  # the journal, not the conference's name minus "Conference"
    ("arXiv preprint arXiv:2101.00001", "ARXIV"),
    ("International AAAI Conference on Web and Social Media", "ICWSM"),  # not AAAI
])
def test_venues_are_known_by_name_and_acronym(text: str, key: str) -> None:
    assert venues.identify(text) == frozenset({key})


@pytest.mark.parametrize("text", [
    "Symposium on Neural Scaling Laws",  # invented
    "Journal of Neural Architecture and Optimization",  # invented
    "Columbia, SC",  # a place, not an acronym written as one
    "Proceedings of the machine learning reading group",
    "Nature",
])
def test_unknown_venues_identify_nothing(text: str) -> None:
    assert venues.identify(text) == frozenset()


def crossref_record(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"title": [fields.get("title", "A study of things")],
                              "container-title": [fields.get("container", "")]}
    if "authors" in fields:
        record["author"] = [{"family": f} for f in fields["authors"]]
    return record


def test_same_venue_under_two_names_agrees_and_two_venues_disagree() -> None:
    neurips = crossref_record(container="Advances in Neural Information Processing Systems")
    assert compare.compare_container("NeurIPS", neurips) is None
    icml = crossref_record(container="International Conference on Machine Learning")
    wrong = compare.compare_container("UAI", icml)
    assert wrong is not None and wrong.kind == "mismatch"
    assert wrong.registry == "International Conference on Machine Learning"
    # A preprint's record says nothing about where the work later appeared.
    arxiv = crossref_record(container="arXiv (Cornell University)")
    assert compare.compare_container("ICML", arxiv) is None
    # An invented venue against a known one is reported through the spelling fallback.
    assert compare.compare_container("Symposium on Neural Scaling Laws", icml) is not None


@pytest.mark.parametrize(("cited", "registry", "said"), [
    ("BiasAdv: Bias-Adversarial Augmentation towards Model Debiasing",
     "BiasAdv: Bias-Adversarial Augmentation for Model Debiasing",
     "'towards' where the registry has 'for'"),
    ("Characterizing risk of fairwashing", "Characterizing the risk of fairwashing",
     "'the' left out"),
])
def test_a_word_changed_in_a_title_is_reported_with_the_words(
        cited: str, registry: str, said: str) -> None:
    d = compare.compare_title(cited, crossref_record(title=registry))
    assert d is not None and d.kind == "reworded" and d.registry == registry
    assert said in d.message


@pytest.mark.parametrize(("cited", "registry"), [
    ("Pre-training Transformers for Re-ID", "Pretraining transformers for ReID"),
    ("Flash{A}ttention: Fast and Memory-Efficient", "FlashAttention: fast and memory-efficient"),
    ("Augmenting Online Algorithms with $\\varepsilon$-Accurate Predictions",
     "Augmenting Online Algorithms with $ǎrepsilon$-Accurate Predictions"),
    ("Über die Müller-Lyer Täuschung", "Uber die Muller-Lyer Tauschung"),
])
def test_case_punctuation_hyphens_maths_and_accents_never_count(cited: str,
                                                                registry: str) -> None:
    cited = cited.replace("{A}", "A")  # what the BibTeX reader gives for {A}
    assert compare.compare_title(cited, crossref_record(title=registry)) is None


def ref_with(**fields: Any) -> Reference:
    names = fields.pop("authors", [])
    raw = fields.pop("raw", "x")
    ref = Reference(path="t.bib", format="bibtex", index=0, start=0, end=len(raw), raw=raw,
                    key="k", entry_type=fields.pop("entry_type", "inproceedings"), **fields)
    ref.authors = [Author(n) for n in names]
    return ref


def test_author_lists_dropped_placeholder_and_truncated_by_the_registry() -> None:
    record = crossref_record(authors=["Wang", "Wang", "Du", "Krishnamurthy"])
    partial = compare.compare_authors(ref_with(authors=["Wang", "Krishnamurthy"]), record)
    assert partial is not None and "missing author(s) Du" in partial.message
    placeholder = compare.compare_authors(ref_with(authors=["Silva", "Ndiaye", "Sato"]),
                                          record)
    assert placeholder is not None and "Silva" in placeholder.message
    # The registry cut the list after four names: the cited fifth is not an invention.
    longer = ref_with(authors=["Wang", "Wang", "Du", "Krishnamurthy", "Smith"])
    assert compare.compare_authors(longer, record) is None


class MemorySource(Source):
    name = "memory"
    label = "Memory"

    def __init__(self, records: list[Record]) -> None:
        self.records = records
        self.searched = 0

    def search(self, ref: Reference) -> Answer:
        self.searched += 1
        return Answer(list(self.records))


TITLE = "Efficient Attention for Real-Time Video Generation"


def preprint(**kw: Any) -> Record:
    return Record("memory", "W1", title=TITLE, authors=(("Agarwal", "Krish"),), year=2026,
                  container="arXiv (Cornell University)", type="posted-content", **kw)


def test_a_preprint_cited_as_published_is_a_disagreement() -> None:
    ref = ref_with(title=TITLE, authors=["Agarwal"], year=2026, container="ICML")
    (v,) = Verifier([MemorySource([preprint()])]).run([ref])
    assert v.match is not None and v.match.preprint_only
    assert "container" in v.match.disagreeing and v.verdict == "discrepancy"


def test_the_published_version_found_beside_the_preprint_is_taken() -> None:
    ref = ref_with(title=TITLE, authors=["Agarwal"], year=2026, container="ICML")
    published = Record("memory", "W2", title=TITLE, authors=(("Agarwal", "Krish"),),
                       year=2026, container="International Conference on Machine Learning",
                       type="proceedings-article")
    (v,) = Verifier([MemorySource([preprint(), published])]).run([ref])
    assert v.match is not None and v.match.record.ident == "W2"
    assert not v.match.preprint_only and v.verdict == "verified"


def test_a_preprint_cited_as_a_preprint_is_fine() -> None:
    ref = ref_with(title=TITLE, authors=["Agarwal"], year=2026, container="arXiv",
                   entry_type="article")
    (v,) = Verifier([MemorySource([preprint()])]).run([ref])
    assert v.match is not None and not v.match.preprint_only and v.verdict == "verified"


def test_arxiv_version_dois_are_looked_up_as_the_papers_doi() -> None:
    source = OpenAlexSource.__new__(OpenAlexSource)
    ref = ref_with(title=TITLE, doi="10.48550/arXiv.2602.12271v1",
                   dois=["10.48550/arXiv.2602.12271v1"])
    idents = source.identifiers(ref)
    assert "10.48550/arxiv.2602.12271" in [i.lower() for i in idents]


def test_a_group_author_cited_like_a_person_is_the_registrys_group() -> None:
    record = crossref_record(authors=["Chiang", "Scott", "Davis"])
    record["author"].insert(1, {"name": "GTEx Consortium"})
    ref = ref_with(authors=["Chiang", "Consortium", "Scott", "Davis"])
    assert compare.compare_authors(ref, record) is None
    invented = ref_with(authors=["Chiang", "Miller", "Scott", "Davis"])
    d = compare.compare_authors(invented, record)
    assert d is not None and "Miller" in d.message


class ArxivMemory(Source):
    """arXiv by identifier: the latest version of each preprint it holds."""

    name = "arxiv"
    label = "arXiv"

    def __init__(self, latest: dict[str, Record]) -> None:
        self.latest = latest

    def identifiers(self, ref: Reference) -> list[str]:
        from refcheck.net.sources import arxiv_id

        ident = arxiv_id(ref)
        return [ident] if ident else []

    def lookup(self, idents: Any) -> tuple[dict[str, Record | None], set[str]]:
        return {i: self.latest.get(i) for i in idents}, set()


def test_a_cited_arxiv_version_that_does_not_exist_is_named() -> None:
    held = preprint(version=2)
    arxiv = ArxivMemory({"2602.12271": replace(held, source="arxiv", ident="2602.12271")})
    # Found by another registry first: arXiv is still asked which versions exist.
    other = MemorySource([held])
    other.name = "openalex"

    def cite(version: int) -> Reference:
        raw = f"Agarwal, K. {TITLE}. arXiv:2602.12271v{version}, 2026."
        return ref_with(title=TITLE, authors=["Agarwal"], year=2026, container="arXiv",
                        entry_type="article", raw=raw)

    too_new, fine = Verifier([other, arxiv]).run([cite(5), cite(2)])
    assert too_new.missing_version == ("2602.12271", 5, 2)
    assert fine.missing_version is None


def test_the_arxiv_feed_gives_the_latest_version() -> None:
    from refcheck.net.sources.arxiv import parse_feed

    feed = ('<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
            "<id>http://arxiv.org/abs/1706.03762v7</id><title>Attention Is All You Need</title>"
            "<published>2017-06-12T17:57:34Z</published>"
            "<author><name>Ashish Vaswani</name></author></entry></feed>")
    (record,) = parse_feed(feed) or []
    assert (record.ident, record.version) == ("1706.03762", 7)


def test_a_registry_not_asked_is_never_said_to_lack_the_work() -> None:
    # No query could be formed for this book: the source sends nothing, and the verdict
    # must not say it was "not found" there.
    class Silent(Source):
        name = "memory"
        label = "Memory"

        def __init__(self) -> None:
            pass

        def search(self, ref: Reference) -> Answer:
            from refcheck.net.sources import NOT_ASKED

            return NOT_ASKED

    ref = ref_with(title="A History", authors=["Olcott"], year=2005, entry_type="book")
    (v,) = Verifier([Silent()]).run([ref])
    assert v.asked == [] and v.verdict == "skipped"
