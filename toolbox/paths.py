"""Where things live: the shipped content, a user's project and the index for each."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ENV = "TOOLBOX_PROJECT"
INDEX_ENV = "TOOLBOX_INDEX"


def shipped_project() -> Path:
    """The folder holding the shipped ``methods/`` and ``templates/``.

    In an installed wheel they are copied to ``toolbox/_data``; in a checkout (or an editable
    install) they sit beside the package at the top level.
    """
    data = PACKAGE_DIR / "_data"
    if (data / "methods").is_dir():
        return data
    return PACKAGE_DIR.parent


def is_project(folder: Path) -> bool:
    return (folder / "methods" / "vocabulary.yaml").is_file()


def enclosing_project(folder: Path) -> Path | None:
    """The project ``folder`` is in, found the way git finds a repository: ``folder`` itself or
    the nearest folder above it that holds ``methods/vocabulary.yaml`` (so a command run in
    ``methods/pilots/`` works on that project, not on the shipped one)."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if is_project(candidate):
            return candidate
    return None


def find_project(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit``, else $TOOLBOX_PROJECT, else the project the working folder is in, else the
    shipped one."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(PROJECT_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return enclosing_project(Path.cwd()) or shipped_project().resolve()


def default_index_dir(project: Path) -> Path:
    """``project/index``, except for content installed inside the package (site-packages may be
    read-only and shared), which gets a per-user cache folder keyed by its path."""
    env = os.environ.get(INDEX_ENV)
    if env:
        return Path(env).expanduser().resolve()
    if project.resolve() != (PACKAGE_DIR / "_data").resolve():
        return project / "index"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    import hashlib

    key = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:12]
    return cache / "cci-toolbox" / key / "index"
