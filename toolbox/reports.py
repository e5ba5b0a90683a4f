"""Plain-data views of results, records and statistics: the stable JSON shapes and the stats.

Everything here returns dicts and lists of JSON types; ``docs/json.md`` documents the shapes and
tests pin them. The terminal renderer and the exporters build on these.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from .model import Method, Pilot, Range, Record, Region, SearchResult, Text

if TYPE_CHECKING:
    from .project import Catalogue

JSON_VERSION = 1


def result_to_json(result: SearchResult) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "query": result.query,
        "lang": result.lang,
        "sort": result.sort,
        "filters": {k: list(v) for k, v in result.filters.items()},
        "total": result.total,
        "suggestion": result.suggestion,
        "corrected": result.corrected,
        "unmatched": list(result.unmatched),
        "hits": [
            {
                "id": h.id,
                "kind": h.kind,
                "title": h.title,
                "summary": h.summary,
                "lang": h.lang,
                "fallback": h.fallback,
                "score": h.score,
                "snippet": {"text": h.snippet.text, "highlights": [list(s) for s in h.snippet.highlights]},
                "tags": {k: list(v) for k, v in h.tags.items()},
            }
            for h in result.hits
        ],
        "facets": {
            axis: [{"value": f.value, "label": f.label, "count": f.count, "selected": f.selected} for f in values]
            for axis, values in result.facets.items()
        },
    }


def _text(t: Text) -> dict[str, str]:
    return dict(t.values)


def _range(r: Range | None) -> dict[str, float] | None:
    return None if r is None else {"min": r.min, "max": r.max}


def record_to_json(record: Record, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Every field of a record, texts in all languages, plus its links when a catalogue is given."""
    out: dict[str, Any] = {
        "id": record.id,
        "kind": record.kind,
        "path": record.path,
        "title": _text(record.title),
        "summary": _text(record.summary),
        "audience": list(record.audience),
        "sector": list(record.sector),
    }
    if record.effort:
        e = record.effort
        out["effort"] = {
            "level": e.level, "duration": _text(e.duration), "lead_time": _text(e.lead_time),
            "staff_days": _range(e.staff_days), "budget_eur": _range(e.budget_eur),
            "participants": _range(e.participants), "note": _text(e.note),
        }
    if isinstance(record, Method):
        out.update(purpose=_text(record.purpose), when_to_use=_text(record.when_to_use),
                   steps=[_text(s) for s in record.steps], materials=_text(record.materials),
                   preconditions=_text(record.preconditions), pitfalls=_text(record.pitfalls),
                   results=_text(record.results), related=list(record.related), pilots=list(record.pilots))
    elif isinstance(record, Pilot):
        out.update(region=list(record.region), methods=list(record.methods), project=record.project,
                   organisations=[o if isinstance(o, str) else dict(o.values) for o in record.organisations],
                   period={"start": record.period.start, "end": record.period.end} if record.period else None,
                   description=_text(record.description), results=_text(record.results),
                   lessons=_text(record.lessons), transfer=_text(record.transfer))
    elif isinstance(record, Region):
        pop = record.population
        out.update(country=record.country, nuts=record.nuts or None,
                   population={"value": pop.value, "year": pop.year, "note": _text(pop.note)} if pop else None,
                   area_km2=record.area_km2, industries=list(record.industries), settlement=record.settlement or None,
                   projects=list(record.projects), description=_text(record.description))
    out["sources"] = [{"title": s.title, "url": s.url, "note": s.note} for s in record.sources]
    if catalogue is not None:
        out["links"] = links_of(record, catalogue)
    return out


def links_of(record: Record, catalogue: Catalogue) -> dict[str, list[str]]:
    if isinstance(record, Method):
        return {"pilots": [p.id for p in catalogue.pilots_of_method(record.id)],
                "related": [m.id for m in catalogue.related_methods(record.id)],
                "regions": list(catalogue.regions_of(record))}
    if isinstance(record, Pilot):
        return {"methods": [m.id for m in catalogue.methods_of_pilot(record.id)], "regions": list(record.region)}
    from .similar import similar_regions

    similar = similar_regions(catalogue, region_id=record.id, limit=3) if isinstance(record, Region) and \
        (record.industries or record.population or record.settlement) else []
    return {"pilots": [p.id for p in catalogue.pilots_in_region(record.id)],
            "similar": [s.region.id for s in similar]}


# --------------------------------------------------------------------------- statistics


def text_fields(record: Record) -> list[tuple[str, Text]]:
    """The texts of a record that exist in English, with their field paths."""
    return [(name, t) for name, t in record.text_fields() if t.has(t.source)]


def stats(catalogue: Catalogue) -> dict[str, Any]:
    """Counts per kind and tag value, and translation completeness per language."""
    records = list(catalogue.records.values())
    kinds = Counter(r.kind for r in records)
    facets: dict[str, dict[str, int]] = {}
    for axis in ("audience", "sector", "region", "effort"):
        counter: Counter[str] = Counter()
        for r in records:
            if axis == "audience":
                counter.update(r.audience)
            elif axis == "sector":
                counter.update(r.sector)
            elif axis == "region":
                counter.update(catalogue.regions_of(r))
            elif r.effort:
                counter[r.effort.level] += 1
        facets[axis] = dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
    languages = list(catalogue.vocabulary.languages) if catalogue.vocabulary else ["en"]
    translation: dict[str, Any] = {}
    for lang in languages:
        total = done = 0
        complete_records = 0
        missing: list[str] = []
        for r in records:
            texts = text_fields(r)
            have = sum(1 for _, t in texts if t.has(lang))
            total += len(texts)
            done += have
            if have == len(texts):
                complete_records += 1
            else:
                missing.append(r.id)
        translation[lang] = {
            "fields": total, "translated": done,
            "percent": round(100 * done / total, 1) if total else 100.0,
            "complete_records": complete_records, "incomplete_records": sorted(missing),
        }
    return {
        "records": len(records),
        "kinds": {k: kinds.get(k, 0) for k in ("method", "pilot", "region")},
        "facets": facets,
        "translation": translation,
        "problems": {"errors": len(catalogue.errors), "warnings": len(catalogue.warnings)},
    }
