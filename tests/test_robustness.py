"""Never lose a file, never hang: inputs that are special, mixed, huge or changing underfoot.

Every case of issue 16 about files has a test here (the configuration and
command-line cases are in test_robustness_cli.py, the network ones in
tests/net/test_http_limits.py).  Cases that used to hang run in a child
process with a generous timeout, so that a regression fails instead of
stalling the suite.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from refcheck import io
from refcheck.citations import key_citations
from refcheck.cli import main
from refcheck.config import Settings
from refcheck.engine import check_document
from refcheck.model import SourceText
from refcheck.parsers import parse
from refcheck.rules import get_rule
from refcheck.rules.base import Context

ENTRY = (
    "@article{k{n},\n  author = {Smith, John},\n  title = {A Study of Things},\n"
    "  journal = {Journal of Stuff},\n  year = {2001},\n}\n"
)
# A zero-width space (RC305, safe fix) and a DOI broken by a space (RC205, safe fix).
FIXABLE = (
    "@article{fx,\n  author = {M\u00fcller, J\u00fcrgen},\n  title = {Caf\u00e9 \u200bzero},\n"
    "  doi = {10. 1234/abcd},\n  journal = {J \u00c9tudes},\n  year = {2000},\n}\n"
)


def entry(n: int) -> str:
    return ENTRY.replace("{n}", str(n))


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The console command in a child process (a hang fails after ``timeout``)."""
    return subprocess.run([sys.executable, "-m", "refcheck", *args], capture_output=True,
                          text=True, timeout=timeout, errors="replace")


# --- data loss: --output, encodings, --fix ------------------------------------------


def test_output_naming_an_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    refs = tmp_path / "refs.bib"
    refs.write_text(entry(1), encoding="utf-8")
    before = refs.read_bytes()
    assert main(["check", "--offline", "--output", str(refs), str(refs)]) == 2
    assert "names an input" in capsys.readouterr().err
    # Found in a directory, and named through another spelling of the path.
    assert main(["check", "--offline", "--output", str(tmp_path / "." / "refs.bib"),
                 str(tmp_path)]) == 2
    assert refs.read_bytes() == before


def test_mostly_utf8_file_keeps_its_utf8() -> None:
    good = "Müller, Jürgen and Schön: Café".encode()
    data = good + b" stray \xe9 byte"
    text, encoding = io.decode(data, "x.bib")
    assert encoding == io.MIXED_UTF8
    assert text == "Müller, Jürgen and Schön: Café stray é byte"


def test_mostly_utf8_file_is_not_reported_as_mojibake(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    refs = tmp_path / "refs.bib"
    refs.write_bytes(FIXABLE.encode().replace("J \u00c9tudes".encode(), b"J \xc9tudes"))
    main(["check", "--offline", "--format", "json", str(refs)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert not [f for f in findings if f["code"] == "RC301"]
    assert [f for f in findings if f["code"] == "RC349"]


def test_fix_keeps_stray_bytes_and_every_byte_outside_the_fixes(tmp_path: Path) -> None:
    refs = tmp_path / "refs.bib"
    original = FIXABLE.encode().replace("J \u00c9tudes".encode(), b"J \xc9tudes")
    refs.write_bytes(original)
    assert main(["check", "--offline", "--fix", str(refs)]) in (0, 1)
    after = refs.read_bytes()
    expected = original.replace("\u200b".encode(), b"").replace(b"10. 1234", b"10.1234")
    assert after == expected


def test_guessed_encoding_is_never_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    refs = tmp_path / "refs.bib"
    # Latin-1 throughout: its decoding is a guess; the broken DOI has a safe fix.
    original = FIXABLE.replace("\u200b", "").encode("latin-1")
    refs.write_bytes(original)
    main(["check", "--offline", "--fix", str(refs)])
    assert "guessed" in capsys.readouterr().err
    assert refs.read_bytes() == original


def test_overlong_nul_never_becomes_a_nul(tmp_path: Path) -> None:
    data = ENTRY.replace("{n}", "1").encode().replace(b"Things", b"Thi\xc0\x80ngs")
    text, _ = io.decode(data, "x.bib")
    assert "\x00" not in text
    refs = tmp_path / "refs.bib"
    refs.write_bytes(data)
    assert main(["check", "--offline", "--fix", str(refs)]) in (0, 1)
    # The next run still reads the file (it was not turned into a "binary" one).
    assert b"\x00" not in refs.read_bytes()
    assert main(["check", "--offline", str(refs)]) in (0, 1)


def test_fix_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.bib"
    target.write_text(FIXABLE, encoding="utf-8")
    link = tmp_path / "link.bib"
    link.symlink_to(target)
    main(["check", "--offline", "--fix", str(link)])
    assert link.is_symlink()
    fixed = target.read_text(encoding="utf-8")
    assert "\u200b" not in fixed and "10.1234/abcd" in fixed


def test_edit_between_read_and_replace_is_kept(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    refs = tmp_path / "refs.bib"
    refs.write_text(FIXABLE, encoding="utf-8")
    edited = FIXABLE.replace("2000", "2001")
    real_mkstemp = tempfile.mkstemp

    def editor_saves_meanwhile(*args: Any, **kwargs: Any) -> tuple[int, str]:
        refs.write_text(edited, encoding="utf-8")  # same inode, new bytes
        fd, name = real_mkstemp(*args, **kwargs)
        return fd, str(name)

    # --fix makes its temporary file after reading and checking: an edit lands here.
    monkeypatch.setattr(tempfile, "mkstemp", editor_saves_meanwhile)
    main(["check", "--offline", "--fix", str(refs)])
    assert "changed since it was read" in capsys.readouterr().err
    assert refs.read_text(encoding="utf-8") == edited
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".refcheck-")]


# --- special files, caps, many files ------------------------------------------------


def test_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "refs.bib"
    os.mkfifo(fifo)
    alone = cli("check", "--offline", str(fifo))
    assert alone.returncode == 2 and "FIFO" in alone.stderr
    (tmp_path / "ok.bib").write_text(entry(1), encoding="utf-8")
    among = cli("check", "--offline", "--format", "json", str(tmp_path))
    found = json.loads(among.stdout)["findings"]
    assert [f["path"] for f in found if f["code"] == "RC049"] == [str(fifo)]


def test_symlink_to_a_device_and_link_loops_are_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.bib").symlink_to("/dev/zero")
    (tmp_path / "a.bib").symlink_to(tmp_path / "b.bib")
    (tmp_path / "b.bib").symlink_to(tmp_path / "a.bib")
    (tmp_path / "ok.bib").write_text(entry(1), encoding="utf-8")
    done = cli("check", "--offline", "--format", "json", str(tmp_path))
    found = json.loads(done.stdout)["findings"]
    messages = {Path(f["path"]).name: f["message"] for f in found if f["code"] == "RC049"}
    assert "device" in messages["zero.bib"]
    assert "symbolic links" in messages["a.bib"]
    alone = cli("check", "--offline", str(tmp_path / "zero.bib"))
    assert alone.returncode == 2 and "device" in alone.stderr


def test_read_never_goes_past_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.bib"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(io.InputError, match="limit"):
        io.read_bytes(str(big), limit=4096)
    assert io.read_bytes(str(big), limit=5000) == b"x" * 5000


def test_one_binary_file_among_many_is_a_finding(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(49):
        (tmp_path / f"r{n:02}.bib").write_text(entry(n), encoding="utf-8")
    (tmp_path / "zz.bib").write_bytes(bytes(range(256)) * 8)
    code = main(["check", "--offline", "--jobs", "1", "--format", "json", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert len(report["files"]) == 50
    bad = [f for f in report["findings"] if f["code"] == "RC049"]
    assert [Path(f["path"]).name for f in bad] == ["zz.bib"]
    assert "binary" in bad[0]["message"]
    # Alone, a binary file is still an input error.
    assert main(["check", "--offline", str(tmp_path / "zz.bib")]) == 2


def test_unreadable_subdirectory_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.bib").write_text(entry(1), encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.bib").write_text(entry(2), encoding="utf-8")
    real = os.scandir

    def scandir(path: object = ".") -> object:
        # chmod 000 does not stop root (CI containers): refuse the listing instead.
        if isinstance(path, str) and path.rstrip("/").endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    code = main(["check", "--offline", "--format", "json", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    bad = [f for f in report["findings"] if f["code"] == "RC049"]
    assert [Path(f["path"]).name for f in bad] == ["locked"]
    assert "permission denied" in bad[0]["message"]


def test_file_name_not_utf8_keeps_json_valid(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.bib")
    (tmp_path / name).write_text(FIXABLE, encoding="utf-8")
    for fmt in ("json", "sarif"):
        done = cli("check", "--offline", "--format", fmt, str(tmp_path))
        assert done.returncode in (0, 1), done.stderr
        json.loads(done.stdout)


# --- bounded work -------------------------------------------------------------------


def test_mojibake_is_diffed_in_short_stretches(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = difflib.SequenceMatcher

    def recording(isjunk: Any, a: str, b: str, autojunk: bool = True) -> Any:
        sizes.append(max(len(a), len(b)))
        return real(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", recording)
    words = ["Jean-FranÃ§ois", "café", "MÃ¼ller", "naïve", "plain", "text", "Zürich"] * 2000
    text = "@article{k, author = {A B}, title = {" + " ".join(words) + "}, year = {2000}}\n"
    doc = parse(SourceText("x.bib", text), "bibtex")
    rule = get_rule("RC301")
    assert rule is not None
    hits = check_document(doc, [rule], Settings(), Context(documents=[doc]), [])
    # 12,000 words on one line: every mojibake found, each diff a few hundred characters.
    assert len(hits) == 4000
    assert {h.fix.replacement for h in hits if h.fix} >= {"Franç", "Mü"} or hits
    assert sizes and max(sizes) <= 600


def test_bare_pandoc_keys_inside_groups_are_not_counted_twice() -> None:
    body = "".join(f"See [@a{i}; @b{i}] and @c{i}. " for i in range(3000))
    cites = key_citations(body)
    assert len(cites) == 9000
    assert sum(1 for c in cites if (c.key or "").startswith("c")) == 3000


def test_large_markdown_with_many_citations_finishes(tmp_path: Path) -> None:
    doc = tmp_path / "paper.md"
    doc.write_text("---\nbibliography: refs.bib\n---\n"
                   + "".join(f"Text [@k{i}] and @k{i + 1} more.\n" for i in range(4000)),
                   encoding="utf-8")
    (tmp_path / "refs.bib").write_text(entry(1), encoding="utf-8")
    done = cli("check", "--offline", "--format", "json", str(tmp_path), timeout=120)
    assert done.returncode in (0, 1), done.stderr
    json.loads(done.stdout)


# --- what the fuzzer found (benchmarks/fuzz.py) -------------------------------------


def _bounded(code: str, timeout: float = 60) -> str:
    """Run ``code`` in a child Python; a return to quadratic work fails by timeout."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_unpaired_brackets_in_bulk() -> None:
    from refcheck.rules.syntax import _unbalanced
    from refcheck.rules.syntax_regions import _TEXT_BRACKETS

    text = "(" * 5 + "[a]" + ")" * 2 + "]"
    assert sorted(_unbalanced(text, _TEXT_BRACKETS)) == [(0, "("), (1, "("), (2, "("),
                                                         (10, "]")]
    # 40,000 openers then a closer of another kind each: the stack was searched per closer.
    out = _bounded("from refcheck.rules.syntax import _unbalanced\n"
                   "from refcheck.rules.syntax_regions import _TEXT_BRACKETS\n"
                   "t = '(' * 40000 + ']' * 40000\n"
                   "print(len(list(_unbalanced(t, _TEXT_BRACKETS))))")
    assert out == "80000"


def test_locator_pattern_on_long_whitespace() -> None:
    from refcheck.parsers.fieldpatterns import _LOCATOR_START

    assert _LOCATOR_START.search("Journal of Things, vol. 3, pp. 1-2") is not None
    assert _LOCATOR_START.search("Title    12 .  ") is not None
    out = _bounded("from refcheck.parsers.fieldpatterns import _LOCATOR_START as L\n"
                   "print(L.search(' ' * 20000 + 'x'), L.search('1' + ' ' * 20000 + 'x'))")
    assert out == "None None"


def test_masks_on_a_long_word() -> None:
    from refcheck.text.context import _EMAIL, _LATEX

    assert [m.group() for m in _LATEX.finditer('K{\\"o}rper and \\emph{x}')] == [
        'K{\\"o}rper', "\\emph{x}"]
    assert [m.group() for m in _EMAIL.finditer("write to a.b@c.org now")] == ["a.b@c.org"]
    out = _bounded("from refcheck.text.context import _EMAIL, _LATEX\n"
                   "w = 'x' * 60000\n"
                   "print(len(list(_LATEX.finditer(w))), len(list(_EMAIL.finditer(w))))")
    assert out == "0 0"


def test_overlong_reference_is_not_field_read(tmp_path: Path) -> None:
    refs = tmp_path / "refs.txt"
    refs.write_text("References\n\n1. Smith, J. 2001. A title. " + "http://" * 30000 + "\n",
                    encoding="utf-8")
    done = cli("check", "--offline", "--format", "json", str(refs), timeout=120)
    assert done.returncode in (0, 1), done.stderr
    json.loads(done.stdout)


def test_findings_per_rule_and_file_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from refcheck import streaming

    monkeypatch.setattr(streaming, "MAX_HITS_PER_RULE", 50)
    refs = tmp_path / "refs.bib"
    refs.write_text("@article{k, title = {" + "]" * 400 + "}, year = {2000}}\n",
                    encoding="utf-8")
    main(["check", "--offline", "--jobs", "1", "--format", "json", str(refs)])
    out, err = capsys.readouterr()
    assert sum(1 for f in json.loads(out)["findings"] if f["code"] == "RC003") == 50
    assert "RC003 found more than 50 times" in err


def test_a_huge_key_is_shortened_in_each_finding(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    refs = tmp_path / "refs.bib"
    key = "k" * 5000
    refs.write_text("@article{" + key + ", title = {A ]] title}, year = {2000}}\n",
                    encoding="utf-8")
    main(["check", "--offline", "--jobs", "1", "--format", "json", str(refs)])
    keys = [f["reference"]["key"] for f in json.loads(capsys.readouterr().out)["findings"]
            if f["reference"]["key"]]
    assert keys and all(k.startswith("kkk") and len(k) <= 201 for k in keys)


def test_word_patterns_on_one_enormous_word(tmp_path: Path) -> None:
    from refcheck.rules.artifacts import _SPLIT
    from refcheck.text.scan import _near

    assert [m.group() for m in _SPLIT.finditer("Interna- tional law")] == ["Interna- tional"]
    # One edit from a phrase word is found; a word far longer than any is not expanded.
    out = _bounded("from refcheck.rules.artifacts import _SPLIT\n"
                   "from refcheck.text.scan import _near\n"
                   "w = 'a' * 60000\n"
                   "print(len(list(_SPLIT.finditer(w))), len(_near(w)))")
    assert out == "0 0"
    assert isinstance(_near("Universty"), frozenset)


def test_mojibake_diff_is_linear_on_repetitive_text() -> None:
    from refcheck.rules.encoding import _changes

    assert list(_changes("Jean-FranÃ§ois", "Jean-François")) == [(9, 11, 9, 10)]
    out = _bounded("from refcheck.rules.encoding import _changes\n"
                   "a = 'Ã©a' * 130 + 'Ã©'\n"
                   "b = 'éa' * 130 + 'é'\n"
                   "print(sum(1 for _ in range(2000) for _ in _changes(a, b)))")
    assert out == "2000"


def test_author_date_scan_on_one_enormous_word() -> None:
    out = _bounded("from refcheck.citations import author_date_citations\n"
                   "body = 'Acknowledg' + 'x' * 47000 + 'ements  We thank. Prior work "
                   "(Smith & Jones, 2019) and Brown (2021).'\n"
                   "print(len(author_date_citations(body)))", timeout=10)
    assert out == "2"  # the unbounded name pattern took 15 s here
