"""Handbook recipes: a YAML file saying what goes into a booklet.

```yaml
title: KKW-Methoden für Verwaltungen
subtitle: Handout zur Schulung          # optional
organisation: Wirtschaftsförderung X    # optional
date: "2026-11"                         # optional, printed as written
lang: de                                # default en
paper: A5                               # A4 (default) or A5
intro: |                                # optional, Markdown
  …
sections:
  - title: Einstieg
    intro: …                            # optional, Markdown
    include:
      - administration-training         # a record id (order kept)
      - query: Hackathon                # a search with filters
        kind: [method]
        audience: [industrial-companies]
        limit: 3
pilot_pages: true      # the pilots of the chosen methods as pages of their own (default false)
region_pages: false    # profiles of the regions of those pilots (default false)
appendix: {glossary: true, sources: true, licence: true}
```

Problems carry ``file:line:col`` like records do; nothing is built from a recipe with errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ContentError, Problem, UsageError, did_you_mean, sort_problems
from .model import FACET_AXES, KINDS, Filters
from .project import Catalogue
from .query import FEWER_WORDS, query_too_long
from .schema import Bool, Choice, Field, Int, ListOf, Obj, Ref, Str, Tag
from .validate import MAX_PROBLEMS_PER_FILE, Checker, type_name
from .yamlsource import dotted, one_line, read_yaml_file

PAPERS = ("A4", "A5")
SORTS = ("relevance", "title", "effort")

QUERY_ITEM = Obj((
    Field("query", Str(), False, "Search words (empty: everything matching the filters)"),
    Field("audience", ListOf(Tag("audience")), False, "Audience filter"),
    Field("sector", ListOf(Tag("sector")), False, "Sector filter"),
    Field("region", ListOf(Ref("region")), False, "Region filter (region ids)"),
    Field("effort", ListOf(Tag("effort")), False, "Effort filter"),
    Field("kind", ListOf(Choice(KINDS)), False, "Kinds of record (default: method)"),
    Field("limit", Int(minimum=1), False, "At most this many records"),
    Field("sort", Choice(SORTS), False, "Order of the records (default: relevance, or title without query)"),
))
SECTION = Obj((
    Field("title", Str(), True, "Section title"),
    Field("intro", Str(), False, "Text before the section's records (Markdown)"),
    Field("include", ListOf(Str(), 1), True, "Record ids and queries"),  # items checked one by one below
))
APPENDIX = Obj((
    Field("glossary", Bool(), False, "Glossary of the tags used (default true)"),
    Field("sources", Bool(), False, "List of sources (default true)"),
    Field("licence", Bool(), False, "Licence and attribution page (default true)"),
))
RECIPE = Obj((
    Field("title", Str(), True, "Title on the cover"),
    Field("subtitle", Str(), False, "Subtitle on the cover"),
    Field("organisation", Str(), False, "Who hands it out"),
    Field("date", Str(), False, "Date as it should be printed"),
    Field("lang", Str(), False, "Language of the handbook (default en)"),
    Field("paper", Choice(PAPERS), False, "A4 (default) or A5"),
    Field("intro", Str(), False, "Introduction (Markdown)"),
    Field("sections", ListOf(SECTION, 1), True, "The sections, in order"),
    Field("pilot_pages", Bool(), False, "Add the pilots of the chosen methods as pages (default false)"),
    Field("region_pages", Bool(), False, "Add profiles of the regions of those pilots (default false)"),
    Field("appendix", APPENDIX, False, "Appendix parts"),
))


@dataclass(frozen=True)
class Query:
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    limit: int | None = None
    sort: str = ""
    #: Where the query stands in its recipe (0 and "" for a query made in code), so that a query
    #: the search refuses when the handbook is built is reported at its line.
    line: int = 0
    column: int = 0
    field: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    intro: str = ""
    items: tuple[str | Query, ...] = ()


@dataclass(frozen=True)
class Recipe:
    title: str
    sections: tuple[Section, ...]
    subtitle: str = ""
    organisation: str = ""
    date: str = ""
    lang: str = "en"
    paper: str = "A4"
    intro: str = ""
    pilot_pages: bool = False
    region_pages: bool = False
    glossary: bool = True
    sources: bool = True
    licence: bool = True
    path: str = ""


def _filters(data: dict[str, Any]) -> Filters:
    return Filters.of({axis: data.get(axis) for axis in FACET_AXES})


def recipe_from_query(query: str, filters: Filters, *, title: str = "", lang: str = "en", paper: str = "A4",
                      limit: int | None = None) -> Recipe:
    """The quick form: one section holding the result of one search."""
    if not filters.kind:
        filters = Filters(**{**filters.as_dict(), "kind": ("method",)})
    name = title or (query or "CCI Method Toolbox")
    return Recipe(title=name, lang=lang, paper=paper,
                  sections=(Section(title=name, items=(Query(query, filters, limit),)),))


def find_recipe(name: str, project: Path) -> Path:
    """A recipe file: ``name`` as a path, else ``recipes/NAME.yaml`` of the project or the shipped toolbox."""
    from .files import RECIPES_FOLDER, content_root
    from .paths import shipped_project

    direct = Path(name)
    if direct.is_file():
        return direct
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    folders = [content_root(project) / RECIPES_FOLDER, shipped_project() / "methods" / RECIPES_FOLDER]
    for folder in folders:
        candidate = folder / f"{stem}.yaml"
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.yaml")})
    raise UsageError(f"no recipe '{name}'",
                     [Problem("", 0, 0, "recipe", f"no recipe file or named recipe '{name}'",
                              did_you_mean(stem, known) if known else "give the path of a recipe file")])


def load_recipe(path: Path, catalogue: Catalogue, display: str | None = None) -> Recipe:
    """Read and check a recipe; raise ContentError with every problem found."""
    shown = display or str(path)
    doc, problems = read_yaml_file(path, shown)
    if doc is None:
        raise ContentError(f"cannot read recipe {shown}", problems)
    vocabulary = catalogue.vocabulary
    languages = set(vocabulary.languages) if vocabulary else {"en"}
    checker = Checker(doc, vocabulary, languages, limit=MAX_PROBLEMS_PER_FILE)
    data = checker.check_object(RECIPE, doc.data, ())
    kinds_of = {rid: rec.kind for rid, rec in catalogue.records.items()}
    sections: list[Section] = []
    raw_sections = doc.data.get("sections")
    # anything but a list is reported by the check of RECIPE above ('sections: 5' used to crash here)
    for i, raw in enumerate(raw_sections if isinstance(raw_sections, list) else []):
        if not isinstance(raw, dict):
            continue
        items: list[str | Query] = []
        include = raw.get("include")
        for j, item in enumerate(include if isinstance(include, list) else []):
            where = ("sections", i, "include", j)
            if isinstance(item, str):
                broken = catalogue.broken(item) if isinstance(item, str) else None
                if broken is not None:
                    first = broken[1][0] if broken[1] else None
                    checker.report(where, f"record '{item}' cannot be used: {broken[0]} has errors"
                                   + (f" ({first.path}:{first.line}:{first.column}: {first.message})" if first else ""),
                                   "fix that file first (toolbox validate)")
                elif item not in kinds_of:
                    checker.report(where, f"no record with id '{item}'",
                                   "" if checker.full else did_you_mean(item, kinds_of))
                else:
                    items.append(item)
            elif isinstance(item, dict):
                checked = checker.check_object(QUERY_ITEM, item, where)
                # the search would refuse it when the handbook is built, without the recipe's line
                # (found by fuzzing: a query of 8,204 characters)
                too_long = query_too_long(checked.get("query", "")) if checked else ""
                if too_long:
                    checker.report((*where, "query"), too_long, FEWER_WORDS)
                elif checked is not None:
                    line, column = doc.pos((*where, "query") if "query" in checked else where)
                    items.append(Query(checked.get("query", ""), _filters(checked), checked.get("limit"),
                                       checked.get("sort", ""), line, column,
                                       dotted((*where, "query") if "query" in checked else where)))
            else:
                checker.report(where, f"expected a record id or a query, got {type_name(item)}",
                               "write an id such as industrial-hackathon, or  - query: hackathon")
        if isinstance(raw.get("title"), str):
            sections.append(Section(raw["title"], raw.get("intro", "") if isinstance(raw.get("intro"), str)
                                    else "", tuple(items)))
    # the per-item checks above replace the generic ones for 'include'
    problems += [p for p in checker.listed_problems() if not (p.field.startswith("sections[") and ".include[" in p.field
                                                              and p.message.startswith("expected a text"))]
    for ref in checker.references:
        if kinds_of.get(ref.target) != ref.kind:
            ids = [r for r, k in kinds_of.items() if k == ref.kind]
            problems.append(Problem(ref.path, ref.line, ref.column, ref.field, f"no {ref.kind} with id '{ref.target}'",
                                    did_you_mean(ref.target, ids)))
    lang = data.get("lang", "en") if data else "en"
    if data and lang not in languages:
        line, column = doc.pos(("lang",))
        problems.append(Problem(shown, line, column, "lang", f"unknown language '{one_line(lang)}'",
                                did_you_mean(lang, languages)))
    errors = [p for p in problems if p.severity == "error"]
    if errors or data is None:
        raise ContentError(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in recipe {shown}",
                           sort_problems(problems))
    appendix = data.get("appendix", {})
    return Recipe(
        title=data["title"], sections=tuple(sections), subtitle=data.get("subtitle", ""),
        organisation=data.get("organisation", ""), date=data.get("date", ""), lang=lang,
        paper=data.get("paper", "A4"), intro=data.get("intro", ""), pilot_pages=data.get("pilot_pages", False),
        region_pages=data.get("region_pages", False), glossary=appendix.get("glossary", True),
        sources=appendix.get("sources", True), licence=appendix.get("licence", True), path=shown,
    )
