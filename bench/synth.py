"""Synthetic guide data at k times the real guide, for the benchmark only (never for tests).

Every collection that grows with the evidence is copied ``k`` times: findings, FAQs,
checklist items and sources. Themes grow too, by their own factor (see ``theme_copies``).
Copy ``c`` (``c = 0`` is the original) gets ids that cannot clash with the originals:

* findings ``FW-01`` -> ``FW-1001`` for copy 1 (``prefix-{c*1000 + n}``), FAQs and items likewise;
* sources ``STROHM2020`` -> ``STROHM2020-X1``;
* themes ``workflow-integration`` -> ``workflow-integration-x1`` (title ``… (set 2)``).

References inside copy ``c`` point to the records of copy ``c`` (findings, items, FAQs, sources)
and to theme copy ``c % themes``; roles, phases, frameworks, glossary terms, the assessment, the
guide's headline and the changelog stay as they are. ``unused_reason`` is then set or dropped so
that the "every vocabulary entry is used" rule holds, and the result passes ``load_and_check``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

from aiguide.evidence import SOURCE_KEY_WORD

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

GROWING = ("findings", "faqs", "checklists", "sources", "themes")
_NUMBERED = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<number>\d+)$")


def read(data_dir: Path, name: str) -> Any:
    return yaml.load((data_dir / f"{name}.yaml").read_text(encoding="utf-8"), Loader=_Loader)


def write(data_dir: Path, name: str, value: Any) -> None:
    text = yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    (data_dir / f"{name}.yaml").write_text(text, encoding="utf-8")


def numbered(record_id: str, c: int) -> str:
    if c == 0:
        return record_id
    match = _NUMBERED.match(record_id)
    if not match or int(match["number"]) >= 1000:
        raise ValueError(f"cannot make a synthetic copy of id {record_id!r}")
    return f"{match['prefix']}-{c * 1000 + int(match['number'])}"


def source_key(key: str, c: int) -> str:
    return key if c == 0 else f"{key}-X{c}"


def theme_id(theme: str, t: int) -> str:
    return theme if t == 0 else f"{theme}-x{t}"


def _cite(citations: list[dict[str, Any]] | None, c: int) -> list[dict[str, Any]] | None:
    if citations is None:
        return None
    return [{**citation, "source": source_key(citation["source"], c)} for citation in citations]


def _rekey_reasons(record: dict[str, Any], c: int, keys: set[str]) -> None:
    """Point the source keys that the confidence judgements' reasons name at copy ``c``'s sources.

    A key is named where a word equals it, by the guide's own rule (:data:`aiguide.evidence.SOURCE_KEY_WORD`).
    """

    def rekey(match: re.Match[str]) -> str:
        return source_key(match.group(0), c) if match.group(0) in keys else match.group(0)

    for judgement in (record.get("confidence") or {}).values():
        if isinstance(judgement, dict) and isinstance(judgement.get("reason"), str):
            judgement["reason"] = SOURCE_KEY_WORD.sub(rekey, judgement["reason"])


def _ids(values: list[str] | None, c: int) -> list[str] | None:
    return None if values is None else [numbered(value, c) for value in values]


def _set(record: dict[str, Any], field: str, value: Any) -> None:
    if value is not None:
        record[field] = value


def scale_data(data_dir: Path, k: int, themes: int) -> dict[str, int]:
    """Rewrite the YAML files in ``data_dir`` (a copy!) at ``k`` copies with ``themes`` theme copies.

    Returns the number of records of each growing kind.
    """
    if k < 1 or not 1 <= themes <= k:
        raise ValueError("need 1 <= themes <= k")
    raw = {name: read(data_dir, name) for name in (*GROWING, "guide", "frameworks")}
    base_findings = raw["findings"]["findings"]
    base_faqs = raw["faqs"]["faqs"]
    base_items = raw["checklists"]["items"]
    base_sources = raw["sources"]["sources"]
    base_themes = raw["themes"]["themes"]

    def tcopy(c: int) -> int:
        return c % themes

    findings, faqs, items, sources, theme_records = [], [], [], [], []
    for t in range(themes):
        for theme in base_themes:
            record = copy.deepcopy(theme)
            record["id"] = theme_id(theme["id"], t)
            if t:
                record["title"] = f"{theme['title']} (set {t + 1})"
            theme_records.append(record)
    source_keys = {source["key"] for source in base_sources}
    for c in range(k):
        t = tcopy(c)
        for finding in base_findings:
            record = copy.deepcopy(finding)
            record["id"] = numbered(finding["id"], c)
            record["theme"] = theme_id(finding["theme"], t)
            _set(
                record,
                "also_themes",
                [theme_id(x, t) for x in finding["also_themes"]] if "also_themes" in finding else None,
            )
            record["citations"] = _cite(finding["citations"], c)
            _rekey_reasons(record, c, source_keys)
            if "replaced_by" in finding:
                record["replaced_by"] = numbered(finding["replaced_by"], c)
            if c:
                record["title"] = f"{finding['title'][:70]} ({c + 1})"
            findings.append(record)
        for faq in base_faqs:
            record = copy.deepcopy(faq)
            record["id"] = numbered(faq["id"], c)
            record["findings"] = _ids(faq["findings"], c)
            record["citations"] = _cite(faq["citations"], c)
            if "replaced_by" in faq:
                record["replaced_by"] = numbered(faq["replaced_by"], c)
            faqs.append(record)
        for item in base_items:
            record = copy.deepcopy(item)
            record["id"] = numbered(item["id"], c)
            record["theme"] = theme_id(item["theme"], t)
            record["findings"] = _ids(item["findings"], c)
            _set(record, "citations", _cite(item.get("citations"), c))
            if "replaced_by" in item:
                record["replaced_by"] = numbered(item["replaced_by"], c)
            items.append(record)
        for source in base_sources:
            record = copy.deepcopy(source)
            record["key"] = source_key(source["key"], c)
            if c and record["role"] in ("backbone", "seed"):
                record["role"] = "supplementary"  # one backbone and one seed only
            sources.append(record)

    raw["findings"]["findings"] = findings
    raw["faqs"]["faqs"] = faqs
    raw["checklists"]["items"] = items
    raw["sources"]["sources"] = sources
    raw["themes"]["themes"] = theme_records
    unchanged = [read(data_dir, path.stem) for path in sorted(data_dir.glob("*.yaml")) if path.stem not in raw]
    _fix_unused(raw, unchanged)
    for name in GROWING:
        write(data_dir, name, raw[name])
    return {
        "findings": len(findings),
        "faqs": len(faqs),
        "checklist items": len(items),
        "sources": len(sources),
        "themes": len(theme_records),
    }


def _cited_anywhere(value: Any) -> set[str]:
    """The source keys of every citation list in ``value`` (files the copy leaves as they are cite originals)."""
    if isinstance(value, list):
        return set().union(*(_cited_anywhere(entry) for entry in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    found = {c["source"] for c in value.get("citations") or () if isinstance(c, dict) and "source" in c}
    return found.union(*(_cited_anywhere(entry) for key, entry in value.items() if key != "citations"))


def _fix_unused(raw: dict[str, Any], unchanged: list[Any]) -> None:
    """Set ``unused_reason`` exactly on the themes and sources that nothing refers to."""
    used_themes: set[str] = set()
    used_sources: set[str] = _cited_anywhere(unchanged)
    for finding in raw["findings"]["findings"]:
        used_themes.add(finding["theme"])
        used_themes.update(finding.get("also_themes", ()))
    for item in raw["checklists"]["items"]:
        used_themes.add(item["theme"])
    for collection in (raw["findings"]["findings"], raw["faqs"]["faqs"], raw["checklists"]["items"]):
        for record in collection:
            used_sources.update(citation["source"] for citation in record.get("citations") or ())
    guide = raw["guide"]
    used_sources.update((guide["backbone"], guide["seed"]))
    headline = guide.get("headline", {})
    for section in ("summary_themes", "key_insights", "implications"):
        for entry in headline.get(section) or ():
            used_themes.update(entry.get("themes", ()))
            used_sources.update(citation["source"] for citation in entry.get("citations") or ())
    conclusion = headline.get("conclusion") or {}
    used_themes.update(conclusion.get("themes", ()))
    used_sources.update(citation["source"] for citation in conclusion.get("citations") or ())
    for framework in raw["frameworks"]["frameworks"]:
        if framework.get("source"):
            used_sources.add(framework["source"])
    for records, field, used, word in (
        (raw["themes"]["themes"], "id", used_themes, "theme"),
        (raw["sources"]["sources"], "key", used_sources, "source"),
    ):
        for record in records:
            if record[field] in used:
                record.pop("unused_reason", None)
            else:
                record.setdefault("unused_reason", f"synthetic benchmark copy of a {word} that the copy does not use")
