"""A read file's digest is its bytes' SHA-256 whichever implementation computes it (issue 19)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from refcheck import io


@pytest.mark.parametrize("size", [io._OPENSSL_HASH_BYTES - 1, io._OPENSSL_HASH_BYTES])
def test_small_and_large_files_carry_the_sha256_of_their_bytes(tmp_path: Path, size: int) -> None:
    entry = "@misc{k, title = {G\u00f6del and the {LaTeX} world}}\n".encode()
    data = (entry * (size // len(entry) + 1))[:size]
    path = tmp_path / "refs.bib"
    path.write_bytes(data)
    assert io.read_source(str(path)).digest == hashlib.sha256(data).hexdigest()
