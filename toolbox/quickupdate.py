"""Re-index edited record files without loading the rest of the project.

The full update path loads and validates every YAML file, because a record's document depends
on other records: a method carries the regions of the pilots that used it, and every document
carries the titles of its regions. At 10,000 records that load takes seconds, while an editor
changed one file. This path reads only the changed files and takes everything else from what
the last build saved beside the index: the link graph (``state.pickle``), the region titles
(``manifest.json``) and the stored documents of the neighbours whose derived tags may change.

It handles the common case and declines the rest, returning ``None`` so the caller takes the
full path: files added or removed, the vocabulary changed, a changed file with any error, a
link to an unknown record, a region whose title changed, a previous build with errors, or more
than :data:`MAX_FILES` changed files. Declining is always safe; the tests check that whatever
this path writes equals what a full load writes.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from .analysis import ANALYSIS_VERSION
from .documents import document_hash, make_document, tag_text
from .files import KIND_FOLDERS, PROJECT_FILE, VOCABULARY_FILE, content_root, record_stats
from .indexer import (
    STATE,
    VOCABULARY_CACHE,
    IndexReport,
    Progress,
    Staleness,
    _Changes,
    _write_generation,
    code_fingerprint,
    live_generation,
    read_files,
    read_manifest,
    read_pickle,
    write_state,
    writer_lock,
)
from .model import Method, Pilot, Record, Vocabulary
from .validate import check_record
from .vocabulary import load_vocabulary
from .yamlsource import parse_yaml_bytes

#: Beyond this many changed files a full load is about as fast and simpler to trust.
MAX_FILES = 50

# graph entry: [kind, methods, pilots, related, regions]
KIND, METHODS, PILOTS, RELATED, REGIONS = range(5)


def graph_entry(record: Record) -> list[Any]:
    """What the next quick update needs to know about a record's links."""
    if isinstance(record, Pilot):
        return [record.kind, list(record.methods), [], [], list(record.region)]
    if isinstance(record, Method):
        return [record.kind, [], list(record.pilots), list(record.related), []]
    return [record.kind, [], [], [], []]


class _GraphContext:
    """Stands in for a :class:`~toolbox.project.Catalogue` when making documents."""

    def __init__(self, vocabulary: Vocabulary, graph: Mapping[str, list[Any]],
                 region_titles: Mapping[str, Mapping[str, str]]) -> None:
        self._vocabulary = vocabulary
        self.graph = graph
        self.region_titles = region_titles

    @property
    def vocabulary(self) -> Vocabulary | None:
        return self._vocabulary

    def method_regions(self, method_id: str) -> tuple[str, ...]:
        # Catalogue.regions_of: the regions of the pilots the method names or that name it
        pilots = set(self.graph[method_id][PILOTS])
        pilots |= {pid for pid, e in self.graph.items() if e[KIND] == "pilot" and method_id in e[METHODS]}
        return tuple(sorted({r for pid in pilots if (e := self.graph.get(pid)) and e[KIND] == "pilot"
                             for r in e[REGIONS]}))

    def regions_of(self, record: Record) -> tuple[str, ...]:
        return self.method_regions(record.id) if isinstance(record, Method) else record.region_tags

    def region_title(self, region_id: str) -> Mapping[str, str] | None:
        return self.region_titles.get(region_id)


def _source(project: Path, rel: str) -> tuple[str, str] | None:
    """(kind, id) of a record file from its place in the project."""
    root = content_root(project)
    prefix = root.relative_to(project).as_posix() + "/" if root != project else ""
    inside = rel[len(prefix):].split("/")
    folder = inside[0] if len(inside) == 2 else ""
    kind = KIND_FOLDERS.get(folder)
    return (kind, inside[-1].rsplit(".", 1)[0]) if kind else None


def quick_update(project: Path, index_dir: Path, progress: Progress | None = None,
                 staleness: Staleness | None = None) -> IndexReport | None:
    """Re-index the changed files if this path can (see the module docstring), else ``None``.

    ``staleness`` is the check the caller just made; its file stats are reused when the live
    generation is still the one it looked at, which spares a second pass over every file.
    """
    started = time.perf_counter()
    with writer_lock(index_dir, progress):
        live = live_generation(index_dir)
        manifest = read_manifest(live)
        if live is None or manifest is None:
            return None
        if manifest.get("schema") != code_fingerprint() or manifest.get("analysis") != ANALYSIS_VERSION:
            return None
        if staleness is not None and staleness.gen == live and staleness.known:
            known, on_disk = staleness.known, staleness.on_disk
        else:
            known, on_disk = read_files(live) or {}, record_stats(project)
        if on_disk.keys() != known.keys():
            return None
        state = read_pickle(live / STATE)
        if not isinstance(state, dict) or not state.get("clean") or "graph" not in state:
            return None
        files = dict(known)
        edited: dict[str, bytes] = {}
        for rel, (size, mtime) in on_disk.items():
            digest, known_size, known_mtime = known[rel]
            if known_size == size and known_mtime == mtime:
                continue
            try:
                raw = (project / rel).read_bytes()
            except OSError:
                return None
            actual = hashlib.sha256(raw).hexdigest()
            files[rel] = [actual, size, mtime]
            if actual != digest:
                edited[rel] = raw
        if files == known:
            return None  # nothing to do here; the caller's check was out of date
        vocab_rel = (content_root(project) / VOCABULARY_FILE).relative_to(project).as_posix()
        settings_rel = (content_root(project) / PROJECT_FILE).relative_to(project).as_posix()
        if vocab_rel in edited or settings_rel in edited or len(edited) > MAX_FILES:
            return None

        vocabulary = _vocabulary(live, project, vocab_rel)
        if vocabulary is None:
            return None
        graph: dict[str, list[Any]] = dict(state["graph"])
        region_titles: dict[str, dict[str, str]] = manifest.get("labels", {}).get("region", {})
        records: dict[str, Record] = {}
        for rel, raw in edited.items():
            source = _source(project, rel)
            if source is None:
                return None
            kind, record_id = source
            doc, yproblems = parse_yaml_bytes(raw, rel)
            if doc is None or any(p.severity == "error" for p in yproblems):
                return None
            record, rproblems, refs = check_record(kind, record_id, doc, vocabulary)
            if record is None or any(p.severity == "error" for p in rproblems):
                return None
            if any(graph.get(ref.target, [None])[KIND] != ref.kind for ref in refs):
                return None
            if kind == "region" and list(region_titles.get(record_id, {}).items()) != list(record.title.values.items()):
                return None
            records[record_id] = record

        old_graph = state["graph"]
        for rid, record in records.items():
            graph[rid] = graph_entry(record)
        affected = set(records)
        for rid in records:
            if graph[rid][KIND] == "pilot":
                affected |= set(old_graph[rid][METHODS]) | set(graph[rid][METHODS])
                affected |= {mid for mid, e in graph.items() if e[KIND] == "method" and rid in e[PILOTS]}
        affected &= graph.keys()

        context = _GraphContext(vocabulary, graph, region_titles)
        docs = {rid: make_document(context, rec) for rid, rec in records.items()}
        neighbours = sorted(affected - records.keys())
        if neighbours:
            ix = whoosh_index.open_dir(str(live))
            try:
                with ix.searcher() as searcher:
                    for rid in neighbours:
                        docnum = searcher.document_number(id=rid)
                        if docnum is None:
                            return None
                        docs[rid] = _rederive(context, rid, searcher.stored_fields(docnum))
            finally:
                ix.close()

        hashes: dict[str, str] = dict(state["docs"])
        todo = []
        for rid, new_doc in docs.items():
            digest = document_hash(new_doc)
            if hashes.get(rid) != digest:
                hashes[rid] = digest
                todo.append(rid)
        todo.sort()
        new_state = {"files": files, "docs": hashes, "graph": graph, "clean": True}
        if todo:
            new_manifest = {**manifest, "built": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            _write_generation(index_dir, live, list(manifest["languages"]), docs, _Changes(False, todo, todo),
                              new_manifest, new_state, progress, vocabulary)
        else:
            write_state(live, new_state, atomic=True)
        return IndexReport(index_dir, False, "", (), tuple(todo), (), len(hashes), (),
                           time.perf_counter() - started, quick=True)


def _vocabulary(live: Path, project: Path, rel: str) -> Vocabulary | None:
    """The vocabulary the live generation was built with: its pickled copy, else parsed.

    Unpickling takes about a millisecond where parsing and checking the YAML takes twenty. The
    copy is trusted like the rest of the index folder (Whoosh pickles its stored fields too).
    """
    try:
        cached = pickle.loads((live / VOCABULARY_CACHE).read_bytes())
        if isinstance(cached, Vocabulary):
            return cached
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError, ImportError, TypeError):
        pass
    from .settings import load_settings

    settings_rel = rel.rsplit("/", 1)[0] + "/" + PROJECT_FILE if "/" in rel else PROJECT_FILE
    settings, sproblems = load_settings(project / settings_rel, settings_rel)
    if any(p.severity == "error" for p in sproblems):
        return None
    vocabulary, problems = load_vocabulary(project / rel, rel, settings)
    return None if vocabulary is None or any(p.severity == "error" for p in problems) else vocabulary


def _rederive(context: _GraphContext, rid: str, stored: Mapping[str, Any]) -> dict[str, Any]:
    """A neighbour's document again, from its stored copy, with its derived tags recomputed."""
    display = stored["display"]
    tags = {axis: list(values) for axis, values in display["tags"].items()}
    if stored["kind"] == "method":
        tags["region"] = list(context.method_regions(rid))
    return {"id": rid, "kind": stored["kind"], "tags": tags, "sort": display["sort"],
            "effort_rank": display["effort_rank"], "texts": display["texts"],
            "tags_text": tag_text(context, tags)}
