"""Text for a terminal: result tables, records, problems and statistics (no click here)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .catalogs import format_number, format_partial_date, format_range
from .errors import Problem
from .labels import cli_labels, count, kind_label, labels_for, web_labels
from .model import Method, Pilot, Record, Region, SearchResult, Snippet, Text, any_fallback
from .textutil import plain, shorten

if TYPE_CHECKING:
    from .project import Catalogue

Style = Callable[..., str]


def _plain_style(text: str, **_: Any) -> str:
    return text


def width() -> int:
    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))


def format_problem(p: Problem, display_path: str | None = None) -> str:
    if display_path is None:
        return p.format()
    return Problem(display_path, p.line, p.column, p.field, p.message, p.hint, p.severity).format()


def render_snippet(snippet: Snippet, style: Style) -> str:
    out, pos = [], 0
    for start, end in snippet.highlights:
        out.append(snippet.text[pos:start])
        out.append(style(snippet.text[start:end], bold=True, fg="yellow"))
        pos = end
    out.append(snippet.text[pos:])
    return "".join(out)


def render_result(result: SearchResult, style: Style = _plain_style, facet_limit: int = 8,
                  lang: str = "en") -> str:
    C, U = cli_labels(lang), web_labels(lang)
    lines: list[str] = []
    what = C["for_query"].format(query=result.query) if result.query else C["no_query"]
    if result.filters:
        what += " " + C["with_filters"].format(filters="; ".join(f"{k}={','.join(v)}"
                                                                for k, v in result.filters.items()))
    head = style(f"{count(lang, 'results', result.total)} {what}", bold=True)
    if result.hits:
        sort = U.get(result.sort, result.sort)
        head += "  (" + C["showing"].format(shown=len(result.hits), sort=sort) + ")"
    lines.append(head)
    if result.corrected:
        lines.append(style(f'{U["showing_for"]} {U["quote"].format(result.corrected)}', fg="cyan")
                     + " — " + C["search_instead"].format(query=result.query))
    if result.suggestion:
        lines.append(style(f'{U["did_you_mean"]}: {U["quote"].format(result.suggestion)}?', fg="cyan"))
    if result.unmatched:
        words = ", ".join(U["quote"].format(shorten(w, 40)) for w in result.unmatched)
        lines.append(style((U["unmatched"] if result.total else U["unmatched_all"]).format(words=words), dim=True))
    if result.hits:
        lines += ["", *_hit_table(result, style, lang)]
    if not result.total:
        if result.filters:
            lines.append(C["no_match_filter"].format(option=next(iter(result.filters))))
        elif result.query:
            lines.append(C["no_match"])
    if not any(result.facets.values()):
        return "\n".join(lines)
    lines.append("")
    lines.append(style(C["facets"], bold=True) + "  " + style(C["facets_hint"], dim=True))
    axis_names = _axis_names(lang)
    for axis, values in result.facets.items():
        if not values:
            continue
        shown = [f"{'*' if v.selected else ''}{v.value} ({v.count})" for v in values[:facet_limit]]
        more = ", " + C["more"].format(n=len(values) - facet_limit) if len(values) > facet_limit else ""
        lines.append(f"  {axis_names.get(axis, axis)}: " + ", ".join(shown) + more)
    return "\n".join(lines)


def _axis_names(lang: str) -> dict[str, str]:
    L = labels_for(lang)
    return {"kind": web_labels(lang)["kind"], "audience": L["audience"], "sector": L["sector"],
            "region": L["region"], "effort": L["effort"], "project": L["project"]}


def _hit_table(result: SearchResult, style: Style, lang: str) -> list[str]:
    C, mark = cli_labels(lang), f"({labels_for(lang)['in_english']}) "
    id_w = min(34, max(len(h.id) for h in result.hits))
    kinds = {h.kind: kind_label(h.kind, lang) for h in result.hits}
    kind_w = max(len(C["kind"]), *(len(k) for k in kinds.values()))
    lines = [style(f"{'#':>3}  {C['score']:>6}  {C['kind']:<{kind_w}}  {'id':<{id_w}}  {C['title']}", dim=True)]
    w = width()
    for i, hit in enumerate(result.hits, 1):
        score = f"{hit.score:6.2f}" if hit.score else "     -"
        title = (style(mark, dim=True) if hit.fallback else "") + style(hit.title, bold=True)
        lines.append(f"{i:>3}  {score}  {kinds[hit.kind]:<{kind_w}}  {hit.id:<{id_w}}  {title}")
        if hit.snippet.text:
            snippet = Snippet(*_clip(hit.snippet, w - 8))
            lines.append("     " + render_snippet(snippet, style))
    return lines


def _clip(snippet: Snippet, limit: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    text = snippet.text
    if len(text) <= limit:
        return text, snippet.highlights
    cut = text[: limit - 1].rstrip() + "…"
    return cut, tuple((a, min(b, len(cut) - 1)) for a, b in snippet.highlights if a < len(cut) - 1)


def _mark(lang: str, style: Style) -> str:
    """The fallback mark, the same in every output: before the English text, once per section."""

    return style(f"({labels_for(lang)['in_english']})", dim=True)


def _inline(text: Text, lang: str, style: Style) -> str:
    resolved = text.resolve(lang)
    return f"{_mark(lang, style)} {resolved.text}" if resolved.fallback and resolved.text else resolved.text


def _section(title: str, text: Text, lang: str, style: Style) -> list[str]:
    if not text.has(text.source) and not text.has(lang):
        return []
    resolved = text.resolve(lang)
    mark = ["  " + _mark(lang, style)] if resolved.fallback else []
    return ["", style(title, bold=True), *mark, *_indent(resolved.text)]


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line.strip() else "" for line in text.strip().splitlines()]


def _facts(record: Record, catalogue: Catalogue, lang: str, style: Style) -> list[tuple[str, str]]:
    L = labels_for(lang)
    vocab = catalogue.vocabulary

    def labels(axis: str, values: Iterable[str]) -> str:
        if vocab and axis in vocab.axes:
            return ", ".join(vocab.axes[axis].label_of(v, lang) for v in values)
        return ", ".join(values)

    facts: list[tuple[str, str]] = []
    if record.audience:
        facts.append((L["audience"], labels("audience", record.audience)))
    if record.sector:
        facts.append((L["sector"], labels("sector", record.sector)))
    if isinstance(record, Pilot):
        regions = [_inline(catalogue.records[r].title, lang, style) if r in catalogue.records else r
                   for r in record.region]
        facts.append((L["region"], ", ".join(regions)))
        if record.organisations:
            mark = _mark(lang, style)
            facts.append((L["organisations"], "; ".join(f"{mark} {name}" if fallback else name
                                                         for name, fallback in record.organisation_names(lang))))
        if record.period:
            facts.append((L["period"], format_period(record.period, lang)))
        if record.project:
            facts.append((L["project"], labels("project", [record.project])))
    if isinstance(record, Region):
        facts.append((L["country"], record.country))
        if record.nuts:
            facts.append((L["nuts"], record.nuts))
        if record.population:
            pop = format_number(record.population.value, lang)
            pop += f" ({record.population.year})" if record.population.year else ""
            note = _inline(record.population.note, lang, style)
            facts.append((L["population"], pop + (f" — {note}" if note else "")))
        if record.area_km2:
            facts.append((L["area"], f"{format_number(record.area_km2, lang)} km²"))
        if record.industries:
            facts.append((L["industries"], labels("industry", record.industries)))
        if record.settlement:
            facts.append((L["settlement"], labels("settlement", [record.settlement])))
        if record.projects:
            facts.append((L["projects"], labels("project", record.projects)))
    if record.effort:
        e = record.effort
        facts.append((L["effort"], labels("effort", [e.level])))
        for key, text in (("duration", e.duration), ("lead_time", e.lead_time)):
            if text.has(text.source):
                facts.append((L[key], _inline(text, lang, style)))
        for key, rng in (("staff_days", e.staff_days), ("budget", e.budget_eur), ("participants", e.participants)):
            if rng:
                facts.append((L[key], format_range(rng, lang)))
    return facts


def format_period(period: Any, lang: str) -> str:
    start = format_partial_date(period.start, lang)
    if not period.end or period.end == period.start:
        return start
    return f"{start} – {format_partial_date(period.end, lang)}"


def render_record(record: Record, catalogue: Catalogue, lang: str, style: Style = _plain_style) -> str:
    L = labels_for(lang)
    lines = [_inline(record.title, lang, style) if record.title.resolve(lang).fallback
             else style(record.title.get(lang), bold=True),
             style(f"{kind_label(record.kind, lang)} · {record.id} · {record.path}", dim=True)]
    summary = record.summary.resolve(lang)
    lines += (["  " + _mark(lang, style)] if summary.fallback else []) + _indent(summary.text)
    facts = _facts(record, catalogue, lang, style)
    if facts:
        lines.append("")
        w = max(len(k) for k, _ in facts)
        lines += [f"  {style(k.ljust(w), bold=True)}  {v}" for k, v in facts]
    if record.effort and record.effort.note.languages:
        lines += _section(L["estimate_note"], record.effort.note, lang, style)
    lines += _body(record, lang, style)
    lines += _links(record, catalogue, lang, style)
    if record.sources:
        lines += ["", style(L["sources"], bold=True)]
        lines += [f"  - {s.title}\n    {s.url}" for s in record.sources]
    return "\n".join(lines)


def _body(record: Record, lang: str, style: Style) -> list[str]:
    L = labels_for(lang)
    lines: list[str] = []
    if isinstance(record, Method):
        lines += _section(L["purpose"], record.purpose, lang, style)
        lines += _section(L["when_to_use"], record.when_to_use, lang, style)
        if record.steps:
            lines += ["", style(L["steps"], bold=True)]
            if any_fallback(record.steps, lang):
                lines.append("  " + _mark(lang, style))
            for i, step in enumerate(record.steps, 1):
                step_lines = _indent(step.get(lang), "     ")
                if step_lines:
                    step_lines[0] = f"  {i:>2}." + step_lines[0][4:]
                lines += step_lines
        for key, text in (("materials", record.materials), ("preconditions", record.preconditions),
                          ("pitfalls", record.pitfalls), ("results", record.results)):
            lines += _section(L[key], text, lang, style)
    elif isinstance(record, Pilot):
        for key, text in (("what_was_done", record.description), ("pilot_results", record.results),
                          ("lessons", record.lessons), ("transfer", record.transfer)):
            lines += _section(L[key], text, lang, style)
    elif isinstance(record, Region):
        lines += _section(L["region_kind"], record.description, lang, style)
    return lines


def _links(record: Record, catalogue: Catalogue, lang: str, style: Style) -> list[str]:
    L = labels_for(lang)
    links: list[tuple[str, Sequence[Record]]] = []
    if isinstance(record, Method):
        links = [(L["pilots_used"], catalogue.pilots_of_method(record.id)),
                 (L["related"], catalogue.related_methods(record.id))]
    elif isinstance(record, Pilot):
        links = [(L["methods_used"], catalogue.methods_of_pilot(record.id)),
                 (L["region"], [catalogue.records[r] for r in record.region if r in catalogue.records])]
    elif isinstance(record, Region):
        links = [(L["pilots_here"], catalogue.pilots_in_region(record.id))]
    lines: list[str] = []
    for name, items in links:
        if items:
            lines += ["", style(name, bold=True)]
            lines += [f"  {r.id:<34} {shorten(plain(_inline(r.title, lang, _plain_style)), 70)}" for r in items]
    if isinstance(record, Region) and record.industries:
        from .similar import similar_regions

        alike = similar_regions(catalogue, region_id=record.id, lang=lang, limit=3)
        if alike:
            heading = cli_labels(lang)["regions_like"].format(what=plain(record.title.get(lang)))
            lines += ["", style(heading, bold=True) + style("  (toolbox similar " + record.id + ")", dim=True)]
            for s in alike:
                why = s.reasons[0] if s.reasons else ""
                lines.append(f"  {s.region.id:<34} {shorten(why, 70)}")
    return lines


def render_stats(data: dict[str, Any], style: Style = _plain_style, lang: str = "en") -> str:
    """The statistics of ``toolbox stats``: headings in ``lang``, tag values as the ids one types
    in a filter."""

    C, names = cli_labels(lang), _axis_names(lang)
    kinds = {"method": "methods", "pilot": "pilots", "region": "regions"}
    lines = [style(count(lang, "records", data["records"]), bold=True) + "  ("
             + ", ".join(count(lang, kinds.get(k, "records"), n) for k, n in data["kinds"].items()) + ")"]
    for axis, counts in data["facets"].items():
        lines += ["", style(names.get(axis, axis), bold=True)]
        lines += [f"  {value:<28} {n:>4}" for value, n in counts.items()] or ["  " + C["none"]]
    lines += ["", style(C["translations"], bold=True) + "  " + C["translations_hint"]]
    n_records = data["records"]
    for code, t in data["translation"].items():
        percent = format_number(t["percent"], lang, decimals=1)
        lines.append(f"  {code}  {percent:>5} %  "
                     + C["fields"].format(done=t["translated"], total=t["fields"]) + "  "
                     + C["complete"].format(done=t["complete_records"], total=n_records))
    p = data["problems"]
    lines += ["", C["problems"].format(errors=p["errors"], warnings=p["warnings"])]
    return "\n".join(lines)
