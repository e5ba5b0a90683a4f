"""The commands that look after a project rather than read it: ``i18n``, ``new``, ``schema``,
``init`` and ``info``.

Registered on the main group by :mod:`toolbox.cli` (kept apart to keep that module short)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from .cli import _progress, _toolbox, handle_errors, main

# --------------------------------------------------------------------------- i18n


@main.command()
@click.option("--lang", "-l", "langs", multiple=True, metavar="CODE",
              help="Languages to report (repeat or comma-separate; default: every language but the source language).")
@click.option("--all", "show_all", is_flag=True, help="List missing fields too (they are only counted otherwise).")
@click.option("--check", is_flag=True, help="Exit 1 if anything reported is missing, stale or unstamped.")
@click.option("--stamp", "stamp_lang", metavar="CODE",
              help="Record that the CODE texts of the given records (default: all) follow the current "
                   "source-language text. Writes the 'translations:' block of each record file.")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@handle_errors
def i18n(ctx: click.Context, langs: tuple[str, ...], show_all: bool, check: bool, stamp_lang: str | None,
         ids: tuple[str, ...], as_json: bool) -> None:
    """Report missing and stale translations, per language and record.

    Each record can remember, per language and field, which English text its translation was
    made from. After editing an English text, its translations show up here as stale until a
    translator updates them and runs  toolbox i18n --stamp de ID .

    \b
    Examples:
      toolbox i18n                      summary for every language, stale fields listed
      toolbox i18n --lang de --check    fail if German is incomplete or stale (for CI)
      toolbox i18n --lang cs --all      list every missing Czech field
      toolbox i18n --stamp de industrial-hackathon
    """
    from .translations import check_languages, stamp, translation_status

    toolbox = _toolbox(ctx, write=bool(stamp_lang))
    catalogue = toolbox.catalogue
    if stamp_lang:
        changed = stamp(catalogue, stamp_lang, ids)
        click.echo(f"stamped {stamp_lang} in {len(changed)} record{'s' if len(changed) != 1 else ''}"
                   + (": " + ", ".join(changed) if changed and len(changed) <= 10 else ""))
        return
    wanted = [p.strip() for item in langs for p in item.split(",") if p.strip()]
    if not wanted:
        wanted = [lang for lang in (catalogue.vocabulary.languages if catalogue.vocabulary else [])
                  if lang != catalogue.settings.source_language]
    languages = check_languages(catalogue, wanted)
    summaries, fields = translation_status(catalogue, languages)
    if ids:
        fields = [f for f in fields if f.record_id in ids]
    if as_json:
        click.echo(json.dumps({
            "languages": [s.__dict__ for s in summaries],
            "fields": [f.__dict__ for f in fields],
        }, indent=2, ensure_ascii=False))
    else:
        for s in summaries:
            click.echo(click.style(f"{s.lang}", bold=True) + f"  {s.translated}/{s.fields} fields translated, "
                       f"{s.up_to_date} up to date, {s.stale} stale, {s.unstamped} unstamped, {s.missing} missing")
            for status in ("stale", "unstamped", "missing"):
                chosen = [f for f in fields if f.lang == s.lang and f.status == status]
                if not chosen or (status == "missing" and not show_all):
                    continue
                by_record: dict[str, list[str]] = {}
                for f in chosen:
                    by_record.setdefault(f.record_id, []).append(f.field)
                for record_id, names in by_record.items():
                    click.echo(f"  {status:<9} {record_id:<34} {', '.join(names)}")
            if s.missing and not show_all:
                click.echo(click.style(f"  ({s.missing} missing fields; --all lists them)", dim=True))
    if check and fields:
        ctx.exit(1)


# --------------------------------------------------------------------------- new, schema


@main.command()
@click.argument("kind", type=click.Choice(["method", "pilot", "region"]))
@click.argument("record_id", metavar="ID")
@click.pass_context
@handle_errors
def new(ctx: click.Context, kind: str, record_id: str) -> None:
    """Write a commented skeleton for a new record; never overwrites a file.

    The file goes to methods/ (method), methods/pilots/ (pilot) or methods/regions/ (region)
    of the project you are in (found from the working folder upwards), wherever in it you
    run the command. Outside a project it refuses: start one with 'toolbox init'. Fill the
    file in, then run 'toolbox validate'.
    """
    from .skeleton import write_skeleton

    project = _toolbox(ctx, write=True).project
    target = write_skeleton(project, kind, record_id)
    shown = os.path.relpath(target) if target.is_relative_to(Path.cwd()) else str(target)
    click.echo(f"wrote {shown}; fill it in, then run: toolbox validate")


@main.command()
@click.argument("kind", required=False, type=click.Choice(["method", "pilot", "region"]))
@click.option("--write", "write_dir", is_flag=False, flag_value="", default=None, metavar="[DIR]",
              help="Write KIND.schema.json for every kind into DIR (default: the project's schema/ folder, "
                   "which 'toolbox init' points VS Code at).")
@click.option("--generic", is_flag=True,
              help="The schema without the project's vocabulary (tags as any id), as published in docs/schema.")
@click.option("--force", is_flag=True, help="With --write: replace schema files that differ from this version's.")
@click.pass_context
@handle_errors
def schema(ctx: click.Context, kind: str | None, write_dir: str | None, generic: bool, force: bool) -> None:
    """Print the JSON Schema of a record kind, for YAML editors (see docs/records.md).

    The schema knows the project's own vocabulary: tag fields list its values (with their
    labels), region fields its region ids, texts its languages, and a bad date reads "not a
    date; write YYYY, YYYY-MM or YYYY-MM-DD". Run 'toolbox schema --write' again after
    changing the vocabulary. --write refreshes the files it wrote before; a file of the same
    name with other content is left alone unless --force is given.

    \b
    Examples:
      toolbox schema --write                 schema/*.schema.json of this project
      toolbox schema pilot                   print one
      toolbox schema --generic --write docs/schema
    """
    from .model import KINDS
    from .schema import json_schema_text

    if write_dir in KINDS and kind is None and not Path(write_dir).is_dir():
        # 'schema --write pilot' reads as "write the pilot schema", but would make a folder 'pilot'
        from .errors import UsageError

        raise UsageError.about("write", f"--write takes a folder, and '{write_dir}' is a record kind",
                               f"--write alone writes every kind into schema/; to print one: "
                               f"toolbox schema {write_dir}")
    vocabulary, regions = None, None
    if not generic:
        toolbox = _toolbox(ctx, write=write_dir is not None)
        catalogue = toolbox.catalogue
        vocabulary = catalogue.vocabulary
        regions = sorted(r.id for r in catalogue.of_kind("region"))
        if vocabulary is None:
            _progress("the vocabulary has errors ('toolbox validate' lists them): tag fields accept any id")
    if write_dir is not None:
        folder = Path(write_dir) if write_dir else _toolbox(ctx, write=True).project / "schema"
        folder.mkdir(parents=True, exist_ok=True)
        from .fileio import atomic_write_text, refuse_to_overwrite

        ours = {k: json_schema_text(k, vocabulary, regions) for k in KINDS}
        refuse_to_overwrite([p for k in KINDS if (p := folder / f"{k}.schema.json").exists()
                             and not _is_schema_file(p)], force)
        for k in KINDS:
            atomic_write_text(folder / f"{k}.schema.json", ours[k])
            click.echo(f"wrote {folder / f'{k}.schema.json'}", err=True)
        return
    click.echo(json_schema_text(kind or "method", vocabulary, regions), nl=False)


def _is_schema_file(path: Path) -> bool:
    """Whether ``path`` holds a schema this command wrote (any version): those are refreshed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("$id", "")).endswith(f"/{path.name}")


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="The toolbox's name (cover, web page title). Default: from DIR, e.g. 'Ruhr Toolbox'.")
@click.option("--publisher", help="The organisation that publishes the records (licence page, footer).")
@click.option("--contact", help="The organisation to contact about the content (no private persons).")
@click.option("--email", help="A functional contact address, e.g. info@… .")
@click.option("--licence", default="CC BY 4.0", show_default=True, help="Licence of the texts (short name).")
@click.option("--licence-url", default="https://creativecommons.org/licenses/by/4.0/", show_default=True,
              help="Where the licence is explained ('' for none).")
@click.option("--lang", "-l", "langs", multiple=True, metavar="CODE",
              help="Languages of the records, source language first (repeat or comma-separate). Default: en.")
@click.option("--required", "required", multiple=True, metavar="CODE",
              help="Languages every record must be complete in for 'validate --strict'. Default: the first --lang.")
@click.option("--from-shipped", is_flag=True,
              help="Start from a copy of every shipped record (cut to --lang) instead of three examples.")
@click.pass_context
@handle_errors
def init(ctx: click.Context, folder: Path, name: str | None, publisher: str | None, contact: str | None,
         email: str | None, licence: str, licence_url: str, langs: tuple[str, ...], required: tuple[str, ...],
         from_shipped: bool) -> None:
    """Start a project of your own in DIR (default: the working folder).

    Writes methods/project.yaml (name, publisher, contact, licence, languages), a vocabulary,
    one example record per kind (a method, a pilot action that used it and its region, adapted
    from the shipped records with their sources), a handbook recipe, a README for editors,
    the JSON Schema for YAML editors with VS Code settings, and a .gitignore. 'toolbox
    validate' is clean right after. Refuses a folder that already holds methods/.

    \b
    Examples:
      toolbox init ruhr-toolbox --name "Ruhr-Kreativ-Werkzeugkasten" --publisher "Stadt Bochum" --lang de
      toolbox init linz --lang de,en --required de,en --from-shipped
      cd ruhr-toolbox && toolbox validate && toolbox serve
    """
    from .errors import UsageError, did_you_mean
    from .schema import LANG_PATTERN
    from .starter import ProjectPlan, default_name, init_project

    def codes(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.strip().lower() for v in values for c in v.split(",") if c.strip()))

    languages = codes(langs) or ("en",)
    import re

    for code in languages:
        if not re.match(LANG_PATTERN, code):
            raise UsageError.about("lang", f"'{code}' is not a two-letter language code", "for example --lang de,en")
    needed = codes(required) or languages[:1]
    for code in needed:
        if code not in languages:
            raise UsageError.about("required", f"'{code}' is not one of the languages given with --lang",
                                   did_you_mean(code, languages) or f"add it: --lang {','.join((*languages, code))}")
    plan = ProjectPlan(folder, name or default_name(folder), publisher or "", contact or "", email or "",
                       licence, licence_url, languages, languages[0], needed, from_shipped)
    written = init_project(plan)
    written += _schemas(folder)
    shown = os.path.relpath(folder) if folder.resolve().is_relative_to(Path.cwd()) else str(folder)
    records = sum(1 for p in written if p.parent.name in ("methods", "pilots", "regions")
                  and p.name not in ("project.yaml", "vocabulary.yaml", "terms.yaml"))
    click.echo(f"wrote a project '{plan.name}' in {shown}: {records} records, {len(written)} files "
               f"(languages: {', '.join(languages)}; required: {', '.join(needed)}; licence: {licence})")
    step = "" if shown == "." else f"cd {shown}\n  "
    click.echo(f"next:\n  {step}toolbox validate\n  toolbox search\n  toolbox serve\n"
               "  toolbox handbook handbook -o handbook.pdf\n"
               "then edit methods/project.yaml (publisher, contact, licence) and replace the examples.")


def _schemas(folder: Path) -> list[Path]:
    """The editors' JSON Schema, from the new project's own vocabulary."""
    from .project import load_catalogue
    from .schema import write_schemas

    catalogue = load_catalogue(folder.resolve())
    regions = sorted(r.id for r in catalogue.of_kind("region"))
    return list(write_schemas(folder / "schema", catalogue.vocabulary, regions))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the information as JSON.")
@click.pass_context
@handle_errors
def info(ctx: click.Context, as_json: bool) -> None:
    """Which project the commands work on, its index, its record counts and languages."""
    from .indexer import live_generation, read_manifest, stale_reason
    from .labels import statements

    toolbox = _toolbox(ctx)
    catalogue = toolbox.catalogue
    settings = catalogue.settings
    gen = live_generation(toolbox.index_dir)
    manifest = read_manifest(gen) or {}
    stale = stale_reason(toolbox.project, toolbox.index_dir)
    counts = {kind: sum(1 for _ in catalogue.of_kind(kind)) for kind in ("method", "pilot", "region")}
    vocab = catalogue.vocabulary
    said = statements(settings, settings.source_language)
    data: dict[str, Any] = {
        "project": str(toolbox.project),
        "project_file": settings.path or None,
        "name": said.name, "publisher": settings.publisher or None, "licence": settings.licence.name or None,
        "index": str(toolbox.index_dir),
        "index_state": "not built" if gen is None else ("up to date" if stale is None else f"stale: {stale}"),
        "index_generation": gen.name if gen else None, "indexed_records": manifest.get("count"),
        "records": counts, "files": len(catalogue.files),
        "errors": len(catalogue.errors), "warnings": len(catalogue.warnings),
        "languages": list(vocab.languages) if vocab else [],
        "source_language": settings.source_language, "required_languages": list(settings.required),
    }
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    rows = [
        ("project", f"{data['project']}" + ("" if settings.path else "  (no methods/project.yaml)")),
        ("name", said.name + (f" · {settings.publisher}" if settings.publisher else "")
         + (f" · {settings.licence.name}" if settings.licence.name else " · no licence stated")),
        ("index", f"{data['index']}  ({data['index_state']})"),
        ("records", f"{_n(counts['method'], 'method')}, {_n(counts['pilot'], 'pilot action')}, "
                    f"{_n(counts['region'], 'region')} in {_n(data['files'], 'file')}; {_n(data['errors'], 'error')}, "
                    f"{_n(data['warnings'], 'warning')}"),
        ("languages", ", ".join(f"{c} ({n})" for c, n in (vocab.languages.items() if vocab else []))),
        ("written in", settings.source_language),
        ("required", ", ".join(settings.required)),
    ]
    for key, value in rows:
        click.echo(f"{click.style(f'{key:<11}', bold=True)}{value}")
    if catalogue.errors:
        _progress("run 'toolbox validate' for the problems")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
