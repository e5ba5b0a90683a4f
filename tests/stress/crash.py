"""Kill index builds and updates with SIGKILL at random moments; nothing may be lost.

    python tests/stress/crash.py --runs 50 [--records 400] [--seed 1]

Each run changes the records (edits a few, adds or removes a file, or asks for a rebuild,
sometimes on several processes), starts ``toolbox index`` and kills it: after a random delay
within the time such a build takes, or at one of the build's named checkpoints. Then:

- the index must open and answer a set of probe queries exactly as it did before the run (old
  content) or as a fresh build of the new content does (new content), nothing in between;
- the next ``toolbox index`` must complete and answer as the fresh build does, leave no
  unfinished generation behind, and no build process may outlive the killed one;
- all along, a separate reader process searches the index without pause; none of its searches
  may fail.

It prints one line per run and a summary, and exits 1 if anything failed. The test suite runs a
few runs of it (tests/test_reliability.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolbox import Toolbox
from toolbox.indexer import CRASH_ENV, CURRENT
from toolbox.parts import PROCESSES_ENV
from toolbox.synthetic import generate, word_pools

CHECKPOINTS = ("adding", "before-commit", "after-commit", "before-switch", "after-switch")
OPERATIONS = ("edit", "edit", "add", "remove", "rebuild", "rebuild-parallel")

READER = """
import json, sys, time
from pathlib import Path
from toolbox import Toolbox
from toolbox.errors import ToolboxError
project, index, stop, out = (Path(a) for a in sys.argv[1:5])
words = sys.argv[5:]
searches, failures = 0, []
while not stop.exists():
    for word in words:
        try:
            Toolbox.open(project, index).search(word, limit=5, update=False)
            searches += 1
        except Exception as exc:  # every failure counts, ToolboxError included
            failures.append(f"{word}: {type(exc).__name__}: {exc}")
out.write_text(json.dumps({"searches": searches, "failures": failures[:20], "failed": len(failures)}))
"""


@dataclass
class Outcome:
    runs: int = 0
    killed_running: int = 0  # the kill landed while the build was still running
    finished_first: int = 0  # the build had finished before the kill
    by_operation: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    reader_searches: int = 0
    reader_failures: int = 0


def answers(project: Path, index: Path, words: list[str]) -> dict[str, Any]:
    """What the index says to the probe queries: totals, hit ids and facet counts."""
    tb = Toolbox.open(project, index)
    out = {}
    for word in words:
        result = tb.search(word, limit=None, update=False)
        out[word] = [result.total, sorted(h.id for h in result.hits),
                     {axis: {f.value: f.count for f in values} for axis, values in result.facets.items()}]
    return out


def _change(rng: random.Random, project: Path, operation: str, run: int, added: list[str]) -> str:
    """Change the records for this run; return a short description."""
    regions = project / "methods" / "regions"
    if operation == "edit":
        files = sorted((project / "methods").rglob("*.yaml"))
        files = [f for f in files if f.name != "vocabulary.yaml" and f.parent.name != "recipes"]
        chosen = rng.sample(files, k=rng.randint(1, 3))
        for path in chosen:
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("  en: ", f"  en: Zzkill{run} ", 1), encoding="utf-8")
        return "edit " + ",".join(p.stem for p in chosen)
    if operation == "remove" and added:
        rid = added.pop(rng.randrange(len(added)))
        (regions / f"{rid}.yaml").unlink()
        return f"remove {rid}"
    if operation in ("add", "remove"):
        source = sorted(p for p in regions.glob("*.yaml") if not p.stem.startswith("added-"))[0]
        rid = f"added-{run:04d}"
        text = source.read_text(encoding="utf-8").replace("  en: ", f"  en: Zzkill{run} ", 1)
        (regions / f"{rid}.yaml").write_text(text, encoding="utf-8")
        added.append(rid)
        return f"add {rid}"
    return operation


def _descendants_of_project(project: Path, keep: set[int]) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) not in keep:
            try:
                if str(project) in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def run(runs: int, records: int, seed: int, workdir: Path, say: Any = print) -> Outcome:
    rng = random.Random(seed)
    project = generate(workdir / "corpus", records)
    index = workdir / "index"
    reference = workdir / "reference"
    en, de = word_pools()
    words = [en[0], de[1], en[40], de[300], "zzkill"] + [f"Zzkill{r}" for r in range(runs)]
    Toolbox.open(project, index).build_index()
    env = {k: v for k, v in os.environ.items() if k not in (CRASH_ENV, PROCESSES_ENV)}
    command = [sys.executable, "-m", "toolbox", "--project", str(project), "--index", str(index), "index", "-q"]

    # how long each kind of build takes here, so that kills land anywhere within it
    durations: dict[str, float] = {}
    for kind, extra, more_env in (("update", [], {}), ("rebuild", ["--rebuild"], {}),
                                  ("rebuild-parallel", ["--rebuild"], {PROCESSES_ENV: "2"})):
        if kind == "update":  # an update with something to do
            _change(rng, project, "edit", -1, [])
        start = time.perf_counter()
        subprocess.run([*command, *extra], env={**env, **more_env}, check=True, capture_output=True)
        durations[kind] = time.perf_counter() - start

    stop = workdir / "stop-reader"
    report = workdir / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(project), str(index), str(stop), str(report),
                               *words[:5]], env=env)
    outcome = Outcome()
    added: list[str] = []
    try:
        for i in range(runs):
            operation = rng.choice(OPERATIONS)
            probes = [*words[:5], f"Zzkill{i}"]
            old = answers(project, index, probes)
            what = _change(rng, project, operation, i, added)
            shutil.rmtree(reference, ignore_errors=True)
            Toolbox.open(project, reference).build_index()
            new = answers(project, reference, probes)

            extra = ["--rebuild"] if operation.startswith("rebuild") else []
            run_env = {**env, PROCESSES_ENV: "2"} if operation == "rebuild-parallel" else dict(env)
            kind = operation if operation.startswith("rebuild") else "update"
            by_checkpoint = rng.random() < 0.3
            if by_checkpoint:
                checkpoint = rng.choice(CHECKPOINTS)
                run_env[CRASH_ENV] = checkpoint
                how = f"at {checkpoint}"
            else:
                delay = rng.uniform(0.0, durations[kind] * 1.2)
                how = f"after {delay * 1000:.0f} ms"
            proc = subprocess.Popen([*command, *extra], env=run_env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            if by_checkpoint:
                proc.wait(timeout=600)
            else:
                try:
                    proc.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(timeout=600)
            landed = proc.returncode == -signal.SIGKILL
            outcome.killed_running += landed
            outcome.finished_first += not landed
            outcome.by_operation[operation] = outcome.by_operation.get(operation, 0) + 1
            outcome.runs += 1

            problems = []
            try:
                after = answers(project, index, probes)
                if after not in (old, new):
                    problems.append("the killed build left answers that are neither the old nor the new ones")
            except Exception as exc:  # the index must open whatever happened
                problems.append(f"the index did not answer after the kill: {type(exc).__name__}: {exc}")
            finish = subprocess.run(command, env=env, capture_output=True, text=True)
            if finish.returncode != 0:
                problems.append(f"the next build failed ({finish.returncode}): {finish.stderr.strip()[-300:]}")
            elif answers(project, index, probes) != new:
                problems.append("the next build's answers differ from a fresh build's")
            if list(index.glob(".tmp-*")):
                problems.append("an unfinished generation was left behind")
            if not (index / CURRENT).is_file():
                problems.append("CURRENT is missing")
            strays = _descendants_of_project(project, {os.getpid(), reader.pid})
            if strays:
                problems.append(f"build processes outlived the kill: {strays}")
            state = "killed" if landed else "finished first"
            verdict = "FAILED: " + "; ".join(problems) if problems else "ok"
            say(f"run {i + 1:3d}: {what:32.32s} {how:>16s}  {state:14s}  {verdict}")
            outcome.failures += [f"run {i + 1} ({what}, {how}): {p}" for p in problems]
    finally:
        stop.touch()
        reader.wait(timeout=120)
    data = json.loads(report.read_text())
    outcome.reader_searches, outcome.reader_failures = data["searches"], data["failed"]
    outcome.failures += [f"reader: {f}" for f in data["failures"]]
    return outcome


def summary(outcome: Outcome) -> str:
    ops = ", ".join(f"{op} {n}" for op, n in sorted(outcome.by_operation.items()))
    return (f"{outcome.runs} runs ({ops}): {outcome.killed_running} killed mid-build, {outcome.finished_first} "
            f"finished before the kill; reader: {outcome.reader_searches} searches, {outcome.reader_failures} "
            f"failed; failures: {len(outcome.failures)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50, help="builds to kill (default 50)")
    parser.add_argument("--records", type=int, default=400, help="size of the synthetic project (default 400)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the project and index in this folder")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="toolbox-crash-"))
    try:
        outcome = run(args.runs, args.records, args.seed, workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(summary(outcome))
    for failure in outcome.failures:
        print("  " + failure)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
