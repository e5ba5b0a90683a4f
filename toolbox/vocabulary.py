"""Load ``methods/vocabulary.yaml``: languages, tag axes with labels and synonyms.

Checked with the same :class:`~toolbox.validate.Checker` as records, so its problems carry
positions too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import Problem, did_you_mean
from .files import ID_PATTERN
from .model import Axis, Term, Text, Vocabulary
from .schema import AXIS, TERM, VOCABULARY_AXES, Obj
from .settings import DEFAULTS, Settings, language_map
from .validate import Checker, type_name
from .yamlsource import read_yaml_file

REQUIRED_AXES = ("audience", "sector", "effort")
TOP_LEVEL = ("languages", "synonyms", *VOCABULARY_AXES)


def load_vocabulary(path: Path, display: str, settings: Settings | None = None
                    ) -> tuple[Vocabulary | None, list[Problem]]:
    """The vocabulary; its languages are the project file's when it lists them (the
    vocabulary's own ``languages:`` may then be left out), and it carries the project's source
    and required languages to every record check."""
    doc, problems = read_yaml_file(path, display)
    if doc is None:
        return None, problems
    data = doc.data
    checker = Checker(doc, None, set())
    settings = settings or DEFAULTS
    source = settings.source_language
    checker.source = source
    checker.required = settings.required

    # languages first: every label is checked against them
    languages: dict[str, str] = {}
    raw_langs = data.get("languages")
    if settings.languages:
        languages = dict(settings.languages)
        if isinstance(raw_langs, dict) and set(raw_langs) != set(languages):
            checker.report(("languages",), "the languages differ from those of methods/project.yaml "
                           f"({', '.join(languages)})", "remove 'languages:' here; the project file lists them",
                           key=True)
    elif not isinstance(raw_langs, dict) or not raw_langs:
        checker.report(("languages",) if "languages" in data else (),
                       "expected 'languages:' mapping language codes to their names",
                       "for example  languages: {en: English, de: Deutsch}", key="languages" in data)
    else:
        languages = language_map(checker, raw_langs)
        if source not in languages:
            checker.report(("languages",), f"language '{source}' is required", f"add '{source}: …'", key=True)
    checker.languages = set(languages) or {source}

    for key in data:
        if isinstance(key, str) and key not in TOP_LEVEL:
            checker.report((key,), f"unknown section '{key}'", did_you_mean(key, TOP_LEVEL), key=True)

    axes: dict[str, Axis] = {}
    for name in VOCABULARY_AXES:
        if name not in data:
            if name in REQUIRED_AXES:
                checker.report((), f"missing required section '{name}'", f"add '{name}:' with label and values")
            continue
        axis = _axis(checker, name, data[name])
        if axis is not None:
            axes[name] = axis

    synonyms: list[tuple[str, ...]] = []
    raw_syn = data.get("synonyms", [])
    if not isinstance(raw_syn, list):
        checker.report(("synonyms",), f"expected a list of word groups, got {type_name(raw_syn)}",
                       "write each group as  - [CCI, KKW, creative industries]")
    else:
        for i, group in enumerate(raw_syn):
            if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w.strip()
                                                                          for w in group):
                checker.report(("synonyms", i), "expected a list of at least two words or phrases",
                               "for example  - [CCI, KKW, creative industries]")
                continue
            synonyms.append(tuple(w.strip() for w in group))
        _check_repeated_phrases(checker, synonyms)

    problems.extend(checker.problems)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Vocabulary(languages, axes, tuple(synonyms), source, settings.required), problems


def _axis(checker: Checker, name: str, raw: Any) -> Axis | None:
    # 'values' is a free mapping of ids, so the axis spec checks everything but it
    head = Obj(tuple(f for f in AXIS.fields if f.name != "values"))
    if not isinstance(raw, dict):
        checker.check_object(head, raw, (name,))
        return None
    spec_checked = checker.check_object(head, {k: v for k, v in raw.items() if k != "values"}, (name,))
    values = raw.get("values")
    if not isinstance(values, dict) or not values:
        checker.report((name, "values") if "values" in raw else (name,),
                       "expected 'values:' mapping value ids to their labels",
                       "for example  values: {low: {label: {en: Low, de: Gering}}}", key=True)
        return None
    if spec_checked is None:
        return None
    terms: dict[str, Term] = {}
    for value_id, term_raw in raw["values"].items():
        path = (name, "values", value_id)
        if not isinstance(value_id, str) or not re.match(ID_PATTERN, value_id):
            checker.report(path, f"'{value_id}' is not a valid value id",
                           "use lower-case letters, digits and hyphens", key=True)
            continue
        term = checker.check_object(TERM, term_raw, path)
        if term is None or "label" not in term:
            continue
        terms[value_id] = Term(value_id, term["label"], tuple(term.get("synonyms", ())),
                               term.get("description", Text({})), term.get("group", ""))
    label = spec_checked.get("label", Text({checker.source: name}, checker.source))
    return Axis(name, label, terms)


def _check_repeated_phrases(checker: Checker, groups: list[tuple[str, ...]]) -> None:
    """Warn about a phrase in two synonym groups: a query finds only the first group with it (and
    in one group twice, it adds nothing). Compared as a search compares them: lower case, accents
    folded."""
    from .textutil import fold

    seen: dict[str, int] = {}
    for i, group in enumerate(groups):
        for j, phrase in enumerate(group):
            key = " ".join(fold(phrase).split())
            first = seen.setdefault(key, i)
            if first != i:
                checker.report(("synonyms", i, j), f"'{phrase}' is in synonym group {first + 1} too; a search "
                               "uses only the first group that holds a phrase",
                               "keep it in one group, or merge the two groups", severity="warning")
            elif group.index(phrase) != j or any(fold(p) == fold(phrase) for p in group[:j]):
                checker.report(("synonyms", i, j), f"'{phrase}' is in this synonym group twice",
                               "remove one of them", severity="warning")

