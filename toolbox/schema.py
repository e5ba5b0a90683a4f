"""The record schema, written once in code.

The same specification drives validation (``validate.py``), the skeletons written by
``toolbox new`` and the JSON Schema files published for YAML editors. Change a field here and
``toolbox schema --generic --write docs/schema`` regenerates the JSON Schema (a test fails until you do).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .files import ID_PATTERN
from .model import KINDS

if TYPE_CHECKING:
    from pathlib import Path

    from .model import Vocabulary

SCHEMA_VERSION = 1
LANG_PATTERN = r"^[a-z]{2}$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
NUTS_PATTERN = r"^[A-Z]{2}[0-9A-Z]{0,3}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"


# --------------------------------------------------------------------------- spec types


@dataclass(frozen=True)
class Str:
    pattern: str | None = None
    pattern_hint: str = ""
    url: bool = False


@dataclass(frozen=True)
class Bool:
    """true or false."""


@dataclass(frozen=True)
class Choice:
    """One of a fixed list of words."""

    choices: tuple[str, ...]


@dataclass(frozen=True)
class Int:
    minimum: int | None = 0


@dataclass(frozen=True)
class Number:
    minimum: float | None = 0


@dataclass(frozen=True)
class TextMap:
    """Per-language text: ``{en: …, de: …}``; English is required and must not be empty."""

    markdown: bool = False


@dataclass(frozen=True)
class NameOrText:
    """A name, written the same in every language (a string), or per-language text
    (``{en: City of Leoben, de: Stadt Leoben}``) where it holds words to translate."""


@dataclass(frozen=True)
class Tag:
    """A value of a vocabulary axis (``audience``, ``sector``, ``effort``, ``industry`` …)."""

    axis: str


@dataclass(frozen=True)
class Ref:
    """The id of another record of ``kind``."""

    kind: str


@dataclass(frozen=True)
class RangeOf:
    """A number, or ``{min: …, max: …}``."""

    integer: bool = False


@dataclass(frozen=True)
class Date:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""


@dataclass(frozen=True)
class Stamps:
    """``{lang: {field path: hash}}``: which English text each translation was made from.

    Written by ``toolbox i18n --stamp``; a hash that no longer matches the English text means
    the translation is stale."""


@dataclass(frozen=True)
class ListOf:
    item: Spec
    min_items: int = 0


@dataclass(frozen=True)
class Obj:
    fields: tuple[Field, ...]


Spec = Str | Bool | Choice | Int | Number | TextMap | NameOrText | Tag | Ref | RangeOf | Date | Stamps | ListOf | Obj


@dataclass(frozen=True)
class Field:
    name: str
    spec: Spec
    required: bool = False
    doc: str = ""
    example: Any = None


# --------------------------------------------------------------------------- the kinds

SOURCE = Obj(
    (
        Field("title", Str(), True, "Title of the source document or page"),
        Field("url", Str(pattern=r"^https?://\S+$", pattern_hint="a full http(s):// address", url=True), True,
              "Where the source can be read"),
        Field("note", Str(), False, "What the source backs, if not obvious"),
    )
)

EFFORT = Obj(
    (
        Field("level", Tag("effort"), True, "low, medium or high (see the vocabulary)"),
        Field("duration", TextMap(), False, "How long the activity itself runs"),
        Field("lead_time", TextMap(), False, "Preparation time before it starts"),
        Field("staff_days", RangeOf(), False, "Organiser staff days, a number or {min, max}"),
        Field("budget_eur", RangeOf(integer=True), False, "Budget band in EUR, a number or {min, max}"),
        Field("participants", RangeOf(integer=True), False, "Number of participants, a number or {min, max}"),
        Field("note", TextMap(), False, "Where the figures come from, or caveats"),
    )
)

COMMON_HEAD = (
    Field("title", TextMap(), True, "Short name of the record", {"en": "…", "de": "…"}),
    Field("summary", TextMap(), True, "One or two sentences shown in result lists", {"en": "…", "de": "…"}),
)
TAGS = (
    Field("audience", ListOf(Tag("audience"), 1), True, "Who it is for (vocabulary: audience)"),
    Field("sector", ListOf(Tag("sector"), 1), True, "CCI sub-sectors concerned (vocabulary: sector)"),
)
SOURCES_REQUIRED = Field("sources", ListOf(SOURCE, 1), True, "Sources of every factual statement")
STAMP_PATTERN = r"^[0-9a-f]{8}$"
TRANSLATIONS = Field("translations", Stamps(), False,
                     "Managed by 'toolbox i18n --stamp': per language, the hash of the English text each "
                     "translated field was made from")
SOURCES_OPTIONAL = Field("sources", ListOf(SOURCE), False, "Sources of every factual statement")

METHOD = Obj(
    (
        *COMMON_HEAD,
        *TAGS,
        Field("effort", EFFORT, True, "Effort level and structured detail"),
        Field("purpose", TextMap(markdown=True), True, "What the method achieves"),
        Field("when_to_use", TextMap(markdown=True), False, "Situations it fits"),
        Field("steps", ListOf(TextMap(markdown=True), 1), True, "Steps a trainer can follow, in order"),
        Field("materials", TextMap(markdown=True), False, "Rooms, tools, materials"),
        Field("preconditions", TextMap(markdown=True), False, "What must be in place first"),
        Field("pitfalls", TextMap(markdown=True), False, "What tends to go wrong"),
        Field("results", TextMap(markdown=True), False, "Results to expect"),
        Field("related", ListOf(Ref("method")), False, "Ids of related methods"),
        Field("pilots", ListOf(Ref("pilot")), False, "Ids of pilot actions that used this method"),
        SOURCES_OPTIONAL,
        TRANSLATIONS,
    )
)

PILOT = Obj(
    (
        *COMMON_HEAD,
        *TAGS,
        Field("region", ListOf(Ref("region"), 1), True, "Ids of the region records where it took place"),
        Field("methods", ListOf(Ref("method"), 1), True, "Ids of the methods it used"),
        Field("project", Tag("project"), False, "The project it belonged to (vocabulary: project)"),
        Field("organisations", ListOf(NameOrText()), False,
              "Organisations that ran it (no private persons): a name, or {en: …, de: …} where it holds words "
              "to translate"),
        Field(
            "period",
            Obj((Field("start", Date(), True, "YYYY, YYYY-MM or YYYY-MM-DD"),
                 Field("end", Date(), False, "YYYY, YYYY-MM or YYYY-MM-DD"))),
            False,
            "When it ran",
        ),
        Field("effort", EFFORT, False, "Effort, where a source gives it"),
        Field("description", TextMap(markdown=True), True, "What was done"),
        Field("results", TextMap(markdown=True), False, "Results, with numbers where a source gives them"),
        Field("lessons", TextMap(markdown=True), False, "Lessons learned"),
        Field("transfer", TextMap(markdown=True), False, "What another region must adapt to reuse it"),
        SOURCES_REQUIRED,
        TRANSLATIONS,
    )
)

REGION = Obj(
    (
        *COMMON_HEAD,
        Field("audience", ListOf(Tag("audience")), False, "Audiences, if the profile addresses some"),
        Field("sector", ListOf(Tag("sector")), False, "Notable CCI sub-sectors of the region"),
        Field("country", Str(pattern=COUNTRY_PATTERN, pattern_hint="a two-letter ISO code such as DE or CZ"),
              True, "ISO 3166-1 alpha-2 country code"),
        Field("nuts", Str(pattern=NUTS_PATTERN, pattern_hint="a NUTS code such as DED4 or CZ041"), False,
              "NUTS code, only where a source gives it"),
        Field(
            "population",
            Obj((Field("value", Int(), True, "Inhabitants"),
                 Field("year", Int(minimum=1800), False, "Year of the figure"),
                 Field("note", TextMap(), False, "What area the figure covers"))),
            False,
            "Population figure with its year",
        ),
        Field("area_km2", Number(), False, "Area in km²"),
        Field("industries", ListOf(Tag("industry")), False, "Traditional industries (vocabulary: industry)"),
        Field("settlement", Tag("settlement"), False, "Settlement type (vocabulary: settlement)"),
        Field("projects", ListOf(Tag("project")), False, "Projects the region took part in"),
        Field("description", TextMap(markdown=True), True, "Profile text"),
        SOURCES_REQUIRED,
        TRANSLATIONS,
    )
)

KIND_SPECS: dict[str, Obj] = {"method": METHOD, "pilot": PILOT, "region": REGION}
assert set(KIND_SPECS) == set(KINDS)


# --------------------------------------------------------------------------- vocabulary file

TERM = Obj(
    (
        Field("label", TextMap(), True, "Label per language"),
        Field("synonyms", ListOf(Str()), False, "Words that should find this value in a search"),
        Field("description", TextMap(), False, "What the value means"),
        Field("group", Str(pattern=ID_PATTERN, pattern_hint="a lower-case id such as mining-energy"), False,
              "A broader family: 'toolbox similar' counts two values of one group as half a match"),
    )
)
AXIS = Obj(
    (
        Field("label", TextMap(), True, "Name of the axis per language"),
        Field("values", Obj(()), True, "Map of value id to its term"),
    )
)
VOCABULARY_AXES = ("audience", "sector", "effort", "industry", "settlement", "project")


# --------------------------------------------------------------------------- JSON Schema


#: What an editor shows for a date it refuses, instead of the regular expression.
DATE_MESSAGE = "not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2019, 2019-03, 2019-03-25)"
#: The editor's date check: months 01-12, days 01-31 (validate checks the calendar itself).
EDITOR_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


@dataclass(frozen=True)
class _Known:
    """What a project's own JSON Schema knows: its tag values (with labels) and region ids."""

    values: dict[str, list[tuple[str, str, str]]]  # axis -> [(value id, label, description)]
    regions: list[str]
    languages: list[str]
    source: str


def _json(spec: Spec, languages: list[str] | None, known: _Known | None = None) -> dict[str, Any]:
    if isinstance(spec, Str):
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if spec.pattern:
            out["pattern"] = spec.pattern
        if spec.url:
            out["format"] = "uri"
        return out
    if isinstance(spec, Bool):
        return {"type": "boolean"}
    if isinstance(spec, Choice):
        return {"enum": list(spec.choices)}
    if isinstance(spec, Int):
        out = {"type": "integer"}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        return out
    if isinstance(spec, Number):
        out = {"type": "number"}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        return out
    if isinstance(spec, TextMap):
        return {"$ref": "#/$defs/text_markdown" if spec.markdown else "#/$defs/text"}
    if isinstance(spec, NameOrText):
        return {"oneOf": [{"type": "string", "minLength": 1}, {"$ref": "#/$defs/text"}]}
    if isinstance(spec, Tag):
        if known is not None and spec.axis in known.values:
            terms = known.values[spec.axis]
            # completion and hover show the label (VS Code and yaml-language-server prefer the Markdown one)
            return {"enum": [v for v, _, _ in terms], "enumDescriptions": [label for _, label, _ in terms],
                    "markdownEnumDescriptions": [f"**{_markdown(label)}**" + (f" — {_markdown(about)}" if about else "")
                                                 for _, label, about in terms],
                    "description": f"a value of the '{spec.axis}' vocabulary (methods/vocabulary.yaml)",
                    "errorMessage": f"not a value of the '{spec.axis}' vocabulary; choose one of the suggestions "
                                    "or add it to methods/vocabulary.yaml"}
        return {"type": "string", "pattern": ID_PATTERN, "description": f"a value of the '{spec.axis}' vocabulary"}
    if isinstance(spec, Ref):
        if known is not None and spec.kind == "region" and known.regions:
            return {"enum": list(known.regions), "description": "the id of a region record (methods/regions/)"}
        return {"type": "string", "pattern": ID_PATTERN, "description": f"the id of a {spec.kind} record"}
    if isinstance(spec, RangeOf):
        num = "integer" if spec.integer else "number"
        return {"oneOf": [
            {"type": num, "minimum": 0},
            {"type": "object", "additionalProperties": False, "required": ["min", "max"],
             "properties": {"min": {"type": num, "minimum": 0}, "max": {"type": num, "minimum": 0}}},
        ]}
    if isinstance(spec, Date):
        return {"type": ["string", "integer"], "pattern": EDITOR_DATE_PATTERN, "minimum": 1000, "maximum": 9999,
                "patternErrorMessage": DATE_MESSAGE, "errorMessage": DATE_MESSAGE}
    if isinstance(spec, Stamps):
        return {"type": "object", "propertyNames": {"pattern": LANG_PATTERN},
                "additionalProperties": {"type": "object",
                                         "additionalProperties": {"type": "string", "pattern": STAMP_PATTERN}}}
    if isinstance(spec, ListOf):
        out = {"type": "array", "items": _json(spec.item, languages, known)}
        if spec.min_items:
            out["minItems"] = spec.min_items
        return out
    return _object(spec, languages, known)


def _markdown(text: str) -> str:
    """``text`` as Markdown shows it literally (a label may hold ``*`` or ``_``)."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in " ".join(text.split()))


def _object(spec: Obj, languages: list[str] | None, known: _Known | None = None) -> dict[str, Any]:
    props = {}
    for f in spec.fields:
        prop = _json(f.spec, languages, known)
        if f.doc:
            prop = {**prop, "description": f.doc} if "$ref" not in prop else {"allOf": [prop], "description": f.doc}
        props[f.name] = prop
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props}
    required = [f.name for f in spec.fields if f.required]
    if required:
        out["required"] = required
    return out


def json_schema(kind: str, vocabulary: Vocabulary | None = None, region_ids: list[str] | None = None
                ) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record kind, for YAML editors. With a project's
    ``vocabulary`` (and its ``region_ids``), tags and regions are lists of that project's values
    and texts list its languages; without, the generic schema published in docs/schema."""
    known = None
    if vocabulary is not None:
        src = vocabulary.source_language
        known = _Known({name: [(v, t.label.get(src), t.description.get(src)) for v, t in axis.terms.items()]
                        for name, axis in vocabulary.axes.items()},
                       sorted(region_ids or []), list(vocabulary.languages), vocabulary.source_language)
    text: dict[str, Any] = {
        "type": "object",
        "description": "One text per language code (en, de, cs, pl, sl, it, nl …); en is required",
        "propertyNames": {"pattern": LANG_PATTERN},
        "additionalProperties": {"type": "string"},
        "required": ["en"],
        "properties": {"en": {"type": "string", "minLength": 1}},
    }
    if known is not None:
        text = {"type": "object",
                "description": f"One text per language ({', '.join(known.languages)}); {known.source} is required",
                "propertyNames": {"enum": known.languages},
                "required": [known.source],
                "properties": {lang: {"type": "string", **({"minLength": 1} if lang == known.source else {})}
                               for lang in known.languages}}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://cci-toolbox.invalid/schema/{kind}.schema.json",
        "title": f"CCI Method Toolbox {kind} record",
        **_object(KIND_SPECS[kind], None, known),
        "$defs": {"text": text, "text_markdown": {**text, "description": text["description"] + "; Markdown"}},
    }
    return schema


def json_schema_text(kind: str, vocabulary: Vocabulary | None = None, region_ids: list[str] | None = None) -> str:
    return json.dumps(json_schema(kind, vocabulary, region_ids), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path, vocabulary: Vocabulary | None, region_ids: list[str] | None = None) -> list[Path]:
    """Write ``KIND.schema.json`` for every kind into ``folder`` (a project's ``schema/``)."""
    from .fileio import atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        target = folder / f"{kind}.schema.json"
        atomic_write_text(target, json_schema_text(kind, vocabulary, region_ids))
        written.append(target)
    return written


def fingerprint() -> str:
    """Changes whenever the schema does; stored in the index manifest to force a rebuild."""
    blob = "".join(json_schema_text(k) for k in KINDS) + str(SCHEMA_VERSION)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


__all__ = ["KIND_SPECS", "Field", "Obj", "field", "fingerprint", "json_schema", "json_schema_text", "write_schemas"]
