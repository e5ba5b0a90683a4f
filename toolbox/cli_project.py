"""The commands about a project as a whole: ``toolbox init`` and ``toolbox info``.

Registered on the main group by :mod:`toolbox.cli` (kept apart to keep that module short)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from .cli import _progress, _toolbox, handle_errors, main


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
