"""Writing files so that a crash never leaves half a file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never a part."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _synced_temp(path: Path, data: bytes, mode: int) -> str:
    """A temporary file beside ``path`` holding ``data`` on disk, with ``mode`` (mkstemp creates 0600)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a part."""
    try:  # keep the permissions of the file we replace
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = _new_file_mode()
    tmp = _synced_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def create_new_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, which must not exist: whole or not at all, and never over a
    file that appears meanwhile (``FileExistsError``). Written to a temporary file, then linked
    into place, which fails instead of replacing."""
    data = text.encode("utf-8")
    tmp = _synced_temp(path, data, _new_file_mode())
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create, then write
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    fsync_dir(path.parent)


def refuse_to_overwrite(paths: list[Path], force: bool) -> None:
    """Stop with a usage error if any of ``paths`` exists and ``force`` was not given."""
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        from .errors import Problem, UsageError

        raise UsageError(f"{existing[0]} exists; not overwritten (use --force to replace it)",
                         [Problem(str(existing[0]), 0, 0, "", "the file exists",
                                  "choose another name, or add --force to replace it")])
