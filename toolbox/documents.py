"""Turn records into the flat documents the index stores (plain data, no Whoosh).

A document holds, per language, a title, a summary and a body of plain text; the tag values of
every facet axis; labels and synonyms of those tags for search; and what a result list needs to
display without reading YAML. Its hash decides whether an incremental update re-indexes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .model import Method, Pilot, Record, Region, Text, Vocabulary

if TYPE_CHECKING:
    from .project import Catalogue
from .textutil import fold, plain

EFFORT_RANK = {"low": 1, "medium": 2, "high": 3}


def _texts(parts: Iterable[Text], lang: str) -> str:
    return "\n".join(plain(t.values[lang]) for t in parts if t.values.get(lang, "").strip())


def body_parts(record: Record) -> list[Text]:
    """The long text fields of a record in reading order."""
    if isinstance(record, Method):
        return [record.purpose, record.when_to_use, *record.steps, record.materials,
                record.preconditions, record.pitfalls, record.results]
    if isinstance(record, Pilot):
        return [record.description, record.results, record.lessons, record.transfer]
    if isinstance(record, Region):
        return [record.description]
    return []  # pragma: no cover


class Context(Protocol):
    """What a document needs beyond its own record: a :class:`Catalogue`, or the quick
    update's stand-in built from the index's saved link graph."""

    @property
    def vocabulary(self) -> Vocabulary | None: ...

    def regions_of(self, record: Record) -> tuple[str, ...]: ...

    def region_title(self, region_id: str) -> Mapping[str, str] | None: ...


def tags_of(context: Context, record: Record) -> dict[str, tuple[str, ...]]:
    return {
        "audience": record.audience,
        "sector": record.sector,
        "region": context.regions_of(record),
        "effort": (record.effort.level,) if record.effort else (),
        "kind": (record.kind,),
    }


def tag_text(context: Context, tags: Mapping[str, Sequence[str]]) -> str:
    """Labels and synonyms of a document's tags in every language, searched with low weight."""
    vocabulary = context.vocabulary
    words: list[str] = []
    if vocabulary:
        for axis in ("audience", "sector", "effort"):
            terms = vocabulary.axes.get(axis)
            for value in tags[axis]:
                term = terms.terms.get(value) if terms else None
                if term:
                    words += [*term.label.values.values(), *term.synonyms]
    for region_id in tags["region"]:
        title = context.region_title(region_id)
        if title:
            words += list(title.values())
    return " ".join(words)


def make_document(context: Context, record: Record) -> dict[str, Any]:
    vocabulary = context.vocabulary
    languages = list(vocabulary.languages) if vocabulary else ["en"]
    tags = tags_of(context, record)
    parts = body_parts(record)
    texts: dict[str, dict[str, str]] = {}
    for lang in languages:
        entry = {
            "title": record.title.values.get(lang, ""),
            "summary": plain(record.summary.values.get(lang, "")),
            "body": _texts(parts, lang),
        }
        if isinstance(record, Pilot):
            entry["body"] += "\n" + " ".join(o if isinstance(o, str) else o.values.get(lang, "")
                                        for o in record.organisations)
        if any(entry.values()):
            texts[lang] = entry

    effort = record.effort.level if record.effort else ""
    return {
        "id": record.id,
        "kind": record.kind,
        "tags": {k: list(v) for k, v in tags.items()},
        "sort": {lang: fold(record.title.get(lang)) for lang in languages},
        "effort_rank": EFFORT_RANK.get(effort, 9),
        "texts": texts,
        "tags_text": tag_text(context, tags),
    }


def document_hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def make_documents(catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    return {rid: make_document(catalogue, rec) for rid, rec in sorted(catalogue.records.items())}
