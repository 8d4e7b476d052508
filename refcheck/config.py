"""Settings: defaults, ``[tool.refcheck]`` in pyproject.toml, environment, options.

Precedence (lowest first): built-in defaults, the config file, environment
variables, command-line options.  Unknown keys and wrong types are
configuration errors (exit status 2), never silently ignored.
"""

from __future__ import annotations

import contextlib
import marshal
import math
import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration problem the user must fix; reported in one line, exit 2."""


DEFAULT_PATHS = ("references",)
SEVERITIES = ("error", "warning", "info")


@dataclass
class Settings:
    """Everything a run is told: defaults, then the config file, environment and options."""

    paths: list[str] = field(default_factory=lambda: list(DEFAULT_PATHS))
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # code -> severity override
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_on: str = "warning"
    input_format: str | None = None
    offline: bool = False
    crossref_url: str = "https://api.crossref.org"
    doi_resolver: str = "https://doi.org"
    mailto: str | None = None
    allow_hosts: list[str] = field(default_factory=list)
    allow_private_hosts: bool = False
    # An HTTP(S) proxy for every request (proxy variables of the environment are not
    # read: the guard could not vet the address a proxy connects to).
    proxy: str | None = None
    timeout: float = 15.0
    cache_dir: str | None = None
    no_cache: bool = False
    cache_read_only: bool = False  # answer from the cache only; never ask the network
    cache_backend: str = "sqlite"  # or "redis"
    redis_url: str | None = None
    # Keep each host's rate limit, concurrency and Retry-After in Redis (redis_url), one
    # for every process of a fleet (refcheck audit --cluster); requests/s per host below.
    shared_limits: bool = False
    host_rates: dict[str, float] = field(default_factory=dict)
    strict_links: bool = False
    sources: list[str] = field(
        default_factory=lambda: ["crossref", "openalex", "arxiv", "pubmed", "dblp"]
    )
    openalex_url: str = "https://api.openalex.org"
    openalex_key: str | None = None
    pubmed_key: str | None = None
    arxiv_url: str = "https://export.arxiv.org/api"
    pubmed_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    dblp_url: str = "https://dblp.org"
    # Sources asked only when named in ``sources`` (see README, "Decisions").
    datacite_url: str = "https://api.datacite.org"
    semanticscholar_url: str = "https://api.semanticscholar.org/graph/v1"
    semanticscholar_key: str | None = None
    openlibrary_url: str = "https://openlibrary.org"
    acl_url: str = "https://aclanthology.org"
    openreview_url: str = "https://api2.openreview.net"
    # Crossref publishes the Retraction Watch database as a CSV; kept as a local table.
    retraction_watch_url: str = (
        "https://gitlab.com/crossref/retraction-watch-data/-/raw/main/retraction_watch.csv"
    )
    jobs: int = 0  # 0: CPU count
    prose: bool = False
    # Links: URLs matching these regular expressions are never fetched (lychee's --exclude),
    # and these HTTP statuses count as a live link (lychee's --accept).
    exclude_urls: list[str] = field(default_factory=list)
    accept: list[int] = field(default_factory=list)
    # A directory walk leaves out what .gitignore files leave out (as ruff does).
    respect_gitignore: bool = True
    # Where the config came from (for messages), and the directory paths are relative to.
    config_path: str | None = None
    root: str = "."


# Keys accepted in [tool.refcheck] (dash or underscore spelling) and their types.
_TYPES: dict[str, type | tuple[type, ...]] = {
    "paths": list,
    "exclude": list,
    "select": list,
    "ignore": list,
    "severity": dict,
    "rules": dict,
    "fail_on": str,
    "input_format": str,
    "offline": bool,
    "crossref_url": str,
    "doi_resolver": str,
    "mailto": str,
    "allow_hosts": list,
    "allow_private_hosts": bool,
    "proxy": str,
    "timeout": (int, float),
    "cache_dir": str,
    "no_cache": bool,
    "cache_read_only": bool,
    "cache_backend": str,
    "redis_url": str,
    "shared_limits": bool,
    "host_rates": dict,
    "strict_links": bool,
    "sources": list,
    "openalex_url": str,
    "openalex_key": str,
    "pubmed_key": str,
    "arxiv_url": str,
    "pubmed_url": str,
    "dblp_url": str,
    "datacite_url": str,
    "semanticscholar_url": str,
    "semanticscholar_key": str,
    "openlibrary_url": str,
    "acl_url": str,
    "openreview_url": str,
    "retraction_watch_url": str,
    "jobs": int,
    "prose": bool,
    "exclude_urls": list,
    "extend_exclude": list,  # added to exclude (ruff's extend-exclude)
    "accept": list,
    "respect_gitignore": bool,
}

# Environment variables of the contract.
_ENV: dict[str, str] = {
    "REFCHECK_OFFLINE": "offline",
    "REFCHECK_CROSSREF_URL": "crossref_url",
    "REFCHECK_DOI_RESOLVER": "doi_resolver",
    "REFCHECK_MAILTO": "mailto",
    "REFCHECK_CACHE_DIR": "cache_dir",
    "REFCHECK_SOURCES": "sources",
    "REFCHECK_OPENALEX_URL": "openalex_url",
    "REFCHECK_OPENALEX_KEY": "openalex_key",
    "REFCHECK_ARXIV_URL": "arxiv_url",
    "REFCHECK_PUBMED_URL": "pubmed_url",
    "REFCHECK_DBLP_URL": "dblp_url",
    "REFCHECK_DATACITE_URL": "datacite_url",
    "REFCHECK_SEMANTICSCHOLAR_URL": "semanticscholar_url",
    "REFCHECK_SEMANTICSCHOLAR_KEY": "semanticscholar_key",
    "REFCHECK_OPENLIBRARY_URL": "openlibrary_url",
    "REFCHECK_ACL_URL": "acl_url",
    "REFCHECK_OPENREVIEW_URL": "openreview_url",
    "REFCHECK_RETRACTION_WATCH_URL": "retraction_watch_url",
    "REFCHECK_REDIS_URL": "redis_url",
    "REFCHECK_PUBMED_KEY": "pubmed_key",
}


def find_pyproject(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _load_toml(path: Path) -> dict[str, Any]:
    """The parsed file, from the user cache when its bytes are those parsed last time.

    Importing tomllib and parsing cost a hook's run ~4 ms, every run, for a
    file that rarely changes.  The cache holds the file's exact bytes beside
    its parse (never a stamp of size and time): any edit is parsed afresh.
    A file that fails to parse is never kept, so its error is raised each run.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    kept_at = _parse_cache(path)
    if kept_at is not None:
        with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
            with open(kept_at, "rb") as fh:
                kept = marshal.loads(fh.read())
            if isinstance(kept, tuple) and len(kept) == 3 and kept[:2] == (_PARSE_STAMP, data):
                parsed: dict[str, Any] = kept[2]
                return parsed
    parsed = _parse_toml(path, data)
    # A file holding credentials (an API key) is not copied into the cache.
    if kept_at is not None and not _holds_credentials(parsed):
        from refcheck.text.store import keep

        # A value marshal cannot hold (a TOML date) leaves the file unkept: parsed each run.
        with contextlib.suppress(ValueError):
            keep(kept_at, marshal.dumps((_PARSE_STAMP, data, parsed)))
    return parsed


_CREDENTIAL_WORDS = ("key", "token", "secret", "password")


def _holds_credentials(value: Any) -> bool:
    """Does a parsed TOML value name anything like a key, a token or a password?"""
    if isinstance(value, dict):
        return any(any(w in str(k).lower() for w in _CREDENTIAL_WORDS)
                   or _holds_credentials(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_credentials(v) for v in value)
    return False


# Changed when what the TOML parser gives may change (another Python, another tomllib).
_PARSE_STAMP = f"toml-1-{sys.version}"


def _parse_cache(path: Path) -> str | None:
    from refcheck.text.store import kept_path

    return kept_path("config", [path.resolve()])


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    # Imported here: most runs have no config file, and a hook's start-up counts.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
        return parsed
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        # TOML is UTF-8 by definition; a binary file or a legacy code page is not TOML.
        raise ConfigError(f"invalid TOML in {path}: not UTF-8 text (byte {exc.start})") from exc


def load_table(config: str | None, cwd: Path | None = None) -> tuple[dict[str, Any], Path | None]:
    """The refcheck table and the file it came from.

    An explicit ``--config`` may be a pyproject.toml (``[tool.refcheck]``) or a
    standalone ``refcheck.toml`` whose top level is the table.
    """
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"config file not found: {config}")
        data = _load_toml(path)
        tool = data.get("tool")
        if isinstance(tool, dict) and "refcheck" in tool:
            table = tool["refcheck"]
        elif path.name == "pyproject.toml":
            table = {}
        else:
            table = data
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.refcheck] must be a table")
        return table, path
    return discover_config(cwd or Path.cwd())


# Looked for in each directory from the working directory up, in this order, as ruff looks
# for .ruff.toml, ruff.toml and pyproject.toml; the first that configures refcheck wins.
CONFIG_NAMES = (".refcheck.toml", "refcheck.toml", "pyproject.toml")


def discover_config(start: Path) -> tuple[dict[str, Any], Path | None]:
    """The nearest refcheck configuration above ``start`` and its file.

    ``refcheck.toml``/``.refcheck.toml`` hold the table at their top level (a
    ``[tool.refcheck]`` table there is read too); a ``pyproject.toml`` counts only when
    it has ``[tool.refcheck]``, so a sub-project's pyproject does not hide the
    repository's configuration.
    """
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            data = _load_toml(candidate)
            tool = data.get("tool")
            if isinstance(tool, dict) and "refcheck" in tool:
                table = tool["refcheck"]
            elif name == "pyproject.toml":
                continue
            else:
                table = data
            if not isinstance(table, dict):
                raise ConfigError(f"{candidate}: [tool.refcheck] must be a table")
            return table, candidate
    return {}, None


def parse_statuses(value: Any, where: str = "--accept") -> list[int]:
    """HTTP statuses as lychee's ``--accept`` takes them: ``200,429`` or ``200..204``."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ConfigError(f"{where}: a list of HTTP status codes, such as 200,429")
    codes: list[int] = []
    for item in items:
        text = str(item).strip()
        low, sep, high = text.partition("..")
        try:
            first, last = int(low), int(high if sep else low)
        except ValueError:
            raise ConfigError(f"{where}: {text!r} is not an HTTP status code") from None
        if not (100 <= first <= last <= 599) or isinstance(item, bool):
            raise ConfigError(f"{where}: {text!r} is not an HTTP status code (100-599)")
        codes.extend(range(first, last + 1))
    return sorted(set(codes))


def _normalise_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return list(value)


def apply_table(settings: Settings, table: dict[str, Any], where: str) -> None:
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        expected = _TYPES.get(key)
        if expected is None:
            known = ", ".join(sorted(k.replace("_", "-") for k in _TYPES))
            raise ConfigError(f"{where}: unknown key '{raw_key}' (known: {known})")
        if key == "accept":
            settings.accept = parse_statuses(value, f"{where}: accept")
            continue
        if key == "extend_exclude":
            settings.exclude = [*settings.exclude, *_normalise_list(value, raw_key, where)]
            continue
        if expected is list:
            value = _normalise_list(value, raw_key, where)
        elif expected is bool:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: '{raw_key}' must be true or false")
        elif not isinstance(value, expected) or (
            expected == (int, float) and isinstance(value, bool)
        ):
            raise ConfigError(f"{where}: '{raw_key}' has the wrong type")
        if key == "severity":
            for code, sev in value.items():
                if sev not in SEVERITIES:
                    raise ConfigError(
                        f"{where}: severity of {code} must be one of {', '.join(SEVERITIES)}"
                    )
            for code in value:
                _known_rule(str(code), f"{where}: severity")
            settings.severity.update({str(k).upper(): str(v) for k, v in value.items()})
        elif key == "rules":
            for code, opts in value.items():
                if not isinstance(opts, dict):
                    raise ConfigError(f"{where}: [rules.{code}] must be a table")
                known_code, checked = _rule_options(str(code), opts, where)
                settings.rule_options.setdefault(known_code, {}).update(checked)
        elif key == "fail_on":
            if value not in SEVERITIES:
                raise ConfigError(f"{where}: fail-on must be one of {', '.join(SEVERITIES)}")
            settings.fail_on = value
        else:
            _check_value(key, raw_key, value, where)
            setattr(settings, key, float(value) if key == "timeout" else value)


CACHE_BACKENDS = ("sqlite", "redis")


def _check_value(key: str, raw_key: str, value: Any, where: str) -> None:
    """Values whose type is right but whose meaning is not (checked again after options)."""
    if key == "cache_backend" and value not in CACHE_BACKENDS:
        raise ConfigError(
            f"{where}: cache-backend must be one of {', '.join(CACHE_BACKENDS)}, not {value!r}")
    if key == "host_rates":
        for host, rate in value.items():
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (
                    math.isfinite(rate) and rate > 0):
                raise ConfigError(f"{where}: host-rates of {host} must be a positive number "
                                  f"of requests per second, not {rate!r}")
    if key == "jobs" and value < 0:
        raise ConfigError(f"{where}: jobs must be 0 (one per CPU) or more, not {value}")
    if key == "timeout" and not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{where}: timeout must be a positive number of seconds, not {value}")
    if key == "input_format":
        from refcheck.parsers import FORMATS

        if value not in FORMATS:
            raise ConfigError(
                f"{where}: input-format must be one of {', '.join(FORMATS)}, not {value!r}")


def validate(settings: Settings) -> None:
    """Settings that options or the environment may have set wrongly; raises ConfigError."""
    _check_value("timeout", "timeout", settings.timeout, "--timeout")
    _check_value("jobs", "jobs", settings.jobs, "--jobs")
    _check_value("cache_backend", "cache-backend", settings.cache_backend, "settings")


def _known_rule(code: str, where: str) -> Any:
    from refcheck.rules import get_rule

    rule = get_rule(code)
    if rule is None:
        raise ConfigError(f"{where}: unknown rule {code!r} (see 'refcheck rules')")
    return rule


def _rule_options(code: str, opts: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    """A rule's options table checked against the options the rule declares."""
    rule = _known_rule(code, f"{where}: [rules.{code}]")
    declared: dict[str, Any] = rule.options
    checked: dict[str, Any] = {}
    for raw, value in opts.items():
        name = str(raw).replace("-", "_")
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise ConfigError(
                f"{where}: [rules.{code}] has no option {raw!r} (its options: {known})")
        default = declared[name]
        # A None default takes any scalar (for example a date); otherwise the same type.
        if default is not None and (type(value) is not type(default)
                                    and not (isinstance(default, float)
                                             and type(value) is int)):
            raise ConfigError(
                f"{where}: [rules.{code}] {raw} must be {type(default).__name__}, "
                f"not {type(value).__name__}")
        checked[name] = value
    return rule.code, checked


def apply_env(settings: Settings, environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    for var, key in _ENV.items():
        value = env.get(var)
        if value is None or value == "":
            continue
        if key == "offline":
            settings.offline = value.strip().lower() not in ("0", "false", "no", "")
        elif key == "sources":
            settings.sources = [v.strip() for v in value.split(",") if v.strip()]
        else:
            setattr(settings, key, value)


def settings_field_names() -> set[str]:
    return {f.name for f in fields(Settings)}
