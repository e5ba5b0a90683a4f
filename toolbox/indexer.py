"""Build and update the Whoosh index: incremental, atomic and locked.

Layout of an index folder::

    index/
      CURRENT           name of the live generation, replaced atomically
      gen-000007/       a complete Whoosh index plus the files below
        manifest.json   fingerprints, languages, facet labels, synonyms: what a search reads
        files.pickle    size, time and hash of every record file: what a staleness check reads
        state.pickle    document hashes and the link graph: what the next build reads
        vocabulary.pickle  the parsed vocabulary, for the quick update
        tags.json       the facet tag table (axis -> value -> document numbers)
        spelling.pickle every indexed word with its frequency, per language, for typo correction
        synonyms.pickle the synonym groups' lookup by stem
        phrases.pickle  the terms of every synonym phrase per language
      .lock             held by the one process allowed to write
      .tmp-*/           a generation being built (removed if a build died)

A build never touches the live generation: it writes a new one (an incremental update starts
from hard links to the live files, which Whoosh never rewrites in place), then switches
``CURRENT`` with ``os.replace``. A process killed at any moment leaves ``CURRENT`` pointing at
a complete index. The manifest records what went in: file hashes (to tell cheaply whether the
content changed), document hashes (to re-index only what changed) and the schema, analysis and
vocabulary fingerprints (a change of any forces a full rebuild).

The tag table and the word list are written at build time so that opening an index reads two
small files instead of walking Whoosh postings, and the spelling words need no second indexed
copy of every text.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import shutil
import signal
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index

from . import __version__
from .analysis import ANALYSIS_VERSION, FACET_FIELDS, build_schema, spelling_terms, text_field
from .docsets import TagTable, from_numbers
from .errors import IndexUnavailable, Problem
from .fileio import atomic_write_bytes, atomic_write_text, fsync_dir
from .files import PROJECT_FILE, VOCABULARY_FILE, content_root, record_stats
from .gcpause import paused_gc
from .parts import processes_for, write_in_parts
from .paths import is_project

if TYPE_CHECKING:
    from .model import Vocabulary
    from .project import Catalogue

MANIFEST = "manifest.json"
# Pickled, not JSON: at 10,000 records these are megabytes that every update reads and writes
# (pickle is two to four times faster), and the index folder is trusted as Whoosh's own files are.
STATE = "state.pickle"
FILES = "files.pickle"
VOCABULARY_CACHE = "vocabulary.pickle"
TAGS = "tags.json"
SPELLING = "spelling.pickle"
#: The synonym lookup by stem (``query.SynonymTable``): stemming every phrase of the thesaurus in
#: every language takes tens of milliseconds, too much for every cold search.
SYNONYMS = "synonyms.pickle"
#: The terms of every synonym phrase in every language's fields (``analysis.phrase_terms``).
PHRASES = "phrases.pickle"
SIDECARS = (MANIFEST, STATE, FILES, TAGS, SPELLING, VOCABULARY_CACHE, SYNONYMS, PHRASES)
#: Tests set this to a checkpoint name to have the build SIGKILL itself there (crash-safety tests).
CRASH_ENV = "TOOLBOX_TEST_CRASH_AT"
CURRENT = "CURRENT"
FORMAT = 4
#: An update appends a segment; at this many the next update merges them.
MAX_SEGMENTS = 8
Progress = Callable[[str], None]


@dataclass(frozen=True)
class IndexReport:
    """What a build did, for the CLI to print and tests to check."""

    index_dir: Path
    full: bool
    reason: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    total: int
    skipped: tuple[Problem, ...]  # errors in records left out of the index
    seconds: float
    quick: bool = False  # made by the quick update, which read only the changed files
    stale: tuple[Problem, ...] = ()  # errors in record files whose last good version the index kept

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated) + len(self.removed)

    def summary(self) -> str:
        if self.full:
            text = f"built index of {self.total} records ({self.reason})"
        elif not self.changed:
            text = f"index is up to date ({self.total} records)"
        else:
            bits = [f"{len(x)} {word}" for x, word in
                    ((self.added, "added"), (self.updated, "updated"), (self.removed, "removed")) if x]
            text = f"updated index: {', '.join(bits)}; {self.total} records"
        files = {p.path for p in self.skipped}
        if files:
            text += f"; {len(files)} file{'s' if len(files) != 1 else ''} with errors left out"
        kept = {p.path for p in self.stale}
        if kept:
            many = len(kept) != 1
            text += (f"; {len(kept)} file{'s' if many else ''} with errors kept in {'their' if many else 'its'} "
                     "last good version")
        return text


# --------------------------------------------------------------------------- reading state


def live_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = index_dir / name
    return gen if name.startswith("gen-") and gen.is_dir() else None


def read_manifest(gen: Path | None) -> dict[str, Any] | None:
    if gen is None:
        return None
    try:
        data = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def read_pickle(path: Path) -> Any:
    # The cyclic garbage collector runs again and again while pickle builds tens of thousands
    # of small containers and finds nothing to free; pausing it halves the load time.
    try:
        with paused_gc():
            return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None


def read_files(gen: Path | None) -> dict[str, list[Any]] | None:
    """``rel path -> [sha256, size, mtime_ns]`` of the files a generation was built from."""
    data = read_pickle(gen / FILES) if gen is not None else None
    return data if isinstance(data, dict) else None


def read_state(gen: Path | None) -> dict[str, Any]:
    """The build state of a generation (files, document hashes, link graph); empty if unreadable."""
    if gen is None:
        return {}
    data = read_pickle(gen / STATE)
    files = read_files(gen)
    if not isinstance(data, dict) or files is None:
        return {}
    return {**data, "files": files}


def write_state(folder: Path, state: dict[str, Any], *, atomic: bool) -> None:
    write = atomic_write_bytes if atomic else _write_bytes
    write(folder / FILES, _pickle(state["files"]))
    write(folder / STATE, _pickle({k: v for k, v in state.items() if k != "files"}))


def read_synonyms(gen: Path) -> dict[tuple[str, ...], int] | None:
    """The saved synonym lookup of a generation (``None``: missing or unreadable)."""
    data = read_pickle(gen / SYNONYMS)
    return data if isinstance(data, dict) else None


def read_phrases(gen: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """The saved terms of the synonym phrases (empty: missing or unreadable, then analysed anew)."""
    data = read_pickle(gen / PHRASES)
    return data if isinstance(data, dict) else {}


def read_spelling(gen: Path) -> dict[str, int]:
    """The word list of a generation for "did you mean": folded word -> frequency."""
    data = read_pickle(gen / SPELLING)
    return data if isinstance(data, dict) else {}


def _write_bytes(path: Path, data: bytes) -> None:
    """Plain write, for files in a generation that is not live yet (it is fsynced as a whole)."""
    path.write_bytes(data)


def _write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _pickle(data: Any) -> bytes:
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)


def read_tag_table(gen: Path) -> tuple[dict[str, dict[str, int]], int]:
    """The facet table (axis -> value -> bit set of document numbers) and the bit set of the
    live documents of a generation (see ``docsets``)."""
    table = TagTable.from_json((gen / TAGS).read_text(encoding="utf-8"))
    live = table.live
    return {axis: {value: bits & live for value, bits in table.axes.get(axis, {}).items()}
            for axis in FACET_FIELDS}, live


#: The modules whose code decides what goes into the index: any change to them rebuilds it.
_SHAPING = ("analysis", "documents", "files", "model", "morphology", "project", "query", "schema", "textutil",
            "validate", "vocabulary", "yamlsource")


@cache
def code_fingerprint() -> str:
    """A hash of the source of the modules that shape documents. Cheaper than importing the
    schema to hash it (which a search would pay on every start) and stricter too. Two zlib
    checksums rather than SHA-256: this detects edits, not tampering, and spares a search the
    import of OpenSSL's hash library."""
    crc, adler = 0, 1
    here = Path(__file__).parent
    for name in _SHAPING:
        with contextlib.suppress(OSError):
            source = (here / f"{name}.py").read_bytes()
            crc, adler = zlib.crc32(source, crc), zlib.adler32(source, adler)
    return f"{crc:08x}{adler:08x}"


def _expected_fingerprints(vocabulary_hash: str) -> dict[str, Any]:
    return {"format": FORMAT, "schema": code_fingerprint(), "analysis": ANALYSIS_VERSION,
            "vocabulary": vocabulary_hash}


@dataclass(frozen=True)
class Staleness:
    """What a staleness check found, handed on so an update need not stat everything again."""

    reason: str | None
    gen: Path | None
    known: dict[str, list[Any]]
    on_disk: dict[str, tuple[int, int]]


def check_staleness(project: Path, index_dir: Path) -> Staleness:
    """Compare the live generation with the files on disk.

    Only ``stat`` calls unless a file's size or time changed; then its bytes are hashed, so
    touching a file does not count as a change.
    """
    gen = live_generation(index_dir)
    manifest = read_manifest(gen)
    if manifest is None:
        missing = not (index_dir / CURRENT).exists()
        return Staleness("no index yet" if missing else "index unreadable", gen, {}, {})
    if manifest.get("schema") != code_fingerprint() or manifest.get("analysis") != ANALYSIS_VERSION:
        return Staleness("the toolbox's schema changed", gen, {}, {})
    known = read_files(gen)
    if known is None:
        return Staleness("index unreadable", gen, {}, {})
    on_disk = record_stats(project)
    if on_disk.keys() != known.keys():
        return Staleness("files were added or removed", gen, known, on_disk)
    reason = None
    for rel, (size, mtime) in on_disk.items():
        digest, known_size, known_mtime = known[rel]
        if known_size == size and known_mtime == mtime:
            continue
        try:
            import hashlib  # only when a file's size or time changed

            actual = hashlib.sha256((project / rel).read_bytes()).hexdigest()
        except OSError:
            return Staleness(f"{rel} cannot be read", gen, known, on_disk)
        if actual != digest:
            return Staleness(f"{rel} changed", gen, known, on_disk)
        reason = reason or "file times changed"
    return Staleness(reason, gen, known, on_disk)


def stale_reason(project: Path, index_dir: Path) -> str | None:
    """Why the index must be (re)built, or ``None`` if it matches the files on disk."""
    reason = check_staleness(project, index_dir).reason
    return None if reason == "file times changed" else reason


# --------------------------------------------------------------------------- locking


@contextlib.contextmanager
def writer_lock(index_dir: Path, progress: Progress | None = None) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress:
                progress(f"waiting for another process that is building the index in {index_dir} …")
            fcntl.flock(fd, fcntl.LOCK_EX)
        # Holding the lock, any unfinished generation belongs to a build that died: remove it
        # now, even if this writer finds nothing to do and never gets to its own clean-up.
        for tmp in index_dir.glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# --------------------------------------------------------------------------- writing


def _whoosh_fields(doc: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": doc["id"],
        "kind": doc["kind"],
        "effort_rank": doc["effort_rank"],
        "tags": doc["tags_text"],
        # the whole document, so a quick update can re-derive a neighbour without its YAML
        "display": {"texts": doc["texts"], "tags": doc["tags"], "tags_text": doc["tags_text"],
                    "sort": doc["sort"], "effort_rank": doc["effort_rank"]},
    }
    for axis in ("audience", "sector", "region", "effort"):
        if doc["tags"][axis]:
            out[axis] = ",".join(doc["tags"][axis])
    for lang in languages:
        key = doc["sort"].get(lang) or next((v for v in doc["sort"].values() if v), "")
        out[f"sort_{lang}"] = key.encode("utf-8")
        entry = doc["texts"].get(lang)
        if not entry:
            continue
        for part in ("title", "summary", "body"):
            if entry[part]:
                out[text_field(part, lang)] = entry[part]
    return out


def _checkpoint(name: str) -> None:
    """Let a crash-safety test kill the build at a named point, without timing guesses."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _next_name(index_dir: Path) -> str:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _link_copy(src: Path, dst: Path) -> set[str]:
    """Hard-link the live generation's Whoosh files into ``dst``; return the names linked."""
    dst.mkdir()
    linked = set()
    for item in src.iterdir():
        if item.name in SIDECARS or item.name.endswith("LOCK"):
            continue
        try:
            os.link(item, dst / item.name)
            linked.add(item.name)
        except OSError:
            shutil.copy2(item, dst / item.name)
    return linked


def _cleanup(index_dir: Path, keep: set[str]) -> None:
    """Remove unfinished builds and generations older than the previous one."""
    gens = sorted(p.name for p in index_dir.glob("gen-*"))
    for name in gens[:-2]:
        if name not in keep:
            shutil.rmtree(index_dir / name, ignore_errors=True)
    for tmp in index_dir.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


def update_index(catalogue: Catalogue, index_dir: Path, *, rebuild: bool = False,
                 progress: Progress | None = None) -> IndexReport:
    """Bring the index up to date with ``catalogue``; see the module docstring for guarantees."""
    started = time.perf_counter()
    if catalogue.vocabulary is None:
        raise IndexUnavailable("cannot build the index: the vocabulary has errors",
                               [p for p in catalogue.errors if p.path.endswith(VOCABULARY_FILE)])
    languages = list(catalogue.vocabulary.languages)
    with writer_lock(index_dir, progress):
        live = live_generation(index_dir)
        manifest = read_manifest(live)
        expected = _expected_fingerprints(catalogue.vocabulary_hash)
        from .documents import document_hash, make_documents  # writing only: a search needs neither

        docs = make_documents(catalogue)
        hashes = {rid: document_hash(doc) for rid, doc in docs.items()}

        reason = ""
        if rebuild:
            reason = "rebuild requested"
        elif manifest is None:
            reason = "no index yet" if live is None else "index unreadable"
        elif any(manifest.get(k) != v for k, v in expected.items()):
            reason = "schema or vocabulary changed"
        state = {} if reason else read_state(live)
        if not reason and not all(k in state for k in ("docs", "files")):
            reason = "index unreadable"
        full = bool(reason)

        old_hashes: dict[str, str] = {} if full else state["docs"]
        added = tuple(sorted(r for r in hashes if r not in old_hashes))
        updated = tuple(sorted(r for r in hashes if r in old_hashes and old_hashes[r] != hashes[r]))
        removed = tuple(sorted(r for r in old_hashes if r not in hashes))

        from .model import settings_to_json

        new_manifest = {
            **expected,
            "toolbox": __version__,
            "project": str(catalogue.project),
            "languages": languages,
            "language_names": dict(catalogue.vocabulary.languages),
            "source_language": catalogue.vocabulary.source_language,
            "settings": settings_to_json(catalogue.settings),  # name, licence …: the web page's title and footer
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "labels": _labels(catalogue),
            "synonyms": [list(g) for g in catalogue.vocabulary.synonyms],
        }
        from .quickupdate import graph_entry

        new_state = {"files": _file_entries(catalogue), "docs": hashes, "clean": not catalogue.errors,
                     "graph": {rid: graph_entry(rec) for rid, rec in sorted(catalogue.records.items())},
                     "stale": {rid: entry.to_state() for rid, entry in sorted(catalogue.stale.items())}}
        stale_paths = {entry.path for entry in catalogue.stale.values()}
        loaded = {r.path for r in catalogue.records.values()}
        skipped = tuple(p for p in catalogue.errors if p.path in catalogue.hashes and p.path not in loaded)
        kept_stale = tuple(p for p in catalogue.errors if p.path in stale_paths)
        # every clean record file is kept by its hash, so a bad save later cannot unpublish it
        from .lastgood import prune, store

        store(index_dir, catalogue.project, {r.path: catalogue.hashes.get(r.path, "")
                                             for r in catalogue.records.values() if r.path not in stale_paths})

        if not full and not (added or updated or removed):
            # Content unchanged; refresh the file stats so the next staleness check is cheap.
            assert live is not None
            write_state(live, new_state, atomic=True)
            return IndexReport(index_dir, False, "", (), (), (), len(hashes), skipped,
                               time.perf_counter() - started, stale=kept_stale)

        changes = _Changes(full, [*added, *updated], [*updated, *removed])
        _write_generation(index_dir, live, languages, docs, changes, new_manifest, new_state, progress,
                          catalogue.vocabulary)
        if full:
            files: dict[str, list[Any]] = new_state["files"]  # type: ignore[assignment]
            kept = {e[0] for e in files.values()} | {e.good for e in catalogue.stale.values()}
            prev = read_state(live) if live is not None and live.exists() else {}
            kept |= {e[0] for e in (prev.get("files") or {}).values()}  # the previous generation may still serve
            kept |= {e["good"] for e in (prev.get("stale") or {}).values()}
            prune(index_dir, kept)
        return IndexReport(index_dir, full, reason, added, updated, removed, len(hashes), skipped,
                           time.perf_counter() - started, stale=kept_stale)


@dataclass(frozen=True)
class _Changes:
    full: bool
    todo: list[str]  # ids to (re-)add
    drop: list[str]  # ids whose old documents go


def _write_generation(index_dir: Path, live: Path | None, languages: list[str], docs: dict[str, dict[str, Any]],
                      changes: _Changes, manifest: dict[str, Any], state: dict[str, Any],
                      progress: Progress | None, vocabulary: Vocabulary | None) -> None:
    """Write a new generation beside the live one and switch ``CURRENT`` to it (lock held)."""
    tmp = Path(tempfile.mkdtemp(dir=index_dir, prefix=".tmp-"))
    shutil.rmtree(tmp)
    todo = changes.todo
    linked: set[str] = set()
    processes = processes_for(len(todo)) if changes.full else 1
    if changes.full:
        tmp.mkdir()
        schema = build_schema(languages)
        ix = whoosh_index.create_in(str(tmp), schema) if processes == 1 else None
        old_table = TagTable(0, frozenset(), {})
        spelling: Counter[str] = Counter()
        dropped: list[int] = []
    else:
        assert live is not None
        linked = _link_copy(live, tmp)
        ix = whoosh_index.open_dir(str(tmp))
        old_table = TagTable.from_json((live / TAGS).read_text(encoding="utf-8"))
        spelling = Counter(read_spelling(live))
        with ix.searcher() as searcher:
            dropped = []
            for rid in changes.drop:
                docnum = searcher.document_number(id=rid)
                if docnum is not None:
                    dropped.append(docnum)
                    old = searcher.stored_fields(docnum)["display"]
                    spelling.subtract(spelling_terms(old["texts"], old["tags_text"]))
    for rid in todo:
        spelling.update(spelling_terms(docs[rid]["texts"], docs[rid]["tags_text"]))

    def add(writer: Any, rid: str) -> None:
        writer.add_document(**_whoosh_fields(docs[rid], languages))

    if ix is None:  # a full build on several cores (see parts.py)
        try:
            if progress:
                progress(f"indexing {len(todo)} records in {processes} processes …")
            write_in_parts(tmp, schema, todo, add, processes, _checkpoint)
            _checkpoint("before-commit")
            _checkpoint("after-commit")
            ix = whoosh_index.open_dir(str(tmp))
            with ix.searcher() as searcher:
                numbers = {rid: searcher.document_number(id=rid) for rid in todo}
                count = searcher.reader().doc_count_all()
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            if ix is not None:
                ix.close()
    else:
        numbers, count, old_table, dropped = _write_documents(ix, tmp, todo, changes, add, old_table, dropped,
                                                              progress)
    table = _next_table(old_table, count, dropped, {rid: (numbers[rid], docs[rid]["tags"]) for rid in todo})
    _write_text(tmp / TAGS, table.to_json())
    _write_bytes(tmp / SPELLING, _pickle({w: n for w, n in spelling.items() if n > 0}))
    if not changes.full and live is not None and (live / SYNONYMS).is_file() and (live / PHRASES).is_file():
        # a changed vocabulary rebuilds in full
        synonyms, phrases = (live / SYNONYMS).read_bytes(), (live / PHRASES).read_bytes()
    else:
        from .analysis import phrase_terms
        from .query import SynonymTable

        groups = manifest.get("synonyms", [])
        synonyms = _pickle(SynonymTable(groups, languages).lookup)
        phrases = _pickle(phrase_terms(groups, languages))
    _write_bytes(tmp / SYNONYMS, synonyms)
    _write_bytes(tmp / PHRASES, phrases)
    write_state(tmp, state, atomic=False)
    if vocabulary is not None:
        (tmp / VOCABULARY_CACHE).write_bytes(pickle.dumps(vocabulary, protocol=pickle.HIGHEST_PROTOCOL))
    _write_text(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False))
    for item in tmp.iterdir():
        # hard links to the live generation's files are on disk already
        if item.is_file() and item.name not in linked:
            with contextlib.suppress(OSError), open(item, "rb") as fh:
                os.fsync(fh.fileno())
    name = _next_name(index_dir)
    os.rename(tmp, index_dir / name)
    fsync_dir(index_dir)
    _checkpoint("before-switch")
    atomic_write_text(index_dir / CURRENT, name + "\n")
    _checkpoint("after-switch")
    _cleanup(index_dir, {name})


def _write_documents(ix: Any, tmp: Path, todo: list[str], changes: _Changes, add: Callable[[Any, str], None],
                     old_table: TagTable, dropped: list[int], progress: Progress | None
                     ) -> tuple[dict[str, int | None], int, TagTable, list[int]]:
    """Delete and add documents with one writer; return their numbers, the document count and
    the tag table and deletions to patch (read back from the postings after a merge)."""
    # A full build merges into one segment; an update only appends one, so the document
    # numbers of every older document stay what the tag table says.
    writer = ix.writer(limitmb=512, compound=False) if changes.full else ix.writer(compound=False)
    try:
        for rid in changes.drop:
            writer.delete_by_term("id", rid)
        for n, rid in enumerate(todo, 1):
            add(writer, rid)
            if n == len(todo) // 2:
                _checkpoint("adding")
            if progress and len(todo) >= 200 and n % 200 == 0:
                progress(f"indexed {n}/{len(todo)} records")
        _checkpoint("before-commit")
        # Appending one small segment per update keeps every older document number, so the tag
        # table is patched, not rebuilt. Once segments pile up they are merged (renumbering
        # documents) and the table is read back from the postings instead.
        merge = changes.full or len(writer.segments) >= MAX_SEGMENTS
        writer.commit(optimize=changes.full, merge=merge)
        _checkpoint("after-commit")
        with ix.searcher() as searcher:
            numbers = {rid: searcher.document_number(id=rid) for rid in todo}
            count = searcher.reader().doc_count_all()
            if merge and not changes.full:
                old_table, dropped = _table_from_postings(searcher.reader()), []
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        ix.close()
    return numbers, count, old_table, dropped


def _table_from_postings(reader: Any) -> TagTable:
    """The tag table as the index's own keyword postings give it (after a merge)."""
    count = reader.doc_count_all()
    axes = {axis: {term: from_numbers(reader.postings(axis, term).all_ids(), count)
                   for term in reader.field_terms(axis)}
            for axis in FACET_FIELDS if axis in reader.schema}
    live = set(reader.all_doc_ids())
    return TagTable(count, frozenset(set(range(count)) - live), axes)


def _next_table(old: TagTable, count: int, dropped: list[int],
                added: dict[str, tuple[int | None, dict[str, list[str]]]]) -> TagTable:
    """The tag table after deleting ``dropped`` documents and adding ``added`` ones."""
    gone = from_numbers(dropped, count)
    axes = {axis: {value: bits & ~gone for value, bits in values.items()} for axis, values in old.axes.items()}
    for rid, (docnum, tags) in added.items():
        if docnum is None:
            raise IndexUnavailable(f"the index lost record '{rid}' while writing; run 'toolbox index --rebuild'")
        for axis in FACET_FIELDS:
            values = axes.setdefault(axis, {})
            for value in tags.get(axis, ()):
                values[value] = values.get(value, 0) | 1 << docnum
    # whatever a new segment holds beyond what we added would be a document we cannot tag
    stray = set(range(old.count, count)) - {n for n, _ in added.values()}
    return TagTable(count, old.deleted | set(dropped) | stray, axes)


def _labels(catalogue: Catalogue) -> dict[str, dict[str, dict[str, str]]]:
    """Labels of every facet value per language, so a search needs no YAML."""
    assert catalogue.vocabulary is not None
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for axis in ("audience", "sector", "effort"):
        terms = catalogue.vocabulary.axes[axis].terms if axis in catalogue.vocabulary.axes else {}
        labels[axis] = {tid: dict(term.label.values) for tid, term in terms.items()}
    labels["region"] = {r.id: dict(r.title.values) for r in catalogue.of_kind("region")}
    return labels


def sha256_file(path: Path) -> str:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _file_entries(catalogue: Catalogue) -> dict[str, list[Any]]:
    entries: dict[str, list[Any]] = {}
    project = catalogue.project
    vocab = content_root(project) / VOCABULARY_FILE
    hashes = dict(catalogue.hashes)
    if catalogue.vocabulary_hash:
        # the combined hash (vocabulary and project file) is the manifest's; the file's own
        # bytes are what the staleness check compares
        hashes[vocab.relative_to(project).as_posix()] = sha256_file(vocab)
    if catalogue.settings_hash:
        hashes[(vocab.parent / PROJECT_FILE).relative_to(project).as_posix()] = catalogue.settings_hash
    for rel, digest in hashes.items():
        try:
            st = (project / rel).stat()
        except OSError:
            continue
        entries[rel] = [digest, st.st_size, st.st_mtime_ns]
    return entries


def ensure_index(project: Path, index_dir: Path, load: Callable[[], Catalogue],
                 progress: Progress | None = None) -> IndexReport | None:
    """Build or update the index when :func:`stale_reason` says so; otherwise do nothing."""
    staleness = check_staleness(project, index_dir)
    if staleness.reason is None:
        return None
    reason = staleness.reason
    if staleness.gen is not None and staleness.known:
        from .quickupdate import quick_update

        report = quick_update(project, index_dir, progress, staleness)
        if report is not None:
            return report
        # another process may have brought the index up to date while this one waited for the
        # lock: then there is nothing to do, and no reason to load every record
        staleness = check_staleness(project, index_dir)
        if staleness.reason is None:
            return None
        reason = staleness.reason
    if not is_project(project) and not (project / VOCABULARY_FILE).is_file():
        raise IndexUnavailable(f"{project} is not a toolbox project (no methods/vocabulary.yaml)")
    if progress:
        progress(f"{'building' if reason == 'no index yet' else 'updating'} the search index "
                 f"in {index_dir} ({reason}) …")
    return update_index(load(), index_dir, progress=progress)
