"""Command line: ``refcheck check|parse|rules|explain``; exit codes 0/1/2.

``main(argv)`` returns the exit status and never raises for bad input; only
``entry()`` (the console script) and ``__main__`` call ``sys.exit``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from refcheck import __version__
from refcheck.config import (
    ConfigError,
    Settings,
    apply_env,
    apply_table,
    load_table,
    validate,
)
from refcheck.io import InputError
from refcheck.parsers import FORMATS

COMMANDS = ("check", "parse", "rules", "explain", "audit")
OUTPUT_FORMATS = ("text", "json", "sarif", "github", "junit")
# Every format with a parser (refcheck.parsers.FORMATS), so the list never lags behind.
INPUT_FORMATS = tuple(FORMATS)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _add_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default=None, help="output format")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE")
    p.add_argument("--offline", action="store_true", default=None, help="no network at all")
    p.add_argument("--select", type=_csv, metavar="CODES", help="rule codes, prefixes or names")
    p.add_argument("--ignore", type=_csv, metavar="CODES", help="rule codes, prefixes or names")
    p.add_argument("--fail-on", choices=("error", "warning", "info"), default=None)
    p.add_argument("--input-format", choices=INPUT_FORMATS, default=None)
    p.add_argument("--config", metavar="FILE", help="config file")
    p.add_argument("--crossref-url", metavar="URL")
    p.add_argument("--doi-resolver", metavar="URL")
    p.add_argument("--mailto", metavar="EMAIL")
    p.add_argument("--allow-host", type=_csv, metavar="HOST[,HOST]", dest="allow_hosts")
    p.add_argument("--allow-private-hosts", action="store_true", default=None)
    p.add_argument("--timeout", type=float, metavar="SECONDS")
    p.add_argument("--cache-dir", metavar="DIR")
    p.add_argument("--no-cache", action="store_true", default=None)
    p.add_argument(
        "--cache-read-only", action="store_true", default=None,
        help="answer online checks from the cache only (no request is sent)",
    )
    p.add_argument("--strict-links", action="store_true", default=None)
    p.add_argument("--sources", type=_csv, metavar="LIST")
    for name in ("openalex", "arxiv", "pubmed", "dblp"):
        p.add_argument(f"--{name}-url", metavar="URL")
    p.add_argument("--openalex-key", metavar="KEY")
    p.add_argument("--retraction-watch-url", metavar="URL", help="Retraction Watch CSV")
    p.add_argument("--pubmed-key", metavar="KEY", help="NCBI API key (10 requests a second)")
    p.add_argument(
        "--jobs", type=int, metavar="N",
        help="processes for many files or one large file (default: CPUs; 1: no fork)",
    )
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--fix-typos", action="store_true", help="with --fix, also fix typos")
    p.add_argument("--prose", action="store_true", default=None, help="also check prose")
    p.add_argument("--baseline", metavar="FILE", help="report only findings not in FILE")
    p.add_argument(
        "--update-baseline", action="store_true", help="rewrite --baseline with today's findings"
    )


def build_parser() -> _Parser:
    parser = _Parser(
        prog="refcheck",
        description="Lint bibliographies: DOIs, links, typos, extraction artifacts, structure.",
    )
    parser.add_argument("--version", action="version", version=f"refcheck {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = sub.add_parser("check", help="lint files (default command)")
    _add_check_options(check)
    parse = sub.add_parser("parse", help="print the parsed references")
    parse.add_argument("paths", nargs="+", metavar="PATH")
    parse.add_argument("--format", choices=("json", "text"), default="json")
    parse.add_argument("--input-format", choices=INPUT_FORMATS, default=None)
    parse.add_argument("--output", metavar="FILE")
    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    explain = sub.add_parser("explain", help="print one rule's documentation")
    explain.add_argument("code", metavar="CODE")
    audit = sub.add_parser("audit", help="write an HTML, Markdown and JSON audit report")
    _add_check_options(audit)
    audit.add_argument("--out", metavar="DIR", required=True, help="directory for the reports")
    audit.add_argument(
        "--cluster", metavar="ADDRESS", default=None,
        help="run the checks on a Dask distributed cluster: a scheduler address "
             "(tcp://host:8786) or 'local' for a LocalCluster on this machine; shared cache "
             "and rate limits through --redis-url (default: this process alone)")
    audit.add_argument(
        "--workers", metavar="N", type=int, default=None,
        help="worker processes of a 'local' cluster (default: --jobs, else the CPU count)")
    audit.add_argument(
        "--redis-url", metavar="URL", default=None,
        help="Redis shared by the cluster's workers for the HTTP cache and each host's rate "
             "limit (default: REFCHECK_REDIS_URL or the config's redis-url; none: each worker "
             "alone)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    table, path = load_table(getattr(args, "config", None))
    if path is not None:
        apply_table(settings, table, str(path))
        settings.config_path = str(path)
        settings.root = str(path.parent)
        # Configured paths are relative to the config file's directory.
        settings.paths = [
            p if os.path.isabs(p) else os.path.relpath(os.path.join(path.parent, p))
            for p in settings.paths
        ]
    apply_env(settings)
    for name in (
        "offline", "fail_on", "input_format", "crossref_url", "doi_resolver", "mailto",
        "allow_hosts", "allow_private_hosts", "timeout", "cache_dir", "no_cache", "cache_read_only",
        "strict_links", "sources", "openalex_url", "openalex_key", "pubmed_key", "arxiv_url",
        "pubmed_url", "dblp_url", "retraction_watch_url", "jobs", "prose",
    ):
        value = getattr(args, name, None)
        if value is not None:
            setattr(settings, name, value)
    if getattr(args, "select", None) is not None:
        settings.select = args.select
    if getattr(args, "ignore", None) is not None:
        settings.ignore = [*settings.ignore, *args.ignore]
    unknown = [s for s in settings.sources if s not in
               ("crossref", "openalex", "arxiv", "pubmed", "dblp")]
    if unknown:
        raise ConfigError(f"unknown source(s): {', '.join(unknown)}")
    # nan, inf, negative jobs, an unknown cache backend: refused, whatever set them.
    validate(settings)
    return settings


def _write(text: str, output: str | None) -> None:
    # A file name that is not UTF-8 reaches here as lone surrogates (surrogateescape):
    # written as JSON escapes they keep every format valid and show the odd byte.
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write ({exc.strerror or exc})") from exc
        return
    stream = sys.stdout
    if stream is None:  # started with standard output closed
        raise InputError("standard output is closed; use --output FILE")
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # a full disk; ValueError: a closed stream
        _silence_stdout()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"cannot write the report to standard output ({reason})") from exc


_SURROGATE = re.compile("[\ud800-\udfff]")


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush cannot fail."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass


def _inputs_named(output: str, paths: list[str], files: list[str]) -> bool:
    """Is ``output`` one of the inputs (named directly or found in a directory)?"""
    try:
        target = os.path.realpath(output)
    except (OSError, ValueError):
        return False
    return any(os.path.realpath(p) == target for p in [*paths, *files])


def _refuse_output_over_input(output: str | None, paths: list[str], files: list[str]) -> None:
    if output and _inputs_named(output, paths, files):
        raise InputError(f"{output}: --output names an input file; it would be overwritten")


def cmd_check(args: argparse.Namespace) -> int:
    from refcheck import engine
    from refcheck.report import render

    settings = _settings(args)
    paths = args.paths or settings.paths
    fmt = args.format or "text"
    # Only fixes, a baseline and SARIF's fingerprints read the parsed documents.
    keep = bool(args.fix or args.fix_typos or args.baseline or fmt == "sarif")
    _refuse_output_over_input(args.output, paths, [])
    result = engine.run(paths, settings, keep_documents=keep)
    # Inputs found in a directory are known only now, before anything is written.
    _refuse_output_over_input(args.output, [], [f.path for f in result.files])
    if args.fix or args.fix_typos:
        _apply_fixes(result, include_unsafe=bool(args.fix_typos))
    if args.baseline:
        from refcheck import baseline

        result.findings = baseline.apply(
            result.findings, result.documents, args.baseline, update=args.update_baseline
        )
    for note in result.notes:
        print(f"refcheck: {note}", file=sys.stderr)
    _write(render(result, fmt), args.output)
    threshold = {"info": 0, "warning": 1, "error": 2}[settings.fail_on]
    failing = [f for f in result.findings if f.severity.rank >= threshold and not f.transient]
    return 1 if failing else 0


def _apply_fixes(result: Any, include_unsafe: bool) -> None:
    try:
        from refcheck.fix import apply_fixes
    except ImportError:
        print("refcheck: --fix is not available in this build", file=sys.stderr)
        return
    # A PDF or Word file is never rewritten: its findings stay in the report.
    kept = {d.path for d in result.documents if not getattr(d.source, "rewritable", True)}
    fixed = {
        id(f)
        for f in result.findings
        if f.fix is not None and (f.fix.safe or include_unsafe) and f.path not in kept
    }
    for message in apply_fixes(result.documents, result.findings, include_unsafe=include_unsafe):
        print(f"refcheck: {message}", file=sys.stderr)
    result.findings = [f for f in result.findings if id(f) not in fixed]


def cmd_parse(args: argparse.Namespace) -> int:
    from refcheck import engine

    settings = Settings(input_format=args.input_format)
    _refuse_output_over_input(args.output, args.paths, [])
    documents = engine.load_all(args.paths, settings)
    _refuse_output_over_input(args.output, [], [d.path for d in documents])
    if args.format == "json":
        data = {
            "version": 1,
            "references": [r.to_json() for d in documents for r in d.references],
            "files": [
                {
                    "path": d.path,
                    "format": d.format,
                    "layout": d.layout,
                    "references": len(d.references),
                    "problems": [
                        {"kind": p.kind, "line": d.source.position(p.start)[0],
                         "column": d.source.position(p.start)[1], "message": p.message}
                        for p in d.problems
                    ],
                }
                for d in documents
            ],
        }
        _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", args.output)
    else:
        lines = []
        for d in documents:
            lines.append(f"{d.path}: {len(d.references)} references ({d.layout or 'none'})")
            for r in d.references:
                who = ", ".join(a.family for a in r.authors[:3]) or "-"
                lines.append(
                    f"  {r.line:>5} [{r.label or r.key or r.index}] {who} "
                    f"({r.year or 'n.d.'}) {r.title or r.raw[:60]!r}"
                )
        _write("\n".join(lines) + "\n", args.output)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from refcheck.rules import all_rules

    rules = all_rules()
    if args.format == "json":
        data = [
            {
                "code": r.code, "name": r.name, "category": r.category.value,
                "severity": r.severity.value, "network": r.network, "fix": r.fix,
                "summary": r.summary, "formats": sorted(r.formats) if r.formats else None,
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    if args.format == "markdown":
        # The README's rules table is this output (tests/test_registry.py checks it).
        sys.stdout.write("| code | name | category | severity | network | fix | what it finds |\n")
        sys.stdout.write("| --- | --- | --- | --- | --- | --- | --- |\n")
        for r in rules:
            sys.stdout.write(
                f"| `{r.code}` | {r.name} | {r.category.value} | {r.severity.value} | "
                f"{'yes' if r.network else ''} | {r.fix or ''} | {r.summary} |\n"
            )
        return 0
    width = max(len(r.name) for r in rules)
    for r in rules:
        flags = ("net " if r.network else "    ") + ("fix" if r.fix else "   ")
        sys.stdout.write(
            f"{r.code:6} {r.name:{width}} {r.category.value:10} {r.severity.value:8} "
            f"{flags} {r.summary}\n"
        )
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from refcheck.audit import audit

    settings = _settings(args)
    paths = args.paths or settings.paths
    if args.redis_url:
        settings.redis_url = args.redis_url
    result, written = audit(paths, settings, args.out, cluster=args.cluster,
                            workers=args.workers, progress=_fleet_progress())
    for line in (result.http or {}).get("fleet", []):
        print(f"refcheck: {line}", file=sys.stderr)
    for note in result.notes:
        print(f"refcheck: {note}", file=sys.stderr)
    print(f"refcheck: wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    threshold = {"info": 0, "warning": 1, "error": 2}[settings.fail_on]
    failing = [f for f in result.findings if f.severity.rank >= threshold and not f.transient]
    return 1 if failing else 0


def _fleet_progress() -> Callable[[int, int], None] | None:
    """A one-line progress display of a cluster audit's tasks, on a terminal only."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\rrefcheck: {done}/{total} tasks done", end=end, file=sys.stderr, flush=True)

    return show


def cmd_explain(args: argparse.Namespace) -> int:
    from refcheck.rules import get_rule

    r = get_rule(args.code)
    if r is None:
        raise UsageError(f"unknown rule: {args.code} (see 'refcheck rules')")
    header = f"{r.code} {r.name} ({r.category.value}, default {r.severity.value}"
    header += ", needs network" if r.network else ""
    header += f", fix: {r.fix}" if r.fix else ""
    sys.stdout.write(f"{header})\n\n{r.summary}\n\n{r.doc}\n")
    return 0


def _normalise_argv(argv: list[str]) -> list[str]:
    if not argv:
        return ["check"]
    first = argv[0]
    if first in COMMANDS or first in ("-h", "--help", "--version"):
        return argv
    return ["check", *argv]


def main(argv: Sequence[str] | None = None) -> int:
    args_list = _normalise_argv(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
        handler = {
            "check": cmd_check,
            "parse": cmd_parse,
            "rules": cmd_rules,
            "explain": cmd_explain,
            "audit": cmd_audit,
        }[args.command]
        return handler(args)
    except UsageError as exc:
        print(f"refcheck: error: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, InputError) as exc:
        print(f"refcheck: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("refcheck: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print("refcheck: error: input nested too deeply to process", file=sys.stderr)
        return 2
    except MemoryError:
        print("refcheck: error: out of memory reading the input", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except SystemExit as exc:  # argparse --help / --version
        return int(exc.code or 0)
    except OSError as exc:  # the disk filled or a path broke where nothing nearer caught it
        name = f"{exc.filename}: " if isinstance(exc.filename, str) else ""
        print(f"refcheck: error: {name}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line and exit 2, never a traceback
        detail = " ".join(str(exc).split())[:300]
        print(f"refcheck: error: internal error ({type(exc).__name__}: {detail}); "
              "please report it", file=sys.stderr)
        return 2


def entry() -> None:
    code = main()
    # The interpreter's last act is a garbage collection over every object
    # still alive (parsed references, cached words and titles): ~25 ms of a
    # 0.3 s run.  Nothing left is garbage worth finding; frozen objects are
    # not traversed.
    import gc

    gc.freeze()
    sys.exit(code)
