"""Every record in every language, in every output: English shows only where a translation is
missing, and then always behind the same mark, placed once per section before the text.

Two halves:

* the shipped content is complete in all eight languages, so its outputs hold no fallback mark
  and no English interface word at all;
* a scenario project with most translations missing shows where the mark goes: in the command
  line's ``show``, the web page, the HTML handbook and the Markdown handbook alike.
"""

from __future__ import annotations

import html as htmlmod
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from toolbox import Toolbox
from toolbox.handbook import assemble, render
from toolbox.labels import LANGS, labels_for, web_labels
from toolbox.model import Record, Text
from toolbox.recipe import Recipe, Section
from toolbox.reports import text_fields
from toolbox.terminal import render_record
from toolbox.web import create_app

OTHER_LANGS = [lang for lang in LANGS if lang != "en"]
JUNK = ("object at 0x", "<built-in", "None", "{{", "}}", "[en]")


def _mark(lang: str) -> str:
    return f"({labels_for(lang)['in_english']})"


def _book(tb: Toolbox, lang: str, fmt: str) -> str:
    ids = tuple(sorted(tb.records))
    recipe = Recipe(title="All records", lang=lang, sections=(Section(title="All", items=ids),))
    return render(assemble(tb, recipe), tb.catalogue, fmt, tb.project)


def _web_pages(tb: Toolbox, lang: str, extra: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    app = create_app(tb.project, tb.index_dir)
    app.config["TESTING"] = True
    client = app.test_client()
    for path in extra:
        response = client.get(path)
        assert response.status_code == 200, path
        yield path, response.get_data(as_text=True)
    for rid in sorted(tb.records):
        response = client.get(f"/records/{rid}?lang={lang}")
        assert response.status_code == 200, rid
        yield rid, response.get_data(as_text=True)


def _english_labels(lang: str) -> set[str]:
    """The interface's English words that would be a leak on a page in ``lang``: all of them but
    those the catalogue translates with the same word ("Design", "Region" in German)."""
    from toolbox.catalogs import has_translation
    from toolbox.labels import _HANDBOOK, _WEB

    words = {en for key, en in _HANDBOOK.items() if not (has_translation(lang, key, en)
                                                         and labels_for(lang)[key] == en)}
    words |= {en for key, en in _WEB.items() if "{" not in en and not (
        has_translation(lang, "web." + key, en) and web_labels(lang)[key] == en)}
    return words


# --------------------------------------------------------------------------- the shipped content


def test_the_shipped_content_is_complete_in_every_language(shipped: Toolbox) -> None:
    missing = [f"{r.path}: {name} [{lang}]" for r in shipped.records.values() for name, text in text_fields(r)
               for lang in LANGS if not text.has(lang)]
    assert missing == []


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_no_english_in_any_output_of_the_shipped_content(shipped: Toolbox, lang: str) -> None:
    mark, labels = _mark(lang), _english_labels(lang)
    outputs = {"handbook.html": _book(shipped, lang, "html"), "handbook.md": _book(shipped, lang, "md")}
    for rid, record in shipped.records.items():
        outputs[f"show {rid}"] = render_record(record, shipped.catalogue, lang)
    extra = (f"/?lang={lang}&q=hackathon&audience=public-administration", f"/?lang={lang}&q=blorfx",
             f"/basket?lang={lang}&b=meanwhile-use,hackathon-bielsko-biala-linz,chemnitz")
    for rid, page in _web_pages(shipped, lang, extra):
        outputs[f"web {rid}"] = page
    for where, text in outputs.items():
        assert mark not in text, where
        assert not [junk for junk in JUNK if junk in text], where
        plain = htmlmod.unescape(re.sub(r"<[^>]+>", "\n", text))
        lines = {line.strip().strip("#*_:").strip() for line in plain.splitlines()}
        assert sorted(lines & labels) == [], where


# --------------------------------------------------------------------------- a partly translated project

# Boundaries of a section: a mark placed before one of these does not cover the text after it.
HTML_BOUNDARIES = re.compile(r"<(?:/?h[1-4]\b|/?tr\b|section\b|/section|header\b|article\b|p class=\"related\""
                             r"|p class=\"pilot-name\"|li\b(?=[^>]*>\s*(?:<a|<span class=\"basket)))")


def _fallbacks(record: Record, lang: str) -> Iterator[tuple[str, Text]]:
    for name, text in text_fields(record):
        if text.resolve(lang).fallback:
            yield name, text


def _first_line(text: Text) -> str:
    line = next(line for line in text.get("en").strip().splitlines() if line.strip())
    return re.sub(r"^[-*\d.\s]+", "", line).replace("**", "")[:40]


#: Fields shown within a line (a title, a cell of the facts table); the others are sections.
INLINE = {"title", "effort.duration", "effort.lead_time", "population.note"}


def _check_plain(output: str, record: Record, lang: str, heading: re.Pattern[str]) -> list[str]:
    """In terminal or Markdown text: each English text has the mark before it, after the last
    heading (or, for a one-line field, on its own line)."""
    mark, wrong = _mark(lang), []
    for name, text in _fallbacks(record, lang):
        needle = _first_line(text)
        for found in re.finditer(re.escape(needle), output):
            start = found.start()
            before = output[:start]
            line_start = before.rfind("\n") + 1
            if name in INLINE:  # a one-line field: the mark on the same line
                ok = mark in output[line_start:start]
            else:
                last_heading = max((m.end() for m in heading.finditer(before)), default=0)
                ok = mark in before[last_heading:]
            if not ok:
                wrong.append(f"{record.id}.{name}: {needle!r} without {mark} before it")
    return wrong


def _check_html(page: str, record: Record, lang: str) -> list[str]:
    """In HTML: each English text is inside an element marked lang="en", with the mark before it
    in the same section."""
    wrong = []
    body = page.find("<body")
    page = page[body:] if body >= 0 else page  # a document title cannot hold markup
    for name, text in _fallbacks(record, lang):
        needle = htmlmod.escape(_first_line(text), quote=False)
        for found in re.finditer(re.escape(needle), page):
            before = page[:found.start()]
            boundary = max((m.start() for m in HTML_BOUNDARIES.finditer(before)), default=0)
            section = before[boundary:]
            if "fallback-note" not in section or 'lang="en"' not in section:
                wrong.append(f"{record.id}.{name}: {needle!r} unmarked")
    return wrong


@pytest.fixture
def partial(minimal: Path) -> Toolbox:
    """The minimal scenario, declaring Czech and Croatian too but with no text in them."""
    vocabulary = minimal / "methods" / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(text.replace("  it: Italiano\n", "  it: Italiano\n  cs: Čeština\n  hr: Hrvatski\n", 1),
                          encoding="utf-8")
    tb = Toolbox.open(minimal, minimal / "index")
    tb.build_index()
    return tb


@pytest.mark.parametrize("lang", ["it", "cs", "hr"])
def test_english_stand_ins_are_marked_the_same_way_everywhere(partial: Toolbox, lang: str) -> None:
    fallbacks = sum(1 for r in partial.records.values() for _ in _fallbacks(r, lang))
    assert fallbacks >= 15  # the scenario has next to nothing in these languages
    cli_heading = re.compile(r"^\S.*$", re.M)
    md_heading = re.compile(r"^(?:#+ .*$|- \*\*[^*\n]+:\*\*)", re.M)
    book_html, book_md = _book(partial, lang, "html"), _book(partial, lang, "md")
    pages = dict(_web_pages(partial, lang))
    wrong: list[str] = []
    for record in partial.records.values():
        wrong += ["show " + w for w in _check_plain(render_record(record, partial.catalogue, lang), record, lang,
                                                      cli_heading)]
        wrong += ["markdown " + w for w in _check_plain(book_md, record, lang, md_heading)]
        wrong += ["handbook " + w for w in _check_html(book_html, record, lang)]
        wrong += ["web " + w for w in _check_html(pages[record.id], record, lang)]
    assert wrong == []


def test_the_mark_comes_before_the_text_once_per_section(partial: Toolbox) -> None:
    record = partial.record("open-factory-day")
    out = render_record(record, partial.catalogue, "cs").splitlines()
    steps = out.index(labels_for("cs")["steps"])
    assert out[steps + 1] == "  " + _mark("cs")  # one mark for the whole list of steps
    assert sum(1 for line in out[steps:] if _mark("cs") in line) >= 1
    numbered = [line for line in out[steps + 1:] if re.match(r"\s+\d+\.", line)]
    assert numbered and not any(_mark("cs") in line for line in numbered)
    page = dict(_web_pages(partial, "cs"))["open-factory-day"]
    steps_html = page[page.index(f"<h2>{labels_for('cs')['steps']}</h2>"):]
    steps_html = steps_html[:steps_html.index("</ol>")]
    assert steps_html.count("fallback-note") == 1 and steps_html.index("fallback-note") < steps_html.index("<ol")


def test_a_missing_licence_translation_is_marked_before_it(partial: Toolbox, monkeypatch: Any) -> None:
    import toolbox.labels as labels_module
    from toolbox.model import Text
    from toolbox.settings import Licence, Settings

    monkeypatch.setattr(labels_module, "has_translation", lambda *_: False)
    monkeypatch.setattr(labels_module, "translate", lambda _lang, _ctx, message: message)
    ruhr = Settings(name=Text({"de": "Ruhr-Werkzeugkasten"}, "de"), publisher="Stadt Bochum",
                    licence=Licence("CC BY-SA 4.0"), source_language="de")
    said = labels_module.statements(ruhr, "hr")
    assert not said.page_translated
    assert said.page.startswith("The texts of Ruhr-Werkzeugkasten are published by Stadt Bochum.")
    # the shipped toolbox's licence page is its project file's own text, in Croatian too
    from toolbox.paths import shipped_project
    from toolbox.settings import load_settings

    settings, problems = load_settings(shipped_project() / "methods" / "project.yaml", "methods/project.yaml")
    shipped = labels_module.statements(settings, "hr")
    assert not problems and shipped.page_translated and shipped.licence == "CC BY 4.0"
    assert "CC BY 4.0" in shipped.page and not shipped.page.startswith("The texts")


def test_an_organisation_is_a_name_or_a_text_per_language(minimal: Path) -> None:
    """A name stays as written in every language; an entry with words to translate is a text
    map, shown in the reader's language and marked where English stands in."""
    pilot = minimal / "methods" / "pilots" / "demo-pilot.yaml"
    text = pilot.read_text(encoding="utf-8")
    pilot.write_text(text + "organisations:\n  - stebo\n  - {en: City of Testland, de: Stadt Testland}\n",
                     encoding="utf-8")
    tb = Toolbox.open(minimal, minimal / "index")
    assert tb.problems == ()
    record = tb.record("demo-pilot")
    assert record.organisation_names("de") == [("stebo", False), ("Stadt Testland", False)]
    assert record.organisation_names("it") == [("stebo", False), ("City of Testland", True)]
    shown = render_record(record, tb.catalogue, "it")
    assert "stebo; (in inglese) City of Testland" in shown
    assert "organisations[1]" in {name for name, _ in text_fields(record)}

    pilot.write_text(text + "organisations:\n  - {de: Stadt Testland}\n", encoding="utf-8")
    problems = Toolbox.open(minimal, minimal / "index").problems
    assert [(p.line, p.field) for p in problems if p.severity == "error"] == [(text.count("\n") + 2,
                                                                                "organisations[0]")]
