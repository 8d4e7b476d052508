"""Which files a run checks: supported files of a directory, each file once, in a stable order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from refcheck.io import InputError, discover


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "refs"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "node_modules").mkdir()
    for rel in ("b.bib", "a.json", "notes.rtf", "sub/c.bib", ".hidden/d.bib", "node_modules/e.bib"):
        (root / rel).write_text("@misc{k, title={T}}\n")
    return root


def test_a_directory_yields_its_supported_files_sorted(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    got = discover([str(root)], [])
    assert [os.path.relpath(p, root) for p in got] == [
        "a.json",
        "b.bib",
        os.path.join("sub", "c.bib"),
    ]


def test_a_file_named_twice_or_through_a_link_is_checked_once(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.symlink(root / "b.bib", root / "z-link.bib")
    os.symlink(root / "sub", tmp_path / "alias")  # another name for the directory
    got = discover([str(root), str(root / "b.bib"), str(tmp_path / "alias" / "c.bib")], [])
    assert [os.path.relpath(p, root) for p in got] == [
        "a.json",
        "b.bib",
        os.path.join("sub", "c.bib"),
    ]


def test_exclude_patterns_apply_to_paths_and_their_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert discover(["refs"], ["sub"]) == [
        os.path.join("refs", "a.json"),
        os.path.join("refs", "b.bib"),
    ]
    assert discover(["refs"], ["*.json"]) == [
        os.path.join("refs", "b.bib"),
        os.path.join("refs", "sub", "c.bib"),
    ]


def test_a_directory_without_reference_lists_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.rtf").write_text("")
    with pytest.raises(InputError, match="no files to check"):
        discover([str(tmp_path)], [])
