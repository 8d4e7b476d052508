"""The GitHub Action (action.yml): its shape, and its run step executed as the runner would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]


def _step(name: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("name") == name)


def test_composite_with_python_cache_and_code_scanning() -> None:
    assert ACTION["runs"]["using"] == "composite"
    uses = [s["uses"].split("@")[0] for s in STEPS if "uses" in s]
    assert uses == ["actions/setup-python", "actions/cache", "github/codeql-action/upload-sarif"]
    cache = next(s for s in STEPS if s.get("uses", "").startswith("actions/cache"))
    # platformdirs' user cache directory on the Linux runners: where the HTTP cache lives.
    assert cache["with"]["path"] == "~/.cache/refcheck"
    assert "--format sarif" in _step("Run refcheck")["run"]
    # Inputs reach scripts only through the environment (no ${{ }} inside run: blocks).
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_run_step_writes_sarif_and_reports_the_exit_status(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{a,\n title={T},\n author={A, B},\n journal={J},\n year={2020},\n"
                   " doi={10.1234 /x}\n}\n", encoding="utf-8")
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "refcheck").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m refcheck "$@"\n')
    (shim / "refcheck").chmod(0o755)
    output = tmp_path / "github_output"
    step = _step("Run refcheck")
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "REFCHECK_PATHS": str(bib),
        "REFCHECK_ARGS": "--offline --fail-on error",
        "SARIF_FILE": str(tmp_path / "out.sarif"),
        "GITHUB_OUTPUT": str(output),
    }
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr  # the status is reported, the upload still runs
    assert output.read_text().strip() == "exit-code=1"
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"RC001"}
