"""The contract's JSON report, version 1."""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

from refcheck.report import FileInfo, RunResult, utf8


def as_dict(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "tool": {"name": "refcheck", "version": result.tool_version},
        "files": [_file(f) for f in result.files],
        "findings": [f.to_json() for f in result.findings],
        "summary": {
            "references": result.reference_count,
            "findings": len(result.findings),
            "by_category": result.by_category(),
            "by_severity": result.by_severity(),
        },
    }
    if result.verdicts is not None:
        data["references"] = result.verdicts
    if result.notes:
        data["notes"] = list(result.notes)
    return data


def _file(f: FileInfo) -> dict[str, Any]:
    row: dict[str, Any] = {"path": f.path, "format": f.format, "references": f.references}
    # How a text was read (the contract's optional ``layout``); structured formats
    # whose layout only repeats the format (bibtex, csl-json) leave it out.
    if f.layout and f.layout != f.format and f.layout not in _FORMAT_LAYOUTS:
        row["layout"] = f.layout
    return row


_FORMAT_LAYOUTS = frozenset({"bibtex", "csl-json"})


def render(result: RunResult) -> str:
    data = as_dict(result)
    fast = _orjson(data)
    return fast.decode("utf-8") if fast is not None else dumps(data) + "\n"


def encode(result: RunResult) -> bytes:
    """The report as the bytes of its file: :func:`render`'s text in UTF-8, a lone
    surrogate (a file name that is not UTF-8) written as its JSON escape."""
    data = as_dict(result)
    fast = _orjson(data)
    return fast if fast is not None else utf8(dumps(data) + "\n")


def _orjson(data: dict[str, Any]) -> bytes | None:
    """The report written at C speed by orjson, where it writes exactly what
    :func:`dumps` writes; None where it would not.

    orjson writes a float that JSON cannot hold (NaN, infinity) as null, and some others
    in another form (``1e-05``, in a form that depends on its version); it refuses
    integers past 64 bits, keys that are not strings and lone surrogates.  The report's
    only floats are the references' scores (0–1, three places), checked here first;
    anything orjson refuses goes to :func:`dumps`.  At 50,000 references the report
    takes 0.15 s this way, 0.9 s through :func:`dumps`.
    """
    if not _plain_floats(data):
        return None
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency, missing only where it has no build
        return None
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    except TypeError:  # orjson.JSONEncodeError is one
        return None


def _plain_floats(data: dict[str, Any]) -> bool:
    """Does every float of ``data`` print the same in orjson and in ``json.dumps``?

    Those are the finite ones from 1e-4 up to 1e16 (and zero).  Only the references'
    scores are floats in the report (tests/test_reporters.py holds the report to it).
    """
    for entry in data.get("references") or ():
        score = entry.get("score")
        if isinstance(score, float) and score != 0.0 and not 1e-4 <= abs(score) < 1e16:
            return False  # NaN fails the comparison too
    return True


def dumps(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=2)``, character for character.

    With ``indent`` the standard library leaves its C encoder for a pure-Python one
    that runs a generator per value: 1.8 s for the report of 50,000 references, the
    longest of the three reports.  Here a value costs one call at most (strings go
    through the C escaper): 1.1 s.
    """
    out: list[str] = []
    _value(obj, "\n", out)
    return "".join(out)


def _number(o: Any) -> str | None:
    if isinstance(o, bool) or o is None:
        return "null" if o is None else ("true" if o else "false")
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        if o != o:
            return "NaN"
        if o in (float("inf"), float("-inf")):
            return "Infinity" if o > 0 else "-Infinity"
        return float.__repr__(o)
    return None


def _value(o: Any, newline: str, out: list[str]) -> None:
    # Objects and arrays are written by two loops of the same shape on purpose: one loop
    # over (key, value) pairs for both, with a call per key, gave back most of the gain.
    if isinstance(o, str):
        out.append(encode_basestring(o))
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        for key, value in o.items():
            out.append(sep + (encode_basestring(key) if isinstance(key, str) else _key(key))
                       + ": ")
            sep = "," + inner
            if isinstance(value, str):
                out.append(encode_basestring(value))
            else:
                _value(value, inner, out)
        out.append(newline + "}")
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for value in o:
            out.append(sep)
            sep = "," + inner
            if isinstance(value, str):
                out.append(encode_basestring(value))
            else:
                _value(value, inner, out)
        out.append(newline + "]")
    else:
        text = _number(o)
        if text is None:
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
        out.append(text)


def _key(key: Any) -> str:
    """A key that is not a string, named as the standard library names it."""
    named = _number(key)
    if named is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
    return encode_basestring(named)
