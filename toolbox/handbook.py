"""Build a handbook from a recipe: select records, render HTML or Markdown, lay out a PDF.

Stages: :func:`assemble` turns a recipe into a :class:`Book` (plain values: the records per
section in order, the pilots under each method, glossary and sources); :func:`render` fills the
Jinja2 templates; :func:`build` writes HTML, Markdown or PDF (WeasyPrint, imported only here and
only for PDF) plus a lock file beside it, atomically, so a failed build writes nothing.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .catalogs import format_number, format_range
from .errors import ContentError, Problem, QueryError, ToolboxError, UsageError
from .fileio import atomic_write_text, fsync_dir
from .gcpause import paused_gc
from .labels import count, labels_for, statements
from .model import Method, Pilot, Record, Region, Source, Text, any_fallback
from .project import Catalogue, sha256
from .recipe import Query, Recipe

Progress = Callable[[str], None]
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "md"}
LOCK_SUFFIX = ".lock.json"


class MissingSystemLibrary(ToolboxError):
    """WeasyPrint is installed but a system library it needs (Pango …) is not."""


@dataclass(frozen=True)
class BookSection:
    title: str
    intro: str
    records: tuple[Record, ...]
    anchor: str


@dataclass(frozen=True)
class CitedSource:
    number: int
    source: Source
    records: tuple[str, ...]  # ids of the records citing it


@dataclass(frozen=True)
class GlossaryEntry:
    axis: str
    axis_label: str
    value: str
    label: str
    description: str


@dataclass(frozen=True)
class Book:
    recipe: Recipe
    lang: str
    sections: tuple[BookSection, ...]
    pilot_pages: tuple[Pilot, ...]
    region_pages: tuple[Region, ...]
    glossary: tuple[GlossaryEntry, ...]
    sources: tuple[CitedSource, ...]
    records: tuple[Record, ...]  # every record in the book, in order of first appearance
    labels: dict[str, str] = field(default_factory=dict)
    version: str = __version__

    @property
    def methods(self) -> tuple[Method, ...]:
        return tuple(r for s in self.sections for r in s.records if isinstance(r, Method))


# --------------------------------------------------------------------------- assembling


def _query_ids(toolbox: Any, query: Query, lang: str) -> list[str]:
    filters = query.filters
    kinds = filters.kind or ("method",)
    sort = query.sort or ("relevance" if query.text else "title")
    result = toolbox.search(query.text, audience=filters.audience, sector=filters.sector, region=filters.region,
                            effort=filters.effort, kind=kinds, lang=lang, limit=query.limit, sort=sort)
    return [hit.id for hit in result.hits]


def _query_ids_at(toolbox: Any, query: Query, lang: str, path: str) -> list[str]:
    """``_query_ids``, with a query the search refuses reported at its place in the recipe: some
    checks (fields that cannot be searched, too many terms once synonyms are added) need the
    index, which loading a recipe does not open."""
    try:
        return _query_ids(toolbox, query, lang)
    except QueryError as exc:
        if not path:
            raise
        hint = exc.problems[0].hint if exc.problems else ""
        raise ContentError(f"a query in recipe {path} cannot be run",
                           [Problem(path, query.line, query.column, query.field, exc.message, hint)]) from exc


def assemble(toolbox: Any, recipe: Recipe, progress: Progress | None = None) -> Book:
    """Resolve ids and queries into the records of each section (each record once, first place wins)."""
    catalogue: Catalogue = toolbox.catalogue
    lang = recipe.lang
    if any(isinstance(item, Query) for s in recipe.sections for item in s.items):
        toolbox.ensure_index(progress)
    seen: set[str] = set()
    sections = []
    for n, section in enumerate(recipe.sections, 1):
        chosen: list[Record] = []
        for item in section.items:
            ids = [item] if isinstance(item, str) else _query_ids_at(toolbox, item, lang, recipe.path)
            for rid in ids:
                if rid not in seen and rid in catalogue.records:
                    seen.add(rid)
                    chosen.append(catalogue.records[rid])
        sections.append(BookSection(section.title, section.intro, tuple(chosen), f"section-{n}"))

    in_book = [r for s in sections for r in s.records]
    pilots: list[Pilot] = []
    if recipe.pilot_pages:
        for rec in in_book:
            if isinstance(rec, Method):
                pilots += [p for p in catalogue.pilots_of_method(rec.id) if p.id not in seen]
                seen |= {p.id for p in pilots}
    regions: list[Region] = []
    if recipe.region_pages:
        for pilot in [*(r for r in in_book if isinstance(r, Pilot)), *pilots]:
            for rid in pilot.region:
                region = catalogue.records.get(rid)
                if isinstance(region, Region) and rid not in seen:
                    seen.add(rid)
                    regions.append(region)
    everything = [*in_book, *pilots, *regions]
    return Book(recipe, lang, tuple(sections), tuple(pilots), tuple(regions), _glossary(catalogue, everything, lang),
                _sources(everything), tuple(everything), dict(labels_for(lang, catalogue.settings.source_language)))


def _glossary(catalogue: Catalogue, records: Sequence[Record], lang: str) -> tuple[GlossaryEntry, ...]:
    vocab = catalogue.vocabulary
    if vocab is None:
        return ()
    used: dict[str, set[str]] = {"audience": set(), "sector": set(), "effort": set()}
    for rec in records:
        used["audience"] |= set(rec.audience)
        used["sector"] |= set(rec.sector)
        if rec.effort:
            used["effort"].add(rec.effort.level)
    entries = []
    for axis, values in used.items():
        terms = vocab.axes[axis]
        for value, term in terms.terms.items():  # vocabulary order
            if value in values:
                entries.append(GlossaryEntry(axis, terms.label.get(lang), value, term.label.get(lang),
                                             term.description.get(lang)))
    return tuple(entries)


def _sources(records: Sequence[Record]) -> tuple[CitedSource, ...]:
    by_url: dict[str, tuple[Source, list[str]]] = {}
    for rec in records:
        for source in rec.sources:
            entry = by_url.setdefault(source.url, (source, []))
            if rec.id not in entry[1]:
                entry[1].append(rec.id)
    return tuple(CitedSource(i, src, tuple(ids)) for i, (src, ids) in enumerate(by_url.values(), 1))


# --------------------------------------------------------------------------- rendering


def template_dirs(project: Path, extra: Path | None = None) -> list[Path]:
    """The user's template folders first, then the shipped ones (see docs/handbook.md)."""
    from .paths import shipped_project

    shipped = shipped_project() / "templates"
    candidates = (extra, project / "templates")
    dirs = [d for d in candidates if d is not None and d.is_dir() and d.resolve() != shipped.resolve()]
    return [*dirs, shipped]


def environment(project: Path, extra: Path | None = None) -> Any:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape

    dirs = template_dirs(project, extra)
    loader = ChoiceLoader([FileSystemLoader([str(d) for d in dirs]),
                           PrefixLoader({"shipped": FileSystemLoader(str(dirs[-1]))})])
    env = Environment(loader=loader, autoescape=select_autoescape(["html", "html.j2", "xml"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # raw HTML off: record texts are data, never markup
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: url.lower().startswith(  # type: ignore[method-assign]
        ("http://", "https://", "mailto:", "#"))
    return md


def render(book: Book, catalogue: Catalogue, fmt: str, project: Path, templates: Path | None = None) -> str:
    from markupsafe import Markup

    env = environment(project, templates)
    md = _markdown()
    lang = book.lang
    vocab = catalogue.vocabulary

    def text(value: Text) -> Any:
        return value.resolve(lang)

    def markdown(value: str) -> Markup:
        return Markup(md.render(value))

    def marked(value: Text) -> str:
        """A one-line text, with the fallback mark before it where English stands in."""
        resolved = value.resolve(lang)
        if not resolved.fallback:
            return resolved.text
        if fmt == "md":
            return f"_({book.labels['in_english']})_ {resolved.text}"
        return Markup('<span class="fallback-note">({})</span> <span lang="{}">{}</span>').format(
            book.labels["in_english"], resolved.lang, resolved.text)

    def label_of(value: str, axis: str) -> str:
        if axis == "region":
            rec = catalogue.records.get(value)
            return marked(rec.title) if rec else value
        return vocab.axes[axis].label_of(value, lang) if vocab and axis in vocab.axes else value

    def organisations(record: Pilot) -> str:
        names = [marked(o) if isinstance(o, Text) else o for o in record.organisations]
        return "; ".join(names) if fmt == "md" else Markup("; ").join(names)  # escapes the plain names


    def anchor(record_id: str) -> str:
        return f"rec-{record_id}"

    def number(value: float) -> str:
        return format_number(value, lang)

    def span(value: Any) -> str:
        return format_range(value, lang)

    env.filters.update(t=text, md=markdown, label=label_of, anchor=anchor, num=number, range=span)
    env.globals.update(
        book=book, L=book.labels, lang=lang, catalogue=catalogue,
        pilots_of=catalogue.pilots_of_method, methods_of=catalogue.methods_of_pilot,
        related_of=catalogue.related_methods, pilots_in=catalogue.pilots_in_region,
        in_book={r.id for r in book.records}, src=catalogue.settings.source_language,
        isinstance=isinstance, Method=Method, Pilot=Pilot, Region=Region,
        language_name=(vocab.languages.get(lang, lang) if vocab else lang),
        project=(said := statements(catalogue.settings, lang)),
        licence=(said.page, said.page_translated),
        count=lambda key, n: count(lang, key, n), any_fallback=lambda values: any_fallback(values, lang), marked=marked,
        organisations=organisations,
    )
    name = "handbook/book.md.j2" if fmt == "md" else "handbook/book.html.j2"
    try:
        return str(env.get_template(name).render(pdf=fmt == "pdf"))
    except ToolboxError:
        raise
    except Exception as exc:
        # a syntax error or a failing expression in a template (often the user's own override):
        # a problem at the template's line, not a traceback
        from .templatecheck import render_error

        error = render_error(exc, project, template_dirs(project, templates))
        if error is None:
            raise
        raise error from exc


# --------------------------------------------------------------------------- PDF


def html_to_pdf(html: str, target: Path, base_url: str) -> int:
    """Lay out ``html`` and write a tagged PDF (PDF/UA-1); return the number of pages.

    Python's cyclic garbage collector is paused meanwhile: WeasyPrint builds hundreds of thousands
    of long-lived objects (boxes, styles) and makes almost no cyclic garbage, so the collector's
    repeated full scans of that heap cost 10-20 % of the time and free next to nothing."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # pragma: no cover - depends on the machine
        # WeasyPrint raises OSError naming the shared library it could not load (Pango …)
        raise MissingSystemLibrary(
            f"a system library the PDF engine needs is missing: {exc}",
            [Problem("", 0, 0, "pdf", f"missing system library: {exc}",
                     "install Pango (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                     "libharfbuzz-subset0; macOS: brew install pango), or write .html and print it")]) from exc
    _memoise_page_references()
    with paused_gc():
        document = HTML(string=html, base_url=base_url).render(pdf_tags=True)
        join_leader_dots(document)
        document.write_pdf(target, pdf_variant="pdf/ua-1")
        pages = len(document.pages)
        del document  # freed by reference counting before the collector runs again
    return pages


def join_leader_dots(document: Any) -> int:
    """Turn each laid-out ``leader(".")`` into one text box of dots; return how many boxes went.

    WeasyPrint lays a leader out as one text box per dot, about a hundred per contents line, and
    the PDF writer then shapes, draws, tags and compresses each dot on its own: in a 200-method
    book 60 % of all text boxes are leader dots. After layout, the dots of each leader become one
    box holding the same number of dots at the first dot's place. Same font, same advance per
    dot, so every dot lands where it was (to within 0.05 pt, as the PDF rounds glyph widths to
    1/1000 em) and the leader stays text inside its link, tagged once instead of a hundred times.
    The box tree is WeasyPrint 70's (pinned in pyproject.toml); anything unexpected leaves a
    leader as it is."""
    joined = 0
    for page in document.pages:
        stack: list[Any] = [getattr(page, "_page_box", None)]
        while stack:
            box = stack.pop()
            children = getattr(box, "children", None)
            if not children:
                continue
            if not getattr(box, "is_leader", False):
                stack.extend(children)
                continue
            dots = sorted(children, key=lambda b: getattr(b, "position_x", 0))
            first, last = dots[0], dots[-1]
            layout = getattr(first, "pango_layout", None)
            if (len(dots) < 2 or layout is None or not isinstance(getattr(layout, "text", None), str)
                    or any(type(d) is not type(first) or d.text != first.text or d.position_y != first.position_y
                           or d.pango_layout is not layout for d in dots)
                    or abs(last.position_x - first.position_x - (len(dots) - 1) * first.width) > 0.01):
                continue  # not a plain unbroken row of equal dots: leave it
            merged = first.copy()
            merged.text = first.text * len(dots)
            merged.pango_layout = copy.copy(layout)
            merged.pango_layout.text = merged.text
            merged.width = last.position_x + last.width - first.position_x
            box.children = (merged,)
            joined += len(dots) - 1
    return joined


def _memoise_page_references() -> None:
    """Make ``pydyf.PDF.page_references`` cost O(1) instead of O(pages) per call.

    pydyf rebuilds the tuple of every page's reference on each access, and WeasyPrint's PDF/UA
    tagging reads it once per structure element: quadratic in the page count (about 2 s of a
    350-page book). The memo returns the very same value and is recomputed whenever the page list
    grows, so the PDF is byte for byte what it was. Installed once; skipped if pydyf changes shape."""
    import pydyf  # type: ignore[import-untyped]  # installed with WeasyPrint

    prop = vars(pydyf.PDF).get("page_references")
    if not isinstance(prop, property) or prop.fget is None or getattr(prop.fget, "memoised", False):
        return
    compute = prop.fget

    def page_references(pdf: Any) -> Any:
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_page_references_memo")
        if cached is None or cached[0] is not kids or cached[1] != len(kids):
            cached = pdf.__dict__["_page_references_memo"] = (kids, len(kids), compute(pdf))
        return cached[2]

    page_references.memoised = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references)


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class BuildReport:
    output: Path
    format: str
    records: int
    methods: int
    pages: int | None
    seconds: float
    lock: Path


@dataclass(frozen=True)
class Changes:
    """What differs from the build that wrote ``lock``. ``added``/``removed``/``changed`` are record
    ids (as before); ``lines`` names every change, records first, then the recipe, the
    vocabulary, the templates and the project file (``~ mapping-study: steps``, ``~ recipe: intro``).
    ``note`` says what could not be compared (a lock written by an older toolbox)."""

    lock: Path
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    built: str
    lines: tuple[str, ...] = ()
    note: str = ""

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.lines)


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + LOCK_SUFFIX)


def output_format(output: Path) -> str:
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the format of '{output.name}'",
                         [Problem("", 0, 0, "output", f"unknown output type '{output.suffix or output.name}'",
                                  "end the file name with .pdf, .html or .md")])
    return fmt


def _record_hashes(catalogue: Catalogue, book: Book) -> dict[str, str]:
    return {r.id: catalogue.hashes.get(r.path, "") for r in book.records}


# What the lock keeps besides the record files, so that --changes can name every change that
# shapes a booklet: a short hash per record field, per recipe key, per vocabulary axis, per
# template file of the override chain and per key of the project file.

LOCK_VERSION = 2
#: recipe keys in the order the recipe file has them; the appendix switches under their YAML names
_RECIPE_ORDER = ("title", "subtitle", "organisation", "date", "lang", "paper", "intro", "sections", "pilot_pages",
                 "region_pages", "glossary", "sources", "licence")
_RECIPE_NAMES = {"glossary": "appendix.glossary", "sources": "appendix.sources", "licence": "appendix.licence"}
_OLD_LOCK_NOTE = "the lock was written by an older toolbox; only record files and the language compared"


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready lists and dicts. A query's place in its recipe is left out: moving
    it down a line changes nothing in the booklet."""
    if is_dataclass(value) and not isinstance(value, type):
        skip = ("line", "column", "field") if isinstance(value, Query) else ()
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.name not in skip}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _digest(value: Any) -> str:
    """A short, deterministic hash of a value (dict keys sorted; order kept where it matters, in lists)."""
    text = json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, default=str)
    return sha256(text.encode("utf-8"))[:16]


def _record_fields(record: Record) -> dict[str, str]:
    """Field name -> hash of its value, in the record's field order (``path`` is where, not what)."""
    return {f.name: _digest(getattr(record, f.name)) for f in fields(record) if f.name not in ("id", "path")}


def _recipe_hashes(recipe: Recipe) -> dict[str, str]:
    names = sorted((f.name for f in fields(recipe) if f.name != "path"),
                   key=lambda n: _RECIPE_ORDER.index(n) if n in _RECIPE_ORDER else len(_RECIPE_ORDER))
    out: dict[str, str] = {}
    for name in names:
        if name == "sections":
            for i, section in enumerate(recipe.sections):
                out[f"sections[{i}].title"] = _digest(section.title)
                out[f"sections[{i}].intro"] = _digest(section.intro)
                out[f"sections[{i}].include"] = _digest(section.items)
        else:
            out[_RECIPE_NAMES.get(name, name)] = _digest(getattr(recipe, name))
    return out


def _vocabulary_hashes(catalogue: Catalogue) -> dict[str, str]:
    """Per axis: what the booklet prints (axis label, terms in order with labels and descriptions)
    and the synonyms apart; plus the language names and the global synonyms."""
    vocab = catalogue.vocabulary
    if vocab is None:
        return {}
    out = {"languages": _digest(vocab.languages), "synonyms": _digest(vocab.synonyms)}
    for name, axis in vocab.axes.items():
        terms = list(axis.terms.items())
        out[f"{name} labels"] = _digest([axis.label, [[k, t.label, t.description, t.group] for k, t in terms]])
        out[f"{name} synonyms"] = _digest([[k, t.synonyms] for k, t in terms])
    return out


def _template_hashes(project: Path, extra: Path | None) -> dict[str, list[list[str]]]:
    """``handbook/…`` path -> ``[folder, hash]`` for each folder of the override chain holding it,
    the winning one first (the shipped copy counts too: ``shipped/…`` reaches it)."""
    dirs = template_dirs(project, extra)
    root = project.resolve()
    out: dict[str, list[list[str]]] = {}
    for n, folder in enumerate(dirs):
        if n == len(dirs) - 1:
            label = "shipped"
        else:
            resolved = folder.resolve()
            label = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)
        base = folder / "handbook"
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                out.setdefault(rel.as_posix(), []).append([label, sha256(path.read_bytes())[:16]])
    return dict(sorted(out.items()))


def _project_hashes(project: Path) -> dict[str, str]:
    """Top-level key -> hash of the project file (``methods/project.yaml``); empty without one."""
    from .files import PROJECT_FILE, content_root
    from .yamlsource import parse_yaml_bytes

    path = content_root(project) / PROJECT_FILE
    if not path.is_file():
        return {}
    raw = path.read_bytes()
    doc, _problems = parse_yaml_bytes(raw, PROJECT_FILE)
    if doc is None or not isinstance(doc.data, dict):
        return {"": sha256(raw)[:16]}  # unreadable: compared as a whole
    return {str(k): _digest(v) for k, v in doc.data.items()}


def _inputs(toolbox: Any, recipe: Recipe, templates: Path | None) -> dict[str, Any]:
    return {"recipe": _recipe_hashes(recipe), "vocabulary": _vocabulary_hashes(toolbox.catalogue),
            "templates": _template_hashes(toolbox.project, templates), "project": _project_hashes(toolbox.project)}


def _differing(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Keys whose value differs, was added (new order) or removed (old order)."""
    return [k for k in new if k not in old or old[k] != new[k]] + [k for k in old if k not in new]


def _template_change(old: Sequence[Sequence[str]], new: Sequence[Sequence[str]]) -> str:
    before = {str(label): h for label, h in old}
    after = {str(label): h for label, h in new}
    parts = [f"added in {label}" if label not in before else f"edited in {label}"
             for label, h in after.items() if before.get(label) != h]
    parts += [f"removed from {label}" for label in before if label not in after]
    return "; ".join(parts) or "order of the template folders changed"


def build(toolbox: Any, recipe: Recipe, output: Path, *, force: bool = False, templates: Path | None = None,
          progress: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    fmt = output_format(output)
    lock = lock_path(output)
    if output.exists() and not lock.exists() and not force:
        raise UsageError(f"{output} exists and was not written by 'toolbox handbook'; not overwritten "
                         "(use --force to replace it)")
    catalogue: Catalogue = toolbox.catalogue
    say = progress or (lambda _m: None)
    say("selecting records …")
    book = assemble(toolbox, recipe, progress)
    stale = [catalogue.stale[r.id] for r in book.records if r.id in catalogue.stale]
    if stale:  # a booklet prints what the files say now, not what the index kept
        raise ContentError(f"{len(stale)} record{'s' if len(stale) != 1 else ''} of the handbook cannot be loaded "
                           "now; nothing written", [p for entry in stale for p in entry.problems])
    if not book.records:
        raise UsageError("the recipe selects no records; nothing written",
                         [Problem(recipe.path, 0, 0, "", "the recipe selects no records",
                                  "check the ids and queries (try them with 'toolbox search')")])
    say(f"rendering {len(book.records)} records ({len(book.methods)} methods) as {fmt.upper()} …")
    text = render(book, catalogue, fmt, toolbox.project, templates)
    output.parent.mkdir(parents=True, exist_ok=True)
    pages: int | None = None
    if fmt == "pdf":
        say("laying out pages …")
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        os.close(fd)
        try:
            pages = html_to_pdf(text, Path(tmp), base_url=str(toolbox.project))
            os.chmod(tmp, 0o644)
            os.replace(tmp, output)
            fsync_dir(output.parent)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    else:
        atomic_write_text(output, text)
    lock_data = {
        "toolbox": __version__,
        "lock": LOCK_VERSION,
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "recipe": recipe.path,
        "lang": recipe.lang,
        "format": fmt,
        "records": _record_hashes(catalogue, book),
        "fields": {r.id: _record_fields(r) for r in book.records},
        "inputs": _inputs(toolbox, recipe, templates),
    }
    atomic_write_text(lock, json.dumps(lock_data, indent=1, ensure_ascii=False) + "\n")
    return BuildReport(output, fmt, len(book.records), len(book.methods), pages, time.perf_counter() - started, lock)


def changes(toolbox: Any, recipe: Recipe, output: Path, *, templates: Path | None = None) -> Changes:
    """What changed since the build that wrote ``output``'s lock: the records selected (added,
    removed, which fields changed), the recipe's keys, the vocabulary's axes, the template files
    of the override chain (``templates`` as given to :func:`build`) and the project file's keys.
    A lock from an older toolbox holds only the record files: those (and the language) are
    compared, and ``note`` says so."""
    lock = lock_path(output)
    try:
        data = json.loads(lock.read_text(encoding="utf-8"))
        old: dict[str, str] = data["records"]
        if not isinstance(old, dict):
            raise TypeError("records")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"no build record at {lock}",
                         [Problem(str(lock), 0, 0, "", "no lock file from an earlier build here",
                                  "build the handbook once with -o, then ask for --changes")]) from exc
    book = assemble(toolbox, recipe)
    new = _record_hashes(toolbox.catalogue, book)
    added = tuple(r for r in new if r not in old)
    removed = tuple(r for r in old if r not in new)
    old_fields = data.get("fields")
    old_fields = old_fields if isinstance(old_fields, dict) else {}
    in_book = {r.id: r for r in book.records}
    changed: list[str] = []
    changed_lines: list[str] = []
    for rid in new:
        if rid not in old:
            continue
        before = old_fields.get(rid)
        names = _differing(before, _record_fields(in_book[rid])) if isinstance(before, dict) else None
        if old[rid] == new[rid] and not names:
            continue
        changed.append(rid)
        if names is None:
            changed_lines.append(f"~ {rid}")  # an older lock: which fields is not known
        else:
            changed_lines.append(f"~ {rid}: {', '.join(names) if names else 'file only (comments or layout)'}")
    lines = [*(f"+ {r}" for r in added), *(f"- {r}" for r in removed), *changed_lines]
    inputs = data.get("inputs")
    note = ""
    if isinstance(inputs, dict):
        now = _inputs(toolbox, recipe, templates)
        for part in ("recipe", "vocabulary"):
            if isinstance(inputs.get(part), dict) and (names := _differing(inputs[part], now[part])):
                lines.append(f"~ {part}: {', '.join(names)}")
        if isinstance(inputs.get("templates"), dict):
            was, got = inputs["templates"], now["templates"]
            for rel in sorted({*was, *got}):
                if was.get(rel) != got.get(rel):
                    lines.append(f"~ template: {rel} ({_template_change(was.get(rel) or [], got.get(rel) or [])})")
        if isinstance(inputs.get("project"), dict) and (names := _differing(inputs["project"], now["project"])):
            shown = ", ".join(n for n in names if n)
            lines.append(f"~ project: {shown}" if shown else "~ project")
    else:
        if data.get("lang") and data["lang"] != recipe.lang:
            lines.append("~ recipe: lang")
        note = _OLD_LOCK_NOTE
    return Changes(lock, added, removed, tuple(changed), str(data.get("built", "")), tuple(lines), note)

