"""A project's own templates with mistakes: problems at the template line, never a traceback.

Each test copies ``tests/scenarios/override`` (which overrides ``handbook/book.html.j2``) into
``tmp_path``, plants one mistake in an override and builds HTML (the PDF path is slow and adds
nothing here). Lines are 1-based; the column of a template problem is 0 (Jinja2 gives no column).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import SCENARIOS
from toolbox.cli import main
from toolbox.errors import ContentError, Problem
from toolbox.templatecheck import check_templates

BOOK = "templates/handbook/book.html.j2"
SYNTAX_HINT = "correct the template at this line (Jinja2 syntax: {{ … }}, {% … %}, {# … #})"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "override"
    shutil.copytree(SCENARIOS / "override", target)
    monkeypatch.delenv("TOOLBOX_PROJECT", raising=False)
    monkeypatch.delenv("TOOLBOX_INDEX", raising=False)
    monkeypatch.chdir(target)  # problems are shown relative to the working folder
    return target


def _write(project: Path, rel: str, text: str) -> None:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _cover(body: str) -> str:
    """An override of the cover block; ``body`` is at line 4."""
    return ('{#- a broken override -#}\n{% extends "shipped/handbook/book.html.j2" %}\n{% block cover %}\n'
            f"{body}\n{{% endblock %}}\n")


def _build(project: Path, output: str = "x.html") -> Result:
    return CliRunner().invoke(main, ["--project", str(project), "handbook", "recipe.yaml", "-o", output])


def _fails_at(result: Result, project: Path, head: str, hint: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert head in lines, result.stderr
    assert lines[lines.index(head) + 1] == f"    hint: {hint}"
    assert not (project / "x.html").exists() and not list(project.glob("*.lock.json"))


def test_the_override_scenario_builds(project: Path) -> None:
    result = _build(project)
    assert result.exit_code == 0, result.output
    assert "Our own cover for" in (project / "x.html").read_text(encoding="utf-8")
    assert check_templates(project) == []


def test_syntax_error_in_an_override(project: Path) -> None:
    _write(project, BOOK, _cover("<h1>{{ book.recipe.title }</h1>"))
    result = _build(project)
    _fails_at(result, project, f"{BOOK}:4:0: template: syntax error: unexpected '}}'", SYNTAX_HINT)
    assert result.stderr.startswith(f"Error: template {BOOK} has a syntax error\n")


def test_unclosed_block_is_reported_at_the_end(project: Path) -> None:
    _write(project, BOOK, '{% extends "shipped/handbook/book.html.j2" %}\n{% block cover %}\n<h1>x</h1>\n')
    result = _build(project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    # jinja2 notices at the end of the file: the last line
    assert (f"{BOOK}:3:0: template: syntax error: Unexpected end of template. Jinja was looking for the following "
            "tags: 'endblock'. The innermost block that needs to be closed is 'block'.") in result.stderr.splitlines()


def test_undefined_name_in_an_override(project: Path) -> None:
    _write(project, BOOK, _cover("<h1>{{ nope.x }}</h1>"))
    _fails_at(_build(project), project, f"{BOOK}:4:0: template: rendering failed: 'nope' is undefined",
              "check the spelling; handbook templates see book, L, lang, pdf, project and the filters t, md, "
              "label (see docs/handbook.md)")


def test_type_error_in_template_code(project: Path) -> None:
    _write(project, BOOK, _cover("\n\n<h1>{{ book.recipe.title + 3 }}</h1>"))
    _fails_at(_build(project), project,
              f"{BOOK}:6:0: template: rendering failed: TypeError: can only concatenate str (not \"int\") to str",
              "check the expression at this line of the template (see docs/handbook.md)")


def test_error_in_an_overridden_record_card_names_that_file(project: Path) -> None:
    """The error is in a template the shipped book includes: the innermost template line counts."""
    card = "templates/handbook/record.html.j2"
    _write(project, card, "<article>\n{{ record.no_such_field }}\n</article>\n")
    result = _build(project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert any(line.startswith(f"{card}:2:0: template: rendering failed: ") and "no_such_field" in line
               for line in result.stderr.splitlines()), result.stderr


def test_missing_included_template(project: Path) -> None:
    _write(project, BOOK, _cover('{% include "handbook/nope.html.j2" %}'))
    result = _build(project)
    _fails_at(result, project, f"{BOOK}:4:0: template: 'handbook/nope.html.j2' does not exist",
              "check the name; templates are looked up in --templates DIR, the project's templates/, then the "
              "shipped ones (reach those as 'shipped/handbook/…')")


def test_override_that_extends_itself(project: Path) -> None:
    _write(project, BOOK, '{% extends "handbook/book.html.j2" %}\n')
    result = _build(project)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{BOOK}:1:0: template: rendering failed: the template extends, includes or calls itself without end" \
        in result.stderr.splitlines()
    assert check_templates(project) == [
        Problem(BOOK, 1, 0, "template", "extends itself ('handbook/book.html.j2')",
                "extend 'shipped/handbook/book.html.j2' instead")]


def test_templates_option_folder_outside_the_project(project: Path, tmp_path: Path) -> None:
    """--templates DIR outside the project: its files are named by their full path."""
    extra = tmp_path / "my-templates"
    _write(extra, "handbook/book.html.j2", _cover("{{ book.recipe.title }"))
    result = CliRunner().invoke(main, ["--project", str(project), "handbook", "recipe.yaml", "-o", "x.html",
                                       "--templates", str(extra)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{extra.resolve() / 'handbook/book.html.j2'}:4:0: template: syntax error: unexpected '}}'" \
        in result.stderr.splitlines()
    assert [(p.path, p.line) for p in check_templates(project, extra)] == [
        (str(extra.resolve() / "handbook/book.html.j2"), 4)]


def test_render_raises_content_error(project: Path) -> None:
    """The library raises ContentError (the CLI's exit 1) with one problem."""
    from toolbox import Toolbox
    from toolbox.handbook import assemble, render
    from toolbox.recipe import load_recipe

    _write(project, BOOK, _cover("{{ nope }}"))
    tb = Toolbox.open(project)
    recipe = load_recipe(project / "recipe.yaml", tb.catalogue, "recipe.yaml")
    book = assemble(tb, recipe)
    with pytest.raises(ContentError) as caught:
        render(book, tb.catalogue, "html", tb.project)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.column, problem.field) == (BOOK, 4, 0, "template")
    assert problem.message == "rendering failed: 'nope' is undefined"


# --------------------------------------------------------------------------- check_templates


def test_check_templates_finds_syntax_errors_and_missing_templates(project: Path) -> None:
    _write(project, BOOK, _cover("{{ book.recipe.title }"))
    _write(project, "templates/handbook/record.md.j2", '{% import "handbook/gone.j2" as g %}\n'
                                                        '{% include "handbook/maybe.j2" ignore missing %}\n'
                                                        '{% from "handbook/macros.html.j2" import cell %}\n')
    _write(project, "templates/web/search.html.j2", '{% extends "base.html.j2" %}\n{% block main %}\n{% if %}\n')
    _write(project, "templates/web/record.html.j2", '\n{% extends "nope.html.j2" %}\n')
    _write(project, "templates/web/static/web.css", "a { color: red }\n")  # not a template
    assert check_templates(project) == [
        Problem(BOOK, 4, 0, "template", "syntax error: unexpected '}'", SYNTAX_HINT),
        Problem("templates/handbook/record.md.j2", 1, 0, "template",
                "imports template 'handbook/gone.j2', which does not exist",
                "check the name; templates are looked up in --templates DIR, the project's templates/, then the "
                "shipped ones (reach those as 'shipped/handbook/…')"),
        Problem("templates/web/record.html.j2", 2, 0, "template",
                "extends template 'nope.html.j2', which does not exist",
                "check the name; web templates are looked up in --templates DIR/web, the project's "
                "templates/web/, then the shipped ones"),
        Problem("templates/web/search.html.j2", 3, 0, "template", "syntax error: Expected an expression, got "
                "'end of statement block'", SYNTAX_HINT),
    ]


def test_check_templates_of_a_project_without_overrides(project: Path) -> None:
    shutil.rmtree(project / "templates")
    assert check_templates(project) == []


def test_check_templates_reports_a_file_that_is_not_utf8(project: Path) -> None:
    (project / BOOK).write_bytes(b"{{ 'caf\xe9' }}\n")
    assert check_templates(project) == [
        Problem(BOOK, 0, 0, "template", "not valid UTF-8 (byte 0xe9)", "save the file as UTF-8 in your editor")]
