"""Full builds on several cores: each process writes one segment, the parent joins them.

Whoosh analyses and writes postings in pure Python, so a full build of 10,000 records keeps
one core busy for a minute while the others idle. Here the records, in their usual order, are
cut into one contiguous run per process; each forked process writes its run as a complete
one-segment Whoosh index in a folder of its own, and the parent moves the segment files into
the new generation and writes one table of contents listing the segments in run order. The
index is then the one a single writer would have made, split in segments: documents keep their
numbers, and scores are computed from index-wide statistics, so search results are the same
(the tests compare them).

Forked processes inherit the documents, so nothing is sent to them; they report only their
exit status. On Linux they are told to die with the parent, so a build killed mid-way leaves
no process behind (an unfinished generation is removed by the next build, as always).
Whoosh's own multiprocessing writer was not used: it hands out documents in batches to
whichever process is free, so document numbers, and with them the order of equal scores,
would change from build to build.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from .errors import IndexUnavailable

#: Below this many records one process is about as fast (forking and joining cost ~0.2 s).
MIN_RECORDS = 1000
INDEX_NAME = "MAIN"  # Whoosh's default index name, which create_in and open_dir use


#: Set to a number to choose how many processes a full build uses (1: never fork).
PROCESSES_ENV = "TOOLBOX_BUILD_PROCESSES"


def processes_for(n_records: int) -> int:
    """How many processes a full build of ``n_records`` should use (1: do not fork)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1  # no fork on Windows; forking a process with threads can deadlock
    asked = os.environ.get(PROCESSES_ENV, "")
    if asked.isdigit() and int(asked) >= 1:
        return min(int(asked), max(1, n_records))
    if n_records < MIN_RECORDS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, 4, n_records // (MIN_RECORDS // 2)))


def write_in_parts(folder: Path, schema: Any, ids: Sequence[str], add: Callable[[Any, str], None],
                   processes: int, checkpoint: Callable[[str], None]) -> None:
    """Write ``ids`` (each added to a writer with ``add(writer, id)``) as ``processes`` segments
    of a new Whoosh index in ``folder`` (which must exist and be empty)."""
    size = -(-len(ids) // processes)
    runs = [ids[i:i + size] for i in range(0, len(ids), size)]
    parent = os.getpid()
    children = []
    for k, run in enumerate(runs):
        part = folder / f".part-{k}"
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            code = 1
            try:
                _die_with(parent)
                part.mkdir()
                ix = whoosh_index.create_in(str(part), schema)
                writer = ix.writer(limitmb=256, compound=False)
                for rid in run:
                    add(writer, rid)
                writer.commit(optimize=True)
                ix.close()
                code = 0
            except BaseException:
                traceback.print_exc(file=sys.stderr)
            finally:
                os._exit(code)
        children.append(pid)
    checkpoint("adding")
    failed = []
    for k, pid in enumerate(children):
        _, status = os.waitpid(pid, 0)
        if status:
            failed.append(f"part {k + 1} of {len(runs)} (status {status})")
    if failed:
        raise IndexUnavailable("a process building part of the index failed: " + ", ".join(failed)
                               + "; run 'toolbox index --rebuild' again, or report the message above")
    _join(folder, schema, len(runs))


def _join(folder: Path, schema: Any, parts: int) -> None:
    """Move the parts' segment files into ``folder`` and write a table of contents for them."""
    segments = []
    for k in range(parts):
        part = folder / f".part-{k}"
        ix = whoosh_index.open_dir(str(part))
        try:
            with ix.reader() as reader:
                segment = reader.segment()
        finally:
            ix.close()
        if segment is None:
            raise IndexUnavailable(f"part {k + 1} of the index holds no segment; run 'toolbox index --rebuild'")
        for item in part.iterdir():
            if item.name.startswith(f"{INDEX_NAME}_") and not item.name.endswith("LOCK"):
                os.replace(item, folder / item.name)
        segments.append(segment)
        shutil.rmtree(part)
    # generation 1: open_dir reads the newest table of contents in the folder
    whoosh_index.TOC(schema, segments, 1).write(FileStorage(str(folder)), INDEX_NAME)


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (no-op elsewhere)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
