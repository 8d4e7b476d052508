"""Structured formats against BibTeX and plain text: references read, fields, typos, false alarms.

The same 46 real works (Crossref work records from ``benchmarks/data/shared/fixtures/crossref``,
or the in-repository copy in ``tests/data/shared/fixtures/crossref``; ``--hallmark``
takes them from ``benchmarks/data/shared/hallmark/registry.jsonl`` instead) are written as a
document in every format the way its producer writes it: JATS ``element-citation``
(numbered labels), JATS ``mixed-citation`` tagged (APA, author-date) and untagged
(Vancouver, numbered), RIS, EndNote XML (one line, ``<style>`` runs, as EndNote
exports), ``.bbl`` from BibTeX with ``plainnat`` (author-date labels) and ``plain``
(numbered), biblatex/biber ``.bbl``; and, for comparison, BibTeX and the plain-text
APA and IEEE lists.  For each document:

* **read** — references found / 46;
* **fields** — share of references whose authors (family names), year, title,
  container, volume, issue, pages and DOI are read exactly (the normalisation of
  ``parse_accuracy.py``), each field counted where the record has it;
* **typos** — one slip (a letter dropped, two swapped, one doubled, a neighbouring
  key) in a long common word of the title or the journal's name of every other
  reference, the same slips in every format: the share of the slips written in the
  document that a typo rule (RC1xx) reports (``typos``), and reports with a span
  covering the slip's line and column (``exact``);
* **false alarms** — findings of warning or error severity on the clean document,
  offline.

Usage: python benchmarks/formats_structured.py [--hallmark] [--seed N] [--show N] [DIR]
"""

# ruff: noqa: E501  (the writers keep each format's markup on one line, as exporters do)
from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import parse_accuracy as pa  # noqa: E402

from refcheck import engine  # noqa: E402
from refcheck.config import Settings  # noqa: E402
from refcheck.model import Document, Finding, SourceText  # noqa: E402
from refcheck.parsers import detect_format, parse  # noqa: E402

N = 46
Work = pa.Work


def _x(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def _given_initials(given: str) -> str:
    return pa._initials(given) if given else ""


# --- writers: each returns the document's text ------------------------------------


def write_bibtex(works: list[Work]) -> str:
    out = []
    for i, w in enumerate(works, 1):
        kind = {"article": "article", "chapter": "incollection", "book": "book"}[w.kind]
        fields = [("author", " and ".join(f"{f}, {g}" if g else f"{{{f}}}" for f, g in w.authors)),
                  ("title", w.title), ("year", str(w.year))]
        if w.container:
            fields.append(("journal" if w.kind == "article" else "booktitle", w.container))
        for name, value in (("volume", w.volume), ("number", w.issue), ("pages", w.pages),
                            ("publisher", w.publisher), ("doi", w.doi)):
            if value:
                fields.append((name, value.replace("-", "--") if name == "pages" else value))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        out.append(f"@{kind}{{ref{i},\n{body}\n}}\n")
    return "\n".join(out)


def write_text(works: list[Work], style: Callable[[Work], pa.Rendered], numbered: bool) -> str:
    lines = [f"{i}. {style(w)[0]}" if numbered else style(w)[0] for i, w in enumerate(works, 1)]
    return "References\n\n" + "\n".join(lines) + "\n"


def _jats(refs: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2 20190208//EN"'
        ' "JATS-journalpublishing1.dtd">\n'
        '<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">\n'
        "<front><article-meta><title-group><article-title>A study</article-title></title-group>"
        "</article-meta></front>\n<body><p>Text.</p></body>\n<back>\n<ref-list>\n"
        "<title>References</title>\n" + "\n".join(refs) + "\n</ref-list>\n</back>\n</article>\n"
    )


def _jats_type(w: Work) -> str:
    return {"article": "journal", "chapter": "chapter", "book": "book"}[w.kind]


def write_jats_element(works: list[Work]) -> str:
    refs = []
    for i, w in enumerate(works, 1):
        names = "".join(
            f"<name><surname>{_x(f)}</surname><given-names>{_x(_given_initials(g))}</given-names></name>"
            if g else f"<collab>{_x(f)}</collab>"
            for f, g in w.authors
        )
        parts = [f'<person-group person-group-type="author">{names}</person-group>']
        if w.kind == "book":
            parts.append(f"<source>{_x(w.title)}</source>")
        else:
            tag = "article-title" if w.kind == "article" else "chapter-title"
            parts.append(f"<{tag}>{_x(w.title)}</{tag}>")
            if w.container:
                parts.append(f"<source>{_x(w.container)}</source>")
        parts.append(f"<year>{w.year}</year>")
        if w.volume:
            parts.append(f"<volume>{_x(w.volume)}</volume>")
        if w.issue:
            parts.append(f"<issue>{_x(w.issue)}</issue>")
        if w.pages:
            first, _, last = w.pages.partition("-")
            parts.append(f"<fpage>{_x(first)}</fpage>" + (f"<lpage>{_x(last)}</lpage>" if last else ""))
        if w.publisher and w.kind != "article":
            parts.append(f"<publisher-name>{_x(w.publisher)}</publisher-name>")
        parts.append(f'<pub-id pub-id-type="doi">{_x(w.doi)}</pub-id>')
        refs.append(
            f'<ref id="R{i}"><label>{i}</label>'
            f'<element-citation publication-type="{_jats_type(w)}">\n'
            + "\n".join(parts) + "\n</element-citation></ref>"
        )
    return _jats(refs)


def write_jats_mixed_tagged(works: list[Work]) -> str:
    """APA in mixed-citation, every part tagged (the shape of most publishers' JATS)."""
    refs = []
    for i, w in enumerate(works, 1):
        names = [
            f"<string-name><surname>{_x(f)}</surname>, <given-names>{_x(_given_initials(g))}"
            f"</given-names></string-name>" if g else f"<collab>{_x(f)}</collab>"
            for f, g in w.authors
        ]
        who = ", ".join(names[:-1]) + (", &amp; " if len(names) > 1 else "") + names[-1]
        text = f"{who} (<year>{w.year}</year>). "
        if w.kind == "book":
            text += f"<source>{_x(w.title)}</source>. "
        else:
            tag = "article-title" if w.kind == "article" else "chapter-title"
            text += f"<{tag}>{_x(w.title)}</{tag}>. "
            if w.container:
                text += f"<source>{_x(w.container)}</source>"
                if w.volume:
                    text += f", <volume>{_x(w.volume)}</volume>"
                if w.issue:
                    text += f"(<issue>{_x(w.issue)}</issue>)"
                if w.pages:
                    first, _, last = w.pages.partition("-")
                    text += f", <fpage>{_x(first)}</fpage>" + (
                        f"&#x2013;<lpage>{_x(last)}</lpage>" if last else "")
                text += ". "
        if w.publisher and w.kind != "article":
            text += f"<publisher-name>{_x(w.publisher)}</publisher-name>. "
        text += (f'<ext-link ext-link-type="uri" xlink:href="https://doi.org/{_x(w.doi)}">'
                 f"https://doi.org/{_x(w.doi)}</ext-link>")
        refs.append(f'<ref id="R{i}"><mixed-citation publication-type="{_jats_type(w)}">'
                    f"{text}</mixed-citation></ref>")
    return _jats(refs)


def write_jats_mixed_text(works: list[Work]) -> str:
    """Vancouver text in mixed-citation without tags (older conversions)."""
    refs = [f'<ref id="R{i}"><label>{i}.</label><mixed-citation>{_x(pa.vancouver(w)[0])}'
            "</mixed-citation></ref>" for i, w in enumerate(works, 1)]
    return _jats(refs)


def write_ris(works: list[Work]) -> str:
    out = []
    for i, w in enumerate(works, 1):
        ty = {"article": "JOUR", "chapter": "CHAP", "book": "BOOK"}[w.kind]
        lines = [f"TY  - {ty}", f"ID  - ref{i}"]
        lines += [f"AU  - {f}, {g}" if g else f"AU  - {f}" for f, g in w.authors]
        lines.append(f"TI  - {w.title}")
        if w.container:
            lines.append(f"{'JO' if w.kind == 'article' else 'T2'}  - {w.container}")
        lines.append(f"PY  - {w.year}")
        if w.volume:
            lines.append(f"VL  - {w.volume}")
        if w.issue:
            lines.append(f"IS  - {w.issue}")
        if w.pages:
            first, _, last = w.pages.partition("-")
            lines.append(f"SP  - {first}")
            if last:
                lines.append(f"EP  - {last}")
        if w.publisher and w.kind != "article":
            lines.append(f"PB  - {w.publisher}")
        lines += [f"DO  - {w.doi}", "ER  - "]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _style(text: str) -> str:
    return f'<style face="normal" font="default" size="100%">{_x(text)}</style>'


def write_endnote(works: list[Work]) -> str:
    recs = []
    for i, w in enumerate(works, 1):
        name, num = {"article": ("Journal Article", 17), "chapter": ("Book Section", 5),
                     "book": ("Book", 6)}[w.kind]
        authors = "".join(f"<author>{_style(f'{f}, {g}' if g else f)}</author>"
                          for f, g in w.authors)
        titles = f"<title>{_style(w.title)}</title>"
        if w.container:
            titles += f"<secondary-title>{_style(w.container)}</secondary-title>"
        rec = (f'<record><database name="My EndNote Library.enl">My EndNote Library.enl</database>'
               f'<source-app name="EndNote" version="20.6">EndNote</source-app>'
               f"<rec-number>{i}</rec-number><ref-type name=\"{name}\">{num}</ref-type>"
               f"<contributors><authors>{authors}</authors></contributors><titles>{titles}</titles>")
        if w.kind == "article" and w.container:
            rec += f"<periodical><full-title>{_style(w.container)}</full-title></periodical>"
        for tag, value in (("pages", w.pages), ("volume", w.volume), ("number", w.issue)):
            if value:
                rec += f"<{tag}>{_style(value)}</{tag}>"
        rec += f"<dates><year>{_style(str(w.year))}</year></dates>"
        if w.publisher and w.kind != "article":
            rec += f"<publisher>{_style(w.publisher)}</publisher>"
        rec += f"<electronic-resource-num>{_style(w.doi)}</electronic-resource-num></record>"
        recs.append(rec)
    return '<?xml version="1.0" encoding="UTF-8" ?><xml><records>' + "".join(recs) + "</records></xml>\n"


_TEX_SPECIAL = re.compile(r"([&%#_$])")


def _tex(text: str | None) -> str:
    return _TEX_SPECIAL.sub(r"\\\1", text or "")


def _bbl_names(authors: list[tuple[str, str]], initials: bool) -> str:
    names = [f"{(_given_initials(g) if initials else g).replace(' ', '~')}~{f}".lstrip("~")
             if g else f for f, g in authors]
    names = [_tex(n) for n in names]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _bbl_body(w: Work, initials: bool, natbib: bool) -> str:
    text = _bbl_names(w.authors, initials) + ".\n"
    if w.kind == "book":
        text += f"\\newblock \\emph{{{_tex(w.title)}}}.\n"
        if w.publisher:
            text += f"\\newblock {_tex(w.publisher)}, {w.year}"
        else:
            text += f"\\newblock {w.year}"
    else:
        text += f"\\newblock {_tex(w.title)}.\n"
        loc = f"\\newblock \\emph{{{_tex(w.container)}}}" if w.container else "\\newblock "
        if w.kind == "chapter":
            loc = f"\\newblock In \\emph{{{_tex(w.container)}}}" if w.container else "\\newblock "
        if w.volume:
            loc += f", {_tex(w.volume)}"
        if w.issue:
            loc += f"\\penalty0 ({_tex(w.issue)})"
        if w.pages:
            sep = ":\\penalty0 " if w.volume else ", pages "
            loc += sep + _tex(w.pages).replace("-", "--")
        text += f"{loc}, {w.year}"
    text += ".\n"
    doi = _tex(w.doi)
    text += f"\\newblock \\doi{{{doi}}}." if natbib else f"\\newblock doi: {doi}."
    return text


def write_bbl_natbib(works: list[Work]) -> str:
    items = []
    for i, w in enumerate(works, 1):
        fams = [f for f, _ in w.authors]
        short = fams[0] + (" et~al." if len(fams) > 2 else f" and {fams[1]}" if len(fams) == 2 else "")
        items.append(f"\\bibitem[{_tex(short)}({w.year})]{{ref{i}}}\n{_bbl_body(w, False, True)}")
    return ("\\begin{thebibliography}{46}\n\\providecommand{\\natexlab}[1]{#1}\n"
            "\\providecommand{\\url}[1]{\\texttt{#1}}\n\\expandafter\\ifx\\csname urlstyle\\endcsname"
            "\\relax\n  \\providecommand{\\doi}[1]{doi: #1}\\else\n"
            "  \\providecommand{\\doi}{doi: \\begingroup \\urlstyle{rm}\\Url}\\fi\n\n"
            + "\n\n".join(items) + "\n\n\\end{thebibliography}\n")


def write_bbl_plain(works: list[Work]) -> str:
    items = [f"\\bibitem{{ref{i}}}\n{_bbl_body(w, True, False)}" for i, w in enumerate(works, 1)]
    return "\\begin{thebibliography}{10}\n\n" + "\n\n".join(items) + "\n\n\\end{thebibliography}\n"


def write_biblatex(works: list[Work]) -> str:
    out = ["% $ biblatex auxiliary file $", "% $ biblatex bbl format version 3.2 $",
           "% Do not modify the above lines!", "\\begingroup", "\\makeatletter",
           "\\@ifundefined{ver@biblatex.sty}", "  {\\@latex@error", "     {Missing 'biblatex' package}",
           "  }", "  {}", "\\endgroup", "", "\\refsection{0}",
           "  \\datalist[entry]{nty/global//global/global}"]
    for i, w in enumerate(works, 1):
        kind = {"article": "article", "chapter": "incollection", "book": "book"}[w.kind]
        out.append(f"    \\entry{{ref{i}}}{{{kind}}}{{}}")
        out.append(f"      \\name{{author}}{{{len(w.authors)}}}{{}}{{%")
        for f, g in w.authors:
            out.append("        {{hash=0}{%")
            out.append(f"           family={{{_tex(f)}}},")
            out.append(f"           familyi={{{_tex(f[:1])}\\bibinitperiod}},")
            if g:
                out.append(f"           given={{{_tex(g)}}},")
                out.append(f"           giveni={{{_tex(g[:1])}\\bibinitperiod}},")
            out.append("        }}%")
        out.append("      }")
        if w.publisher and w.kind != "article":
            out += ["      \\list{publisher}{1}{%", f"        {{{_tex(w.publisher)}}}%", "      }"]
        out.append("      \\strng{namehash}{0}")
        out.append(f"      \\field{{sortinit}}{{{_tex(w.authors[0][0][:1])}}}")
        out.append(f"      \\field{{labelyear}}{{{w.year}}}")
        if w.container:
            name = "journaltitle" if w.kind == "article" else "booktitle"
            out.append(f"      \\field{{{name}}}{{{_tex(w.container)}}}")
        out.append(f"      \\field{{title}}{{{_tex(w.title)}}}")
        for name, value in (("volume", w.volume), ("number", w.issue)):
            if value:
                out.append(f"      \\field{{{name}}}{{{_tex(value)}}}")
        out.append(f"      \\field{{year}}{{{w.year}}}")
        if w.pages:
            pages = _tex(w.pages).replace("-", "\\bibrangedash ")
            out.append(f"      \\field{{pages}}{{{pages}}}")
        out += ["      \\verb{doi}", f"      \\verb {w.doi}", "      \\endverb", "    \\endentry"]
    out += ["  \\enddatalist", "\\endrefsection", "\\endinput", ""]
    return "\n".join(out)


FORMATS: dict[str, tuple[str, Callable[[list[Work]], str]]] = {
    "bibtex (baseline)": ("refs.bib", write_bibtex),
    "text APA (baseline)": ("refs.txt", lambda ws: write_text(ws, pa.apa, numbered=False)),
    "text IEEE (baseline)": ("refs.txt", lambda ws: write_text(ws, pa.ieee, numbered=True)),
    "text Vanc. (baseline)": ("refs.txt", lambda ws: write_text(ws, pa.vancouver, numbered=True)),
    "jats element-citation": ("article.xml", write_jats_element),
    "jats mixed tagged APA": ("article.xml", write_jats_mixed_tagged),
    "jats mixed text Vanc.": ("article.xml", write_jats_mixed_text),
    "ris": ("refs.ris", write_ris),
    "endnote xml": ("library.xml", write_endnote),
    "bbl plainnat": ("paper.bbl", write_bbl_natbib),
    "bbl plain": ("paper.bbl", write_bbl_plain),
    "bbl biblatex": ("paper.bbl", write_biblatex),
}


# --- typos ---------------------------------------------------------------------------


def _drop(word: str, k: int) -> str:
    while k < len(word) - 1 and (word[k] == word[k - 1] or word[k] == word[k + 1]):
        k += 1
    return word[:k] + word[k + 1 :]


def _swap(word: str, k: int) -> str:
    if word[k] == word[k + 1]:
        k -= 1
    return word[:k] + word[k + 1] + word[k] + word[k + 2 :]


def _double(word: str, k: int) -> str:
    return word[:k] + word[k] + word[k:]


_NEAR = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wertyuiopoasdfghjklkxcvbnmn", strict=False))


def _key(word: str, k: int) -> str:
    """A neighbouring key on a QWERTY keyboard."""
    return word[:k] + _NEAR.get(word[k], "x") + word[k + 1 :]


# The slips people make, in turn: a letter dropped, two swapped, one doubled, a
# neighbouring key; always inside the word (first and last letters kept).
SLIPS = (_drop, _swap, _double, _key)


def _slip(word: str, n: int) -> str:
    return SLIPS[n % len(SLIPS)](word, len(word) // 2)


def inject(works: list[Work], rng: random.Random) -> tuple[list[Work], list[str]]:
    """Every other work with one slip in its title or container; the misspelt words."""
    from refcheck.text import freq

    out = []
    slips: list[str] = []
    for i, w in enumerate(works):
        if i % 2:
            out.append(w)
            continue
        fields = ["title", "container"] if w.container else ["title"]
        rng.shuffle(fields)
        done = False
        for name in fields:
            value = getattr(w, name)
            # Title words in lower case (a capitalised one may be a name, which the
            # typo rules leave alone by design); any word of a journal's name.
            shape = r"\b[a-z]{7,}\b" if name == "title" else r"\b[A-Za-z][a-z]{6,}\b"
            words = [m for m in re.finditer(shape, value) if freq.zipf(m.group(0)) >= 3.5]
            if not words:
                continue
            m = rng.choice(words)
            slip = _slip(m.group(0), len(slips))
            if freq.zipf(slip) > 0 or slip.lower() in value.lower():
                continue
            out.append(replace(w, **{name: value[: m.start()] + slip + value[m.end() :]}))
            slips.append(slip)
            done = True
            break
        if not done:
            out.append(w)
    return out, slips


# --- scoring -------------------------------------------------------------------------


def _check(path: str, text: str) -> tuple[Document, list[Finding]]:
    source = SourceText(path, text)
    doc = parse(source, detect_format(path, text))
    return doc, engine.check([doc], Settings(offline=True)).findings


def _fields(doc: Document, works: list[Work]) -> dict[str, tuple[int, int]]:
    score = {f: [0, 0] for f in pa.FIELDS}
    for w, ref in zip(works, doc.references, strict=False):
        want, have = pa.expected(w, w.authors), pa.got(ref)
        if isinstance(have["pages"], str):
            have["pages"] = have["pages"].replace("--", "-")  # BibTeX's en dash, as written
        for f in pa.FIELDS:
            if want[f] is None:
                continue
            score[f][1] += 1
            score[f][0] += want[f] == have[f]
    return {f: (a, b) for f, (a, b) in score.items()}


def _slips_found(text: str, findings: list[Finding], slips: list[str]) -> tuple[int, int, int]:
    """Slips written in the document, those a typo rule reported, those reported where they are.

    A slip in a journal's name is absent from a style that abbreviates the name
    (Vancouver): it is not counted there.  "Where they are" means a finding whose
    span (a word, or a whole journal name for RC103) covers the slip's line and column.
    """
    present = found = exact = 0
    source = SourceText("x", text)
    typo = [f for f in findings if f.category.value == "typo"]
    for slip in slips:
        at = re.search(rf"\b{re.escape(slip)}\b", text)
        if at is None:
            continue
        present += 1
        line, col = source.position(at.start())
        hits = [f for f in typo if f.text and slip in f.text]
        found += bool(hits)
        exact += any(f.span.line == line and f.span.column <= col < f.span.end_column
                     for f in hits)
    return present, found, exact


Draw = tuple[list[Work], list[Work], list[str]]  # works, the works with slips, the slips


def arguments(description: str, show: str) -> argparse.Namespace:
    """The command line this benchmark and ``formats.py`` share."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("fixtures", nargs="?", default=None, help="Crossref work records (work__*.json)")
    ap.add_argument("--hallmark", nargs="?", const=str(ROOT / "benchmarks/data/shared/hallmark/registry.jsonl"),
                    default=None, metavar="REGISTRY", help="take the works from HALLMARK's registry")
    ap.add_argument("--seeds", type=int, default=3, help="documents of 46 works drawn per format")
    ap.add_argument("--show", type=int, default=0, metavar="N", help=show)
    return ap.parse_args()


def draw(args: argparse.Namespace) -> tuple[list[Work], str, list[Draw]]:
    """The pool of works, where it came from, and one draw (with its slips) per seed."""
    if args.hallmark:
        pool = _hallmark(Path(args.hallmark))
        origin = args.hallmark
    else:
        directory = args.fixtures or str(ROOT / "benchmarks/data/shared/fixtures/crossref")
        if not Path(directory).is_dir():
            directory = str(ROOT / "tests/data/shared/fixtures/crossref")
        pool, _ = pa.load_works(directory)
        origin = directory
    pool = [w for w in pool if len(w.authors) <= 20]
    draws = []
    for seed in range(args.seeds):
        works = random.Random(seed).sample(pool, N) if len(pool) > N else pool
        draws.append((works, *inject(works, random.Random(seed + 1000))))
    return pool, origin, draws


def main() -> None:
    args = arguments(__doc__.splitlines()[0], "print N misses per format")
    pool, origin, draws = draw(args)
    n_slips = sum(len(d[2]) for d in draws)
    print(f"{args.seeds} documents of {len(draws[0][0])} works per format, drawn from "
          f"{len(pool)} records in {origin}; {n_slips} slips injected in all\n")
    head = f"{'format':24} {'read':>6} " + " ".join(f"{f[:7]:>7}" for f in pa.FIELDS)
    print(head + f" {'typos':>7} {'exact':>6} {'alarms':>6}")
    for name, (filename, write) in FORMATS.items():
        read = total = present = found = exact = 0
        fields = {f: [0, 0] for f in pa.FIELDS}
        alarms: list[Finding] = []
        missed: list[str] = []
        for works, typo_works, slips in draws:
            text = write(works)
            doc, findings = _check(filename, text)
            alarms += [f for f in findings if f.severity.value != "info"]
            read += len(doc.references)
            total += len(works)
            for field, (a, b) in _fields(doc, works).items():
                fields[field][0] += a
                fields[field][1] += b
            bad_text = write(typo_works)
            _, bad_findings = _check(filename, bad_text)
            written, got, at = _slips_found(bad_text, bad_findings, slips)
            present += written
            found += got
            exact += at
            missed += [s for s in slips if not any(f.text and s in f.text for f in bad_findings)]
        cells = " ".join(f"{a / b:7.3f}" if b else "      -" for a, b in fields.values())
        print(f"{name:24} {read / total:6.3f} {cells} "
              f"{found / max(present, 1):7.3f} {exact / max(present, 1):6.3f} {len(alarms):6d}")
        for f in alarms[: args.show]:
            print(f"    alarm {f.code} {f.span.line}:{f.span.column} {f.text!r} {f.message[:90]}")
        if args.show:
            print(f"    missed slips: {missed[: args.show]}")


def _hallmark(path: Path) -> list[Work]:
    works = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        authors = [(a.get("family") or "", a.get("given") or "") for a in rec.get("authors") or []]
        authors = [(f, g) for f, g in authors if f]
        if not rec.get("title") or not authors or not rec.get("year") or not rec.get("doi"):
            continue
        kind = {"article": "article", "journal-article": "article",
                "proceedings-article": "chapter", "inproceedings": "chapter",
                "book-chapter": "chapter"}.get(str(rec.get("type")), "book")
        container = rec.get("container") if kind != "book" else None
        works.append(Work(authors=authors, year=int(rec["year"]), title=rec["title"],
                          container=container, volume=None, issue=None, pages=None,
                          doi=rec["doi"], publisher=rec.get("publisher"), kind=kind))
    return works


if __name__ == "__main__":
    main()
