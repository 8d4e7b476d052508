"""Existence checks: recall on fabricated references, false warnings on real ones, cost.

What it measures, against the loopback stand-ins of the test suite (no internet):

* fabricated references written here: real author lists and real journals taken
  from the recorded Crossref works, a plausible volume, issue and pages, and a
  title nobody published (hand-written below); recall = share reported
  ``not-found`` (RC851, a warning);
* chimeras (a real title under another paper's authors) and swapped DOIs (a
  real reference carrying another real article's DOI): share flagged by any
  warning or error of the existence, DOI or metadata rules;
* real references: the recorded journal articles, written in four styles (APA,
  Vancouver, Chicago author-date, BibTeX), half with their DOI and half
  without, so both the identifier path and the search path are measured;
  verified rate and false warnings (warnings or errors of those rules) per 100;
* grey literature (books, reports, theses, web pages written here): warnings
  on them (should be none; info-level "unverifiable" is expected);
* requests per reference per source, cold (empty cache) and warm (same cache).

Honesty about the data: every "registry" here is a loopback stand-in that
serves the ~100 works recorded in ``benchmarks/data/shared/fixtures/crossref`` (the OpenAlex,
PubMed and DBLP stand-ins serve those same works converted to their documented
shapes, plus a few sample records).  The real references are therefore
exactly the works the stand-ins hold, and the fabricated titles are compared
against a corpus of ~100 works, not against the ~150 million a real registry
holds, where near-duplicate titles are far more common.  The numbers show that
the logic works end to end; they are not an estimate of accuracy on real
bibliographies.  arXiv and PubMed pacing is switched off for the loopback run.

    python benchmarks/existence.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Invented titles: plausible for the journals they are paired with, published by nobody.
INVENTED_TITLES = [
    "Dendritic inhibition shapes seizure propagation in the aging hippocampal formation",
    "Long-term outcomes of growth hormone therapy after anterior cruciate ligament repair",
    "Prognostic value of serum neurofilament light chain in pediatric motor neuron disease",
    "Lattice-based constructions of quantum error-correcting codes over finite rings",
    "Copper-mediated oxidative coupling of ynamides with aryl boronic acids at room temperature",
    "Convergent loss of pigmentation in subterranean fishes of the Yucatan peninsula",
    "Copy-number polymorphism and tissue-specific expression in admixed human populations",
    "Magnon-mediated thermal transport across antiferromagnetic insulator interfaces",
    "Time-resolved fluorescence reveals membrane-bound intermediates of tau aggregation",
    "Persistent identifiers for research software: adoption across institutional repositories",
    "Male harassment and female resistance in a polyandrous seed beetle",
    "Gravitationally induced decoherence in optomechanical superpositions of mesoscopic mass",
    "Entanglement entropy of bosonic lattice gases beyond the area law",
    "Seroprevalence of bovine tuberculosis in smallholder dairy herds of southern Punjab",
    "Regulated proteolysis controls nitrogen sensing in Arabidopsis root meristems",
    "Selective decoupling sequences for sensitivity enhancement in solid-state NMR",
    "Regorafenib after lenvatinib failure in advanced colorectal cancer: a phase II trial",
    "Urban labour markets and the politics of informal housing in post-socialist Bucharest",
    "Benchmarking co-expression networks for gene function prediction in yeast",
    "Temperature-dependent translation of virulence factors in enteropathogenic Yersinia",
    "Rigidity of critical metrics for the total scalar curvature functional in dimension four",
    "Saccadic scanpaths on mobile web pages under divided attention",
    "Predator-mediated selection on parasite-induced behaviour in freshwater amphipods",
    "Microbial production of polyhydroxybutyrate from agricultural waste streams in Canada",
]

GREY = [
    "Olcott, M. B. (2005). Central Asia's second chance. Washington, DC: Carnegie Endowment "
    "for International Peace.",
    "World Health Organization. (2021). Global tuberculosis report 2021. Geneva: World Health "
    "Organization.",
    "Smith, A. J. (2018). Informal settlements and urban governance in Eastern Europe "
    "(Doctoral dissertation). University of Leeds, Leeds.",
    "Pew Research Center. (2019). Mobile technology and home broadband 2019. Retrieved from "
    "https://www.pewresearch.org/internet/2019/06/13/mobile-technology-and-home-broadband-2019/",
    "Kahneman, D. (2011). Thinking, fast and slow. New York: Farrar, Straus and Giroux.",
    "European Commission. (2020). A new circular economy action plan (COM/2020/98 final). "
    "Brussels: European Commission.",
    "Jones, R., & Patel, S. (2016). Open data in local government: A practitioner's guide. "
    "London: Institute for Government.",
    "Brown, T. (2022, March 3). Why peer review is slow. The Guardian. Retrieved from "
    "https://www.theguardian.com/science/2022/mar/03/peer-review",
]


@dataclass
class Work:
    doi: str
    title: str
    authors: list[tuple[str, str]]  # (family, given)
    year: int
    journal: str
    volume: str
    issue: str | None
    pages: str | None


def _works() -> list[Work]:
    from tests.net.conftest import CrossrefData

    data = CrossrefData()
    out: list[Work] = []
    for doi, w in sorted(data.works.items()):
        title = " ".join(re.sub(r"<[^>]+>", " ", (w.get("title") or [""])[0]).split())
        # Group authors ("EFSA Panel on …") have a name and no family: cited as written.
        authors = [(a.get("family") or a["name"], a.get("given") or "")
                   for a in w.get("author") or [] if a.get("family") or a.get("name")]
        year = None
        for key in ("published-print", "issued", "published"):
            parts = (w.get(key) or {}).get("date-parts") or []
            if parts and parts[0] and isinstance(parts[0][0], int):
                year = parts[0][0]
                break
        if (w.get("type") != "journal-article" or not title or not authors or year is None
                or not w.get("volume") or not w.get("container-title")
                or "," in doi):
            continue
        out.append(Work(doi, title, authors, year, w["container-title"][0], str(w["volume"]),
                        w.get("issue"), w.get("page")))
    return out


def _initials(given: str) -> str:
    return "".join(p[0] for p in re.split(r"[\s.-]+", given) if p)


def render(w: Work, style: int, with_doi: bool, key: str) -> tuple[str, str]:
    """(kind, text): kind 'text' lines go to a numbered list, 'bib' to a .bib file."""
    names = w.authors[:6]
    more = len(w.authors) > 6  # every style shortens long lists with "et al."
    issue = f"({w.issue})" if w.issue else ""
    pages = w.pages or ""
    doi = f" https://doi.org/{w.doi}" if with_doi else ""
    if style == 0:  # APA
        people = [f"{f}, {'. '.join(_initials(g))}." if g else f for f, g in names]
        who = people[0] if len(people) == 1 else ", ".join(people[:-1]) + ", & " + people[-1]
        if more:
            who = ", ".join(people) + ", et al."
        return "text", (f"{who} ({w.year}). {w.title}. {w.journal}, {w.volume}{issue}"
                        f"{', ' + pages if pages else ''}.{doi}")
    if style == 1:  # Vancouver
        who = ", ".join(f"{f} {_initials(g)}".strip() for f, g in names) + \
            (", et al" if more else "")
        return "text", (f"{who}. {w.title}. {w.journal}. {w.year};{w.volume}{issue}"
                        f"{':' + pages if pages else ''}.{' doi:' + w.doi if with_doi else ''}")
    if style == 2:  # Chicago author-date
        first = f"{names[0][0]}, {names[0][1]}".strip(", ")
        rest = [f"{g} {f}".strip() for f, g in names[1:]]
        if not rest:
            who = first
        elif len(rest) == 1:
            who = f"{first}, and {rest[0]}"
        else:
            who = f"{first}, {', '.join(rest[:-1])}, and {rest[-1]}"
        if more:
            who = f"{first}, {', '.join(rest)}, et al"
        return "text", (f"{who}. {w.year}. \"{w.title}.\" {w.journal} {w.volume}"
                        f"{' ' + issue if issue else ''}{': ' + pages if pages else ''}.{doi}")
    fields = {
        "author": " and ".join([*(f"{f}, {g}".strip(", ") for f, g in names),
                                *(["others"] if more else [])]),
        "title": "{" + w.title + "}", "journal": w.journal, "year": str(w.year),
        "volume": w.volume,
    }
    if w.issue:
        fields["number"] = str(w.issue)
    if pages:
        fields["pages"] = pages.replace("-", "--")
    if with_doi:
        fields["doi"] = w.doi
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return "bib", f"@article{{{key},\n{body}\n}}"


def build_sets(works: list[Work]) -> dict[str, list[tuple[str, str]]]:
    """Kind -> (kind of entry, text) for every reference of the benchmark."""
    n = len(works)
    sets: dict[str, list[tuple[str, str]]] = {"real": [], "fabricated": [], "chimera": [],
                                               "swapped": [], "grey": []}
    for i, w in enumerate(works):
        sets["real"].append(render(w, i % 4, with_doi=i % 2 == 0, key=f"real{i}"))
    for i, title in enumerate(INVENTED_TITLES):
        people = works[i % n]
        journal = works[(i * 7 + 3) % n]
        vol = str(int(journal.volume) + 1) if journal.volume.isdigit() else journal.volume
        start = 100 + (i * 37) % 800
        fake = Work("", title, people.authors, journal.year + 1, journal.journal, vol,
                    str(1 + i % 6), f"{start}-{start + 8 + i % 11}")
        sets["fabricated"].append(render(fake, i % 4, with_doi=False, key=f"fab{i}"))
    for i in range(0, n, 3):  # a real title, another paper's authors
        w, other = works[i], works[(i + 3) % n]
        chimera = Work(w.doi, w.title, other.authors, w.year, w.journal, w.volume, w.issue,
                       w.pages)
        sets["chimera"].append(render(chimera, i % 4, with_doi=False, key=f"chim{i}"))
    for i in range(1, n, 3):  # a real reference with another real article's DOI
        w, other = works[i], works[(i + 5) % n]
        swapped = Work(other.doi, w.title, w.authors, w.year, w.journal, w.volume, w.issue,
                       w.pages)
        sets["swapped"].append(render(swapped, i % 4, with_doi=True, key=f"swap{i}"))
    sets["grey"] = [("text", g) for g in GREY]
    return sets


def write_files(sets: dict[str, list[tuple[str, str]]], directory: Path) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    for name, entries in sets.items():
        paths: list[Path] = []
        lines = [t for k, t in entries if k == "text"]
        if lines:
            p = directory / f"{name}.txt"
            p.write_text("References\n\n" + "\n".join(f"{i + 1}. {t}" for i, t in
                                                         enumerate(lines)) + "\n",
                         encoding="utf-8")
            paths.append(p)
        bib = [t for k, t in entries if k == "bib"]
        if bib:
            p = directory / f"{name}.bib"
            p.write_text("\n\n".join(bib) + "\n", encoding="utf-8")
            paths.append(p)
        files[name] = paths
    return files


def main() -> int:
    from refcheck.config import Settings
    from refcheck.engine import check, load_document
    from refcheck.net.sources.arxiv import ArxivSource
    from refcheck.net.sources.pubmed import PubMedSource
    from tests.net.conftest import CrossrefData, crossref_handler, proxy_handler, serve
    from tests.net.sources_conftest import (
        arxiv_entries,
        arxiv_handler,
        dblp_handler,
        dblp_infos,
        openalex_handler,
        openalex_works,
        pubmed_docs,
        pubmed_handler,
    )

    ArxivSource.interval = 0.0  # loopback: the public services' pacing is not needed
    PubMedSource.interval = 0.0
    data = CrossrefData()
    servers = {
        "crossref": serve("127.0.0.1", crossref_handler(data)),
        "doi-proxy": serve("127.0.0.1", proxy_handler(data)),
        "openalex": serve("127.0.0.1", openalex_handler(openalex_works(data))),
        "arxiv": serve("127.0.0.1", arxiv_handler(arxiv_entries())),
        "pubmed": serve("127.0.0.1", pubmed_handler(pubmed_docs(data))),
        "dblp": serve("127.0.0.1", dblp_handler(dblp_infos(data))),
    }
    works = _works()
    sets = build_sets(works)
    status = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            files = write_files(sets, Path(tmp))
            settings = Settings(
                crossref_url=servers["crossref"].base, doi_resolver=servers["doi-proxy"].base,
                mailto="bench@example.org", allow_hosts=["127.0.0.1"],
                cache_dir=str(Path(tmp) / "cache"), timeout=5.0,
                openalex_url=servers["openalex"].base, openalex_key="bench",
                arxiv_url=servers["arxiv"].base, pubmed_url=servers["pubmed"].base,
                dblp_url=servers["dblp"].base, select=["RC6", "RC7", "RC8"])
            paths = {str(p): name for name, ps in files.items() for p in ps}
            docs = [load_document(p, settings) for p in paths]
            total = sum(1 for d in docs for _ in d.entries())
            print(f"{total} references: " + ", ".join(
                f"{sum(1 for d in docs if paths[d.path] == k for _ in d.entries())} {k}"
                for k in sets))
            result: Any = None
            for label in ("cold", "warm"):
                before = {k: s.hits() for k, s in servers.items()}
                started = time.perf_counter()
                result = check(docs, settings)
                wall = time.perf_counter() - started
                sent: dict[str, int] = {k: s.hits() - before[k] for k, s in servers.items()}
                requests = sum(sent.values())
                print(f"{label}: {requests} requests, {requests / total:.2f} per reference ("
                      + ", ".join(f"{k} {v / total:.2f}" for k, v in sent.items())
                      + f"), {wall:.2f}s")
                if label == "warm" and requests > 0:
                    status = 1
            assert result is not None
            flagged: dict[tuple[str, int], list[str]] = {}
            for f in result.findings:
                if f.severity.value in ("warning", "error") and f.reference_index is not None:
                    flagged.setdefault((f.path, f.reference_index), []).append(f.code)
            verdicts = {(v["path"], v["index"]): v["verdict"] for v in result.verdicts or []}
            by_kind: dict[str, list[tuple[str, int]]] = {k: [] for k in sets}
            for d in docs:
                for ref in d.entries():
                    by_kind[paths[d.path]].append((d.path, ref.index))

            def share(kind: str, test: Any) -> tuple[int, int]:
                keys = by_kind[kind]
                return sum(1 for k in keys if test(k)), len(keys)

            fab = share("fabricated", lambda k: verdicts.get(k) == "not-found")
            chim = share("chimera", lambda k: bool(flagged.get(k)))
            swap = share("swapped", lambda k: bool(flagged.get(k)))
            ver = share("real", lambda k: verdicts.get(k) == "verified")
            false_real = share("real", lambda k: bool(flagged.get(k)))
            grey_warn = share("grey", lambda k: bool(flagged.get(k)))
            print(f"fabricated recall (not-found): {fab[0]}/{fab[1]} = {fab[0] / fab[1]:.2f}"
                  "  (goal >= 0.9)")
            print(f"chimeras flagged: {chim[0]}/{chim[1]} = {chim[0] / chim[1]:.2f}"
                  "  (goal >= 0.8)")
            print(f"swapped DOIs flagged: {swap[0]}/{swap[1]} = {swap[0] / swap[1]:.2f}"
                  "  (goal >= 0.9)")
            print(f"real references verified: {ver[0]}/{ver[1]} = {ver[0] / ver[1]:.2f}"
                  "  (goal >= 0.9)")
            print(f"false warnings on real references: {false_real[0]} "
                  f"= {100 * false_real[0] / false_real[1]:.1f} per 100  (goal 0)")
            print(f"warnings on grey literature: {grey_warn[0]}/{grey_warn[1]}  (goal 0)")
            missed = [k for k in by_kind["real"] if verdicts.get(k) != "verified"]
            for k in missed[:10]:
                print(f"  real, not verified: {Path(k[0]).name} #{k[1]}: {verdicts.get(k)} "
                      f"{flagged.get(k, [])}")
            for k in (k for k in by_kind["real"] if flagged.get(k)):
                print(f"  false warning: {Path(k[0]).name} #{k[1]}: {flagged[k]}")
            for kind in ("chimera", "swapped"):
                for k in (k for k in by_kind[kind] if not flagged.get(k)):
                    print(f"  {kind} missed: {Path(k[0]).name} #{k[1]}: {verdicts.get(k)}")
            print("Data: loopback stand-ins serving ~100 recorded Crossref works (and their "
                  "conversions); fabricated titles written for this benchmark. Not an accuracy "
                  "estimate for real registries.")
            if fab[0] / fab[1] < 0.9 or false_real[0] or grey_warn[0]:
                status = 1
    finally:
        for s in servers.values():
            s.close()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
