"""Search behaviour on the minimal scenario: analysis, synonyms, filters, facets, JSON shape."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from toolbox import QueryError, Toolbox
from toolbox.cli import main


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def test_english_stemming_finds_maps_and_mapping(minimal_tb: Toolbox) -> None:
    assert ids(minimal_tb.search("maps")) == ["mapping-study"]
    assert ids(minimal_tb.search("mapping")) == ["mapping-study"]


def test_german_inflection(minimal_tb: Toolbox) -> None:
    # "Fabriken" in the text, "Fabrik" in the query, and the other way round
    assert ids(minimal_tb.search("Fabrik")) == ["open-factory-day", "demo-pilot"]
    assert "open-factory-day" in ids(minimal_tb.search("Fabriken"))
    # demo-pilot matches too: "workshops" in its text, "Schulen" as its audience label
    assert ids(minimal_tb.search("Workshops für Schulen")) == ["school-workshop", "demo-pilot"]


def test_accent_folding_both_ways(minimal_tb: Toolbox) -> None:
    assert ids(minimal_tb.search("laka dolna")) == ["demo-pilot"]
    assert ids(minimal_tb.search("Łąka")) == ["demo-pilot"]


def test_synonyms_expand_the_query(minimal_tb: Toolbox) -> None:
    # the record says "KKW" (de) and "CCI" (en); each finds it through the other
    assert ids(minimal_tb.search("Kreativwirtschaft")) == ["mapping-study"]
    assert ids(minimal_tb.search("creative industries")) == ["mapping-study"]


def test_tag_labels_are_searchable(minimal_tb: Toolbox) -> None:
    assert set(ids(minimal_tb.search("Behörde"))) == {"mapping-study", "open-factory-day"}


def test_did_you_mean_is_shown_not_applied(minimal_tb: Toolbox) -> None:
    result = minimal_tb.search("mapinng")
    assert result.total == 0
    assert result.suggestion == "mapping"
    assert minimal_tb.search("maps").suggestion is None


def test_filters_or_within_axis_and_across_axes(minimal_tb: Toolbox) -> None:
    r = minimal_tb.search(audience=["schools"], limit=None)
    assert sorted(ids(r)) == ["demo-pilot", "open-factory-day", "school-workshop"]
    r = minimal_tb.search(sector=["design", "cross-sector"], limit=None)
    assert sorted(ids(r)) == ["mapping-study", "open-factory-day", "school-workshop"]
    r = minimal_tb.search(sector=["design", "cross-sector"], audience=["schools"], limit=None)
    assert sorted(ids(r)) == ["open-factory-day", "school-workshop"]
    r = minimal_tb.search(kind=["pilot", "region"], limit=None)
    assert sorted(ids(r)) == ["demo-pilot", "testland"]


def test_facet_counts_are_disjunctive(minimal_tb: Toolbox) -> None:
    r = minimal_tb.search(audience=["schools"], limit=None)
    audience = {f.value: (f.count, f.selected) for f in r.facets["audience"]}
    # other audience values count as if chosen instead: schools is not applied to its own axis
    assert audience == {"public-administration": (2, False), "schools": (3, True), "creatives": (1, False)}
    kind = {f.value: f.count for f in r.facets["kind"]}
    assert kind == {"method": 2, "pilot": 1}
    region = {f.value: f.count for f in r.facets["region"]}
    # a method takes the regions of the pilots that used it
    assert region == {"testland": 2}
    effort = {f.value: f.count for f in r.facets["effort"]}
    assert effort == {"low": 1, "high": 1}


def test_empty_query_lists_everything(minimal_tb: Toolbox) -> None:
    r = minimal_tb.search(limit=None, sort="title")
    assert ids(r) == ["school-workshop", "mapping-study", "open-factory-day", "demo-pilot", "testland"]
    assert r.total == 5
    # sorted by the title in the language shown
    r = minimal_tb.search(limit=None, sort="title", lang="de")
    assert ids(r) == ["school-workshop", "mapping-study", "open-factory-day", "demo-pilot", "testland"]
    r = minimal_tb.search(kind=["method"], sort="title", lang="it")
    assert ids(r) == ["school-workshop", "open-factory-day", "mapping-study"]


def test_sort_by_effort(minimal_tb: Toolbox) -> None:
    r = minimal_tb.search(kind=["method"], sort="effort")
    assert ids(r) == ["open-factory-day", "mapping-study", "school-workshop"]


def test_limit_does_not_change_total_or_facets(minimal_tb: Toolbox) -> None:
    full = minimal_tb.search(audience=["schools"], limit=None)
    one = minimal_tb.search(audience=["schools"], limit=1)
    assert len(one.hits) == 1 and one.total == full.total == 3
    assert one.facets == full.facets


def test_language_and_fallback(minimal_tb: Toolbox) -> None:
    r = minimal_tb.search("factory", lang="it")
    by_id = {h.id: h for h in r.hits}
    assert by_id["open-factory-day"].title == "Giornata delle fabbriche aperte"
    assert not by_id["open-factory-day"].fallback
    assert by_id["demo-pilot"].title == "Open factory day in Łąka Dolna"
    assert by_id["demo-pilot"].fallback and by_id["demo-pilot"].lang == "en"


def test_snippet_highlights_the_matched_words(minimal_tb: Toolbox) -> None:
    hit = minimal_tb.search("Karten", lang="de").hits[0]
    marked = [hit.snippet.text[a:b] for a, b in hit.snippet.highlights]
    assert hit.id == "mapping-study"
    assert marked == ["Karten", "Karten"]  # both in the window: summary and second step
    assert hit.snippet.text.startswith("Daten sammeln und Karten der KKW")


def test_unknown_filter_value_is_a_query_error(minimal_tb: Toolbox) -> None:
    with pytest.raises(QueryError) as info:
        minimal_tb.search(audience=["school"])
    assert info.value.problems[0].message == "unknown audience value 'school'"
    assert info.value.problems[0].hint == "did you mean 'schools'?"


def test_whoosh_syntax_still_works(minimal_tb: Toolbox) -> None:
    assert ids(minimal_tb.search('"open factory"')) == ["open-factory-day", "demo-pilot"]
    assert ids(minimal_tb.search("factory NOT Łąka")) == ["open-factory-day"]
    assert ids(minimal_tb.search("title_en:design")) == ["school-workshop"]


def test_json_shape(minimal: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(minimal), "search", "Fabrik", "--json", "--lang", "de"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["version", "query", "lang", "sort", "filters", "total", "suggestion", "hits", "facets"]
    assert data["total"] == 2 and data["query"] == "Fabrik" and data["suggestion"] is None
    hit = data["hits"][0]
    assert list(hit) == ["id", "kind", "title", "summary", "lang", "fallback", "score", "snippet", "tags"]
    assert hit["id"] == "open-factory-day" and hit["title"] == "Tag der offenen Fabrik"
    assert list(hit["snippet"]) == ["text", "highlights"]
    assert list(data["facets"]) == ["audience", "sector", "region", "effort", "kind"]
    assert data["facets"]["kind"] == [
        {"value": "method", "label": "Methode", "count": 1, "selected": False},
        {"value": "pilot", "label": "Pilotaktion", "count": 1, "selected": False},
    ]


def test_cli_table_and_first_use_message(minimal: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(minimal), "search", "maps"])
    assert result.exit_code == 0
    assert "building the search index" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == '1 result for "maps"  (showing 1, sorted by relevance)'
    assert lines[3].split()[2:4] == ["method", "mapping-study"]
    assert "  audience  public-administration (1)" in lines
    again = CliRunner().invoke(main, ["--project", str(minimal), "search", "maps"])
    assert again.stderr == ""


def test_cli_usage_errors_exit_2(minimal: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["--project", str(minimal), "search", "--audience", "school"])
    assert bad.exit_code == 2
    assert "Error: audience: unknown audience value 'school'" in bad.stderr
    assert "hint: did you mean 'schools'?" in bad.stderr
    assert runner.invoke(main, ["--project", str(minimal), "search", "--sort", "size"]).exit_code == 2
    lang = runner.invoke(main, ["--project", str(minimal), "search", "x", "--lang", "fr"])
    assert lang.exit_code == 2 and "unknown language 'fr'" in lang.stderr


from pathlib import Path  # noqa: E402  (used in annotations above)


def test_no_update_searches_the_index_as_it_is(minimal: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--project", str(minimal), "index", "-q"]).exit_code == 0
    record = minimal / "methods" / "mapping-study.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("  en: ", "  en: Zeppelin ", 1), encoding="utf-8")
    stale = runner.invoke(main, ["--project", str(minimal), "search", "zeppelin", "--no-update"])
    assert stale.exit_code == 0 and stale.stderr == ""
    assert stale.stdout.startswith('0 results for "zeppelin"')
    fresh = runner.invoke(main, ["--project", str(minimal), "search", "zeppelin"])
    assert fresh.stderr == "updated index: 1 updated; 5 records\n"
    assert fresh.stdout.startswith('1 result for "zeppelin"')
