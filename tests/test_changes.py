"""``toolbox handbook … --changes``: every change that shapes a booklet is named, none is invented.

A copy of the override scenario (its own cover template, a recipe with ids and a query, pilot and
region pages) is built once as HTML; each test then changes one thing and reads the report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import SCENARIOS
from toolbox import Toolbox
from toolbox.cli import main
from toolbox.handbook import changes
from toolbox.recipe import load_recipe


def run(project: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--project", str(project), *args])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project"
    shutil.copytree(SCENARIOS / "override", project)
    out = tmp_path / "out" / "book.html"
    result = run(project, "handbook", str(project / "recipe.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    return project, out


def report(project: Path, out: Path, *extra: str) -> tuple[int, list[str]]:
    """Exit code and the lines of ``--changes``; the header line is checked here."""
    result = run(project, "handbook", str(project / "recipe.yaml"), "-o", str(out), "--changes", *extra)
    assert "Traceback" not in result.output, result.output
    lines = result.stdout.splitlines()
    built = json.loads(Path(f"{out}.lock.json").read_text(encoding="utf-8"))["built"]
    if result.exit_code == 0:
        assert lines[0] == f"no changes since the build of {built} ({out}.lock.json)", result.stdout
    else:
        assert lines[0] == f"changes since the build of {built}:", result.stdout
    return result.exit_code, lines[1:]


def test_unchanged_says_no_changes_and_exits_0(built: tuple[Path, Path]) -> None:
    assert report(*built) == (0, [])


SECOND_PILOT = """title: {en: Second pilot}
summary: {en: Another invented pilot.}
region: [testland]
methods: [open-factory-day]
description: {en: It happened too.}
audience: [schools]
sector: [crafts]
sources:
  - title: Test fixture
    url: https://example.org/fixture
"""

PROJECT_FILE = """languages: {en: English, de: Deutsch, it: Italiano}
name: {en: Test project}
licence:
  name: CC BY 4.0
  url: https://creativecommons.org/licenses/by/4.0/
"""

RECORD_OVERRIDE = '{% extends "shipped/handbook/record.html.j2" %}\n'


def _record_steps(p: Path) -> None:
    edit(p / "methods/mapping-study.yaml", "Draw the maps.", "Draw the maps again.")


def _record_title_summary(p: Path) -> None:
    edit(p / "methods/diacritics-walk.yaml", "Rundgang durch", "Spaziergang durch")
    edit(p / "methods/diacritics-walk.yaml", "Auch Śląsk", "Und Śląsk")


def _record_comment(p: Path) -> None:
    edit(p / "methods/mapping-study.yaml", "title:", "# a comment changes no field\ntitle:")


def _recipe_intro(p: Path) -> None:
    edit(p / "recipe.yaml", "Ein Handout für die Tests.", "Ein neues Handout.")


def _recipe_title(p: Path) -> None:
    edit(p / "recipe.yaml", "title: Diakritika-Handout", "title: Neues Handout")


def _recipe_date_and_section(p: Path) -> None:
    edit(p / "recipe.yaml", 'date: "2026-01"', 'date: "2026-02"')
    edit(p / "recipe.yaml", "title: Zweiter Teil", "title: Dritter Teil")


def _vocabulary_label(p: Path) -> None:
    edit(p / "methods/vocabulary.yaml", "label: {en: Schools, de: Schulen}", "label: {en: Schools, de: Schulen (alle)}")


def _vocabulary_axis_label_and_synonym(p: Path) -> None:
    edit(p / "methods/vocabulary.yaml", "label: {en: Sector, de: Teilmarkt}", "label: {en: Sector, de: Branche}")
    edit(p / "methods/vocabulary.yaml", "synonyms: [authorities, Behörde]", "synonyms: [authorities, Behörde, Amt]")


def _template_added(p: Path) -> None:
    (p / "templates/handbook/record.html.j2").write_text(RECORD_OVERRIDE, encoding="utf-8")


def _template_edited(p: Path) -> None:
    edit(p / "templates/handbook/book.html.j2", "Our own cover for", "Our very own cover for")


def _template_removed(p: Path) -> None:
    (p / "templates/handbook/book.html.j2").unlink()


def _project_file_added(p: Path) -> None:
    (p / "methods/project.yaml").write_text(PROJECT_FILE, encoding="utf-8")


def _record_added(p: Path) -> None:
    (p / "methods/pilots/second-pilot.yaml").write_text(SECOND_PILOT, encoding="utf-8")


def _record_removed(p: Path) -> None:
    (p / "methods/pilots/demo-pilot.yaml").unlink()  # its region page goes with it


def _several(p: Path) -> None:
    _record_added(p)
    _record_steps(p)
    _recipe_intro(p)
    _vocabulary_label(p)
    _template_edited(p)
    _project_file_added(p)


CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "record field": (_record_steps, ["  ~ mapping-study: steps"]),
    "record title and summary": (_record_title_summary, ["  ~ diacritics-walk: title, summary"]),
    "record file only": (_record_comment, ["  ~ mapping-study: file only (comments or layout)"]),
    "recipe intro": (_recipe_intro, ["  ~ recipe: intro"]),
    "recipe title": (_recipe_title, ["  ~ recipe: title"]),
    "recipe date and section title": (_recipe_date_and_section, ["  ~ recipe: date, sections[1].title"]),
    "vocabulary label": (_vocabulary_label, ["  ~ vocabulary: audience labels"]),
    "vocabulary axis label and synonym": (_vocabulary_axis_label_and_synonym,
                                          ["  ~ vocabulary: audience synonyms, sector labels"]),
    "template override added": (_template_added, ["  ~ template: handbook/record.html.j2 (added in templates)"]),
    "template override edited": (_template_edited, ["  ~ template: handbook/book.html.j2 (edited in templates)"]),
    "template override removed": (_template_removed,
                                  ["  ~ template: handbook/book.html.j2 (removed from templates)"]),
    "project file added": (_project_file_added, ["  ~ project: languages, name, licence"]),
    "record added": (_record_added, ["  + second-pilot"]),
    "record removed": (_record_removed, ["  - demo-pilot", "  - testland"]),
    "in the order records, recipe, vocabulary, templates, project": (_several, [
        "  + second-pilot", "  ~ mapping-study: steps", "  ~ recipe: intro", "  ~ vocabulary: audience labels",
        "  ~ template: handbook/book.html.j2 (edited in templates)", "  ~ project: languages, name, licence"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_change_is_named(built: tuple[Path, Path], case: str) -> None:
    change, expected = CASES[case]
    change(built[0])
    assert report(*built) == (1, expected)


def test_project_file_changed_and_removed(built: tuple[Path, Path]) -> None:
    project, out = built
    _project_file_added(project)
    assert run(project, "handbook", str(project / "recipe.yaml"), "-o", str(out)).exit_code == 0
    assert report(project, out) == (0, [])
    edit(project / "methods/project.yaml", "name: CC BY 4.0", "name: CC BY-SA 4.0")
    assert report(project, out) == (1, ["  ~ project: licence"])
    (project / "methods/project.yaml").unlink()
    assert report(project, out) == (1, ["  ~ project: languages, name, licence"])


def test_what_does_not_shape_the_booklet_is_not_a_change(built: tuple[Path, Path]) -> None:
    project, out = built
    # comments in the vocabulary; a blank line that moves the recipe's query (and its line number) down
    edit(project / "methods/vocabulary.yaml", "audience:\n", "# who it is for\naudience:\n")
    edit(project / "recipe.yaml", "sections:\n", "\nsections:\n")
    assert report(project, out) == (0, [])


def test_the_templates_option_counts_as_build_takes_it(built: tuple[Path, Path], tmp_path: Path) -> None:
    project, out = built
    extra = tmp_path / "extra"
    (extra / "handbook").mkdir(parents=True)
    (extra / "handbook/style.css").write_text("body { color: black }\n", encoding="utf-8")
    built_with = run(project, "handbook", str(project / "recipe.yaml"), "-o", str(out), "--templates", str(extra))
    assert built_with.exit_code == 0, built_with.output
    assert report(project, out, "--templates", str(extra)) == (0, [])
    assert report(project, out) == (1, [f"  ~ template: handbook/style.css (removed from {extra.resolve()})"])
    (extra / "handbook/style.css").write_text("body { color: navy }\n", encoding="utf-8")
    assert report(project, out, "--templates", str(extra)) == (
        1, [f"  ~ template: handbook/style.css (edited in {extra.resolve()})"])


def test_an_old_lock_compares_record_files_and_says_so(built: tuple[Path, Path]) -> None:
    project, out = built
    lock = Path(f"{out}.lock.json")
    data = json.loads(lock.read_text(encoding="utf-8"))
    old = {k: data[k] for k in ("toolbox", "built", "recipe", "lang", "format", "records")}  # as 0.1 wrote it
    lock.write_text(json.dumps(old, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    note = "note: the lock was written by an older toolbox; only record files and the language compared"
    assert report(project, out) == (0, [note])
    _record_steps(project)
    _recipe_intro(project)  # not in an old lock: cannot be told
    assert report(project, out) == (1, ["  ~ mapping-study", note])


def test_changes_keeps_added_removed_changed_for_callers(built: tuple[Path, Path]) -> None:
    project, out = built
    _record_added(project)
    _record_steps(project)
    _recipe_title(project)
    tb = Toolbox.open(project)
    result = changes(tb, load_recipe(project / "recipe.yaml", tb.catalogue), out)
    assert (result.added, result.removed, result.changed) == (("second-pilot",), (), ("mapping-study",))
    assert result.lines == ("+ second-pilot", "~ mapping-study: steps", "~ recipe: title")
    assert result.any and result.note == ""
