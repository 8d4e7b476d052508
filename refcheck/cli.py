"""Command line: ``refcheck check|parse|rules|explain``; exit codes 0/1/2.

``main(argv)`` returns the exit status and never raises for bad input; only
``entry()`` (the console script) and ``__main__`` call ``sys.exit``.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from refcheck import __version__
from refcheck.config import (
    ConfigError,
    Settings,
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


def _add_run_options(p: argparse.ArgumentParser) -> None:
    """Options of ``check`` and ``audit``: what is read, which rules run, the network."""
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or directories; '-' reads standard input (default: the "
                        "config's paths, else references/)")
    p.add_argument("--offline", action="store_true", default=None,
                   help="no network at all; network rules are skipped (default: online, or "
                        "REFCHECK_OFFLINE)")
    p.add_argument("--select", type=_csv, metavar="CODES",
                   help="run only these rules: codes, prefixes, names or categories, "
                        "comma-separated (default: all)")
    p.add_argument("--ignore", type=_csv, metavar="CODES",
                   help="skip these rules, added to the config's ignore (default: none)")
    p.add_argument("--fail-on", choices=("error", "warning", "info"), default=None,
                   help="lowest severity that makes the exit status 1 (default: warning)")
    p.add_argument("--input-format", choices=INPUT_FORMATS, default=None,
                   help="read every input as this format (default: by extension, then "
                        "content)")
    p.add_argument("--config", metavar="FILE",
                   help="config file (default: the nearest .refcheck.toml, refcheck.toml or "
                        "pyproject.toml with [tool.refcheck], from the working directory up)")
    p.add_argument("--exclude", action="append", metavar="PATTERN",
                   help="leave out files matching this glob when walking directories, "
                        "instead of the config's exclude; repeatable (default: none)")
    p.add_argument("--extend-exclude", action="append", metavar="PATTERN",
                   help="like --exclude, but added to the config's exclude; repeatable "
                        "(default: none)")
    p.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
                   default=None,
                   help="also check files .gitignore leaves out (default: respected)")
    p.add_argument("--crossref-url", metavar="URL",
                   help="Crossref REST API base (default: https://api.crossref.org)")
    p.add_argument("--doi-resolver", metavar="URL",
                   help="DOI proxy base (default: https://doi.org)")
    p.add_argument("--mailto", metavar="EMAIL",
                   help="contact for Crossref's polite pool (default: none)")
    p.add_argument("--allow-host", type=_csv, metavar="HOST[,HOST]", dest="allow_hosts",
                   help="permit these loopback or private hosts (default: none)")
    p.add_argument("--allow-private-hosts", action="store_true", default=None,
                   help="permit every loopback, private and link-local host (default: refused)")
    p.add_argument("--proxy", metavar="URL",
                   help="send every request through this HTTP(S) proxy (default: none; "
                        "http_proxy/https_proxy are not read)")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="per-request timeout of network checks (default: 15)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="HTTP and word-table cache (default: the user cache directory)")
    p.add_argument("--no-cache", action="store_true", default=None,
                   help="do not read or write the HTTP cache (default: cached)")
    p.add_argument("--cache-read-only", action="store_true", default=None,
                   help="answer online checks from the cache only; no request is sent")
    p.add_argument("--strict-links", action="store_true", default=None,
                   help="transient link outcomes (timeout, 429, 5xx, 403) fail the run too "
                        "(default: they are warnings that do not)")
    p.add_argument("--exclude-url", action="append", metavar="REGEX", dest="exclude_urls",
                   help="never fetch or report URLs matching REGEX; repeatable; also the lines "
                        "of a .refcheckignore file (default: none)")
    p.add_argument("--accept", metavar="CODES",
                   help="HTTP statuses that count as a live link, as 200,429 or 200..204 "
                        "(default: none beyond the 2xx answers)")
    p.add_argument("--sources", type=_csv, metavar="LIST",
                   help="registries consulted: crossref,openalex,arxiv,pubmed,dblp and, "
                        "only when named, datacite,semanticscholar,openlibrary,acl,openreview "
                        "(default: the first five)")
    for name, base in (("openalex", "https://api.openalex.org"),
                       ("arxiv", "https://export.arxiv.org/api"),
                       ("pubmed", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"),
                       ("dblp", "https://dblp.org"),
                       ("datacite", "https://api.datacite.org"),
                       ("semanticscholar", "https://api.semanticscholar.org/graph/v1"),
                       ("openlibrary", "https://openlibrary.org"),
                       ("acl", "https://aclanthology.org"),
                       ("openreview", "https://api2.openreview.net")):
        p.add_argument(f"--{name}-url", metavar="URL", help=f"API base (default: {base})")
    p.add_argument("--openalex-key", metavar="KEY", help="OpenAlex API key (default: none)")
    p.add_argument("--semanticscholar-key", metavar="KEY",
                   help="Semantic Scholar API key, sent as x-api-key (default: none)")
    p.add_argument("--retraction-watch-url", metavar="URL",
                   help="Retraction Watch CSV (default: Crossref's published copy)")
    p.add_argument("--pubmed-key", metavar="KEY",
                   help="NCBI API key, 10 requests a second (default: none)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="processes for many files or one large file (default: 0, the CPU "
                        "count; 1: no fork)")
    p.add_argument("--prose", action="store_true", default=None,
                   help="also check the body text, not only the references (default: off)")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="say more on stderr: which network rules were skipped (default: off)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="nothing on stderr but errors (default: notes are shown)")


def _add_check_options(p: argparse.ArgumentParser) -> None:
    _add_run_options(p)
    p.add_argument("--stdin-filename", metavar="NAME",
                   help="with '-': the name standard input is reported under; its extension "
                        "chooses the format (default: '-', read as text)")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default=None,
                   help="output format (default: text)")
    p.add_argument("--output", metavar="FILE",
                   help="write the report to FILE (default: standard output)")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit 0 even when findings are reported (default: 1 on findings)")
    p.add_argument("--statistics", action="store_true",
                   help="print how often each rule fired instead of the findings")
    p.add_argument("--fix", action="store_true",
                   help="apply the safe fixes in place (atomic, idempotent; default: off)")
    p.add_argument("--fix-typos", action="store_true",
                   help="with --fix or --diff, also the typo fixes (default: off)")
    p.add_argument("--diff", action="store_true",
                   help="print what --fix would change as a unified diff; write nothing")
    p.add_argument("--show-fixes", action="store_true",
                   help="list the fixes applied (with --fix) or available (default: off)")
    p.add_argument("--baseline", metavar="FILE",
                   help="report only findings not recorded in FILE; the first run records "
                        "(default: none)")
    p.add_argument("--update-baseline", action="store_true",
                   help="rewrite --baseline with today's findings (default: off)")


def build_parser(command: str | None = None) -> _Parser:
    """The command line's parser; given ``command``, the parser of that command alone.

    A run parses one command's options: building the other commands' parsers
    (audit repeats every run option; each parser looks its messages up with
    gettext) cost a hook's start-up ~3 ms for nothing.  Without ``command``
    (``--help``, ``--version``, an unknown command) every command is there.
    """
    parser = _Parser(
        prog="refcheck",
        description="Lint bibliographies: DOIs, links, typos, extraction artifacts, structure.",
    )
    parser.add_argument("--version", action="version", version=f"refcheck {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, summary, add_options in _COMMAND_PARSERS:
        if command is None or command == name:
            add_options(sub.add_parser(name, help=summary))
    return parser


def _add_rules_options(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                       help="output format (default: text)")


def _add_explain_options(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("code", metavar="CODE")


def _add_parse_options(parse: argparse.ArgumentParser) -> None:
    parse.add_argument("paths", nargs="+", metavar="PATH",
                       help="files or directories; '-' reads standard input")
    parse.add_argument("--format", choices=("json", "text"), default="json",
                       help="output format (default: json)")
    parse.add_argument("--input-format", choices=INPUT_FORMATS, default=None,
                       help="read every input as this format (default: by extension, then "
                            "content)")
    parse.add_argument("--stdin-filename", metavar="NAME",
                       help="with '-': the name standard input is reported under; its "
                            "extension chooses the format (default: '-', read as text)")
    parse.add_argument("--output", metavar="FILE",
                       help="write to FILE (default: standard output)")


def _add_audit_options(audit: argparse.ArgumentParser) -> None:
    # audit writes its three reports into --out; --format and --output are not its options
    # (argparse refuses them, exit 2), nor are the check-only --fix, --diff, --baseline.
    _add_run_options(audit)
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


# Each command: its name, its line in the command list, and what adds its options.
_COMMAND_PARSERS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("check", "lint files (default command)", _add_check_options),
    ("parse", "print the parsed references", _add_parse_options),
    ("rules", "list the rules", _add_rules_options),
    ("explain", "print one rule's documentation", _add_explain_options),
    ("audit", "write an HTML, Markdown and JSON audit report", _add_audit_options),
)


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the config, the environment and the options (refcheck.api's order)."""
    from refcheck.api import make_settings
    from refcheck.config import parse_statuses

    options: dict[str, Any] = {
        name: getattr(args, name, None)
        for name in (
            "offline", "fail_on", "input_format", "crossref_url", "doi_resolver", "mailto",
            "allow_hosts", "allow_private_hosts", "proxy", "timeout", "cache_dir", "no_cache",
            "cache_read_only", "strict_links", "sources", "openalex_url", "openalex_key",
            "pubmed_key", "arxiv_url", "pubmed_url", "dblp_url", "retraction_watch_url",
            "datacite_url", "semanticscholar_url", "semanticscholar_key", "openlibrary_url",
            "acl_url", "openreview_url",
            "jobs", "prose", "select", "ignore", "exclude", "extend_exclude",
            "respect_gitignore", "exclude_urls",
        )
    }
    if getattr(args, "accept", None) is not None:
        options["accept"] = parse_statuses(args.accept)
    return make_settings(getattr(args, "config", None), options)


def _write(text: str, output: str | None) -> None:
    from refcheck.report import escape_surrogates

    text = escape_surrogates(text)
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


def _say(args: argparse.Namespace, lines: Sequence[str]) -> None:
    if getattr(args, "quiet", False):
        return
    for line in lines:
        print(f"refcheck: {line}", file=sys.stderr)


def _notes(args: argparse.Namespace, settings: Settings, notes: Sequence[str]) -> list[str]:
    """The run's notes; the fixed "N network rules skipped" line only with -v."""
    if getattr(args, "verbose", 0):
        return list(notes)
    from refcheck.engine import run_notes

    routine = set(run_notes(settings))
    return [n for n in notes if n not in routine]


def _first_run_notice(args: argparse.Namespace) -> None:
    """On a terminal, say that the word tables are being built instead of sitting silent."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return
    # The file's name encodes wordfreq's version and the layout; absent means "build now".
    from refcheck.text.freq import _cache_path

    path = _cache_path()
    if path is not None and not os.path.exists(path):
        print(f"refcheck: first run: building the word tables in {os.path.dirname(path)} "
              "(about 10 s, once)", file=sys.stderr)


def _read_stdin(name: str | None, workdir: str) -> tuple[str, str]:
    """Standard input saved as a file whose extension chooses the format; (file, label)."""
    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        raise InputError("-: standard input is closed")
    label = name or "-"
    base = os.path.basename(name) if name else ""
    path = os.path.join(workdir, base if base and base not in (".", "..") else "stdin.txt")
    with open(path, "wb") as fh:
        fh.write(stream.read())
    return path, label


@contextlib.contextmanager
def _stdin_as_file(name: str | None, paths: list[str]) -> Iterator[
        tuple[list[str], dict[str, str]]]:
    """``paths`` with '-' replaced by standard input saved to a temporary file, and the
    file's label; tempfile is imported only then (it costs a hook's start-up otherwise)."""
    if "-" not in paths:
        yield paths, {}
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="refcheck-stdin-") as workdir:
        saved, label = _read_stdin(name, workdir)
        yield [saved if p == "-" else p for p in paths], {saved: label}


def cmd_check(args: argparse.Namespace) -> int:
    from refcheck.api import run_check

    settings = _settings(args)
    paths = list(args.paths or settings.paths)
    fmt = args.format or "text"
    if args.stdin_filename is not None and "-" not in paths:
        raise UsageError("--stdin-filename names standard input: give '-' as the path")
    if "-" in paths and (args.fix or args.fix_typos) and not args.diff:
        raise UsageError("--fix cannot rewrite standard input; use --diff to see the fixes")
    _refuse_output_over_input(args.output, [p for p in paths if p != "-"], [])
    _first_run_notice(args)
    with _stdin_as_file(args.stdin_filename, paths) as (files, rename):
        report = run_check(
            files, settings, fix=bool(args.fix or (args.fix_typos and not args.diff)),
            fix_typos=bool(args.fix_typos), diff=bool(args.diff), baseline=args.baseline,
            update_baseline=bool(args.update_baseline), keep_documents=fmt == "sarif",
            rename=rename,
        )
    # Inputs found in a directory are known only now, before anything is written.
    _refuse_output_over_input(args.output, [], [f.path for f in report.files])
    _say(args, [*report.messages, *_notes(args, settings, report.notes)])
    if args.show_fixes:
        _say(args, _fix_lines(report, applied=bool(args.fix or args.fix_typos)))
    if args.diff:
        _write(report.diff, args.output)
        return 0 if args.exit_zero or not report.diff else 1
    if args.statistics:
        _write(_statistics(report, fmt), args.output)
    else:
        _write(report.render(fmt), args.output)
    return 0 if args.exit_zero else report.exit_code


def _fix_lines(report: Any, applied: bool) -> list[str]:
    """--show-fixes: one line per fix applied, or per safe fix --fix would apply."""
    from refcheck.report.text import escape_controls

    chosen = report.fixed if applied else [
        f for f in report.findings if f.fix is not None and f.fix.safe]
    lines = []
    for f in chosen:
        old = f.text if f.text is not None else ""
        new = f.fix.replacement if f.fix is not None else ""
        verb = "fixed" if applied else "fixable"
        lines.append(f"{verb}: {f.span.path}:{f.span.line}:{f.span.column}: {f.code} "
                     f"{escape_controls(repr(old))} -> {escape_controls(repr(new))}")
    if not applied:
        lines.append(f"{len(chosen)} fixable with --fix")
    return lines


def _statistics(report: Any, fmt: str) -> str:
    """ruff's --statistics: one line per rule, most frequent first."""
    stats = report.statistics()
    if fmt == "json":
        data = [{"code": s.code, "name": s.name, "count": s.count, "fixable": s.fixable}
                for s in stats]
        import json

        return json.dumps(data, indent=2) + "\n"
    width = max((len(str(s.count)) for s in stats), default=1)
    return "".join(f"{s.count:>{width}}\t{s.code}\t{'[*] ' if s.fixable else ''}{s.name}\n"
                   for s in stats)


def cmd_parse(args: argparse.Namespace) -> int:
    from refcheck import engine

    settings = Settings(input_format=args.input_format)
    paths = list(args.paths)
    if args.stdin_filename is not None and "-" not in paths:
        raise UsageError("--stdin-filename names standard input: give '-' as the path")
    _refuse_output_over_input(args.output, [p for p in paths if p != "-"], [])
    with _stdin_as_file(args.stdin_filename, paths) as (files, rename):
        documents = engine.load_all(files, settings)
    for d in documents:
        if d.source.path in rename:
            d.source.path = rename[d.source.path]
            for r in d.references:
                r.path = d.source.path
    _refuse_output_over_input(args.output, [], [d.path for d in documents])
    if args.format == "json":
        data = {
            "version": 1,
            "references": [r.to_json() for d in documents for r in d.references],
            "files": [
                {
                    "path": d.path,
                    "format": getattr(d.source, "kind", d.format),
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
        import json

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
        import json

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
    from refcheck.api import report_of
    from refcheck.audit import audit

    settings = _settings(args)
    paths = args.paths or settings.paths
    if args.redis_url:
        settings.redis_url = args.redis_url
    result, written = audit(paths, settings, args.out, cluster=args.cluster,
                            workers=args.workers, progress=_fleet_progress())
    _say(args, [*(result.http or {}).get("fleet", []), *_notes(args, settings, result.notes),
                f"wrote {', '.join(str(p) for p in written)}"])
    return report_of(result, settings.fail_on).exit_code


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
    # A rule's text is its function's docstring: dedented, whatever its first line does.
    doc = inspect.cleandoc(r.doc or "")
    sys.stdout.write(f"{header})\n\n{r.summary}\n\n{doc}\n")
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
    parser = build_parser(args_list[0] if args_list[0] in COMMANDS else None)
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
    import gc

    # One command is one short process, and the engine already runs its checks
    # with the cyclic collector off: left on, it would wake as soon as the
    # checks end, to walk every object they made (the parsed references, the
    # findings) in one pass that finds nothing, ~7 ms of a 50-entry run.
    # (main() alone, as the tests and the API call it, leaves the collector be.)
    gc.disable()
    code = main()
    # The interpreter's last act is a garbage collection over every object
    # still alive (parsed references, cached words and titles): ~25 ms of a
    # 0.3 s run.  Nothing left is garbage worth finding; frozen objects are
    # not traversed.
    gc.freeze()
    sys.exit(code)
