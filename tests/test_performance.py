"""The optimised search gives what the straightforward path gives; the benchmark runs.

The straightforward path: let Whoosh collect the matches, filter them with the tags stored in
each document, count the facets from those tags, and let Whoosh score every filtered match. The
optimised path counts facets with bit sets from the tag table written at build time, scores
the matches once for both the facets and the order, and stops analysing a snippet's text past
its window. Both must give the same ids in the same order with the same scores, the same total
and the same facet counts.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolbox import Toolbox
from toolbox.benchmark import Baseline, _queries
from toolbox.benchmark import main as benchmark
from toolbox.documents import make_documents
from toolbox.search import _build, _rank, open_index
from toolbox.synthetic import generate, word_pools

AXES = ("audience", "sector", "region", "effort", "kind")
SHIPPED_WORDS = ["hackathon", "Industriekultur", "Verwaltung", "design", "schools", "museum", "Chemnitz",
                 "network", "creative", "Fabrik", "mining", "training", "KKW", "festival", "maps", "skofja"]


def reference(tb: Toolbox, text: str, filters: dict[str, list[str]], limit: int | None
              ) -> tuple[list[tuple[str, float]], int, dict[str, dict[str, int]]]:
    """Matches, filters and facets the slow way: each clause's records from Whoosh, every facet
    counted over stored tags. The order is the ranking's own (``_rank``; what it ranks first is
    held by test_ranking.py and the relevance floors), cut to the filtered records here."""
    opened = open_index(tb.index_dir)
    searcher = opened.searcher
    built = _build(opened, text, "en", text)
    base: set[int] = set()
    for clause in built.clauses:
        base |= set(searcher.docs_for_query(clause.query))
    tags = {d: searcher.stored_fields(d)["display"]["tags"] for d in base}

    def passes(d: int, skip: str | None) -> bool:
        return all(set(values) & set(tags[d][axis]) for axis, values in filters.items() if axis != skip)

    matched = {d for d in base if passes(d, None)}
    facets = {axis: dict(Counter(v for d in base if passes(d, axis) for v in tags[d][axis])) for axis in AXES}
    ranked: list[tuple[str, float]] = []
    if matched:
        order, _ = _rank(opened, built)
        ranked = [(searcher.stored_fields(d)["id"], round(score, 4)) for score, d in order if d in matched][:limit]
    return ranked, len(matched), facets


def ours(tb: Toolbox, text: str, filters: dict[str, list[str]], limit: int | None
         ) -> tuple[list[tuple[str, float]], int, dict[str, dict[str, int]]]:
    # as typed: the reference corrects no typos (words missing from a small corpus would be)
    result = tb.search(text, limit=limit, update=False, correct=False, **filters)
    facets = {axis: {f.value: f.count for f in values if f.count} for axis, values in result.facets.items()}
    return [(h.id, h.score) for h in result.hits], result.total, facets


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Toolbox]:
    """400 synthetic records: common words match hundreds of them, rare words a handful."""
    root = tmp_path_factory.mktemp("synthetic")
    tb = Toolbox.open(generate(root / "corpus", 400), root / "index")
    tb.build_index()
    yield tb


def _words() -> list[str]:
    en, de = word_pools()
    return [*en[:6], *de[:6], *en[100:104], *de[300:304], *en[3000:3003], "nosuchword"]


@pytest.mark.slow
def test_search_equals_the_straightforward_path_on_synthetic_records(corpus: Toolbox) -> None:
    opened = open_index(corpus.index_dir)
    values = {axis: sorted(opened.tag_table[axis]) for axis in AXES}

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(words=st.lists(st.sampled_from(_words()), min_size=1, max_size=2), data=st.data(),
           limit=st.sampled_from([1, 10, None]))
    def check(words: list[str], data: st.DataObject, limit: int | None) -> None:
        filters: dict[str, list[str]] = {}
        for axis in data.draw(st.lists(st.sampled_from(AXES), max_size=2, unique=True)):
            filters[axis] = data.draw(st.lists(st.sampled_from(values[axis]), min_size=1, max_size=3, unique=True))
        text = " ".join(words)
        assert ours(corpus, text, filters, limit) == reference(corpus, text, filters, limit)

    check()


def test_search_equals_the_straightforward_path_on_the_shipped_records(shipped: Toolbox) -> None:
    axes = {"audience": ["public-administration", "creatives", "schools", "citizens"],
            "kind": ["method", "pilot", "region"], "effort": ["low", "medium", "high"]}

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(words=st.lists(st.sampled_from(SHIPPED_WORDS), min_size=1, max_size=2),
           axis=st.sampled_from([None, *axes]), data=st.data())
    def check(words: list[str], axis: str | None, data: st.DataObject) -> None:
        filters = {axis: data.draw(st.lists(st.sampled_from(axes[axis]), min_size=1, max_size=2, unique=True))} \
            if axis else {}
        text = " ".join(words)
        assert ours(shipped, text, filters, 15) == reference(shipped, text, filters, 15)

    check()


@pytest.mark.slow
def test_fts5_baseline_finds_what_the_toolbox_finds(corpus: Toolbox) -> None:
    """The benchmark's ratios compare equal work: same hit sets, totals and facets."""
    docs = make_documents(corpus.catalogue)
    base = Baseline.build(corpus.index_dir.parent / "fts.sqlite", docs)
    values = {axis: sorted({v for d in docs.values() for v in d["tags"][axis]}) for axis in AXES}
    for word, filters in _queries(random.Random(3), values):
        hits, total, facets = base.search(word, filters, limit=len(docs))
        mine = corpus.search(word, limit=None, update=False, correct=False, **filters)
        assert {h.id for h in mine.hits} == set(hits), word
        assert (mine.total, {a: {f.value: f.count for f in v if f.count} for a, v in mine.facets.items()}) \
            == (total, facets), word


def test_benchmark_smoke_run(tmp_path: Path) -> None:
    text = benchmark([60], pdf=False, web=False, keep=tmp_path, say=lambda _m: None)
    assert text.startswith("### 60 records")
    for row in ("full build from YAML (load, validate, index)", "indexing alone (loaded records → index)",
                "one-record update", "warm search + 5 facet counts, filtered p95", "filter-only query + facets p50",
                "cold `toolbox search` process (median of 5)", "cold `toolbox search --no-update` (median of 5)",
                "peak memory of the benchmark process"):
        assert f"| {row}" in text, row
    equal = re.search(r"\| queries with equal hits and facets +\| (\d+)/(\d+)", text)
    assert equal and equal.group(1) == equal.group(2), text


def test_stemmers_keep_a_words_first_letter(shipped: Toolbox) -> None:
    """Snippets skip words whose folded first letter starts no query term (search._initial):
    that is only safe if no analyser changes a word's first letter."""
    from toolbox.analysis import language_analyzer
    from toolbox.search import _initial

    docs = make_documents(shipped.catalogue)
    words = {w for d in docs.values() for entry in d["texts"].values() for text in entry.values()
             for w in re.findall(r"\w+(?:\.?\w+)*", text)}
    en, de = word_pools()
    words |= {*en[:2000], *de[:2000], "İstanbul", "Ærø", "ßtraße", "Œuvre", "Ångström", "yesterday", "dying"}
    langs = list(open_index(shipped.index_dir).languages)
    checked = 0
    for lang in langs:
        analyzer = language_analyzer(lang)
        for word in words:
            for token in analyzer(word):
                assert token.text[:1] == _initial(word[0]), (lang, word, token.text)
                checked += 1
    assert checked > 20_000


def test_spelling_words_are_what_the_plain_analyser_gives(shipped: Toolbox) -> None:
    """The word list for typo correction is found with one regular expression, not an analyser:
    lower-case words as written (accents kept, so a correction is shown as the records write it),
    keyed by language, the tag words under the empty key."""
    from whoosh.analysis import LowercaseFilter, RegexTokenizer

    from toolbox.analysis import TOKEN_PATTERN, spelling_terms

    lower = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
    docs = make_documents(shipped.catalogue)
    for doc in docs.values():
        expected: Counter[str] = Counter()
        for lang, entry in doc["texts"].items():
            expected.update(f"{lang}\x00{t.text}" for text in entry.values() for t in lower(text))
        expected.update(f"\x00{t.text}" for t in lower(doc["tags_text"]))
        assert Counter(spelling_terms(doc["texts"], doc["tags_text"])) == expected, doc["id"]
