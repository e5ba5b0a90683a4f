"""``toolbox export``: a result set (or everything) as JSON or CSV, with a data dictionary."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from .model import Method, Pilot, Record, Region
from .project import Catalogue
from .reports import JSON_VERSION, record_to_json

#: CSV columns and what they hold; written beside every CSV export as its data dictionary.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Record id (the YAML file name without .yaml); unique across kinds"),
    ("kind", "method, pilot or region"),
    ("title", "Title in the export language (English where missing; see fallback)"),
    ("summary", "Summary in the export language"),
    ("lang", "Language of title and summary (the export language, or en when it fell back)"),
    ("fallback", "yes when the export language was missing and English was used"),
    ("title_en", "Title in English"),
    ("audience", "Audience values, separated by ';' (vocabulary ids)"),
    ("sector", "Sector values, separated by ';' (vocabulary ids)"),
    ("region", "Region record ids, separated by ';' (for methods: regions of the pilots that used it)"),
    ("effort", "Effort level: low, medium or high; empty where not given"),
    ("budget_eur_min", "Lower end of the budget band in EUR; empty where not given"),
    ("budget_eur_max", "Upper end of the budget band in EUR; empty where not given"),
    ("participants_min", "Lower end of the participant range; empty where not given"),
    ("participants_max", "Upper end of the participant range; empty where not given"),
    ("methods", "Pilots: ids of the methods used; methods: empty"),
    ("pilots", "Methods and regions: ids of the linked pilot actions"),
    ("project", "Pilots: project id (vocabulary 'project')"),
    ("period_start", "Pilots: start as YYYY, YYYY-MM or YYYY-MM-DD"),
    ("period_end", "Pilots: end as YYYY, YYYY-MM or YYYY-MM-DD"),
    ("country", "Regions: ISO 3166-1 alpha-2 country code"),
    ("population", "Regions: inhabitants"),
    ("population_year", "Regions: year of the population figure"),
    ("sources", "Source URLs, separated by ' ; '"),
    ("path", "File of the record, relative to the project folder"),
)


def _row(record: Record, catalogue: Catalogue, lang: str) -> dict[str, Any]:
    title = record.title.resolve(lang)
    summary = record.summary.resolve(lang)
    effort = record.effort
    row: dict[str, Any] = {
        "id": record.id, "kind": record.kind, "title": title.text, "summary": summary.text,
        "lang": title.lang, "fallback": "yes" if title.fallback else "", "title_en": record.title.get("en"),
        "audience": ";".join(record.audience), "sector": ";".join(record.sector),
        "region": ";".join(catalogue.regions_of(record)), "effort": effort.level if effort else "",
        "sources": " ; ".join(s.url for s in record.sources), "path": record.path,
    }
    if effort and effort.budget_eur:
        row.update(budget_eur_min=effort.budget_eur.min, budget_eur_max=effort.budget_eur.max)
    if effort and effort.participants:
        row.update(participants_min=effort.participants.min, participants_max=effort.participants.max)
    if isinstance(record, Pilot):
        row.update(methods=";".join(m.id for m in catalogue.methods_of_pilot(record.id)), project=record.project,
                   period_start=record.period.start if record.period else "",
                   period_end=record.period.end if record.period else "")
    elif isinstance(record, Method):
        row["pilots"] = ";".join(p.id for p in catalogue.pilots_of_method(record.id))
    elif isinstance(record, Region):
        row.update(pilots=";".join(p.id for p in catalogue.pilots_in_region(record.id)), country=record.country,
                   population=record.population.value if record.population else "",
                   population_year=(record.population.year or "") if record.population else "")
    return row


def to_csv(records: Sequence[Record], catalogue: Catalogue, lang: str = "en") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[c for c, _ in COLUMNS], restval="", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _inert(v) for k, v in _row(record, catalogue, lang).items()})
    return buffer.getvalue()


#: What makes a spreadsheet read a cell as a formula (CSV injection, OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, quoted with a leading apostrophe
    (shown as text, not computed): exports go to officers' spreadsheets, and record texts come
    from many editors. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def dictionary_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["column", "meaning"])
    writer.writerows(COLUMNS)
    return buffer.getvalue()


def to_json(records: Sequence[Record], catalogue: Catalogue, query: str = "",
            filters: dict[str, Sequence[str]] | None = None) -> str:
    payload = {
        "version": JSON_VERSION,
        "query": query,
        "filters": {k: list(v) for k, v in (filters or {}).items()},
        "total": len(records),
        "records": [record_to_json(r, catalogue) for r in records],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
