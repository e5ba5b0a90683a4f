"""Handbooks: recipes, PDF layout facts read back from the PDF, templates, locks and changes."""

from __future__ import annotations

import gc
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import REPO, SCENARIOS
from toolbox import Method, Toolbox
from toolbox.cli import main
from toolbox.handbook import _memoise_page_references, assemble, html_to_pdf, join_leader_dots
from toolbox.labels import LABELS
from toolbox.recipe import find_recipe, load_recipe


def run(project: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--project", str(project), *args])


def normalise(text: str) -> str:
    """Text as extracted from the PDF, comparable with record text: line breaks become spaces,
    words split by automatic hyphenation (U+2010) are joined, and a space after a real hyphen
    (which may stand at a line end) is dropped on both sides of a comparison."""
    text = re.sub(r"\u2010\s+", "", text)
    text = re.sub(r"\s+", " ", text)
    return text.replace("- ", "-")


def outline_titles(reader: PdfReader) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def check_contents_page_numbers(reader: PdfReader, titles: list[str]) -> None:
    """Every contents entry's page number is the page on which that title appears."""
    toc_pages = [i for i, p in enumerate(reader.pages[:6]) if "...." in (p.extract_text() or "")]
    toc = normalise(" ".join(reader.pages[i].extract_text() for i in toc_pages))
    for title in titles:
        match = re.search(re.escape(normalise(title)) + r" ?\.[ .]*(\d+)", toc)
        assert match, f"{title!r} not in the contents"
        page = int(match.group(1))
        text = normalise(reader.pages[page - 1].extract_text())
        assert normalise(title) in text, f"{title!r} is not on page {page}"


# --------------------------------------------------------------------------- the shipped German A5 example


@pytest.fixture(scope="module")
def german_a5(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Toolbox]:
    out = tmp_path_factory.mktemp("book") / "schulung.pdf"
    tb = Toolbox.open(REPO, tmp_path_factory.mktemp("index"))
    result = CliRunner().invoke(main, ["--project", str(REPO), "--index", str(tb.index_dir), "handbook",
                                       "verwaltung-a5-de", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.match(r"wrote .*schulung\.pdf \(\d+ methods?, \d+ records?, \d+ pages\) in [\d.]+ s; "
                    r"lock: schulung\.pdf\.lock\.json", result.stdout)
    return out, tb


def test_german_example_has_every_part(german_a5: tuple[Path, Toolbox]) -> None:
    path, tb = german_a5
    reader = PdfReader(path)
    assert reader.pages[0].mediabox.width == pytest.approx(419.5, abs=1)  # A5 in points
    cover = normalise(reader.pages[0].extract_text())
    assert normalise("Kultur- und Kreativwirtschaft in Industrieregionen fördern") in cover
    top = [title for depth, title, _ in outline_titles(reader) if depth == 0]
    assert top[0] == "Inhalt" and top[1] == "Einleitung"
    assert top[-3:] == ["Glossar der Schlagwörter", "Quellen", "Lizenz und Nachweise"]
    recipe = load_recipe(find_recipe("verwaltung-a5-de", REPO), tb.catalogue)
    book = assemble(tb, recipe)
    assert len(book.methods) >= 8
    with_pilots = [m for m in book.methods if tb.catalogue.pilots_of_method(m.id)]
    assert len(with_pilots) >= 5
    full = normalise(" ".join(p.extract_text() for p in reader.pages))
    for method in with_pilots:
        for pilot in tb.catalogue.pilots_of_method(method.id):
            assert normalise(pilot.title.get("de")) in full, (method.id, pilot.id)
    assert "Pilotaktionen mit dieser Methode" in full
    assert "Creative Commons Namensnennung 4.0" in full


def test_contents_page_numbers_and_outline(german_a5: tuple[Path, Toolbox]) -> None:
    path, tb = german_a5
    reader = PdfReader(path)
    recipe = load_recipe(find_recipe("verwaltung-a5-de", REPO), tb.catalogue)
    methods = assemble(tb, recipe).methods
    titles = [m.title.get("de") for m in methods]
    check_contents_page_numbers(reader, titles)
    second_level = [(title, page) for depth, title, page in outline_titles(reader) if depth == 1]
    assert sorted(t for t, _ in second_level) == sorted(titles)  # one outline entry per method
    for title, page in second_level:
        assert normalise(title) in normalise(reader.pages[page - 1].extract_text())


def test_pdf_is_tagged_with_title_and_language(german_a5: tuple[Path, Toolbox]) -> None:
    reader = PdfReader(german_a5[0])
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "de"
    assert reader.metadata is not None
    assert reader.metadata.title == "Kultur- und Kreativwirtschaft in Industrieregionen fördern"


# --------------------------------------------------------------------------- a project with its own templates


@pytest.fixture
def override(tmp_path: Path) -> Path:
    target = tmp_path / "override"
    shutil.copytree(SCENARIOS / "override", target)
    return target


def test_cover_override_diacritics_and_appendices(override: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "book.pdf"
    result = run(override, "handbook", str(override / "recipe.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    cover = normalise(reader.pages[0].extract_text())
    assert cover == "Our own cover for Diakritika-Handout"
    full = normalise(" ".join(p.extract_text() for p in reader.pages))
    for word in ["Příbram", "Žatec", "Łódź", "Śląsk", "Čačak", "Šibenik", "Ärger", "Öl", "Übung", "Straße"]:
        assert word in full, word
    check_contents_page_numbers(reader, ["Rundgang durch Příbram, Žatec und Łódź", "Kartierung der Kreativunternehmen",
                                         "Tag der offenen Fabrik", "Design-Workshops für Schulen"])
    top = [title for depth, title, _ in outline_titles(reader) if depth == 0]
    assert top == ["Inhalt", "Einleitung", "Erster Teil", "Zweiter Teil", "Pilotaktionen", "Regionsprofile",
                   "Glossar der Schlagwörter", "Quellen", "Lizenz und Nachweise"]
    # the pilot page falls back to English for its Italian-less texts? no: German exists; region page exists
    assert "Open factory day in Łąka Dolna" not in full and "Tag der offenen Fabrik in Łąka Dolna" in full


def test_without_the_override_the_shipped_cover_is_used(override: Path, tmp_path: Path) -> None:
    shutil.rmtree(override / "templates")
    out = tmp_path / "book.pdf"
    assert run(override, "handbook", str(override / "recipe.yaml"), "-o", str(out)).exit_code == 0
    cover = normalise(PdfReader(out).pages[0].extract_text())
    assert cover.startswith("CCI METHOD TOOLBOX Diakritika-Handout Test fixture")


def test_changes_report_an_edited_record(override: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.html"
    assert run(override, "handbook", str(override / "recipe.yaml"), "-o", str(out)).exit_code == 0
    same = run(override, "handbook", str(override / "recipe.yaml"), "-o", str(out), "--changes")
    assert same.exit_code == 0 and same.stdout.startswith("no changes since the build of ")
    path = override / "methods/mapping-study.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Draw the maps.", "Draw the maps again."),
                    encoding="utf-8")
    # the record a query found is gone, and with it the pilot and region pages it brought
    (override / "methods/open-factory-day.yaml").unlink()
    changed = run(override, "handbook", str(override / "recipe.yaml"), "-o", str(out), "--changes")
    assert changed.exit_code == 1
    assert changed.stdout.splitlines()[1:] == ["  - open-factory-day", "  - demo-pilot", "  - testland",
                                               "  ~ mapping-study: steps"]


def test_html_is_self_contained_and_escaped(override: Path, tmp_path: Path) -> None:
    path = override / "methods/school-workshop.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Raise interest in local industry.",
                                                             "Raise <script>alert(1)</script> interest."),
                    encoding="utf-8")
    out = tmp_path / "book.html"
    assert run(override, "handbook", "--query", "school", "--lang", "it", "-o", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<link" not in html and 'src="http' not in html and "<style>" in html
    assert '<html lang="it">' in html
    # Italian is missing for this record: English stands in, marked and tagged as English
    assert 'class="text fallback" lang="en"' in html and "(in inglese)" in html
    # texts in the book's language inherit <html lang> instead of repeating it (a lang or id attribute
    # on an element keeps WeasyPrint from sharing computed styles across its whole subtree)
    assert '<article class="record method">' in html and '<header class="record-head" id="rec-' in html
    assert 'lang="it"' not in html.replace('<html lang="it">', "")


def test_markdown_output(override: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.md"
    result = run(override, "handbook", str(override / "recipe.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Diakritika-Handout\n")
    assert "### Rundgang durch Příbram, Žatec und Łódź" in text
    assert "#### Schritte\n\n1. Die Route planen.\n2. Sie mit Kolleginnen gehen." in text
    assert "## Quellen" in text and "## Lizenz und Nachweise" in text


# --------------------------------------------------------------------------- bad recipes


def test_broken_recipe_is_reported_and_nothing_written(override: Path, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(override)
    out = tmp_path / "never.pdf"
    result = run(override, "handbook", "broken-recipe.yaml", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "broken-recipe.yaml:3:8: paper: expected one of A4, A5, got 'A3'",
        "    hint: did you mean 'A4'?",
        "broken-recipe.yaml:7:9: sections[0].include[0]: no record with id 'maping-study'",
        "    hint: did you mean 'mapping-study'?",
        "broken-recipe.yaml:9:20: sections[0].include[1].audience[0]: unknown audience value 'school'",
        "    hint: did you mean 'schools'?",
        "broken-recipe.yaml:12:14: sections[1].include: must list at least one item",
    ]
    syntax = run(override, "handbook", "syntax-recipe.yaml", "-o", str(out))
    assert syntax.exit_code == 1
    assert "syntax-recipe.yaml:4:1: YAML syntax error: did not find expected ',' or ']'" in syntax.stderr
    assert "Traceback" not in result.output + syntax.output
    assert not out.exists() and not list(tmp_path.glob("*.lock.json"))


def test_unknown_recipe_name_and_output_type(override: Path) -> None:
    result = run(override, "handbook", "verwaltung-a5", "-o", "x.pdf")
    assert result.exit_code == 2 and "hint: did you mean 'verwaltung-a5-de'?" in result.stderr
    result = run(override, "handbook", "--query", "maps", "-o", "x.docx")
    assert result.exit_code == 2 and "hint: end the file name with .pdf, .html or .md" in result.stderr


def test_never_overwrites_a_file_it_did_not_write(override: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine.html"
    out.write_text("my own notes", encoding="utf-8")
    result = run(override, "handbook", "--query", "maps", "-o", str(out))
    assert result.exit_code == 2 and "not overwritten (use --force to replace it)" in result.stderr
    assert out.read_text(encoding="utf-8") == "my own notes"
    assert run(override, "handbook", "--query", "maps", "-o", str(out), "--force").exit_code == 0


def test_labels_exist_for_every_shipped_language() -> None:
    tb = Toolbox.open(REPO)
    assert tb.catalogue.vocabulary is not None
    for key, row in LABELS.items():
        for lang in tb.catalogue.vocabulary.languages:
            assert row.get(lang), (key, lang)


def test_every_method_fits_the_examples(german_a5: tuple[Path, Toolbox]) -> None:
    # the English catalogue recipe selects every method exactly once
    tb = german_a5[1]
    book = assemble(tb, load_recipe(find_recipe("catalogue-a4-en", REPO), tb.catalogue))
    assert sorted(m.id for m in book.methods) == sorted(r.id for r in tb.records.values() if isinstance(r, Method))
    assert len(book.region_pages) == 13


def test_missing_pango_is_named_with_a_hint(override: Path, tmp_path: Path, monkeypatch: Any) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    out = tmp_path / "x.pdf"
    result = run(override, "handbook", "--query", "maps", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("Error: pdf: missing system library: cannot load library "
                                                     "'libpango-1.0-0'")
    assert "hint: install Pango (Debian/Ubuntu: apt-get install libpango-1.0-0" in result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- speed measures keep the output


LEADER_PAGE = """<!DOCTYPE html><html lang="en"><head><style>
@page { size: A5; margin: 15mm }
body { font: 10pt "Noto Sans", sans-serif }
.toc a { display: block }
.toc a::after { content: leader(".") target-counter(attr(href), page) }
h1 { break-before: page }
</style></head><body>
<nav class="toc"><a href="#one">First entry</a><a href="#two">A second, longer entry</a></nav>
<h1 id="one">First entry</h1><h1 id="two">A second, longer entry</h1>
</body></html>"""


def _leaders(document: Any) -> list[Any]:
    found, stack = [], [document.pages[0]._page_box]
    while stack:
        box = stack.pop()
        if getattr(box, "is_leader", False):
            found.append(box)
        stack.extend(getattr(box, "children", ()))
    return sorted(found, key=lambda b: b.position_y)


def test_leader_dots_become_one_run_in_the_same_place() -> None:
    from weasyprint import HTML

    document = HTML(string=LEADER_PAGE).render(pdf_tags=True)
    before = [sorted((d.position_x, d.width, d.text) for d in leader.children) for leader in _leaders(document)]
    assert len(before) == 2 and all(len(dots) > 20 for dots in before)
    assert join_leader_dots(document) == sum(len(dots) - 1 for dots in before)
    for dots, leader in zip(before, _leaders(document), strict=True):
        (run,) = leader.children
        assert run.text == "." * len(dots)
        assert run.position_x == dots[0][0]
        assert run.width == pytest.approx(dots[-1][0] + dots[-1][1] - dots[0][0])
    text = normalise(PdfReader(io.BytesIO(document.write_pdf(pdf_variant="pdf/ua-1"))).pages[0].extract_text())
    assert re.search(r"First entry ?\.{20,} ?2 A second, longer entry ?\.{20,} ?3", text), text


def test_page_references_memo_gives_pydyf_answer() -> None:
    import pydyf

    _memoise_page_references()
    _memoise_page_references()  # idempotent
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    refs = pdf.page_references
    assert refs == tuple(f"{n} 0 R".encode("ascii") for n in pdf.pages["Kids"][::3]) and len(refs) == 3
    assert pdf.page_references is refs  # computed once while the page list stays the same
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(pdf.page_references) == 4 and pdf.page_references[:3] == refs


def test_pdf_build_pauses_the_garbage_collector_and_restores_it(tmp_path: Path, monkeypatch: Any) -> None:
    import toolbox.handbook as handbook

    during: list[bool] = []
    real_join = handbook.join_leader_dots

    def join(document: Any) -> int:  # runs between layout and writing
        during.append(gc.isenabled())
        return real_join(document)

    monkeypatch.setattr(handbook, "join_leader_dots", join)
    assert gc.isenabled()
    assert html_to_pdf(LEADER_PAGE, tmp_path / "a.pdf", base_url=str(tmp_path)) == 3
    assert during == [False] and gc.isenabled()
    gc.disable()
    try:
        html_to_pdf(LEADER_PAGE, tmp_path / "b.pdf", base_url=str(tmp_path))
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()


@pytest.mark.parametrize(("value", "got"), [("5", "a whole number"), ("true", "true/false"), ("x", "a text")])
def test_recipe_with_sections_that_are_not_a_list_is_reported(tmp_path: Path, value: str, got: str) -> None:
    """Found by fuzzing (tests/stress/fuzz.py): 'sections: 5' raised TypeError in load_recipe."""
    from toolbox.errors import ContentError
    from toolbox.project import load_catalogue

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"title: x\nsections: {value}\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_recipe(recipe, load_catalogue(SCENARIOS / "minimal"), "recipe.yaml")
    assert [(p.line, p.column, p.field, p.message) for p in caught.value.problems] == [
        (2, 11, "sections", f"expected a list, got {got}")]


def test_recipe_values_with_line_breaks_stay_on_one_line(tmp_path: Path) -> None:
    from toolbox.errors import ContentError
    from toolbox.project import load_catalogue

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text('title: x\nlang: "d\\ne"\nsections:\n  - title: a\n    include: ["map\\nping"]\n',
                      encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_recipe(recipe, load_catalogue(SCENARIOS / "minimal"), "recipe.yaml")
    assert [(p.line, p.column, p.message) for p in caught.value.problems] == [
        (2, 7, "unknown language 'd\\ne'"), (5, 15, "no record with id 'map\\nping'")]


def test_recipe_query_over_the_length_limit_is_reported_where_it_is(tmp_path: Path) -> None:
    """Found by fuzzing: the recipe loaded, and 'toolbox handbook' then failed in the search with
    'the query is 8,204 characters long', without the recipe's line."""
    from toolbox.errors import ContentError
    from toolbox.project import load_catalogue

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("title: x\nsections:\n  - title: a\n    include:\n      - query: " + "x" * 1001 + "\n",
                      encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_recipe(recipe, load_catalogue(SCENARIOS / "minimal"), "recipe.yaml")
    assert [(p.line, p.column, p.field, p.message) for p in caught.value.problems] == [
        (5, 16, "sections[0].include[0].query", "the query is 1,001 characters long, more than the limit of 1,000")]


@pytest.mark.parametrize(("query", "message", "hint_start"), [
    ("display:x", "cannot understand the query 'display:x'", "'display:' names a field that cannot be searched"),
    (" OR ".join(["CCI"] * 60), "the query has 240 search terms (synonyms included), more than the limit of 200",
     "a few words find what you need"),
])
def test_recipe_query_the_search_refuses_is_reported_at_its_line(minimal: Path, query: str, message: str,
                                                                 hint_start: str) -> None:
    """Checks that need the index (searchable fields, terms after synonyms) run when the handbook
    is built; the problem still names the recipe's line, not just the search's message."""
    recipe = minimal / "recipe.yaml"
    recipe.write_text("title: x\nsections:\n  - title: a\n    include:\n      - mapping-study\n"
                      f"      - query: '{query}'\n", encoding="utf-8")
    out = minimal / "out.html"
    result = run(minimal, "handbook", str(recipe), "-o", str(out))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert f"{recipe}:6:16: sections[0].include[1].query: {message}" in lines, result.stderr
    assert any(line.strip().startswith(f"hint: {hint_start}") for line in lines), result.stderr
    assert not out.exists()
