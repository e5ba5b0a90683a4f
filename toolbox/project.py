"""Find a project's files, load every record and check the links between them.

A project is a folder holding ``methods/`` (records and ``vocabulary.yaml``) and optionally
``templates/``. Loading never stops at the first bad file: it returns a :class:`Catalogue` of
the records that loaded and every problem found, so callers decide whether to fail.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContentError, Problem, ProblemList, article, did_you_mean, sort_problems
from .files import (
    FOLDER_OF_KIND,
    PROJECT_FILE,
    TERMS_FILE,
    VOCABULARY_FILE,
    SourceFile,
    _rel,
    content_root,
    discover,
)
from .lastgood import LastGood, StaleRecord
from .model import Method, Pilot, Record, Region, Vocabulary
from .settings import DEFAULTS, Settings, load_settings
from .validate import MAX_PROBLEMS_PER_FILE, Reference, check_record
from .vocabulary import load_vocabulary
from .yamlsource import parse_yaml_bytes

if TYPE_CHECKING:
    from .termbase import Termbase


@dataclass(frozen=True)
class _Backlinks:
    pilots_naming_method: dict[str, set[str]]
    methods_naming_pilot: dict[str, set[str]]
    methods_naming_related: dict[str, set[str]]
    pilots_in_region: dict[str, list[Pilot]]


@dataclass(frozen=True)
class Catalogue:
    """Everything loaded from a project: valid records, the vocabulary and all problems."""

    project: Path
    records: Mapping[str, Record]
    vocabulary: Vocabulary | None
    problems: tuple[Problem, ...]
    files: tuple[SourceFile, ...] = ()
    hashes: Mapping[str, str] = field(default_factory=dict)  # rel path -> sha256 of the bytes
    vocabulary_hash: str = ""  # of the vocabulary and the project file: both shape every document
    settings: Settings = DEFAULTS
    settings_hash: str = ""  # of methods/project.yaml alone; "" without one
    # records whose file is broken now, loaded in their last good version (toolbox/lastgood.py)
    stale: Mapping[str, StaleRecord] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    def of_kind(self, kind: str) -> Iterator[Record]:
        return (r for r in self.records.values() if r.kind == kind)

    # -- links, in both directions, whichever side wrote them ----------------------------

    @cached_property
    def _backlinks(self) -> _Backlinks:
        """Reverse link maps, built once: the link helpers below are called per record while
        documents are made, and scanning every record each time was quadratic."""
        links = _Backlinks(defaultdict(set), defaultdict(set), defaultdict(set), defaultdict(list))
        for rec in self.records.values():
            if isinstance(rec, Pilot):
                for mid in rec.methods:
                    links.pilots_naming_method[mid].add(rec.id)
                for rid in dict.fromkeys(rec.region):
                    links.pilots_in_region[rid].append(rec)
            elif isinstance(rec, Method):
                for pid in rec.pilots:
                    links.methods_naming_pilot[pid].add(rec.id)
                for mid in rec.related:
                    links.methods_naming_related[mid].add(rec.id)
        return links

    def pilots_of_method(self, method_id: str) -> list[Pilot]:
        method = self.records.get(method_id)
        ids = set(method.pilots) if isinstance(method, Method) else set()
        ids |= self._backlinks.pilots_naming_method.get(method_id, set())
        return [r for i in sorted(ids) if isinstance(r := self.records.get(i), Pilot)]

    def methods_of_pilot(self, pilot_id: str) -> list[Method]:
        pilot = self.records.get(pilot_id)
        ids = list(pilot.methods) if isinstance(pilot, Pilot) else []
        ids += sorted(i for i in self._backlinks.methods_naming_pilot.get(pilot_id, set()) if i not in ids)
        return [r for i in ids if isinstance(r := self.records.get(i), Method)]

    def pilots_in_region(self, region_id: str) -> list[Pilot]:
        return list(self._backlinks.pilots_in_region.get(region_id, []))

    def related_methods(self, method_id: str) -> list[Method]:
        method = self.records.get(method_id)
        ids = list(method.related) if isinstance(method, Method) else []
        ids += sorted(i for i in self._backlinks.methods_naming_related.get(method_id, set()) if i not in ids)
        return [r for i in ids if isinstance(r := self.records.get(i), Method) and i != method_id]

    def regions_of(self, record: Record) -> tuple[str, ...]:
        """Region tags of a record; a method takes the regions of the pilots that used it."""
        if isinstance(record, Method):
            return tuple(sorted({r for p in self.pilots_of_method(record.id) for r in p.region}))
        return record.region_tags

    def region_title(self, region_id: str) -> Mapping[str, str] | None:
        region = self.records.get(region_id)
        return region.title.values if region else None

    def broken(self, record_id: str) -> tuple[str, tuple[Problem, ...]] | None:
        """``(path, problems)`` when the record's file exists but does not load now (whether or
        not a last good version stands in for it)."""
        if record_id in self.stale:
            entry = self.stale[record_id]
            return entry.path, entry.problems
        for f in self.files:
            if f.id == record_id and record_id not in self.records:
                return f.rel, tuple(p for p in self.problems if p.path == f.rel and p.severity == "error")
        return None

    def require(self, record_id: str) -> Record:
        """The record as its file says now: its file's own problems if it is broken (the last
        good version, which the web page keeps showing, is not what an editor should print)."""
        broken = self.broken(record_id)
        if broken is not None:
            path, problems = broken
            kept = " (the index and the web page keep its last good version)" if record_id in self.stale else ""
            raise ContentError(f"{path} has errors; record '{record_id}' cannot be used until they are fixed{kept}",
                               problems)
        return self.get(record_id)

    def get(self, record_id: str) -> Record:
        try:
            return self.records[record_id]
        except KeyError:
            from .errors import UsageError

            broken = self.broken(record_id)
            if broken is not None:
                raise ContentError(f"{broken[0]} has errors; record '{record_id}' did not load", broken[1]) from None
            raise UsageError(f"no record with id '{record_id}'",
                             [Problem("", 0, 0, "id", f"no record with id '{record_id}'",
                                      did_you_mean(record_id, self.records))]) from None

    def raise_for_errors(self) -> None:
        if self.errors:
            n = len(self.errors)
            raise ContentError(f"{n} problem{'s' if n != 1 else ''} in the content", self.errors)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_catalogue(project: Path, last_good: LastGood | None = None) -> Catalogue:
    """Load the vocabulary and every record of ``project``; collect all problems.

    With ``last_good`` (a lookup into the index, :func:`toolbox.lastgood.reader`), a record file
    that fails to load is loaded in its last good version and listed in ``stale``; its
    problems are reported all the same."""
    project = project.resolve()
    root = content_root(project)
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(Problem(_rel(root, project), 0, 0, "", "no methods/ folder here",
                                "run the command in a project folder, or pass --project DIR"))
        return Catalogue(project, {}, None, tuple(problems))

    settings_path = root / PROJECT_FILE
    settings, sproblems = load_settings(settings_path, _rel(settings_path, project))
    problems.extend(sproblems)
    settings_hash = sha256(settings_path.read_bytes()) if settings_path.is_file() else ""

    vocab_path = root / VOCABULARY_FILE
    vocabulary: Vocabulary | None = None
    vocabulary_hash = ""
    if vocab_path.is_file():
        vocabulary, vproblems = load_vocabulary(vocab_path, _rel(vocab_path, project), settings)
        problems.extend(vproblems)
        vocabulary_hash = sha256(vocab_path.read_bytes())
        if settings_hash:
            vocabulary_hash = sha256(f"{vocabulary_hash}:{settings_hash}".encode())
    else:
        problems.append(Problem(_rel(vocab_path, project), 0, 0, "", "vocabulary file is missing",
                                "copy methods/vocabulary.yaml from the shipped toolbox and adapt it"))

    termbase: Termbase | None = None
    terms_path = root / TERMS_FILE
    if terms_path.is_file() and vocabulary is not None:
        from .termbase import load_termbase

        termbase, tproblems = load_termbase(terms_path, _rel(terms_path, project), set(vocabulary.languages))
        problems.extend(tproblems)

    files, fproblems = discover(root, project)
    problems.extend(fproblems)
    records: dict[str, Record] = {}
    first_seen: dict[str, str] = {}
    references: list[Reference] = []
    hashes: dict[str, str] = {}
    field_pos: dict[str, dict[str, tuple[int, int]]] = {}
    stale: dict[str, StaleRecord] = {}
    for source in files:
        try:
            raw = source.path.read_bytes()
        except OSError as exc:
            problems.append(Problem(source.rel, 0, 0, "", f"cannot read file: {exc.strerror}"))
            continue
        hashes[source.rel] = sha256(raw)
        if source.id in first_seen:
            problems.append(Problem(source.rel, 1, 1, "", f"duplicate id '{source.id}': "
                                    f"{first_seen[source.id]} has the same file name",
                                    "ids are unique across methods, pilots and regions; rename one file"))
            continue
        first_seen[source.id] = source.rel
        doc, yproblems = parse_yaml_bytes(raw, source.rel)
        problems.extend(yproblems)
        record = None
        if doc is not None:
            field_pos[source.rel] = {k[0]: v for k, v in doc.keys.items() if len(k) == 1 and isinstance(k[0], str)}
            record, rproblems, refs = check_record(source.kind, source.id, doc, vocabulary, termbase)
            problems.extend(rproblems)
            references.extend(refs)
            if any(p.severity == "error" for p in yproblems):
                record = None
        if record is not None:
            records[source.id] = record
        elif last_good is not None and vocabulary is not None:
            own = tuple(p for p in (*yproblems, *(rproblems if doc is not None else ()))
                        if p.severity == "error")
            kept = _last_good_record(source, last_good, hashes[source.rel], vocabulary, own)
            if kept is not None:
                records[source.id], stale[source.id] = kept

    loaded_files = [f for f in files if first_seen.get(f.id) == f.rel]
    problems.extend(_check_references(references, first_seen, loaded_files))
    problems.extend(_check_link_symmetry(records, field_pos))
    return Catalogue(project, records, vocabulary, tuple(sort_problems(problems)), tuple(files), hashes,
                     vocabulary_hash, settings, settings_hash, stale)


def _last_good_record(source: SourceFile, last_good: LastGood, current: str, vocabulary: Vocabulary,
                      problems: tuple[Problem, ...]) -> tuple[Record, StaleRecord] | None:
    """The record of ``source`` as it last loaded cleanly, if the index kept that version."""
    found = last_good(source.rel)
    if found is None or found[1] == current:
        return None
    doc, yproblems = parse_yaml_bytes(found[0], source.rel)
    if doc is None or any(p.severity == "error" for p in yproblems):
        return None
    record, rproblems, _refs = check_record(source.kind, source.id, doc, vocabulary)
    if record is None or any(p.severity == "error" for p in rproblems):
        return None  # the vocabulary changed since, and the old version no longer fits it
    return record, StaleRecord(source.id, source.rel, found[1], problems)


#: Which field of a record of one kind links to records of another kind.
_LINK_FIELDS = {("method", "method"): "related", ("method", "pilot"): "pilots",
                ("pilot", "method"): "methods", ("pilot", "region"): "region"}


def _check_references(references: list[Reference], ids: Mapping[str, str],
                      files: list[SourceFile]) -> list[Problem]:
    kind_of = {f.id: f.kind for f in files}
    by_kind: dict[str, list[str]] = defaultdict(list)
    for f in files:
        by_kind[f.kind].append(f.id)
    folders: dict[str, str] = {str(k): v for k, v in FOLDER_OF_KIND.items()}
    # as in validate.Checker: a pilot naming 40,000 methods that do not exist spent 7 s on
    # "did you mean" before a file's problems were limited
    problems = ProblemList(MAX_PROBLEMS_PER_FILE)
    for ref in references:
        good = ref.target in ids and kind_of.get(ref.target) == ref.kind
        if good and ref.target != ref.source_id:
            continue
        if problems.full(ref.path):
            problems.count(ref.path, ref.line, ref.column, "warning" if good else "error")
            continue
        if ref.target not in ids:
            problems.add(Problem(ref.path, ref.line, ref.column, ref.field,
                                 f"no {ref.kind} with id '{ref.target}'",
                                 did_you_mean(ref.target, by_kind[ref.kind])
                                 if by_kind[ref.kind] else f"create methods/{folders[ref.kind]}"
                                 f"{'/' if folders[ref.kind] else ''}{ref.target}.yaml"))
        elif kind_of.get(ref.target) != ref.kind:
            actual = kind_of[ref.target]
            owner = kind_of.get(ref.source_id, "")
            right_field = _LINK_FIELDS.get((owner, actual))
            problems.add(Problem(ref.path, ref.line, ref.column, ref.field,
                                 f"'{ref.target}' is {article(actual)} {actual}, not {article(ref.kind)} {ref.kind}",
                                 f"move it to '{right_field}:'" if right_field
                                 else f"remove it; {owner or 'this'} records do not link to {actual}s"))
        elif ref.target == ref.source_id:
            problems.add(Problem(ref.path, ref.line, ref.column, ref.field, "a record links to itself",
                                 "remove this entry", "warning"))
    return problems.all()


def _check_link_symmetry(records: Mapping[str, Record],
                         field_pos: Mapping[str, Mapping[str, tuple[int, int]]]) -> list[Problem]:
    """Method ↔ pilot links should be written on both sides; a missing side is a warning."""
    problems = []

    def at(rec: Record, key: str) -> tuple[int, int]:
        return field_pos.get(rec.path, {}).get(key, (1, 1))

    for rec in records.values():
        if isinstance(rec, Pilot):
            for mid in rec.methods:
                method = records.get(mid)
                if isinstance(method, Method) and rec.id not in method.pilots:
                    problems.append(Problem(method.path, *at(method, "pilots"), "pilots",
                                            f"pilot '{rec.id}' uses this method but is not listed here",
                                            f"add '{rec.id}' to pilots:", "warning"))
        elif isinstance(rec, Method):
            for pid in rec.pilots:
                pilot = records.get(pid)
                if isinstance(pilot, Pilot) and rec.id not in pilot.methods:
                    problems.append(Problem(pilot.path, *at(pilot, "methods"), "methods",
                                            f"method '{rec.id}' lists this pilot but it is not listed here",
                                            f"add '{rec.id}' to methods:", "warning"))
    return problems


def region_ids(catalogue: Catalogue) -> list[str]:
    return sorted(r.id for r in catalogue.of_kind("region") if isinstance(r, Region))
