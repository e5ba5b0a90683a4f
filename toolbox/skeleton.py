"""``toolbox new KIND ID``: a commented record skeleton generated from the schema."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Problem, UsageError, did_you_mean
from .fileio import create_new_file
from .files import FOLDER_OF_KIND, ID_PATTERN, content_root
from .model import KINDS
from .schema import KIND_SPECS, Field, ListOf, Obj, RangeOf, Ref, Str, Tag, TextMap

_EXAMPLES = {"url": "https://…", "country": "DE", "nuts": "DED4", "value": 0, "year": 2024, "start": "2024-01",
             "end": "2024-12"}


def _lines(f: Field, indent: str, languages: tuple[str, ...]) -> list[str]:
    spec = f.spec
    comment = "" if f.required else "# "
    doc = f"  # {f.doc}" + ("" if f.required else " (optional)") if f.doc else ""
    head = f"{indent}{comment}{f.name}:"
    if isinstance(spec, TextMap):
        out = [head + doc]
        out += [f'{indent}{comment}  {lang}: ""' for lang in languages]
        return out
    if isinstance(spec, ListOf):
        item = spec.item
        if isinstance(item, TextMap):
            out = [head + doc, f'{indent}{comment}  - {languages[0]}: ""']
            out += [f'{indent}{comment}    {lang}: ""' for lang in languages[1:]]
            return out
        if isinstance(item, Obj):
            out = [head + doc]
            first = True
            for sub in item.fields:
                value = _EXAMPLES.get(sub.name, '""')
                prefix = "  - " if first else "    "
                first = False
                sub_comment = "" if sub.required else "# "
                out.append(f"{indent}{comment}{prefix}{sub_comment}{sub.name}: {value}")
            return out
        hint = {Tag: "values from the vocabulary", Ref: "record ids", Str: "names"}.get(type(item), "")
        return [f"{head} []{doc}" + (f" — {hint}" if hint and not doc.endswith(hint) else "")]
    if isinstance(spec, Obj):
        out = [head + doc]
        for sub in spec.fields:
            out += _lines(sub, indent + "  ", languages)
        if comment:  # comment out the children of an optional block too, keeping their indent
            out = [out[0]] + [indent + "# " + line[len(indent):] for line in out[1:]]
        return out
    if isinstance(spec, RangeOf):
        return [f"{head} 0{doc}"]
    value = _EXAMPLES.get(f.name, '""')
    return [f"{head} {value}{doc}"]


def skeleton_text(kind: str, record_id: str, languages: tuple[str, ...] = ("en", "de")) -> str:
    spec = KIND_SPECS[kind]
    lines = [
        f"# {kind.capitalize()} record '{record_id}'. Fill in every field that is not commented out,",
        "# uncomment optional fields you need, then run:  toolbox validate",
        "# Texts hold one entry per language; English (en) is required. Markdown is allowed in long texts.",
        "# Every factual claim needs an entry under 'sources'.",
        "",
    ]
    for f in spec.fields:
        lines += _lines(f, "", languages)
    return "\n".join(lines) + "\n"


def write_skeleton(project: Path, kind: str, record_id: str) -> Path:
    if kind not in KINDS:
        raise UsageError(f"unknown kind '{kind}'", [Problem("", 0, 0, "kind", f"unknown kind '{kind}'",
                                                            did_you_mean(kind, KINDS))])
    if not re.match(ID_PATTERN, record_id):
        suggestion = re.sub(r"[^a-z0-9]+", "-", record_id.lower()).strip("-")
        raise UsageError(f"'{record_id}' is not a valid id",
                         [Problem("", 0, 0, "id", f"'{record_id}' is not a valid id",
                                  f"use lower-case letters, digits and hyphens, e.g. '{suggestion}'")])
    root = content_root(project)
    folder = root / FOLDER_OF_KIND[kind] if FOLDER_OF_KIND[kind] else root
    for other in (root, root / "pilots", root / "regions"):
        for suffix in (".yaml", ".yml"):
            existing = other / f"{record_id}{suffix}"
            if existing.exists():
                raise UsageError(f"{existing} already exists; not overwritten",
                                 [Problem(str(existing), 0, 0, "", "a record with this id already exists",
                                          "choose another id, or edit the existing file")])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{record_id}.yaml"
    try:
        create_new_file(target, skeleton_text(kind, record_id))
    except FileExistsError as exc:  # it appeared since the check above
        raise UsageError(f"{target} already exists; not overwritten",
                         [Problem(str(target), 0, 0, "", "a record with this id already exists",
                                  "choose another id, or edit the existing file")]) from exc
    return target


__all__ = ["Str", "skeleton_text", "write_skeleton"]
