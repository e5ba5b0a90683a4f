"""show, stats, export, new and schema on the minimal scenario and the shipped content."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from toolbox import Toolbox
from toolbox.cli import main
from toolbox.export import COLUMNS
from toolbox.schema import json_schema_text


def run(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(project), *args])
    return result.exit_code, result.stdout, result.stderr


def test_show_a_method_with_its_links(minimal: Path) -> None:
    code, out, _ = run(minimal, "show", "open-factory-day", "--lang", "de")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Tag der offenen Fabrik"
    assert lines[1] == "Methode · open-factory-day · methods/open-factory-day.yaml"
    # the interface's words come from the German catalogue, the tags from the vocabulary
    assert any(line.startswith("  Zielgruppe") and line.endswith("Öffentliche Verwaltung, Schulen")
               for line in lines)
    assert "Audience" not in out and "Pilot actions" not in out
    assert "Pilotaktionen, die sie genutzt haben" in lines or "Pilotaktionen mit dieser Methode" in lines
    assert any(line.startswith("  demo-pilot") and "Tag der offenen Fabrik in Łąka Dolna" in line for line in lines)


def test_show_marks_english_fallback(minimal: Path) -> None:
    code, out, _ = run(minimal, "show", "mapping-study", "--lang", "it")
    assert code == 0
    # the mark is the same in every output: before the English it marks, in the reader's language
    assert out.splitlines()[0] == "(in inglese) Mapping study of creative firms"


def test_show_pilot_and_region_links(minimal: Path) -> None:
    _, out, _ = run(minimal, "show", "demo-pilot")
    assert "  Period    September 2020 – September 2021" in out.splitlines()
    assert "\nMethods used\n" in out and "\nRegion\n" in out
    _, out, _ = run(minimal, "show", "testland")
    assert "  Population  100,000 (2020)" in out.splitlines()
    assert "Pilot actions here" in out


def test_show_json_has_every_language_and_links(minimal: Path) -> None:
    code, out, _ = run(minimal, "show", "open-factory-day", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["title"] == {"en": "Open factory day", "de": "Tag der offenen Fabrik",
                             "it": "Giornata delle fabbriche aperte"}
    assert data["links"] == {"pilots": ["demo-pilot"], "related": [], "regions": ["testland"]}
    assert data["effort"]["level"] == "low"


def test_show_unknown_id_suggests(minimal: Path) -> None:
    code, _, err = run(minimal, "show", "mapping-stdy")
    assert code == 2
    assert err.splitlines() == ["Error: id: no record with id 'mapping-stdy'",
                                "    hint: did you mean 'mapping-study'?"]


def test_stats(minimal: Path) -> None:
    code, out, _ = run(minimal, "stats", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["kinds"] == {"method": 3, "pilot": 1, "region": 1}
    assert data["facets"]["audience"] == {"schools": 3, "public-administration": 2, "creatives": 1}
    assert data["facets"]["region"] == {"testland": 3}
    assert data["translation"]["de"]["percent"] == 100.0
    it = data["translation"]["it"]
    assert (it["fields"], it["translated"], it["complete_records"]) == (19, 1, 0)
    _, text, _ = run(minimal, "stats")
    assert text.splitlines()[0] == "5 records  (3 methods, 1 pilot action, 1 region profile)"
    assert "  de  100.0 %  19/19 fields  5/5 records complete" in text.splitlines()


def test_export_csv_with_data_dictionary(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, _, err = run(minimal, "export", "--format", "csv", "--audience", "schools", "-o", str(out))
    assert code == 0, err
    assert err.splitlines()[-1] == f"wrote 3 records to {out} (columns: {tmp_path / 'out.columns.csv'})"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ["school-workshop", "open-factory-day", "demo-pilot"]
    assert list(rows[0]) == [c for c, _ in COLUMNS]
    pilot = rows[2]
    assert (pilot["methods"], pilot["region"], pilot["period_start"]) == ("open-factory-day", "testland", "2020-09")
    dictionary = list(csv.reader(io.StringIO((tmp_path / "out.columns.csv").read_text(encoding="utf-8"))))
    assert dictionary[0] == ["column", "meaning"] and [r[0] for r in dictionary[1:]] == [c for c, _ in COLUMNS]
    # never overwrites without --force
    code, _, err = run(minimal, "export", "--format", "csv", "-o", str(out))
    assert code == 2 and "exists; not overwritten (use --force to replace it)" in err
    assert run(minimal, "export", "--format", "csv", "-o", str(out), "--force")[0] == 0


def test_export_json_everything(minimal: Path) -> None:
    code, out, _ = run(minimal, "export")
    data = json.loads(out)
    assert code == 0 and data["total"] == 5
    assert [r["id"] for r in data["records"]] == ["school-workshop", "mapping-study", "open-factory-day",
                                                  "demo-pilot", "testland"]


def test_new_writes_a_skeleton_that_validates_once_filled(minimal: Path) -> None:
    code, out, _ = run(minimal, "new", "pilot", "my-pilot")
    assert code == 0
    path = minimal / "methods/pilots/my-pilot.yaml"
    assert out.strip().endswith("fill it in, then run: toolbox validate")
    # as written, it is incomplete and says so
    code, out, _ = run(minimal, "validate")
    assert code == 1 and "methods/pilots/my-pilot.yaml:7:3: title.en: English text is empty" in out
    # filled in (the commented optional fields stay commented), it validates
    text = path.read_text(encoding="utf-8")
    filled = (text.replace('en: ""', 'en: "Filled"').replace('de: ""', 'de: "Gefüllt"')
              .replace("audience: []", "audience: [schools]").replace("sector: []", "sector: [crafts]")
              .replace("region: []", "region: [testland]").replace("methods: []", "methods: [open-factory-day]")
              .replace('title: ""', 'title: "A source"').replace("url: https://…", "url: https://example.org/report"))
    path.write_text(filled, encoding="utf-8")
    code, out, _ = run(minimal, "validate")
    assert code == 0, out
    # the one warning left: the method does not list the new pilot yet
    assert "methods/open-factory-day.yaml:18:1: warning: pilots: pilot 'my-pilot' uses this method" in out
    # never overwrites
    code, _, err = run(minimal, "new", "method", "my-pilot")
    assert code == 2 and "already exists; not overwritten" in err
    assert path.read_text(encoding="utf-8") == filled


def test_new_rejects_bad_ids(minimal: Path) -> None:
    code, _, err = run(minimal, "new", "method", "My Method")
    assert code == 2
    assert "hint: use lower-case letters, digits and hyphens, e.g. 'my-method'" in err


@pytest.mark.parametrize("kind", ["method", "pilot", "region"])
def test_published_json_schema_is_up_to_date(kind: str) -> None:
    published = (REPO / "docs" / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert published == json_schema_text(kind), "run: toolbox schema --generic --write docs/schema"


def test_shipped_records_satisfy_the_json_schema() -> None:
    tb = Toolbox.open(REPO)
    schemas = {k: json.loads(json_schema_text(k)) for k in ("method", "pilot", "region")}
    assert tb.catalogue.files
    for f in tb.catalogue.files:
        data = yaml.load(f.path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        # YAML dates and numbers are fine for our loader; JSON Schema sees strings where we quote them
        jsonschema.validate(data, schemas[f.kind])


def test_help_teaches() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "index", "search", "show", "stats", "export", "new", "schema"):
        assert f"  {command}" in result.stdout
    search_help = CliRunner().invoke(main, ["search", "--help"]).stdout
    assert "toolbox search --audience schools,youth --effort low --lang de" in search_help


def test_no_command_writes_over_a_file_it_was_not_asked_to_replace(minimal: Path, tmp_path: Path) -> None:
    """What every writing command does when its target exists, and that it leaves no temporary
    files behind (they write to a temporary file, then move or link it into place)."""
    mine = tmp_path / "notes.md"
    mine.write_text("my notes\n", encoding="utf-8")
    # benchmark -o refuses before it starts measuring
    code, _, err = run(minimal, "benchmark", "--records", "60", "--no-pdf", "--no-web", "-o", str(mine))
    assert code == 2 and err.splitlines()[0] == f"Error: {mine} exists; not overwritten (use --force to replace it)"
    # handbook refuses a file it did not write
    code, _, err = run(minimal, "handbook", "--query", "", "-o", str(tmp_path / "notes.md"))
    assert code == 2 and "not overwritten" in err
    assert mine.read_text(encoding="utf-8") == "my notes\n"

    schemas = tmp_path / "schema"
    assert run(minimal, "schema", "--write", str(schemas))[0] == 0
    written = (schemas / "method.schema.json").read_text(encoding="utf-8")
    assert run(minimal, "schema", "--write", str(schemas))[0] == 0  # its own files are refreshed
    (schemas / "pilot.schema.json").write_text("{}", encoding="utf-8")  # a file of the user's
    code, _, err = run(minimal, "schema", "--write", str(schemas))
    assert code == 2 and f"{schemas / 'pilot.schema.json'} exists; not overwritten" in err
    assert (schemas / "pilot.schema.json").read_text(encoding="utf-8") == "{}"
    assert run(minimal, "schema", "--write", str(schemas), "--force")[0] == 0
    assert (schemas / "method.schema.json").read_text(encoding="utf-8") == written

    assert run(minimal, "new", "region", "atlantis")[0] == 0
    leftovers = [p for p in [*tmp_path.rglob("*"), *minimal.rglob("*")] if p.name.endswith(".tmp")]
    assert leftovers == []


def test_csv_export_keeps_spreadsheets_from_running_formulas(minimal: Path, tmp_path: Path) -> None:
    record = minimal / "methods" / "mapping-study.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(
        "  en: Mapping study of creative firms", '  en: "=HYPERLINK(\\"http://evil.example\\", \\"click\\")"', 1),
        encoding="utf-8")
    code, out, err = run(minimal, "export", "--format", "csv")
    assert code == 0, err
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["mapping-study"]["title"] == "'=HYPERLINK(\"http://evil.example\", \"click\")"
    assert rows["mapping-study"]["budget_eur_min"] == "5000"  # numbers untouched


def test_a_subfolder_of_a_project_works_on_that_project(minimal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found the way git finds a repository: run in methods/pilots/, commands use the project
    above it, never the shipped toolbox, and 'new' writes where the project keeps its pilots."""
    monkeypatch.delenv("TOOLBOX_PROJECT", raising=False)
    monkeypatch.chdir(minimal / "methods" / "pilots")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("5 files checked: 5 valid records")
    result = CliRunner().invoke(main, ["new", "pilot", "second-pilot"])
    assert result.exit_code == 0, result.output
    assert (minimal / "methods" / "pilots" / "second-pilot.yaml").is_file()
    assert not (minimal / "methods" / "pilots" / "pilots").exists()
