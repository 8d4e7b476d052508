from __future__ import annotations

import hashlib
import os
from pathlib import Path

from refcheck.config import Settings
from refcheck.engine import check, load_document
from refcheck.fix import apply_fixes
from refcheck.model import Document, Finding, Reference, SourceText

TEXT = (
    "References\r\n\r\n"
    "1. Baev P. The CSTO. Putin`s Grand Strategy. Washington, 2014, pp. 40−48.\r\n"
    "2. Buzan B. The Structure of Interna- tional Security. World Eonomy, 2003.\r\n"
)


def _run(path: Path, unsafe: bool = False) -> list[str]:
    settings = Settings(offline=True, jobs=1, select=["RC1", "RC2", "RC3"])
    doc = load_document(str(path), settings)
    result = check([doc], settings)
    return apply_fixes(result.documents, result.findings, include_unsafe=unsafe)


def test_safe_fixes_bytes_exact_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    os.chmod(path, 0o640)
    messages = _run(path)
    assert any("applied" in m for m in messages)
    expected = (
        TEXT.replace("Putin`s", "Putin’s")
        .replace("40−48", "40–48")
        .replace("Interna- tional", "International")
    )
    assert path.read_bytes() == expected.encode("utf-8")  # CRLF and the typo untouched
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o640)
    assert not any("applied" in m for m in _run(path))
    assert path.read_bytes() == expected.encode("utf-8")


def test_unsafe_fixes_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    path.write_bytes(TEXT.encode("cp1252", errors="strict") if False else TEXT.encode("utf-8"))
    _run(path, unsafe=True)
    assert "World Economy" in path.read_text(encoding="utf-8")


def test_refuses_changed_file_and_unknown_digest(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    data = b"1. Putin`s way.\n"
    path.write_bytes(data)
    text = data.decode()
    ref = Reference(str(path), "text", 1, 0, len(text), text)
    from refcheck.model import Category, Fix, Severity

    source = SourceText(str(path), text, "utf-8", hashlib.sha256(data).hexdigest())
    doc = Document(source, "text", [ref])
    finding = Finding(
        "RC302",
        "wrong-apostrophe",
        Category.ENCODING,
        Severity.WARNING,
        "m",
        source.span(3, 10),
        fix=Fix(3, 10, "Putin’s"),
    )
    path.write_bytes(b"1. Putin`s way!\n")
    (msg,) = apply_fixes([doc], [finding], include_unsafe=False)
    assert "changed" in msg and path.read_bytes() == b"1. Putin`s way!\n"
    nodigest = Document(SourceText(str(path), text), "text", [ref])
    (msg,) = apply_fixes([nodigest], [finding], include_unsafe=False)
    assert "not fixed" in msg


def test_latin1_file_keeps_encoding(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    text = "References\n\n1. Müller K. Café`s history. Berlin, 2001, pp. 1−9.\n"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    before = path.read_bytes()
    _run(path)
    after = path.read_bytes()
    assert after.decode("cp1252", errors="replace").count("Müller") == 1
    assert len(after) >= len(before) - 2
