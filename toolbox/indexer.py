"""Build and update the Whoosh index: incremental, atomic and locked.

Layout of an index folder::

    index/
      CURRENT           name of the live generation, replaced atomically
      gen-000007/       a complete Whoosh index plus manifest.json
      .lock             held by the one process allowed to write
      .tmp-*/           a generation being built (removed if a build died)

A build never touches the live generation: it writes a new one (an incremental update starts
from hard links to the live files, which Whoosh never rewrites in place), then switches
``CURRENT`` with ``os.replace``. A process killed at any moment leaves ``CURRENT`` pointing at
a complete index. The manifest records what went in: file hashes (to tell cheaply whether the
content changed), document hashes (to re-index only what changed) and the schema, analysis and
vocabulary fingerprints (a change of any forces a full rebuild).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from . import __version__
from .analysis import ANALYSIS_VERSION, build_schema, text_field
from .documents import document_hash, make_documents
from .errors import IndexUnavailable, Problem
from .fileio import atomic_write_text, fsync_dir
from .paths import is_project
from .project import VOCABULARY_FILE, Catalogue, content_root, discover
from .schema import fingerprint

MANIFEST = "manifest.json"
#: Tests set this to a checkpoint name to have the build SIGKILL itself there (crash-safety tests).
CRASH_ENV = "TOOLBOX_TEST_CRASH_AT"
CURRENT = "CURRENT"
FORMAT = 1
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


def _expected_fingerprints(vocabulary_hash: str) -> dict[str, Any]:
    return {"format": FORMAT, "schema": fingerprint(), "analysis": ANALYSIS_VERSION,
            "vocabulary": vocabulary_hash}


def _stat_files(project: Path) -> dict[str, tuple[int, int]]:
    root = content_root(project)
    files, _ = discover(root, project)
    out = {}
    for f in files:
        with contextlib.suppress(OSError):
            st = f.path.stat()
            out[f.rel] = (st.st_size, st.st_mtime_ns)
    vocab = root / VOCABULARY_FILE
    with contextlib.suppress(OSError):
        st = vocab.stat()
        out[vocab.relative_to(project).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def stale_reason(project: Path, index_dir: Path) -> str | None:
    """Why the index must be (re)built, or ``None`` if it matches the files on disk.

    Only ``stat`` calls unless a file's size or time changed; then its bytes are hashed, so
    touching a file does not count as a change.
    """
    manifest = read_manifest(live_generation(index_dir))
    if manifest is None:
        return "no index yet" if not (index_dir / CURRENT).exists() else "index unreadable"
    if manifest.get("schema") != fingerprint() or manifest.get("analysis") != ANALYSIS_VERSION:
        return "the toolbox's schema changed"
    known: dict[str, dict[str, Any]] = manifest.get("files", {})
    on_disk = _stat_files(project)
    if set(on_disk) != set(known):
        return "files were added or removed"
    from .project import sha256

    for rel, (size, mtime) in on_disk.items():
        entry = known[rel]
        if entry.get("size") == size and entry.get("mtime_ns") == mtime:
            continue
        try:
            digest = sha256((project / rel).read_bytes())
        except OSError:
            return f"{rel} cannot be read"
        if digest != entry.get("sha256"):
            return f"{rel} changed"
    return None


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
        "words": doc["words"],
        "display": {"texts": doc["texts"], "tags": doc["tags"]},
    }
    for axis in ("audience", "sector", "region", "effort"):
        if doc["tags"][axis]:
            out[axis] = ",".join(doc["tags"][axis])
    for lang in languages:
        out[f"sort_{lang}"] = doc["sort"].get(lang) or doc["sort"].get("en", "")
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


def _link_copy(src: Path, dst: Path) -> None:
    dst.mkdir()
    for item in src.iterdir():
        if item.name == MANIFEST or item.name.endswith("LOCK"):
            continue
        try:
            os.link(item, dst / item.name)
        except OSError:
            shutil.copy2(item, dst / item.name)


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
        docs = make_documents(catalogue)
        hashes = {rid: document_hash(doc) for rid, doc in docs.items()}

        reason = ""
        if rebuild:
            reason = "rebuild requested"
        elif manifest is None:
            reason = "no index yet" if live is None else "index unreadable"
        elif any(manifest.get(k) != v for k, v in expected.items()):
            reason = "schema or vocabulary changed"
        full = bool(reason)

        old_hashes: dict[str, str] = {} if full or manifest is None else manifest.get("docs", {})
        added = tuple(sorted(r for r in hashes if r not in old_hashes))
        updated = tuple(sorted(r for r in hashes if r in old_hashes and old_hashes[r] != hashes[r]))
        removed = tuple(sorted(r for r in old_hashes if r not in hashes))

        new_manifest = {
            **expected,
            "toolbox": __version__,
            "project": str(catalogue.project),
            "languages": languages,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": _file_entries(catalogue),
            "docs": hashes,
            "labels": _labels(catalogue),
            "synonyms": [list(g) for g in catalogue.vocabulary.synonyms],
        }
        loaded = {r.path for r in catalogue.records.values()}
        skipped = tuple(p for p in catalogue.errors if p.path in catalogue.hashes and p.path not in loaded)

        if not full and not (added or updated or removed):
            # Content unchanged; refresh the file stats so the next staleness check is cheap.
            assert live is not None
            atomic_write_text(live / MANIFEST, json.dumps(new_manifest, indent=1, ensure_ascii=False))
            return IndexReport(index_dir, False, "", (), (), (), len(hashes), skipped,
                               time.perf_counter() - started)

        tmp = Path(tempfile.mkdtemp(dir=index_dir, prefix=".tmp-"))
        shutil.rmtree(tmp)
        if full:
            tmp.mkdir()
            ix = whoosh_index.create_in(str(tmp), build_schema(languages))
            todo = list(docs)
        else:
            assert live is not None
            _link_copy(live, tmp)
            ix = whoosh_index.open_dir(str(tmp))
            todo = [*added, *updated]
        writer = ix.writer()
        try:
            for rid in (*updated, *removed):
                writer.delete_by_term("id", rid)
            for n, rid in enumerate(todo, 1):
                writer.add_document(**_whoosh_fields(docs[rid], languages))
                if n == len(todo) // 2:
                    _checkpoint("adding")
                if progress and len(todo) >= 200 and n % 200 == 0:
                    progress(f"indexed {n}/{len(todo)} records")
            _checkpoint("before-commit")
            writer.commit(optimize=full)
            _checkpoint("after-commit")
        except BaseException:
            writer.cancel()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            ix.close()
        atomic_write_text(tmp / MANIFEST, json.dumps(new_manifest, indent=1, ensure_ascii=False))
        for item in tmp.iterdir():
            if item.is_file():
                with contextlib.suppress(OSError), open(item, "rb") as fh:
                    os.fsync(fh.fileno())
        name = _next_name(index_dir)
        os.rename(tmp, index_dir / name)
        fsync_dir(index_dir)
        _checkpoint("before-switch")
        atomic_write_text(index_dir / CURRENT, name + "\n")
        _checkpoint("after-switch")
        _cleanup(index_dir, {name})
        return IndexReport(index_dir, full, reason, added, updated, removed, len(hashes), skipped,
                           time.perf_counter() - started)


def _labels(catalogue: Catalogue) -> dict[str, dict[str, dict[str, str]]]:
    """Labels of every facet value per language, so a search needs no YAML."""
    assert catalogue.vocabulary is not None
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for axis in ("audience", "sector", "effort"):
        terms = catalogue.vocabulary.axes[axis].terms if axis in catalogue.vocabulary.axes else {}
        labels[axis] = {tid: dict(term.label.values) for tid, term in terms.items()}
    labels["region"] = {r.id: dict(r.title.values) for r in catalogue.of_kind("region")}
    return labels


def _file_entries(catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    project = catalogue.project
    vocab = content_root(project) / VOCABULARY_FILE
    hashes = dict(catalogue.hashes)
    if catalogue.vocabulary_hash:
        hashes[vocab.relative_to(project).as_posix()] = catalogue.vocabulary_hash
    for rel, digest in hashes.items():
        try:
            st = (project / rel).stat()
        except OSError:
            continue
        entries[rel] = {"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    return entries


def ensure_index(project: Path, index_dir: Path, load: Callable[[], Catalogue],
                 progress: Progress | None = None) -> IndexReport | None:
    """Build or update the index when :func:`stale_reason` says so; otherwise do nothing."""
    reason = stale_reason(project, index_dir)
    if reason is None:
        return None
    if not is_project(project) and not (project / VOCABULARY_FILE).is_file():
        raise IndexUnavailable(f"{project} is not a toolbox project (no methods/vocabulary.yaml)")
    if progress:
        progress(f"{'building' if reason == 'no index yet' else 'updating'} the search index "
                 f"in {index_dir} ({reason}) …")
    return update_index(load(), index_dir, progress=progress)
