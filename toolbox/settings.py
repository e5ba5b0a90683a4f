"""The project file ``methods/project.yaml``: who publishes the records, under which licence,
in which languages.

What a handbook's licence page, its colophon and the web page's title and footer say about the
content comes from here, so another region's toolbox speaks in its own name; the shipped
toolbox's file holds the shipped content's statements. It also says which language the
records are written in (``source_language``: the text that must be there and that stands in
for a missing translation) and which languages must be complete (``validate --strict``).

Without a project file a project gets neutral defaults: English source, no licence stated.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import Problem, did_you_mean
from .files import PROJECT_FILE
from .model import Contact, Licence, Settings, Text
from .schema import LANG_PATTERN, Field, Obj, Str, TextMap
from .validate import Checker, type_name
from .yamlsource import read_yaml_file

__all__ = ["DEFAULTS", "PROJECT_FILE", "Contact", "Licence", "Settings", "load_settings"]

DEFAULTS = Settings()

_LICENCE = Obj((
    Field("name", Str(), True, "Short name, e.g. CC BY 4.0"),
    Field("url", Str(pattern=r"^https?://\S+$", pattern_hint="a full http(s):// address", url=True), False,
          "Where the licence is explained"),
    Field("attribution", Str(), False, "How reusers name the source, e.g. 'Ruhr CCI Toolbox, City of Bochum'"),
))
_CONTACT = Obj((
    Field("organisation", Str(), False, "The organisation to contact (no private persons)"),
    Field("email", Str(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", pattern_hint="an e-mail address"), False,
          "A functional address such as info@…"),
    Field("web", Str(pattern=r"^https?://\S+$", pattern_hint="a full http(s):// address", url=True), False,
          "The organisation's web page"),
))
#: Checked after ``languages`` and ``source_language``, which the text fields depend on.
_FIELDS = Obj((
    Field("name", TextMap(), True, "The toolbox's name: cover, colophon, web page title"),
    Field("tagline", TextMap(), False, "One line under the name on the web page"),
    Field("publisher", Str(), False, "The organisation that publishes the records"),
    Field("contact", _CONTACT, False, "Who to contact about the content"),
    Field("licence", _LICENCE, False, "The licence of the texts"),
    Field("licence_text", TextMap(markdown=True), False, "The licence page, if the composed one does not fit"),
    Field("credits", TextMap(markdown=True), False, "Where texts come from, added to the composed licence page"),
))
TOP_LEVEL = ("languages", "source_language", "required_languages", *(f.name for f in _FIELDS.fields))


def load_settings(path: Path, display: str) -> tuple[Settings, list[Problem]]:
    """Read the project file; a missing file gives the defaults and no problem."""
    if not path.is_file():
        return DEFAULTS, []
    doc, problems = read_yaml_file(path, display)
    if doc is None:
        return DEFAULTS, problems
    data = doc.data  # a mapping: the YAML reader refuses any other top level
    checker = Checker(doc, None, set())
    for key in data:
        if isinstance(key, str) and key not in TOP_LEVEL:
            checker.report((key,), f"unknown setting '{key}'", did_you_mean(key, TOP_LEVEL, list_all=True), key=True)

    languages = _languages(checker, data.get("languages"))
    known = languages or {"en": "English"}
    source = data.get("source_language", next(iter(known), "en"))
    if not isinstance(source, str) or source not in known:
        checker.report(("source_language",), f"source language '{source}' is not one of the project's languages",
                       did_you_mean(str(source), known) or f"use one of: {', '.join(known)}")
        source = next(iter(known), "en")
    required: list[str] = []
    raw_required = data.get("required_languages", [])
    if not isinstance(raw_required, list):
        checker.report(("required_languages",), f"expected a list of language codes, got {type_name(raw_required)}",
                       "for example  required_languages: [de, en]")
    else:
        for i, code in enumerate(raw_required):
            if code not in known:
                checker.report(("required_languages", i), f"'{code}' is not one of the project's languages",
                               did_you_mean(str(code), known) or f"use one of: {', '.join(known)}")
            else:
                required.append(code)

    checker.languages = set(known)
    checker.source = source
    checked = checker.check_object(_FIELDS, {k: v for k, v in data.items() if k in {f.name for f in _FIELDS.fields}},
                                   (), extra_ok=True) or {}
    licence = checked.get("licence", {})
    contact = checked.get("contact", {})
    settings = Settings(
        name=_with_source(checked.get("name"), source), tagline=_with_source(checked.get("tagline"), source),
        publisher=checked.get("publisher", ""),
        contact=Contact(contact.get("organisation", ""), contact.get("email", ""), contact.get("web", "")),
        licence=Licence(licence.get("name", ""), licence.get("url", ""), licence.get("attribution", "")),
        licence_text=_with_source(checked.get("licence_text"), source),
        credits=_with_source(checked.get("credits"), source),
        languages=languages, required_languages=tuple(required), source_language=source, path=display,
    )
    return settings, [*problems, *checker.problems]


def _with_source(value: Any, source: str) -> Text:
    return Text(dict(value.values), source) if isinstance(value, Text) else Text({}, source)


def _languages(checker: Checker, raw: Any) -> dict[str, str]:
    if raw is None:
        checker.report((), "missing required setting 'languages'",
                       "for example  languages: {de: Deutsch, en: English}")
        return {}
    if not isinstance(raw, dict) or not raw:
        checker.report(("languages",), "expected 'languages:' mapping language codes to their names",
                       "for example  languages: {de: Deutsch, en: English}", key=True)
        return {}
    return language_map(checker, raw)


def language_map(checker: Checker, raw: dict[Any, Any]) -> dict[str, str]:
    """``languages:`` as the project file and the vocabulary write it: code -> its own name."""
    out: dict[str, str] = {}
    for code, name in raw.items():
        if not isinstance(code, str) or not re.match(LANG_PATTERN, code):
            checker.report(("languages", str(code)), f"'{code}' is not a two-letter language code", key=True)
        elif not isinstance(name, str) or not name.strip():
            checker.report(("languages", code), "expected the language's name")
        else:
            out[code] = name.strip()
    return out
