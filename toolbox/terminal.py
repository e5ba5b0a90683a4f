"""Text for a terminal: result tables, records, problems and statistics (no click here)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .errors import Problem
from .model import Method, Pilot, Record, Region, SearchResult, Snippet, Text
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


def render_result(result: SearchResult, style: Style = _plain_style, facet_limit: int = 8) -> str:
    lines: list[str] = []
    what = f'for "{result.query}"' if result.query else "(no query text)"
    if result.filters:
        what += " with " + "; ".join(f"{k}={','.join(v)}" for k, v in result.filters.items())
    n = result.total
    lines.append(style(f"{n} result{'s' if n != 1 else ''} {what}", bold=True)
                 + (f"  (showing {len(result.hits)}, sorted by {result.sort})" if result.hits else ""))
    if result.corrected:
        lines.append(style(f'Showing results for "{result.corrected}"', fg="cyan")
                     + f' — search instead for "{result.query}" with --exact')
    if result.suggestion:
        lines.append(style(f'Did you mean: "{result.suggestion}"?', fg="cyan"))
    if result.unmatched:
        words = ", ".join(f'"{shorten(w, 40)}"' for w in result.unmatched)
        lines.append(style(f"No record holds {words}" + ("; results match the other words" if result.total else ""),
                           dim=True))
    if result.hits:
        lines.append("")
        id_w = min(34, max(len(h.id) for h in result.hits))
        lines.append(style(f"{'#':>3}  {'score':>6}  {'kind':<6}  {'id':<{id_w}}  title", dim=True))
        w = width()
        for i, hit in enumerate(result.hits, 1):
            score = f"{hit.score:6.2f}" if hit.score else "     -"
            title = hit.title + (" [en]" if hit.fallback else "")
            lines.append(f"{i:>3}  {score}  {hit.kind:<6}  {hit.id:<{id_w}}  {style(title, bold=True)}")
            if hit.snippet.text:
                snippet = Snippet(*_clip(hit.snippet, w - 8))
                lines.append("     " + render_snippet(snippet, style))
    if not result.total:
        if result.filters:
            lines.append("No match. Try again without a filter, e.g. without --"
                         + next(iter(result.filters)) + ", or with fewer words.")
        elif result.query:
            lines.append("No match. Try fewer or other words, or another language's spelling.")
    if not any(result.facets.values()):
        return "\n".join(lines)
    lines.append("")
    lines.append(style("Facets", bold=True) + style("  (count if the value were chosen; * = chosen)", dim=True))
    for axis, values in result.facets.items():
        if not values:
            continue
        shown = [f"{'*' if v.selected else ''}{v.value} ({v.count})" for v in values[:facet_limit]]
        more = f", … {len(values) - facet_limit} more" if len(values) > facet_limit else ""
        lines.append(f"  {axis:<9} " + ", ".join(shown) + more)
    return "\n".join(lines)


def _clip(snippet: Snippet, limit: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    text = snippet.text
    if len(text) <= limit:
        return text, snippet.highlights
    cut = text[: limit - 1].rstrip() + "…"
    return cut, tuple((a, min(b, len(cut) - 1)) for a, b in snippet.highlights if a < len(cut) - 1)


def _section(title: str, text: Text, lang: str, style: Style) -> list[str]:
    if not text.has("en") and not text.has(lang):
        return []
    resolved = text.resolve(lang)
    mark = style(" [en]", dim=True) if resolved.fallback else ""
    return ["", style(title, bold=True) + mark, *_indent(resolved.text)]


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line.strip() else "" for line in text.strip().splitlines()]


def render_record(record: Record, catalogue: Catalogue, lang: str, style: Style = _plain_style) -> str:
    title = record.title.resolve(lang)
    head = style(title.text, bold=True) + (style(" [en]", dim=True) if title.fallback else "")
    lines = [head, style(f"{record.kind} · {record.id} · {record.path}", dim=True)]
    lines += _indent(record.summary.resolve(lang).text)
    vocab = catalogue.vocabulary

    def labels(axis: str, values: Iterable[str]) -> str:
        if vocab and axis in vocab.axes:
            return ", ".join(vocab.axes[axis].label_of(v, lang) for v in values)
        return ", ".join(values)

    facts: list[tuple[str, str]] = []
    if record.audience:
        facts.append(("Audience", labels("audience", record.audience)))
    if record.sector:
        facts.append(("Sector", labels("sector", record.sector)))
    if isinstance(record, Pilot):
        regions = [catalogue.records[r].title.get(lang) if r in catalogue.records else r for r in record.region]
        facts.append(("Region", ", ".join(regions)))
        if record.organisations:
            facts.append(("Organisations", "; ".join(record.organisations)))
        if record.period:
            facts.append(("Period", str(record.period)))
        if record.project:
            facts.append(("Project", labels("project", [record.project])))
    if isinstance(record, Region):
        facts.append(("Country", record.country))
        if record.nuts:
            facts.append(("NUTS", record.nuts))
        if record.population:
            pop = f"{record.population.value:,}" + (f" ({record.population.year})" if record.population.year else "")
            note = record.population.note.get(lang)
            facts.append(("Population", pop + (f" — {note}" if note else "")))
        if record.area_km2:
            facts.append(("Area", f"{record.area_km2:,} km²"))
        if record.industries:
            facts.append(("Industries", labels("industry", record.industries)))
        if record.settlement:
            facts.append(("Settlement", labels("settlement", [record.settlement])))
        if record.projects:
            facts.append(("Projects", labels("project", record.projects)))
    if record.effort:
        e = record.effort
        bits = [labels("effort", [e.level])]
        for name, rng in (("staff days", e.staff_days), ("EUR", e.budget_eur), ("participants", e.participants)):
            if rng:
                bits.append(f"{rng} {name}")
        if e.duration.has("en"):
            bits.append(e.duration.get(lang))
        facts.append(("Effort", "; ".join(bits)))
    if facts:
        lines.append("")
        w = max(len(k) for k, _ in facts)
        lines += [f"  {style(k.ljust(w), bold=True)}  {v}" for k, v in facts]

    if isinstance(record, Method):
        lines += _section("Purpose", record.purpose, lang, style)
        lines += _section("When to use it", record.when_to_use, lang, style)
        if record.steps:
            lines += ["", style("Steps", bold=True)]
            for i, step in enumerate(record.steps, 1):
                step_lines = _indent(step.get(lang), "     ")
                if step_lines:
                    step_lines[0] = f"  {i:>2}." + step_lines[0][4:]
                lines += step_lines
        for name, text in (("Materials", record.materials), ("Preconditions", record.preconditions),
                           ("Pitfalls", record.pitfalls), ("Results to expect", record.results)):
            lines += _section(name, text, lang, style)
    elif isinstance(record, Pilot):
        for name, text in (("What was done", record.description), ("Results", record.results),
                           ("Lessons", record.lessons), ("Reusing it elsewhere", record.transfer)):
            lines += _section(name, text, lang, style)
    elif isinstance(record, Region):
        lines += _section("Profile", record.description, lang, style)

    links: list[tuple[str, Sequence[Record]]] = []
    if isinstance(record, Method):
        links = [("Pilot actions that used it", catalogue.pilots_of_method(record.id)),
                 ("Related methods", catalogue.related_methods(record.id))]
    elif isinstance(record, Pilot):
        links = [("Methods used", catalogue.methods_of_pilot(record.id)),
                 ("Regions", [catalogue.records[r] for r in record.region if r in catalogue.records])]
    elif isinstance(record, Region):
        links = [("Pilot actions here", catalogue.pilots_in_region(record.id))]
    for name, items in links:
        if items:
            lines += ["", style(name, bold=True)]
            lines += [f"  {r.id:<34} {shorten(plain(r.title.get(lang)), 70)}" for r in items]
    if isinstance(record, Region) and record.industries:
        from .similar import similar_regions

        alike = similar_regions(catalogue, region_id=record.id, lang=lang, limit=3)
        if alike:
            lines += ["", style("Regions like this one", bold=True) + style("  (toolbox similar " + record.id + ")",
                                                                             dim=True)]
            for s in alike:
                why = s.reasons[0] if s.reasons else ""
                lines.append(f"  {s.region.id:<34} {shorten(why, 70)}")
    if record.sources:
        lines += ["", style("Sources", bold=True)]
        lines += [f"  - {s.title}\n    {s.url}" for s in record.sources]
    return "\n".join(lines)


def render_stats(data: dict[str, Any], style: Style = _plain_style) -> str:
    lines = [style(f"{data['records']} records", bold=True) + "  ("
             + ", ".join(f"{n} {k}s" for k, n in data["kinds"].items()) + ")"]
    for axis, counts in data["facets"].items():
        lines += ["", style(axis, bold=True)]
        lines += [f"  {value:<28} {n:>4}" for value, n in counts.items()] or ["  (none)"]
    lines += ["", style("Translations", bold=True) + "  (text fields translated; records complete)"]
    n_records = data["records"]
    for lang, t in data["translation"].items():
        lines.append(f"  {lang}  {t['percent']:5.1f} %  {t['translated']:>5}/{t['fields']:<5} fields  "
                     f"{t['complete_records']:>4}/{n_records} records complete")
    p = data["problems"]
    lines += ["", f"{p['errors']} errors, {p['warnings']} warnings (details: toolbox validate)"]
    return "\n".join(lines)
