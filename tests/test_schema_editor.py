"""The editors' JSON Schema is the project's own: its vocabulary values, regions and languages,
and a readable message for a bad date."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from conftest import REPO
from toolbox import Toolbox
from toolbox.cli import main
from toolbox.schema import DATE_MESSAGE, json_schema


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_tag_fields_list_the_projects_values() -> None:
    tb = Toolbox.open(REPO)
    vocabulary = tb.catalogue.vocabulary
    assert vocabulary is not None
    regions = sorted(r.id for r in tb.catalogue.of_kind("region"))
    schema = json_schema("pilot", vocabulary, regions)
    audience = schema["properties"]["audience"]["items"]
    assert audience["enum"] == list(vocabulary.axes["audience"].terms)
    assert audience["enumDescriptions"][0] == "Public administration"
    assert schema["properties"]["region"]["items"]["enum"] == regions
    assert schema["$defs"]["text"]["propertyNames"] == {"enum": ["en", "de", "cs", "pl", "sl", "it", "nl", "hr"]}
    # every shipped pilot satisfies its project's schema
    validator = _validator(schema)
    for path in sorted((REPO / "methods" / "pilots").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        assert not list(validator.iter_errors(data)), path.name


def test_a_bad_date_and_an_unknown_tag_are_refused_in_words() -> None:
    tb = Toolbox.open(REPO)
    schema = json_schema("pilot", tb.catalogue.vocabulary, ["padova"])
    data = yaml.load((REPO / "methods" / "pilots" / "help-desk-network-veneto.yaml").read_text(encoding="utf-8"),
                     Loader=yaml.CSafeLoader)
    data["period"] = {"start": "2026-13-01"}
    data["audience"] = ["bakers"]
    errors = list(_validator(schema).iter_errors(data))
    assert {tuple(e.absolute_path) for e in errors} == {("period", "start"), ("audience", 0)}
    date = next(e for e in errors if tuple(e.absolute_path) == ("period", "start"))
    assert date.schema["patternErrorMessage"] == DATE_MESSAGE
    assert DATE_MESSAGE == "not a date; write YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2019, 2019-03, 2019-03-25)"


def test_schema_write_defaults_to_the_projects_schema_folder(minimal: Path) -> None:
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(minimal)
    try:
        result = runner.invoke(main, ["schema", "--write"])
        assert result.exit_code == 0, result.output
        written = sorted(p.name for p in (minimal / "schema").iterdir())
        assert written == ["method.schema.json", "pilot.schema.json", "region.schema.json"]
        method = json.loads((minimal / "schema" / "method.schema.json").read_text(encoding="utf-8"))
        vocabulary = Toolbox.open(minimal).catalogue.vocabulary
        assert vocabulary is not None
        assert method["properties"]["sector"]["items"]["enum"] == list(vocabulary.axes["sector"].terms)
        assert method["$defs"]["text"]["propertyNames"] == {"enum": ["en", "de", "it"]}  # its own languages
        assert result.stderr.splitlines() == [f"wrote {minimal / 'schema' / n}" for n in written]
        # a vocabulary value added is offered after the next --write, which refreshes its own files
        vocab = minimal / "methods" / "vocabulary.yaml"
        vocab.write_text(vocab.read_text(encoding="utf-8").replace(
            "    cross-sector:\n",
            "    games:\n      label: {en: Games_Dev, de: Spiele}\n"
            "      description: {en: Video and board games., de: Video- und Brettspiele.}\n"
            "    cross-sector:\n", 1), encoding="utf-8")
        assert runner.invoke(main, ["schema", "--write"]).exit_code == 0
        sector = json.loads((minimal / "schema" / "method.schema.json").read_text(encoding="utf-8"))
        sector = sector["properties"]["sector"]["items"]
        assert sector["enum"] == ["design", "crafts", "games", "cross-sector"]
        assert sector["enumDescriptions"][2] == "Games_Dev"
        assert sector["markdownEnumDescriptions"][2] == r"**Games\_Dev** — Video and board games."
        assert sector["markdownEnumDescriptions"][0] == "**Design**"
        (minimal / "schema" / "pilot.schema.json").write_text("{}", encoding="utf-8")  # not ours: kept
        result = runner.invoke(main, ["schema", "--write"])
        assert result.exit_code == 2 and (minimal / "schema" / "pilot.schema.json").read_text() == "{}"
        assert "not overwritten" in result.stderr
        assert runner.invoke(main, ["schema", "--write", "--force"]).exit_code == 0  # --force is no folder
        assert (minimal / "schema" / "pilot.schema.json").read_text() != "{}"
        assert not (minimal / "--force").exists()
    finally:
        os.chdir(old)


def test_schema_write_with_a_kind_for_a_folder_is_refused(minimal: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(minimal), "schema", "--write", "pilot"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "Error: write: --write takes a folder, and 'pilot' is a record kind"
    assert not Path("pilot").exists() and not (minimal / "schema").exists()
    # the kind before --write is fine: every kind is written
    result = CliRunner().invoke(main, ["--project", str(minimal), "schema", "pilot", "--write"])
    assert result.exit_code == 0, result.output
    assert (minimal / "schema" / "region.schema.json").is_file()


def test_generic_schema_is_the_published_one(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "generic"
    result = CliRunner().invoke(main, ["--project", str(minimal), "schema", "--generic", "--write", str(out)])
    assert result.exit_code == 0, result.output
    for kind in ("method", "pilot", "region"):
        assert (out / f"{kind}.schema.json").read_text(encoding="utf-8") == \
            (REPO / "docs" / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
