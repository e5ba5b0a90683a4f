"""The optimised search path gives what the straightforward one gives; the benchmark runs."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from toolbox import Toolbox
from toolbox.benchmark import main as benchmark
from toolbox.query import prepare
from toolbox.search import _axis_docs, _parse, open_index

WORDS = ["hackathon", "Industriekultur", "Verwaltung", "design", "schools", "museum", "Chemnitz", "network",
         "creative", "Fabrik", "mining", "training", "KKW", "festival", "maps", "skofja"]


def reference(tb: Toolbox, text: str, filters: dict[str, list[str]], limit: int) -> list[str]:
    """The straightforward path: match, filter by Whoosh, let Whoosh rank the filtered set."""
    opened = open_index(tb.index_dir)
    q = _parse(opened, prepare(text, opened.synonyms, opened.stop), "en")
    matched = set(opened.searcher.docs_for_query(q))
    for axis, values in filters.items():
        matched &= _axis_docs(opened, axis, values)
    if not matched or q is wq.NullQuery:
        return []
    results = opened.searcher.search(q, filter=matched, limit=limit)
    return [hit["id"] for hit in results]


def test_ranked_hits_equal_the_straightforward_path(shipped: Toolbox) -> None:
    axes = {"audience": ["public-administration", "creatives", "schools", "citizens"],
            "kind": ["method", "pilot", "region"], "effort": ["low", "medium", "high"]}

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2),
           axis=st.sampled_from([None, *axes]), data=st.data())
    def check(words: list[str], axis: str | None, data: st.DataObject) -> None:
        filters = {axis: data.draw(st.lists(st.sampled_from(axes[axis]), min_size=1, max_size=2, unique=True))} \
            if axis else {}
        text = " ".join(words)
        ours = [h.id for h in shipped.search(text, limit=15, update=False, **filters).hits]
        assert ours == reference(shipped, text, filters, 15)

    check()


def test_benchmark_smoke_run(tmp_path: Path) -> None:
    text = benchmark([60], pdf=False, web=False, keep=tmp_path, say=lambda _m: None)
    assert text.startswith("### 60 records")
    for row in ("full build (load + index)", "one-record update", "warm search + 5 facet counts, filtered p95",
                "filter-only query + facets p50", "cold `toolbox search` process (median of 5)",
                "peak memory of the benchmark process"):
        assert f"| {row}" in text, row
    equal = re.search(r"\| queries with equal hits and facets +\| (\d+)/(\d+)", text)
    assert equal and equal.group(1) == equal.group(2), text
