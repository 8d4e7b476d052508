"""The rule registry: an explicit list of rule modules, checked by a test.

Adding a rule: write it in the module of its family (or a new module listed
in ``MODULES``), add it to that module's ``RULES`` tuple, and add its test.
Codes are stable and never reused; a renamed rule keeps its code.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from refcheck.rules.base import Context, Hit, Rule, rule

__all__ = ["MODULES", "Context", "Hit", "Rule", "all_rules", "get_rule", "rule"]

# Module names (imported lazily so that `refcheck rules` and offline runs do
# not import what they do not use).
MODULES: tuple[str, ...] = (
    "refcheck.rules.syntax",
    "refcheck.rules.structure",
    "refcheck.rules.bibfields",
    "refcheck.rules.typos",
    "refcheck.rules.venue_forms",
    "refcheck.rules.artifacts",
    "refcheck.rules.pdfdamage",
    "refcheck.rules.encoding",
    "refcheck.rules.sanity",
    "refcheck.rules.links",
    "refcheck.rules.doi",
    "refcheck.rules.metadata",
    "refcheck.rules.existence",
    "refcheck.rules.files",
    "refcheck.rules.suppressions",
    "refcheck.rules.citations",
    "refcheck.rules.jats_xrefs",
    "refcheck.rules.documents",
)


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for name in MODULES:
        module = importlib.import_module(name)
        rules.extend(module.RULES)
    rules.sort(key=lambda r: r.code)
    return tuple(rules)


def get_rule(code_or_name: str) -> Rule | None:
    wanted = code_or_name.strip()
    for r in all_rules():
        if r.code.lower() == wanted.lower() or r.name == wanted.lower():
            return r
    return None
