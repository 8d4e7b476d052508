"""One large file: the rules are shared between forked processes, the report is not."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from refcheck import engine
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
from refcheck import engine
from refcheck.config import Settings
from refcheck.report.json import render

calls = []
forked = engine._check_forked

def counting(*args):
    calls.append(1)
    return forked(*args)

engine._check_forked = counting
if sys.argv[3] == "die":
    engine._child = lambda work, send: os._exit(3)
result = engine.run([sys.argv[1]], Settings(offline=True, jobs=int(sys.argv[2])))
print(json.dumps({"forked": len(calls), "report": render(result)}))
"""


def _report(target: Path, jobs: int, child: str = "live") -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(target), str(jobs), child],
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(proc.stdout)
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
    assert engine._slices([10], 2) == [[0]]
    assert engine._slices([5, 5, 5, 5], 2) == [[0, 1], [2, 3]]
    parts = engine._slices([1, 9, 1, 1, 1, 1, 1, 1], 3)
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
