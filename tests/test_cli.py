"""The command line as a user meets it: commands, exit codes, config, bad input."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import refcheck
from refcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
REFS = ROOT / "references"
SEED_001 = REFS / "001-memo-krivopalov-2021.txt"
SEED_004 = REFS / "004-jrs-post-soviet-security.txt"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> bool:
    lines = [line for line in err.splitlines() if line.strip()]
    return len(lines) == 1 and lines[0].startswith("refcheck: error:") and "Traceback" not in err


# --- entry points -----------------------------------------------------------


def test_python_dash_m_and_console_script_are_the_same_program() -> None:
    a = subprocess.run(
        [sys.executable, "-m", "refcheck", "--version"], capture_output=True, text=True, check=False
    )
    assert a.returncode == 0
    # The version comes from the git tag (setuptools-scm), so only its shape is fixed here.
    assert re.fullmatch(r"refcheck \d+\.\d+\S*", a.stdout.strip()), a.stdout
    assert a.stdout.strip() == f"refcheck {refcheck.__version__}"
    script = Path(sys.executable).parent / "refcheck"
    if script.exists():
        b = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
        assert b.stdout == a.stdout


def test_check_without_paths_uses_configured_references(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _err = run(["check", "--offline", "--format", "json"], capsys)
    data = json.loads(out)
    paths = {f["path"] for f in data["files"]}
    assert any(p.startswith("references") for p in paths)
    assert {os.path.basename(p) for p in paths} >= {SEED_001.name, SEED_004.name}
    assert code in (0, 1)


def test_plain_refcheck_path_means_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(SEED_004), "--offline", "--format", "json"], capsys)
    assert code in (0, 1)
    assert json.loads(out)["files"][0]["path"].endswith(SEED_004.name)


def test_text_format_lines_point_into_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _ = run([str(SEED_004), "--offline"], capsys)
    lines = SEED_004.read_text(encoding="utf-8").splitlines()
    findings = [ln for ln in out.splitlines() if ln.startswith(str(SEED_004))]
    assert findings, out
    for ln in findings:
        _, line_no, col, rest = ln.split(":", 3)
        assert 1 <= int(line_no) <= len(lines)
        assert 1 <= int(col) <= len(lines[int(line_no) - 1]) + 1
        assert rest.strip().split()[0].startswith("RC")


def test_json_text_field_is_the_exact_file_slice(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(SEED_004), "--offline", "--format", "json"], capsys)
    lines = SEED_004.read_text(encoding="utf-8").split("\n")
    data = json.loads(out)
    assert data["version"] == 1
    assert data["tool"]["name"] == "refcheck"
    for f in data["findings"]:
        if f["text"] and f["line"] == f["end_line"]:
            assert lines[f["line"] - 1][f["column"] - 1 : f["end_column"] - 1] == f["text"]
    assert data["summary"]["findings"] == len(data["findings"])


# --- exit codes -------------------------------------------------------------


def test_fail_on_controls_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "empty.txt"
    target.write_text("Just prose, no references here.\n", encoding="utf-8")
    # The only finding is the info "no reference list" one.
    assert run([str(target), "--offline"], capsys)[0] == 0
    assert run([str(target), "--offline", "--fail-on", "info"], capsys)[0] == 1


def test_unknown_option_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--no-such-option"], capsys)
    assert code == 2
    assert one_line_error(err)


def test_unknown_rule_code_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([str(SEED_004), "--select", "XX999"], capsys)
    assert code == 2
    assert one_line_error(err)


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    assert "RC001" in out
    code, out, _ = run(["explain", "RC001"], capsys)
    assert code == 0
    assert "What it does" in out and "Why it matters" in out and "Example" in out
    code, _, err = run(["explain", "RC000"], capsys)
    assert code == 2 and one_line_error(err)


# --- bad input --------------------------------------------------------------


def test_missing_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "does/not/exist.bib"], capsys)
    assert code == 2 and one_line_error(err)
    assert "no such file" in err


def test_directory_with_nothing_to_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a format refcheck reads
    code, _, err = run(["check", str(tmp_path)], capsys)
    assert code == 2 and one_line_error(err)
    assert "no files to check" in err


def test_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "refs.bib"
    target.write_bytes(bytes(range(256)) * 64)
    before = _digest(target)
    code, _, err = run(["check", "--offline", str(target)], capsys)
    assert code == 2 and one_line_error(err)
    assert "binary" in err
    assert _digest(target) == before


def test_unsupported_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "refs.docx"
    target.write_bytes(b"PK\x03\x04")
    code, _, err = run(["check", str(target)], capsys)
    assert code == 2 and one_line_error(err)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1251", "1. Иванов И.И. Кризис безопасности. Москва: Наука, 2005. 200 с.\n"),
        ("latin-1", "1. Gärtner, Heinz. Small States and Alliances. Heidelberg: Physica, 2001.\n"),
    ],
)
def test_legacy_encodings_are_decoded_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, text: str
) -> None:
    target = tmp_path / "refs.txt"
    target.write_bytes(("References\n" + text).encode(encoding))
    before = _digest(target)
    code, out, err = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert code in (0, 1), err
    data = json.loads(out)
    enc = [f for f in data["findings"] if f["code"] == "RC349"]
    assert len(enc) == 1
    assert "not UTF-8" in enc[0]["message"]
    assert _digest(target) == before
    _, parsed, _ = run(["parse", str(target)], capsys)
    raws = [r["raw"] for r in json.loads(parsed)["references"]]
    assert any(text.strip()[3:20] in raw for raw in raws)


@pytest.mark.parametrize("name", ["empty.txt", "empty.bib", "empty.json", "empty.md"])
def test_empty_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    target = tmp_path / name
    target.write_bytes(b"")
    code, out, err = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert "Traceback" not in err
    assert code in (0, 1)
    data = json.loads(out)
    assert data["files"][0]["references"] == 0


def test_deeply_nested_braces_in_bibtex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "deep.bib"
    target.write_text(
        "@article{deep, title = " + "{" * 10_000 + "x" + "\n@book{next, title={T}, year=2000}\n",
        encoding="utf-8",
    )
    before = _digest(target)
    code, out, err = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert "Traceback" not in err
    assert code in (1, 2)
    if code == 1:
        data = json.loads(out)
        assert any(f["category"] == "syntax" for f in data["findings"])
    else:
        assert one_line_error(err)
    assert _digest(target) == before


def test_large_file_is_refused_or_checked_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from refcheck import io

    # The limit is exercised with a small stand-in so the test stays fast;
    # tests/test_bad_input_large.py feeds a real 50 MB file through the checks.
    monkeypatch.setattr(io, "MAX_BYTES", 1024)
    target = tmp_path / "big.txt"
    target.write_text("x" * 4096, encoding="utf-8")
    code, _, err = run(["check", "--offline", str(target)], capsys)
    assert code == 2 and one_line_error(err)
    assert "limit" in err


# --- config -----------------------------------------------------------------


def test_pyproject_config_paths_select_and_severity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    refs = tmp_path / "bib"
    refs.mkdir()
    (refs / "a.txt").write_text("No references in this file.\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.refcheck]\npaths = ["bib"]\nselect = ["RC408"]\nseverity = { RC408 = "error" }\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "--offline", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1
    assert [f["code"] for f in data["findings"]] == ["RC408"]
    assert data["findings"][0]["severity"] == "error"


@pytest.mark.parametrize(
    "body",
    [
        "[tool.refcheck]\nno_such_key = 1\n",
        "[tool.refcheck]\nselect = 3\n",
        '[tool.refcheck]\nfail-on = "sometimes"\n',
        "[tool.refcheck\n",
    ],
)
def test_bad_config_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    (tmp_path / "a.txt").write_text("text\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["check", "--offline", "a.txt"], capsys)
    assert code == 2 and one_line_error(err)


# --- suppression and baseline -------------------------------------------------


def test_inline_suppression_in_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "Prose only. <!-- refcheck: ignore[RC408] -->\n"
    target = tmp_path / "a.md"
    target.write_text(body, encoding="utf-8")
    _, out, _ = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert json.loads(out)["findings"] == []
    target.write_text("Prose only.\n", encoding="utf-8")
    _, out, _ = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert [f["code"] for f in json.loads(out)["findings"]] == ["RC408"]


def test_baseline_reports_only_new_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "refs.txt"
    target.write_bytes(SEED_004.read_bytes())
    baseline = tmp_path / "baseline.json"
    code, out, _ = run(
        ["check", "--offline", "--format", "json", "--baseline", str(baseline), str(target)], capsys
    )
    assert code == 0 and baseline.exists()
    recorded = json.loads(baseline.read_text(encoding="utf-8"))["findings"]
    assert recorded
    # Unchanged input: nothing new, even though findings exist.
    code, out, _ = run(
        ["check", "--offline", "--format", "json", "--baseline", str(baseline), str(target)], capsys
    )
    assert json.loads(out)["findings"] == [] and code == 0
    # A line inserted above old findings does not make them new; a new broken URL is new.
    text = "Draft 2\n" + target.read_text(encoding="utf-8").replace(
        "United States: World Peace Foundation.\n",
        "United States: World Peace Foundation.\n"
        "Zed, Zoe. 2020. “New Entry.” Journal of Tests 1 (1): 1−2. "
        "http://www.exam- ple.org/ x.html\n",
    )
    target.write_text(text, encoding="utf-8")
    code, out, _ = run(
        ["check", "--offline", "--format", "json", "--baseline", str(baseline), str(target)], capsys
    )
    new = json.loads(out)["findings"]
    assert new and code == 1
    assert all("Zed" in target.read_text(encoding="utf-8").split("\n")[f["line"] - 1] for f in new)


def test_page_that_cites_without_a_list_is_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    seed = REFS / "002-sair-csto-kyrgyzstan.txt"
    _, out, _ = run([str(seed), "--offline", "--format", "json"], capsys)
    findings = json.loads(out)["findings"]
    assert [f["code"] for f in findings] == ["RC901"]
    assert "[1], [2]" in findings[0]["message"]


def test_bibtex_comment_suppresses_the_next_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = "@article{a,\n  author = {Smith, J.},\n  title = {A Title},\n  year = {2020}\n}\n"
    target = tmp_path / "refs.bib"
    target.write_text(entry, encoding="utf-8")
    _, out, _ = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert [f["code"] for f in json.loads(out)["findings"]] == ["RC403"]  # no journal
    target.write_text("% refcheck: ignore[RC403]\n" + entry, encoding="utf-8")
    _, out, _ = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert json.loads(out)["findings"] == []
    # Another code is not suppressed by it.
    target.write_text("% refcheck: ignore[RC001]\n" + entry, encoding="utf-8")
    _, out, _ = run(["check", "--offline", "--format", "json", str(target)], capsys)
    assert [f["code"] for f in json.loads(out)["findings"]] == ["RC403"]


def test_own_line_comment_in_text_suppresses_the_next_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        "References\n\n"
        "Walt, Stephen. 1985. “Alliance Formation.” Interna- tional Security 9 (4): 3–43.\n"
        "Walt, Stephen. 1990. The Origins of Alli- ances. Ithaca: Cornell University Press.\n"
    )
    target = tmp_path / "refs.md"
    target.write_text(body, encoding="utf-8")
    _, out, _ = run(["check", "--offline", "--format", "json", str(target)], capsys)
    lines = sorted({f["line"] for f in json.loads(out)["findings"] if f["code"] == "RC202"})
    assert lines == [3, 4]
    target.write_text(
        body.replace(
            "Walt, Stephen. 1990", "<!-- refcheck: ignore[RC202] -->\nWalt, Stephen. 1990"
        ),
        encoding="utf-8",
    )
    _, out, _ = run(["check", "--offline", "--format", "json", str(target)], capsys)
    lines = sorted({f["line"] for f in json.loads(out)["findings"] if f["code"] == "RC202"})
    assert lines == [3]


def test_worker_processes_give_the_same_report_as_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 16+ files take the worker-process path; cross-file citation rules must still see
    # every document, and the output order must not depend on the workers.
    seed = SEED_004.read_text(encoding="utf-8")
    for i in range(18):
        (tmp_path / f"list{i:02}.txt").write_text(seed, encoding="utf-8")
        (tmp_path / f"refs{i:02}.bib").write_text(
            f"@book{{key{i},\n  author = {{Walt, Stephen}},\n  title = {{Alliances {i}}},\n"
            f"  publisher = {{Cornell University Press}},\n  year = {{1990}}\n}}\n",
            encoding="utf-8",
        )
    (tmp_path / "paper.tex").write_text(
        "As argued \\cite{key1,key2} and \\cite{nokey}.\n\\bibliography{refs01}\n",
        encoding="utf-8",
    )
    outs = []
    for jobs in ("1", "2"):
        code, out, err = run(
            ["check", "--offline", "--format", "json", "--jobs", jobs, str(tmp_path)], capsys
        )
        assert "Traceback" not in err
        outs.append((code, out))
    assert outs[0] == outs[1]
    codes = {f["code"] for f in json.loads(outs[0][1])["findings"]}
    assert "RC910" in codes  # \cite{nokey}: a cross-file rule ran


# --- the README's commands ---------------------------------------------------


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("    #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    install, tests = _readme_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, "`.ci/run` must run README's test command word for word"
    # Both commands install into a virtual environment, never the (possibly externally
    # managed) system Python.
    for command in (install, tests):
        assert command.startswith("python3 -m venv ") and ".venv/bin/pip install" in command


# --- conventions shared with ruff and lychee ----------------------------------------------

BROKEN_DOI = (
    "@article{a,\n title={A Study},\n author={Smith, J.},\n journal={J},\n year={2020},\n"
    " doi={10.1234 /x.1}\n}\n"
)


def test_every_option_has_help_and_names_its_default() -> None:
    from refcheck.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command, p in sub.choices.items():
        for action in p._actions:
            if isinstance(action, argparse._HelpAction) or not action.option_strings:
                continue
            assert action.help, f"{command} {action.option_strings} has no help"
            # A store_true switch is off by default; every other option says its default.
            if not isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction,
                                       argparse._CountAction)) and action.dest not in (
                                       "code", "out", "cluster", "workers", "redis_url"):
                assert "default" in action.help, f"{command} {action.option_strings}"


def test_exit_zero_statistics_and_diff(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BROKEN_DOI, encoding="utf-8")
    code, _, _ = run(["check", "--offline", str(bib)], capsys)
    assert code == 1
    code, _, _ = run(["check", "--offline", "--exit-zero", str(bib)], capsys)
    assert code == 0
    code, out, _ = run(["check", "--offline", "--statistics", str(bib)], capsys)
    assert code == 1 and "RC205\t[*] doi-whitespace" in out
    code, out, _ = run(["check", "--offline", "--diff", str(bib)], capsys)
    assert code == 1 and "- doi={10.1234 /x.1}\n+ doi={10.1234/x.1}\n" in out
    assert bib.read_text(encoding="utf-8") == BROKEN_DOI  # --diff writes nothing


def test_stdin_with_a_filename(monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BROKEN_DOI.encode())))
    code, out, _ = run(["check", "-", "--stdin-filename", "refs/x.bib", "--offline"], capsys)
    assert code == 1 and out.startswith("refs/x.bib:6:7: RC001 ")


def test_gitignore_and_exclude_when_walking(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("build/\n*.draft.bib\n", encoding="utf-8")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / ".gitignore").write_text("!e.draft.bib\n", encoding="utf-8")
    for name in ("a.bib", "b.draft.bib", "build/c.bib", "old/d.bib", "old/e.draft.bib"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BROKEN_DOI, encoding="utf-8")

    def checked(*extra: str) -> set[str]:
        _, out, _ = run(["check", "--offline", "--format", "json", str(tmp_path), *extra], capsys)
        return {os.path.relpath(f["path"], tmp_path) for f in json.loads(out)["files"]}

    # A deeper .gitignore re-includes what a shallower one left out, as in Git.
    assert checked() == {"a.bib", os.path.join("old", "d.bib"), os.path.join("old", "e.draft.bib")}
    assert checked("--exclude", "old") == {"a.bib"}
    assert len(checked("--no-respect-gitignore")) == 5


def test_verbose_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BROKEN_DOI, encoding="utf-8")
    _, _, err = run(["check", "--offline", str(bib)], capsys)
    assert "network rules skipped" not in err
    _, _, err = run(["check", "--offline", "-v", str(bib)], capsys)
    assert "network rules skipped" in err


def test_audit_rejects_format_and_output(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["audit", "--offline", "--out", str(tmp_path), "--format", "json",
                        str(SEED_001)], capsys)
    assert code == 2 and one_line_error(err)


def test_first_baseline_run_says_what_it_recorded(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BROKEN_DOI, encoding="utf-8")
    base = tmp_path / "base.json"
    code, _, err = run(["check", "--offline", "--baseline", str(base), str(bib)], capsys)
    assert code == 0 and "recorded 2 findings" in err
    code, _, err = run(["check", "--offline", "--baseline", str(tmp_path / "no" / "b.json"),
                        str(bib)], capsys)
    assert code == 2 and one_line_error(err)


def test_text_output_escapes_control_characters(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BROKEN_DOI.replace("10.1234 /x.1", "10.1234 /x\x1b[31m.1"), encoding="utf-8")
    _, out, _ = run(["check", "--offline", str(bib)], capsys)
    assert "\x1b" not in out and "\\x1b" in out


def test_config_discovered_like_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "refs.bib").write_text(BROKEN_DOI, encoding="utf-8")
    (tmp_path / "refcheck.toml").write_text('ignore = ["RC001"]\n', encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.chdir(sub)  # a pyproject.toml without [tool.refcheck] does not stop the search
    _, out, _ = run(["check", "--offline", "--format", "json", "../refs.bib"], capsys)
    assert [f["code"] for f in json.loads(out)["findings"]] == ["RC205"]


def test_python_api_matches_the_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    report = refcheck.check([str(SEED_001)], offline=True, select=["RC2", "RC3"])
    _, out, _ = run(["check", "--offline", "--select", "RC2,RC3", "--format", "json",
                     str(SEED_001)], capsys)
    assert report.to_json() == json.loads(out)
    assert report.findings and all(f.code[:3] in ("RC2", "RC3") for f in report.findings)
    with pytest.raises(AttributeError):
        report.findings[0].code = "X"  # type: ignore[misc]


def test_explain_prints_every_rule_dedented(capsys: pytest.CaptureFixture[str]) -> None:
    from refcheck.rules import all_rules

    for r in all_rules():
        code, out, _ = run(["explain", r.code], capsys)
        assert code == 0
        body = out.split("\n\n", 2)[2]
        # The docstring's sections start at the margin (not at the source's indentation).
        assert body.startswith("What it does:\n"), r.code


def test_show_fixes_lists_available_then_applied(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(BROKEN_DOI, encoding="utf-8")
    _, _, err = run(["check", "--offline", "--show-fixes", str(bib)], capsys)
    assert "fixable: " in err and "RC205 '10.1234 /x.1' -> '10.1234/x.1'" in err
    assert "1 fixable with --fix" in err
    _code, out, err = run(["check", "--offline", "--fix", "--show-fixes", str(bib)], capsys)
    assert "fixed: " in err and "RC205" in err
    assert "doi={10.1234/x.1}" in bib.read_text(encoding="utf-8")
    assert "RC205" not in out  # a fixed finding is no longer reported


def test_a_first_run_on_a_terminal_says_it_builds_the_word_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from refcheck.cli import _first_run_notice, build_parser

    args = build_parser().parse_args(["check"])
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _first_run_notice(args)
    assert "first run: building the word tables" in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)  # a pipe or CI log: silent
    _first_run_notice(args)
    assert capsys.readouterr().err == ""
