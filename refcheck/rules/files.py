"""Rules about a file as a whole, not about one reference in it."""

from __future__ import annotations

from collections.abc import Iterator

from refcheck.model import Category, Document, Severity
from refcheck.rules.base import Context, Hit, rule


@rule(
    code="RC349",
    name="file-encoding",
    category=Category.ENCODING,
    severity=Severity.INFO,
    summary="The file is not UTF-8; it was decoded with a guessed legacy encoding.",
)
def file_encoding(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Reports a file that is not valid UTF-8 and names the encoding refcheck
        read it with (Windows-1251 for Cyrillic, Windows-1252 or Latin-1 for
        Western text, as detected by charset-normalizer).

    Why it matters:
        BibTeX, pandoc and most web forms expect UTF-8. A bibliography saved in
        a legacy code page shows mojibake as soon as another tool opens it,
        and the guess that refcheck made may itself be wrong for short files.

    Example:
        A `.bib` exported by an old Windows reference manager in CP1251:
        `refs.bib:1:1: RC349 file is not UTF-8; it was read as cp1251`.
        Convert it once with `iconv -f cp1251 -t utf-8`.
    """
    for p in doc.problems:
        if p.kind == "file-encoding":
            yield Hit(p.start, p.end, p.message)


@rule(
    code="RC048",
    name="not-a-bibliography",
    category=Category.SYNTAX,
    severity=Severity.INFO,
    summary="A JSON or XML file that is not a bibliography (CSL-JSON, JATS, EndNote) was skipped.",
    formats=("csl-json", "jats"),
)
def not_a_bibliography(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        Says once that a `.json` file holds valid JSON that is not a CSL-JSON
        bibliography (no item has an `id`, `type`, `title` or `author`), and
        that it was skipped; likewise a `.xml` file that is neither JATS (no
        `<article>`, `<ref-list>` or citation elements) nor an EndNote export
        (no `<records>`), which is not read at all.

    Why it matters:
        A pre-commit hook or a directory scan also meets `package.json` and
        other configuration files. They are not errors in a bibliography and
        must not fail the commit, but a CSL export that lost its items should
        not pass silently either: this note makes the skip visible.

    Example:
        `package.json:1:1: RC048 valid JSON but not CSL-JSON (…): skipped`;
        `pom.xml:1:1: RC048 XML that is neither JATS nor an EndNote export: skipped`.
        Exclude such files with `exclude = ["package.json"]`, or pass
        `--input-format` when a bibliography has another extension.
    """
    for p in doc.problems:
        if p.kind == "not-a-bibliography":
            yield Hit(p.start, p.end, p.message)


@rule(
    code="RC049",
    name="unreadable-file",
    category=Category.SYNTAX,
    severity=Severity.ERROR,
    summary="A file or directory of the run could not be read and was not checked.",
)
def unreadable_file(doc: Document, ctx: Context) -> Iterator[Hit]:
    """
    What it does:
        In a run over several files, reports one that could not be read (binary
        content, permission denied, a FIFO or device, a broken or looping
        symbolic link, over the size limit) or a directory that could not be
        listed, and goes on with the others.

    Why it matters:
        One stray binary file in a directory of fifty bibliographies must not
        hide the report on the other forty-nine, and an unreadable directory
        must not be skipped silently: its files were never checked.  (A run
        given a single unreadable file still ends with exit status 2.)

    Example:
        `refs/figure.bib:1:1: RC049 not checked: binary file, not a reference list`.
        Remove or exclude the file (`exclude = ["figure.bib"]`), or fix its
        permissions.
    """
    for p in doc.problems:
        if p.kind == "unreadable-file":
            yield Hit(p.start, p.end, p.message)


RULES = (file_encoding, not_a_bibliography, unreadable_file)
