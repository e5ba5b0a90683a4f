"""The index: incremental updates, staleness checks and crash safety."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolbox import Toolbox
from toolbox.cli import main
from toolbox.indexer import CRASH_ENV, live_generation, stale_reason


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
