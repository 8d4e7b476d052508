"""A 50 MB input is read and answered, not a traceback, hang or changed file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from refcheck.cli import main


@pytest.mark.slow
def test_fifty_megabyte_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "dump.txt"
    # One 50 MB line: the worst case for line-oriented segmentation and for any
    # pattern that could backtrack.
    target.write_bytes(b"x" * 50_000_000)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    code = main(["check", "--offline", "--format", "json", str(target)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == 0
    data = json.loads(out)
    assert data["files"][0]["references"] == 0
    assert [f["code"] for f in data["findings"]] == ["RC408"]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
