"""One large file: the rules are shared between forked processes, the report is not."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from refcheck import engine, forking
from refcheck.config import Settings
from refcheck.report.json import render

SAMPLE = Path(__file__).resolve().parent.parent / "references" / "sample.bib"

pytestmark = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="the rule split needs fork()",
)


def _large_bib(tmp_path: Path, copies: int) -> Path:
    """``sample.bib``'s entries (which have findings of many rules) with fresh keys."""
    text = SAMPLE.read_text(encoding="utf-8")
    parts = []
    for i in range(copies):
        parts.append(re.sub(r"(@\w+\{)([^,\s]+),", rf"\g<1>\g<2>c{i},", text))
    target = tmp_path / "large.bib"
    target.write_text("\n".join(parts), encoding="utf-8")
    return target


# Each run is a fresh interpreter: fork() is refused in a process with other
# threads, and earlier tests may leave one behind in this one.
_RUN = """
import json, os, sys
from refcheck import engine, forking
from refcheck.config import Settings
from refcheck.report.json import render

calls = {"forked": 0, "mapped": 0}

def counted(name, fn):
    def counting(*args):
        calls[name] += 1
        return fn(*args)
    return counting

engine._check_forked = counted("forked", engine._check_forked)
engine._run_mapped = counted("mapped", engine._run_mapped)
engine._MAP_MIN_BYTES = 20_000  # a test-sized repository is enough
if sys.argv[3] == "die":
    forking._child = lambda work, send: os._exit(3)
settings = Settings(offline=True, jobs=int(sys.argv[2]))
try:
    result = engine.run([sys.argv[1]], settings, keep_documents=sys.argv[4] == "keep")
except engine.InputError as exc:
    print(json.dumps({**calls, "error": str(exc)}))
else:
    print(json.dumps({**calls, "report": render(result),
                      "documents": len(result.documents), "notes": result.notes}))
"""


def _run(target: Path, jobs: int, child: str, keep: str) -> Any:
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(target), str(jobs), child, keep],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def _report(target: Path, jobs: int, child: str = "live") -> tuple[int, str]:
    out = _run(target, jobs, child, "keep")
    return out["forked"], out["report"]


def test_forked_rules_give_the_serial_report(tmp_path: Path) -> None:
    target = _large_bib(tmp_path, 40)
    forks, serial = _report(target, 1)
    assert forks == 0
    forks, parallel = _report(target, 2)
    assert forks == 1  # the split really ran
    assert parallel == serial
    codes = {f["code"] for f in json.loads(serial)["findings"]}
    # Findings of several rule modules, so both processes had work.
    assert {"RC402"} <= codes and len(codes) >= 4


def test_a_child_that_dies_leaves_its_rules_to_the_parent(tmp_path: Path) -> None:
    target = _large_bib(tmp_path, 40)
    _, serial = _report(target, 1)
    forks, parallel = _report(target, 2, child="die")
    assert forks == 1
    assert parallel == serial


def test_small_runs_one_job_and_threads_stay_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    small = engine.load_document(str(SAMPLE), Settings(offline=True))
    rules = engine.select_rules(Settings(offline=True)).rules
    assert engine._rule_workers([small], rules, Settings(offline=True, jobs=2)) == 1
    large = engine.load_document(str(_large_bib(tmp_path, 40)), Settings(offline=True))
    assert engine._rule_workers([large], rules, Settings(offline=True, jobs=1)) == 1
    assert engine._rule_workers([large], rules, Settings(offline=True, jobs=2)) == 2
    # fork() in a process with another thread could copy a lock that thread holds.
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert engine._rule_workers([large], rules, Settings(offline=True, jobs=2)) == 1


def test_slices_are_consecutive_balanced_and_complete() -> None:
    assert forking.slices([10], 2) == [[0]]
    assert forking.slices([5, 5, 5, 5], 2) == [[0, 1], [2, 3]]
    parts = forking.slices([1, 9, 1, 1, 1, 1, 1, 1], 3)
    assert [d for part in parts for d in part] == list(range(8))
    assert len(parts) == 3


def test_a_costly_group_is_cut_by_document_but_citations_are_not(tmp_path: Path) -> None:
    docs = []
    for i in range(4):
        target = tmp_path / f"part{i}.bib"
        target.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
        docs.append(engine.load_document(str(target), Settings(offline=True)))
    rules = engine.select_rules(Settings(offline=True)).rules
    tasks = engine._tasks(docs, rules, 2)
    # Every (document, rule) pair is in exactly one task.
    pairs = [(d, r) for members, ds in tasks for d in ds for r in members]
    assert sorted(pairs) == sorted((d, r) for d in range(4) for r in range(len(rules)))
    by_code = {rules[m[0]].code: ds for m, ds in tasks}
    assert len([ds for m, ds in tasks if rules[m[0]].code == "RC101"]) == 2
    assert by_code["RC901"] == [0, 1, 2, 3]
    # The costliest slice comes first.
    assert rules[tasks[0][0][0]].code == "RC101"


def test_without_fork_workers_parse_and_check_files_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where fork() is missing (Windows, macOS default), a pool of workers parses
    # and checks the files; the cross-file rules still see every document.
    for i in range(17):
        (tmp_path / f"refs{i:02}.bib").write_text(SAMPLE.read_text(encoding="utf-8"))
    (tmp_path / "paper.tex").write_text("\\cite{nokey}\n\\bibliography{refs01}\n")
    serial = engine.run([str(tmp_path)], Settings(offline=True, jobs=1))
    pooled: list[int] = []
    run_parallel = engine._run_parallel

    def counting(*args: Any) -> Any:
        pooled.append(1)
        return run_parallel(*args)

    monkeypatch.setattr(engine, "_can_fork", lambda: False)
    monkeypatch.setattr(engine, "_run_parallel", counting)
    parallel = engine.run([str(tmp_path)], Settings(offline=True, jobs=2))
    assert pooled == [1]
    assert render(parallel) == render(serial)
    assert "RC910" in {f.code for f in serial.findings}


# ---------------------------------------------------------------------------
# Many bibliographies: each process reads, parses and checks a share of them.

SAMPLE_JSON = SAMPLE.with_suffix(".json")


def _repository(tmp_path: Path, files: int = 12) -> Path:
    """Bibliographies (BibTeX and CSL-JSON) with the sample's findings, keys made unique."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for i in range(files):
        if i % 4 == 3:
            (repo / f"refs{i:02}.json").write_text(
                SAMPLE_JSON.read_text(encoding="utf-8"), encoding="utf-8"
            )
        else:
            text = re.sub(r"(@\w+\{)([^,\s]+),", rf"\g<1>\g<2>f{i},", SAMPLE.read_text("utf-8"))
            (repo / f"refs{i:02}.bib").write_text(text, encoding="utf-8")
    return repo


def _mapped_run(target: Path, jobs: int, child: str = "live", keep: str = "drop") -> Any:
    return _run(target, jobs, child, keep)


def test_bibliographies_checked_apart_give_the_one_process_report(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    serial = _mapped_run(repo, 1, keep="keep")  # every document parsed and kept at once
    streamed = _mapped_run(repo, 1)  # one process, one file at a time (issue 19)
    parallel = _mapped_run(repo, 2)
    assert (serial["mapped"], streamed["mapped"], parallel["mapped"]) == (0, 1, 1)
    assert parallel["report"] == serial["report"] == streamed["report"]
    assert parallel["notes"] == serial["notes"] == streamed["notes"]
    assert parallel["notes"][0].startswith("offline:")
    assert parallel["documents"] == streamed["documents"] == 0 and serial["documents"] == 12
    report = json.loads(serial["report"])
    assert len(report["files"]) == 12
    assert len({f["path"] for f in report["findings"]}) == 12  # every file had findings


def test_a_child_that_dies_leaves_its_files_to_the_parent(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    serial = _mapped_run(repo, 1, keep="keep")
    parallel = _mapped_run(repo, 2, child="die")
    assert parallel["mapped"] == 1
    assert parallel["report"] == serial["report"]


def test_an_unreadable_file_is_a_finding_as_in_one_process(tmp_path: Path) -> None:
    # Issue 16: in a run of several files an unreadable one is an RC049 finding on
    # itself and the others are checked, whichever process reads it.
    repo = _repository(tmp_path)
    (repo / "refs07.bib").write_bytes(b"\x00\x01binary\x00" * 100)
    (repo / "refs10.bib").write_bytes(b"\x00\x02binary\x00" * 100)
    serial = _mapped_run(repo, 1, keep="keep")
    parallel = _mapped_run(repo, 2)
    assert parallel["mapped"] == 1
    assert parallel["report"] == serial["report"]
    report = json.loads(serial["report"])
    bad = [f for f in report["findings"] if f["code"] == "RC049"]
    assert sorted(Path(f["path"]).name for f in bad) == ["refs07.bib", "refs10.bib"]
    assert all("binary" in f["message"] for f in bad) and len(report["files"]) == 13


def test_documents_asked_for_or_a_citing_document_keep_one_process_parsing(
    tmp_path: Path,
) -> None:
    repo = _repository(tmp_path)
    kept = _mapped_run(repo, 2, keep="keep")
    assert kept["mapped"] == 0 and kept["documents"] == 12
    # A LaTeX document cites across files: every document must be in one place.
    (repo / "paper.tex").write_text("\\cite{nokeyf0}\n\\bibliography{refs00}\n")
    citing = _mapped_run(repo, 2)
    assert citing["mapped"] == 0
    assert "RC910" in {f["code"] for f in json.loads(citing["report"])["findings"]}


def test_small_repositories_and_single_files_are_not_cut_apart(tmp_path: Path) -> None:
    repo = _repository(tmp_path, files=3)
    files = [str(p) for p in sorted(repo.iterdir())]
    settings = Settings(offline=True)
    assert not engine._mappable(files, settings)  # 3 x 5 kB: below _MAP_MIN_BYTES
    assert not engine._mappable(files[:1], settings)


def test_only_fixes_baselines_and_sarif_ask_for_the_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from refcheck import cli

    asked: list[bool] = []
    real = engine.run

    def recording(paths: list[str], settings: Settings, *, keep_documents: bool = True) -> Any:
        asked.append(keep_documents)
        return real(paths, settings, keep_documents=keep_documents)

    monkeypatch.setattr(engine, "run", recording)
    target = tmp_path / "refs.bib"
    target.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for extra in (["--format", "json"], ["--format", "github"], ["--format", "sarif"]):
        cli.main(["check", "--offline", "--jobs", "1", *extra, str(target)])
    cli.main(["check", "--offline", "--jobs", "1", "--baseline", str(tmp_path / "b.json"),
              str(target)])
    copy = tmp_path / "copy.bib"
    copy.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    cli.main(["check", "--offline", "--jobs", "1", "--fix", str(copy)])
    assert asked == [False, False, True, True, True]
