"""The rule registry is explicit, complete and documented."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from refcheck.model import Category
from refcheck.rules import MODULES, all_rules
from refcheck.rules.base import Rule

ROOT = Path(__file__).resolve().parents[1]

# Code ranges per category (docs/HELPERS.md); a code outside its family is a bug.
RANGES: dict[Category, list[tuple[int, int]]] = {
    Category.SYNTAX: [(1, 49)],
    Category.TYPO: [(101, 149)],
    Category.ARTIFACT: [(201, 249)],
    Category.ENCODING: [(301, 349)],
    Category.STRUCTURE: [(401, 469)],
    Category.LINK: [(501, 549)],
    Category.DOI: [(601, 649)],
    Category.METADATA: [(701, 749)],
    Category.RETRACTION: [(801, 819)],
    Category.EXISTENCE: [(851, 869)],
    Category.CITATION: [(901, 949)],
}


def test_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_every_module_exports_its_rules() -> None:
    for name in MODULES:
        module = importlib.import_module(name)
        declared = {v.code for v in vars(module).values() if isinstance(v, Rule)}
        exported = {r.code for r in module.RULES}
        assert declared == exported, f"{name}: a rule is missing from RULES"


@pytest.mark.parametrize("r", all_rules(), ids=lambda r: r.code)
def test_rule_declaration(r: Rule) -> None:
    assert re.fullmatch(r"RC\d{3}", r.code)
    assert re.fullmatch(r"[a-z][a-z0-9-]+", r.name)
    number = int(r.code[2:])
    assert any(lo <= number <= hi for lo, hi in RANGES[r.category]), r.code
    sections = r.sections()
    for heading in ("What it does", "Why it matters", "Example"):
        assert sections.get(heading, "").strip(), f"{r.code} lacks '{heading}'"
    if r.fix:
        assert r.fix in ("safe", "unsafe")
        assert sections.get("Fix safety", "").strip(), f"{r.code} offers a fix: document it"
    assert r.summary.strip().endswith(".")


def test_readme_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [r.code for r in all_rules() if f"`{r.code}`" not in readme]
    assert not missing, f"README rules table lacks {missing}"
