"""The last version of each record file that loaded cleanly, kept beside the index.

One bad save (a YAML slip, Latin-1 bytes, an emptied file) must not take a published record off
the web page. So every record file that indexes cleanly is stored by its SHA-256 in
``INDEX/objects/`` (as git stores blobs: written once, shared by generations), and when the
file later fails to load, the catalogue loads the stored version instead and marks the record
*stale* with the file's own problems: the web page keeps showing it, while ``index``,
``validate``, ``search``, ``show``, ``handbook`` and the API say what is wrong and where.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem

OBJECTS = "objects"

LastGood = Callable[[str], "tuple[bytes, str] | None"]  # rel path -> (bytes, sha256) of its last good version


@dataclass(frozen=True)
class StaleRecord:
    """A record shown in its last good version because its file is broken now."""

    id: str
    path: str
    good: str  # sha256 of the version shown
    problems: tuple[Problem, ...]

    def to_state(self) -> dict[str, Any]:
        return {"path": self.path, "good": self.good, "problems": [p.to_dict() for p in self.problems]}


def object_path(index_dir: Path, digest: str) -> Path:
    return index_dir / OBJECTS / digest[:2] / digest[2:]


def store(index_dir: Path, project: Path, files: Mapping[str, str]) -> None:
    """Keep a copy of each ``rel path -> sha256`` file not kept yet (before the generation that
    names them goes live). A file that changed since it was loaded is left for the next build."""
    for rel, digest in files.items():
        target = object_path(index_dir, digest)
        if not digest or target.exists():
            continue
        try:
            data = (project / rel).read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)


def prune(index_dir: Path, keep: Iterable[str]) -> None:
    """Remove kept copies no generation names any more."""
    wanted = set(keep)
    root = index_dir / OBJECTS
    if not root.is_dir():
        return
    for folder in root.iterdir():
        for item in folder.iterdir() if folder.is_dir() else ():
            if folder.name + item.name not in wanted:
                with contextlib.suppress(OSError):
                    item.unlink()


def reader(index_dir: Path, generation: Path | None = None) -> LastGood:
    """A lookup of last good versions in ``generation`` (default: the live one), read lazily:
    loading a project whose files are all fine never opens the index."""
    cache: dict[str, dict[str, str]] = {}

    def digests() -> dict[str, str]:
        if "map" not in cache:
            from .indexer import live_generation, read_state

            gen = generation or live_generation(index_dir)
            state = read_state(gen) if gen is not None else {}
            good = {rel: entry[0] for rel, entry in (state.get("files") or {}).items()}
            for entry in (state.get("stale") or {}).values():
                good[entry["path"]] = entry["good"]
            cache["map"] = good
        return cache["map"]

    def lookup(rel: str) -> tuple[bytes, str] | None:
        digest = digests().get(rel)
        if not digest:
            return None
        try:
            return object_path(index_dir, digest).read_bytes(), digest
        except OSError:
            return None

    return lookup


def stale_problems(entries: Mapping[str, Any]) -> dict[str, tuple[Problem, ...]]:
    """``id -> problems`` from a generation's state (for ``search``, which loads no records)."""
    out = {}
    for rid, entry in entries.items():
        out[rid] = tuple(Problem(p["path"], p["line"], p["column"], p.get("field", ""), p["message"],
                                 p.get("hint", ""), p.get("severity", "error")) for p in entry.get("problems", ()))
    return out
