"""Load test of ``toolbox serve``: C concurrent clients for S seconds over a realistic mix of requests.

    python tests/stress/load.py [--clients 16,64] [--seconds 60] [--project DIR | --records N]
                                [--workers W] [--threads T] [--seed 1]

The server runs as deployed: ``toolbox serve --port 0`` in its own processes (its default number
of workers, one per core, unless ``--workers``), on the shipped content by default, on
``--project DIR``, or on a synthetic corpus of ``--records N`` (``toolbox.synthetic.generate``).
The index is always built in a temporary folder, never in the project.

Each client is a thread with one keep-alive connection. The requests are drawn from a pool built
from the index (record ids, facet values, words of the titles) with a random generator seeded
per client, so two runs ask for the same things in the same order; how far each client gets
depends on the machine. The mix (weights in ``MIX``): search pages with and without filters,
further pages of a listing, record pages, the JSON API (search and records) and basket pages;
no PDF or other downloads (they take seconds and are limited to one at a time per worker). Query
words are drawn with a bias towards the first ones of a shuffled list, so popular searches recur
as in real traffic and the servers' caches play their part. Every client starts with one
request of every kind, whatever the time allowed, so each kind is exercised in any run.

An error is a connection failure or a status outside 2xx. A request that fails on a reused
connection before any answer is retried once on a new one, as browsers do with idempotent
requests (the server may close an idle keep-alive connection); only a second failure counts.

It prints, for each number of clients, one row per request kind and one for all: requests,
errors, requests per second and the 50th, 95th and 99th percentile latencies, and the load
average before and after. The test suite runs a short round on the minimal scenario
(tests/test_web_security.py). Results of a real run are in docs/reliability-web.md.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from toolbox import Toolbox
from toolbox.paths import shipped_project

KINDS = ("search", "filtered", "paging", "record", "api_search", "api_record", "basket")
#: Relative frequency of each kind: mostly searching and reading records, as people use the page.
MIX = {"search": 30, "filtered": 20, "paging": 10, "record": 20, "api_search": 8, "api_record": 5, "basket": 7}
#: Language of a request: mostly English and German, the interface's two languages.
LANGS = {"en": 55, "de": 30, "other": 15}
TIMEOUT = 120.0  # seconds a single request may take before it counts as a failed connection


@dataclass
class Pool:
    """What the clients ask for: drawn from the index once, in a fixed order."""

    ids: list[str]
    words: list[str]
    facets: dict[str, list[tuple[str, int]]]  # axis -> (value, count) with count > 0
    total: int
    languages: list[str]


@dataclass
class Result:
    clients: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    server: str = ""  # what toolbox serve said when it started (address, number of workers)
    server_cpu: float = math.nan  # CPU seconds the server's processes used during the round
    client_cpu: float = 0.0  # CPU seconds this process (the clients) used during the round

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    @property
    def errors(self) -> int:
        return sum(self.errors_by_kind.values())


def build_pool(tb: Toolbox) -> Pool:
    from toolbox.search import open_index

    everything = tb.search("", limit=None, update=False, lang="en")
    ids = sorted(h.id for h in everything.hits)
    words = sorted({w.lower() for h in everything.hits for w in re.findall(r"[^\W\d_]{4,}", h.title)})
    facets = {axis: [(f.value, f.count) for f in values if f.count] for axis, values in everything.facets.items()}
    languages = list(open_index(tb.index_dir).languages)
    return Pool(ids, words, {a: v for a, v in facets.items() if v}, everything.total, languages)


class Requests:
    """The endless, seeded sequence of (kind, path) one client sends."""

    def __init__(self, pool: Pool, seed: int, client: int) -> None:
        self.pool = pool
        self.rng = random.Random(seed * 1_000_003 + client)
        # the popular words: one shuffled order for all clients (seeded), so clients share them
        order = random.Random(seed).sample(pool.words, len(pool.words)) if pool.words else ["workshop"]
        self.words = order
        self.client = client
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        first = KINDS[self.client % len(KINDS):] + KINDS[:self.client % len(KINDS)]
        for kind in first:  # one of each kind first: every kind is exercised however short the run
            yield kind, self.path(kind)
        while True:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            yield kind, self.path(kind)

    def lang(self) -> str:
        choice = self.rng.choices(list(LANGS), list(LANGS.values()))[0]
        others = [lang for lang in self.pool.languages if lang not in ("en", "de")]
        if choice == "other" and others:
            return self.rng.choice(others)
        return choice if choice in self.pool.languages else "en"

    def word(self) -> str:
        # squaring a uniform number favours the head of the list: a few queries recur often
        return self.words[int(len(self.words) * self.rng.random() ** 2)]

    def query(self) -> str:
        return self.word() if self.rng.random() < 0.8 else f"{self.word()} {self.word()}"

    def facet(self) -> tuple[str, str, int]:
        axis = self.rng.choice(sorted(self.pool.facets))
        value, count = self.rng.choice(self.pool.facets[axis])
        return axis, value, count

    def path(self, kind: str) -> str:
        rng, pool = self.rng, self.pool
        params: list[tuple[str, str]] = []
        if kind == "search":
            params = [("q", self.query()), ("lang", self.lang())]
            return "/?" + urlencode(params)
        if kind == "filtered":
            if rng.random() < 0.5:
                params.append(("q", self.word()))
            for _ in range(rng.choice((1, 1, 2))):
                axis, value, _count = self.facet()
                params.append((axis, value))
            params.append(("lang", self.lang()))
            return "/?" + urlencode(params)
        if kind == "paging":  # a further page of a listing: everything, or one facet value
            if rng.random() < 0.3:
                total = pool.total
            else:
                axis, value, total = self.facet()
                params.append((axis, value))
            pages = max(2, min(math.ceil(total / 10), 6))
            params += [("page", str(rng.randint(2, pages))), ("lang", self.lang())]
            return "/?" + urlencode(params)
        if kind == "record":
            return f"/records/{rng.choice(pool.ids)}?" + urlencode([("lang", self.lang())])
        if kind == "api_search":
            return "/api/search?" + urlencode([("q", self.query()), ("limit", "10"), ("lang", self.lang())])
        if kind == "api_record":
            return f"/api/records/{rng.choice(pool.ids)}"
        if kind == "basket":
            chosen = rng.sample(pool.ids, min(len(pool.ids), rng.randint(2, 8)))
            return "/basket?" + urlencode([("b", ",".join(chosen)), ("lang", self.lang())])
        raise ValueError(kind)


def _client(port: int, requests: Iterator[tuple[str, str]], deadline: float, minimum: int,
            record: Callable[[str, float, str | None], None]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    sent = 0
    try:
        for kind, path in requests:
            if sent >= minimum and time.monotonic() >= deadline:
                break
            sent += 1
            start = time.perf_counter()
            failure: str | None = None
            for attempt in (1, 2):
                reused = conn.sock is not None
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    failure = None if 200 <= response.status < 300 else f"{response.status} {path}"
                    if response.will_close:
                        conn.close()
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    failure = f"{type(exc).__name__}: {exc} ({path})"
                    # a keep-alive connection the server closed: retry once on a new one
                    if not (attempt == 1 and reused and isinstance(
                            exc, (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError))):
                        break
            record(kind, time.perf_counter() - start, failure)
    finally:
        conn.close()


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by process ``pid`` and its children (Linux /proc; NaN elsewhere):
    the server shares the machine with this load generator and whatever else runs."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that just ended
            if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total
    except (OSError, ValueError):
        return math.nan


def run_round(port: int, pool: Pool, clients: int, seconds: float, seed: int, server_pid: int = 0) -> Result:
    result = Result(clients, 0.0, {k: 0 for k in KINDS}, {k: 0 for k in KINDS}, {k: [] for k in KINDS})
    lock = threading.Lock()

    def record(kind: str, took: float, failure: str | None) -> None:
        with lock:
            result.counts[kind] += 1
            result.latencies[kind].append(took)
            if failure is not None:
                result.errors_by_kind[kind] += 1
                if len(result.failures) < 50:
                    result.failures.append(f"{kind}: {failure}")

    result.load_before = os.getloadavg()
    cpu_before, server_before = time.process_time(), _tree_cpu(server_pid) if server_pid else math.nan
    start = time.monotonic()
    deadline = start + seconds
    threads = [threading.Thread(target=_client, args=(port, iter(Requests(pool, seed, k)), deadline, len(KINDS),
                                                      record), name=f"client-{k}") for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.monotonic() - start
    result.load_after = os.getloadavg()
    result.client_cpu = time.process_time() - cpu_before
    result.server_cpu = (_tree_cpu(server_pid) if server_pid else math.nan) - server_before
    return result


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: with few samples it is one that happened)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def table(results: list[Result]) -> str:
    head = ("clients", "kind", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms")
    rows: list[tuple[str, ...]] = []
    for r in results:
        everything = [x for k in KINDS for x in r.latencies[k]]
        for kind, lat, n, errors in [*((k, r.latencies[k], r.counts[k], r.errors_by_kind[k]) for k in KINDS),
                                     ("all", everything, r.requests, r.errors)]:
            rows.append((str(r.clients), f"**{kind}**" if kind == "all" else kind, f"{n:,}", f"{errors:,}",
                         f"{n / r.seconds:,.1f}", *(f"{_percentile(lat, q) * 1000:,.0f}" for q in (0.5, 0.95, 0.99))))
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 1) + ":" if i >= 2 else "-" * (w + 2) for i, w in enumerate(widths)) + "|"]
    lines += ["| " + " | ".join(c.rjust(w) if i >= 2 else c.ljust(w) for i, (c, w) in
                                enumerate(zip(row, widths, strict=True))) + " |" for row in rows]
    return "\n".join(lines)


def _start_server(project: Path, index_dir: Path, workers: int | None, threads: int | None,
                  log: deque[str]) -> tuple[subprocess.Popen[str], int, threading.Thread]:
    cmd = [sys.executable, "-m", "toolbox", "--project", str(project), "--index", str(index_dir), "serve",
           "--port", "0"]
    if workers:
        cmd += ["--workers", str(workers)]
    if threads:
        cmd += ["--threads", str(threads)]
    server = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    assert server.stderr is not None
    port = 0
    for line in server.stderr:
        log.append(line.rstrip())
        found = re.search(r"http://[^:]+:(\d+)/", line)
        if found:
            port = int(found.group(1))
            break
    if not port:
        server.wait(timeout=30)
        server.stderr.close()
        raise RuntimeError("toolbox serve did not start:\n" + "\n".join(log))
    stderr = server.stderr

    def drain() -> None:  # a full pipe would stall the server; keep the last lines for a failure report
        for line in stderr:
            log.append(line.rstrip())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    return server, port, reader


def _warm_up(port: int, pool: Pool, connections: int, seed: int) -> None:
    """Every worker opens the index and loads the records before the clock starts (unmeasured):
    a few requests of each kind on as many connections as the server has threads."""
    def noop(kind: str, took: float, failure: str | None) -> None:
        pass

    threads = [threading.Thread(target=_client, args=(port, iter(Requests(pool, seed + 10_000, k)), 0.0,
                                                      2 * len(KINDS), noop)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run(project: Path | None = None, *, records: int | None = None, clients: list[int] | None = None,
        seconds: float = 60.0, workers: int | None = None, threads: int | None = None, seed: int = 1,
        say: Callable[[str], None] = lambda _m: None) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="toolbox-load-") as tmp:
        if records:
            from toolbox.synthetic import generate

            say(f"generating {records:,} records …")
            project = generate(Path(tmp) / "corpus", records, seed=seed)
        project = Path(project) if project else shipped_project()
        index_dir = Path(tmp) / "index"
        tb = Toolbox.open(project, index_dir)
        start = time.perf_counter()
        tb.build_index()
        say(f"index of {project} built in {time.perf_counter() - start:.1f} s")
        pool = build_pool(tb)
        del tb
        log: deque[str] = deque(maxlen=200)
        server, port, reader = _start_server(project, index_dir, workers, threads, log)
        try:
            # before the warm-up: waitress then logs a line whenever requests queue up
            started = next((line for line in log if "serving" in line), "")
            say(started)
            _warm_up(port, pool, 2 * (workers or min(4, os.cpu_count() or 1)) * (threads or 4), seed)
            results = []
            for n in clients or [16, 64]:
                say(f"{n} clients for {seconds:g} s …")
                results.append(run_round(port, pool, n, seconds, seed, server.pid))
                results[-1].server = started
            return results
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            reader.join(timeout=30)
            if server.stderr:
                server.stderr.close()


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpu = f" ({model})" if model else ""
    return f"{os.cpu_count()} cores{cpu}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="16,64", help="comma-separated numbers of concurrent clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of each round")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--project", type=Path, help="project to serve (default: the shipped content)")
    where.add_argument("--records", type=int, help="serve a synthetic corpus of this many records")
    parser.add_argument("--workers", type=int, help="server worker processes (default: toolbox serve's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: toolbox serve's)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = run(args.project, records=args.records, clients=clients, seconds=args.seconds, workers=args.workers,
                  threads=args.threads, seed=args.seed, say=say)
    corpus = f"synthetic, {args.records:,} records" if args.records else str(args.project or "shipped content")
    print(f"### {corpus}: {', '.join(str(c) for c in clients)} clients, {args.seconds:g} s each\n")
    workers = re.search(r"with (\d+) workers?", results[0].server) if results else None
    print(f"Machine: {_machine()}. Server: toolbox serve, {workers.group(1) if workers else '?'} worker processes × "
          f"{args.threads or 4} threads.\n")
    print(table(results))
    print()
    for r in results:
        print(f"- {r.clients} clients: {r.requests:,} requests in {r.seconds:.1f} s, {r.errors} errors; load average "
              f"{r.load_before[0]:.2f} before, {r.load_after[0]:.2f} after (1 min); CPU used: server "
              f"{r.server_cpu:.0f} s ({r.server_cpu / r.seconds:.2f} cores), load generator {r.client_cpu:.0f} s "
              f"({r.client_cpu / r.seconds:.2f} cores), of {os.cpu_count()} cores")
        for failure in r.failures[:10]:
            print(f"  - {failure}")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
