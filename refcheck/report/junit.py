"""JUnit XML for CI test-report views (GitLab, Jenkins, Azure, CircleCI).

Layout: ``<testsuites name="refcheck">`` holding one ``<testsuite>`` per
checked file and one ``<testcase>`` per finding.  A finding at or above the
run's ``--fail-on`` (transient link outcomes aside, as for the exit status)
carries a ``<failure type="CODE" message="…">``; a finding below it is a
passing test case whose ``<system-out>`` says what was noticed; a file without
findings is a single passing test case.  The output is valid against the JUnit
schema Jenkins' xUnit plugin uses (``junit-10.xsd``, tests/data/schemas).  One failure per test
case is what every consumer shows (Jenkins keeps only the first failure of a
case), and a name that includes the position keeps two findings of one rule
apart, since consumers merge cases whose class and name are equal.

``classname`` is the file's path without its extension, as ESLint's JUnit
formatter does: Jenkins reads dots in a class name as package separators.
That schema allows no ``file`` or ``line`` on a ``testcase``: the file is the
suite's ``file`` attribute and its ``<properties>``, and each case's line and
column are in its name and its text.

The tree is built with :mod:`xml.etree.ElementTree`, which escapes markup;
characters that XML 1.0 cannot carry at all (most C0 controls, lone
surrogates, U+FFFE/U+FFFF) are written as visible ``\\xNN``/``\\uNNNN``
escapes so the document always parses.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

from refcheck.model import Finding, Severity
from refcheck.report import RunResult
from refcheck.report.text import visible_escape

# Everything outside XML 1.0's Char production.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: str) -> str:
    return _FORBIDDEN.sub(visible_escape, value)


def _set(el: ET.Element, **attrs: str) -> None:
    for key, value in attrs.items():
        el.set(key, xml_safe(value))


def _classname(path: str) -> str:
    root, _ext = os.path.splitext(path.replace("\\", "/"))
    return root or path


def _describe(f: Finding) -> str:
    lines = [f"{f.span.path}:{f.span.line}:{f.span.column}: {f.code} {f.message}"]
    if f.text is not None:
        lines.append(f"text: {f.text}")
    if f.suggestion is not None:
        lines.append(f"suggestion: {f.suggestion}")
    if f.url is not None:
        lines.append(f"url: {f.url}" + (f" ({f.status})" if f.status else ""))
    if f.reference_index is not None or f.reference_key is not None:
        ref = f.reference_key if f.reference_key is not None else f"#{f.reference_index}"
        lines.append(f"reference: {ref}")
    lines.append(f"rule: {f.code} {f.name} ({f.category.value}, {f.severity.value})")
    return "\n".join(lines)


def _is_failure(f: Finding, threshold: int) -> bool:
    return f.severity.rank >= threshold and not f.transient


def as_element(result: RunResult) -> ET.Element:
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_path[f.span.path].append(f)
    listed = [fi.path for fi in result.files]
    # Findings on a path the run did not list still get a suite.
    paths = listed + [p for p in by_path if p not in set(listed)]
    seen: set[str] = set()

    threshold = Severity(result.fail_on).rank
    root = ET.Element("testsuites")
    total_tests = total_failures = 0
    for path in paths:
        if path in seen:
            continue
        seen.add(path)
        findings = by_path.get(path, [])
        suite = ET.SubElement(root, "testsuite")
        props = ET.SubElement(suite, "properties")
        _set(ET.SubElement(props, "property"), name="file", value=path)
        classname = _classname(path)
        cases = 0
        failures = 0
        if not findings:
            case = ET.SubElement(suite, "testcase")
            _set(case, name="no problems found", classname=classname, time="0")
            cases = 1
        names: Counter[str] = Counter()
        for f in findings:
            case = ET.SubElement(suite, "testcase")
            name = f"{f.code} {f.name} at {f.span.line}:{f.span.column}"
            names[name] += 1
            if names[name] > 1:
                name += f" ({names[name]})"
            _set(case, name=name, classname=classname, time="0")
            cases += 1
            if _is_failure(f, threshold):
                failures += 1
                failure = ET.SubElement(case, "failure")
                _set(failure, type=f.code, message=f.message)
                failure.text = xml_safe(_describe(f))
            else:
                out = ET.SubElement(case, "system-out")
                out.text = xml_safe(_describe(f))
        _set(
            suite,
            name=path,
            file=path,
            tests=str(cases),
            failures=str(failures),
            errors="0",
            skipped="0",
            time="0",
        )
        total_tests += cases
        total_failures += failures
    _set(
        root,
        name="refcheck",
        tests=str(total_tests),
        failures=str(total_failures),
        errors="0",
        time="0",
    )
    return root


def render(result: RunResult) -> str:
    root = as_element(result)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
