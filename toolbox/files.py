"""Which files of a project are records: the cheap part of loading, without YAML.

Kept apart from ``project`` so that the staleness check a search makes before it runs, and
anything else on the cold path, does not import the YAML loader and the validator.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .model import Kind

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_ID = re.compile(ID_PATTERN)
KIND_FOLDERS: dict[str, Kind] = {"": "method", "pilots": "pilot", "regions": "region"}
FOLDER_OF_KIND = {v: k for k, v in KIND_FOLDERS.items()}
VOCABULARY_FILE = "vocabulary.yaml"
TERMS_FILE = "terms.yaml"  # the termbase (toolbox/termbase.py): beside the records, not one of them
PROJECT_FILE = "project.yaml"  # name, publisher, licence, languages (toolbox/settings.py)
NOT_RECORDS = (VOCABULARY_FILE, TERMS_FILE, PROJECT_FILE)
RECIPES_FOLDER = "recipes"  # handbook recipes live beside the records, not among them
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SourceFile:
    """One record file: where it is and what kind its folder says it holds."""

    path: Path
    rel: str  # relative to the project folder, with forward slashes
    kind: Kind
    id: str


def content_root(project: Path) -> Path:
    """The folder holding the records: ``project/methods``, or ``project`` itself if it is one."""
    if (project / "methods" / VOCABULARY_FILE).is_file() or (project / "methods").is_dir():
        return project / "methods"
    return project


def discover(root: Path, project: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Record files under ``root`` (the methods folder), sorted, plus problems with file names."""
    files: list[SourceFile] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return files, problems
    for folder, kind in KIND_FOLDERS.items():
        base = root / folder if folder else root
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            if path.name.startswith((".", "_")) or not path.name.endswith(YAML_SUFFIXES):
                continue
            if not folder and path.name in NOT_RECORDS:
                continue
            rel = _rel(path, project)
            if not path.is_file():
                if path.is_symlink() and not path.exists():
                    problems.append(Problem(rel, 1, 1, "", f"file is a link to {os.readlink(path)}, which does not "
                                            "exist", "remove the link or restore the file it points to"))
                continue
            if outside(path, project):
                problems.append(Problem(rel, 1, 1, "", f"file is a link to {os.path.realpath(path)}, outside the "
                                        "project; it was not read",
                                        "copy the record into the project, or link to a file inside it"))
                continue
            stem = path.name.rsplit(".", 1)[0]
            if not _ID.match(stem):
                suggestion = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "my-record"
                problems.append(Problem(rel, 1, 1, "", f"file name '{path.name}' is not a valid record id",
                                        f"rename it to {suggestion}.yaml (lower-case letters, digits, hyphens)"))
                continue
            files.append(SourceFile(path, rel, kind, stem))
    for path in sorted(root.rglob("*")):
        if path.suffix in YAML_SUFFIXES and path.is_file():
            parent = path.parent.relative_to(root).as_posix()
            parent = "" if parent == "." else parent
            inside = path.relative_to(root).parts
            if inside[0] == RECIPES_FOLDER:
                continue
            if parent not in KIND_FOLDERS and not any(part.startswith((".", "_")) for part in inside):
                problems.append(Problem(_rel(path, project), 1, 1, "", "file is ignored: not in a record folder",
                                        "records go in methods/, methods/pilots/ or methods/regions/",
                                        "warning"))
    return files, problems


def outside(path: Path, project: Path) -> bool:
    """Whether ``path`` (or a folder on its way) links to a place outside ``project``. Such
    files are never read: a project shared for editing must not become a way to show the
    contents of other files (``/etc/passwd``, a key) in error messages or on the web page."""
    real = os.path.realpath(path)
    base = os.path.realpath(project)
    return real != base and not real.startswith(base.rstrip(os.sep) + os.sep)


def _rel(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return path.as_posix()




def record_stats(project: Path) -> dict[str, tuple[int, int]]:
    """``rel path -> (size, mtime_ns)`` of the files :func:`discover` returns as records, plus
    the vocabulary and the project file: the same set, found with ``os.scandir`` (a search checks it every time, so
    this loop is kept lean: at 10,000 records it is most of the freshness check)."""
    root = content_root(project)
    out: dict[str, tuple[int, int]] = {}
    prefix = root.relative_to(project).as_posix() + "/" if root != project else ""
    match = _ID.match
    is_regular = stat.S_ISREG
    for folder in KIND_FOLDERS:
        base = os.path.join(root, folder) if folder else str(root)
        lead = f"{prefix}{folder}/" if folder else prefix
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        folder_outside = outside(Path(base), project)
        for entry in entries:
            name = entry.name
            if not name.endswith(YAML_SUFFIXES) or name[0] in "._" or (not folder and name in NOT_RECORDS):
                continue
            if not match(name.rsplit(".", 1)[0]):
                continue
            if folder_outside or (entry.is_symlink() and outside(Path(entry.path), project)):
                continue  # as discover() does: not a record
            try:
                st = entry.stat()
            except OSError:
                continue
            if is_regular(st.st_mode):
                out[lead + name] = (st.st_size, st.st_mtime_ns)
    for name in (VOCABULARY_FILE, PROJECT_FILE):
        try:
            st = os.stat(root / name)
            out[f"{prefix}{name}"] = (st.st_size, st.st_mtime_ns)
        except OSError:
            pass
    return out
