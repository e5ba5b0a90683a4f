"""The index: incremental updates, staleness checks and crash safety."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolbox import Toolbox
from toolbox.cli import main
from toolbox.indexer import CRASH_ENV, live_generation, stale_reason
from toolbox.parts import PROCESSES_ENV


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_build_then_up_to_date(minimal: Path) -> None:
    tb = Toolbox.open(minimal)
    first = tb.build_index()
    assert first.full and first.total == 5 and first.reason == "no index yet"
    second = Toolbox.open(minimal).build_index()
    assert not second.full and second.changed == 0
    assert second.summary() == "index is up to date (5 records)"


def test_editing_one_record_reindexes_only_that_record(minimal: Path) -> None:
    Toolbox.open(minimal).build_index()
    edit(minimal / "methods/school-workshop.yaml", "Raise interest in local industry.",
         "Raise interest in local industry with a zeppelin.")
    assert stale_reason(minimal, minimal / "index") == "methods/school-workshop.yaml changed"
    report = Toolbox.open(minimal).build_index()
    assert (report.full, report.added, report.updated, report.removed) == (False, (), ("school-workshop",), ())
    assert report.summary() == "updated index: 1 updated; 5 records"
    assert [h.id for h in Toolbox.open(minimal).search("zeppelin").hits] == ["school-workshop"]


def test_cli_reports_what_it_reindexed(minimal: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--project", str(minimal), "index"]).exit_code == 0
    edit(minimal / "methods/regions/testland.yaml", "old ironworks", "old ironworks and a glassworks")
    result = runner.invoke(main, ["--project", str(minimal), "index"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("updated index: 1 updated; 5 records in ")
    assert result.stdout.splitlines()[1] == "  ~ testland"


def test_touching_a_file_is_not_a_change(minimal: Path) -> None:
    Toolbox.open(minimal).build_index()
    path = minimal / "methods/mapping-study.yaml"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))
    assert stale_reason(minimal, minimal / "index") is None


def test_added_and_removed_files(minimal: Path) -> None:
    Toolbox.open(minimal).build_index()
    text = (minimal / "methods/school-workshop.yaml").read_text(encoding="utf-8")
    (minimal / "methods/school-workshop-2.yaml").write_text(text, encoding="utf-8")
    (minimal / "methods/mapping-study.yaml").unlink()
    assert stale_reason(minimal, minimal / "index") == "files were added or removed"
    report = Toolbox.open(minimal).build_index()
    assert report.added == ("school-workshop-2",)
    assert report.removed == ("mapping-study",)
    assert report.total == 5
    assert [h.id for h in Toolbox.open(minimal).search("maps").hits] == []


def test_a_link_change_updates_the_derived_region_of_a_method(minimal: Path) -> None:
    Toolbox.open(minimal).build_index()
    # the pilot now also uses mapping-study, whose region facet therefore changes too
    edit(minimal / "methods/pilots/demo-pilot.yaml", "methods: [open-factory-day]",
         "methods: [open-factory-day, mapping-study]")
    edit(minimal / "methods/mapping-study.yaml", "related: [school-workshop]",
         "related: [school-workshop]\npilots: [demo-pilot]")
    report = Toolbox.open(minimal).build_index()
    # the pilot's own document holds no method ids, so only the method is re-indexed
    assert report.updated == ("mapping-study",)
    r = Toolbox.open(minimal).search(region=["testland"], kind=["method"], limit=None)
    assert sorted(h.id for h in r.hits) == ["mapping-study", "open-factory-day"]


def test_vocabulary_change_rebuilds_everything(minimal: Path) -> None:
    Toolbox.open(minimal).build_index()
    edit(minimal / "methods/vocabulary.yaml", "label: {en: Crafts, de: Kunsthandwerk}",
         "label: {en: Crafts, de: Handwerk}")
    report = Toolbox.open(minimal).build_index()
    assert report.full and report.reason == "schema or vocabulary changed"


def test_records_with_errors_are_left_out_and_reported(minimal: Path) -> None:
    edit(minimal / "methods/school-workshop.yaml", "level: high", "level: huge")
    result = CliRunner().invoke(main, ["--project", str(minimal), "index"])
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first == f"{minimal}/methods/school-workshop.yaml:10:10: effort.level: unknown effort value 'huge'"
    assert result.stderr.splitlines()[1] == "    hint: expected one of: high, low, medium"
    assert "1 file with errors left out" in result.stdout
    assert Toolbox.open(minimal).search(limit=None, update=False).total == 4


CHECKPOINTS = ["adding", "before-commit", "after-commit", "before-switch", "after-switch"]


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_sigkill_during_rebuild_leaves_a_searchable_index(minimal: Path, checkpoint: str) -> None:
    """The build kills itself (SIGKILL) at a named point; search must still work afterwards."""
    Toolbox.open(minimal).build_index()
    edit(minimal / "methods/school-workshop.yaml", "Raise interest in local industry.",
         "Raise interest in local industry with a zeppelin.")
    env = {**os.environ, CRASH_ENV: checkpoint}
    proc = subprocess.run([sys.executable, "-m", "toolbox", "--project", str(minimal), "index", "--rebuild"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert live_generation(minimal / "index") is not None
    tb = Toolbox.open(minimal)
    old = tb.search("Raise interest", update=False)
    assert [h.id for h in old.hits] == ["school-workshop"]
    zeppelin = [h.id for h in tb.search("zeppelin", update=False).hits]
    # before the switch the old generation is live, after it the new one
    assert zeppelin == (["school-workshop"] if checkpoint == "after-switch" else [])
    # the next build cleans up and brings the index up to date
    report = Toolbox.open(minimal).build_index()
    assert report.total == 5
    assert [h.id for h in Toolbox.open(minimal).search("zeppelin").hits] == ["school-workshop"]
    assert not list((minimal / "index").glob(".tmp-*"))


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if text in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.mark.parametrize("checkpoint", ["adding", "after-commit"])
def test_sigkill_during_a_build_on_several_cores(minimal: Path, checkpoint: str) -> None:
    """Killing a build whose parts are written by forked processes: the workers die with it,
    the old index stays live, and the next build (in one process here) is complete."""
    Toolbox.open(minimal).build_index()
    edit(minimal / "methods/school-workshop.yaml", "Raise interest in local industry.",
         "Raise interest in local industry with a zeppelin.")
    env = {**os.environ, CRASH_ENV: checkpoint, PROCESSES_ENV: "2"}
    proc = subprocess.run([sys.executable, "-m", "toolbox", "--project", str(minimal), "index", "--rebuild"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(minimal)) and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the kernel to deliver the parent-death signal, not for timing
    assert _processes_mentioning(str(minimal)) == []
    assert [h.id for h in Toolbox.open(minimal).search("zeppelin", update=False).hits] == []
    assert Toolbox.open(minimal).build_index().total == 5
    assert [h.id for h in Toolbox.open(minimal).search("zeppelin").hits] == ["school-workshop"]
    assert not list((minimal / "index").glob(".tmp-*"))


def test_a_build_on_several_cores_equals_a_build_in_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolbox.docsets import to_numbers
    from toolbox.indexer import read_spelling, read_tag_table
    from toolbox.synthetic import generate, word_pools

    project = generate(tmp_path / "corpus", 300)
    monkeypatch.setenv(PROCESSES_ENV, "1")
    one = Toolbox.open(project, tmp_path / "one")
    one.build_index()
    monkeypatch.setenv(PROCESSES_ENV, "3")
    progress: list[str] = []
    three = Toolbox.open(project, tmp_path / "three")
    three.build_index(progress=progress.append)
    assert "indexing 300 records in 3 processes …" in progress
    gen_one, gen_three = live_generation(one.index_dir), live_generation(three.index_dir)
    assert gen_one is not None and gen_three is not None
    assert len(list(gen_three.glob("*.trm"))) == 3 and len(list(gen_one.glob("*.trm"))) == 1
    assert read_spelling(gen_one) == read_spelling(gen_three)
    tags_one, live_one = read_tag_table(gen_one)
    tags_three, live_three = read_tag_table(gen_three)
    assert (tags_one, to_numbers(live_one)) == (tags_three, to_numbers(live_three))  # same document numbers
    en, de = word_pools()
    for query, filters in [(en[0], {}), (de[3], {"kind": ["method"]}), (f"{en[50]} {en[2]}", {}), ("", {}),
                           (en[900], {"effort": ["low", "high"]}), ("nosuchword", {})]:
        for sort in ("relevance", "title", "effort"):
            a = one.search(query, limit=None, sort=sort, update=False, **filters)
            b = three.search(query, limit=None, sort=sort, update=False, **filters)
            assert [(h.id, h.score, h.snippet) for h in a.hits] == [(h.id, h.score, h.snippet) for h in b.hits]
            assert (a.total, a.facets, a.suggestion) == (b.total, b.facets, b.suggestion)
    # an update on top of the parts works as on a single segment
    pilot = sorted((project / "methods/pilots").glob("*.yaml"))[0]
    pilot.write_text(pilot.read_text(encoding="utf-8").replace("  en: ", "  en: Zeppelin ", 1), encoding="utf-8")
    assert Toolbox.open(project, three.index_dir).ensure_index() is not None
    assert [h.id for h in Toolbox.open(project, three.index_dir).search("zeppelin", update=False).hits] == [pilot.stem]


def test_a_second_writer_waits_for_the_first_and_says_so(minimal: Path) -> None:
    """Two builds at once: the second blocks on the index lock, tells the user, then runs."""
    import fcntl

    Toolbox.open(minimal).build_index()
    lock_path = minimal / "index" / ".lock"
    with open(lock_path, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # stands in for a build in progress
        with subprocess.Popen([sys.executable, "-m", "toolbox", "--project", str(minimal), "index", "--rebuild"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as second:
            assert second.stderr is not None
            first_line = second.stderr.readline()  # blocks until the waiting message is written
            assert first_line == f"waiting for another process that is building the index in {minimal / 'index'} …\n"
            assert second.poll() is None  # still waiting: the lock is held
            fcntl.flock(held, fcntl.LOCK_UN)
            out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.startswith("built index of 5 records (rebuild requested)")


def test_searches_waiting_on_a_stale_index_update_it_once(minimal: Path) -> None:
    """Two searches find the index stale at the same moment: one updates it, the other waits
    for the lock, finds nothing left to do and searches, without loading every record."""
    import fcntl

    Toolbox.open(minimal).build_index()
    edit(minimal / "methods/school-workshop.yaml", "Raise interest in local industry.",
         "Raise interest in local industry with a zeppelin.")
    command = [sys.executable, "-m", "toolbox", "--project", str(minimal), "search", "zeppelin"]
    waiting = f"waiting for another process that is building the index in {minimal / 'index'} …\n"
    with open(minimal / "index" / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as one, \
                subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as two:
            assert one.stderr is not None and two.stderr is not None
            assert one.stderr.readline() == waiting and two.stderr.readline() == waiting
            fcntl.flock(held, fcntl.LOCK_UN)
            results = [p.communicate(timeout=120) for p in (one, two)]
    assert sorted(err for _, err in results) == ["", "updated index: 1 updated; 5 records\n"]
    assert all(out.startswith('1 result for “zeppelin”') for out, _ in results)
