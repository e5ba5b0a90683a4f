"""Natural queries: the rebuilt search engine, pinned with exact expectations.

Each plain word (or synonym group) is a clause of its own and none is required, stop words are
those of the query's language, compounds match their parts, typos are corrected into words of the
query's language, and the explicit syntax (quotes, AND, +, -, NOT, fields, wildcards) keeps working.
The same query gives the same hits through the Python API, the command line and the web app.

The expectations are what a user needs. Where the engine disagrees, the test says so and stays
as it is (see the notes beside the cases).
"""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from markupsafe import escape

from conftest import SCENARIOS
from toolbox import Toolbox
from toolbox.analysis import language_analyzer
from toolbox.cli import main
from toolbox.indexer import live_generation, read_spelling
from toolbox.labels import WEB_LABELS
from toolbox.morphology import NOT_STOP_WORDS, stop_list
from toolbox.search import KIND_WEIGHT, _build, open_index
from toolbox.spelling import VOCABULARY, by_language, correct
from toolbox.textutil import fold
from toolbox.web import create_app

# --------------------------------------------------------------------------- helpers and fixtures


def ids(result: Any) -> list[str]:
    return [h.id for h in result.hits]


def top(tb: Toolbox, query: str, lang: str, n: int | None = 3, **kw: Any) -> list[str]:
    return ids(tb.search(query, lang=lang, limit=n, update=False, **kw))


def run_cli(tb: Toolbox, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--project", str(tb.project), "--index", str(tb.index_dir), "search",
                                       *args, "--no-update"])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def page(client: Any, **params: str) -> str:
    response = client.get("/?" + urlencode(params))
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def paragraphs(html: str, cls: str) -> list[str]:
    return re.findall(rf'<p class="{cls}">(.*?)</p>', html, re.S)


def page_hits(html: str) -> list[str]:
    return re.findall(r'<h2 class="hit-title"><a href="/records/([^"?]+)', html)


@pytest.fixture(scope="module")
def client(shipped: Toolbox) -> Any:
    app = create_app(shipped.project, shipped.index_dir)
    app.config["TESTING"] = True
    return app.test_client()


@pytest.fixture(scope="module")
def pools(shipped: Toolbox) -> dict[str, dict[str, int]]:
    """The spelling word lists of the shipped index: language -> folded word -> frequency."""
    gen = live_generation(shipped.index_dir)
    assert gen is not None
    return by_language(read_spelling(gen))


@pytest.fixture(scope="module")
def minimal_mod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Toolbox]:
    """The minimal scenario, indexed once for this module (its records are read by the tests below)."""
    target = tmp_path_factory.mktemp("natural-minimal") / "minimal"
    shutil.copytree(SCENARIOS / "minimal", target)
    tb = Toolbox.open(target)
    tb.build_index()
    yield tb


# --------------------------------------------------------------------------- 1. the issue's examples

#: (query, lang, acceptable ids, the wanted record must be first rather than in the top 3)
ISSUE_CASES: list[tuple[str, str, frozenset[str], bool]] = [
    # vacant mine buildings for creatives: the meanwhile use and the hub in an empty mine, both
    # ideal in the judged set (with every record in eight languages the hub now comes first)
    ("Leerstand Bergbau Kreative", "de", frozenset({"meanwhile-use", "creative-hub"}), False),
    ("Braunkohle", "de", frozenset({"sokolov-east", "shared-space-sokolov"}), False),
    ("prázdná továrna kreativci", "cs", frozenset({"meanwhile-use"}), False),
    ("prázdná", "cs", frozenset({"meanwhile-use"}), False),
    # Mining and the creative sector together: the Genk pilot is the record about former mine sites
    # taken over by creatives (C-Mine), in the Dutch-speaking region the query comes from. The
    # creative-hub method ("een leegstaande mijn, fabriek …") is the generic version of it.
    ("mijnbouw creatieve sector", "nl", frozenset({"genk-partner-meeting-limburg"}), False),
    ("kolenmijn", "nl", frozenset({"genk-partner-meeting-limburg"}), False),
    ("steenkool", "nl", frozenset({"genk-partner-meeting-limburg"}), False),
    # a method whose title holds every word of the query comes first
    ("Fokusgruppen", "de", frozenset({"regional-focus-groups"}), True),
    ("Anlaufstelle", "de", frozenset({"cci-help-desk"}), True),
    ("Strategiepapier", "de", frozenset({"regional-strategy-paper"}), True),
    # compounds
    ("Leerstandsmanagement", "de", frozenset({"meanwhile-use"}), False),
    ("Industriebrache", "de", frozenset({"meanwhile-use"}), False),
    # both are about mine buildings: the converted mine sites of Genk, and the hub in an empty mine
    ("mijngebouwen", "nl", frozenset({"genk-partner-meeting-limburg", "creative-hub"}), False),
]


CASE_IDS = [f"{c[0]}-{c[1]}" for c in ISSUE_CASES]


@pytest.mark.parametrize(("query", "lang", "wanted", "first"), ISSUE_CASES, ids=CASE_IDS)
def test_issue_example_finds_the_wanted_record(shipped: Toolbox, query: str, lang: str, wanted: frozenset[str],
                                               first: bool) -> None:
    result = shipped.search(query, lang=lang, limit=3, update=False)
    got = ids(result)
    if first:
        assert got[:1] == sorted(wanted), got
        assert result.hits[0].kind == "method"
    else:
        assert wanted & set(got), got
    # every word of these queries is found as written: nothing corrected, nothing unmatched
    assert (result.corrected, result.suggestion, result.unmatched) == (None, None, ()), got


@pytest.mark.parametrize(("query", "lang"), [(c[0], c[1]) for c in ISSUE_CASES], ids=CASE_IDS)
def test_cli_api_and_web_agree_on_the_top_three(shipped: Toolbox, client: Any, query: str, lang: str) -> None:
    python = top(shipped, query, lang)
    cli = json.loads(run_cli(shipped, query, "--lang", lang, "--limit", "3", "--json").stdout)
    web = client.get("/api/search?" + urlencode({"q": query, "lang": lang, "limit": "3"}))
    assert web.status_code == 200
    assert [h["id"] for h in cli["hits"]] == python
    assert [h["id"] for h in web.get_json()["hits"]] == python
    # the web page lists the same records first
    assert page_hits(page(client, q=query, lang=lang))[:3] == python


def test_anlaufstelle_lists_the_help_desks_not_a_record_that_only_says_stellen(shipped: Toolbox) -> None:
    """The three records with "Anlaufstelle" in their German title are what the user asked for;
    design-competition-industry only holds "stellen" ("Unternehmen stellen die Aufgabe")."""
    assert set(top(shipped, "Anlaufstelle", "de")) == {"cci-help-desk", "help-desk-network-veneto",
                                                        "help-desk-skofja-loka"}


# --------------------------------------------------------------------------- 2. an unknown word


def test_an_unknown_word_does_not_empty_the_result(shipped: Toolbox) -> None:
    result = shipped.search("Fokusgruppen blorfx", lang="de", limit=10, update=False)
    alone = shipped.search("Fokusgruppen", lang="de", limit=10, update=False)
    assert ids(result)[0] == "regional-focus-groups"
    assert (result.unmatched, result.corrected, result.suggestion) == (("blorfx",), None, None)
    # the unknown word neither adds nor removes a record
    assert (ids(result), result.total) == (ids(alone), alone.total)
    nothing = shipped.search("blorfx", lang="de", update=False)
    assert (nothing.total, nothing.unmatched, nothing.corrected) == (0, ("blorfx",), None)


def test_the_cli_and_the_web_page_say_which_word_matched_nothing(shipped: Toolbox, client: Any) -> None:
    out = run_cli(shipped, "Fokusgruppen blorfx", "--lang", "de").output
    quote = WEB_LABELS["quote"]["de"]
    # the command line says it in the reader's language, in the web page's words
    assert WEB_LABELS["unmatched"]["de"].format(words=quote.format("blorfx")) in out.splitlines()
    html = page(client, q="Fokusgruppen blorfx", lang="de")
    assert paragraphs(html, "unmatched") == [WEB_LABELS["unmatched"]["de"].format(words=quote.format("blorfx"))]
    assert page_hits(html)[0] == "regional-focus-groups"
    html = page(client, q="blorfx", lang="de")
    assert paragraphs(html, "unmatched") == [WEB_LABELS["unmatched_all"]["de"].format(words=quote.format("blorfx"))]


def test_a_question_mark_ends_a_question_not_a_word(shipped: Toolbox, client: Any) -> None:
    """'Kreative?' was a wildcard for "Kreative" and one more letter, and the web page refused
    'Wie geht es?' (a wildcard needs three letters before it)."""
    asked = shipped.search("Wie öffnen wir leere Hallen für Kreative?", lang="de", update=False)
    said = shipped.search("Wie öffnen wir leere Hallen für Kreative", lang="de", update=False)
    assert (ids(asked), asked.unmatched) == (ids(said), said.unmatched)
    assert "creative-hub" in ids(asked)[:3]
    english = shipped.search("How can we turn an empty factory into a space for creative businesses?", update=False)
    assert english.unmatched == ()
    response = client.get("/?q=" + urllib.parse.quote("Wie geht es?") + "&lang=de")
    assert response.status_code == 200
    # inside a word it stays a wildcard for one letter
    assert set(ids(shipped.search("hack?thon", update=False, correct=False))[:2]) == {
        "industrial-hackathon", "hackathon-bielsko-biala-linz"}


# --------------------------------------------------------------------------- 3. typos

TYPO = "Fokusgrupen Zwicau"
FIXED = "Fokusgruppen Zwickau"


def test_a_typo_is_corrected_and_the_result_says_so(shipped: Toolbox) -> None:
    result = shipped.search(TYPO, lang="de", update=False)
    assert (result.query, result.corrected, result.suggestion, result.unmatched) == (TYPO, FIXED, None, ())
    assert ids(result)[0] == "focus-group-zwickau"  # the focus group in Zwickau
    assert ids(result) == top(shipped, FIXED, "de", 10)


def test_without_correction_the_fix_is_only_suggested(shipped: Toolbox) -> None:
    exact = shipped.search(TYPO, lang="de", update=False, correct=False)
    assert (exact.query, exact.corrected, exact.suggestion) == (TYPO, None, FIXED)
    assert "Zwicau" in exact.unmatched
    # without the fix the Zwickau record is not what comes first ("Fokusgrupen" still finds the
    # focus-group records, through the Croatian and Slovenian "fokusgrupe"); with it, it is
    fixed = shipped.search(TYPO, lang="de", update=False)
    assert ids(fixed)[0] == "focus-group-zwickau" != ids(exact)[0]


def test_cli_says_what_it_searched_and_exact_turns_correction_off(shipped: Toolbox) -> None:
    from toolbox.labels import CLI_LABELS

    web, cli = {k: v["de"] for k, v in WEB_LABELS.items()}, {k: v["de"] for k, v in CLI_LABELS.items()}
    fixed = web["quote"].format(FIXED)
    lines = run_cli(shipped, TYPO, "--lang", "de").output.splitlines()
    assert f'{web["showing_for"]} {fixed} — {cli["search_instead"].format(query=TYPO)}' in lines
    assert not any(line.startswith(web["did_you_mean"]) for line in lines)
    lines = run_cli(shipped, TYPO, "--lang", "de", "--exact").output.splitlines()
    assert f'{web["did_you_mean"]}: {fixed}?' in lines
    assert not any(line.startswith(web["showing_for"]) for line in lines)
    english = run_cli(shipped, TYPO, "--lang", "en", "--exact").output
    assert web["did_you_mean"] not in english and "Did you mean" in english
    data = json.loads(run_cli(shipped, TYPO, "--lang", "de", "--exact", "--json").stdout)
    assert (data["corrected"], data["suggestion"]) == (None, FIXED)
    data = json.loads(run_cli(shipped, TYPO, "--lang", "de", "--json").stdout)
    assert (data["corrected"], data["suggestion"], data["unmatched"]) == (FIXED, None, [])


def test_web_page_links_to_the_uncorrected_search(shipped: Toolbox, client: Any) -> None:
    quote = WEB_LABELS["quote"]["de"]
    html = page(client, q=TYPO, lang="de")
    (shown,) = paragraphs(html, "suggestion")
    assert shown.startswith(f"{WEB_LABELS['showing_for']['de']} <strong>{quote.format(FIXED)}</strong>")
    assert f"{WEB_LABELS['search_instead']['de']} {quote.format(TYPO)}</a>" in shown
    (href,) = re.findall(r'href="([^"]+)"', shown)
    href = html_module.unescape(href)
    assert "exact=1" in href and "q=Fokusgrupen+Zwicau" in href
    assert page_hits(html)[:3] == top(shipped, TYPO, "de")
    # following the link gives the uncorrected result, which offers the correction instead
    followed = client.get(href)
    assert followed.status_code == 200
    exact_html = followed.get_data(as_text=True)
    uncorrected = shipped.search(TYPO, lang="de", update=False, correct=False)
    assert page_hits(exact_html) == ids(uncorrected)
    (offer,) = paragraphs(exact_html, "suggestion")
    assert offer.startswith(WEB_LABELS["did_you_mean"]["de"]) and FIXED in offer
    assert WEB_LABELS["showing_for"]["de"] not in exact_html
    # the JSON API takes exact=1 too
    api = client.get("/api/search?" + urlencode({"q": TYPO, "lang": "de", "exact": "1"})).get_json()
    assert (api["corrected"], api["suggestion"], [h["id"] for h in api["hits"]]) == (None, FIXED, ids(uncorrected))
    api = client.get("/api/search?" + urlencode({"q": TYPO, "lang": "de"})).get_json()
    assert (api["corrected"], api["suggestion"]) == (FIXED, None)


@pytest.mark.parametrize(("typo", "fixed", "wanted"), [
    ("prazdnyh", "prázdných", "meanwhile-use"),  # "prázdných" typed without accents, one letter off
    ("prumislovych", "průmyslových", None),
])
def test_a_correction_is_written_as_the_records_write_it(shipped: Toolbox, typo: str, fixed: str,
                                                         wanted: str | None) -> None:
    result = shipped.search(typo, lang="cs", update=False)
    assert (result.corrected, result.unmatched) == (fixed, ())
    if wanted:
        assert ids(result)[0] == wanted


@pytest.mark.parametrize(("typo", "lang"), [("thr", "en"), ("hackathon thr", "en"), ("fro", "en"), ("abot", "en"),
                                            ("becuase", "en"), ("dre", "de"), ("umd", "de"), ("nicjt", "de")])
def test_never_corrected_into_a_stop_word(shipped: Toolbox, typo: str, lang: str) -> None:
    for result in (shipped.search(typo, lang=lang, update=False),
                   shipped.search(typo, lang=lang, update=False, correct=False)):
        offered = result.corrected or result.suggestion
        if offered is not None:
            for typed, fixed in zip(typo.split(), offered.split(), strict=True):
                if typed != fixed:
                    assert fold(fixed) not in stop_list(lang) | stop_list("en"), (typo, offered)


def test_a_content_word_of_a_stop_list_is_a_correction(shipped: Toolbox) -> None:
    """"mijn" (mine) is on Dutch stop lists and taken off them (NOT_STOP_WORDS)."""
    result = shipped.search("mijnn", lang="nl", update=False)
    assert (result.corrected, ids(result)[0]) == ("mijn", "genk-partner-meeting-limburg")


@pytest.mark.parametrize(("typo", "slovenian"), [("delavnicxa", "delavnica"), ("regijxi", "regiji"),
                                                 ("kratexk", "kratek")])
def test_a_czech_query_is_not_corrected_into_slovenian(shipped: Toolbox, pools: dict[str, dict[str, int]],
                                                       typo: str, slovenian: str) -> None:
    """The issue: "prázdná" (cs) was offered the Slovenian "prazno". Here the closest word of the whole
    index is Slovenian and in no Czech text or vocabulary label; a Czech search must not offer it."""
    opened = open_index(shipped.index_dir)
    assert correct(typo, list(pools.values()), opened.stop) == slovenian  # the closest word overall
    assert slovenian in pools["sl"] and slovenian not in pools["cs"] and slovenian not in pools[VOCABULARY]
    assert shipped.search(typo, lang="sl", update=False).corrected == slovenian  # a Slovenian search does
    czech_words = set(pools["cs"]) | set(pools[VOCABULARY])
    for result in (shipped.search(typo, lang="cs", update=False),
                   shipped.search(typo, lang="cs", update=False, correct=False)):
        offered = result.corrected or result.suggestion
        assert offered is None or fold(offered) in czech_words, offered


def test_the_issue_query_prazdna_is_neither_corrected_nor_offered_a_correction(shipped: Toolbox) -> None:
    for query in ("prázdná", "prazdna"):
        result = shipped.search(query, lang="cs", update=False, correct=False)
        assert (result.corrected, result.suggestion, result.unmatched) == (None, None, ())
        assert ids(result)[0] == "meanwhile-use"


# --------------------------------------------------------------------------- 4. stop words per language


def test_dutch_mijn_is_a_word(shipped: Toolbox) -> None:
    assert "mijn" not in stop_list("nl")
    for lang in ("nl", "en"):  # the Dutch fields hold it whatever the display language
        result = shipped.search("mijn", lang=lang, update=False)
        assert result.total > 0 and result.unmatched == ()
        assert ids(result)[0] == "genk-partner-meeting-limburg"


def test_stop_words_of_the_query_language_are_not_unmatched_words(shipped: Toolbox) -> None:
    english = shipped.search("help desk for creative entrepreneurs", lang="en", limit=3, update=False)
    assert english.unmatched == () and "cci-help-desk" in ids(english)
    assert "for" in stop_list("en") and "für" in stop_list("de")
    german = shipped.search("Workshops für Verwaltungen", lang="de", limit=3, update=False)
    assert german.unmatched == () and "administration-training" in ids(german)
    assert ids(german) == top(shipped, "Workshops Verwaltungen", "de")
    dutch = shipped.search("leegstand in de mijnstreek", lang="nl", update=False)
    assert dutch.unmatched == () and dutch.corrected is None


# --------------------------------------------------------------------------- 5. morphology


def terms(lang: str, word: str, mode: str = "index") -> set[str]:
    return {t.text for t in language_analyzer(lang)(word, mode=mode)}


@pytest.mark.parametrize(("lang", "forms", "query"), [
    ("cs", ("prázdných", "prázdnou", "prázdná"), "prazdna"),
    ("pl", ("pustostanów", "pustostany", "pustostan"), "pustostany"),
    ("sl", ("praznih", "prazne"), "prazne"),
    ("hr", ("tvornica", "tvornice", "tvornici"), "tvornice"),
])
def test_word_forms_share_a_term(lang: str, forms: tuple[str, ...], query: str) -> None:
    shared = set.intersection(*(terms(lang, w) for w in forms))
    assert shared, {w: terms(lang, w) for w in forms}
    assert terms(lang, query, "query") & shared  # a query without accents finds them as well


def test_stop_lists_of_the_new_languages_and_their_content_words() -> None:
    for lang in ("cs", "pl", "sl", "hr"):
        assert stop_list(lang), lang
    for lang, words in NOT_STOP_WORDS.items():
        for word in words:
            assert word not in stop_list(lang) and fold(word) not in stop_list(lang), (lang, word)
            assert terms(lang, word), (lang, word)  # the analyser keeps it
    assert terms("nl", "mijn") == {"mijn"} and terms("sl", "prazen") == {"prazen"}


# --------------------------------------------------------------------------- 6. synonyms


def test_synonyms_match_by_stem(shipped: Toolbox) -> None:
    opened = open_index(shipped.index_dir)
    found = opened.synonyms.match(["Fokusgruppen"], 0)
    assert found is not None and found[1] == 1
    group = opened.synonyms.groups[found[0]]
    assert "Fokusgruppe" in group and "focus group" in group and "Fokusgruppen" not in group
    # every record the English member finds is found by the German plural
    german = set(top(shipped, "Fokusgruppen", "de", None))
    assert set(top(shipped, '"focus group"', "en", None)) <= german


@pytest.mark.parametrize(("query", "lang", "clauses"), [
    ("Fokusgruppen", "de", ["Fokusgruppen"]),
    ("Fokusgruppen Zwickau", "de", ["Fokusgruppen", "Zwickau"]),
    ("creative industries Zwickau", "en", ["creative industries", "Zwickau"]),
    # several members of one group typed together are still one clause
    ("KKW Kreativwirtschaft CCI Zwickau", "de", ["KKW Kreativwirtschaft CCI", "Zwickau"]),
    ("Fokusgruppe focus group Plauen", "de", ["Fokusgruppe focus group", "Plauen"]),
])
def test_a_synonym_group_is_one_clause(shipped: Toolbox, query: str, lang: str, clauses: list[str]) -> None:
    built = _build(open_index(shipped.index_dir), query, lang, query)
    assert len(built.clauses) == len(clauses), [c.text for c in built.clauses]
    # the clause of the plain word is the word itself; the group's clause may be written either way
    assert built.clauses[-1].text == clauses[-1]


@pytest.mark.parametrize(("query", "lang", "member", "other"), [
    ("creative industries Zwickau", "en", "creative industries", "Zwickau"),
    ("Kreativwirtschaft Sokolov", "de", "Kreativwirtschaft", "Sokolov"),
    ("KKW Kreativwirtschaft CCI Zwickau", "de", "KKW", "Zwickau"),
    ("Fokusgruppe focus group Plauen", "de", "Fokusgruppe", "Plauen"),
])
def test_the_other_word_outweighs_many_group_members(shipped: Toolbox, query: str, lang: str, member: str,
                                                     other: str) -> None:
    """Records holding the group and the other word rank above every record holding only the group."""
    holds_other = set(top(shipped, other, lang, None))
    holds_group = set(top(shipped, member, lang, None))
    ranked = top(shipped, query, lang, None)
    both = [i for i, r in enumerate(ranked) if r in holds_other and r in holds_group]
    group_only = [i for i, r in enumerate(ranked) if r in holds_group and r not in holds_other]
    assert both and group_only
    assert max(both) < min(group_only), [(ranked[i], i) for i in group_only if i < max(both)]


# --------------------------------------------------------------------------- 7. explicit syntax (minimal scenario)

SYNTAX_CASES: list[tuple[str, list[str]]] = [
    ('"open factory"', ["open-factory-day", "demo-pilot"]),
    ('"factory day"', ["open-factory-day", "demo-pilot"]),
    ('"design workshop"', ["school-workshop"]),
    ("factory AND Łąka", ["demo-pilot"]),
    ("design AND schools", ["school-workshop", "open-factory-day"]),
    ("(open OR maps) AND day", ["open-factory-day", "demo-pilot"]),
    ("+maps factory", ["mapping-study"]),
    ("+design +mapping", ["mapping-study"]),
    ("+design +schools", ["school-workshop", "open-factory-day"]),
    ("factory -invented", ["open-factory-day"]),
    ("schools -design", ["demo-pilot"]),
    ('"open factory" -invented', ["open-factory-day"]),
    ("maps -creative", []),
    ("factory NOT Łąka", ["open-factory-day"]),
    ("Fabrik NOT Łąka", ["open-factory-day"]),
    ("title_en:design", ["school-workshop"]),
    ("title_en:factory", ["open-factory-day", "demo-pilot"]),
    ("title_de:fabrik", ["open-factory-day", "demo-pilot"]),
    ("kind:pilot", ["demo-pilot"]),
    ("fabri*", ["open-factory-day", "demo-pilot"]),
    ("work*", ["school-workshop", "demo-pilot"]),
]


@pytest.mark.parametrize(("query", "expected"), SYNTAX_CASES, ids=[c[0] for c in SYNTAX_CASES])
def test_explicit_syntax(minimal_mod: Toolbox, query: str, expected: list[str]) -> None:
    result = minimal_mod.search(query, update=False)
    assert ids(result) == expected
    assert result.corrected is None


def test_or_lists_either_word(minimal_mod: Toolbox) -> None:
    result = minimal_mod.search("open OR maps", update=False)
    assert set(ids(result)) == {"mapping-study", "open-factory-day", "demo-pilot"}


@pytest.mark.parametrize("query", ["factory NOT invented", "factory NOT Łąka", "open OR maps", "workshop~",
                                   "(open OR maps) AND day", '"open factory"', "+maps factory"])
def test_operators_leave_no_unmatched_words_when_every_word_is_found(minimal_mod: Toolbox, query: str) -> None:
    """Every word of these queries is in some record; "unmatched" lists the user's words, never the
    field terms Whoosh made of them."""
    result = minimal_mod.search(query, update=False)
    assert result.total > 0
    assert result.unmatched == (), result.unmatched


def test_operator_queries_name_the_word_that_matched_nothing(minimal_mod: Toolbox) -> None:
    """With operators the unknown word is still the user's word to be told about (not a Whoosh term,
    and not silently dropped)."""
    result = minimal_mod.search("maps OR blorfx", update=False)
    assert (ids(result), result.unmatched) == (["mapping-study"], ("blorfx",))
    result = minimal_mod.search("maps AND blorfx", update=False)
    assert (result.total, result.unmatched) == (0, ("blorfx",))


def test_operator_queries_offer_a_correction(minimal_mod: Toolbox) -> None:
    """A query with operators is searched as written; a typo in it is offered as a corrected query."""
    assert minimal_mod.search("mapz", update=False).corrected == "maps"  # the plain word is corrected
    exact = minimal_mod.search("mapz AND factory", update=False, correct=False)
    assert (exact.total, exact.suggestion, exact.unmatched) == (0, "maps AND factory", ("mapz",))
    result = minimal_mod.search("mapz AND factory", update=False)
    assert (result.corrected or result.suggestion) == "maps AND factory"


def test_an_unfound_phrase_is_named_as_typed(minimal_mod: Toolbox) -> None:
    result = minimal_mod.search('"day factory"', update=False)
    assert (result.total, result.unmatched) == (0, ('"day factory"',))
    result = minimal_mod.search('maps "day factory"', update=False)
    assert (ids(result), result.unmatched) == (["mapping-study"], ('"day factory"',))


# --------------------------------------------------------------------------- 8. kinds


def test_methods_come_before_pilots_at_equal_relevance(tmp_path: Path) -> None:
    """A method and a pilot action with the same title and summary: the method first, the pilot's score
    the method's times the pilot weight."""
    project = tmp_path / "twins"
    shutil.copytree(SCENARIOS / "minimal", project)
    text = ("title:\n  en: Quarry evening\n  de: Steinbruchabend\n"
            "summary:\n  en: Neighbours meet for a zorblat evening.\n"
            "  de: Nachbarn treffen sich zu einem Zorblat-Abend.\n"
            "audience: [schools]\nsector: [crafts]\n")
    (project / "methods/twin-method.yaml").write_text(
        text + "effort:\n  level: low\npilots: [twin-pilot]\n"
        "purpose:\n  en: Bring people together.\n  de: Menschen zusammenbringen.\n"
        "steps:\n  - en: Invite people.\n    de: Menschen einladen.\n", encoding="utf-8")
    (project / "methods/pilots/twin-pilot.yaml").write_text(
        text + "region: [testland]\nmethods: [twin-method]\nproject: demo\n"
        'period: {start: "2020-09", end: "2021-09"}\n'
        "description:\n  en: Bring people together.\n  de: Menschen zusammenbringen.\n"
        "sources:\n  - title: Test fixture\n    url: https://example.org/fixture\n", encoding="utf-8")
    tb = Toolbox.open(project)
    report = tb.build_index()
    assert not report.skipped
    for query, lang in (("zorblat", "en"), ("zorblat", "de"), ("neighbours", "en")):
        result = tb.search(query, lang=lang, update=False)
        assert [(h.id, h.kind) for h in result.hits] == [("twin-method", "method"), ("twin-pilot", "pilot")]
        method, pilot = result.hits
        assert pilot.score / method.score == pytest.approx(KIND_WEIGHT["pilot"], rel=1e-3)
    # words in both titles: the method still first
    assert ids(tb.search("quarry evening", update=False)) == ["twin-method", "twin-pilot"]


# --------------------------------------------------------------------------- 9. no junk in the output

JUNK_QUERIES: list[tuple[str, str]] = [
    *[(c[0], c[1]) for c in ISSUE_CASES],
    (TYPO, "de"), (TYPO, "en"), ("prazdnyh", "cs"),  # typos
    ("Fokusgruppen blorfx", "de"), ("blorfx", "de"),  # unknown words
    ("und der die", "de"), ("the and of", "en"),  # nothing but stop words
    ("hackathon NOT Zwickau", "de"), ("hackathon OR Zwickau", "en"), ("+hackathon -Linz", "de"),
    ('"help desk" AND Veneto', "en"), ("hackaton~", "de"),  # operators
]
JUNK = ("None", "<built-in", "object at 0x", "Clause(", "DisMax(", "title_en:")
FIELD_TERM = re.compile(r"\b(?:title|summary|body)_[a-z]{2}:|\btags:|\^\d")
ENGLISH_MESSAGES = ("Showing results for", "No record contains", "Search instead for", "Did you mean",
                    "the results match the other words", "No record holds")


def junk_in(text: str, query: str) -> list[str]:
    text = text.replace(query, "").replace(str(escape(query)), "")  # the query itself is echoed
    return [j for j in JUNK if j in text] + FIELD_TERM.findall(text)


@pytest.mark.parametrize(("query", "lang"), JUNK_QUERIES, ids=[f"{q}-{lg}" for q, lg in JUNK_QUERIES])
def test_no_junk_in_the_cli_or_the_web_page(shipped: Toolbox, client: Any, query: str, lang: str) -> None:
    for exact in (False, True):
        out = run_cli(shipped, query, "--lang", lang, *(["--exact"] if exact else [])).output
        assert junk_in(out, query) == [], out
        params = {"q": query, "lang": lang, **({"exact": "1"} if exact else {})}
        html = page(client, **params)
        assert junk_in(html, query) == [], [p for p in paragraphs(html, "unmatched")]
        if lang == "de":
            assert [m for m in ENGLISH_MESSAGES if m in html] == []
            assert [m for m in ENGLISH_MESSAGES if m in out] == [], out
