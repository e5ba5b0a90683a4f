"""Another region's own toolbox: finding the project, starting one, its own name and licence,
its own languages, and publishing that survives a bad save (issue 14's traps, one test each)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from toolbox import Toolbox
from toolbox.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[Path]:
    """A working folder outside every project (and no TOOLBOX_PROJECT)."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    old = Path.cwd()
    saved = os.environ.pop("TOOLBOX_PROJECT", None)
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(old)
        if saved is not None:
            os.environ["TOOLBOX_PROJECT"] = saved


def _init(runner: CliRunner, *args: str) -> None:
    result = runner.invoke(main, ["init", *args])
    assert result.exit_code == 0, result.output


@pytest.fixture
def ruhr(runner: CliRunner, elsewhere: Path) -> Path:
    """A German-only project as 'toolbox init' writes it."""
    _init(runner, "ruhr", "--name", "Ruhr-Kreativ-Werkzeugkasten", "--publisher", "Stadt Bochum",
          "--contact", "Wirtschaftsförderung Bochum", "--licence", "CC BY-SA 4.0",
          "--licence-url", "https://creativecommons.org/licenses/by-sa/4.0/", "--lang", "de")
    return elsewhere / "ruhr"


# --------------------------------------------------------------------------- finding the project


@pytest.mark.parametrize("command", [["validate"], ["index"], ["new", "method", "x"], ["i18n", "--stamp", "de"]])
def test_write_commands_refuse_outside_a_project(runner: CliRunner, elsewhere: Path, command: list[str]) -> None:
    result = runner.invoke(main, command)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"Error: project: 'toolbox {command[0]}' works on your project, and {elsewhere} is not in one "
        "(no methods/vocabulary.yaml here or in a folder above)")
    assert "toolbox init my-toolbox" in result.stderr
    assert not list(elsewhere.iterdir())  # nothing written


def test_read_commands_name_the_shipped_toolbox_once(runner: CliRunner, elsewhere: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["--index", str(tmp_path / "ix"), "search", "hackathon", "-n", "1"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("using the shipped toolbox")]
    from toolbox.paths import shipped_project

    assert notes == [f"using the shipped toolbox ({shipped_project().resolve()}): no project in {elsewhere} or above; "
                     "'toolbox init' starts one"]


def test_a_subfolder_of_a_project_is_that_project(runner: CliRunner, ruhr: Path) -> None:
    os.chdir(ruhr / "methods" / "pilots")
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 files checked: 3 valid records, 0 errors, 0 warnings"
    result = runner.invoke(main, ["new", "pilot", "zeche-zollverein"])
    assert result.exit_code == 0, result.output
    assert (ruhr / "methods" / "pilots" / "zeche-zollverein.yaml").is_file()
    assert not (ruhr / "methods" / "pilots" / "pilots").exists()


def test_a_recipe_builds_from_the_project_it_lies_in(runner: CliRunner, ruhr: Path, elsewhere: Path) -> None:
    result = runner.invoke(main, ["handbook", "ruhr/methods/recipes/handbook.yaml", "-o", "book.md"])
    assert result.exit_code == 0, result.output
    text = (elsewhere / "book.md").read_text(encoding="utf-8")
    assert "Ruhr-Kreativ-Werkzeugkasten · Stadt Bochum · CC BY-SA 4.0" in text
    assert "(1 method, 2 records)" in result.output and "using the shipped toolbox" not in result.stderr


def test_a_recipe_outside_any_project_is_refused_unless_shipped(runner: CliRunner, elsewhere: Path,
                                                               tmp_path: Path) -> None:
    recipe = elsewhere / "booklet-recipe.yaml"
    recipe.write_text("title: Heft\nlang: de\nsections:\n  - title: Hackathon\n    include: [industrial-hackathon]\n",
                      encoding="utf-8")
    result = runner.invoke(main, ["handbook", str(recipe), "-o", "heft.md"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"Error: recipe: {recipe} is not inside a toolbox project, and neither "
                                             f"is {elsewhere}")
    assert not (elsewhere / "heft.md").exists()
    result = runner.invoke(main, ["--index", str(tmp_path / "ix"), "handbook", "--shipped", str(recipe),
                                  "-o", "heft.md"])
    assert result.exit_code == 0, result.output
    assert "Industrie-Hackathon" in (elsewhere / "heft.md").read_text(encoding="utf-8")


def test_a_project_option_that_is_no_project_is_refused(runner: CliRunner, elsewhere: Path) -> None:
    result = runner.invoke(main, ["--project", str(elsewhere), "search", "x"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"Error: project: {elsewhere} is not a toolbox project "
                                             "(it has no methods/ folder)")


def test_info_prints_the_project(runner: CliRunner, ruhr: Path) -> None:
    os.chdir(ruhr)
    runner.invoke(main, ["index", "-q"])
    result = runner.invoke(main, ["info"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"project    {ruhr}",
        "name       Ruhr-Kreativ-Werkzeugkasten · Stadt Bochum · CC BY-SA 4.0",
        f"index      {ruhr / 'index'}  (up to date)",
        "records    1 method, 1 pilot action, 1 region in 3 files; 0 errors, 0 warnings",
        "languages  de (Deutsch)",
        "written in de",
        "required   de",
    ]


# --------------------------------------------------------------------------- init


def test_init_writes_a_project_that_validates_strictly(runner: CliRunner, ruhr: Path) -> None:
    files = sorted(p.relative_to(ruhr).as_posix() for p in ruhr.rglob("*") if p.is_file())
    assert files == [".gitignore", ".vscode/settings.json", "README.md", "methods/cci-help-desk.yaml",
                     "methods/pilots/help-desk-network-veneto.yaml", "methods/project.yaml",
                     "methods/recipes/handbook.yaml", "methods/regions/padova.yaml", "methods/vocabulary.yaml",
                     "schema/method.schema.json", "schema/pilot.schema.json", "schema/region.schema.json"]
    result = runner.invoke(main, ["--project", str(ruhr), "validate", "--strict"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 files checked: 3 valid records, 0 errors, 0 warnings"
    record = (ruhr / "methods" / "cci-help-desk.yaml").read_text(encoding="utf-8")
    assert "\n  en:" not in record and "translations:" not in record  # German only, no English stamps


def test_init_refuses_an_existing_project(runner: CliRunner, ruhr: Path) -> None:
    before = (ruhr / "methods" / "project.yaml").read_bytes()
    result = runner.invoke(main, ["init", str(ruhr)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"Error: DIR: {ruhr} already holds a methods/ folder; nothing written"
    assert (ruhr / "methods" / "project.yaml").read_bytes() == before


def test_init_from_shipped_copies_every_record(runner: CliRunner, elsewhere: Path) -> None:
    _init(runner, "linz", "--lang", "de,en", "--required", "de,en", "--from-shipped", "--publisher", "Stadt Linz")
    shipped = Toolbox.open(REPO)
    result = runner.invoke(main, ["--project", "linz", "validate", "--strict"])
    assert result.exit_code == 0, result.output
    n = len(shipped.catalogue.files)
    assert result.stdout.splitlines()[-1] == f"{n} files checked: {n} valid records, 0 errors, 0 warnings"


# --------------------------------------------------------------------------- the project's own statements


def test_the_handbook_names_the_project_not_the_shipped_toolbox(runner: CliRunner, ruhr: Path) -> None:
    os.chdir(ruhr)
    result = runner.invoke(main, ["handbook", "handbook", "-o", "handbook.html"])
    assert result.exit_code == 0, result.output
    html = (ruhr / "handbook.html").read_text(encoding="utf-8")
    licence = html[html.index('id="licence"'):]
    assert "Ruhr-Kreativ-Werkzeugkasten" in licence and "Stadt Bochum" in licence
    assert 'href="https://creativecommons.org/licenses/by-sa/4.0/"' in licence
    assert "Wirtschaftsförderung Bochum" in licence
    # the shipped toolbox's own statements stay with it
    assert "The texts of the CCI Method Toolbox" not in html and "Die Texte der CCI Method Toolbox" not in html
    assert "CC BY 4.0 —" not in html
    assert '<p class="cover-kicker">Ruhr-Kreativ-Werkzeugkasten</p>' in html
    assert "<p>CC BY-SA 4.0 — Lizenz und Nachweise: " in html


def test_the_web_page_names_the_project(ruhr: Path) -> None:
    from toolbox.web import create_app

    tb = Toolbox.open(ruhr)
    tb.build_index()
    page = create_app(ruhr, tb.index_dir).test_client().get("/?q=Anlaufstelle").get_data(as_text=True)
    assert "<title>Anlaufstelle – Ruhr-Kreativ-Werkzeugkasten</title>" in page
    footer = page[page.index('<footer class="site-footer">'):]
    assert "Ruhr-Kreativ-Werkzeugkasten · Stadt Bochum · " in footer
    assert '<a href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">CC BY-SA 4.0</a>' in footer
    assert "CC BY 4.0" not in footer and "CCI Method Toolbox" not in footer


def test_a_project_without_a_project_file_states_no_licence(minimal: Path) -> None:
    from toolbox.handbook import build
    from toolbox.model import Filters
    from toolbox.recipe import recipe_from_query

    tb = Toolbox.open(minimal)
    tb.build_index()
    out = minimal / "book.md"
    build(tb, recipe_from_query("", Filters.of({"kind": ["method"]}), lang="en"), out)
    text = out.read_text(encoding="utf-8")
    assert "No licence has been stated for these texts: ask the publisher before you reuse them." in text
    assert "CC BY 4.0" not in text


# --------------------------------------------------------------------------- required languages


def test_required_languages_come_from_the_project_file(runner: CliRunner, ruhr: Path) -> None:
    """A German-only toolbox validates without English; a language the project file requires is
    checked by validate --strict (a warning otherwise)."""
    project_file = ruhr / "methods" / "project.yaml"
    text = project_file.read_text(encoding="utf-8")
    project_file.write_text(text.replace("languages:\n  de: Deutsch\n", "languages:\n  de: Deutsch\n  en: English\n")
                            .replace("required_languages: [de]", "required_languages: [de, en]"), encoding="utf-8")
    result = runner.invoke(main, ["--project", str(ruhr), "validate"])
    assert result.exit_code == 0, result.output
    assert "methods/cci-help-desk.yaml:3:1: warning: title: English text is missing" in result.stdout
    assert "hint: add 'en: …'; methods/project.yaml requires English (required_languages)" in result.stdout
    strict = runner.invoke(main, ["--project", str(ruhr), "validate", "--strict"])
    assert strict.exit_code == 1


def test_the_source_language_must_be_there(runner: CliRunner, ruhr: Path) -> None:
    record = ruhr / "methods" / "cci-help-desk.yaml"
    lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("title:\n")
    lines[at + 1] = "  en: Help desk\n"
    record.write_text("".join(lines), encoding="utf-8")
    project_file = ruhr / "methods" / "project.yaml"
    project_file.write_text(project_file.read_text(encoding="utf-8").replace(
        "languages:\n  de: Deutsch\n", "languages:\n  de: Deutsch\n  en: English\n"), encoding="utf-8")
    result = runner.invoke(main, ["--project", str(ruhr), "validate"])
    assert result.exit_code == 1
    assert (f"{record}:{at + 1}:1: title: German text is missing\n"
            "    hint: add 'de: …'; German is required (the source language in methods/project.yaml)"
            ) in result.stdout.replace(os.path.relpath(record), str(record))


def test_the_shipped_toolbox_requires_every_language() -> None:
    settings = Toolbox.open(REPO).catalogue.settings
    assert settings.required == ("en", "de", "cs", "pl", "sl", "it", "nl", "hr")


# --------------------------------------------------------------------------- a bad save


BREAKS = {
    "a YAML slip": b'title: {de: "Anlaufstelle\n',
    "Latin-1 bytes": "title:\n  de: Anlaufstelle f\u00fcr Kreative\n".encode("latin-1"),
    "an empty file": b"",
}


@pytest.mark.parametrize("how", list(BREAKS))
def test_a_bad_save_keeps_the_published_record(runner: CliRunner, ruhr: Path, how: str) -> None:
    from toolbox.web import create_app

    os.chdir(ruhr)
    assert runner.invoke(main, ["index", "-q"]).exit_code == 0
    record = ruhr / "methods" / "cci-help-desk.yaml"
    good = record.read_bytes()
    record.write_bytes(BREAKS[how])
    result = runner.invoke(main, ["index"])
    assert result.exit_code == 1
    stale_line = ("stale: 'cci-help-desk' is shown in its last good version; methods/cci-help-desk.yaml does not "
                  "load now:")
    assert stale_line in result.stderr.splitlines()
    assert re.search(r"^methods/cci-help-desk\.yaml:\d+:\d+: ", result.stderr, re.M)
    client = create_app(ruhr, ruhr / "index").test_client()
    page = client.get("/records/cci-help-desk")
    assert page.status_code == 200 and "KKW-Anlaufstelle" in page.get_data(as_text=True)
    api = client.get("/api/records/cci-help-desk").get_json()
    assert api["stale"]["path"] == "methods/cci-help-desk.yaml" and api["stale"]["problems"][0]["line"] >= 1
    assert client.get("/?q=Anlaufstelle").get_data(as_text=True).count("/records/cci-help-desk") >= 1
    # the editor hears the file's own problem, never "no record with id"
    for command in (["show", "cci-help-desk"], ["handbook", "handbook", "-o", "h.md"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1, (command, result.output)
        assert re.search(r"^methods/cci-help-desk\.yaml:\d+:\d+: ", result.stderr, re.M), result.stderr
        assert "no record with id" not in result.stderr
    search = runner.invoke(main, ["search", "Anlaufstelle"])
    assert "stale: 'cci-help-desk' is shown in its last good version; methods/cci-help-desk.yaml:" in search.stderr
    validate = runner.invoke(main, ["validate"])
    assert validate.exit_code == 1 and "stale: 'cci-help-desk'" in validate.stderr
    # fixing the file clears it
    record.write_bytes(good)
    result = runner.invoke(main, ["index"])
    assert result.exit_code == 0 and "stale" not in result.output
    assert "stale" not in client.get("/api/records/cci-help-desk").get_json()


def test_a_record_that_never_loaded_is_reported_as_broken(runner: CliRunner, ruhr: Path) -> None:
    os.chdir(ruhr)
    (ruhr / "methods" / "creative-walk.yaml").write_text("title: [\n", encoding="utf-8")
    result = runner.invoke(main, ["show", "creative-walk"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == ("Error: methods/creative-walk.yaml has errors; record 'creative-walk' "
                                             "cannot be used until they are fixed")
    assert "did you mean" not in result.stderr
