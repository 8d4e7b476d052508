"""What a short run skips at start-up gives the same answers as the long way.

The speed itself is measured by ``benchmarks/speed.py --only startup`` (whole
processes); these tests hold the shortcuts to the results of the work they skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from refcheck import config
from refcheck.config import ConfigError


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(where))
    return where


def _forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(path: Path, data: bytes) -> dict[str, object]:
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(config, "_parse_toml", parse)


def test_config_parsed_once_then_read_from_the_cache(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.refcheck]\nselect = ["RC1"]\nmax-size = 2.5\n', encoding="utf-8")
    first = config.load_table(str(path))
    assert first == ({"select": ["RC1"], "max-size": 2.5}, path)
    _forbid_parsing(monkeypatch)
    assert config.load_table(str(path)) == first


def test_an_edited_config_is_parsed_again_even_with_the_same_size_and_time(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "refcheck.toml"
    path.write_text('select = ["RC1"]\n', encoding="utf-8")
    config.load_table(str(path))
    stat = path.stat()
    path.write_text('select = ["RC2"]\n', encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert config.load_table(str(path))[0] == {"select": ["RC2"]}


def test_invalid_config_fails_on_every_run(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "refcheck.toml"
    path.write_text("select = [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="invalid TOML"):
            config.load_table(str(path))
    path.write_bytes(b"select = ['\xff']\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="not UTF-8"):
            config.load_table(str(path))


def test_a_config_with_a_date_is_read_every_run(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nreleased = 2024-01-02\n[tool.refcheck]\noffline = true\n")
    for _ in range(2):  # marshal cannot keep a date: parsed each time, same answer
        assert config.load_table(str(path))[0] == {"offline": True}


def test_a_second_short_run_loads_neither_ftfy_nor_tomllib(cache: Path, tmp_path: Path) -> None:
    """On a second run over clean text with accents, ftfy and tomllib are never loaded."""
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{a, author = {Ga{\\\"e}l Varoquaux and Ana Müller}, title = {Brain’s atlas — "
        "12–71 years}, journal = {NeuroImage}, year = {2012}}\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text("[tool.refcheck]\nfail-on = 'error'\n")
    probe = (
        "import sys\n"
        "from refcheck.cli import main\n"
        "from refcheck.rules.encoding import _ftfy_badness\n"
        "code = main(['check', '--offline', 'refs.bib'])\n"
        "loaded = [m for m in sys.modules if m.startswith(('ftfy', 'tomllib'))]\n"
        "print(code, sorted(loaded + ['ftfy.badness'] * _ftfy_badness.cache_info().currsize))\n"
    )
    env = {**os.environ, "REFCHECK_CACHE_DIR": str(cache)}
    runs = [
        subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, text=True,
                       capture_output=True, check=True).stdout.splitlines()[-1]
        for _ in range(2)
    ]
    assert runs[0].startswith("0 ") and "tomllib" in runs[0]  # first run: parsed
    assert runs[1] == "0 []"


def test_a_command_parsed_by_its_parser_alone_reads_as_with_all() -> None:
    from refcheck.cli import COMMANDS, _Parser, build_parser

    def sub(parser: _Parser, name: str) -> Any:
        (action,) = [a for a in parser._actions if a.dest == "command"]
        return action.choices[name]  # type: ignore[index]

    full = build_parser()
    for name in COMMANDS:
        alone = build_parser(name)
        assert sub(alone, name).format_help() == sub(full, name).format_help()
    assert "{check,parse,rules,explain,audit}" in full.format_help()
    argv = ["check", "--offline", "--select", "RC1", "--exit-zero", "refs.bib"]
    assert build_parser("check").parse_args(argv) == full.parse_args(argv)


def test_the_command_line_never_stops_for_a_garbage_collection(cache: Path, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("".join(
        f"@article{{k{i}, author = {{Ann Lee and Bo Chen}}, title = {{Title {i}}}, "
        f"journal = {{Nature}}, year = {{2001}}}}\n" for i in range(200)
    ))
    probe = (
        "import gc, sys\n"
        "import refcheck.cli\n"
        "gc.collect()\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(info) if phase == 'start' else None)\n"
        "sys.argv = ['refcheck', 'check', '--offline', '--exit-zero', 'refs.bib']\n"
        "try:\n"
        "    refcheck.cli.entry()\n"
        "finally:\n"
        "    print('collections', len(runs), file=sys.stderr)\n"
    )
    env = {**os.environ, "REFCHECK_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, text=True,
                          capture_output=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "collections 0"


def test_a_read_file_carries_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    import hashlib

    from refcheck.io import read_source

    path = tmp_path / "refs.bib"
    path.write_bytes("@misc{a, title = {Gödel}}\n".encode())
    assert read_source(str(path)).digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_edit_apart_is_rapidfuzz_osa_distance_one() -> None:
    import random

    from rapidfuzz.distance import OSA

    from refcheck.text.scan import _one_edit

    rng = random.Random(3)
    pairs = [("form", "from"), ("abc", "abc"), ("", "a"), ("ab", "ba"), ("aab", "aba"),
             ("analysis", "analyses"), ("teh", "the"), ("abcd", "acbd"), ("ab", "abcd")]
    for _ in range(20_000):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 6)))
        pairs.append((a, b))
        k = rng.randrange(len(a) + 1)
        pairs += [(a, a[:k] + a[k + 1 :]), (a, a[:k] + "c" + a[k:]), (a, a[:k] + a[k + 1 : k + 2]
                  + a[k : k + 1] + a[k + 2 :])]
    for a, b in pairs:
        assert _one_edit(a, b) == (OSA.distance(a, b) == 1), (a, b)
    assert sum(_one_edit(a, b) for a, b in pairs) > 1000


def test_a_config_holding_an_api_key_is_never_copied_into_the_cache(
    cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "refcheck.toml"
    path.write_text('openalex-key = "s3cr3t"\nselect = ["RC1"]\n', encoding="utf-8")
    for _ in range(2):
        assert config.load_table(str(path))[0]["openalex-key"] == "s3cr3t"
    assert not [p for p in cache.rglob("*") if p.is_file() and b"s3cr3t" in p.read_bytes()]
    path.write_text('select = ["RC1"]\n', encoding="utf-8")
    config.load_table(str(path))
    assert list(cache.rglob("config-*"))  # a file without one is kept
