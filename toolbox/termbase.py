"""The termbase, ``methods/terms.yaml``: each domain term per language, and the check that warns
when a record's text in a language uses a term the termbase rejects there.

Format::

    terms:
      cci:
        en: {preferred: cultural and creative industries, also: [CCI], rejected: []}
        de: {preferred: Kultur- und Kreativwirtschaft, also: [KKW], rejected: [Kreativindustrie]}

A rejected term is found case-insensitively as a whole word or phrase (not inside a longer
word), with any whitespace between its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem, did_you_mean
from .validate import Checker, type_name
from .yamlsource import YamlDocument, read_yaml_file

TERMS_FILE = "terms.yaml"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = ("preferred", "also", "rejected")


@dataclass(frozen=True)
class TermEntry:
    id: str
    preferred: Mapping[str, str]
    also: Mapping[str, tuple[str, ...]]
    rejected: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Termbase:
    entries: tuple[TermEntry, ...]

    def rejected(self, lang: str) -> list[tuple[str, TermEntry]]:
        return [(term, e) for e in self.entries for term in e.rejected.get(lang, ())]

    def pattern(self, lang: str) -> re.Pattern[str] | None:
        """One expression finding every rejected term of ``lang`` (longest first)."""
        terms = sorted({t for t, _ in self.rejected(lang)}, key=len, reverse=True)
        if not terms:
            return None
        body = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in terms)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def load_termbase(path: Path, display: str, languages: set[str]) -> tuple[Termbase | None, list[Problem]]:
    """The termbase at ``path`` with every problem of the file (positions as in records)."""
    doc, problems = read_yaml_file(path, display)
    if doc is None:
        return None, problems
    checker = Checker(doc, None, languages)
    entries = list(_entries(checker, doc, languages))
    problems = [*problems, *checker.listed_problems()]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Termbase(tuple(entries)), problems


def _entries(checker: Checker, doc: YamlDocument, languages: set[str]) -> Iterator[TermEntry]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("terms"), dict):
        checker.report((), "expected 'terms:' with one entry per term", "see docs/records.md, 'The termbase'")
        return
    for term_id, raw in data["terms"].items():
        path: tuple[Any, ...] = ("terms", term_id)
        if not isinstance(term_id, str) or not _ID.match(term_id):
            checker.report(path, f"'{term_id}' is not a term id", "lower-case letters, digits and hyphens", key=True)
            continue
        if not isinstance(raw, dict):
            checker.report(path, f"expected one entry per language, got {type_name(raw)}")
            continue
        preferred: dict[str, str] = {}
        also: dict[str, tuple[str, ...]] = {}
        rejected: dict[str, tuple[str, ...]] = {}
        for lang, spec in raw.items():
            where = (*path, lang)
            if lang not in languages:
                checker.report(where, f"unknown language '{lang}'", did_you_mean(str(lang), languages), key=True)
                continue
            if not isinstance(spec, dict) or not isinstance(spec.get("preferred"), str):
                checker.report(where, "expected {preferred: …, also: […], rejected: […]}")
                continue
            for key in spec:
                if key not in _KEYS:
                    checker.report((*where, key), f"unknown key '{key}'", did_you_mean(str(key), _KEYS), key=True)
            preferred[lang] = spec["preferred"].strip()
            lists = {}
            for key in ("also", "rejected"):
                value = spec.get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                    checker.report((*where, key), f"expected a list of terms, got {type_name(value)}")
                    value = []
                lists[key] = tuple(v.strip() for v in value)
            also[lang], rejected[lang] = lists["also"], lists["rejected"]
            accepted = {preferred[lang].casefold(), *(v.casefold() for v in also[lang])}
            for i, term in enumerate(rejected[lang]):
                if term.casefold() in accepted:
                    checker.report((*where, "rejected", i), f"'{term}' is both accepted and rejected",
                                   "remove it from one of the lists")
        yield TermEntry(term_id, preferred, also, rejected)


def check_text_maps(checker: Checker, termbase: Termbase, data: Any, languages: set[str]) -> None:
    """Warn, at its position, about every rejected term in the texts of a record."""
    patterns: dict[str, re.Pattern[str] | None] = {}
    owner = {lang: {t.casefold(): e for t, e in termbase.rejected(lang)} for lang in languages}
    for path, lang, text in _texts(data, (), languages):
        if lang not in patterns:
            patterns[lang] = termbase.pattern(lang)
        pattern = patterns[lang]
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            found = match.group(0)
            entry = owner[lang].get(" ".join(found.split()).casefold())
            if entry is None:
                continue
            checker.report((*path, lang), f"'{' '.join(found.split())}' is a term the termbase rejects in {lang} "
                           f"({entry.id})", f"write '{entry.preferred.get(lang, '')}' (methods/terms.yaml)",
                           severity="warning")


def _texts(data: Any, path: tuple[Any, ...], languages: set[str]) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """(path, language, text) of every text map in ``data``: a mapping whose keys are languages."""
    if isinstance(data, dict):
        if data and all(isinstance(k, str) and k in languages for k in data):
            for lang, text in data.items():
                if isinstance(text, str):
                    yield path, lang, text
            return
        for key, value in data.items():
            if key != "translations":
                yield from _texts(value, (*path, key), languages)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _texts(value, (*path, i), languages)
