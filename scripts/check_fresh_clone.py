"""Done-when check of issue 15: what a new user meets on a fresh machine.

Usage: python scripts/check_fresh_clone.py [--repo PATH] [--quick] [--keep]

In an empty temporary directory (nothing beside the clone, so no ``../shared``):

1. ``git clone`` the repository (its committed HEAD);
2. run README's first command as written (a plain virtual environment, ``pip install .``,
   ``refcheck check``) unless ``--quick``; exit 0 or 1 is a working install;
3. run README's test command as written (``.ci/run`` runs the same line) unless
   ``--quick``, and report pytest's last line;
4. validate ``refcheck check --format sarif`` against the OASIS SARIF 2.1.0 schema and
   ``--format junit`` against the JUnit XSD (both in ``tests/data/schemas``, with sources);
5. check that every option of every command has help text that names its default.

Prints one PASS/FAIL line per check and exits 1 if any failed.  Needs git, and jsonschema
and lxml (the test extra) in the Python running it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = Path("tests") / "data" / "schemas"

# Run inside the clone's environment: every option of every command, its help and default.
_HELP_CHECK = r"""
import argparse, sys
from refcheck.cli import build_parser
parser = build_parser()
sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
switches = (argparse._StoreTrueAction, argparse._StoreFalseAction, argparse._CountAction,
            argparse._HelpAction, argparse._VersionAction)
bad, total = [], 0
for command, p in sub.choices.items():
    for action in p._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        total += 1
        if not action.help:
            bad.append(f"{command} {action.option_strings[-1]}: no help")
        elif not isinstance(action, switches) and "default" not in action.help \
                and not action.required:
            bad.append(f"{command} {action.option_strings[-1]}: no default named")
print(f"{total} options")
for line in bad:
    print(line)
sys.exit(1 if bad else 0)
"""


def readme_commands(clone: Path) -> tuple[str, str]:
    """README's two top commands (install, tests), without their comments."""
    readme = (clone / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [ln.split("    #", 1)[0].strip() for ln in block.splitlines() if ln.strip()]
    return lines[0], lines[1]


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def report(self, name: str, ok: bool, detail: str) -> None:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
        if not ok:
            self.failed.append(name)


def _run(command: str | list[str], cwd: Path, timeout: float,
         env: dict[str, str] | None = None) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, shell=isinstance(command, str), env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - start


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "(no output)"


def validate_sarif(data: str, schema_path: Path) -> list[str]:
    import jsonschema  # type: ignore[import-untyped]

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.path))}: {e.message[:200]}"
            for e in validator.iter_errors(json.loads(data))]


def validate_junit(data: str, xsd_path: Path) -> list[str]:
    from lxml import etree  # type: ignore[import-untyped]

    schema = etree.XMLSchema(etree.parse(str(xsd_path)))
    doc = etree.fromstring(data.encode("utf-8"))
    if schema.validate(doc):
        return []
    return [str(e)[:200] for e in schema.error_log]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--repo", default=str(ROOT), help="repository to clone (default: this one)")
    ap.add_argument("--quick", action="store_true",
                    help="skip README's install and test commands (minutes); clone, "
                         "schemas and help only (default: run everything)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    checks = Checks()
    work = Path(tempfile.mkdtemp(prefix="refcheck-fresh-"))
    clone = work / "refcheck"
    try:
        code, _, err, secs = _run(["git", "clone", "-q", args.repo, str(clone)], work, 300)
        checks.report("clone", code == 0 and not (work / "shared").exists(),
                      f"{clone} ({secs:.1f} s), nothing beside it" if code == 0 else err)
        if code != 0:
            return 1
        install, tests = readme_commands(clone)
        ci = (clone / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        checks.report(".ci/run", tests in ci, "runs README's test command word for word"
                      if tests in ci else "does not run README's test command")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        if not args.quick:
            code, out, err, secs = _run(install, clone, 1800, env)
            checks.report("README install command", code in (0, 1),
                          f"exit {code} in {secs:.0f} s: {_last_line(out or err)}")
            shutil.rmtree(clone / ".venv", ignore_errors=True)
            code, out, err, secs = _run(tests, clone, 3600, env)
            checks.report("README test command", code == 0,
                          f"exit {code} in {secs:.0f} s: {_last_line(out or err)}")
            for line in out.splitlines():
                if line.startswith(("FAILED ", "ERROR ")):
                    print(f"      {line}")
        # The outputs, by the clone's code (its venv if the test command built one).
        venv_python = clone / ".venv" / "bin" / "python"
        python = str(venv_python) if venv_python.exists() else sys.executable
        run_env = {**env, "PYTHONPATH": str(clone), "REFCHECK_OFFLINE": "1"}
        for fmt, validate, schema in (
            ("sarif", validate_sarif, clone / SCHEMAS / "sarif-schema-2.1.0.json"),
            ("junit", validate_junit, clone / SCHEMAS / "junit-10.xsd"),
        ):
            code, out, err, _ = _run([python, "-m", "refcheck", "check", "--offline",
                                      "--format", fmt, "references"], clone, 600, run_env)
            problems = validate(out, schema) if code in (0, 1) else [_last_line(err)]
            checks.report(f"{fmt} against {schema.name}", not problems,
                          "valid" if not problems else "; ".join(problems[:3]))
        code, out, err, _ = _run([python, "-c", _HELP_CHECK], clone, 120, run_env)
        checks.report("options' help", code == 0,
                      " ".join(out.split("\n", 1)[0].split()) + " with help and default"
                      if code == 0 else (out + err).strip()[:500])
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("all checks passed" if not checks.failed else f"failed: {', '.join(checks.failed)}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
