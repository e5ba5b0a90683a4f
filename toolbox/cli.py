"""The ``toolbox`` command. Each command parses its options, makes one library call and prints.

Errors raised on purpose (:class:`~toolbox.errors.ToolboxError`) become a message on stderr and
an exit code: 1 for problems in the content, 2 for usage errors (unknown option values, ids …).
"""

from __future__ import annotations

import functools
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import Problem, ToolboxError, sort_problems

F = TypeVar("F", bound=Callable[..., Any])
AXES = ("audience", "sector", "region", "effort", "kind")


def _display(path: str, project: Path) -> str:
    """A problem's path as the user can open it from the working folder."""
    if not path:
        return path
    full = project / path
    try:
        return os.path.relpath(full, Path.cwd()) if full.is_relative_to(Path.cwd()) else str(full)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(full)


def _echo_problems(problems: tuple[Problem, ...] | list[Problem], project: Path | None, err: bool) -> None:
    for p in problems:
        shown = Problem(_display(p.path, project) if project else p.path, p.line, p.column, p.field, p.message,
                        p.hint, p.severity)
        if not shown.path:
            text = (f"{shown.field}: " if shown.field else "") + shown.message
            if shown.hint:
                text += f"\n    hint: {shown.hint}"
        else:
            text = shown.format()
        color = "red" if p.severity == "error" else "yellow"
        head, _, rest = text.partition("\n")
        click.echo(click.style(head, fg=color) + ("\n" + rest if rest else ""), err=err)


def _report_error(exc: ToolboxError, project: Path | None) -> None:
    problems = exc.problems
    if len(problems) == 1 and not problems[0].path:
        # a problem with an option or argument: one line, and its hint
        p = problems[0]
        click.echo(click.style(f"Error: {p.field + ': ' if p.field else ''}{p.message}", fg="red"), err=True)
        if p.hint:
            click.echo(f"    hint: {p.hint}", err=True)
        return
    click.echo(click.style(f"Error: {exc.message}", fg="red", bold=bool(problems)), err=True)
    _echo_problems(problems, project, err=True)


def handle_errors(fn: F) -> F:
    """Turn a ToolboxError into a message on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ToolboxError as exc:
            ctx = click.get_current_context()
            _report_error(exc, ctx.obj.get("project") if ctx.obj else None)
            ctx.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _progress(message: str) -> None:
    click.echo(click.style(message, dim=True), err=True)


def _toolbox(ctx: click.Context, write: bool = False) -> Any:
    """The project a command works on: --project (or $TOOLBOX_PROJECT), else the project the
    working folder is in (found upwards, as git finds a repository), else the shipped toolbox —
    which a command that writes or checks the user's files refuses, and which a reading
    command names on stderr, so nobody mistakes the shipped records for their own."""
    from .api import Toolbox

    obj = ctx.obj
    if "toolbox" not in obj:
        folder = _project_folder(obj.get("project_arg"), write, ctx.info_name or "")
        obj["toolbox"] = Toolbox(folder, Path(obj["index_arg"]).resolve() if obj.get("index_arg") else None)
        obj["project"] = obj["toolbox"].project
    return obj["toolbox"]


def _project_folder(explicit: str | None, write: bool, command: str) -> Path:
    from .errors import UsageError
    from .paths import enclosing_project, shipped_project

    if explicit:
        folder = Path(explicit).expanduser().resolve()
        if not (folder / "methods").is_dir() and not (folder / "vocabulary.yaml").is_file():
            raise UsageError.about("project", f"{folder} is not a toolbox project (it has no methods/ folder)",
                                   f"start one there with  toolbox init {explicit}")
        return folder
    found = enclosing_project(Path.cwd())
    if found is not None:
        return found
    shipped = shipped_project().resolve()
    if write:
        raise UsageError.about("project", f"'toolbox {command}' works on your project, and {Path.cwd()} is not in one "
                               "(no methods/vocabulary.yaml here or in a folder above)",
                               "start a project with  toolbox init my-toolbox  (add --from-shipped to begin with "
                               "a copy of the shipped records), then run the command inside it; or pass "
                               "--project DIR")
    _progress(f"using the shipped toolbox ({shipped}): no project in {Path.cwd()} or above; "
              "'toolbox init' starts one")
    return shipped


def filter_options(fn: F) -> F:
    helps = {
        "audience": "Audience value, e.g. public-administration (repeat or comma-separate for OR).",
        "sector": "Sector value, e.g. design or cross-sector (repeat or comma-separate for OR).",
        "region": "Region record id, e.g. chemnitz (repeat or comma-separate for OR).",
        "effort": "Effort level: low, medium or high (repeat or comma-separate for OR).",
        "kind": "Record kind: method, pilot or region (repeat or comma-separate for OR).",
    }
    for axis in reversed(AXES):
        fn = click.option(f"--{axis}", f"{axis}_", multiple=True, metavar="VALUE", help=helps[axis])(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="toolbox")
@click.option("--project", "-p", "project_arg", metavar="DIR", envvar="TOOLBOX_PROJECT",
              help="Project folder holding methods/ (default: the project the working folder is in, found "
                   "upwards like git; else the shipped toolbox, for reading only). Env: TOOLBOX_PROJECT.")
@click.option("--index", "index_arg", metavar="DIR", envvar="TOOLBOX_INDEX",
              help="Where the search index lives (default: PROJECT/index, or a user cache folder for "
                   "the shipped toolbox). Env: TOOLBOX_INDEX.")
@click.pass_context
def main(ctx: click.Context, project_arg: str | None, index_arg: str | None) -> None:
    """CCI Method Toolbox: methods for supporting cultural and creative industries (CCI) in
    industrial regions, with pilot actions as reference examples and partner region profiles.

    \b
    Start here:
      toolbox search hackathon                  search (builds the index on first use)
      toolbox search --audience schools --lang de
      toolbox show industrial-hackathon         read one record with its links
      toolbox validate                          check your records, with file:line:col
      toolbox new method my-method              start a new record from a skeleton
      toolbox init my-toolbox                   start a toolbox of your own (docs/own-toolbox.md)
      toolbox info                              which project, index and languages are used

    Run 'toolbox COMMAND --help' for the options of each command.
    """
    ctx.ensure_object(dict)
    ctx.obj["project_arg"] = project_arg
    ctx.obj["index_arg"] = index_arg
    _tolerant_output()


def _tolerant_output() -> None:
    """Write what a strict UTF-8 stream cannot encode as an escape instead of failing.

    A file name that is not UTF-8 reaches Python as lone surrogates (``caf\\udce9.yaml``); with
    ``PYTHONIOENCODING=utf-8``, or a stdout that is not a terminal, printing a problem about that
    file raised UnicodeEncodeError and 'toolbox validate' ended in a traceback."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


# --------------------------------------------------------------------------- validate


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
@handle_errors
def validate(ctx: click.Context, path: Path | None, strict: bool, as_json: bool) -> None:
    """Check every record and the vocabulary; report all problems at once.

    PATH is a project folder (holding methods/) or a methods/ folder; default: the current
    project. Each problem is printed as  path:line:col: field: message  with a hint below.

    Exit status: 0 no errors (warnings allowed unless --strict), 1 problems found, 2 usage error.
    """
    from .api import Toolbox

    if path is not None:
        project = path.resolve()
        if project.name == "methods" and (project / "vocabulary.yaml").is_file():
            project = project.parent
        ctx.obj["project_arg"] = str(project)
    toolbox: Toolbox = _toolbox(ctx, write=True)
    catalogue = toolbox.catalogue
    from .templatecheck import check_templates

    # the project's template overrides are content too: a slip there breaks every handbook
    problems = tuple(sort_problems([*catalogue.problems, *check_templates(toolbox.project)]))
    template_errors = sum(p.severity == "error" for p in problems) - len(catalogue.errors)
    failed = bool(catalogue.errors) or template_errors > 0 or (strict and bool(catalogue.warnings))
    if as_json:
        payload = {
            "project": str(toolbox.project),
            "records": len(catalogue.records) - len(catalogue.stale),
            "files": len(catalogue.files),
            "stale": {rid: entry.path for rid, entry in sorted(catalogue.stale.items())},
            "errors": len(catalogue.errors) + template_errors,
            "warnings": len(catalogue.warnings),
            "problems": [{**p.to_dict(), "path": _display(p.path, toolbox.project)} for p in problems],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _echo_problems(problems, toolbox.project, err=False)
        n_err, n_warn = len(catalogue.errors) + template_errors, len(catalogue.warnings)
        _echo_stale(toolbox, problems=False)
        valid = len(catalogue.records) - len(catalogue.stale)
        summary = (f"{len(catalogue.files)} files checked: {valid} valid records, "
                   f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}")
        if problems:
            click.echo("")
        click.echo(click.style(summary, fg="red" if failed else "green", bold=True))
    ctx.exit(1 if failed else 0)


# --------------------------------------------------------------------------- index


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating what changed.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing unless something is wrong.")
@click.pass_context
@handle_errors
def index(ctx: click.Context, rebuild: bool, quiet: bool) -> None:
    """Build or update the search index.

    Only records whose files were added, changed or removed are re-indexed; a change of the
    vocabulary or of the toolbox's schema rebuilds everything. The live index is replaced
    atomically, so searches keep working during a build, and an interrupted build leaves the
    previous index in place. A record whose file has errors keeps its last good version in the
    index (and on the web page), marked stale; one that never loaded is left out. Either way
    the problems are printed and the exit status is 1.
    """
    toolbox = _toolbox(ctx, write=True)
    report = toolbox.build_index(rebuild=rebuild, progress=None if quiet else _progress)
    if report.skipped:
        _echo_problems(list(report.skipped), toolbox.project, err=True)
    _echo_stale(toolbox)
    if not quiet or report.skipped:
        click.echo(f"{report.summary()} in {report.seconds:.2f} s → {report.index_dir}")
        changed = [*(f"+ {r}" for r in report.added), *(f"~ {r}" for r in report.updated),
                   *(f"- {r}" for r in report.removed)]
        if not report.full and changed and not quiet:
            click.echo("\n".join(f"  {c}" for c in changed[:20]) + (
                f"\n  … {len(changed) - 20} more" if len(changed) > 20 else ""))
    ctx.exit(1 if report.skipped or report.stale else 0)


def _note_stale_index(toolbox: Any) -> None:
    """From the index alone (a search loads no records): which records are shown in their last
    good version, with the first problem of each file."""
    from .indexer import live_generation, read_state
    from .lastgood import stale_problems

    gen = live_generation(toolbox.index_dir)
    entries = (read_state(gen).get("stale") or {}) if gen is not None else {}
    for rid, problems in stale_problems(entries).items():
        first = problems[0] if problems else None
        where = f"{_display(first.path, toolbox.project)}:{first.line}:{first.column}: {first.message}" if first else ""
        _progress(f"stale: '{rid}' is shown in its last good version; {where} (see 'toolbox validate')")


def _echo_stale(toolbox: Any, problems: bool = True) -> None:
    """Say which records the index shows in their last good version, and why (file:line)."""
    stale = toolbox.catalogue.stale
    for rid, entry in sorted(stale.items()):
        shown = _display(entry.path, toolbox.project)
        click.echo(click.style(f"stale: '{rid}' is shown in its last good version; {shown} does not load now:",
                               fg="yellow"), err=True)
        if problems:
            _echo_problems(list(entry.problems), toolbox.project, err=True)


# --------------------------------------------------------------------------- search


def _run_search(ctx: click.Context, query: tuple[str, ...], filters: dict[str, tuple[str, ...]], lang: str | None,
                limit: int | None, sort: str, update: bool = True, correct: bool = True) -> Any:
    toolbox = _toolbox(ctx)
    report = toolbox.ensure_index(progress=_progress) if update else None
    if report is not None:
        _progress(report.summary())
        if report.skipped:
            _progress("some records have errors and were left out; run 'toolbox validate' for details")
    _note_stale_index(toolbox)
    return toolbox.search(" ".join(query), lang=lang, limit=limit, sort=sort, update=False, correct=correct,
                          **filters)


@main.command()
@click.argument("query", nargs=-1)
@filter_options
@click.option("--lang", "-l", default=None, metavar="CODE",
              help="Language to show results in (the shipped toolbox: en, de, cs, pl, sl, it, nl, hr); the "
                   "language the records are written in (default) stands in where a text is missing. Queries "
                   "match every language.")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(min=0),
              help="Number of hits to show (facet counts always cover all matches).")
@click.option("--all", "show_all", is_flag=True, help="Show every hit.")
@click.option("--sort", type=click.Choice(["relevance", "title", "effort"]), default="relevance",
              show_default=True, help="Order of the hits.")
@click.option("--exact", is_flag=True,
              help="Search the words as typed: no typo correction (a close word is only suggested).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (shape: docs/json.md).")
@click.option("--no-update", is_flag=True,
              help="Search the index as it is, without checking the records for changes first (for scripts "
                   "that run 'toolbox index' themselves; a large project saves the file scan).")
@click.pass_context
@handle_errors
def search(ctx: click.Context, /, query: tuple[str, ...], lang: str | None, limit: int, show_all: bool, sort: str,
           exact: bool, as_json: bool, no_update: bool, **axes: tuple[str, ...]) -> None:
    """Search methods, pilot actions and regions.

    QUERY is plain words or a sentence in any supported language ("Wie öffnen wir leere Hallen
    für Kreative?", "skofja loka"). Every word counts and none is required: records holding
    more of the words, and holding them in the title, come first; methods before pilot actions
    at equal relevance. Words match by stem and without accents, German and Dutch compounds
    match their parts, and the vocabulary's synonyms count (KKW = CCI). A word that matches
    nothing is corrected when a close word exists in the --lang language, and the output says
    so (--exact turns that off).

    Syntax for those who want it: "exact phrase", +required, -excluded, AND, OR, NOT,
    title_en:hackathon, wild* (a wildcard that stands for more than 2,000 words of the index is
    refused; a lone * lists everything). See docs/search.md.

    Filters narrow the result: several values of one filter are OR, different filters are AND.
    With no QUERY, everything that matches the filters is listed.

    \b
    Examples:
      toolbox search hackathon
      toolbox search industrial culture --region zwickau-district
      toolbox search --audience schools,youth --effort low --lang de
      toolbox search "help desk" --json
    """
    filters = {axis: axes[f"{axis}_"] for axis in AXES}
    result = _run_search(ctx, query, filters, lang, None if show_all else limit, sort, update=not no_update,
                         correct=not exact)
    if as_json:
        from .reports import result_to_json

        click.echo(json.dumps(result_to_json(result), indent=2, ensure_ascii=False))
        return
    from .terminal import render_result

    click.echo(render_result(result, click.style, lang=result.lang))


# --------------------------------------------------------------------------- show


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--lang", "-l", default=None, metavar="CODE",
              help="Language to show (default: the language the records are written in).")
@click.option("--json", "as_json", is_flag=True, help="Print the record, all languages, as JSON.")
@click.pass_context
@handle_errors
def show(ctx: click.Context, record_id: str, lang: str | None, as_json: bool) -> None:
    """Show one record with its linked records (pilots of a method, methods of a pilot …)."""
    toolbox = _toolbox(ctx)
    catalogue = toolbox.catalogue
    record = catalogue.require(record_id)
    lang = lang or catalogue.settings.source_language
    if as_json:
        from .reports import record_to_json

        click.echo(json.dumps(record_to_json(record, catalogue), indent=2, ensure_ascii=False))
        return
    if catalogue.vocabulary and lang not in catalogue.vocabulary.languages:
        from .errors import UsageError, did_you_mean

        raise UsageError(f"unknown language '{lang}'", [Problem("", 0, 0, "lang", f"unknown language '{lang}'",
                                                                did_you_mean(lang, catalogue.vocabulary.languages))])
    from .terminal import render_record

    click.echo(render_record(record, catalogue, lang, click.style))


# --------------------------------------------------------------------------- stats


@main.command()
@click.option("--lang", "-l", default=None, metavar="CODE",
              help="Language of the headings (default: the language the records are written in).")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.pass_context
@handle_errors
def stats(ctx: click.Context, lang: str | None, as_json: bool) -> None:
    """Counts per kind and tag value, and how complete each language is."""
    from .reports import stats as compute

    toolbox = _toolbox(ctx)
    lang = lang or toolbox.catalogue.settings.source_language
    data = compute(toolbox.catalogue)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from .terminal import render_stats

    click.echo(render_stats(data, click.style, lang))


# --------------------------------------------------------------------------- export


@main.command()
@click.argument("query", nargs=-1)
@filter_options
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--lang", "-l", default=None, metavar="CODE",
              help="Language of the CSV title and summary columns (JSON holds every language); default: the "
                   "language the records are written in.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (CSV: a data dictionary FILE.columns.csv is written beside it). "
                   "Default: standard output.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--columns", is_flag=True, help="Print the CSV data dictionary and exit.")
@click.pass_context
@handle_errors
def export(ctx: click.Context, /, query: tuple[str, ...], fmt: str, lang: str | None, output: Path | None, force: bool,
           columns: bool, **axes: tuple[str, ...]) -> None:
    """Export a result set, or every record, as JSON or CSV.

    Takes the same QUERY and filters as 'search'; with neither, exports everything.
    """
    from .export import dictionary_csv, to_csv, to_json

    if columns:
        click.echo(dictionary_csv(), nl=False)
        return
    filters = {axis: axes[f"{axis}_"] for axis in AXES}
    toolbox = _toolbox(ctx)
    result = _run_search(ctx, query, filters, lang, None, "relevance" if query else "title")
    lang = result.lang
    catalogue = toolbox.catalogue
    records = [catalogue.records[h.id] for h in result.hits if h.id in catalogue.records]
    text = to_csv(records, catalogue, lang) if fmt == "csv" else to_json(records, catalogue, " ".join(query),
                                                                          result.filters)
    if output is None:
        click.echo(text, nl=False)
        return
    from .fileio import atomic_write_text, refuse_to_overwrite

    targets = [output] + ([output.with_name(output.stem + ".columns.csv")] if fmt == "csv" else [])
    refuse_to_overwrite(targets, force)
    atomic_write_text(output, text)
    if fmt == "csv":
        atomic_write_text(targets[1], dictionary_csv())
    click.echo(f"wrote {len(records)} records to {output}" + (f" (columns: {targets[1]})" if fmt == "csv" else ""),
               err=True)


# --------------------------------------------------------------------------- handbook


@main.command()
@click.argument("recipe", required=False)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="The handbook to write: .pdf, .html (one self-contained file) or .md. "
                   "Default: the recipe's name with .pdf, in the working folder.")
@click.option("--query", "-q", default=None, metavar="WORDS",
              help="Quick form without a recipe: the methods matching these words (and the filters).")
@filter_options
@click.option("--lang", "-l", default=None, metavar="CODE", help="Language (quick form; a recipe sets its own).")
@click.option("--paper", type=click.Choice(["A4", "A5"], case_sensitive=False), default=None,
              help="Paper size (quick form; a recipe sets its own). Default A4.")
@click.option("--title", default=None, help="Title on the cover (quick form).")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=None, help="At most this many methods (quick form).")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of templates that override the shipped ones (default: PROJECT/templates).")
@click.option("--changes", "show_changes", is_flag=True,
              help="Do not build; name what changed since the last build of OUTPUT: records (and their fields), "
                   "the recipe, the vocabulary, templates and the project file.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT even if 'toolbox handbook' did not write it.")
@click.option("--shipped", is_flag=True,
              help="Build from the shipped toolbox's records, wherever RECIPE is (for a recipe downloaded from "
                   "its web page).")
@click.pass_context
@handle_errors
def handbook(ctx: click.Context, /, recipe: str | None, output: Path | None, query: str | None, lang: str | None,
             paper: str | None, title: str | None, limit: int | None, templates: Path | None, show_changes: bool,
             force: bool, shipped: bool, **axes: tuple[str, ...]) -> None:
    """Build a printable handbook (PDF, HTML or Markdown) from a RECIPE or a quick query.

    A recipe (YAML; see docs/handbook.md) sets the title, language, paper size, an introduction
    and sections of chosen records and searches. RECIPE is a file, or the name of a recipe in
    methods/recipes/ (the shipped ones: verwaltung-a5-de, catalogue-a4-en). The records come
    from the project the recipe file is in, else from the project you are in; a recipe outside
    any project is refused unless --shipped says to use the shipped records. Each build writes
    OUTPUT.lock.json beside the handbook, so a later  --changes  can tell what changed.

    \b
    Examples:
      toolbox handbook verwaltung-a5-de -o schulung.pdf
      toolbox handbook my-recipe.yaml -o booklet.html
      toolbox handbook --query Hackathon --lang de --paper A5 -o hackathon.pdf
      toolbox handbook --audience schools --kind method -o schools.md
      toolbox handbook verwaltung-a5-de -o schulung.pdf --changes
      toolbox handbook --shipped ~/Downloads/booklet-recipe.yaml -o booklet.pdf
    """
    from .handbook import build, changes
    from .model import Filters
    from .recipe import load_recipe, recipe_from_query

    if shipped:
        from .paths import shipped_project

        ctx.obj["project_arg"] = str(shipped_project())
    elif recipe is not None and not ctx.obj.get("project_arg") and Path(recipe).is_file():
        _recipe_project(ctx, Path(recipe))
    toolbox = _toolbox(ctx)
    filters = Filters.of({axis: axes[f"{axis}_"] for axis in AXES})
    if recipe is not None:
        if query is not None or filters.as_dict() or lang or paper or title or limit:
            from .errors import UsageError

            raise UsageError("give either a RECIPE or the quick-form options (--query, filters, --lang …), not both")
        from .recipe import find_recipe

        recipe_path = find_recipe(recipe, toolbox.project)
        plan = load_recipe(recipe_path, toolbox.catalogue, str(recipe_path.resolve()))
        default_name = recipe_path.stem
    else:
        if query is None and not filters.as_dict():
            from .errors import UsageError

            raise UsageError("nothing to put in the handbook",
                             [Problem("", 0, 0, "", "nothing to put in the handbook",
                                      "give a RECIPE file, or --query and/or filters such as --audience schools")])
        language = lang or toolbox.catalogue.settings.source_language
        if toolbox.catalogue.vocabulary and language not in toolbox.catalogue.vocabulary.languages:
            from .errors import UsageError, did_you_mean

            raise UsageError(f"unknown language '{language}'",
                             [Problem("", 0, 0, "lang", f"unknown language '{language}'",
                                      did_you_mean(language, toolbox.catalogue.vocabulary.languages))])
        plan = recipe_from_query(query or "", filters, title=title or "", lang=language,
                                 paper=(paper or "A4").upper(), limit=limit)
        default_name = "handbook"
    target = output or Path(f"{default_name}.pdf")
    if show_changes:
        report = changes(toolbox, plan, target, templates=templates)
        if not report.any:
            click.echo(f"no changes since the build of {report.built} ({report.lock})")
        else:
            click.echo(f"changes since the build of {report.built}:")
            for line in report.lines:  # records (+, -, ~), recipe, vocabulary, templates, project
                click.echo(f"  {line}")
        if report.note:
            click.echo(f"note: {report.note}")
        if report.any:
            ctx.exit(1)
        return
    progress = _progress if sys.stderr.isatty() else None
    result = build(toolbox, plan, target, force=force, templates=templates, progress=progress)
    pages = f", {result.pages} pages" if result.pages else ""
    methods = f"{result.methods} method{'s' if result.methods != 1 else ''}"
    records = f"{result.records} record{'s' if result.records != 1 else ''}"
    click.echo(f"wrote {result.output} ({methods}, {records}{pages}) "
               f"in {result.seconds:.1f} s; lock: {result.lock.name}")


def _recipe_project(ctx: click.Context, recipe: Path) -> None:
    """A recipe file names the records of the project it lies in; one outside any project is
    refused rather than quietly built from the shipped records."""
    from .errors import UsageError
    from .paths import enclosing_project

    owner = enclosing_project(recipe.resolve().parent) or enclosing_project(Path.cwd())
    if owner is None:
        raise UsageError.about("recipe", f"{recipe} is not inside a toolbox project, and neither is {Path.cwd()}",
                               "run the command inside your project, pass --project DIR, or add --shipped to "
                               "build it from the shipped toolbox's records")
    ctx.obj["project_arg"] = str(owner)


# --------------------------------------------------------------------------- serve


def _loopback(host: str) -> bool:
    """True when ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--workers", "-w", default=min(4, os.cpu_count() or 1), show_default="cores, at most 4",
              type=click.IntRange(1, 64), help="Worker processes; searching is CPU-bound, so one per core.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker (they overlap network waits, not searches).")
@click.option("--debug", is_flag=True, help="Flask's development server with debugger and reloader, one process; "
                                             "refused unless --host is a loopback address.")
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str, port: int, workers: int, threads: int, debug: bool) -> None:
    """Serve the web interface (builds or updates the index first).

    Runs the app under waitress in WORKERS processes that share one listening socket; a worker
    that dies is restarted. Ctrl+C or SIGTERM stops them all. Behind a reverse proxy this is
    fit for production; 'waitress-serve --call toolbox.web:create_app' or gunicorn work too
    (see the README).

    \b
    Examples:
      toolbox serve                      # http://127.0.0.1:8000/
      toolbox serve --host 0.0.0.0 --port 8080 --workers 2
    """
    if debug and not _loopback(host):
        from .errors import UsageError

        raise UsageError.about("host", f"--debug is only allowed on this machine's own address, not on {host}",
                               "the debugger runs any code typed into the browser; use --host 127.0.0.1 with "
                               "--debug, or serve without --debug")
    toolbox = _toolbox(ctx)
    from .errors import ContentError
    from .templatecheck import check_templates

    broken = [p for p in check_templates(toolbox.project) if p.severity == "error"]
    if broken:  # refused at start, not as a 500 on every page
        raise ContentError("the project's template overrides have errors; not serving", broken)
    report = toolbox.ensure_index(progress=_progress)
    if report is not None:
        _progress(report.summary())
    _note_stale_index(toolbox)
    if debug:
        from .web import create_app

        app = create_app(toolbox.project, toolbox.index_dir)
        click.echo(f"serving {toolbox.project} on http://{host}:{port}/ in debug mode (Ctrl+C to stop)", err=True)
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return
    from .server import bind
    from .server import serve as run_server

    try:
        sock = bind(host, port)
    except OSError as exc:
        from .errors import UsageError

        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         [Problem("", 0, 0, "port", f"cannot listen on {host}:{port}",
                                  "choose another --port, or stop what is using it")]) from exc
    bound_host, bound_port = sock.getsockname()[:2]
    project, index_dir = toolbox.project, toolbox.index_dir
    # the records an update loaded are not the workers' business
    del toolbox, report
    ctx.obj.pop("toolbox", None)
    import gc

    gc.collect()
    click.echo(f"serving {project} on http://{bound_host}:{bound_port}/ with {workers} worker"
               f"{'s' if workers != 1 else ''} (Ctrl+C to stop)", err=True)
    run_server(project, index_dir, sock, workers=workers, threads=threads, log=lambda m: click.echo(m, err=True))


# --------------------------------------------------------------------------- benchmark


@main.command()
@click.option("--records", "-n", default="300", show_default=True, metavar="N,N…",
              help="Corpus sizes to measure, comma-separated (the published table uses 300,5000,10000).")
@click.option("--no-pdf", is_flag=True, help="Skip the handbook rows (they need 30 and 200 methods).")
@click.option("--no-web", is_flag=True, help="Skip the concurrent web search rows.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the tables (Markdown, or JSON with --json) to this file.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the generated corpora and indexes in this folder.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output file.")
@click.option("--relevance", is_flag=True,
              help="Measure ranking quality on judged queries instead of timings (nDCG@5, MRR@10, success@3).")
@click.option("--judgments", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="With --relevance: the judged queries (YAML; default: the set shipped with the toolbox).")
@click.option("--worst", default=10, show_default=True, type=click.IntRange(min=0), metavar="N",
              help="With --relevance: list the N queries the toolbox ranks worst.")
@click.option("--json", "as_json", is_flag=True, help="With --relevance: print the report as JSON.")
@click.pass_context
@handle_errors
def benchmark(ctx: click.Context, records: str, no_pdf: bool, no_web: bool, output: Path | None, keep: Path | None,
              force: bool, relevance: bool, judgments: Path | None, worst: int, as_json: bool) -> None:
    """Measure the toolbox against an SQLite FTS5 baseline: speed on synthetic corpora, or
    ranking quality on judged queries (--relevance).

    Timings (the default): generates N valid records per size, then times a full build, a
    one-record update, warm searches with facet counts (p50/p95, with and without filters),
    filter-only queries, a cold 'toolbox search' process, web search under 16 concurrent
    clients, handbooks of 30 and 200 methods, and peak memory; the same queries run on FTS5
    built from the same documents and must return the same hits and facet counts. Not part of
    the test run (a smoke run is).

    Relevance (--relevance): runs every query of a judged set (YAML: id, query, lang, type and
    the relevant record ids with grades, 2 ideal, 1 relevant) on the project's records, with the
    toolbox and with FTS5-OR (the query's words ORed, ranked by bm25) over the same documents,
    and prints nDCG@5, MRR@10, success@3 and the share of queries without results: overall,
    per language, per query type, and the worst queries. Takes seconds.

    \b
    Examples:
      toolbox benchmark --records 300,5000,10000 -o docs/benchmark-latest.md   (several minutes)
      toolbox benchmark --relevance                      shipped judged set, shipped records
      toolbox benchmark --relevance --judgments my-queries.yaml --worst 20
      toolbox -p my-project benchmark --relevance --judgments j.yaml --json -o relevance.json
    """
    from click.core import ParameterSource

    from .errors import UsageError

    def given(*names: str) -> list[str]:
        return [name for name in names if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT]

    flags = {"records": "--records", "no_pdf": "--no-pdf", "no_web": "--no-web", "keep": "--keep",
             "judgments": "--judgments", "worst": "--worst", "as_json": "--json"}
    if relevance and (timing_only := given("records", "no_pdf", "no_web", "keep")):
        raise UsageError.about(flags[timing_only[0]], "only for the timing benchmark, not with --relevance",
                               "run the two benchmarks as separate commands")
    if not relevance and (relevance_only := given("judgments", "worst", "as_json")):
        raise UsageError.about(flags[relevance_only[0]], "only with --relevance",
                               f"toolbox benchmark --relevance {flags[relevance_only[0]]} …")
    try:
        sizes = [int(x) for x in records.split(",") if x.strip()]
    except ValueError as exc:
        raise UsageError(f"--records takes whole numbers, got '{records}'") from exc
    if output:
        from .fileio import refuse_to_overwrite

        refuse_to_overwrite([output], force)  # before measuring, not after
    if relevance:
        from .relevance import evaluate, format_report, report_json

        report = evaluate(_toolbox(ctx), judgments, say=_progress)
        text = (json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n" if as_json
                else format_report(report, worst=worst))
    else:
        from .benchmark import main as run_benchmark

        if keep:
            keep.mkdir(parents=True, exist_ok=True)
        text = run_benchmark(sizes, pdf=not no_pdf, web=not no_web, keep=keep, say=_progress)
    click.echo(text, nl=False)
    if output:
        from .fileio import atomic_write_text

        atomic_write_text(output, text)


# --------------------------------------------------------------------------- similar


@main.command()
@click.argument("region_id", required=False, metavar="[REGION]")
@click.option("--population", metavar="N|A-B", help="Inhabitants, or a band such as 50000-150000 (350k works).")
@click.option("--industries", metavar="A,B", help="Traditional industries (vocabulary 'industry'), comma-separated.")
@click.option("--settlement", metavar="TYPE",
              help="Settlement type: city, polycentric, rural-industrial, large-region.")
@click.option("--limit", "-n", default=5, show_default=True, type=click.IntRange(min=1), help="Regions to list.")
@click.option("--lang", "-l", default=None, metavar="CODE",
              help="Language of labels and titles (default: the language the records are written in).")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
@click.pass_context
@handle_errors
def similar(ctx: click.Context, region_id: str | None, population: str | None, industries: str | None,
            settlement: str | None, limit: int, lang: str | None, as_json: bool) -> None:
    """Regions like REGION (a region id), or like a profile you describe, with the reasons and
    the pilot actions tried there.

    Similarity weighs shared traditional industries most, then size, then settlement type.

    \b
    Examples:
      toolbox similar sokolov-east
      toolbox similar --population 120000 --industries coal-mining,glass --settlement polycentric
    """
    from .similar import parse_population

    toolbox = _toolbox(ctx)
    lang = lang or toolbox.catalogue.settings.source_language
    results = toolbox.similar(
        region_id,
        population=parse_population(population) if population else None,
        industries=[i.strip() for i in (industries or "").split(",") if i.strip()],
        settlement=(settlement or "").strip(),
        lang=lang,
        limit=limit,
    )
    if as_json:
        click.echo(json.dumps([{
            "id": s.region.id, "title": s.region.title.get(lang), "score": s.score,
            "shared_industries": list(s.shared_industries),
            "related_industries": [list(pair) for pair in s.related_industries],
            "size_ratio": s.size_ratio and round(s.size_ratio, 2),
            "same_settlement": s.same_settlement, "reasons": list(s.reasons), "pilots": [p.id for p in s.pilots],
        } for s in results], indent=2, ensure_ascii=False))
        return
    from .catalogs import format_number
    from .labels import cli_labels

    C = cli_labels(lang)
    what = toolbox.record(region_id).title.get(lang) if region_id else C["your_profile"]
    click.echo(click.style(C["regions_like"].format(what=what), bold=True))
    for i, s in enumerate(results, 1):
        title = click.style(s.region.title.get(lang), bold=True)
        score = C["score_of"].format(score=format_number(s.score, lang, decimals=2))
        click.echo(f"\n{i:>2}. {title}  ({s.region.id}, {score})")
        for reason in s.reasons or (C["nothing_in_common"],):
            click.echo(f"      - {reason}")
        for pilot in s.pilots:
            click.echo(f"      {C['pilot']}: {pilot.id} — {pilot.title.get(lang)}")


from . import cli_project  # noqa: E402,F401  (registers 'i18n', 'new', 'schema', 'init' and 'info')

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
