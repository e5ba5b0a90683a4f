"""Translation status: which translations are missing, and which are stale.

A record may carry a ``translations:`` block, written by ``toolbox i18n --stamp``, holding for
each language and text field a short hash of the English text the translation was made from.
When the English text changes, its hash no longer matches and the translation is reported
stale. A translation without a stamp is "unstamped": present, but nobody has recorded which
English text it follows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .errors import Problem, UsageError, did_you_mean
from .fileio import atomic_write_text
from .model import Record, Text
from .project import Catalogue
from .reports import text_fields
from .yamlsource import parse_yaml_bytes

Status = Literal["missing", "stale", "unstamped"]
BLOCK_COMMENT = "# Written by 'toolbox i18n --stamp': the English text each translation was made from."


def english_hash(text: Text) -> str:
    """The short hash of a text's source-language version (English in the shipped toolbox;
    the project file's source_language elsewhere)."""
    return hashlib.sha256(text.values.get(text.source, "").strip().encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class FieldStatus:
    record_id: str
    path: str
    lang: str
    field: str
    status: Status


@dataclass(frozen=True)
class LanguageSummary:
    lang: str
    fields: int
    translated: int
    up_to_date: int
    stale: int
    unstamped: int
    missing: int


def field_status(record: Record, lang: str) -> list[FieldStatus]:
    """Every field of ``record`` that is not an up-to-date translation into ``lang``."""
    stamps = record.translations.get(lang, {})
    out = []
    for name, text in text_fields(record):
        status: Status | None = None
        if not text.has(lang):
            status = "missing"
        elif name not in stamps:
            status = "unstamped"
        elif stamps[name] != english_hash(text):
            status = "stale"
        if status:
            out.append(FieldStatus(record.id, record.path, lang, name, status))
    return out


def translation_status(catalogue: Catalogue, languages: Sequence[str]) -> tuple[list[LanguageSummary],
                                                                                   list[FieldStatus]]:
    summaries, problems = [], []
    for lang in languages:
        total = 0
        found: list[FieldStatus] = []
        for record in sorted(catalogue.records.values(), key=lambda r: r.id):
            total += len(text_fields(record))
            found += field_status(record, lang)
        count = {s: sum(1 for f in found if f.status == s) for s in ("missing", "stale", "unstamped")}
        translated = total - count["missing"]
        summaries.append(LanguageSummary(lang, total, translated, translated - count["stale"] - count["unstamped"],
                                         count["stale"], count["unstamped"], count["missing"]))
        problems += found
    return summaries, problems


def check_languages(catalogue: Catalogue, languages: Iterable[str]) -> list[str]:
    known = list(catalogue.vocabulary.languages) if catalogue.vocabulary else ["en"]
    out = []
    for lang in languages:
        if lang not in known:
            raise UsageError(f"unknown language '{lang}'",
                             [Problem("", 0, 0, "lang", f"unknown language '{lang}'", did_you_mean(lang, known))])
        out.append(lang)
    return out


# --------------------------------------------------------------------------- stamping


def _render_block(stamps: dict[str, dict[str, str]]) -> str:
    lines = [BLOCK_COMMENT, "translations:"]
    for lang in sorted(stamps):
        if not stamps[lang]:
            continue
        lines.append(f"  {lang}:")
        # quoted: an all-digit hash would otherwise be read as a number
        lines += [f'    {name}: "{digest}"' for name, digest in stamps[lang].items()]
    return "\n".join(lines) + "\n"


def _replace_block(text: str, block: str) -> str:
    """Put ``block`` where the file's ``translations:`` block is, or at the end."""
    doc, _ = parse_yaml_bytes(text.encode("utf-8"), "")
    lines = text.splitlines(keepends=True)
    start = doc.keys.get(("translations",)) if doc else None
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        return "".join(lines) + block
    first = start[0] - 1
    later = sorted(pos[0] - 1 for key, pos in (doc.keys.items() if doc else ()) if len(key) == 1
                   and pos[0] - 1 > first)
    end = later[0] if later else len(lines)
    # comments and blank lines just above the next key belong to that key
    while end > first + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")) and later:
        end -= 1
    if first > 0 and lines[first - 1].strip() == BLOCK_COMMENT:
        first -= 1
    return "".join(lines[:first]) + block + "".join(lines[end:])


def stamp(catalogue: Catalogue, lang: str, ids: Sequence[str] = ()) -> list[str]:
    """Record, for the given records (default: all), that their ``lang`` texts follow the
    current English text. Returns the ids of the records whose files changed."""
    check_languages(catalogue, [lang])
    source = catalogue.settings.source_language
    if lang == source:
        others = [x for x in (catalogue.vocabulary.languages if catalogue.vocabulary else ()) if x != source]
        raise UsageError(f"{lang} is the source language; stamp a translation such as {(others or ['de'])[0]}")
    broken = {f.id for f in catalogue.files} - set(catalogue.records)
    for record_id in ids:
        if record_id in broken:
            raise UsageError(f"record '{record_id}' has errors; fix them first (toolbox validate)")
    records = [catalogue.get(i) for i in ids] if ids else sorted(catalogue.records.values(), key=lambda r: r.id)
    changed = []
    for record in records:
        stamps = {k: dict(v) for k, v in record.translations.items()}
        new = {name: english_hash(text) for name, text in text_fields(record) if text.has(lang)}
        if stamps.get(lang, {}) == new:
            continue
        stamps[lang] = new
        path = catalogue.project / record.path
        text = path.read_text(encoding="utf-8")
        atomic_write_text(path, _replace_block(text, _render_block(stamps)))
        changed.append(record.id)
    return changed
