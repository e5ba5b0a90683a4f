"""``toolbox serve``: the web app under waitress, in one or more worker processes.

Searching is CPU-bound Python, so threads in one process take turns on the interpreter lock
and a second core sits idle. The server binds the socket once, then forks workers that all
accept on it; each opens the index itself after the fork (a forked copy of an open file would
share its read position with the parent). The parent only supervises: it restarts a worker
that dies and stops them all on SIGINT or SIGTERM. Imported only by ``toolbox serve`` and the
benchmark; POSIX only, like the index lock.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: A worker that dies sooner than this after starting is not restarted (it would die again).
MIN_LIFETIME = 2.0


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024)
    sock.set_inheritable(True)
    return sock


def serve(project: Path, index_dir: Path, sock: socket.socket, *, workers: int = 2, threads: int = 4,
          log: Callable[[str], None] = print) -> None:
    """Serve until SIGINT/SIGTERM; ``workers`` processes with ``threads`` threads each."""
    from .search import close_all

    close_all()  # nothing open may be shared with the workers
    if workers <= 1:
        _run_worker(project, index_dir, sock, threads)
        return
    children: dict[int, float] = {}
    stop_requested: list[int] = []  # the signal that asked to stop, once one has

    def stop(signum: int, _frame: Any) -> None:
        # waitpid() resumes after a handler returns (PEP 475); the workers' exit ends the wait
        stop_requested.append(signum)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(workers):
            pid, born = _fork(project, index_dir, sock, threads)
            children[pid] = born
        while children and not stop_requested:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries, a signal handler may not
                continue
            lived = time.monotonic() - children.pop(pid, time.monotonic())
            if stop_requested:
                continue
            if lived < MIN_LIFETIME:
                log(f"a web worker exited at once (status {status}); not restarting it")
                continue
            log(f"a web worker exited (status {status}); starting another")
            pid, born = _fork(project, index_dir, sock, threads)
            children[pid] = born
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        for s, handler in previous.items():
            signal.signal(s, handler)


def _fork(project: Path, index_dir: Path, sock: socket.socket, threads: int) -> tuple[int, float]:
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _run_worker(project, index_dir, sock, threads)
        except BaseException as exc:  # a worker reports and exits; the parent decides what next
            print(f"web worker failed: {exc}", file=sys.stderr)
            code = 1
        finally:
            os._exit(code)
    return pid, started


def _run_worker(project: Path, index_dir: Path, sock: socket.socket, threads: int) -> None:
    from waitress.server import create_server

    from .web import MAX_BODY, create_app

    app = create_app(project, index_dir)
    # waitress reads a whole request body before the app sees the request (up to 1 GB by
    # default, spooled to a temporary file); no route takes a body, so a larger one is refused
    # at once with 413, as the app itself does (it refuses bodies over MAX_BODY bytes).
    server = create_server(app, sockets=[sock], threads=threads, ident="toolbox",
                           max_request_body_size=MAX_BODY + 1)
    try:
        server.run()
    finally:
        server.close()
