"""``toolbox benchmark``: one table of timings for the toolbox and an SQLite FTS5 baseline.

The baseline is built from the same flat documents the index holds (``documents.py``), so a
query matches the same records in both engines when its word has no other inflected form in
the corpus — which is how the synthetic word list is made (``synthetic.py``). Every query's
hit set and facet counts are compared between the engines and mismatches are reported, so the
ratios compare equal work.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import Toolbox
from .documents import make_documents
from .indexer import update_index
from .model import FACET_AXES
from .project import load_catalogue
from .synthetic import generate, word_pools

Row = tuple[str, str, str, str]  # what, toolbox, baseline, ratio


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Baseline:
    """SQLite FTS5 over the same documents, with the same filter and facet semantics."""

    db: sqlite3.Connection
    ids: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, path: Path, docs: dict[str, dict[str, Any]]) -> Baseline:
        db = sqlite3.connect(path)
        db.executescript("""
            CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, tags,
                tokenize = 'unicode61 remove_diacritics 2');
            CREATE TABLE tag(doc INTEGER, axis TEXT, value TEXT);
        """)
        ids = []
        for n, (rid, doc) in enumerate(docs.items(), 1):
            ids.append(rid)
            texts = doc["texts"].values()
            db.execute("INSERT INTO fts(rowid, title, summary, body, tags) VALUES (?, ?, ?, ?, ?)",
                       (n, " ".join(t["title"] for t in texts), " ".join(t["summary"] for t in texts),
                        " ".join(t["body"] for t in texts), doc["tags_text"]))
            db.executemany("INSERT INTO tag VALUES (?, ?, ?)",
                           [(n, axis, v) for axis, values in doc["tags"].items() for v in values])
        db.execute("CREATE INDEX tag_axis ON tag(axis, value, doc)")
        db.commit()
        return cls(db, ids)

    def search(self, word: str, filters: dict[str, list[str]], limit: int = 10
               ) -> tuple[list[str], int, dict[str, dict[str, int]]]:
        """Top hits, total and disjunctive facet counts, all counted inside SQLite."""
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS m(doc INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM m")
        # the words ORed, as the toolbox searches them: every word counts, none is required
        match = " OR ".join(f'"{w}"' for w in word.split())
        if word:
            db.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        else:
            db.execute("INSERT INTO m SELECT rowid FROM fts")
        for axis, values in filters.items():
            table = f"f_{axis}"
            db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}(doc INTEGER PRIMARY KEY)")
            db.execute(f"DELETE FROM {table}")
            marks = ",".join("?" * len(values))
            db.execute(f"INSERT OR IGNORE INTO {table} SELECT doc FROM tag WHERE axis = ? AND value IN ({marks})",
                       (axis, *values))

        def joins(skip: str | None, left: str = "m.doc", how: str = "JOIN") -> str:
            return " ".join(f"{how} f_{a} ON f_{a}.doc = {left}" for a in filters if a != skip)

        total = db.execute(f"SELECT count(*) FROM m {joins(None)}").fetchone()[0]
        facets = {}
        for axis in FACET_AXES:
            rows = db.execute(f"SELECT t.value, count(*) FROM m {joins(axis)} JOIN tag t ON t.doc = m.doc "
                              "WHERE t.axis = ? GROUP BY t.value", (axis,))
            facets[axis] = dict(rows.fetchall())
        if word:
            # CROSS JOIN keeps the full-text matches as the outer loop: left to itself, SQLite
            # may probe the full-text index once per filtered row, a hundred times slower.
            top = [r for (r,) in db.execute(
                f"SELECT fts.rowid FROM fts {joins(None, 'fts.rowid', 'CROSS JOIN')} "
                "WHERE fts MATCH ? ORDER BY rank LIMIT ?",
                (match, limit))]
        else:
            top = [r for (r,) in db.execute(f"SELECT m.doc FROM m {joins(None)} ORDER BY m.doc LIMIT ?", (limit,))]
        return [self.ids[r - 1] for r in top], total, facets


#: The FTS5 side of the cold row: a fresh process that does what ``toolbox search`` does.
FTS_COLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
match = '"' + sys.argv[2] + '"'
db.execute("CREATE TEMP TABLE m(doc INTEGER PRIMARY KEY)")
db.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
total = db.execute("SELECT count(*) FROM m").fetchone()[0]
facets = {axis: db.execute("SELECT t.value, count(*) FROM m JOIN tag t ON t.doc = m.doc WHERE t.axis = ? "
                           "GROUP BY t.value ORDER BY 2 DESC", (axis,)).fetchall()
          for axis in ("audience", "sector", "region", "effort", "kind")}
top = db.execute("SELECT rowid, title FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()
print(total, "results")
for rowid, title in top:
    print(rowid, title[:60])
for axis, values in facets.items():
    print(axis, ", ".join(f"{v} ({c})" for v, c in values))
"""

#: Frequency bands of the query words, as ranks in the Zipf-distributed pools: (name, first, last, count).
BANDS = (("common", 2, 40, 12), ("middle", 150, 1500, 14), ("rare", 2500, 11000, 14))


def _queries(rng: random.Random, vocab_values: dict[str, list[str]]) -> list[tuple[str, dict[str, list[str]]]]:
    """Words from every frequency band, in both languages, a few pairs, every other one filtered."""
    en, de = word_pools()
    words = []
    for _name, first, last, count in BANDS:
        for i in range(count):
            pool = en if i % 2 else de
            words.append(pool[rng.randint(first, last)])
    for i in range(6):  # two-word queries: a middle word with a common or another middle word
        pool = en if i % 2 else de
        words.append(f"{pool[rng.randint(150, 1500)]} {pool[rng.randint(2, 1500)]}")
    out = []
    for i, word in enumerate(words):
        filters: dict[str, list[str]] = {}
        if i % 2:
            axis = rng.choice(["audience", "sector", "effort", "kind"])
            filters[axis] = rng.sample(vocab_values[axis], k=min(2, len(vocab_values[axis])))
        out.append((word, filters))
    return out


def run(n: int, workdir: Path, *, pdf: bool = True, web: bool = True, say: Callable[[str], None] = print
        ) -> list[Row]:
    rows: list[Row] = []
    project = generate(workdir / f"corpus-{n}", n)
    tb = Toolbox.open(project, workdir / f"index-{n}")

    # Both engines start from the same YAML files with the same loader (parse, validate, link),
    # so the first row compares whole builds and the second what each engine does on its own.
    say(f"[{n}] full build …")
    start = time.perf_counter()
    catalogue = load_catalogue(project)
    t_load = time.perf_counter() - start
    start = time.perf_counter()
    report = update_index(catalogue, tb.index_dir, rebuild=True)
    t_index = time.perf_counter() - start
    assert report.total == n and not catalogue.errors
    start = time.perf_counter()
    docs = make_documents(catalogue)
    base = Baseline.build(workdir / f"fts-{n}.sqlite", docs)
    t_fts = time.perf_counter() - start
    t_build, t_fts_build = t_load + t_index, t_load + t_fts
    rows.append(("full build from YAML (load, validate, index)", _ms(t_build), _ms(t_fts_build),
                 f"{t_build / t_fts_build:.1f}×"))
    rows.append(("indexing alone (loaded records → index)", _ms(t_index), _ms(t_fts), f"{t_index / t_fts:.1f}×"))

    say(f"[{n}] one-record update …")
    victim = next(iter(sorted((project / "methods" / "pilots").glob("*.yaml"))))
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("description:", "description:\n  # edited", 1), encoding="utf-8")
    rare = word_pools()[0][-1]
    victim.write_text(text.replace("  en: ", f"  en: {rare.capitalize()} ", 1), encoding="utf-8")
    fresh = Toolbox.open(project, tb.index_dir)
    start = time.perf_counter()
    upd = fresh.ensure_index()
    t_update = time.perf_counter() - start
    assert upd is not None and upd.changed == 1, upd
    rows.append(("one-record update", _ms(t_update), "–", "–"))

    vocab_values = {axis: sorted({v for d in docs.values() for v in d["tags"][axis]}) for axis in FACET_AXES}
    rng = random.Random(7)
    queries = _queries(rng, vocab_values)
    filter_only = [("", {"audience": vocab_values["audience"][:2]}), ("", {"kind": ["method"], "effort": ["low"]}),
                   ("", {"sector": vocab_values["sector"][:3], "kind": ["pilot"]})]

    say(f"[{n}] equivalence …")
    mismatches = 0
    for word, filters in queries + filter_only:
        ours = fresh.search(word, limit=None, update=False, correct=False, **filters)
        hits, total, facets = base.search(word, filters, limit=n + 1)
        our_facets = {a: {f.value: f.count for f in vals if f.count} for a, vals in ours.facets.items()}
        if ours.total != total or our_facets != facets or {h.id for h in ours.hits} != set(hits):
            mismatches += 1
    rows.append(("queries with equal hits and facets", f"{len(queries) + len(filter_only) - mismatches}/"
                 f"{len(queries) + len(filter_only)}", "", ""))

    say(f"[{n}] warm searches …")
    for label, subset in (("warm search + 5 facet counts, no filter", [q for q in queries if not q[1]]),
                          ("warm search + 5 facet counts, filtered", [q for q in queries if q[1]]),
                          ("filter-only query + facets", filter_only)):
        ours_t: list[float] = []
        base_t: list[float] = []
        for _ in range(3):
            for word, filters in subset:
                start = time.perf_counter()
                fresh.search(word, limit=10, update=False, correct=False, **filters)
                ours_t.append(time.perf_counter() - start)
                start = time.perf_counter()
                base.search(word, filters, limit=10)
                base_t.append(time.perf_counter() - start)
        rows.append((f"{label} p50", _ms(_pct(ours_t, 0.5)), _ms(_pct(base_t, 0.5)),
                     f"{_pct(ours_t, 0.5) / _pct(base_t, 0.5):.1f}×"))
        rows.append((f"{label} p95", _ms(_pct(ours_t, 0.95)), _ms(_pct(base_t, 0.95)),
                     f"{_pct(ours_t, 0.95) / _pct(base_t, 0.95):.1f}×"))

    say(f"[{n}] cold command-line search …")
    # Both cold calls do a search's whole job in a fresh process: match, count the facets,
    # print the top ten with titles. The toolbox also checks the records for changes (unless
    # --no-update). Bytecode is compiled first, as an installed package has it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TOOLBOX_PROJECT=str(project), TOOLBOX_INDEX=str(tb.index_dir))
    cold_word = word_pools()[0][400]
    commands = {
        "toolbox": [sys.executable, "-m", "toolbox", "search", cold_word],
        "no-update": [sys.executable, "-m", "toolbox", "search", "--no-update", cold_word],
        "fts": [sys.executable, "-c", FTS_COLD, str(workdir / f"fts-{n}.sqlite"), cold_word],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(6):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            if round_:  # the first round warms the page cache and writes bytecode
                times[name].append(time.perf_counter() - start)
    m_base = statistics.median(times["fts"])
    for name, label in (("toolbox", "cold `toolbox search` process (median of 5)"),
                        ("no-update", "cold `toolbox search --no-update` (median of 5)")):
        m_ours = statistics.median(times[name])
        rows.append((label, _ms(m_ours), _ms(m_base), f"{m_ours / m_base:.1f}×"))

    if web:
        say(f"[{n}] web search under 16 clients …")
        en, de = word_pools()
        asked = {q[0] for q in queries}  # common to middle words not in the query set
        distinct = [w for i in range(2, 400) for pool in (en, de) if (w := pool[i]) not in asked][:16 * 25]
        rows += _web_rows(project, tb.index_dir, [q[0] for q in queries], distinct)

    if pdf:
        # a booklet needs the records themselves; loading them is timed on its own, once
        start = time.perf_counter()
        assert len(fresh.catalogue.records) == n
        rows.append(("load the records for booklets (once per process)", _ms(time.perf_counter() - start), "", ""))
        methods = sum(1 for r in catalogue.records.values() if r.kind == "method")
        for count in (30, 200):
            if methods < count:
                continue
            say(f"[{n}] handbook of {count} methods …")
            rows += _handbook_rows(fresh, workdir, count)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory of the benchmark process", f"{peak:.0f} MB", "", ""))
    return rows


def _handbook_rows(tb: Toolbox, workdir: Path, count: int) -> list[Row]:
    from .handbook import build
    from .model import Filters
    from .recipe import recipe_from_query

    recipe = recipe_from_query("", Filters(kind=("method",)), title=f"{count} methods", limit=count)
    rows = []
    for suffix in ("html", "pdf"):
        out = workdir / f"book-{count}.{suffix}"
        start = time.perf_counter()
        report = build(tb, recipe, out, force=True)
        took = time.perf_counter() - start
        pages = f", {report.pages} pages" if report.pages else ""
        rows.append((f"handbook {suffix.upper()}, {count} methods{pages}", _ms(took), "", ""))
    return rows


def _web_rows(project: Path, index_dir: Path, queries: list[str], distinct: list[str], clients: int = 16,
              per_client: int = 25) -> list[Row]:
    """``toolbox serve`` as deployed (its own processes), loaded by ``clients`` threads with
    keep-alive connections: the benchmark's query set twice (each query recurs about eight
    times, so after its first request in a worker the cached page answers), then queries that
    never recur, so every request searches and renders."""
    import http.client
    import re as re_module

    cmd = [sys.executable, "-m", "toolbox", "--project", str(project), "--index", str(index_dir), "serve",
           "--port", "0", "--workers", str(min(2, os.cpu_count() or 1))]
    server = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        port = 0
        assert server.stderr is not None
        for line in server.stderr:
            found = re_module.search(r"http://[^:]+:(\d+)/", line)
            if found:
                port = int(found.group(1))
                break
        if not port:
            raise RuntimeError("toolbox serve did not start")
        # keep reading what the server logs, or a full pipe would stall it
        threading.Thread(target=server.stderr.read, daemon=True).start()
        rows: list[Row] = []
        lock = threading.Lock()
        for label, words in (("query set, caches empty at start", queries), ("query set again, caches warm", queries),
                             ("distinct queries, every one a cache miss", distinct)):
            latencies: list[float] = []
            errors = 0

            def client(k: int, words: list[str] = words, latencies: list[float] = latencies) -> None:
                nonlocal errors
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                for i in range(per_client):
                    word = words[(k * per_client + i) % len(words)]
                    start = time.perf_counter()
                    try:
                        conn.request("GET", f"/?q={urllib.parse.quote(word)}&lang=en")
                        response = conn.getresponse()
                        response.read()
                        ok = response.status == 200
                    except (OSError, http.client.HTTPException):
                        ok = False
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    took = time.perf_counter() - start
                    with lock:
                        latencies.append(took)
                        errors += 0 if ok else 1
                conn.close()

            for _ in range(4):  # both workers open the index and warm up before timing
                urllib.request.urlopen(f"http://127.0.0.1:{port}/?q=warm", timeout=60).read()
            workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            rows += [(f"web search, {clients} clients, {label}, p50", _ms(_pct(latencies, 0.5)), "", ""),
                     (f"web search, {clients} clients, {label}, p95 ({len(latencies)} requests, {errors} errors)",
                      _ms(_pct(latencies, 0.95)), "", "")]
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def table(n: int, rows: list[Row]) -> str:
    head = ("measure", "toolbox", "FTS5", "ratio")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    lines = [f"### {n:,} records", "",
             "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
             "| " + " | ".join("-" * w for w in widths) + " |"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join(lines)


def main(sizes: list[int], *, pdf: bool = True, web: bool = True, keep: Path | None = None,
         say: Callable[[str], None] = print) -> str:
    workdir = keep or Path(tempfile.mkdtemp(prefix="toolbox-bench-"))
    try:
        out = []
        for n in sizes:
            out.append(table(n, run(n, workdir, pdf=pdf, web=web, say=say)))
        return "\n\n".join(out) + "\n"
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    print(main([int(x) for x in (sys.argv[1:] or ["300"])]))
