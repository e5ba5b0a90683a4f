"""Search behaviour on the minimal scenario: analysis, synonyms, filters, facets, JSON shape."""

from __future__ import annotations

import json
from typing import Any

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
    # demo-pilot matches both words too ("workshops" in its text, "Schulen" as its audience label);
    # open-factory-day only "Schulen", so it comes last instead of being left out
    result = minimal_tb.search("Workshops für Schulen")
    assert ids(result) == ["school-workshop", "demo-pilot", "open-factory-day"]
    assert result.unmatched == ()  # "für" is a German stop word, not a word that found nothing


def test_accent_folding_both_ways(minimal_tb: Toolbox) -> None:
    assert ids(minimal_tb.search("laka dolna")) == ["demo-pilot"]
    assert ids(minimal_tb.search("Łąka")) == ["demo-pilot"]


def test_synonyms_expand_the_query(minimal_tb: Toolbox) -> None:
    # the record says "KKW" (de) and "CCI" (en); each finds it through the other
    assert ids(minimal_tb.search("Kreativwirtschaft")) == ["mapping-study"]
    assert ids(minimal_tb.search("creative industries")) == ["mapping-study"]


def test_tag_labels_are_searchable(minimal_tb: Toolbox) -> None:
    assert set(ids(minimal_tb.search("Behörde"))) == {"mapping-study", "open-factory-day"}


def test_a_typo_is_corrected_and_said_so(minimal_tb: Toolbox) -> None:
    result = minimal_tb.search("mapinng")
    assert (ids(result), result.corrected, result.suggestion, result.unmatched) == (
        ["mapping-study"], "mapping", None, ())
    assert result.query == "mapinng"  # what the user typed stays what the result is for
    exact = minimal_tb.search("mapinng", correct=False)
    assert (exact.total, exact.corrected, exact.suggestion, exact.unmatched) == (0, None, "mapping", ("mapinng",))
    maps = minimal_tb.search("maps")
    assert (maps.corrected, maps.suggestion, maps.unmatched) == (None, None, ())


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
    assert list(data) == ["version", "query", "lang", "sort", "filters", "total", "suggestion", "corrected",
                          "unmatched", "hits", "facets"]
    assert data["corrected"] is None and data["unmatched"] == []
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
    assert lines[0] == '1 result for “maps”  (showing 1, sorted by relevance)'
    assert lines[3].split()[2:4] == ["Method", "mapping-study"]
    assert "  Audience: public-administration (1)" in lines
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
    assert stale.stdout.startswith('0 results for “zeppelin”')
    fresh = runner.invoke(main, ["--project", str(minimal), "search", "zeppelin"])
    assert fresh.stderr == "updated index: 1 updated; 5 records\n"
    assert fresh.stdout.startswith('1 result for “zeppelin”')


# --------------------------------------------------------------------------- found by fuzzing (tests/stress/fuzz.py)


def test_very_long_query_is_refused(minimal_tb: Toolbox) -> None:
    """Whoosh's tokenizer is quadratic in the length of a word: 100,000 letters took 160 s."""
    from toolbox.query import MAX_QUERY_CHARS

    with pytest.raises(QueryError) as caught:
        minimal_tb.search("x" * 100_000)
    assert caught.value.problems[0].field == "query"
    assert caught.value.message == "the query is 100,000 characters long, more than the limit of 1,000"
    at_limit = minimal_tb.search("maps " + "x" * (MAX_QUERY_CHARS - 5))  # the limit itself is fine
    assert ids(at_limit) == ["mapping-study"] and at_limit.unmatched == ("x" * (MAX_QUERY_CHARS - 5),)


def test_query_expanding_to_too_many_terms_is_refused(minimal_tb: Toolbox) -> None:
    """Every CCI became a group of synonyms: 'CCI OR CCI …' (200 times) took 4 s to parse."""
    with pytest.raises(QueryError, match=r"the query has 400 search terms \(synonyms included\), more than the "
                                         r"limit of 200"):
        minimal_tb.search(" OR ".join(["CCI"] * 100))


def test_repeated_words_of_a_plain_query_are_searched_once(minimal_tb: Toolbox) -> None:
    from toolbox.query import prepare
    from toolbox.search import open_index

    opened = open_index(minimal_tb.index_dir)
    group = '(CCI OR KKW OR "creative industries" OR Kreativwirtschaft)'
    assert prepare("CCI KKW maps Maps maps", opened.synonyms, opened.stop) == f"{group} maps"
    # with operators a repeat can change the meaning ("a b a OR c"), so it stays
    assert prepare("CCI OR CCI maps maps", opened.synonyms, opened.stop) == f"{group} OR {group} maps maps"
    assert ids(minimal_tb.search("CCI " * 100)) == ids(minimal_tb.search("CCI"))


def test_field_that_cannot_be_searched_is_named_without_whoosh_internals(minimal_tb: Toolbox) -> None:
    """The message was 'cannot understand the query: STORED(format=None, …) field has no format'."""
    for query, field in (("display:x", "display"), ("CCI sort_en:x", "sort_en")):
        with pytest.raises(QueryError) as caught:
            minimal_tb.search(query)
        assert caught.value.message == f"cannot understand the query '{query}'"  # the user's query, not the prepared
        problem = caught.value.problems[0]
        assert problem.hint.startswith(f"'{field}:' names a field that cannot be searched")
        assert "format=" not in problem.message + problem.hint


def test_query_that_is_not_utf8_is_a_query_error(minimal: Path) -> None:
    """Undecodable bytes in a command-line argument reach Python as lone surrogates; Whoosh raised
    UnicodeEncodeError on a wildcard, and printing the result failed on a strict UTF-8 stdout."""
    tb = Toolbox.open(minimal)
    for query in ("f\udcfcr", "\udcff?"):
        with pytest.raises(QueryError, match="is not valid UTF-8 text"):
            tb.search(query)
    result = CliRunner().invoke(main, ["--project", str(minimal), "search", "f\udcfcr*"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit | None)
    assert "Error: query: the query 'f\\udcfcr*' is not valid UTF-8 text" in result.stderr


def test_long_or_multi_line_option_values_are_shortened_in_messages(minimal_tb: Toolbox) -> None:
    with pytest.raises(QueryError) as caught:
        minimal_tb.search(region=["x" * 100_000])
    assert caught.value.message == "unknown region value '" + "x" * 60 + "… (100,000 characters)'"
    with pytest.raises(QueryError) as caught:
        minimal_tb.search(audience=["a\nb"], lang="en")
    assert caught.value.message == "unknown audience value 'a\\nb'"
    with pytest.raises(QueryError, match=r"^unknown language 'e\\nn'$"):
        minimal_tb.search(lang="e\nn")


def test_suggestion_corrects_the_word_not_a_longer_word_containing_it(minimal_tb: Toolbox) -> None:
    """'xstud stud' was suggested as 'xstudy stud': the first 'stud' in the text was replaced."""
    assert minimal_tb.search("stud").corrected == "study"
    assert minimal_tb.search("xstud stud").corrected == "xstud study"
    assert minimal_tb.search("xstud stud", correct=False).suggestion == "xstud study"


def test_suggestion_tries_a_few_words_only(minimal_tb: Toolbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each correction scans the word list: 150 unknown words spent over a second there."""
    import toolbox.search as search_module

    calls: list[str] = []
    original = search_module.correct

    def counting(word: str, pools: Any, stop: frozenset[str]) -> str | None:
        calls.append(word)
        return original(word, pools, stop)

    monkeypatch.setattr(search_module, "correct", counting)
    minimal_tb.search(" ".join(f"zq{chr(97 + i)}x" for i in range(20)))
    assert len(calls) == search_module.MAX_CORRECTED_WORDS


def test_a_lone_star_lists_everything_like_an_empty_query(minimal_tb: Toolbox) -> None:
    """'*' made Whoosh match every word of every field (7.8 s at 5,000 records) to find every record."""
    star, empty = minimal_tb.search(" * "), minimal_tb.search("")
    assert (ids(star), star.total, star.facets) == (ids(empty), empty.total, empty.facets)
    assert star.total == 5


def test_wildcards_and_ranges_standing_for_too_many_words_are_refused(
        minimal_tb: Toolbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Matching costs about 0.15 ms per word a wildcard stands for: '*a*' took 4.7 s at 5,000
    records. The limit is lowered here so the small scenario can reach it."""
    import toolbox.search as search_module

    assert ids(minimal_tb.search("map*")) == ["mapping-study"]  # under any limit
    monkeypatch.setattr(search_module, "MAX_EXPANDED_TERMS", 3)
    for query in ("*a*", "[a TO z]", "title_en:[a TO z]", "s* OR maps"):
        with pytest.raises(QueryError) as caught:
            minimal_tb.search(query)
        assert caught.value.message == f"the wildcards or ranges in '{query}' stand for more than 3 words of the index"
        assert caught.value.problems[0].hint == "write more letters before * or ?, or search for the words themselves"
    assert ids(minimal_tb.search("map*")) == ["mapping-study"]  # still fine: 'map*' stands for fewer words


def test_compounds_are_taken_apart_for_a_few_short_words_only(minimal_tb: Toolbox,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Taking a word apart looks up every cut of it in every field: a word of 1,000 letters, or
    two hundred unknown words, would take seconds."""
    from toolbox import querybuild

    tried: list[str] = []
    original = querybuild.Builder._known

    def counting(self: querybuild.Builder, part: str) -> int:
        tried.append(part)
        return original(self, part)

    monkeypatch.setattr(querybuild.Builder, "_known", counting)
    minimal_tb.search("x" * 900, update=False)
    assert tried == []  # longer than MAX_SPLIT_LETTERS: not taken apart
    words = [f"zq{chr(97 + i)}fabrikschulen" for i in range(20)]
    minimal_tb.search(" ".join(words), update=False, correct=False)
    split_words = {w for w in words if any(p.startswith(w[:4]) for p in tried)}  # heads are the words' own
    assert len(split_words) == querybuild.MAX_SPLIT_WORDS
