"""Copy the training and measuring data into ``data/`` (run once; the copies are committed).

``python scripts/segmenter/make_data.py [SHARED_DIR]`` reads AnyStyle's labelled
strings and the bibliographic records of the shared development data and
writes ``data/anystyle-strings.jsonl`` (the strings only) and
``data/records.jsonl`` (CSL-JSON items, trimmed to what a reference shows).
"""

from __future__ import annotations

import glob
import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

_TYPES = {
    "journal-article": "article-journal",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "book-chapter": "chapter",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "report": "report",
}


def _first(v: Any) -> str | None:
    if isinstance(v, list):
        v = v[0] if v else None
    return " ".join(str(v).split()) if v else None


def _crossref_item(m: dict[str, Any]) -> dict[str, Any] | None:
    title = _first(m.get("title"))
    year = None
    for key in ("issued", "published-print", "published-online", "created"):
        parts = (m.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and parts[0][0]:
            year = parts[0][0]
            break
    authors = [
        {k: a[k] for k in ("family", "given") if a.get(k)}
        for a in m.get("author") or []
        if a.get("family")
    ]
    if not title or not year or not authors or "<" in title:
        return None
    item: dict[str, Any] = {
        "type": _TYPES.get(str(m.get("type")), "article-journal"),
        "title": title,
        "author": authors[:12],
        "issued": {"date-parts": [[int(year)]]},
    }
    for src, dst in (("volume", "volume"), ("issue", "issue"), ("page", "page"), ("DOI", "DOI"),
                     ("publisher", "publisher")):
        if m.get(src):
            item[dst] = " ".join(str(m[src]).split())
    cont = _first(m.get("container-title"))
    if cont:
        item["container-title"] = cont
    return item


def main() -> None:
    default = os.path.join(ROOT, "benchmarks", "data", "shared")
    shared = sys.argv[1] if len(sys.argv) > 1 else default
    data = os.path.join(HERE, "data")
    os.makedirs(data, exist_ok=True)
    gold = os.path.join(shared, "corpus/parse/anystyle-gold.jsonl")
    with (
        open(gold, encoding="utf-8") as src,
        open(os.path.join(data, "anystyle-strings.jsonl"), "w", encoding="utf-8") as out,
    ):
        for line in src:
            row = json.loads(line)
            keep = {"id": row["id"], "text": row["text"], "citation_number": row["citation_number"]}
            out.write(json.dumps(keep, ensure_ascii=False) + "\n")
    items: dict[str, dict[str, Any]] = {}
    for path in sorted(glob.glob(os.path.join(shared, "fixtures/crossref/*.json"))):
        try:
            with open(path, encoding="utf-8") as fh:
                msg = json.load(fh).get("message")
        except (OSError, ValueError, AttributeError):
            continue
        works = msg.get("items", []) if isinstance(msg, dict) and "items" in msg else [msg]
        for w in works:
            if isinstance(w, dict) and w.get("DOI"):
                it = _crossref_item(w)
                if it is not None:
                    items.setdefault(str(w["DOI"]).lower(), it)
    with open(os.path.join(shared, "hallmark/registry.jsonl"), encoding="utf-8") as fh:
        registry = [json.loads(line) for line in fh if line.strip()]
    for r in registry:
        authors = [
            {k: a[k] for k in ("family", "given") if a.get(k)}
            for a in r.get("authors") or []
            if a.get("family")
        ]
        if not r.get("title") or not r.get("year") or not authors or not r.get("doi"):
            continue
        it = {
            "type": _TYPES.get(str(r.get("type")), "article-journal"),
            "title": " ".join(str(r["title"]).split()),
            "author": authors[:12],
            "issued": {"date-parts": [[int(r["year"])]]},
            "DOI": r["doi"],
        }
        if r.get("container"):
            it["container-title"] = r["container"]
        items.setdefault(str(r["doi"]).lower(), it)
    with open(os.path.join(data, "records.jsonl"), "w", encoding="utf-8") as out:
        for n, (_doi, it) in enumerate(sorted(items.items())):
            it = {"id": f"r{n}", **it}
            out.write(json.dumps(it, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(items)} records")


if __name__ == "__main__":
    main()
