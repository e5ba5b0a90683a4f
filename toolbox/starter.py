"""``toolbox init``: a new project that validates, searches and prints from the first minute.

It writes the project file, a vocabulary, one example record per kind (copies of three linked
shipped records, kept to the project's languages, with their sources), a recipe, a README for
editors, editor settings for the JSON Schema and a ``.gitignore``. ``from_shipped`` copies all
the shipped records instead of the three examples.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError
from .files import PROJECT_FILE, RECIPES_FOLDER, VOCABULARY_FILE
from .paths import is_project, shipped_project

#: The three shipped records the examples are made from: a method, a pilot that used it and its
#: region. They link to each other only, so the new project has no dangling references.
EXAMPLES = {"method": "cci-help-desk", "pilot": "help-desk-network-veneto", "region": "padova"}
_FOLDERS = {"method": "", "pilot": "pilots", "region": "regions"}
#: Axes kept whole in a new vocabulary; of the others only the values the examples use.
_GENERIC_AXES = ("audience", "sector", "effort", "industry", "settlement")
SHIPPED_LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class ProjectPlan:
    """What ``toolbox init`` is asked to write."""

    folder: Path
    name: str
    publisher: str = ""
    contact: str = ""
    email: str = ""
    licence: str = SHIPPED_LICENCE[0]
    licence_url: str = SHIPPED_LICENCE[1]
    languages: tuple[str, ...] = ("en",)
    source_language: str = ""  # default: the first of ``languages``
    required_languages: tuple[str, ...] = ()  # default: the source language only
    from_shipped: bool = False
    written: list[Path] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.source_language or self.languages[0]


def default_name(folder: Path) -> str:
    """``ruhr-toolbox`` -> ``Ruhr Toolbox``: a start the editor replaces in the project file."""
    words = re.split(r"[-_\s]+", folder.resolve().name)
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or "My CCI Toolbox"


def init_project(plan: ProjectPlan) -> list[Path]:
    """Write a new project into ``plan.folder``; refuse to touch an existing one."""
    folder = plan.folder
    if is_project(folder) or (folder / "methods").exists():
        raise UsageError.about("DIR", f"{folder} already holds a methods/ folder; nothing written",
                               "choose a new folder, or work on this project as it is")
    enclosing = next((p for p in folder.resolve().parents if is_project(p)), None)
    if enclosing is not None:
        raise UsageError.about("DIR", f"{folder} is inside the project {enclosing}; a project in a project "
                               "would hide one from the other", "choose a folder outside it")
    shipped = shipped_project() / "methods"
    vocabulary = yaml.load((shipped / VOCABULARY_FILE).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    unknown = [lang for lang in plan.languages if lang not in vocabulary["languages"]]
    methods = folder / "methods"
    for sub in ("", "pilots", "regions", RECIPES_FOLDER):
        (methods / sub).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if plan.from_shipped:
        written += _copy_shipped(shipped, methods, plan)
    else:
        records = {kind: _load(shipped / _FOLDERS[kind] / f"{rid}.yaml") for kind, rid in EXAMPLES.items()}
        written += _write_examples(records, methods, plan)
        written.append(_write(methods / VOCABULARY_FILE, _vocabulary_text(vocabulary, records, plan)))
    written.append(_write(methods / PROJECT_FILE, project_file_text(plan, unknown)))
    written.append(_write(methods / RECIPES_FOLDER / "handbook.yaml", _recipe_text(plan)))
    written.append(_write(folder / "README.md", _readme_text(plan)))
    written.append(_write(folder / ".gitignore", "# the search index is rebuilt from methods/ by 'toolbox index'\n"
                                                 "index/\n*.lock.json\n"))
    written += _editor_settings(folder)
    return written


# --------------------------------------------------------------------------- the files


def project_file_text(plan: ProjectPlan, unknown_languages: list[str] = ()) -> str:  # type: ignore[assignment]
    from .textutil import english_name

    langs = plan.languages
    required = plan.required_languages or (plan.source,)
    own_names = _language_names(langs)
    lines = [
        f"# {plan.name}: who publishes these records, under which licence, in which languages.",
        "# Handbooks (cover, colophon, licence page) and the web page (title, footer) say what is",
        "# written here. See docs/own-toolbox.md of the CCI Method Toolbox.",
        "",
        "name:",
        f"  {plan.source}: {_scalar(plan.name)}",
        f"publisher: {_scalar(plan.publisher)}" if plan.publisher
        else "# publisher: the organisation that publishes the records",
    ]
    contact = [f"  organisation: {_scalar(plan.contact)}" if plan.contact else "",
               f"  email: {_scalar(plan.email)}" if plan.email else ""]
    if any(contact):
        lines += ["contact:", *[c for c in contact if c]]
    else:
        lines += ["# contact:", "#   organisation: who to ask about the content (an organisation, not a person)",
                  "#   email: info@example.org"]
    lines += ["licence:", f"  name: {_scalar(plan.licence)}"]
    if plan.licence_url:
        lines.append(f"  url: {plan.licence_url}")
    if plan.publisher:
        lines.append(f"  attribution: {_scalar(plan.publisher)}")
    lines += ["", "# Records are written in the source language; the required languages must be complete",
              "# for 'toolbox validate --strict'.", "languages:"]
    lines += [f"  {code}: {_scalar(own_names[code])}" for code in langs]
    lines += [f"source_language: {plan.source}", f"required_languages: [{', '.join(required)}]", ""]
    lines += ["# Credit for the texts taken from the CCI Method Toolbox (CC BY 4.0 asks for it).", "credits:"]
    from .catalogs import translate
    from .labels import STATEMENT

    credit = STATEMENT["credits_shipped"]

    for code in langs:
        lines.append(f"  {code}: {_scalar(translate(code, 'statement.credits_shipped', credit))}")
    if unknown_languages:
        lines.append("# " + ", ".join(english_name(c) for c in unknown_languages)
                     + ": the example texts are in English; translate them")
    return "\n".join(lines) + "\n"


def _language_names(codes: tuple[str, ...]) -> dict[str, str]:
    """Each language's own name, capitalised as a list entry: ``{de: Deutsch, cs: Čeština}``."""
    from .textutil import language_name

    return {code: (name := language_name(code, code))[:1].upper() + name[1:] for code in codes}


def _scalar(value: str) -> str:
    """A YAML scalar as one would write it by hand (quoted only where needed)."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
    return text.strip().removesuffix("...").strip()


class _Dumper(yaml.SafeDumper):
    """Writes several lines as a ``|`` block, as people write record texts by hand."""


def _block_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.rstrip() + "\n" if style else value, style=style)


_Dumper.add_representer(str, _block_text)


def _dump(data: Any, **options: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, **options)  # type: ignore[no-any-return]


def _load(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # type: ignore[no-any-return]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _keep_languages(value: Any, plan: ProjectPlan) -> Any:
    """Text maps cut to the project's languages; the source language is never left empty."""
    if isinstance(value, dict):
        if value and all(isinstance(k, str) and re.fullmatch(r"[a-z]{2}", k) for k in value) and "en" in value:
            kept = {lang: value[lang] for lang in plan.languages if lang in value}
            kept.setdefault(plan.source, value["en"])
            return {plan.source: kept.pop(plan.source), **kept}
        return {k: _keep_languages(v, plan) for k, v in value.items()}
    if isinstance(value, list):
        return [_keep_languages(v, plan) for v in value]
    return value


def _write_examples(records: dict[str, dict[str, Any]], methods: Path, plan: ProjectPlan) -> list[Path]:
    method, pilot, region = (dict(records[k]) for k in ("method", "pilot", "region"))
    method.update(pilots=[EXAMPLES["pilot"]])
    method.pop("related", None)
    pilot.update(methods=[EXAMPLES["method"]], region=[EXAMPLES["region"]])
    out = []
    for kind, data in (("method", method), ("pilot", pilot), ("region", region)):
        data.pop("translations", None)  # stamps name the shipped source texts, not this project's
        data = _keep_languages(data, plan)
        head = (f"# Example {kind}, adapted from the CCI Method Toolbox (CC BY 4.0). Replace it with your own,\n"
                "# or delete it once you have records of this kind. Every field: toolbox schema " + kind + "\n")
        body = _dump(data, allow_unicode=True, sort_keys=False, width=100)
        out.append(_write(methods / _FOLDERS[kind] / f"{EXAMPLES[kind]}.yaml", head + body))
    return out


def _vocabulary_text(vocabulary: dict[str, Any], records: dict[str, dict[str, Any]], plan: ProjectPlan) -> str:
    used: dict[str, set[str]] = {}
    for data in records.values():
        used.setdefault("project", set()).update([data["project"]] if data.get("project") else [])
        used["project"].update(data.get("projects", []))
    out: dict[str, Any] = {}
    for axis, spec in vocabulary.items():
        if axis in ("languages", "synonyms"):
            continue
        spec = dict(spec)
        if axis not in _GENERIC_AXES:
            spec["values"] = {k: v for k, v in spec["values"].items() if k in used.get(axis, set())}
            if not spec["values"]:
                continue
        out[axis] = _keep_languages(spec, plan)
    head = ("# Tags of this project. Every tag in a record must be a value listed here, with a label in\n"
            "# each language of methods/project.yaml. Add values as you need them; 'toolbox schema --write'\n"
            "# then refreshes the editor's lists.\n"
            "#\n# Words a search should treat as the same, one group per line, e.g.:\n"
            "# synonyms:\n#   - [CCI, KKW, Kreativwirtschaft, cultural and creative industries]\n")
    return head + _dump(out, allow_unicode=True, sort_keys=False, width=100)


def _copy_shipped(shipped: Path, methods: Path, plan: ProjectPlan) -> list[Path]:
    """Every shipped record, its vocabulary and termbase; cut to the project's languages where it
    has fewer (a record with a language the project does not list would not validate)."""
    vocabulary = _load(shipped / VOCABULARY_FILE)
    every = tuple(vocabulary["languages"])
    whole = set(every) <= set(plan.languages) and plan.source == "en"
    out = []
    for path in sorted(shipped.rglob("*.yaml")):
        rel = path.relative_to(shipped)
        if rel.as_posix() in (PROJECT_FILE, VOCABULARY_FILE) or rel.parts[0] == RECIPES_FOLDER:
            continue
        target = methods / rel
        if whole:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        elif rel.as_posix() == "terms.yaml":
            continue  # the termbase pairs languages; a new one is better than a cut one
        else:
            data = _load(path)
            stamps = data.pop("translations", None) or {}
            data = _keep_languages(data, plan)
            if plan.source == "en":  # stamps hash the English text: still true for the languages kept
                kept = {lang: v for lang, v in stamps.items() if lang in plan.languages}
                if kept:
                    data["translations"] = kept
            _write(target, "# Adapted from the CCI Method Toolbox (CC BY 4.0).\n"
                   + _dump(data, allow_unicode=True, sort_keys=False, width=100))
        out.append(target)
    vocabulary.pop("languages")  # the project file lists this project's
    synonyms = vocabulary.pop("synonyms", [])
    body = _keep_languages(vocabulary, plan)
    text = ("# Tags of this project, copied from the CCI Method Toolbox. Its languages are those of\n"
            "# methods/project.yaml.\n" + _dump({"synonyms": synonyms}, allow_unicode=True,
                                                         default_flow_style=None, width=1000)
            + _dump(body, allow_unicode=True, sort_keys=False, width=100))
    out.append(_write(methods / VOCABULARY_FILE, text))
    return out


def _recipe_text(plan: ProjectPlan) -> str:
    from .labels import labels_for

    lang = plan.source
    words = labels_for(lang)
    data = {"title": plan.name, "organisation": plan.publisher or plan.name, "lang": lang, "paper": "A5",
            "sections": [{"title": words["methods_part"], "include": [{"kind": ["method"], "sort": "title"}]},
                         {"title": words["pilots_appendix"], "include": [{"kind": ["pilot"], "sort": "title"}]}]}
    if not plan.publisher:
        data.pop("organisation")
    return ("# A handbook of every method and pilot action. Build it with:\n"
            "#   toolbox handbook handbook -o handbook.pdf\n"
            "# Titles, sections and what goes in them: docs/handbook.md of the CCI Method Toolbox.\n"
            + _dump(data, allow_unicode=True, sort_keys=False, width=100))


def _readme_text(plan: ProjectPlan) -> str:
    return f"""# {plan.name}

Records of methods for supporting cultural and creative industries, kept with the
[CCI Method Toolbox](https://pypi.org/project/cci-method-toolbox/) engine.

## For editors

- `methods/*.yaml` are methods, `methods/pilots/` pilot actions, `methods/regions/` region
  profiles; the file name is the record's id. Start a record with `toolbox new method my-id`.
- `methods/vocabulary.yaml` lists the tags; `methods/project.yaml` says who publishes the
  records, under which licence and in which languages ({', '.join(plan.languages)}; written in
  {plan.source} first).
- After every change: `toolbox validate` (problems as file:line:col with a hint) — before
  publishing: `toolbox validate --strict`.
- Search: `toolbox search "your words"`; web page: `toolbox serve`; handbook:
  `toolbox handbook handbook -o handbook.pdf` (the recipe is `methods/recipes/handbook.yaml`).
- `toolbox info` shows the project, its index and its counts.
- Editors with the YAML extension (VS Code: Red Hat YAML) check records as you type, using
  `schema/*.schema.json` (refresh with `toolbox schema --write` after changing the vocabulary).

The index in `index/` is rebuilt from the records and is not kept in git.
"""


def _editor_settings(folder: Path) -> list[Path]:
    """VS Code settings pointing the YAML extension at the project's JSON Schema files."""
    settings = {"yaml.schemas": {"./schema/method.schema.json": ["methods/*.yaml", "!methods/vocabulary.yaml",
                                                                 "!methods/project.yaml", "!methods/terms.yaml"],
                                 "./schema/pilot.schema.json": ["methods/pilots/*.yaml"],
                                 "./schema/region.schema.json": ["methods/regions/*.yaml"]}}
    return [_write(folder / ".vscode" / "settings.json", json.dumps(settings, indent=2) + "\n")]
